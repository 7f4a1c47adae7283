//! From TOML text to a validated [`StandardsSet`]. Pure: the caller hands over `(path, text)`
//! pairs, whether they come from disk or from the copy compiled into the binary.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::measure::{CONFISCATE_GAINS, MeasureForce, MeasureKind, StatutoryMeasure};
use super::model::*;
use super::problem::{Problem, Problems, Reporter};
use super::validate;

/// A standards source file.
pub struct SourceFile {
    /// Path relative to the standards root, e.g. `units/STHJ.toml`.
    pub path: String,
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet {
    name: String,
    version: String,
    effective_date: String,
    policy: Policy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUnit {
    code: String,
    name: String,
    #[serde(default)]
    matter: Vec<RawMatter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatter {
    id: Spanned<String>,
    name: String,
    category: String,
    violated: Citation,
    penalty: Citation,
    #[serde(default)]
    penalty_also: Vec<Citation>,
    #[serde(default)]
    note: Option<String>,
    statutory: RawStatutory,
    #[serde(default)]
    fact: Vec<RawFact>,
    #[serde(default)]
    tier: Vec<RawTier>,
    #[serde(default)]
    referral: Option<Referral>,
    #[serde(default)]
    same_act_as: Vec<String>,
    #[serde(default)]
    distinct_from: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatutory {
    #[serde(default)]
    fine: Option<FineRule>,
    #[serde(default)]
    fine_organisation: Option<FineRule>,
    #[serde(default)]
    fine_individual: Option<FineRule>,
    #[serde(default)]
    fine_farmer: Option<FineRule>,
    #[serde(default)]
    fine_persons: Option<FineRule>,
    #[serde(default)]
    measures: Vec<RawMeasure>,
    #[serde(default)]
    unfined: Vec<Party>,
    #[serde(default)]
    excluded: Vec<Party>,
}

/// A statutory measure: a table with its force, or (until the data states it) a bare name.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawMeasure {
    Name(String),
    Declared(RawDeclaredMeasure),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeclaredMeasure {
    name: String,
    force: MeasureForce,
    #[serde(default)]
    kind: Option<MeasureKind>,
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    when: Option<Conjunction>,
    #[serde(default)]
    when_any: Option<Vec<Conjunction>>,
    #[serde(default)]
    parties: Vec<Party>,
    #[serde(default)]
    value: Option<String>,
}

impl RawMeasure {
    fn build(self) -> StatutoryMeasure {
        match self {
            RawMeasure::Name(name) => StatutoryMeasure {
                kind: MeasureKind::of_name(&name),
                // 第二十八条第二款 makes confiscating gains mandatory wherever there are gains.
                force: if name == CONFISCATE_GAINS {
                    MeasureForce::Mandatory
                } else {
                    MeasureForce::Optional
                },
                name,
                condition: None,
                when: Vec::new(),
                parties: Vec::new(),
                value: None,
                legacy: true,
            },
            RawMeasure::Declared(d) => StatutoryMeasure {
                kind: d.kind.unwrap_or_else(|| MeasureKind::of_name(&d.name)),
                name: d.name,
                force: d.force,
                condition: d.condition,
                when: d
                    .when
                    .into_iter()
                    .chain(d.when_any.into_iter().flatten())
                    .collect(),
                parties: d.parties,
                value: d.value,
                legacy: false,
            },
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    key: String,
    label: String,
    #[serde(rename = "type")]
    kind: FactType,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    default: Option<toml::Value>,
    #[serde(default)]
    values: Vec<EnumValue>,
    #[serde(default)]
    derived: Option<Derived>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawAmount {
    One(Decimal),
    Band(Vec<Decimal>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    name: Spanned<String>,
    situation: String,
    #[serde(default)]
    when: Option<Conjunction>,
    #[serde(default)]
    when_any: Option<Vec<Conjunction>>,
    #[serde(default)]
    fine: Option<RawAmount>,
    #[serde(default)]
    fine_organisation: Option<RawAmount>,
    #[serde(default)]
    fine_individual: Option<RawAmount>,
    #[serde(default)]
    fine_farmer: Option<RawAmount>,
    #[serde(default)]
    fine_persons: Option<RawAmount>,
    #[serde(default)]
    rate: Option<RawAmount>,
    #[serde(default)]
    rate_organisation: Option<RawAmount>,
    #[serde(default)]
    rate_individual: Option<RawAmount>,
    #[serde(default)]
    measures: Vec<String>,
    #[serde(default)]
    minor: bool,
}

fn line_of(text: &str, offset: usize) -> usize {
    LineIndex::new(text).line(offset)
}

/// Byte offsets of the line ends of a file, to turn spans into line numbers cheaply.
pub(crate) struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        LineIndex(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }
    /// 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

fn amount_to_fine(raw: &RawAmount, rep: &mut Reporter, what: &str, rate: bool) -> Option<TierFine> {
    let (min, max) = match raw {
        RawAmount::One(x) => (*x, *x),
        RawAmount::Band(v) if v.len() == 2 => (v[0], v[1]),
        RawAmount::Band(_) => {
            rep.report(format!(
                "{what}: a band is written [min, max] (two figures)"
            ));
            return None;
        }
    };
    if min.is_sign_negative() || max.is_sign_negative() {
        rep.report(format!("{what}: amounts cannot be negative"));
        return None;
    }
    if min > max {
        rep.report(format!("{what}: band [{min}, {max}] has min above max"));
        return None;
    }
    Some(if rate {
        TierFine::Rate { min, max }
    } else {
        TierFine::Yuan { min, max }
    })
}

fn fact_default(raw: &RawFact, rep: &mut Reporter) -> Option<FactValue> {
    let v = raw.default.as_ref()?;
    let parsed = match (raw.kind, v) {
        (FactType::Boolean, toml::Value::Boolean(b)) => Some(FactValue::Bool(*b)),
        (FactType::Enum, toml::Value::String(s)) => Some(FactValue::Code(s.clone())),
        (FactType::Decimal | FactType::Integer, toml::Value::Integer(i)) => {
            Some(FactValue::Number(Decimal::from(*i)))
        }
        (FactType::Decimal, toml::Value::Float(f)) => {
            Decimal::try_from(*f).ok().map(FactValue::Number)
        }
        (FactType::Decimal | FactType::Integer, toml::Value::String(s)) => {
            s.parse().ok().map(FactValue::Number)
        }
        _ => None,
    };
    if parsed.is_none() {
        rep.report(format!(
            "fact `{}`: default {v} does not fit type {:?}",
            raw.key, raw.kind
        ));
    }
    parsed
}

fn build_matter(
    raw: RawMatter,
    unit: &str,
    file: &str,
    lines: &LineIndex,
    problems: &mut Vec<Problem>,
) -> Option<Matter> {
    let id = raw.id.get_ref().clone();
    let line = lines.line(raw.id.span().start);
    let mut rep = Reporter {
        file,
        line,
        matter: Some(&id),
        problems,
    };
    let before = rep.problems.len();
    let statutory = build_statutory(raw.statutory, &mut rep);
    let facts = raw
        .fact
        .into_iter()
        .map(|f| build_fact(f, &mut rep))
        .collect();
    let tiers = raw
        .tier
        .into_iter()
        .enumerate()
        .map(|(i, t)| build_tier(i + 1, t, lines, &mut rep))
        .collect();
    let matter = Matter {
        id: id.clone(),
        name: raw.name,
        unit: unit.to_string(),
        category: raw.category,
        violated: raw.violated,
        penalty: raw.penalty,
        penalty_also: raw.penalty_also,
        note: raw.note,
        statutory,
        facts,
        tiers,
        referral: raw.referral,
        same_act_as: raw.same_act_as,
        distinct_from: raw.distinct_from,
        source: SourceLocation {
            file: file.to_string(),
            line,
        },
    };
    validate::matter(&matter, &mut rep);
    (rep.problems.len() == before).then_some(matter)
}

/// The statutory fines per party and the parties the provision punishes: one `fine` for both,
/// or `fine_organisation` / `fine_individual` (a matter that gives only one punishes only that
/// party; neither means both, without a fine).
fn build_statutory(st: RawStatutory, rep: &mut Reporter) -> Statutory {
    let (fine_organisation, fine_individual, parties) =
        match (st.fine, st.fine_organisation, st.fine_individual) {
            (Some(f), None, None) => (Some(f.clone()), Some(f), Party::SIDES.to_vec()),
            (None, o, i) => {
                let parties = match (&o, &i) {
                    (None, None) => Party::SIDES.to_vec(),
                    (Some(_), None) => vec![Party::Organisation],
                    (None, Some(_)) => vec![Party::Individual],
                    (Some(_), Some(_)) => Party::SIDES.to_vec(),
                };
                (o, i, parties)
            }
            _ => {
                rep.report(
                "statutory: write either `fine` or `fine_organisation`/`fine_individual`, not both",
            );
                (None, None, Party::SIDES.to_vec())
            }
        };
    Statutory {
        fine_organisation,
        fine_individual,
        fine_farmer: st.fine_farmer,
        fine_persons: st.fine_persons,
        parties,
        unfined: st.unfined,
        excluded: st.excluded,
        measures: st.measures.into_iter().map(RawMeasure::build).collect(),
    }
}

fn build_fact(f: RawFact, rep: &mut Reporter) -> FactDef {
    let default = fact_default(&f, rep);
    FactDef {
        key: f.key,
        label: f.label,
        kind: f.kind,
        unit: f.unit,
        required: f.required,
        default,
        values: f.values,
        derived: f.derived,
    }
}

/// Tier number `level` of the matter `rep` reports for; its problems are located at its name.
fn build_tier(level: usize, t: RawTier, lines: &LineIndex, rep: &mut Reporter) -> Tier {
    let mut trep = Reporter {
        file: rep.file,
        line: lines.line(t.name.span().start),
        matter: rep.matter,
        problems: rep.problems,
    };
    let name = t.name.into_inner();
    let what = format!("tier {level} ({name})");
    let when = match (t.when, t.when_any) {
        (Some(c), None) => vec![c],
        (None, Some(cs)) if !cs.is_empty() => cs,
        (None, None) => vec![BTreeMap::new()],
        _ => {
            trep.report(format!(
                "{what}: write either `when` or a non-empty `when_any`"
            ));
            vec![]
        }
    };
    let fine_organisation = party_fine(
        [&t.fine, &t.fine_organisation, &t.rate, &t.rate_organisation],
        "organisations",
        &what,
        &mut trep,
    );
    let fine_individual = party_fine(
        [&t.fine, &t.fine_individual, &t.rate, &t.rate_individual],
        "individuals",
        &what,
        &mut trep,
    );
    let fine_farmer = party_fine(
        [&None, &t.fine_farmer, &None, &None],
        "农户",
        &what,
        &mut trep,
    );
    let fine_persons = party_fine(
        [&None, &t.fine_persons, &None, &None],
        "responsible persons",
        &what,
        &mut trep,
    );
    Tier {
        level,
        name,
        situation: t.situation,
        when,
        fine_organisation,
        fine_individual,
        fine_farmer,
        fine_persons,
        measures: t.measures,
        minor: t.minor,
    }
}

/// A tier's fine for one party: `[fine, fine_<party>, rate, rate_<party>]`, the party's own
/// amount before the general one; a yuan amount or a rate, not both.
fn party_fine(
    [general, specific, rate_general, rate_specific]: [&Option<RawAmount>; 4],
    label: &str,
    what: &str,
    trep: &mut Reporter,
) -> Option<TierFine> {
    let yuan = specific.as_ref().or(general.as_ref());
    let rate = rate_specific.as_ref().or(rate_general.as_ref());
    match (yuan, rate) {
        (Some(_), Some(_)) => {
            trep.report(format!(
                "{what}: {label}: a tier gives either `fine` or `rate`, not both"
            ));
            None
        }
        (Some(a), None) => amount_to_fine(a, trep, what, false),
        (None, Some(a)) => amount_to_fine(a, trep, what, true),
        (None, None) => None,
    }
}

fn toml_problem(file: &str, text: &str, err: &toml::de::Error) -> Problem {
    let line = err.span().map(|s| line_of(text, s.start)).unwrap_or(1);
    Problem {
        file: file.to_string(),
        line,
        matter: None,
        message: err.message().to_string(),
    }
}

/// Parses one unit file: its unit and its matters (each validated on its own).
pub fn parse_unit(file: &SourceFile, problems: &mut Vec<Problem>) -> Option<(Unit, Vec<Matter>)> {
    let raw: RawUnit = match toml::from_str(&file.text) {
        Ok(r) => r,
        Err(e) => {
            problems.push(toml_problem(&file.path, &file.text, &e));
            return None;
        }
    };
    let unit = Unit {
        code: raw.code,
        name: raw.name,
    };
    let lines = LineIndex::new(&file.text);
    let matters = raw
        .matter
        .into_iter()
        .filter_map(|m| build_matter(m, &unit.code, &file.path, &lines, problems))
        .collect();
    Some((unit, matters))
}

/// Loads a whole set: `set.toml` plus `units/*.toml`. Either every check passes or nothing loads.
pub fn load(set_file: &SourceFile, unit_files: &[SourceFile]) -> Result<StandardsSet, Problems> {
    let mut problems = Vec::new();
    let raw: Option<RawSet> = match toml::from_str(&set_file.text) {
        Ok(r) => Some(r),
        Err(e) => {
            problems.push(toml_problem(&set_file.path, &set_file.text, &e));
            None
        }
    };
    let mut units = Vec::new();
    let mut matters = Vec::new();
    for f in unit_files {
        if let Some((u, ms)) = parse_unit(f, &mut problems) {
            units.push((u, f.path.clone()));
            matters.extend(ms);
        }
    }
    validate::set(&units, &matters, &mut problems);
    let Some(raw) = raw else {
        return Err(Problems(problems));
    };
    let effective_date = match NaiveDate::parse_from_str(&raw.effective_date, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(Problem {
                file: set_file.path.clone(),
                line: 1,
                matter: None,
                message: format!(
                    "effective_date `{}` is not a date like 2026-12-01",
                    raw.effective_date
                ),
            });
            None
        }
    };
    validate::policy(&raw.policy, &set_file.path, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    let units = units.into_iter().map(|(u, _)| u).collect();
    Ok(StandardsSet::new(
        raw.name,
        raw.version,
        effective_date.expect("checked"),
        raw.policy,
        units,
        matters,
    ))
}
