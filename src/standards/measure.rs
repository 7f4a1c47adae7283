//! The measures an article provides besides the fine, with their force (应当, 可以, or 应当 on a
//! condition) and their kind under 行政处罚法 第九条, which decides whether a measure is a
//! penalty at all: 责令改正, 责令停止违法行为, 责令限期拆除 and the like are orders, not penalties,
//! so they never count against the summary procedure (第五十一条) or as an added penalty.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Conjunction, FactValue, Party};

/// How the article provides the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureForce {
    /// 应当 / 并处: given whenever the matter applies to the party.
    Mandatory,
    /// 可以 / 可以并处: the agency may add it; listed as an option.
    Optional,
    /// 应当, when a condition the article states holds (情节严重的, 逾期不改正的, 货值金额…以上的),
    /// written as facts in `when`.
    Conditional,
}

impl MeasureForce {
    pub fn label(self) -> &'static str {
        match self {
            MeasureForce::Mandatory => "应当",
            MeasureForce::Optional => "可以",
            MeasureForce::Conditional => "符合条件时应当",
        }
    }
}

/// The kinds of administrative penalty of 行政处罚法 第九条 (items 一 to 五); an order to put
/// things right is none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// Not a penalty: 责令改正, 责令停止违法行为, 责令限期拆除, 恢复原状 …
    Order,
    /// 第九条第一项: 警告、通报批评.
    Reputation,
    /// 第九条第二项: 罚款、没收违法所得、没收非法财物.
    Property,
    /// 第九条第三项: 暂扣许可证件、降低资质等级、吊销许可证件.
    Qualification,
    /// 第九条第四项: 限制开展生产经营活动、责令停产停业、责令关闭、限制从业.
    Conduct,
    /// 第九条第五项: 行政拘留.
    Detention,
}

impl MeasureKind {
    /// The kind a measure's name shows, by the words 第九条 uses for each kind.
    pub fn of_name(name: &str) -> MeasureKind {
        let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
        if has(&["拘留"]) {
            MeasureKind::Detention
        } else if has(&["暂扣", "降低资质", "吊销", "取消", "撤销"]) {
            MeasureKind::Qualification
        } else if has(&[
            "停产",
            "停业",
            "关闭",
            "限制从业",
            "限制开展生产经营",
            "限制生产",
            "禁止从事",
            "停止办学",
            "暂停",
            "停止执业",
        ]) && !name.starts_with("提请")
        {
            MeasureKind::Conduct
        } else if has(&["没收", "罚款"]) {
            MeasureKind::Property
        } else if name.starts_with("警告") || has(&["通报批评"]) {
            MeasureKind::Reputation
        } else {
            MeasureKind::Order
        }
    }

    pub fn is_penalty(self) -> bool {
        self != MeasureKind::Order
    }

    /// 第六十三条第一款 names these kinds among the heavier penalties whatever their size
    /// (降低资质等级、吊销许可证件，责令停产停业、责令关闭、限制从业，其他较重的行政处罚); 暂扣许可证件
    /// is counted with them as 其他较重的行政处罚.
    pub fn is_heavy(self) -> bool {
        matches!(
            self,
            MeasureKind::Qualification | MeasureKind::Conduct | MeasureKind::Detention
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::Order => "责令改正类措施（不属于行政处罚）",
            MeasureKind::Reputation => "声誉罚",
            MeasureKind::Property => "财产罚",
            MeasureKind::Qualification => "资格罚",
            MeasureKind::Conduct => "行为罚",
            MeasureKind::Detention => "人身罚",
        }
    }
}

/// The name under which 没收违法所得 is written; its condition is 行政处罚法 第二十八条第二款's
/// (当事人有违法所得，除依法应当退赔的外), read from the facts `illegal_gains` and `gains_to_refund`.
pub const CONFISCATE_GAINS: &str = "没收违法所得";
/// The fact that holds the illegal gains wherever an article confiscates them.
pub const GAINS_FACT: &str = "illegal_gains";
/// The part of the gains the party must return by law (依法应当退赔的), where a matter declares it.
pub const REFUND_FACT: &str = "gains_to_refund";

/// A measure an article provides, with its force.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatutoryMeasure {
    /// As the article words it: `没收违法生产、销售的产品`.
    pub name: String,
    pub force: MeasureForce,
    pub kind: MeasureKind,
    /// The condition in the article's words (情节严重的, 逾期不改正的), for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The condition as facts (alternatives of conjunctions), for `conditional` measures and
    /// optional ones the article allows only in some cases.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub when: Vec<Conjunction>,
    /// The parties the article gives it for; empty: every party of the matter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<Party>,
    /// The fact holding the value of what is confiscated (for 第六十三条's 较大价值).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Written as a bare name in the data: force not yet stated, read as `optional`.
    #[serde(skip)]
    pub legacy: bool,
}

impl StatutoryMeasure {
    /// Given to this party: every party when no parties are named; a named side (公民,
    /// 法人或者其他组织) includes its kinds (个体工商户, 国家机关).
    pub fn applies_to(&self, party: Party) -> bool {
        self.parties.is_empty()
            || self.parties.contains(&party)
            || self.parties.contains(&party.side())
    }

    /// Whether the facts meet the condition (a measure without one always does). A fact the
    /// request left out meets nothing.
    pub fn condition_met(&self, facts: &HashMap<String, FactValue>) -> bool {
        self.when.is_empty() || super::model::any_holds(&self.when, facts)
    }

    /// Whether the engine must give it for this party at these facts (confiscation of gains
    /// also needs the gains, which the measures step weighs).
    pub fn required(&self, party: Party, facts: &HashMap<String, FactValue>) -> bool {
        self.applies_to(party)
            && match self.force {
                MeasureForce::Mandatory => true,
                MeasureForce::Conditional => self.condition_met(facts),
                MeasureForce::Optional => false,
            }
    }

    pub fn is_gains_confiscation(&self) -> bool {
        self.name == CONFISCATE_GAINS
    }

    /// `应当没收违法生产、销售的产品`, `情节严重的，可以吊销营业执照`, for the published tables.
    pub fn describe(&self) -> String {
        let who = match self.parties.as_slice() {
            [p] => format!("对{}", p.label()),
            _ => String::new(),
        };
        let force = match self.force {
            MeasureForce::Mandatory | MeasureForce::Conditional => "应当",
            MeasureForce::Optional => "可以",
        };
        match &self.condition {
            Some(c) => format!("{c}，{who}{force}{}", self.name),
            None => format!("{who}{force}{}", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_to_put_things_right_are_not_penalties() {
        for order in [
            "责令改正",
            "责令停止违法行为",
            "责令停止建设",
            "责令限期拆除",
            "恢复土地原状",
            "责令停止生产、销售",
            "责令退还非法占用的土地",
            "提请有关人民政府责令关闭",
        ] {
            assert_eq!(MeasureKind::of_name(order), MeasureKind::Order, "{order}");
        }
    }

    #[test]
    fn each_kind_of_article_9_is_recognised_by_its_words() {
        let cases = [
            ("警告", MeasureKind::Reputation),
            ("通报批评", MeasureKind::Reputation),
            ("没收违法所得", MeasureKind::Property),
            ("没收违法生产、销售的产品", MeasureKind::Property),
            ("暂扣许可证件", MeasureKind::Qualification),
            ("降低资质等级", MeasureKind::Qualification),
            ("吊销营业执照", MeasureKind::Qualification),
            ("取消其参加政府采购活动的资格", MeasureKind::Qualification),
            ("责令停产停业", MeasureKind::Conduct),
            ("责令停业整顿", MeasureKind::Conduct),
            ("责令关闭", MeasureKind::Conduct),
            ("责令停止办学", MeasureKind::Conduct),
            (
                "暂停相关责任部门涉及医疗保障基金使用的医药服务",
                MeasureKind::Conduct,
            ),
            ("限制从业", MeasureKind::Conduct),
            ("行政拘留", MeasureKind::Detention),
        ];
        for (name, kind) in cases {
            assert_eq!(MeasureKind::of_name(name), kind, "{name}");
        }
    }

    #[test]
    fn only_qualification_conduct_and_detention_are_heavy_whatever_their_size() {
        assert!(MeasureKind::Qualification.is_heavy());
        assert!(MeasureKind::Conduct.is_heavy());
        assert!(!MeasureKind::Property.is_heavy());
        assert!(!MeasureKind::Reputation.is_heavy());
        assert!(!MeasureKind::Order.is_heavy());
    }
}
