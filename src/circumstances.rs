//! The published catalogue of general circumstances (一般裁量情节) and the articles of
//! 行政处罚法 (2021) they rest on.

use std::sync::LazyLock;

use serde::Serialize;
use utoipa::ToSchema;

use crate::standards::Citation;

pub const PENALTY_LAW: &str = "中华人民共和国行政处罚法";

/// What a circumstance does to a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// 不予处罚 on its own.
    NoPenalty,
    /// One of the conditions of 第三十三条第一款 (不予处罚 / 可以不予处罚).
    Article33Condition,
    /// A ground for 从轻 or 减轻.
    Mitigating,
    /// A ground for 从重.
    Aggravating,
    /// Extends the time limit of 第三十六条 to five years.
    ExtendsTimeLimit,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Circumstance {
    pub code: &'static str,
    pub label: &'static str,
    pub effect: Effect,
    /// The rule's basis; `None` where the rule is the standards set's own policy.
    pub basis: Option<Citation>,
    /// Only for natural persons.
    pub individual_only: bool,
    /// What the inspector must see for the code to apply, with examples, where the law's word
    /// needs one (违法行为轻微).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<&'static str>,
    /// The ground is the set's own policy, not an article of law (a policy ground never
    /// offsets a ground the law makes mandatory).
    pub policy: bool,
}

pub fn penalty_law(article: u32, paragraph: Option<u32>, item: Option<u32>) -> Citation {
    Citation::new(PENALTY_LAW, article, paragraph, item)
}

macro_rules! circ {
    ($code:literal, $label:literal, $effect:ident, $basis:expr, $ind:literal) => {
        Circumstance {
            code: $code,
            label: $label,
            effect: Effect::$effect,
            basis: $basis,
            individual_only: $ind,
            definition: None,
            policy: false,
        }
    };
}

/// The catalogue, in the order it is published.
pub fn catalogue() -> &'static [Circumstance] {
    &CATALOGUE
}

/// The schema of a request's `circumstances`: at most 50 codes of the catalogue (null: none).
pub fn codes_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(catalogue().iter().map(|c| c.code))),
        )
        .max_items(Some(50))
        .build()
}

/// Built once: every calculation and review looks circumstances up here.
static CATALOGUE: LazyLock<Vec<Circumstance>> = LazyLock::new(build_catalogue);

fn build_catalogue() -> Vec<Circumstance> {
    let a = |art, para, item| Some(penalty_law(art, para, item));
    let mut v = vec![
        circ!(
            "first_offense",
            "初次违法",
            Article33Condition,
            a(33, Some(1), None),
            false
        ),
        circ!(
            "corrected_promptly",
            "及时改正",
            Article33Condition,
            a(33, Some(1), None),
            false
        ),
        circ!(
            "no_harm",
            "没有造成危害后果",
            Article33Condition,
            a(33, Some(1), None),
            false
        ),
        circ!(
            "minor_harm",
            "危害后果轻微",
            Article33Condition,
            a(33, Some(1), None),
            false
        ),
        circ!(
            "no_fault",
            "有证据足以证明没有主观过错",
            NoPenalty,
            a(33, Some(2), None),
            false
        ),
        circ!(
            "under_14",
            "不满十四周岁的未成年人",
            NoPenalty,
            a(30, None, None),
            true
        ),
        circ!(
            "age_14_to_18",
            "已满十四周岁不满十八周岁的未成年人",
            Mitigating,
            a(30, None, None),
            true
        ),
        circ!(
            "mental_incapacity",
            "精神病人、智力残疾人在不能辨认或者不能控制自己行为时违法",
            NoPenalty,
            a(31, None, None),
            true
        ),
        circ!(
            "partial_incapacity",
            "尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人",
            Mitigating,
            a(31, None, None),
            true
        ),
        circ!(
            "mitigated_harm",
            "主动消除或者减轻违法行为危害后果",
            Mitigating,
            a(32, None, Some(1)),
            false
        ),
        circ!(
            "coerced",
            "受他人胁迫或者诱骗实施违法行为",
            Mitigating,
            a(32, None, Some(2)),
            false
        ),
        circ!(
            "confessed",
            "主动供述行政机关尚未掌握的违法行为",
            Mitigating,
            a(32, None, Some(3)),
            false
        ),
        circ!(
            "meritorious",
            "配合行政机关查处违法行为有立功表现",
            Mitigating,
            a(32, None, Some(4)),
            false
        ),
        circ!(
            "emergency_violation",
            "发生重大传染病疫情等突发事件期间违反突发事件应对措施",
            Aggravating,
            a(49, None, None),
            false
        ),
        circ!(
            "endangers_life_health_finance",
            "涉及公民生命健康安全、金融安全且有危害后果",
            ExtendsTimeLimit,
            a(36, Some(1), None),
            false
        ),
        circ!(
            "repeat_offense",
            "一年内因同一种违法行为受过行政处罚后再次违法（本基准规则）",
            Aggravating,
            None,
            false
        ),
        circ!(
            "minor_act",
            "违法行为轻微",
            Article33Condition,
            a(33, Some(1), None),
            false
        ),
        circ!(
            "other_mitigating",
            "其他依法从轻或者减轻行政处罚的（须在决定中写明所依据的法律、法规、规章）",
            Mitigating,
            a(32, None, Some(5)),
            false
        ),
    ];
    for c in &mut v {
        match c.code {
            "minor_act" => c.definition = Some(MINOR_ACT),
            "repeat_offense" => c.policy = true,
            _ => {}
        }
    }
    v
}

/// 第三十三条第一款's 轻微, as the inspector judges it on what is seen.
const MINOR_ACT: &str = "违法行为的情节、数量、面积、持续时间处于本事项最轻情形，未造成人身伤害、财产损失或者环境损害，社会影响小，例如：占道摆摊面积很小且当场收回、少量物品临时堆放当场清理、首次发现的轻度超时经营。本基准将某阶次定为「轻微」的，该阶次事实即属违法行为轻微。";

pub fn find(code: &str) -> Option<&'static Circumstance> {
    catalogue().iter().find(|c| c.code == code)
}

/// By its code, or by its Chinese label as a spreadsheet or a person writes it (初次违法; the
/// label up to its first bracket).
pub fn find_by_code_or_label(text: &str) -> Option<&'static Circumstance> {
    let t = text.trim();
    find(t).or_else(|| {
        catalogue()
            .iter()
            .find(|c| c.label == t || c.label.split('（').next().is_some_and(|head| head == t))
    })
}

/// Pairs that cannot both be true of one party.
pub const CONFLICTS: [(&str, &str); 5] = [
    ("no_harm", "minor_harm"),
    // 第三十六条's five years need 危害后果; 初次违法 excludes a repeat offence.
    ("no_harm", "endangers_life_health_finance"),
    ("first_offense", "repeat_offense"),
    ("under_14", "age_14_to_18"),
    ("mental_incapacity", "partial_incapacity"),
];

/// Every article of 行政处罚法 the engine and the case review cite, for the cross-check
/// against the law text.
pub fn engine_citations() -> Vec<Citation> {
    let mut v: Vec<Citation> = catalogue().iter().filter_map(|c| c.basis.clone()).collect();
    v.extend([
        penalty_law(28, Some(1), None),
        penalty_law(28, Some(2), None),
        penalty_law(27, Some(1), None),
        penalty_law(29, None, None),
        penalty_law(32, None, None),
        penalty_law(33, Some(1), None),
        penalty_law(33, Some(3), None),
        penalty_law(34, None, None),
        penalty_law(36, Some(1), None),
        penalty_law(37, None, None),
        penalty_law(38, Some(1), None),
        penalty_law(51, None, None),
        penalty_law(58, Some(1), None),
        penalty_law(63, Some(1), None),
    ]);
    v.sort_by_key(|c| (c.article, c.paragraph));
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_answers_from_the_one_catalogue() {
        let confessed = find("confessed").expect("published code");
        assert!(std::ptr::eq(confessed, &catalogue()[11]));
        assert_eq!(confessed.basis, Some(penalty_law(32, None, Some(3))));
        assert!(std::ptr::eq(catalogue(), catalogue()));
        assert!(find("confesed").is_none());
    }

    #[test]
    fn the_catalogue_keeps_its_published_order_and_codes() {
        let codes: Vec<_> = catalogue().iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), 18);
        assert_eq!(codes[0], "first_offense");
        assert_eq!(codes[15], "repeat_offense");
        assert_eq!(codes[16..], ["minor_act", "other_mitigating"]);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }
}
