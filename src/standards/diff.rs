//! What changed between two standards versions, for the person who has to know before a new
//! version takes effect: matters added, removed and changed, and for a changed matter each
//! thing that changed, old and new, worded as the published pages word it (the wording lives
//! once, in `web::publish`; this module only compares its texts). Pure: two sets in, a diff out.
//!
//! Texts are compared, not structures: what the published text does not show (a fact's key, the
//! order of a tier's alternatives, the search vocabulary) is not a change for this purpose.

use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Citation, Conjunction, FactDef, Matter, Party, Policy, Predicate, StandardsSet, Tier};
use crate::web::publish::{
    PARTY_ORDER, fact_default_text, fact_type_text, fact_values_text, figure, fine_rule_text,
    measures_text, party_short, tier_fine_text, tier_standard_text, yuan,
};

/// Stands for what one side does not have.
const ABSENT: &str = "（无）";

/// One thing that changed, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Change {
    /// What changed, e.g. `阶次2（较轻）处罚标准（个人）`.
    #[schema(example = "阶次2（较轻）处罚标准")]
    pub what: String,
    /// As the old version publishes it; `（无）` where it had none.
    #[schema(example = "20元")]
    pub old: String,
    #[schema(example = "25元")]
    pub new: String,
}

/// A matter only one of the two versions has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MatterRef {
    pub id: String,
    pub name: String,
    /// The enforcement unit's code.
    pub unit: String,
}

/// A matter both versions have, and what differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MatterChanges {
    pub id: String,
    /// Its name in the new version.
    pub name: String,
    pub changes: Vec<Change>,
}

/// Everything that differs from `old_version` to `new_version`; matters sorted by id, a matter
/// equal in both not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SetDiff {
    pub old_version: String,
    pub new_version: String,
    /// The set's own: its name, its units, the policy (适用规则).
    pub changes: Vec<Change>,
    pub added: Vec<MatterRef>,
    pub removed: Vec<MatterRef>,
    pub changed: Vec<MatterChanges>,
}

impl SetDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }

    /// One line per change, for the terminal: `ZHZF-019 阶次2（较轻）处罚标准：20元 → 25元`.
    pub fn lines(&self) -> Vec<String> {
        let line = |id: &str, c: &Change| format!("{id} {}：{} → {}", c.what, c.old, c.new);
        let mut lines: Vec<String> = self.changes.iter().map(|c| line("裁量基准", c)).collect();
        lines.extend(
            self.added
                .iter()
                .map(|m| format!("{} 新增事项：{}", m.id, m.name)),
        );
        lines.extend(
            self.removed
                .iter()
                .map(|m| format!("{} 删除事项：{}", m.id, m.name)),
        );
        for m in &self.changed {
            lines.extend(m.changes.iter().map(|c| line(&m.id, c)));
        }
        lines
    }
}

/// What changed from `old` to `new`.
pub fn diff(old: &StandardsSet, new: &StandardsSet) -> SetDiff {
    let mut ids: Vec<&str> = old
        .matters
        .iter()
        .chain(&new.matters)
        .map(|m| m.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut d = SetDiff {
        old_version: old.version.clone(),
        new_version: new.version.clone(),
        changes: set_changes(old, new),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    for id in ids {
        match (old.matter(id), new.matter(id)) {
            (Some(o), Some(n)) => {
                let changes = matter_changes(o, n);
                if !changes.is_empty() {
                    d.changed.push(MatterChanges {
                        id: n.id.clone(),
                        name: n.name.clone(),
                        changes,
                    });
                }
            }
            (Some(o), None) => d.removed.push(matter_ref(o)),
            (None, Some(n)) => d.added.push(matter_ref(n)),
            (None, None) => {}
        }
    }
    d
}

fn matter_ref(m: &Matter) -> MatterRef {
    MatterRef {
        id: m.id.clone(),
        name: m.name.clone(),
        unit: m.unit.clone(),
    }
}

/// Records a change only where the two texts differ.
fn push(changes: &mut Vec<Change>, what: impl Into<String>, old: String, new: String) {
    if old != new {
        changes.push(Change {
            what: what.into(),
            old,
            new,
        });
    }
}

fn or_absent(text: Option<&str>) -> String {
    text.unwrap_or(ABSENT).to_string()
}

/// `、`-joined measures, or `无`.
fn measures_or_none(measures: &[String]) -> String {
    if measures.is_empty() {
        "无".to_string()
    } else {
        measures_text(measures)
    }
}

// ---------------------------------------------------------------------------------------------
// The set: name, units, policy.
// ---------------------------------------------------------------------------------------------

fn set_changes(old: &StandardsSet, new: &StandardsSet) -> Vec<Change> {
    let mut c = Vec::new();
    push(&mut c, "基准名称", old.name.clone(), new.name.clone());
    let mut codes: Vec<&str> = old
        .units
        .iter()
        .chain(&new.units)
        .map(|u| u.code.as_str())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    for code in codes {
        let name = |s: &StandardsSet| or_absent(s.unit(code).map(|u| u.name.as_str()));
        push(&mut c, format!("执法单位 {code}"), name(old), name(new));
    }
    policy_changes(&old.policy, &new.policy, &mut c);
    c
}

/// A share of a band as people say it: `0.3` → `30%`.
fn share(x: Decimal) -> String {
    format!("{}%", figure(x * Decimal::ONE_HUNDRED))
}

/// The `[policy]` values, each under the name `set.toml`'s comments give it.
fn policy_changes(old: &Policy, new: &Policy, c: &mut Vec<Change>) {
    type Row = (&'static str, fn(&Policy) -> String);
    let rows: [Row; 7] = [
        ("适用规则：从轻取阶次幅度较低部分", |p| {
            share(p.lighter_share)
        }),
        ("适用规则：从重取阶次幅度较高部分", |p| {
            share(p.heavier_share)
        }),
        (
            "适用规则：固定数额从轻、从重的调整幅度",
            |p| share(p.fixed_step),
        ),
        (
            "适用规则：减轻所需从轻或者减轻情节数",
            |p| format!("{}项", p.reduce_min_grounds),
        ),
        ("适用规则：减轻按法定最低罚款的比例", |p| {
            share(p.reduce_ratio)
        }),
        ("适用规则：较大数额罚款（公民）", |p| {
            yuan(p.hearing_threshold_individual)
        }),
        (
            "适用规则：较大数额罚款（法人或者其他组织）",
            |p| yuan(p.hearing_threshold_organisation),
        ),
    ];
    for (what, text) in rows {
        push(c, what, text(old), text(new));
    }
}

// ---------------------------------------------------------------------------------------------
// A matter.
// ---------------------------------------------------------------------------------------------

fn matter_changes(old: &Matter, new: &Matter) -> Vec<Change> {
    let mut c = Vec::new();
    push(&mut c, "事项名称", old.name.clone(), new.name.clone());
    push(&mut c, "类别", old.category.clone(), new.category.clone());
    push(&mut c, "实施机关", old.unit.clone(), new.unit.clone());
    push(
        &mut c,
        "违法依据",
        old.violated.render(),
        new.violated.render(),
    );
    push(
        &mut c,
        "违法依据所引法律的版本",
        law_versions([&old.violated]),
        law_versions([&new.violated]),
    );
    push(&mut c, "处罚依据", old.penalty_text(), new.penalty_text());
    let penalty_versions =
        |m: &Matter| law_versions(std::iter::once(&m.penalty).chain(&m.penalty_also));
    push(
        &mut c,
        "处罚依据所引法律的版本",
        penalty_versions(old),
        penalty_versions(new),
    );
    push(
        &mut c,
        "说明",
        or_absent(old.note.as_deref()),
        or_absent(new.note.as_deref()),
    );
    per_party(&mut c, "法定罚款", old, new, statutory_fine_text);
    push(
        &mut c,
        "法定其他处罚和措施",
        measures_or_none(&statutory_measure_texts(old)),
        measures_or_none(&statutory_measure_texts(new)),
    );
    fact_changes(old, new, &mut c);
    tier_changes(old, new, &mut c);
    c
}

/// The statutory measures with their force, as the published tables state them.
fn statutory_measure_texts(m: &Matter) -> Vec<String> {
    m.statutory.measures.iter().map(|x| x.describe()).collect()
}

/// The dates of the law versions cited (`2021-09-30`), which `Citation::render` leaves out.
fn law_versions<'a>(citations: impl IntoIterator<Item = &'a Citation>) -> String {
    let dates: Vec<&str> = citations
        .into_iter()
        .map(|c| c.version.as_deref().unwrap_or("未注明"))
        .collect();
    dates.join("、")
}

/// A party's statutory fine as the matter page states it; `不适用` when the matter does not
/// apply to the party.
fn statutory_fine_text(m: &Matter, p: Party) -> String {
    if !m.statutory.parties.contains(&p) {
        return "不适用".to_string();
    }
    m.statutory
        .fine_of_side(p)
        .map_or_else(|| "不处罚款".to_string(), |r| fine_rule_text(m, r))
}

/// One change per party whose text differs, or a single one when every party changed alike
/// (the published table then shows a single text too).
fn per_party(
    changes: &mut Vec<Change>,
    what: &str,
    old: &Matter,
    new: &Matter,
    text: impl Fn(&Matter, Party) -> String,
) {
    let parties: Vec<Party> = PARTY_ORDER
        .into_iter()
        .filter(|p| old.statutory.parties.contains(p) || new.statutory.parties.contains(p))
        .collect();
    let differing: Vec<(Party, String, String)> = parties
        .iter()
        .map(|&p| (p, text(old, p), text(new, p)))
        .filter(|(_, o, n)| o != n)
        .collect();
    let alike = differing.len() == parties.len()
        && differing
            .windows(2)
            .all(|w| w[0].1 == w[1].1 && w[0].2 == w[1].2);
    if alike && let Some((_, o, n)) = differing.first() {
        push(changes, what, o.clone(), n.clone());
        return;
    }
    for (p, o, n) in differing {
        push(changes, format!("{what}（{}）", party_short(p)), o, n);
    }
}

/// A fact as the matter page's fact table shows it: `摊位占用面积（数值，平方米）：非负数`.
fn fact_text(f: &FactDef) -> String {
    let unit = f
        .unit
        .as_deref()
        .map(|u| format!("，{u}"))
        .unwrap_or_default();
    format!(
        "{}（{}{unit}）：{}{}",
        f.label,
        fact_type_text(f),
        fact_values_text(f),
        fact_default_text(f)
    )
}

/// Facts by key: added, removed, or defined differently.
fn fact_changes(old: &Matter, new: &Matter, c: &mut Vec<Change>) {
    let mut keys: Vec<&str> = old.facts.iter().map(|f| f.key.as_str()).collect();
    keys.extend(
        new.facts
            .iter()
            .map(|f| f.key.as_str())
            .filter(|k| old.fact(k).is_none()),
    );
    for key in keys {
        let (o, n) = (old.fact(key), new.fact(key));
        let Some(label) = n.or(o).map(|f| f.label.as_str()) else {
            continue;
        };
        push(
            c,
            format!("决定阶次的事实「{label}」"),
            or_absent(o.map(fact_text).as_deref()),
            or_absent(n.map(fact_text).as_deref()),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tiers, by level.
// ---------------------------------------------------------------------------------------------

fn tier_changes(old: &Matter, new: &Matter, c: &mut Vec<Change>) {
    let levels = old.tiers.len().max(new.tiers.len());
    for i in 0..levels {
        match (old.tiers.get(i), new.tiers.get(i)) {
            (Some(o), Some(n)) => one_tier_changes(old, o, new, n, c),
            (o, n) => {
                let Some(t) = n.or(o) else { continue };
                push(
                    c,
                    format!("阶次{}（{}）", t.level, t.name),
                    or_absent(o.map(|t| tier_text(old, t)).as_deref()),
                    or_absent(n.map(|t| tier_text(new, t)).as_deref()),
                );
            }
        }
    }
}

/// A tier both versions have at the same level.
fn one_tier_changes(old: &Matter, o: &Tier, new: &Matter, n: &Tier, c: &mut Vec<Change>) {
    let label = format!("阶次{}（{}）", n.level, n.name);
    push(
        c,
        format!("阶次{}名称", n.level),
        o.name.clone(),
        n.name.clone(),
    );
    push(
        c,
        format!("{label}适用情形"),
        situation_text(o),
        situation_text(n),
    );
    push(
        c,
        format!("{label}适用条件"),
        conditions_text(old, o),
        conditions_text(new, n),
    );
    let level = n.level;
    per_party(c, &format!("{label}处罚标准"), old, new, |m, p| {
        tier_party_text(m, level, p)
    });
    push(
        c,
        format!("{label}其他措施"),
        measures_or_none(&o.measures),
        measures_or_none(&n.measures),
    );
}

/// A whole tier, for one that only one version has.
fn tier_text(m: &Matter, t: &Tier) -> String {
    format!(
        "适用情形：{}；适用条件：{}；处罚标准：{}；其他措施：{}",
        situation_text(t),
        conditions_text(m, t),
        tier_standard_text(m, t),
        measures_or_none(&t.measures)
    )
}

/// 适用情形 with the mark the tier table gives a minor act.
fn situation_text(t: &Tier) -> String {
    if t.minor {
        format!("{}（违法行为轻微）", t.situation)
    } else {
        t.situation.clone()
    }
}

/// The tier's fine for one party as the tier table words it (`tier_standard_text`'s parts).
fn tier_party_text(m: &Matter, level: usize, p: Party) -> String {
    let Some(t) = m.tiers.iter().find(|t| t.level == level) else {
        return ABSENT.to_string();
    };
    if !m.statutory.parties.contains(&p) {
        return "不适用".to_string();
    }
    t.fine_for(p)
        .map_or_else(|| "不处罚款".to_string(), |f| tier_fine_text(m, p, f))
}

/// The tier's conditions: alternatives joined by `；或者`, a conjunction's facts by `，`:
/// `摊位占用面积：≥1平方米 且 <2平方米，在桥梁或者地下通道内设摊：否`.
fn conditions_text(m: &Matter, t: &Tier) -> String {
    let alternatives: Vec<String> = t.when.iter().map(|c| conjunction_text(m, c)).collect();
    if alternatives.is_empty() {
        "任何情形".to_string()
    } else {
        alternatives.join("；或者")
    }
}

fn conjunction_text(m: &Matter, conj: &Conjunction) -> String {
    if conj.is_empty() {
        return "任何情形".to_string();
    }
    conj.iter()
        .map(|(key, p)| match m.fact(key) {
            Some(f) => format!("{}：{}", f.label, predicate_text(f, p)),
            None => key.clone(),
        })
        .collect::<Vec<_>>()
        .join("，")
}

/// A condition on one fact in the words of the calculation's explanation. The same wording as
/// `engine::tier::describe_predicate`, which is private to the engine (not to be touched here);
/// both build on `engine::display_value` and `NumberRange::describe`.
fn predicate_text(f: &FactDef, p: &Predicate) -> String {
    use super::FactValue;
    let value = |c: &String| crate::engine::display_value(f, &FactValue::Code(c.clone()));
    match p {
        Predicate::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Predicate::Code(c) => value(c),
        Predicate::Codes(cs) => cs.iter().map(value).collect::<Vec<_>>().join("或"),
        Predicate::Range(r) => r.describe(f.unit.as_deref().unwrap_or("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::load_standards;
    use crate::standards::versions::Version;

    const TIER_2: &str =
        "when = { stall_area = { gte = 1, lt = 2 }, in_bridge_or_underpass = false }\nfine = 20";

    fn version(id: &str, edit: impl Fn(&mut String, &mut String)) -> Version {
        crate::sources::edited_bundled_version(id, None, edit)
    }

    fn replace_once(text: &mut String, from: &str, to: &str) {
        let changed = text.replacen(from, to, 1);
        assert_ne!(*text, changed, "{from}");
        *text = changed;
    }

    /// The `[[matter]]` block of matter `id` in a unit file, as a byte range.
    fn block(unit: &str, id: &str) -> std::ops::Range<usize> {
        let start = unit.find(&format!("id = \"{id}\"")).unwrap();
        let begin = unit[..start].rfind("[[matter]]").unwrap();
        let end = unit[start..]
            .find("[[matter]]")
            .map_or(unit.len(), |e| start + e);
        begin..end
    }

    #[test]
    fn a_set_compared_with_itself_has_no_changes() {
        let set = load_standards(None).unwrap();
        let d = diff(&set, &set);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            (d.old_version.as_str(), d.new_version.as_str()),
            ("2026.1", "2026.1")
        );
        assert!(d.lines().is_empty());
    }

    /// ZHZF-019 较轻 20 → 25 yuan, ZHZF-020 removed, ZHZF-089 added as a copy of ZHZF-019:
    /// exactly these three, and nothing else.
    #[test]
    fn a_changed_fine_a_removed_and_an_added_matter_are_all_that_is_reported() {
        let old = load_standards(None).unwrap();
        let new = version("2026.2", |_, unit| {
            let copy = unit[block(unit, "ZHZF-019")].replace("ZHZF-019", "ZHZF-089");
            unit.push_str(&format!("\n{copy}"));
            replace_once(unit, TIER_2, &TIER_2.replace("= 20", "= 25"));
            let gone = block(unit, "ZHZF-020");
            unit.replace_range(gone, "");
        });
        let d = diff(&old, &new.set);
        assert_eq!(
            (d.old_version.as_str(), d.new_version.as_str()),
            ("2026.1", "2026.2")
        );
        assert!(d.changes.is_empty(), "{:?}", d.changes);
        let stall = "占用人行道、桥梁、地下通道等公共场所设摊经营、兜售物品";
        assert_eq!(
            d.added,
            [MatterRef {
                id: "ZHZF-089".into(),
                name: stall.into(),
                unit: "ZHZF".into()
            }]
        );
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].id, "ZHZF-020");
        assert_eq!(
            d.changed,
            [MatterChanges {
                id: "ZHZF-019".into(),
                name: stall.into(),
                // Both parties are fined alike, so one change, as the published table shows one text.
                changes: vec![Change {
                    what: "阶次2（较轻）处罚标准".into(),
                    old: "20元".into(),
                    new: "25元".into(),
                }],
            }]
        );
        assert_eq!(
            d.lines(),
            [
                format!("ZHZF-089 新增事项：{stall}"),
                format!(
                    "ZHZF-020 删除事项：{}",
                    old.matter("ZHZF-020").unwrap().name
                ),
                "ZHZF-019 阶次2（较轻）处罚标准：20元 → 25元".to_string(),
            ]
        );
    }

    /// The policy, a tier's situation and a fact's default, each worded as a person reads it.
    #[test]
    fn policy_situation_and_fact_changes_are_worded_as_published() {
        let old = load_standards(None).unwrap();
        let new = version("2026.3", |set, unit| {
            replace_once(set, "lighter_share = 0.3", "lighter_share = 0.25");
            replace_once(
                unit,
                "situation = \"摊位占用1平方米以上不足2平方米，且不在桥梁、地下通道内\"",
                "situation = \"摊位占用1至2平方米\"",
            );
            replace_once(
                unit,
                "label = \"在桥梁或者地下通道内设摊\"\ntype = \"boolean\"\ndefault = false",
                "label = \"在桥梁或者地下通道内设摊\"\ntype = \"boolean\"\ndefault = true",
            );
        });
        let d = diff(&old, &new.set);
        assert_eq!(
            d.changes,
            [Change {
                what: "适用规则：从轻取阶次幅度较低部分".into(),
                old: "30%".into(),
                new: "25%".into(),
            }]
        );
        assert!(d.added.is_empty() && d.removed.is_empty());
        let whats: Vec<(&str, &str, &str)> = d.changed[0]
            .changes
            .iter()
            .map(|c| (c.what.as_str(), c.old.as_str(), c.new.as_str()))
            .collect();
        assert_eq!(
            whats,
            [
                (
                    "决定阶次的事实「在桥梁或者地下通道内设摊」",
                    "在桥梁或者地下通道内设摊（是否）：是；否（未查明时按否）",
                    "在桥梁或者地下通道内设摊（是否）：是；否（未查明时按是）",
                ),
                (
                    "阶次2（较轻）适用情形",
                    "摊位占用1平方米以上不足2平方米，且不在桥梁、地下通道内",
                    "摊位占用1至2平方米",
                ),
            ]
        );
        assert_eq!(d.changed.len(), 1, "{:?}", d.changed);
    }

    #[test]
    fn a_tier_condition_is_worded_with_the_facts_labels() {
        let set = load_standards(None).unwrap();
        let m = set.matter("ZHZF-019").unwrap();
        assert_eq!(
            conditions_text(m, &m.tiers[1]),
            "在桥梁或者地下通道内设摊：否，摊位占用面积：≥1平方米 且 <2平方米"
        );
    }
}
