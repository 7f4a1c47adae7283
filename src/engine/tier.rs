//! The tier (阶次) of the standard the facts fall in, and the facts that decide it. The tiers
//! are the agency's published discretion standard (裁量基准, 行政处罚法 第三十四条).

use super::context::{Case, Draft, Standard};
use super::{BasisRole, DecisiveFact, display_value};
use crate::circumstances::penalty_law;
use crate::standards::{FactDef, FactValue, Predicate, Tier};

/// The tier whose conditions the facts meet, and the facts named in the condition that held.
/// Validation guarantees exactly one tier matches any valid facts; the first tier only stands
/// in so that no input can panic.
pub(super) fn select<'a>(case: &Case<'a>) -> (&'a Tier, Vec<DecisiveFact>) {
    let tier = case
        .matter
        .tiers
        .iter()
        .find(|t| t.matches(&case.facts))
        .unwrap_or(&case.matter.tiers[0]);
    (tier, decisive_facts(case, tier))
}

/// The facts of the first of the tier's alternative conditions (`when_any`) that holds.
fn decisive_facts(case: &Case, tier: &Tier) -> Vec<DecisiveFact> {
    let facts = &case.facts;
    let held = tier.when.iter().find(|c| {
        c.iter()
            .all(|(k, p)| facts.get(k).is_some_and(|v| p.matches(v)))
    });
    let Some(held) = held else {
        return Vec::new();
    };
    held.iter()
        .filter_map(|(k, p)| {
            let f = case.matter.fact(k)?;
            Some(DecisiveFact {
                key: k.clone(),
                label: f.label.clone(),
                value: display_value(f, &facts[k]),
                condition: describe_predicate(f, p),
                defaulted: case.defaulted.contains(k),
            })
        })
        .collect()
}

/// A tier's condition on one fact, in the words of the published table.
fn describe_predicate(f: &FactDef, p: &Predicate) -> String {
    match p {
        Predicate::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Predicate::Code(c) => display_value(f, &FactValue::Code(c.clone())),
        Predicate::Codes(cs) => cs
            .iter()
            .map(|c| display_value(f, &FactValue::Code(c.clone())))
            .collect::<Vec<_>>()
            .join("或"),
        Predicate::Range(r) => r.describe(f.unit.as_deref().unwrap_or("")),
    }
}

/// Says which provision and which tier apply, citing 第三十四条 for the standard itself.
pub(super) fn explain(case: &Case, standard: &Standard, draft: &mut Draft) {
    let matter = case.matter;
    let tier = standard.tier;
    let fact_text = if standard.decisive_facts.is_empty() {
        "该事项只设一个阶次".to_string()
    } else {
        standard
            .decisive_facts
            .iter()
            .map(|d| {
                let given = if d.defaulted {
                    "未填写，按默认值"
                } else {
                    ""
                };
                let sep = if d.defaulted { "；" } else { "" };
                format!("{}为{}（{given}{sep}{}）", d.label, d.value, d.condition)
            })
            .collect::<Vec<_>>()
            .join("，")
    };
    draft.explanation.push(format!(
        "适用事项 {}「{}」，违反{}，依据{}处罚。",
        matter.id,
        matter.name,
        matter.violated.render(),
        matter.penalty_text()
    ));
    draft.explanation.push(format!(
        "{fact_text}，对应第{}阶次「{}」：{}。",
        tier.level, tier.name, tier.situation
    ));
    draft.cite(BasisRole::Discretion, penalty_law(34, None, None));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::testing::{case, cited, draft, standard};
    use crate::standards::Party;

    #[test]
    fn the_tier_is_the_one_whose_range_holds_lower_bound_included() {
        let pick = |area: &str| {
            let c = case("FIX-002", Party::Organisation, json!({ "area": area }), &[]);
            select(&c).0.level
        };
        assert_eq!(pick("9.99"), 1);
        assert_eq!(pick("10"), 2);
        assert_eq!(pick("49.99"), 2);
        assert_eq!(pick("50"), 3);
    }

    #[test]
    fn a_decisive_fact_left_out_is_marked_as_its_default() {
        let given = |facts| {
            let c = case("FIX-004", Party::Individual, facts, &[]);
            select(&c)
                .1
                .into_iter()
                .map(|d| (d.key, d.defaulted))
                .collect::<Vec<_>>()
        };
        let left_out = given(json!({"place": "wall"}));
        assert!(left_out.contains(&("pieces".into(), true)), "{left_out:?}");
        assert!(left_out.contains(&("place".into(), false)), "{left_out:?}");
        let stated = given(json!({"place": "wall", "pieces": "1"}));
        assert!(stated.contains(&("pieces".into(), false)), "{stated:?}");
        let c = case("FIX-004", Party::Individual, json!({"place": "wall"}), &[]);
        let mut d = draft(&c);
        explain(&c, &standard(&c), &mut d);
        assert!(
            d.explanation[1].contains("未填写，按默认值"),
            "{:?}",
            d.explanation
        );
    }

    #[test]
    fn the_decisive_facts_are_those_of_the_condition_that_held() {
        let c = case(
            "FIX-002",
            Party::Organisation,
            json!({"area": "12.50"}),
            &[],
        );
        let (_, decisive) = select(&c);
        assert_eq!(decisive.len(), 1);
        assert_eq!(decisive[0].key, "area");
        assert_eq!(decisive[0].value, "12.5平方米");
        assert_eq!(decisive[0].condition, "≥10平方米 且 <50平方米");

        // FIX-004's third tier holds for 20 pieces or for a monument: only the place decides.
        let c = case(
            "FIX-004",
            Party::Individual,
            json!({"place": "monument", "pieces": "1"}),
            &[],
        );
        let (tier, decisive) = select(&c);
        assert_eq!(tier.level, 3);
        let keys: Vec<_> = decisive.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["place"]);
        assert_eq!(decisive[0].value, "文物保护单位");
    }

    #[test]
    fn the_explanation_names_provision_tier_and_facts_and_cites_article_34() {
        let c = case(
            "FIX-001",
            Party::Organisation,
            json!({"times_over": "0.6"}),
            &[],
        );
        let s = standard(&c);
        let mut d = draft(&c);
        explain(&c, &s, &mut d);
        assert!(d.explanation[0].starts_with("适用事项 FIX-001「超标排放大气污染物」"));
        assert!(
            d.explanation[1].contains("超标倍数为0.6倍（≥0.5倍 且 <1倍），对应第2阶次「一般」"),
            "{}",
            d.explanation[1]
        );
        assert_eq!(cited(&d), ["《中华人民共和国行政处罚法》第三十四条"]);
    }
}
