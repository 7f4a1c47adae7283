//! Case review from a spreadsheet export: one row per act, the rows of one case next to each
//! other (same case number). Each case becomes the JSON the API takes, so both paths share
//! one parser and one review. Pure: text in, cases out; verdicts in, rows out.
//!
//! Columns (English or Chinese header, any order; only `case_ref` and `matter_id` required):
//! see [`COLUMNS`] and the README.

use serde_json::{Map, Value, json};

use crate::circumstances;
use crate::request::CalcError;
use crate::review::CaseReview;
use crate::standards::{FactType, StandardsSet};

/// (key, Chinese header, what it holds).
pub const COLUMNS: [(&str, &str, &str); 15] = [
    (
        "case_ref",
        "案件编号",
        "案件编号；同一案件的多个违法行为占相邻多行",
    ),
    (
        "party",
        "当事人类型",
        "公民 / 单位（或 individual / organisation）",
    ),
    ("inspector", "承办人", "承办人姓名"),
    ("act_date", "违法行为发生日期", "YYYY-MM-DD"),
    (
        "act_end_date",
        "违法行为终了日期",
        "YYYY-MM-DD；违法行为有连续或者继续状态的填写，时效从此日起算",
    ),
    ("discovered_date", "发现日期", "YYYY-MM-DD"),
    ("decision_date", "决定日期", "YYYY-MM-DD"),
    (
        "circumstances",
        "裁量情节",
        "情节代码或名称，以“；”或“、”分隔",
    ),
    (
        "matter_id",
        "事项编号",
        "一个行为同时违反多个规定时以“+”连接（第二十九条）",
    ),
    (
        "facts",
        "事实",
        "键=值，以“；”分隔；某一事项专用的写作 事项编号:键=值",
    ),
    ("proposed_fine", "拟罚款", "元，空或0为不罚款"),
    ("proposed_measures", "拟其他措施", "以“；”或“、”分隔"),
    ("no_penalty", "拟不予处罚", "是 / 否"),
    ("first_offense_waiver", "首违不罚", "是 / 否"),
    ("reason", "偏离理由", "偏离裁量基准的理由"),
];

/// A case read from the file: where it starts, and its JSON (or why it could not be built).
pub struct CsvCase {
    /// 1-based line numbers of its rows (the header is line 1).
    pub lines: Vec<usize>,
    pub case_ref: String,
    pub json: Result<Value, CalcError>,
}

fn row_error(line: usize, field: &str, zh: String, en: String) -> CalcError {
    CalcError {
        code: "invalid_row",
        field: Some(field.to_string()),
        message: format!("第{line}行：{zh}"),
        message_en: format!("line {line}: {en}"),
        not_found: false,
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；', '、', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The proposed measures, each a whole name: a name the matters know that contains "、"
/// (没收直接用于违法勘查的工具、设备) stays one measure; other text splits on "、" too.
fn measure_list(set: &StandardsSet, ids: &[String], s: &str) -> Vec<String> {
    let known: Vec<&str> = ids
        .iter()
        .filter_map(|id| set.matter(id))
        .flat_map(|m| {
            let statutory = m.statutory.measures.iter().map(|x| x.name.as_str());
            let tiers = m
                .tiers
                .iter()
                .flat_map(|t| t.measures.iter().map(String::as_str));
            statutory.chain(tiers).collect::<Vec<_>>()
        })
        .collect();
    let mut out = Vec::new();
    for piece in s.split([';', '；', '\n']).map(str::trim) {
        let parts: Vec<&str> = piece.split('、').map(str::trim).collect();
        let mut i = 0;
        while i < parts.len() {
            // The longest run of parts that is a known name, else one part.
            let end = (i + 1..=parts.len())
                .rev()
                .find(|&j| known.contains(&parts[i..j].join("、").as_str()))
                .unwrap_or(i + 1);
            let name = parts[i..end].join("、");
            if !name.is_empty() {
                out.push(name);
            }
            i = end;
        }
    }
    out
}

fn yes(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "" | "否" | "false" | "0" | "no" | "n" => Some(false),
        "是" | "true" | "1" | "yes" | "y" => Some(true),
        _ => None,
    }
}

/// One act's facts for each of its matters, typed by each matter's declarations: booleans as
/// 是/否, enumerations by code or by label, numbers as decimal strings.
fn facts_for(
    set: &StandardsSet,
    matter_ids: &[String],
    text: &str,
    line: usize,
) -> Result<Vec<Map<String, Value>>, CalcError> {
    let mut out = vec![Map::new(); matter_ids.len()];
    for pair in split_list(text) {
        let Some((key, value)) = pair.split_once(['=', '＝']) else {
            return Err(row_error(
                line,
                "facts",
                format!("事实「{pair}」应写作 键=值"),
                format!("fact `{pair}` must be key=value"),
            ));
        };
        let (only, key) = match key.split_once([':', '：']) {
            Some((m, k)) => (Some(m.trim().to_uppercase()), k.trim()),
            None => (None, key.trim()),
        };
        let value = value.trim();
        let mut placed = false;
        for (i, id) in matter_ids.iter().enumerate() {
            if only.as_ref().is_some_and(|m| *m != id.to_uppercase()) {
                continue;
            }
            // A fact by its key or by its label (a spreadsheet user writes the label).
            let def = set.matter(id).and_then(|m| {
                m.fact(key)
                    .or_else(|| m.facts.iter().find(|f| f.label == key))
            });
            if def.is_none() && only.is_none() {
                continue;
            }
            let v = match def.map(|d| d.kind) {
                Some(FactType::Boolean) => match yes(value) {
                    Some(b) => Value::Bool(b),
                    None => Value::String(value.to_string()),
                },
                Some(FactType::Enum) => {
                    let d = def.expect("enum fact");
                    let code = d
                        .values
                        .iter()
                        .find(|e| e.code == value || e.label == value)
                        .map_or(value, |e| e.code.as_str());
                    Value::String(code.to_string())
                }
                _ => Value::String(value.to_string()),
            };
            out[i].insert(def.map_or(key, |d| d.key.as_str()).to_string(), v);
            placed = true;
        }
        if !placed {
            // Let the engine name it: an unknown fact of the first matter.
            out[0].insert(key.to_string(), Value::String(value.to_string()));
        }
    }
    Ok(out)
}

fn circumstance_code(s: &str) -> String {
    circumstances::catalogue()
        .iter()
        .find(|c| c.code == s || c.label == s)
        .map_or(s.to_string(), |c| c.code.to_string())
}

/// One act (a row) as the API's JSON.
fn act_json(
    set: &StandardsSet,
    get: &dyn Fn(&str) -> String,
    line: usize,
) -> Result<Value, CalcError> {
    let ids: Vec<String> = get("matter_id")
        .split(['+', '＋'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(row_error(
            line,
            "matter_id",
            "缺少事项编号".into(),
            "`matter_id` is empty".into(),
        ));
    }
    let facts = facts_for(set, &ids, &get("facts"), line)?;
    let fine = get("proposed_fine");
    let flag = |k: &str| {
        let v = get(k);
        yes(&v).ok_or_else(|| {
            row_error(
                line,
                k,
                format!("{k} 应为 是 或 否，收到「{v}」"),
                format!("`{k}` must be yes or no, not `{v}`"),
            )
        })
    };
    let mut act = json!({
        "matter_id": ids[0],
        "facts": facts[0],
        "proposed": {
            "measures": measure_list(set, &ids, &get("proposed_measures")),
            "no_penalty": flag("no_penalty")?,
            "first_offense_waiver": flag("first_offense_waiver")?,
        },
    });
    if !fine.trim().is_empty() {
        act["proposed"]["fine"] = Value::String(fine.trim().to_string());
    }
    let act_end = get("act_end_date");
    if !act_end.trim().is_empty() {
        act["act_end_date"] = Value::String(act_end.trim().to_string());
    }
    if ids.len() > 1 {
        act["also_violates"] = ids[1..]
            .iter()
            .zip(&facts[1..])
            .map(|(id, f)| json!({"matter_id": id, "facts": f}))
            .collect();
    }
    let reason = get("reason");
    if !reason.trim().is_empty() {
        act["reason"] = Value::String(reason);
    }
    Ok(act)
}

/// The case being read: its lines, number, case-level fields, and the first row error.
type Pending = (Vec<usize>, String, Map<String, Value>, Option<CalcError>);

/// Reads the file's text (UTF-8, with or without BOM) into cases. Fails only on the header.
pub fn read_cases(set: &StandardsSet, text: &str) -> Result<Vec<CsvCase>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("cannot read the header: {e}"))?
        .clone();
    let index = column_index(&header)?;
    let mut cases: Vec<CsvCase> = Vec::new();
    let mut acts: Vec<Value> = Vec::new();
    let mut current: Option<Pending> = None;
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                finish_case(current.take(), &mut acts, &mut cases);
                cases.push(unreadable_row(line, &e));
                continue;
            }
        };
        let get = |k: &str| -> String {
            index
                .get(k)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let case_ref = get("case_ref");
        let same = current.as_ref().is_some_and(|c| c.1 == case_ref);
        if !same {
            finish_case(current.take(), &mut acts, &mut cases);
            current = Some((Vec::new(), case_ref, case_head(&get), None));
        }
        let cur = current.as_mut().expect("a current case");
        cur.0.push(line);
        if cur.3.is_none() {
            match act_json(set, &get, line) {
                Ok(a) => acts.push(a),
                Err(e) => cur.3 = Some(e),
            }
        }
    }
    finish_case(current.take(), &mut acts, &mut cases);
    Ok(cases)
}

/// Each known column's position, by its English or Chinese header; an unknown column or a
/// missing `case_ref` / `matter_id` is an error.
fn column_index(
    header: &csv::StringRecord,
) -> Result<std::collections::HashMap<&'static str, usize>, String> {
    let mut index = std::collections::HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        match COLUMNS.iter().find(|(k, zh, _)| *k == h || *zh == h) {
            Some((k, _, _)) => {
                index.insert(*k, i);
            }
            None => {
                return Err(format!(
                    "unknown column `{h}` (see the README for the columns)"
                ));
            }
        }
    }
    for required in ["case_ref", "matter_id"] {
        if !index.contains_key(required) {
            return Err(format!("the header has no `{required}` column"));
        }
    }
    Ok(index)
}

/// A row the CSV reader could not read: a case of its own that could not be built.
fn unreadable_row(line: usize, e: &csv::Error) -> CsvCase {
    CsvCase {
        lines: vec![line],
        case_ref: String::new(),
        json: Err(row_error(
            line,
            "",
            format!("无法读取：{e}"),
            format!("unreadable: {e}"),
        )),
    }
}

/// The case-level fields, from a case's first row: number, party (Chinese words to the API's
/// codes), inspector and dates when given, circumstances (names to codes).
fn case_head(get: &dyn Fn(&str) -> String) -> Map<String, Value> {
    let mut head = Map::new();
    head.insert("case_ref".into(), Value::String(get("case_ref")));
    let party = match get("party").as_str() {
        "公民" | "个人" | "自然人" | "individual" => "individual".to_string(),
        "单位" | "法人" | "组织" | "法人或者其他组织" | "organisation" => {
            "organisation".to_string()
        }
        "个体工商户" | "sole_trader" => "sole_trader".to_string(),
        "国家机关" | "state_organ" => "state_organ".to_string(),
        other => other.to_string(),
    };
    head.insert("party".into(), Value::String(party));
    for k in ["inspector", "act_date", "discovered_date", "decision_date"] {
        let v = get(k);
        if !v.is_empty() {
            head.insert(k.into(), Value::String(v));
        }
    }
    head.insert(
        "circumstances".into(),
        split_list(&get("circumstances"))
            .iter()
            .map(|c| Value::String(circumstance_code(c)))
            .collect(),
    );
    head
}

/// Ends the case being read, if any: its acts (taken from `acts`) or its first row error.
fn finish_case(cur: Option<Pending>, acts: &mut Vec<Value>, cases: &mut Vec<CsvCase>) {
    if let Some((lines, case_ref, mut head, err)) = cur {
        let json = match err {
            Some(e) => Err(e),
            None => {
                // Each row carries its act's proposal (acts[i].proposed).
                head.insert("acts".into(), Value::Array(std::mem::take(acts)));
                Ok(Value::Object(head))
            }
        };
        acts.clear();
        cases.push(CsvCase {
            lines,
            case_ref,
            json,
        });
    }
}

/// The verdicts file's header.
pub const VERDICT_HEADER: [&str; 13] = [
    "行号",
    "案件编号",
    "行为",
    "适用事项",
    "审核结论",
    "结论代码",
    "偏离方向",
    "罚款偏离（元）",
    "需说明理由",
    "基准阶次",
    "基准罚款",
    "审核意见",
    "回执号",
];

/// The verdict rows of one case: one per act, or one error row.
pub fn verdict_rows(
    case: &CsvCase,
    outcome: Result<(&CaseReview, &str), &CalcError>,
) -> Vec<Vec<String>> {
    match outcome {
        Err(e) => vec![vec![
            case.lines
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("、"),
            case.case_ref.clone(),
            String::new(),
            String::new(),
            "无法审核".into(),
            format!("error:{}", e.code),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!(
                "{}{}",
                e.message,
                e.field
                    .as_ref()
                    .map(|f| format!("（字段 {f}）"))
                    .unwrap_or_default()
            ),
            String::new(),
        ]],
        Ok((review, receipt)) => review
            .acts
            .iter()
            .map(|a| {
                let verdict = a.verdict.as_str();
                vec![
                    case.lines
                        .get(a.act - 1)
                        .map(usize::to_string)
                        .unwrap_or_default(),
                    review.case_ref.clone(),
                    a.act.to_string(),
                    a.matter_id.clone(),
                    a.verdict.label().into(),
                    verdict.into(),
                    match a.direction.map(|d| d.as_str()) {
                        Some("heavier") => "偏重",
                        Some("lighter") => "偏轻",
                        Some("mixed") => "轻重并存",
                        _ => "",
                    }
                    .into(),
                    a.fine_deviation
                        .map(|d| d.amount.to_string())
                        .unwrap_or_default(),
                    if a.reason_required { "是" } else { "否" }.into(),
                    format!("第{}阶次 {}", a.standard.tier.level, a.standard.tier.name),
                    a.standard
                        .fine
                        .map(|b| {
                            if b.is_fixed() {
                                b.min.to_string()
                            } else {
                                format!("{}-{}", b.min, b.max)
                            }
                        })
                        .unwrap_or_else(|| "不处罚款".into()),
                    a.findings
                        .iter()
                        .map(|f| f.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    receipt.to_string(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::FIXTURES;

    /// A measure whose own name holds "、" stays whole; other lists split on "、" and "；".
    #[test]
    fn measure_names_are_matched_whole() {
        let ids = ["FIX-001".to_string()];
        assert_eq!(
            measure_list(&FIXTURES, &ids, "责令停业、关闭；限制生产、警告"),
            ["责令停业、关闭", "限制生产", "警告"]
        );
    }

    /// 第三十六条第二款: a continuing act's end date reaches the act, and 个体工商户 is a party.
    #[test]
    fn the_end_of_a_continuing_act_and_the_party_kinds_are_read() {
        let csv = "case_ref,party,act_date,act_end_date,matter_id,facts,proposed_fine\nX,个体工商户,2024-01-01,2026-10-01,FIX-002,area=12,100\n";
        let cases = read_cases(&FIXTURES, csv).unwrap();
        let json = cases[0].json.as_ref().unwrap();
        assert_eq!(json["party"], "sole_trader");
        assert_eq!(json["acts"][0]["act_end_date"], "2026-10-01");
    }
}
