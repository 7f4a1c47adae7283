//! JSON request text read strictly: a key given twice in one object, or a NUL character in a
//! string or key, is refused with the path of the field instead of being silently resolved
//! (serde_json keeps the last of two keys; a NUL cuts text in C-based tools that read the
//! log). Issue 15.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why a JSON text was refused.
#[derive(Debug)]
pub enum JsonRefused {
    /// Not JSON at all (or truncated).
    Syntax(serde_json::Error),
    /// The same key twice in one object; the path of the second, e.g. `facts.area`.
    DuplicateKey(String),
    /// A NUL character (`\u0000`) in the string or key at this path.
    Nul(String),
}

impl fmt::Display for JsonRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonRefused::Syntax(e) => write!(f, "{e}"),
            JsonRefused::DuplicateKey(p) => write!(f, "the key `{p}` is given twice"),
            JsonRefused::Nul(p) => write!(f, "`{p}` contains a NUL character"),
        }
    }
}

impl JsonRefused {
    /// The refusal as a field error (duplicate key or NUL; `None` for a syntax error, which
    /// is not about a field).
    pub fn field_error(&self) -> Option<crate::request::CalcError> {
        let (code, path, zh) = match self {
            JsonRefused::Syntax(_) => return None,
            JsonRefused::DuplicateKey(p) => (
                "duplicate_key",
                p,
                format!("字段 {p} 出现了两次，请只填写一次"),
            ),
            JsonRefused::Nul(p) => (
                "nul_in_text",
                p,
                format!("字段 {p} 含有空字符（\\u0000），请删去"),
            ),
        };
        Some(crate::request::CalcError::invalid(
            code,
            path.clone(),
            zh,
            self.to_string(),
        ))
    }
}

/// Parses `text` into a tree, refusing duplicate keys and NUL characters.
pub fn parse_strict(text: &[u8]) -> Result<Value, JsonRefused> {
    let problem = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(text);
    let parsed = Strict {
        path: "",
        problem: &problem,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    match (parsed, problem.into_inner()) {
        (_, Some(p)) => Err(p),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(JsonRefused::Syntax(e)),
    }
}

/// A value at `path`; the first problem found is kept in `problem` (the parse then stops with
/// a generic error, replaced by the problem).
#[derive(Clone, Copy)]
struct Strict<'a> {
    path: &'a str,
    problem: &'a RefCell<Option<JsonRefused>>,
}

impl Strict<'_> {
    fn refuse<E: de::Error>(&self, p: JsonRefused) -> E {
        let message = p.to_string();
        self.problem.borrow_mut().get_or_insert(p);
        E::custom(message)
    }

    fn text<E: de::Error>(&self, path: &str, s: &str) -> Result<(), E> {
        match s.contains('\0') {
            true => Err(self.refuse(JsonRefused::Nul(path.to_string()))),
            false => Ok(()),
        }
    }

    fn child(&self, key: &str) -> String {
        match self.path {
            "" => key.to_string(),
            p => format!("{p}.{key}"),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("not a finite number"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.text(self.path, v)?;
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.text(self.path, &v)?;
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = format!("{}[{}]", self.path, items.len());
            let item = Strict {
                path: &path,
                problem: self.problem,
            };
            match seq.next_element_seed(item)? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.child(&key);
            self.text(&path, &key)?;
            if object.contains_key(&key) {
                return Err(self.refuse(JsonRefused::DuplicateKey(path)));
            }
            let value = map.next_value_seed(Strict {
                path: &path,
                problem: self.problem,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_text_parses_as_serde_json_would() {
        let text = br#"{"a": [1, -2, 3.5, "x", null, true], "b": {"c": "d"}}"#;
        let ours = parse_strict(text).unwrap();
        let theirs: Value = serde_json::from_slice(text).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_key_given_twice_is_refused_with_its_path() {
        let e = parse_strict(br#"{"facts": {"area": 1, "area": 500}}"#).unwrap_err();
        assert!(
            matches!(e, JsonRefused::DuplicateKey(ref p) if p == "facts.area"),
            "{e:?}"
        );
        let e = parse_strict(br#"{"acts": [{"x": 1}, {"y": 1, "y": 2}]}"#).unwrap_err();
        assert!(
            matches!(e, JsonRefused::DuplicateKey(ref p) if p == "acts[1].y"),
            "{e:?}"
        );
    }

    #[test]
    fn a_nul_in_a_string_or_a_key_is_refused_with_its_path() {
        let e = parse_strict(br#"{"case_ref": "A\u0000B"}"#).unwrap_err();
        assert!(
            matches!(e, JsonRefused::Nul(ref p) if p == "case_ref"),
            "{e:?}"
        );
        let e = parse_strict(br#"{"k\u0000": 1}"#).unwrap_err();
        assert!(matches!(e, JsonRefused::Nul(_)), "{e:?}");
    }

    #[test]
    fn not_json_and_trailing_text_are_syntax_errors() {
        assert!(matches!(parse_strict(b"{"), Err(JsonRefused::Syntax(_))));
        assert!(matches!(parse_strict(b"{} x"), Err(JsonRefused::Syntax(_))));
        assert!(matches!(
            parse_strict(b"1_000"),
            Err(JsonRefused::Syntax(_))
        ));
    }
}
