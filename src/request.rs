//! Reading requests: the one JSON field reader behind every request reader (a calculation, a
//! case review, the review spreadsheet's rows), the one refusal they all return, and the facts
//! of a request typed against its matter's declarations.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::standards::{FactDef, FactType, FactValue, Matter, Party};

/// Facts above this are refused: no real case comes near it, and it keeps arithmetic far from
/// the limits of `Decimal`.
const MAX_FACT_VALUE: i64 = 1_000_000_000_000_000;

/// The schema of a request's `facts`: values by fact key, a decimal string or a JSON number, a
/// boolean, an enum code; null is the same as leaving the fact out (its default applies).
pub fn facts_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .description(Some(
            "Fact values by key (GET /api/v1/matters/{id} lists the matter's facts): numbers as \
             decimal strings or JSON numbers, booleans, enum codes; null takes the default. A \
             fact the matter does not declare, or a value that does not fit, is refused (422).",
        ))
        .additional_properties(Some(AdditionalProperties::RefOr(
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([
                    Type::String,
                    Type::Number,
                    Type::Boolean,
                    Type::Null,
                ]))
                .into(),
        )))
        .build()
}

/// A request refused, naming the field: the engine, the review and their readers all answer so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalcError {
    pub code: &'static str,
    pub field: Option<String>,
    pub message: String,
    pub message_en: String,
    /// 404 rather than 422.
    pub not_found: bool,
}

impl CalcError {
    pub fn invalid(code: &'static str, field: impl Into<String>, zh: String, en: String) -> Self {
        CalcError {
            code,
            field: Some(field.into()),
            message: zh,
            message_en: en,
            not_found: false,
        }
    }
}

/// A JSON object read field by field, errors naming the field by its path (`acts[1].facts`).
pub(crate) struct Fields<'a> {
    obj: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(v: &'a Value, path: &str, known: &[&str]) -> Result<Self, CalcError> {
        let obj = v.as_object().ok_or_else(|| {
            if path.is_empty() {
                CalcError {
                    code: "invalid_request",
                    field: None,
                    message: "请求体应为 JSON 对象".into(),
                    message_en: "the body must be a JSON object".into(),
                    not_found: false,
                }
            } else {
                CalcError::invalid(
                    "wrong_type",
                    path,
                    format!("{path} 应为 JSON 对象"),
                    format!("`{path}` must be a JSON object"),
                )
            }
        })?;
        let f = Fields {
            obj,
            path: path.to_string(),
        };
        if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(CalcError::invalid(
                "unknown_field",
                f.at(k),
                format!("未知字段 {}", f.at(k)),
                format!("unknown field `{}`", f.at(k)),
            ));
        }
        Ok(f)
    }

    pub(crate) fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn wrong(&self, key: &str, zh: &str, en: &str) -> CalcError {
        let f = self.at(key);
        CalcError::invalid(
            "wrong_type",
            f.clone(),
            format!("{f} 应为{zh}"),
            format!("`{f}` must be {en}"),
        )
    }

    pub(crate) fn text(&self, key: &str, max_chars: usize) -> Result<Option<String>, CalcError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() > max_chars => {
                let f = self.at(key);
                Err(CalcError::invalid(
                    "too_long",
                    f.clone(),
                    format!("{f} 不能超过{max_chars}个字符"),
                    format!("`{f}` is at most {max_chars} characters"),
                ))
            }
            // Control characters have no place in a case number or a name, and PostgreSQL
            // refuses NUL in text: one such value would fail the whole batch of its commit.
            Some(Value::String(s)) if s.chars().any(char::is_control) => {
                let f = self.at(key);
                Err(CalcError::invalid(
                    "control_character",
                    f.clone(),
                    format!("{f} 含有控制字符"),
                    format!("`{f}` contains a control character"),
                ))
            }
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong(key, "字符串", "a string")),
        }
    }

    pub(crate) fn required<T>(&self, key: &str, v: Option<T>) -> Result<T, CalcError> {
        v.ok_or_else(|| {
            let f = self.at(key);
            CalcError::invalid(
                "missing_field",
                f.clone(),
                format!("缺少必填字段 {f}"),
                format!("`{f}` is required"),
            )
        })
    }

    pub(crate) fn date(&self, key: &str) -> Result<Option<NaiveDate>, CalcError> {
        self.text(key, 20)?
            .map(|s| {
                NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .ok()
                    .filter(|d| *d >= earliest_date())
                    .ok_or(())
                    .map_err(|_| {
                        let f = self.at(key);
                        CalcError::invalid(
                            "invalid_date",
                            f.clone(),
                            format!("{f} 应为 YYYY-MM-DD 格式的日期，且不早于1990年"),
                            format!("`{f}` must be a date YYYY-MM-DD, not before 1990"),
                        )
                    })
            })
            .transpose()
    }

    pub(crate) fn flag(&self, key: &str) -> Result<bool, CalcError> {
        match self.get(key) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.wrong(key, "true 或 false", "a boolean")),
        }
    }

    pub(crate) fn object(&self, key: &str) -> Result<Map<String, Value>, CalcError> {
        match self.get(key) {
            None => Ok(Map::new()),
            Some(Value::Object(m)) => Ok(m.clone()),
            Some(_) => Err(self.wrong(key, "对象", "an object")),
        }
    }

    pub(crate) fn array(&self, key: &str) -> Result<&'a [Value], CalcError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(self.wrong(key, "数组", "an array")),
        }
    }

    pub(crate) fn strings(&self, key: &str) -> Result<Vec<String>, CalcError> {
        let items = self.array(key)?;
        if items.len() > MAX_LIST {
            let f = self.at(key);
            return Err(CalcError::invalid(
                "too_many",
                f.clone(),
                format!("{f} 最多{MAX_LIST}项"),
                format!("`{f}` holds at most {MAX_LIST} items"),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    let f = format!("{}[{i}]", self.at(key));
                    CalcError::invalid(
                        "wrong_type",
                        f.clone(),
                        format!("{f} 应为字符串"),
                        format!("`{f}` must be a string"),
                    )
                })
            })
            .collect()
    }

    /// A fine: a decimal string or number, in yuan, at most two places, not negative.
    pub(crate) fn amount(&self, key: &str) -> Result<Option<Decimal>, CalcError> {
        let f = self.at(key);
        let bad = |zh: &str, en: &str| {
            CalcError::invalid(
                "invalid_amount",
                f.clone(),
                format!("{f} {zh}"),
                format!("`{f}` {en}"),
            )
        };
        let x = match self.get(key) {
            None => return Ok(None),
            Some(Value::String(s)) => plain_decimal(s.trim()),
            Some(Value::Number(n)) => {
                let t = n.to_string();
                t.parse::<Decimal>()
                    .ok()
                    .or_else(|| Decimal::from_scientific(&t).ok())
            }
            Some(_) => return Err(self.wrong(key, "金额字符串（元）", "a decimal string (yuan)")),
        };
        let x = x.ok_or(()).map_err(|_| {
            bad(
                "应为金额（元），如 \"5000\" 或 \"5000.00\"",
                "must be an amount in yuan such as \"5000.00\"",
            )
        })?;
        if x.is_sign_negative() && !x.is_zero() {
            return Err(bad("不能为负数", "must not be negative"));
        }
        if x > Decimal::from(1_000_000_000_000_i64) {
            return Err(bad("超出可受理的范围", "is out of range"));
        }
        if x.normalize().scale() > 2 {
            return Err(bad(
                "最多精确到分（两位小数）",
                "has more than two decimal places",
            ));
        }
        Ok(Some(x))
    }

    /// `individual` (公民), `sole_trader` (个体工商户), `organisation` (法人或者其他组织) or
    /// `state_organ` (国家机关).
    pub(crate) fn party(&self, key: &str) -> Result<Party, CalcError> {
        match self.required(key, self.text(key, 20)?)?.as_str() {
            "individual" | "公民" | "个人" | "自然人" => Ok(Party::Individual),
            "organisation" | "单位" | "法人" | "法人或者其他组织" => {
                Ok(Party::Organisation)
            }
            "sole_trader" | "个体工商户" => Ok(Party::SoleTrader),
            "state_organ" | "国家机关" => Ok(Party::StateOrgan),
            "farmer" | "农户" => Ok(Party::Farmer),
            other => {
                let f = self.at(key);
                Err(CalcError::invalid(
                    "invalid_party",
                    f.clone(),
                    format!(
                        "{f} 应为 individual（公民）、sole_trader（个体工商户）、farmer（农户）、organisation（法人或者其他组织）或 state_organ（国家机关），收到 {other}"
                    ),
                    format!(
                        "`{f}` must be individual, sole_trader, farmer, organisation or state_organ, not `{other}`"
                    ),
                ))
            }
        }
    }
}

/// No act the service judges is older than this (the oldest law texts it holds and any time
/// limit are far later): an earlier date is a typing error, not a case.
fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1990, 1, 1).expect("a date")
}

/// At most this many items in a list of codes (circumstances): a longer one is not a case.
const MAX_LIST: usize = 50;

/// A number as people write it: an optional minus (refused later, by its own rule), digits
/// with at most one decimal point — no `1_000`, `1e3`, `+5` or spaces, which a parser would
/// quietly read as something else.
fn plain_decimal(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let ok = digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit());
    if ok { s.parse().ok() } else { None }
}

fn fact_error(code: &'static str, key: &str, zh: String, en: String) -> CalcError {
    CalcError::invalid(code, format!("facts.{key}"), zh, en)
}

/// Types the facts of a request against the matter's declarations, filling defaults.
pub fn parse_facts(
    matter: &Matter,
    given: &Map<String, Value>,
) -> Result<HashMap<String, FactValue>, CalcError> {
    if let Some(unknown) = given.keys().find(|k| matter.fact(k).is_none()) {
        let known: Vec<_> = matter.facts.iter().map(|f| f.key.as_str()).collect();
        return Err(fact_error(
            "unknown_fact",
            unknown,
            format!(
                "事项 {} 没有事实 {unknown}；可用：{}",
                matter.id,
                known.join("、")
            ),
            format!(
                "matter {} has no fact `{unknown}`; it has: {}",
                matter.id,
                known.join(", ")
            ),
        ));
    }
    let mut out = HashMap::new();
    for f in &matter.facts {
        if f.derived.is_some() {
            if given.contains_key(&f.key) {
                return Err(fact_error(
                    "derived_fact",
                    &f.key,
                    format!("事实 {}（{}）由其他事实计算，不需填写", f.key, f.label),
                    format!(
                        "fact `{}` ({}) is computed from the others; do not send it",
                        f.key, f.label
                    ),
                ));
            }
            continue;
        }
        let value = match given.get(&f.key) {
            None | Some(Value::Null) => match &f.default {
                Some(d) => d.clone(),
                // An optional fact without a default (the gains) is unknown when not given.
                None if !f.required => continue,
                None => {
                    return Err(fact_error(
                        "missing_fact",
                        &f.key,
                        format!("缺少必填事实 {}（{}）", f.key, f.label),
                        format!("required fact `{}` ({}) is missing", f.key, f.label),
                    ));
                }
            },
            Some(v) => typed_fact(f, v)?,
        };
        out.insert(f.key.clone(), value);
    }
    for f in &matter.facts {
        if let Some(d) = &f.derived {
            let value = d.value(&out).ok_or_else(|| {
                fact_error(
                    "invalid_fact",
                    &d.of,
                    format!("{} 应大于0，才能计算{}", d.of, f.label),
                    format!("`{}` must be above 0 to compute {}", d.of, f.key),
                )
            })?;
            out.insert(f.key.clone(), FactValue::Number(value));
        }
    }
    Ok(out)
}

fn typed_fact(f: &FactDef, v: &Value) -> Result<FactValue, CalcError> {
    let wrong = |expect_zh: &str, expect_en: &str| {
        fact_error(
            "wrong_fact_type",
            &f.key,
            format!("{}（{}）应为{expect_zh}", f.key, f.label),
            format!("`{}` ({}) must be {expect_en}", f.key, f.label),
        )
    };
    match f.kind {
        FactType::Boolean => v
            .as_bool()
            .map(FactValue::Bool)
            .ok_or_else(|| wrong("true 或 false", "true or false")),
        FactType::Enum => {
            let code = v
                .as_str()
                .ok_or_else(|| wrong("可选值之一", "one of its codes"))?;
            if f.values.iter().any(|e| e.code == code) {
                Ok(FactValue::Code(code.to_string()))
            } else {
                let codes: Vec<_> = f
                    .values
                    .iter()
                    .map(|e| format!("{}（{}）", e.code, e.label))
                    .collect();
                Err(fact_error(
                    "invalid_fact_value",
                    &f.key,
                    format!(
                        "{}（{}）的值 {code} 不在可选值中：{}",
                        f.key,
                        f.label,
                        codes.join("、")
                    ),
                    format!("`{}` must be one of {}", f.key, codes.join(", ")),
                ))
            }
        }
        FactType::Decimal | FactType::Integer => {
            let parsed: Option<Decimal> = match v {
                Value::String(s) => plain_decimal(s.trim()),
                Value::Number(n) => n
                    .to_string()
                    .parse()
                    .ok()
                    .or_else(|| Decimal::from_scientific(&n.to_string()).ok()),
                _ => None,
            };
            let x = parsed.ok_or_else(|| {
                wrong(
                    "数字（建议用字符串，如 \"12.5\"）",
                    "a number (a decimal string such as \"12.5\")",
                )
            })?;
            if x.is_sign_negative() && !x.is_zero() {
                return Err(fact_error(
                    "negative_amount",
                    &f.key,
                    format!("{}（{}）不能为负数", f.key, f.label),
                    format!("`{}` cannot be negative", f.key),
                ));
            }
            if x > Decimal::from(MAX_FACT_VALUE) {
                return Err(fact_error(
                    "out_of_range",
                    &f.key,
                    format!("{}（{}）超出合理范围", f.key, f.label),
                    format!("`{}` is out of range", f.key),
                ));
            }
            if f.kind == FactType::Integer && !x.fract().is_zero() {
                return Err(wrong("整数", "a whole number"));
            }
            Ok(FactValue::Number(x.normalize()))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::LazyLock;

    use serde_json::json;

    use super::*;
    use crate::standards::StandardsSet;

    static FIXTURES: LazyLock<StandardsSet> = LazyLock::new(|| {
        crate::sources::load_standards(Some(Path::new("tests/fixtures/standards")))
            .expect("fixtures load")
    });

    fn facts(matter: &str, given: Value) -> Result<HashMap<String, FactValue>, CalcError> {
        let m = FIXTURES.matter(matter).expect("fixture matter");
        parse_facts(m, given.as_object().expect("an object"))
    }

    #[test]
    fn fields_name_unknown_and_mistyped_fields_by_their_path() {
        let v = json!({"fine": "1", "colour": "red"});
        let e = Fields::new(&v, "acts[1].proposed", &["fine"])
            .err()
            .expect("unknown field refused");
        assert_eq!(e.code, "unknown_field");
        assert_eq!(e.field.as_deref(), Some("acts[1].proposed.colour"));

        let v = json!({"measures": "警告"});
        let f = Fields::new(&v, "proposed", &["measures"]).expect("known fields");
        let e = f.strings("measures").expect_err("a string is not an array");
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("wrong_type", Some("proposed.measures"))
        );

        let e = Fields::new(&json!([1]), "", &[])
            .err()
            .expect("not an object");
        assert_eq!((e.code, e.field), ("invalid_request", None));
    }

    #[test]
    fn amounts_are_yuan_to_the_fen_and_never_negative() {
        let read = |x: Value| {
            let v = json!({ "fine": x });
            Fields::new(&v, "", &["fine"]).unwrap().amount("fine")
        };
        assert_eq!(read(json!("5000.50")), Ok(Some(Decimal::new(500050, 2))));
        assert_eq!(read(json!(300)), Ok(Some(Decimal::from(300))));
        assert_eq!(read(Value::Null), Ok(None));
        for bad in [json!("12.345"), json!("-1"), json!("五千"), json!("1e13")] {
            assert_eq!(
                read(bad.clone()).map_err(|e| e.code),
                Err("invalid_amount"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_party_is_individual_or_organisation() {
        let party = |x: &str| {
            let v = json!({ "party": x });
            Fields::new(&v, "", &["party"]).unwrap().party("party")
        };
        assert_eq!(party("individual"), Ok(Party::Individual));
        assert_eq!(party("organisation"), Ok(Party::Organisation));
        assert_eq!(party("company").map_err(|e| e.code), Err("invalid_party"));
    }

    #[test]
    fn facts_are_typed_and_defaults_filled() {
        let typed = facts("FIX-004", json!({"place": "wall"})).expect("valid facts");
        assert_eq!(typed["place"], FactValue::Code("wall".into()));
        // `pieces` is not given: its declared default applies.
        assert_eq!(typed["pieces"], FactValue::Number(Decimal::ONE));

        let typed = facts("FIX-001", json!({"times_over": 0.50})).expect("a JSON number");
        assert_eq!(typed["times_over"], FactValue::Number(Decimal::new(5, 1)));
    }

    #[test]
    fn facts_outside_their_declaration_are_refused_with_the_fact_named() {
        let refused = |matter: &str, given: Value| {
            let e = facts(matter, given).expect_err("must be refused");
            (e.code, e.field.unwrap_or_default())
        };
        assert_eq!(
            refused("FIX-001", json!({"times_over": "1", "colour": "red"})),
            ("unknown_fact", "facts.colour".into())
        );
        assert_eq!(
            refused("FIX-001", json!({})),
            ("missing_fact", "facts.times_over".into())
        );
        assert_eq!(
            refused("FIX-001", json!({"times_over": "-0.1"})),
            ("negative_amount", "facts.times_over".into())
        );
        assert_eq!(
            refused("FIX-001", json!({"times_over": "1000000000000000.1"})),
            ("out_of_range", "facts.times_over".into())
        );
        assert_eq!(
            refused("FIX-004", json!({"place": "wall", "pieces": "2.5"})),
            ("wrong_fact_type", "facts.pieces".into())
        );
        assert_eq!(
            refused("FIX-004", json!({"place": "roof"})),
            ("invalid_fact_value", "facts.place".into())
        );
    }

    #[test]
    fn a_text_with_a_control_character_is_refused_with_its_field() {
        let v = json!({"case_ref": "龙综执罚\u{0}1号", "inspector": "张三"});
        let f = Fields::new(&v, "", &["case_ref", "inspector"]).unwrap();
        let e = f.text("case_ref", 100).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("control_character", Some("case_ref"))
        );
        assert_eq!(f.text("inspector", 100).unwrap().as_deref(), Some("张三"));
    }
}
