//! The validated standards set: what the engine and the API read. Built only by `load`, so every
//! value here has passed the checks in `validate`.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::measure::{MeasureKind, StatutoryMeasure};
use crate::numerals::to_chinese;

/// A provision of a law: 《title》第N条第N款第N项.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// Full official title, exactly as the law's own heading.
    pub law: String,
    pub article: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    /// Date of the version cited, where several versions exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The day the cited version came into force, where later than its date (a revision
    /// "自2025年7月1日起施行"): an act before it is not judged by this text (第三十七条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub in_force: Option<NaiveDate>,
}

impl Citation {
    pub fn new(law: &str, article: u32, paragraph: Option<u32>, item: Option<u32>) -> Self {
        Citation {
            law: law.to_string(),
            article,
            paragraph,
            item,
            version: None,
            in_force: None,
        }
    }

    /// The first day the cited text applies: its `in_force`, else the version's date.
    pub fn effective(&self) -> Option<NaiveDate> {
        self.in_force.or_else(|| {
            self.version
                .as_deref()
                .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        })
    }

    /// `《中华人民共和国大气污染防治法》第九十九条第一项`
    pub fn render(&self) -> String {
        // A title quoting another law nests its marks: 《浙江省实施〈中华人民共和国人民防空法〉办法》.
        // Built in one buffer: answers render a dozen citations each.
        let mut s = String::with_capacity(self.law.len() + 40);
        s.push('《');
        for c in self.law.chars() {
            s.push(match c {
                '《' => '〈',
                '》' => '〉',
                c => c,
            });
        }
        s.push_str("》第");
        s.push_str(&to_chinese(self.article));
        s.push('条');
        if let Some(p) = self.paragraph {
            s.push('第');
            s.push_str(&to_chinese(p));
            s.push('款');
        }
        if let Some(i) = self.item {
            s.push('第');
            s.push_str(&to_chinese(i));
            s.push('项');
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// 公民（自然人）
    Individual,
    /// 法人或者其他组织
    Organisation,
    /// 个体工商户: a natural person in the laws' general rules (行政处罚法 第五十一条, 第六十三条),
    /// fined as one unless an article says otherwise.
    SoleTrader,
    /// 国家机关: an organisation in the general rules; some articles only warn it.
    StateOrgan,
    /// 农户: a natural person, fined on its own band where an article sets one ("对农户，并处
    /// 三百元以上三千元以下罚款"), else as 个人.
    Farmer,
}

impl Party {
    /// The two sides the statutory fines are written for (个人 / 单位).
    pub const SIDES: [Party; 2] = [Party::Individual, Party::Organisation];
    pub const ALL: [Party; 5] = [
        Party::Individual,
        Party::Organisation,
        Party::SoleTrader,
        Party::StateOrgan,
        Party::Farmer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Party::Individual => "公民",
            Party::Organisation => "法人或者其他组织",
            Party::SoleTrader => "个体工商户",
            Party::StateOrgan => "国家机关",
            Party::Farmer => "农户",
        }
    }

    /// The side whose fine and general-rule figures apply: 个体工商户 as 公民, 国家机关 as
    /// 法人或者其他组织.
    pub fn side(self) -> Party {
        match self {
            Party::Individual | Party::SoleTrader | Party::Farmer => Party::Individual,
            Party::Organisation | Party::StateOrgan => Party::Organisation,
        }
    }
}

/// How a fine is set by the statute (and, for rated tiers, how the rate applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FineKind {
    /// 五千元以上五万元以下
    Range,
    /// 违法所得一倍以上五倍以下
    Multiple,
    /// 工程造价百分之五以上百分之十以下
    Percent,
    /// 每平方米…元
    PerUnit,
    /// Yuan per unit on parts of an excess over a limit (浙江省公路条例 第五十三条: 对超过最高限值
    /// 百分之二十以上百分之五十以下的部分，处每吨三百元罚款；超过百分之五十的部分，每吨五百元；
    /// 最高不得超过三万元): `base` is the measured quantity, `reference` the limit.
    Tranches,
}

/// One part of an excess, in per cent of the limit, and its rate in yuan per unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tranche {
    /// The part starts this many per cent above the limit.
    #[schema(value_type = String)]
    pub over: Decimal,
    /// And ends here (absent: no end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub up_to: Option<Decimal>,
    /// Yuan per unit of the part.
    #[schema(value_type = String)]
    pub rate: Decimal,
}

/// The band the law gives when the base is small or absent
/// (没有违法所得或者违法所得不足一万元的，处…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fallback {
    /// Applies when the base is below this figure; absent: only when the base is zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub below: Option<Decimal>,
    #[serde(default)]
    #[schema(value_type = String)]
    pub min: Decimal,
    #[schema(value_type = String)]
    pub max: Decimal,
}

/// The statutory fine for one party type, exactly as the article states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FineRule {
    pub kind: FineKind,
    /// The fact the fine is computed on (multiple, percent, per_unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Yuan for `range`; multiples, per cent or yuan per unit otherwise.
    #[serde(default)]
    #[schema(value_type = String)]
    pub min: Decimal,
    #[schema(value_type = String)]
    pub max: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub floor: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub cap: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// The base is counted as at least this much (所需处置费用不足十万元的，按十万元计算).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub base_floor: Option<Decimal>,
    /// The article says 可以并处: the fine may be left out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// The band the article sets on a condition (情节严重的，处…), which replaces this one when
    /// the facts meet it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious: Option<ConditionalBand>,
    /// For `tranches`: the fact holding the limit the excess is measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// For `tranches`: the parts of the excess and their rates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tranches: Vec<Tranche>,
}

/// A band of yuan the article sets on a condition stated as facts ("情节严重的，处一万元以上十万元
/// 以下罚款").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionalBand {
    /// The article's condition in words.
    pub condition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub when: Option<Conjunction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub when_any: Option<Vec<Conjunction>>,
    #[schema(value_type = String)]
    pub min: Decimal,
    #[schema(value_type = String)]
    pub max: Decimal,
}

impl ConditionalBand {
    /// The condition's alternatives.
    pub fn conditions(&self) -> impl Iterator<Item = &Conjunction> {
        self.when.iter().chain(self.when_any.iter().flatten())
    }

    pub fn holds(&self, facts: &HashMap<String, FactValue>) -> bool {
        any_holds(self.conditions(), facts)
    }
}

/// A closed band of yuan `[min, max]`; `min == max` for a fixed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Band {
    #[schema(value_type = String, example = "5000.00")]
    pub min: Decimal,
    #[schema(value_type = String, example = "5000.00")]
    pub max: Decimal,
}

impl Band {
    pub fn new(min: Decimal, max: Decimal) -> Self {
        Band { min, max }
    }
    pub fn fixed(x: Decimal) -> Self {
        Band { min: x, max: x }
    }
    pub fn is_fixed(&self) -> bool {
        self.min == self.max
    }
    pub fn contains(&self, other: &Band) -> bool {
        self.min <= other.min && other.max <= self.max
    }

    /// For Chinese text: `5000元`, or `5000元至8000元`.
    pub fn render(&self) -> String {
        if self.is_fixed() {
            crate::money::render(self.min)
        } else {
            format!(
                "{}至{}",
                crate::money::render(self.min),
                crate::money::render(self.max)
            )
        }
    }
}

impl FineRule {
    /// Factor that turns one unit of the rate into yuan per unit of base.
    pub fn rate_factor(&self) -> Decimal {
        match self.kind {
            FineKind::Percent => Decimal::new(1, 2),
            _ => Decimal::ONE,
        }
    }

    /// The base the fine is computed on, after `base_floor`.
    pub fn effective_base(&self, base: Option<Decimal>) -> Decimal {
        let b = base.unwrap_or(Decimal::ZERO);
        self.base_floor.map_or(b, |f| b.max(f))
    }

    /// The statutory band in yuan for a given base value (ignored for `range`).
    pub fn band_at(&self, base: Option<Decimal>) -> Band {
        if self.kind == FineKind::Range {
            return Band::new(self.min, self.max);
        }
        let b = self.effective_base(base);
        if let Some(fb) = &self.fallback {
            let applies = match fb.below {
                Some(limit) => b < limit,
                None => b.is_zero(),
            };
            if applies {
                return Band::new(fb.min, fb.max);
            }
        }
        let f = self.rate_factor();
        let mut lo = crate::money::fixed(b * self.min * f);
        let mut hi = crate::money::fixed(b * self.max * f);
        if let Some(floor) = self.floor {
            lo = lo.max(floor);
            hi = hi.max(floor);
        }
        if let Some(cap) = self.cap {
            lo = lo.min(cap);
            hi = hi.min(cap);
        }
        Band::new(lo, hi)
    }

    /// The statutory band at a base value and the other facts: the conditional band where its
    /// condition holds.
    pub fn band_with(&self, base: Option<Decimal>, facts: &HashMap<String, FactValue>) -> Band {
        if self.kind == FineKind::Tranches {
            return Band::fixed(self.tranche_amount(facts));
        }
        match &self.serious {
            Some(s) if s.holds(facts) => Band::new(s.min, s.max),
            _ => self.band_at(base),
        }
    }

    /// The amount a `tranches` rule sets at these facts: each part of the excess over the
    /// limit at its rate, capped; 0 where a figure is missing or the limit is not positive.
    pub fn tranche_amount(&self, facts: &HashMap<String, FactValue>) -> Decimal {
        let number = |key: Option<&String>| match key.and_then(|k| facts.get(k)) {
            Some(FactValue::Number(x)) => Some(*x),
            _ => None,
        };
        let (Some(value), Some(limit)) =
            (number(self.base.as_ref()), number(self.reference.as_ref()))
        else {
            return Decimal::ZERO;
        };
        if limit <= Decimal::ZERO {
            return Decimal::ZERO;
        }
        let at = |percent: Decimal| limit + limit * percent / Decimal::ONE_HUNDRED;
        let total: Decimal = self
            .tranches
            .iter()
            .map(|t| {
                let top = t.up_to.map_or(value, |u| value.min(at(u)));
                (top - at(t.over)).max(Decimal::ZERO) * t.rate
            })
            .sum();
        let capped = self.cap.map_or(total, |c| total.min(c));
        crate::money::fixed(capped)
    }

    /// How the rate of this kind is written after a figure.
    pub fn unit_label(&self) -> &'static str {
        match self.kind {
            FineKind::Range => "元",
            FineKind::Multiple => "倍",
            FineKind::Percent => "%",
            FineKind::PerUnit | FineKind::Tranches => "元/单位",
        }
    }
}

/// The statutory penalty of a matter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statutory {
    /// Fine for organisations (absent: none, or the matter does not apply to them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_organisation: Option<FineRule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_individual: Option<FineRule>,
    /// The fine an article sets for 农户 apart from other individuals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_farmer: Option<FineRule>,
    /// The fine on the organisation's 直接负责的主管人员和其他直接责任人员, a second party of the
    /// same decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_persons: Option<FineRule>,
    /// Which sides (个人 / 单位) the matter applies to.
    pub parties: Vec<Party>,
    /// Kinds of party the article does not fine although their side is fined (统计法
    /// 第四十四条: 个人 means 个体工商户 only; 国家机关 are only warned).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unfined: Vec<Party>,
    /// Kinds of party the article does not punish at all although their side is named
    /// (统计法 第四十四条 reaches 个体工商户, not other natural persons).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Party>,
    /// Other measures the article provides, with their force.
    pub measures: Vec<StatutoryMeasure>,
}

impl Statutory {
    /// The measure of this name the article provides.
    pub fn measure(&self, name: &str) -> Option<&StatutoryMeasure> {
        self.measures.iter().find(|m| m.name == name)
    }

    pub fn provides(&self, name: &str) -> bool {
        self.measure(name).is_some()
    }

    /// The kind of a measure given under this article: as declared, else by its name.
    pub fn kind_of(&self, name: &str) -> MeasureKind {
        self.measure(name)
            .map_or_else(|| MeasureKind::of_name(name), |m| m.kind)
    }

    /// The fine the article sets for this kind of party, if it fines it.
    pub fn fine_for(&self, party: Party) -> Option<&FineRule> {
        if self.unfined.contains(&party) {
            return None;
        }
        if party == Party::Farmer && self.fine_farmer.is_some() {
            return self.fine_farmer.as_ref();
        }
        match party.side() {
            Party::Individual => self.fine_individual.as_ref(),
            _ => self.fine_organisation.as_ref(),
        }
    }

    /// The fine written for a side (个人 / 单位), whatever kinds of party it spares: what the
    /// published tables and the checks read.
    pub fn fine_of_side(&self, side: Party) -> Option<&FineRule> {
        match side.side() {
            Party::Individual => self.fine_individual.as_ref(),
            _ => self.fine_organisation.as_ref(),
        }
    }

    /// Whether the matter applies to this kind of party.
    pub fn concerns(&self, party: Party) -> bool {
        self.parties.contains(&party.side()) && !self.excluded.contains(&party)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FactType {
    Decimal,
    Integer,
    Boolean,
    Enum,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub code: String,
    pub label: String,
}

/// A typed fact value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FactValue {
    Number(Decimal),
    Bool(bool),
    Code(String),
}

/// A `FactValue` as it is sent: a decimal string or an enum code, or a boolean.
fn fact_value_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
    Schema::OneOf(
        OneOfBuilder::new()
            .description(Some(
                "The value taken when the request leaves the fact out: a decimal string for \
                 numbers (\"0\"), true/false for booleans, a code for enums.",
            ))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .build(),
    )
}

/// A fact the tiers of a matter depend on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactDef {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FactType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub required: bool,
    /// The value taken when the request leaves the fact out: a decimal string for numbers
    /// (`"0"`), `true`/`false` for booleans, a code for enums.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = fact_value_schema)]
    pub default: Option<FactValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<EnumValue>,
    /// Computed from other facts, never entered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derived>,
}

/// A fact the engine computes: by how many per cent `percent_over` exceeds `of`
/// (超限比例: (车货总质量 − 最高限值) ÷ 最高限值 × 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    pub percent_over: String,
    pub of: String,
}

impl Derived {
    /// The percentage, to four decimals; `None` where a figure is missing or the limit is not
    /// positive.
    pub fn value(&self, facts: &HashMap<String, FactValue>) -> Option<Decimal> {
        let number = |k: &str| match facts.get(k) {
            Some(FactValue::Number(x)) => Some(*x),
            _ => None,
        };
        let (value, limit) = (number(&self.percent_over)?, number(&self.of)?);
        (limit > Decimal::ZERO)
            .then(|| ((value - limit) * Decimal::ONE_HUNDRED / limit).round_dp(4))
    }
}

/// A bound on a number: explicit about whether the figure itself is included.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub gte: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub gt: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub lte: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub lt: Option<Decimal>,
}

impl NumberRange {
    pub fn contains(&self, x: Decimal) -> bool {
        self.gte.is_none_or(|b| x >= b)
            && self.gt.is_none_or(|b| x > b)
            && self.lte.is_none_or(|b| x <= b)
            && self.lt.is_none_or(|b| x < b)
    }

    pub fn bounds(&self) -> impl Iterator<Item = Decimal> + '_ {
        [self.gte, self.gt, self.lte, self.lt].into_iter().flatten()
    }

    /// `≥10 且 <50`
    pub fn describe(&self, unit: &str) -> String {
        let mut parts = Vec::new();
        if let Some(b) = self.gte {
            parts.push(format!("≥{}{unit}", b.normalize()));
        }
        if let Some(b) = self.gt {
            parts.push(format!(">{}{unit}", b.normalize()));
        }
        if let Some(b) = self.lte {
            parts.push(format!("≤{}{unit}", b.normalize()));
        }
        if let Some(b) = self.lt {
            parts.push(format!("<{}{unit}", b.normalize()));
        }
        parts.join(" 且 ")
    }
}

/// A condition on one fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Predicate {
    Bool(bool),
    Code(String),
    Codes(Vec<String>),
    Range(NumberRange),
}

impl Predicate {
    pub fn matches(&self, value: &FactValue) -> bool {
        match (self, value) {
            (Predicate::Bool(b), FactValue::Bool(v)) => b == v,
            (Predicate::Code(c), FactValue::Code(v)) => c == v,
            (Predicate::Codes(cs), FactValue::Code(v)) => cs.iter().any(|c| c == v),
            (Predicate::Range(r), FactValue::Number(x)) => r.contains(*x),
            _ => false,
        }
    }
}

/// A conjunction of predicates, one per named fact; an unnamed fact matches anything.
pub type Conjunction = std::collections::BTreeMap<String, Predicate>;

/// Whether any of the alternatives holds at these facts (a fact the request left out meets
/// nothing): the one reading of conditions, for tiers, measures, bands and referrals alike.
pub fn any_holds<'a>(
    alternatives: impl IntoIterator<Item = &'a Conjunction>,
    facts: &HashMap<String, FactValue>,
) -> bool {
    alternatives.into_iter().any(|conj| {
        conj.iter()
            .all(|(key, pred)| facts.get(key).is_some_and(|v| pred.matches(v)))
    })
}

/// The fine of a tier for one party type.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(tag = "unit", rename_all = "snake_case")]
pub enum TierFine {
    /// An amount in yuan, fixed (`min == max`) or a narrow band.
    Yuan {
        #[schema(value_type = String)]
        min: Decimal,
        #[schema(value_type = String)]
        max: Decimal,
    },
    /// A rate of the statutory base (multiples, per cent, or yuan per unit, as the statute's kind).
    Rate {
        #[schema(value_type = String)]
        min: Decimal,
        #[schema(value_type = String)]
        max: Decimal,
    },
}

impl TierFine {
    pub fn is_fixed(&self) -> bool {
        match self {
            TierFine::Yuan { min, max } | TierFine::Rate { min, max } => min == max,
        }
    }

    /// The tier's fine in yuan at a base value, rounded the way the set rounds.
    pub fn band_at(&self, rule: Option<&FineRule>, base: Option<Decimal>) -> Band {
        match *self {
            TierFine::Yuan { min, max } => Band::new(min, max),
            TierFine::Rate { min, max } => {
                let f = rule.map(|r| r.rate_factor()).unwrap_or(Decimal::ONE);
                let b = rule.map_or(base.unwrap_or(Decimal::ZERO), |r| r.effective_base(base));
                if min == max {
                    Band::fixed(crate::money::fixed(b * min * f))
                } else {
                    Band::new(
                        crate::money::fixed(b * min * f),
                        crate::money::fixed(b * max * f),
                    )
                }
            }
        }
    }
}

/// One discretion tier (裁量阶次).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tier {
    /// 1-based position, light to heavy.
    pub level: usize,
    pub name: String,
    /// 适用情形, as published.
    pub situation: String,
    /// Alternatives (OR) of conjunctions (AND).
    #[schema(value_type = Vec<Object>)]
    pub when: Vec<Conjunction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_organisation: Option<TierFine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_individual: Option<TierFine>,
    /// The tier's fine for 农户, where the article bands them apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_farmer: Option<TierFine>,
    /// The tier's fine on the organisation's responsible persons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_persons: Option<TierFine>,
    pub measures: Vec<String>,
    /// The facts of this tier make the act 违法行为轻微 (行政处罚法第三十三条第一款).
    pub minor: bool,
}

impl Tier {
    /// The tier's fine for the party's side (whether the kind is fined at all is the
    /// statute's, [`Statutory::fine_for`]).
    pub fn fine_for(&self, party: Party) -> Option<&TierFine> {
        if party == Party::Farmer && self.fine_farmer.is_some() {
            return self.fine_farmer.as_ref();
        }
        match party.side() {
            Party::Individual => self.fine_individual.as_ref(),
            _ => self.fine_organisation.as_ref(),
        }
    }

    /// Counted as a fixed-amount tier (固定处罚数额): every party's fine is one figure.
    pub fn is_fixed(&self) -> bool {
        let fines: Vec<_> = [self.fine_organisation, self.fine_individual]
            .into_iter()
            .flatten()
            .collect();
        !fines.is_empty() && fines.iter().all(|f| f.is_fixed())
    }

    pub fn matches(&self, facts: &HashMap<String, FactValue>) -> bool {
        any_holds(&self.when, facts)
    }
}

/// Where a matter was written, for error messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SourceLocation {
    pub file: String,
    pub line: usize,
}

/// A penalty matter (事项).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Matter {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub category: String,
    pub violated: Citation,
    pub penalty: Citation,
    /// Further provisions that set part of the penalty (处罚依据 citing two articles, e.g. a
    /// general article that caps the fine for individuals without illegal gains).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub penalty_also: Vec<Citation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub statutory: Statutory,
    pub facts: Vec<FactDef>,
    pub tiers: Vec<Tier>,
    /// Where the facts reach a criminal threshold (行政处罚法 第二十七条第一款: 涉嫌犯罪的，应当
    /// 及时将案件移送司法机关).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    /// Matters describing the same act under another provision (第二十九条: one fine, under the
    /// provision with the higher fine); the note says which governs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_act_as: Vec<String>,
    /// Matters resting on the same violated provision that cover other cases of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub distinct_from: Vec<String>,
    #[serde(skip)]
    pub source: SourceLocation,
}

/// A criminal threshold stated as facts, with the text that sets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// The threshold in words, with its source (司法解释 or 立案追诉标准).
    pub condition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub when: Option<Conjunction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub when_any: Option<Vec<Conjunction>>,
}

impl Referral {
    pub fn holds(&self, facts: &HashMap<String, FactValue>) -> bool {
        any_holds(
            self.when.iter().chain(self.when_any.iter().flatten()),
            facts,
        )
    }
}

impl Matter {
    /// 处罚依据 as published: `《…》第七条、第十一条`.
    pub fn penalty_text(&self) -> String {
        let mut s = self.penalty.render();
        for c in &self.penalty_also {
            s.push('、');
            s.push_str(&c.render());
        }
        s
    }

    pub fn fact(&self, key: &str) -> Option<&FactDef> {
        self.facts.iter().find(|f| f.key == key)
    }
}

/// An enforcement unit (执法单位).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unit {
    pub code: String,
    pub name: String,
}

/// The legal office's policies, stated in `set.toml` and applied by the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// 从轻: the lower share of a tier's band.
    #[schema(value_type = String)]
    pub lighter_share: Decimal,
    /// 从重: the upper share of a tier's band.
    #[schema(value_type = String)]
    pub heavier_share: Decimal,
    /// 从轻/从重 on a fixed amount: the share it moves by.
    #[schema(value_type = String)]
    pub fixed_step: Decimal,
    /// 减轻 needs at least this many 从轻/减轻 grounds.
    pub reduce_min_grounds: usize,
    /// 减轻: this share of the statutory minimum.
    #[schema(value_type = String)]
    pub reduce_ratio: Decimal,
    /// 第六十三条 较大数额罚款 for individuals (inclusive).
    #[schema(value_type = String)]
    pub hearing_threshold_individual: Decimal,
    #[schema(value_type = String)]
    pub hearing_threshold_organisation: Decimal,
    /// Where the thresholds come from when a provincial rule sets them (第六十三条 names no
    /// figure); absent: they are the set's own setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearing_threshold_source: Option<String>,
}

/// The whole standards set.
#[derive(Debug, Clone)]
pub struct StandardsSet {
    pub name: String,
    pub version: String,
    pub effective_date: NaiveDate,
    pub policy: Policy,
    pub units: Vec<Unit>,
    pub matters: Vec<Matter>,
    index: HashMap<String, usize>,
}

impl StandardsSet {
    pub(crate) fn new(
        name: String,
        version: String,
        effective_date: NaiveDate,
        policy: Policy,
        units: Vec<Unit>,
        matters: Vec<Matter>,
    ) -> Self {
        let index = matters
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.to_lowercase(), i))
            .collect();
        StandardsSet {
            name,
            version,
            effective_date,
            policy,
            units,
            matters,
            index,
        }
    }

    /// Looks a matter up by id, case-insensitively (inspectors type `sthj-001`).
    pub fn matter(&self, id: &str) -> Option<&Matter> {
        self.index
            .get(&id.trim().to_lowercase())
            .map(|&i| &self.matters[i])
    }

    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.units
            .iter()
            .find(|u| u.code.eq_ignore_ascii_case(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_render_in_chinese_and_nest_quoted_titles() {
        let c = Citation::new("中华人民共和国大气污染防治法", 99, None, Some(1));
        assert_eq!(
            c.render(),
            "《中华人民共和国大气污染防治法》第九十九条第一项"
        );
        let c = Citation::new(
            "浙江省实施《中华人民共和国人民防空法》办法",
            31,
            Some(2),
            None,
        );
        assert_eq!(
            c.render(),
            "《浙江省实施〈中华人民共和国人民防空法〉办法》第三十一条第二款"
        );
    }
}
