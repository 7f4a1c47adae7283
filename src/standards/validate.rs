//! The checks a standards set must pass before it loads. Pure functions over the model.
//!
//! Coverage and exclusivity are decided exactly: every tier condition is a union of conjunctions
//! of interval / boolean / enum predicates, so the thresholds written in a matter cut each fact's
//! domain into finitely many regions on which every predicate is constant. Checking one
//! representative of each combination of regions checks every possible input.

use std::collections::{BTreeSet, HashMap, HashSet};

use rust_decimal::Decimal;

use super::measure::{CONFISCATE_GAINS, GAINS_FACT, MeasureForce, REFUND_FACT};
use super::model::*;
use super::problem::{Problem, Reporter};

const MAX_CELLS: usize = 20_000;

/// The regions of one fact's domain: each region is a list of sample values, the first being its
/// representative (all samples of a region satisfy the same predicates).
pub fn fact_regions(matter: &Matter, fact: &FactDef) -> Vec<Vec<FactValue>> {
    match fact.kind {
        FactType::Boolean => vec![vec![FactValue::Bool(false)], vec![FactValue::Bool(true)]],
        FactType::Enum => fact
            .values
            .iter()
            .map(|v| vec![FactValue::Code(v.code.clone())])
            .collect(),
        FactType::Decimal | FactType::Integer => {
            let mut cuts: BTreeSet<Decimal> = BTreeSet::new();
            for tier in &matter.tiers {
                for conj in &tier.when {
                    if let Some(Predicate::Range(r)) = conj.get(&fact.key) {
                        cuts.extend(r.bounds().filter(|b| !b.is_sign_negative()));
                    }
                }
            }
            // A fallback band switches at its `below` figure, a conditional band at its
            // condition's: amounts change there too.
            for party in Party::SIDES {
                let serious = matter
                    .statutory
                    .fine_of_side(party)
                    .and_then(|r| r.serious.as_ref());
                for conj in serious.into_iter().flat_map(|s| s.conditions()) {
                    if let Some(Predicate::Range(r)) = conj.get(&fact.key) {
                        cuts.extend(r.bounds().filter(|b| !b.is_sign_negative()));
                    }
                }
                if let Some(rule) = matter.statutory.fine_of_side(party)
                    && rule.base.as_deref() == Some(fact.key.as_str())
                    && let Some(fb) = &rule.fallback
                {
                    cuts.insert(fb.below.unwrap_or(Decimal::ZERO));
                }
                if let Some(rule) = matter.statutory.fine_of_side(party)
                    && rule.base.as_deref() == Some(fact.key.as_str())
                    && let Some(f) = rule.base_floor
                {
                    cuts.insert(f);
                }
            }
            cuts.insert(Decimal::ZERO);
            number_regions(
                &cuts.into_iter().collect::<Vec<_>>(),
                fact.kind == FactType::Integer,
            )
        }
    }
}

fn number_regions(cuts: &[Decimal], integer: bool) -> Vec<Vec<FactValue>> {
    let eps = Decimal::new(1, 3);
    let num = FactValue::Number;
    let mut out = Vec::new();
    for (i, &c) in cuts.iter().enumerate() {
        if !integer || c.fract().is_zero() {
            out.push(vec![num(c)]);
        }
        let next = cuts.get(i + 1).copied();
        let samples: Vec<Decimal> = match (next, integer) {
            (Some(n), false) => vec![
                (c + n) / Decimal::TWO,
                c + eps.min((n - c) / Decimal::from(4)),
                n - eps.min((n - c) / Decimal::from(4)),
            ],
            (None, false) => vec![
                c + Decimal::ONE,
                c + eps,
                c * Decimal::from(10) + Decimal::from(1_000_000),
            ],
            (Some(n), true) => {
                let lo = c.floor() + Decimal::ONE;
                let hi = if n.fract().is_zero() {
                    n - Decimal::ONE
                } else {
                    n.floor()
                };
                if lo <= hi { vec![lo, hi] } else { vec![] }
            }
            (None, true) => {
                let lo = c.floor() + Decimal::ONE;
                vec![lo, lo * Decimal::from(10) + Decimal::from(1_000_000)]
            }
        };
        if !samples.is_empty() {
            out.push(samples.into_iter().map(num).collect());
        }
    }
    out
}

/// The fines an article sets apart (农户; the responsible persons of an organisation): a tier
/// names one only where the article sets it, in yuan inside its band, and a tier that fines
/// individuals gives 农户 their own figure where the article bands them apart.
fn separate_fines(m: &Matter, t: &Tier, what: &str, rep: &mut Reporter) {
    let st = &m.statutory;
    let pairs = [
        ("农户", &st.fine_farmer, &t.fine_farmer, Party::Individual),
        (
            "直接负责的主管人员和其他直接责任人员",
            &st.fine_persons,
            &t.fine_persons,
            Party::Organisation,
        ),
    ];
    for (who, rule, fine, side) in pairs {
        match (rule, fine) {
            (None, Some(_)) => rep.report(format!("{what}: fines {who}, but the statute sets no fine for them")),
            (Some(_), _) if !st.parties.contains(&side) => rep.report(format!(
                "statutory fine for {who}: the matter does not concern their side ({})",
                side.label()
            )),
            (Some(r), Some(TierFine::Yuan { min, max })) => {
                let band = r.band_at(None);
                if r.kind != FineKind::Range || !band.contains(&Band::new(*min, *max)) {
                    rep.report(format!(
                        "{what}: fine for {who} {}..{} lies outside the statutory band {}..{}",
                        min.normalize(),
                        max.normalize(),
                        band.min.normalize(),
                        band.max.normalize()
                    ));
                }
            }
            (Some(_), Some(TierFine::Rate { .. })) => {
                rep.report(format!("{what}: the fine for {who} is in yuan (`fine_…`), not a rate"))
            }
            (Some(_), None) if who == "农户" && t.fine_individual.is_some() => rep.report(format!(
                "{what}: fines individuals, but not 农户, whom the article fines apart (`fine_farmer`)"
            )),
            _ => {}
        }
    }
}

/// A tier gives only measures the article provides, and never drops one the article makes
/// mandatory for a party the tier concerns (confiscation of gains aside: the gains decide it).
fn tier_measures(m: &Matter, t: &Tier, what: &str, rep: &mut Reporter) {
    for measure in &t.measures {
        if !m.statutory.provides(measure) {
            let provided: Vec<&str> = m
                .statutory
                .measures
                .iter()
                .map(|x| x.name.as_str())
                .collect();
            rep.report(format!(
                "{what}: measure `{measure}` is not among the statutory measures {provided:?}"
            ));
        }
    }
    for sm in &m.statutory.measures {
        let concerns = m.statutory.parties.iter().any(|p| sm.applies_to(*p));
        if sm.force == MeasureForce::Mandatory
            && !sm.is_gains_confiscation()
            && concerns
            && !t.measures.contains(&sm.name)
        {
            rep.report(format!(
                "{what}: drops `{}`, which the article makes mandatory (应当)",
                sm.name
            ));
        }
    }
}

pub(crate) fn matter(m: &Matter, rep: &mut Reporter) {
    if m.name.trim().is_empty() {
        rep.report("the matter has no name");
    }
    if !m.id.starts_with(&format!("{}-", m.unit)) {
        rep.report(format!(
            "id `{}` must start with its unit code `{}-`",
            m.id, m.unit
        ));
    }
    for (role, c) in [("violated", &m.violated), ("penalty", &m.penalty)]
        .into_iter()
        .chain(m.penalty_also.iter().map(|c| ("penalty_also", c)))
    {
        citation_shape(c, role, rep);
    }
    statutory(m, rep);
    facts(m, rep);
    if let Some(r) = &m.referral {
        let alternatives: Vec<Conjunction> = r
            .when
            .iter()
            .chain(r.when_any.iter().flatten())
            .cloned()
            .collect();
        if alternatives.is_empty() || r.condition.trim().is_empty() {
            rep.report("referral: needs the threshold in words (`condition`) and as facts");
        }
        conditions(m, "referral", &alternatives, rep);
    }
    if m.tiers.is_empty() {
        rep.report("the matter has no tiers");
        return;
    }
    let structural_ok = tiers_structure(m, rep);
    if structural_ok {
        coverage_and_bands(m, rep);
        monotone(m, rep);
    }
}

fn citation_shape(c: &Citation, role: &str, rep: &mut Reporter) {
    let law = c.law.trim();
    // A title may quote another law inside it (浙江省实施《中华人民共和国人民防空法》办法), but
    // is never wrapped in 《》 itself.
    if law.is_empty() || law.starts_with('《') || law.ends_with('》') {
        rep.report(format!(
            "{role}: the law title `{}` must be the bare full title, without 《》",
            c.law
        ));
    }
    if !(law.ends_with('法')
        || law.ends_with("条例")
        || law.ends_with("办法")
        || law.ends_with("规定")
        || law.ends_with("决定")
        || law.ends_with("细则")
        || law.ends_with("规则"))
    {
        rep.report(format!(
            "{role}: `{law}` does not look like the title of a law or regulation"
        ));
    }
    if c.article == 0 || c.paragraph == Some(0) || c.item == Some(0) {
        rep.report(format!(
            "{role}: article, paragraph and item numbers start at 1"
        ));
    }
    if let Some(v) = &c.version
        && chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err()
    {
        rep.report(format!(
            "{role}: version `{v}` is not a date like 2018-10-26"
        ));
    }
}

fn statutory(m: &Matter, rep: &mut Reporter) {
    for party in Party::SIDES {
        let Some(rule) = m.statutory.fine_of_side(party) else {
            continue;
        };
        let who = party.label();
        if let Some(sb) = &rule.serious {
            let what = format!("statutory fine for {who}: the band 「{}」", sb.condition);
            let alternatives: Vec<Conjunction> = sb.conditions().cloned().collect();
            if alternatives.is_empty() || sb.condition.trim().is_empty() {
                rep.report(format!("{what}: needs its condition in words and as facts"));
            }
            conditions(m, &what, &alternatives, rep);
            if sb.min.is_sign_negative() || sb.min > sb.max {
                rep.report(format!("{what}: {}..{} is not a band", sb.min, sb.max));
            }
        }
        if rule.min.is_sign_negative() || rule.max.is_sign_negative() || rule.min > rule.max {
            rep.report(format!(
                "statutory fine for {who}: band {}..{} is not a band",
                rule.min, rule.max
            ));
        }
        if rule.max.is_zero() {
            rep.report(format!("statutory fine for {who}: the maximum is zero"));
        }
        match (rule.kind, &rule.base) {
            (FineKind::Range, Some(_)) => {
                rep.report(format!("statutory fine for {who}: a `range` has no base"))
            }
            (FineKind::Range, None) => {
                if rule.fallback.is_some()
                    || rule.floor.is_some()
                    || rule.cap.is_some()
                    || rule.base_floor.is_some()
                {
                    rep.report(format!(
                        "statutory fine for {who}: floor, cap and fallback belong to rated fines"
                    ));
                }
            }
            (_, None) => rep.report(format!(
                "statutory fine for {who}: a {:?} fine needs `base`",
                rule.kind
            )),
            (_, Some(base)) => match m.fact(base) {
                None => rep.report(format!(
                    "statutory fine for {who}: base `{base}` is not a declared fact"
                )),
                Some(f) if !matches!(f.kind, FactType::Decimal | FactType::Integer) => rep.report(
                    format!("statutory fine for {who}: base `{base}` must be a number"),
                ),
                Some(_) => {}
            },
        }
        if let Some(fb) = &rule.fallback
            && (fb.min > fb.max || fb.min.is_sign_negative())
        {
            rep.report(format!(
                "statutory fine for {who}: fallback {}..{} is not a band",
                fb.min, fb.max
            ));
        }
    }
    statutory_measures(m, rep);
    for party in Party::SIDES {
        if let Some(rule) = m.statutory.fine_of_side(party)
            && rule.kind == FineKind::Tranches
        {
            tranches(m, rule, rep);
        }
    }
    for p in m.statutory.unfined.iter().chain(&m.statutory.excluded) {
        if !m.statutory.parties.contains(&p.side())
            || Party::SIDES.contains(p) && m.statutory.parties.len() < 2
        {
            rep.report(format!(
                "statutory: `unfined` names {}, which the matter does not concern (or its only side)",
                p.label()
            ));
        }
    }
}

/// A `tranches` fine: the measured quantity and the limit are declared numbers, the parts in
/// order and not overlapping, the rates non-negative; tiers give the amount itself (`rate = 1`)
/// or no fine.
fn tranches(m: &Matter, rule: &FineRule, rep: &mut Reporter) {
    for (what, key) in [("base", &rule.base), ("reference", &rule.reference)] {
        match key.as_deref().and_then(|k| m.fact(k)) {
            Some(f) if f.kind == FactType::Decimal && f.required => {}
            _ => rep.report(format!(
                "statutory fine `tranches`: `{what}` must name a required decimal fact"
            )),
        }
    }
    if rule.tranches.is_empty() {
        rep.report("statutory fine `tranches`: list the parts of the excess (`tranches`)");
    }
    let mut from = Decimal::ZERO;
    for t in &rule.tranches {
        let ends_after = t.up_to.is_none_or(|u| u > t.over);
        if t.over < from || !ends_after || t.rate.is_sign_negative() {
            rep.report(format!(
                "statutory fine `tranches`: the part from {}% is out of order, empty or negative",
                t.over.normalize()
            ));
        }
        from = t.up_to.unwrap_or(t.over);
    }
    for t in &m.tiers {
        let lawful = [t.fine_organisation, t.fine_individual]
            .into_iter()
            .flatten()
            .all(|f| matches!(f, TierFine::Rate { min, max } if min == Decimal::ONE && max == Decimal::ONE));
        if !lawful {
            rep.report(format!(
                "tier {} ({}): the article fixes the amount per part of the excess: write `rate = 1` (or no fine)",
                t.level, t.name
            ));
        }
    }
}

/// Each statutory measure: named once, its condition on declared facts, its parties the
/// matter's, its force consistent with its condition; confiscation of gains needs the gains.
fn statutory_measures(m: &Matter, rep: &mut Reporter) {
    let mut seen = HashSet::new();
    for measure in &m.statutory.measures {
        let name = &measure.name;
        if name.trim().is_empty() || !seen.insert(name) {
            rep.report(format!(
                "statutory measures: `{name}` is empty or listed twice"
            ));
        }
        let what = format!("statutory measure `{name}`");
        if measure.legacy {
            rep.report(format!(
                "{what}: state its force as a table: {{ name = \"{name}\", force = \"mandatory\" | \"optional\" | \"conditional\" }}"
            ));
        }
        conditions(m, &what, &measure.when, rep);
        match (measure.force, measure.when.is_empty()) {
            (MeasureForce::Conditional, true) => rep.report(format!(
                "{what}: `conditional` needs its condition as facts (`when`)"
            )),
            (MeasureForce::Mandatory, false) => rep.report(format!(
                "{what}: a mandatory measure with a condition is `conditional`"
            )),
            _ => {}
        }
        if !measure.when.is_empty() && measure.condition.is_none() {
            rep.report(format!(
                "{what}: state the article's condition in words (`condition`)"
            ));
        }
        for p in &measure.parties {
            if !m.statutory.concerns(*p) {
                rep.report(format!(
                    "{what}: given to {}, whom the matter does not concern",
                    p.label()
                ));
            }
        }
        if let Some(v) = &measure.value
            && !m.fact(v).is_some_and(|f| f.kind == FactType::Decimal)
        {
            rep.report(format!(
                "{what}: its value `{v}` is not a declared decimal fact"
            ));
        }
        if measure.is_gains_confiscation() && !measure.legacy {
            gains_fact(m, rep);
        }
    }
}

/// 第二十八条第二款: where the article confiscates gains, the gains are a fact the inspector
/// enters (`illegal_gains`, in yuan), never presumed.
fn gains_fact(m: &Matter, rep: &mut Reporter) {
    match m.fact(GAINS_FACT) {
        Some(f) if f.kind == FactType::Decimal => {}
        _ => rep.report(format!(
            "statutory measure `{CONFISCATE_GAINS}`: declare the gains as the decimal fact `{GAINS_FACT}`"
        )),
    }
    if let Some(f) = m.fact(REFUND_FACT)
        && f.kind != FactType::Decimal
    {
        rep.report(format!("fact `{REFUND_FACT}` must be a decimal (元)"));
    }
}

/// Conditions (of a tier or a measure) name declared facts, with predicates of their type.
fn conditions(m: &Matter, what: &str, when: &[Conjunction], rep: &mut Reporter) {
    for conj in when {
        for (key, pred) in conj {
            let Some(f) = m.fact(key) else {
                rep.report(format!(
                    "{what}: condition on `{key}`, which is not a declared fact"
                ));
                continue;
            };
            if !predicate_fits(pred, f) {
                rep.report(format!("{what}: condition on `{key}` does not fit its type {:?} (or names an unknown value, or is an empty range)", f.kind));
            }
        }
    }
}

fn predicate_fits(pred: &Predicate, f: &FactDef) -> bool {
    match (pred, f.kind) {
        (Predicate::Bool(_), FactType::Boolean) => true,
        (Predicate::Code(c), FactType::Enum) => f.values.iter().any(|v| &v.code == c),
        (Predicate::Codes(cs), FactType::Enum) => {
            !cs.is_empty() && cs.iter().all(|c| f.values.iter().any(|v| &v.code == c))
        }
        (Predicate::Range(r), FactType::Decimal | FactType::Integer) => {
            let lo = r.gte.or(r.gt);
            let hi = r.lte.or(r.lt);
            r.bounds().next().is_some()
                && !(r.gte.is_some() && r.gt.is_some())
                && !(r.lte.is_some() && r.lt.is_some())
                && lo
                    .zip(hi)
                    .is_none_or(|(l, h)| l < h || (l == h && r.gte.is_some() && r.lte.is_some()))
        }
        _ => false,
    }
}

fn facts(m: &Matter, rep: &mut Reporter) {
    let mut keys = HashSet::new();
    for f in &m.facts {
        let ok_key = !f.key.is_empty()
            && f.key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && f.key.starts_with(|c: char| c.is_ascii_lowercase());
        if !ok_key {
            rep.report(format!("fact key `{}` must be snake_case ASCII", f.key));
        }
        if !keys.insert(f.key.as_str()) {
            rep.report(format!("fact `{}` is declared twice", f.key));
        }
        if f.key.contains("repeat") {
            rep.report(format!("fact `{}`: repeat offences are the general circumstance `repeat_offense`, not a fact", f.key));
        }
        if let Some(d) = &f.derived {
            derived(m, f, d, rep);
            continue;
        }
        match (f.required, &f.default) {
            (true, Some(_)) => rep.report(format!(
                "fact `{}`: either required or a default, not both",
                f.key
            )),
            // The gains may be left unknown: confiscation then stays a condition.
            (false, None) if [GAINS_FACT, REFUND_FACT].contains(&f.key.as_str()) => {
                unknown_allowed(m, &f.key, rep)
            }
            (false, None) => rep.report(format!(
                "fact `{}`: needs `required = true` or a `default`",
                f.key
            )),
            _ => {}
        }
        match f.kind {
            FactType::Enum => {
                if f.values.len() < 2 {
                    rep.report(format!(
                        "fact `{}`: an enum lists at least two values",
                        f.key
                    ));
                }
                let codes: HashSet<_> = f.values.iter().map(|v| &v.code).collect();
                if codes.len() != f.values.len() {
                    rep.report(format!("fact `{}`: enum codes repeat", f.key));
                }
                if let Some(FactValue::Code(c)) = &f.default
                    && !codes.contains(c)
                {
                    rep.report(format!(
                        "fact `{}`: default `{c}` is not one of its values",
                        f.key
                    ));
                }
            }
            FactType::Decimal | FactType::Integer => {
                if f.unit.as_deref().is_none_or(str::is_empty) {
                    rep.report(format!(
                        "fact `{}`: a number needs its unit (平方米, 元, 倍, 日, 次 …)",
                        f.key
                    ));
                }
                if !f.values.is_empty() {
                    rep.report(format!("fact `{}`: only enums list values", f.key));
                }
            }
            FactType::Boolean => {
                if !f.values.is_empty() {
                    rep.report(format!("fact `{}`: only enums list values", f.key));
                }
            }
        }
    }
}

/// A computed fact: a decimal with its unit, neither required nor defaulted, from two required
/// decimal facts.
fn derived(m: &Matter, f: &FactDef, d: &Derived, rep: &mut Reporter) {
    if f.kind != FactType::Decimal || f.required || f.default.is_some() || f.unit.is_none() {
        rep.report(format!(
            "fact `{}`: a computed fact is a decimal with a unit, neither required nor defaulted",
            f.key
        ));
    }
    for key in [&d.percent_over, &d.of] {
        if !m
            .fact(key)
            .is_some_and(|x| x.kind == FactType::Decimal && x.required && x.derived.is_none())
        {
            rep.report(format!(
                "fact `{}`: computed from `{key}`, which must be a required decimal fact",
                f.key
            ));
        }
    }
}

/// A fact that may be left unknown decides no tier and is no fine's base.
fn unknown_allowed(m: &Matter, key: &str, rep: &mut Reporter) {
    let in_tiers = m
        .tiers
        .iter()
        .any(|t| t.when.iter().any(|c| c.contains_key(key)));
    let base = [&m.statutory.fine_organisation, &m.statutory.fine_individual]
        .into_iter()
        .flatten()
        .any(|r| r.base.as_deref() == Some(key));
    if in_tiers || base {
        rep.report(format!(
            "fact `{key}` decides a tier or is the fine's base: it needs `required = true`"
        ));
    }
}

/// Names, conditions, fines and measures of each tier, on their own. Returns false if the
/// matter is too broken for the coverage analysis.
fn tiers_structure(m: &Matter, rep: &mut Reporter) -> bool {
    let before = rep.problems.len();
    if !(1..=7).contains(&m.tiers.len()) {
        rep.report(format!("{} tiers; a matter has 1 to 7", m.tiers.len()));
    }
    let mut names = HashSet::new();
    for t in &m.tiers {
        if !names.insert(t.name.as_str()) {
            rep.report(format!(
                "tier {} ({}): another tier has the same name",
                t.level, t.name
            ));
        }
    }
    for t in &m.tiers {
        let what = format!("tier {} ({})", t.level, t.name);
        if t.name.trim().is_empty() || t.situation.trim().is_empty() {
            rep.report(format!("{what}: needs a name and a situation (适用情形)"));
        }
        if t.minor && t.level != 1 {
            rep.report(format!("{what}: only the lightest tier can be `minor`"));
        }
        // 第三十三条第一款: 轻微 is a legal term; a tier named so must be 轻微 by definition.
        if t.name.contains("轻微") != t.minor {
            rep.report(format!(
                "{what}: a tier is named 轻微 exactly when it is `minor` (违法行为轻微 by definition)"
            ));
        }
        conditions(m, &what, &t.when, rep);
        for party in &m.statutory.parties {
            let tier_fine = t.fine_for(*party);
            let rule = m.statutory.fine_of_side(*party);
            match (tier_fine, rule) {
                (Some(_), None) => rep.report(format!("{what}: fines {}, but the statute sets no fine for them", party.label())),
                (Some(TierFine::Rate { .. }), Some(r)) if r.kind == FineKind::Range => {
                    rep.report(format!("{what}: a `rate` needs a rated statutory fine (multiple, percent, per_unit)"))
                }
                (None, Some(r)) if !(r.optional || r.min.is_zero() || r.fallback.as_ref().is_some_and(|f| f.min.is_zero())) => {
                    rep.report(format!("{what}: no fine for {}, but the statute requires at least {} {}", party.label(), r.min.normalize(), r.unit_label()))
                }
                _ => {}
            }
        }
        if t.fine_organisation.is_none() && t.fine_individual.is_none() && t.measures.is_empty() {
            rep.report(format!("{what}: imposes nothing (no fine, no measure)"));
        }
        tier_measures(m, t, &what, rep);
        separate_fines(m, t, &what, rep);
    }
    rep.problems.len() == before
}

fn describe_cell(m: &Matter, cell: &[&FactValue]) -> String {
    m.facts
        .iter()
        .zip(cell)
        .map(|(f, v)| match v {
            FactValue::Number(x) => format!("{}={}", f.key, x.normalize()),
            FactValue::Bool(b) => format!("{}={b}", f.key),
            FactValue::Code(c) => format!("{}={c}", f.key),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn coverage_and_bands(m: &Matter, rep: &mut Reporter) {
    let regions: Vec<Vec<Vec<FactValue>>> = m.facts.iter().map(|f| fact_regions(m, f)).collect();
    let total: usize = regions.iter().map(Vec::len).product();
    if total > MAX_CELLS {
        rep.report(format!(
            "{total} combinations of fact values: too many to check; use fewer facts or thresholds"
        ));
        return;
    }
    let truth = tier_truth(m, &regions);
    let mut checks = CellChecks::default();
    let mut index = vec![0usize; regions.len()];
    let mut hits: Vec<usize> = Vec::with_capacity(m.tiers.len());
    loop {
        tiers_covering(&truth, &index, &mut hits);
        let cell = Cell {
            m,
            regions: &regions,
            index: &index,
        };
        match hits.len() {
            0 => checks.gap(&cell, rep),
            1 => checks.bands(&cell, &m.tiers[hits[0]], rep),
            _ => checks.overlap(&cell, &hits, rep),
        }
        if !next_cell(&mut index, &regions) {
            break;
        }
    }
}

/// truth[tier][alternative][fact][region]: does the predicate (if any) hold on that region?
fn tier_truth(m: &Matter, regions: &[Vec<Vec<FactValue>>]) -> Vec<Vec<Vec<Vec<bool>>>> {
    m.tiers
        .iter()
        .map(|t| {
            t.when
                .iter()
                .map(|conj| {
                    m.facts
                        .iter()
                        .zip(regions)
                        .map(|(f, rs)| match conj.get(&f.key) {
                            None => vec![true; rs.len()],
                            Some(p) => rs.iter().map(|r| p.matches(&r[0])).collect(),
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The tiers one of whose alternatives holds on the combination of regions `index`, into `hits`.
fn tiers_covering(truth: &[Vec<Vec<Vec<bool>>>], index: &[usize], hits: &mut Vec<usize>) {
    hits.clear();
    for (t, alternatives) in truth.iter().enumerate() {
        let matched = alternatives
            .iter()
            .any(|facts| facts.iter().zip(index).all(|(by_region, &i)| by_region[i]));
        if matched {
            hits.push(t);
        }
    }
}

/// Steps `index` to the next combination of regions (an odometer); false after the last.
fn next_cell(index: &mut [usize], regions: &[Vec<Vec<FactValue>>]) -> bool {
    for k in (0..index.len()).rev() {
        index[k] += 1;
        if index[k] < regions[k].len() {
            return true;
        }
        index[k] = 0;
    }
    false
}

/// One combination of fact regions of a matter.
struct Cell<'a> {
    m: &'a Matter,
    regions: &'a [Vec<Vec<FactValue>>],
    index: &'a [usize],
}

impl Cell<'_> {
    /// The combination's representative values by fact key.
    fn facts(&self) -> HashMap<String, FactValue> {
        self.m
            .facts
            .iter()
            .zip(self.regions.iter().zip(self.index))
            .map(|(f, (r, &i))| (f.key.clone(), r[i][0].clone()))
            .collect()
    }

    /// The combination's representative values, as `key=value, …`.
    fn describe(&self) -> String {
        let values: Vec<&FactValue> = self
            .regions
            .iter()
            .zip(self.index)
            .map(|(r, &i)| &r[i][0])
            .collect();
        describe_cell(self.m, &values)
    }
}

/// What the walk over the combinations has reported or checked: one gap and one overlap at
/// most, one band problem per tier and party, each band checked once per base-fact region.
#[derive(Default)]
struct CellChecks {
    reported_gap: bool,
    reported_overlap: bool,
    band_checked: HashSet<(usize, Party, usize, bool)>,
    reported_band: HashSet<(usize, Party)>,
}

impl CellChecks {
    fn gap(&mut self, cell: &Cell, rep: &mut Reporter) {
        if !self.reported_gap {
            rep.report(format!("no tier covers the case {}", cell.describe()));
            self.reported_gap = true;
        }
    }

    fn overlap(&mut self, cell: &Cell, hits: &[usize], rep: &mut Reporter) {
        if !self.reported_overlap {
            let names: Vec<_> = hits
                .iter()
                .map(|&t| format!("{} ({})", cell.m.tiers[t].level, cell.m.tiers[t].name))
                .collect();
            rep.report(format!(
                "tiers {} both cover the case {}",
                names.join(" and "),
                cell.describe()
            ));
            self.reported_overlap = true;
        }
    }

    /// The one tier that covers the cell: its fine for each party within the statutory band.
    fn bands(&mut self, cell: &Cell, tier: &Tier, rep: &mut Reporter) {
        let m = cell.m;
        for &party in &m.statutory.parties {
            // Amounts depend only on the tier, the base fact's region and whether a conditional
            // band holds.
            let base_region = base_position(m, party).map_or(0, |p| cell.index[p]);
            let facts = cell.facts();
            let serious = m
                .statutory
                .fine_of_side(party)
                .and_then(|r| r.serious.as_ref())
                .is_some_and(|s| s.holds(&facts));
            if self.reported_band.contains(&(tier.level, party))
                || !self
                    .band_checked
                    .insert((tier.level, party, base_region, serious))
            {
                continue;
            }
            if let Some(msg) = band_problem(m, tier, party, &facts, cell.regions, cell.index) {
                rep.report(msg);
                self.reported_band.insert((tier.level, party));
            }
        }
    }
}

/// The position among the matter's facts of the base of the party's statutory fine, if any.
fn base_position(m: &Matter, party: Party) -> Option<usize> {
    m.statutory
        .fine_of_side(party)
        .and_then(|r| r.base.as_deref())
        .and_then(|b| m.facts.iter().position(|f| f.key == b))
}

/// Checks the tier's fine against the statutory band at every sample of the base fact's region.
fn band_problem(
    m: &Matter,
    tier: &Tier,
    party: Party,
    facts: &HashMap<String, FactValue>,
    regions: &[Vec<Vec<FactValue>>],
    index: &[usize],
) -> Option<String> {
    let rule = m.statutory.fine_of_side(party)?;
    // The article's own formula: the amount is the statute's, checked in `tranches`.
    if rule.kind == FineKind::Tranches {
        return None;
    }
    let fine = tier.fine_for(party)?;
    let samples: Vec<Option<Decimal>> = match rule
        .base
        .as_deref()
        .and_then(|b| m.facts.iter().position(|f| f.key == b))
    {
        Some(pos) => regions[pos][index[pos]]
            .iter()
            .map(|v| match v {
                FactValue::Number(x) => Some(*x),
                _ => None,
            })
            .collect(),
        None => vec![None],
    };
    for base in samples {
        let law = rule.band_with(base, facts);
        let ours = fine.band_at(Some(rule), base);
        if !law.contains(&ours) {
            let at = base
                .map(|b| {
                    format!(
                        " at {} = {}",
                        rule.base.as_deref().unwrap_or(""),
                        b.normalize()
                    )
                })
                .unwrap_or_default();
            return Some(format!(
                "tier {} ({}): fine for {} {}..{} lies outside the statutory band {}..{}{at}",
                tier.level,
                tier.name,
                party.label(),
                ours.min.normalize(),
                ours.max.normalize(),
                law.min.normalize(),
                law.max.normalize()
            ));
        }
    }
    None
}

/// A heavier tier never fines less than a lighter one (compared where both are in the same unit),
/// and a tier without a fine never follows one with a fine.
fn monotone(m: &Matter, rep: &mut Reporter) {
    for party in m.statutory.parties.clone() {
        let mut seen_fine = false;
        for pair in m.tiers.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            seen_fine |= a.fine_for(party).is_some();
            match (a.fine_for(party), b.fine_for(party)) {
                (
                    Some(TierFine::Yuan { min: a1, max: a2 }),
                    Some(TierFine::Yuan { min: b1, max: b2 }),
                )
                | (
                    Some(TierFine::Rate { min: a1, max: a2 }),
                    Some(TierFine::Rate { min: b1, max: b2 }),
                ) if b1 < a1 || b2 < a2 => {
                    rep.report(format!(
                        "tier {} ({}) fines {} less than the lighter tier {} ({})",
                        b.level,
                        b.name,
                        party.label(),
                        a.level,
                        a.name
                    ));
                }
                (Some(TierFine::Yuan { .. }), Some(TierFine::Yuan { .. }))
                | (Some(TierFine::Rate { .. }), Some(TierFine::Rate { .. })) => {}
                (_, None) if seen_fine => rep.report(format!(
                    "tier {} ({}) has no fine for {} but a lighter tier has one",
                    b.level,
                    b.name,
                    party.label()
                )),
                _ => {}
            }
        }
    }
}

/// 第二十九条 between matters: two matters on the same violated provision whose penalty
/// provisions (in different laws) set different bands are declared either the same act
/// (`same_act_as`, the note saying which governs) or distinct cases (`distinct_from`); where
/// another matter governs the same act, no tier fines below its minimum.
fn overlaps(matters: &[Matter], ids: &HashMap<String, &Matter>, problems: &mut Vec<Problem>) {
    let at = |m: &Matter, message: String| Problem {
        file: m.source.file.clone(),
        line: m.source.line,
        matter: Some(m.id.clone()),
        message,
    };
    let declared = |a: &Matter, b: &Matter| {
        let names = |x: &Matter, y: &Matter| {
            x.same_act_as
                .iter()
                .chain(&x.distinct_from)
                .any(|i| i.eq_ignore_ascii_case(&y.id))
        };
        names(a, b) || names(b, a)
    };
    let key = |c: &Citation| (c.law.clone(), c.article, c.paragraph, c.item);
    for (i, a) in matters.iter().enumerate() {
        for b in &matters[i + 1..] {
            let flagged = key(&a.violated) == key(&b.violated)
                && a.penalty.law != b.penalty.law
                && bands_differ(a, b);
            if flagged && !declared(a, b) {
                problems.push(at(a, format!(
                    "rests on the same violated provision as {} under a penalty provision with another band: declare `same_act_as` (the note saying which governs, 第二十九条) or `distinct_from`",
                    b.id
                )));
            }
        }
    }
    // A note that weighs another matter under 第二十九条 names a pair to declare.
    for a in matters {
        let Some(note) = a.note.as_deref().filter(|n| n.contains("第二十九条")) else {
            continue;
        };
        for b in matters {
            if b.id != a.id && note.contains(b.id.as_str()) && bands_differ(a, b) && !declared(a, b)
            {
                problems.push(at(a, format!(
                    "the note weighs {} under 第二十九条: declare it `same_act_as` (one act: the higher band governs) or `distinct_from` (different acts)",
                    b.id
                )));
            }
        }
    }
    for a in matters {
        for other in a.same_act_as.iter().chain(&a.distinct_from) {
            if !ids.contains_key(&other.to_lowercase()) {
                problems.push(at(
                    a,
                    format!("names {other}, which is not a matter of the set"),
                ));
            }
        }
        for other in &a.same_act_as {
            let Some(b) = ids.get(&other.to_lowercase()) else {
                continue;
            };
            if !a.note.as_deref().is_some_and(|n| n.contains(b.id.as_str())) {
                problems.push(at(
                    a,
                    format!(
                        "is the same act as {}: the note must say which governs (第二十九条)",
                        b.id
                    ),
                ));
            }
            below_governing(a, b, problems);
        }
    }
}

/// The two matters' statutory bands differ for a side both fine.
fn bands_differ(a: &Matter, b: &Matter) -> bool {
    Party::SIDES.iter().any(
        |&p| match (a.statutory.fine_of_side(p), b.statutory.fine_of_side(p)) {
            (Some(x), Some(y)) => x.band_at(None) != y.band_at(None),
            _ => false,
        },
    )
}

/// Where `b` governs the act (the higher maximum), `a`'s fixed-yuan tiers may not fine below
/// `b`'s minimum.
fn below_governing(a: &Matter, b: &Matter, problems: &mut Vec<Problem>) {
    for p in Party::SIDES {
        let (Some(ra), Some(rb)) = (a.statutory.fine_of_side(p), b.statutory.fine_of_side(p))
        else {
            continue;
        };
        let (ba, bb) = (ra.band_at(None), rb.band_at(None));
        if rb.kind != FineKind::Range || (bb.max, bb.min) <= (ba.max, ba.min) {
            continue;
        }
        for t in &a.tiers {
            if let Some(TierFine::Yuan { min, .. }) = t.fine_for(p)
                && *min < bb.min
            {
                problems.push(Problem {
                    file: a.source.file.clone(),
                    line: a.source.line,
                    matter: Some(a.id.clone()),
                    message: format!(
                        "tier {} ({}): {} for {} is below {}元, the minimum of {}, which governs the same act (第二十九条)",
                        t.level,
                        t.name,
                        min.normalize(),
                        p.label(),
                        bb.min.normalize(),
                        b.id
                    ),
                });
            }
        }
    }
}

pub(crate) fn set(units: &[(Unit, String)], matters: &[Matter], problems: &mut Vec<Problem>) {
    let mut codes = HashMap::new();
    for (u, file) in units {
        let ok = !u.code.is_empty() && u.code.chars().all(|c| c.is_ascii_uppercase());
        if !ok {
            problems.push(Problem {
                file: file.clone(),
                line: 1,
                matter: None,
                message: format!("unit code `{}` must be upper-case letters", u.code),
            });
        }
        if let Some(other) = codes.insert(u.code.clone(), file.clone()) {
            problems.push(Problem {
                file: file.clone(),
                line: 1,
                matter: None,
                message: format!("unit code `{}` is also used by {other}", u.code),
            });
        }
    }
    let mut ids: HashMap<String, &Matter> = HashMap::new();
    for m in matters {
        if let Some(first) = ids.insert(m.id.to_lowercase(), m) {
            problems.push(Problem {
                file: m.source.file.clone(),
                line: m.source.line,
                matter: Some(m.id.clone()),
                message: format!(
                    "id already used at {}:{}",
                    first.source.file, first.source.line
                ),
            });
        }
    }
    overlaps(matters, &ids, problems);
}

pub(crate) fn policy(p: &Policy, file: &str, problems: &mut Vec<Problem>) {
    let share = |x: Decimal| x > Decimal::ZERO && x < Decimal::ONE;
    let ok = share(p.lighter_share)
        && share(p.heavier_share)
        && share(p.fixed_step)
        && share(p.reduce_ratio)
        && p.reduce_min_grounds >= 1;
    if !ok {
        problems.push(Problem {
            file: file.to_string(),
            line: 1,
            matter: None,
            message: "policy: shares, step and ratio lie strictly between 0 and 1; reduce_min_grounds is at least 1".into(),
        });
    }
}
