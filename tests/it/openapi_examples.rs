//! Every operation's example in the OpenAPI document is a real exchange with the server:
//! `openapi/examples.json` holds, per operation, the request sent and the answer the server
//! gave (abridged: lists to their first two items, long texts cut), and `api::openapi` puts
//! them in the document. This test replays each request against a fresh server on the bundled
//! standards and checks that the answer, abridged the same way, is the committed example —
//! apart from what differs on every run (receipts, times, token secrets, signatures).
//! To refresh the examples after a change: `UPDATE_OPENAPI_EXAMPLES=1 cargo test --test it
//! openapi_examples`, then `cargo run -q -- openapi > openapi/openapi.json`.

use std::collections::HashMap;

use penalty_standards::auth::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, temp_dir};
use crate::versions::{files_of, standards_copy};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/examples.json");

/// Values that differ on every run or every day: compared by presence only.
const VOLATILE: [&str; 13] = [
    // A new draw's seed is the server's, random.
    "seed",
    "receipt",
    "time",
    "published_at",
    "withdrawn_at",
    "created_at",
    "revoked_at",
    "last_used",
    "token",
    "signature",
    "chain_head",
    "issued_at",
    "public_key",
];

/// One documented exchange.
struct Step {
    method: &'static str,
    /// The path as documented (the key in the document's `paths`).
    path: &'static str,
    /// The path called, `{name}` standing for a value an earlier answer gave.
    call: &'static str,
    role: Option<Role>,
    request: Option<Value>,
    /// Set when the request shown in the document is abridged (a whole standards set).
    shown_request: Option<Value>,
    status: u16,
}

fn step(method: &'static str, path: &'static str, call: &'static str, role: Option<Role>) -> Step {
    Step {
        method,
        path,
        call,
        role,
        request: None,
        shown_request: None,
        status: 200,
    }
}

fn steps(publication: Value) -> Vec<Step> {
    let today = penalty_standards::clock::today().to_string();
    use Role::*;
    let body = |mut s: Step, v: Value| {
        s.request = Some(v);
        s
    };
    let status = |mut s: Step, code: u16| {
        s.status = code;
        s
    };
    let shown = json!({"effective_date": "2030-01-01", "note": "摆摊1至2平方米的较轻阶次调整为25元",
        "files": {"set.toml": "name = \"…\"\nversion = \"2026.2\"\n…", "units/ZHZF.toml": "…"}});
    let mut publish = body(
        status(
            step(
                "POST",
                "/api/v1/standards/versions",
                "/api/v1/standards/versions",
                Some(Publisher),
            ),
            201,
        ),
        publication,
    );
    publish.shown_request = Some(shown);
    vec![
        step("GET", "/healthz", "/healthz", None),
        step("GET", "/api/v1/units", "/api/v1/units", None),
        step(
            "GET",
            "/api/v1/matters",
            "/api/v1/matters?q=%E6%91%86%E6%91%8A&per_page=2",
            None,
        ),
        step(
            "GET",
            "/api/v1/matters/{id}",
            "/api/v1/matters/ZHZF-019",
            None,
        ),
        step(
            "GET",
            "/api/v1/circumstances",
            "/api/v1/circumstances",
            None,
        ),
        step("GET", "/api/v1/stats", "/api/v1/stats", None),
        body(
            step(
                "POST",
                "/api/v1/calculate",
                "/api/v1/calculate",
                Some(Inspector),
            ),
            json!({"matter_id": "ZHZF-019", "party": "individual",
                "facts": {"stall_area": "1.5", "in_bridge_or_underpass": false},
                "circumstances": ["confessed"],
                "act_date": "2026-10-01", "discovered_date": "2026-10-01", "decision_date": "2026-10-08"}),
        ),
        body(
            step("POST", "/api/v1/reviews", "/api/v1/reviews", Some(Reviewer)),
            review_case("龙综执罚〔2026〕118号", "40"),
        ),
        body(
            step(
                "POST",
                "/api/v1/reviews/batch",
                "/api/v1/reviews/batch",
                Some(Reviewer),
            ),
            json!({"cases": [review_case("龙综执罚〔2026〕119号", "20"),
                {"case_ref": "龙综执罚〔2026〕120号", "party": "individual", "act_date": "2026-10-01",
                 "decision_date": "2026-10-08", "acts": [{"matter_id": "ZHZF-019", "facts": {}}],
                 "proposed": {"fine": "20", "measures": [], "no_penalty": false}}]}),
        ),
        step(
            "GET",
            "/api/v1/queries",
            "/api/v1/queries?per_page=2",
            Some(Reviewer),
        ),
        step(
            "GET",
            "/api/v1/queries/{receipt}",
            "/api/v1/queries/{receipt}",
            Some(Reviewer),
        ),
        step(
            "GET",
            "/api/v1/queries/export.csv",
            "/api/v1/queries/export.csv",
            Some(Supervisor),
        ),
        step(
            "GET",
            "/api/v1/my/queries",
            "/api/v1/my/queries?per_page=1",
            Some(Inspector),
        ),
        step(
            "GET",
            "/api/v1/my/queries/{receipt}",
            "/api/v1/my/queries/{receipt}",
            Some(Inspector),
        ),
        step(
            "GET",
            "/api/v1/supervision/stats",
            "/api/v1/supervision/stats",
            Some(Supervisor),
        ),
        step(
            "GET",
            "/api/v1/log/checkpoint",
            "/api/v1/log/checkpoint",
            None,
        ),
        // The review above that deviates without a reason raised a `review_departure` alert.
        step(
            "GET",
            "/api/v1/supervision/alerts",
            "/api/v1/supervision/alerts?per_page=2",
            Some(Supervisor),
        ),
        body(
            status(
                step(
                    "POST",
                    "/api/v1/supervision/alerts/{id}/disposition",
                    "/api/v1/supervision/alerts/{alert}/disposition",
                    Some(Supervisor),
                ),
                201,
            ),
            json!({"status": "explained", "text": "承办人已补充偏离理由：当事人系初次违法且当场改正"}),
        ),
        step(
            "GET",
            "/api/v1/supervision/rules",
            "/api/v1/supervision/rules",
            Some(Supervisor),
        ),
        body(
            step(
                "PUT",
                "/api/v1/supervision/rules",
                "/api/v1/supervision/rules",
                Some(Supervisor),
            ),
            json!({
                "repeated_case": {"enabled": true, "case_days": 180, "window_minutes": 30},
                "lenient_share": {"enabled": true, "window": 20, "min_count": 10, "margin": "0.20", "unit_window": 200},
                "review_departure": {"enabled": true},
                "time_limit": {"enabled": true, "days": 45},
                "late_sync": {"enabled": true, "hours": 24}
            }),
        ),
        body(
            status(
                step(
                    "POST",
                    "/api/v1/supervision/samples",
                    "/api/v1/supervision/samples",
                    Some(Supervisor),
                ),
                201,
            ),
            json!({"from": today, "to": today, "size": 2, "strata": "unit"}),
        ),
        step(
            "GET",
            "/api/v1/supervision/samples",
            "/api/v1/supervision/samples",
            Some(Supervisor),
        ),
        body(
            status(
                step(
                    "POST",
                    "/api/v1/supervision/samples/{id}/findings",
                    "/api/v1/supervision/samples/{sample}/findings",
                    Some(Supervisor),
                ),
                201,
            ),
            json!({"receipt": "{case}", "conclusion": "deviates", "note": "案卷未写明从重理由"}),
        ),
        step(
            "GET",
            "/api/v1/supervision/samples/{id}",
            "/api/v1/supervision/samples/{sample}",
            Some(Supervisor),
        ),
        step(
            "GET",
            "/api/v1/supervision/samples/{id}/export.xlsx",
            "/api/v1/supervision/samples/{sample}/export.xlsx",
            Some(Supervisor),
        ),
        step(
            "GET",
            "/api/v1/supervision/report",
            "/api/v1/supervision/report?unit=ZHZF&from={today}&to={today}",
            Some(Supervisor),
        ),
        publish,
        step(
            "GET",
            "/api/v1/standards/versions",
            "/api/v1/standards/versions",
            None,
        ),
        step(
            "GET",
            "/api/v1/standards/versions/{version}",
            "/api/v1/standards/versions/2026.2",
            None,
        ),
        step(
            "GET",
            "/api/v1/standards/versions/{version}/diff",
            "/api/v1/standards/versions/2026.2/diff?against=2026.1",
            None,
        ),
        step(
            "GET",
            "/api/v1/standards/versions/{version}/files",
            "/api/v1/standards/versions/2026.2/files",
            None,
        ),
        body(
            step(
                "POST",
                "/api/v1/standards/versions/{version}/withdraw",
                "/api/v1/standards/versions/2026.2/withdraw",
                Some(Publisher),
            ),
            json!({"note": "施行前发现较轻阶次金额有误，撤回"}),
        ),
        body(
            status(
                step("POST", "/api/v1/tokens", "/api/v1/tokens", Some(Admin)),
                201,
            ),
            json!({"name": "王五", "unit": "ZHZF", "role": "inspector"}),
        ),
        step("GET", "/api/v1/tokens", "/api/v1/tokens", Some(Admin)),
        status(
            step(
                "DELETE",
                "/api/v1/tokens/{id}",
                "/api/v1/tokens/{id}",
                Some(Admin),
            ),
            204,
        ),
    ]
}

fn review_case(case_ref: &str, fine: &str) -> Value {
    json!({"case_ref": case_ref, "party": "individual", "inspector": "张三",
        "act_date": "2026-10-01", "discovered_date": "2026-10-01", "decision_date": "2026-10-08",
        "circumstances": [],
        "acts": [{"matter_id": "ZHZF-019", "facts": {"stall_area": "1.5", "in_bridge_or_underpass": false}}],
        "proposed": {"fine": fine, "measures": [], "no_penalty": false},
        "reason": ""})
}

/// Fills `{name}` in a path from what earlier answers gave.
fn resolve(call: &str, saved: &HashMap<&str, String>) -> String {
    saved.iter().fold(call.to_string(), |p, (k, v)| {
        p.replace(&format!("{{{k}}}"), v)
    })
}

/// The example as shown: lists to their first two items, a version's files to two, texts over
/// 300 characters cut with "…".
fn abridge(v: &Value, key: &str) -> Value {
    match v {
        Value::Array(items) => {
            Value::Array(items.iter().take(2).map(|i| abridge(i, key)).collect())
        }
        Value::Object(map) => {
            let keep = if key == "files" { 2 } else { usize::MAX };
            Value::Object(
                map.iter()
                    .take(keep)
                    .map(|(k, v)| (k.clone(), abridge(v, k)))
                    .collect(),
            )
        }
        Value::String(s) if s.chars().count() > 300 => {
            Value::String(s.chars().take(300).collect::<String>() + "…")
        }
        other => other.clone(),
    }
}

/// A value that differs on every run or day: a time, today's date, a digest or id in hex, a
/// receipt, a token.
fn varies(s: &str) -> bool {
    let hex = s.len() >= 12 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let time = s.len() > 19 && s.as_bytes()[10] == b'T' && s[..4].parse::<u16>().is_ok();
    let receipt = s.split_once('-').is_some_and(|(a, b)| {
        a.parse::<u64>().is_ok() && b.len() == 4 && b.bytes().all(|c| c.is_ascii_hexdigit())
    });
    let today = penalty_standards::clock::today();
    let days = [today, today.pred_opt().unwrap()].map(|d| d.to_string());
    hex || time || receipt || s.starts_with("pst_") || days.iter().any(|d| d == s)
}

/// What is compared: volatile values replaced by a marker.
fn masked(v: &Value) -> Value {
    match v {
        Value::String(s) if varies(s) => json!("<varies>"),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    // The day an example was recorded, wherever a day of the run stands.
                    let dated = ["day", "from", "to", "today"].contains(&k.as_str())
                        && v.as_str().is_some_and(is_date);
                    let v = if dated || VOLATILE.contains(&k.as_str()) && !v.is_null() {
                        json!("<varies>")
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// A CSV export's volatile cells (receipt, time, day) masked cell by cell.
fn masked_csv(text: &str) -> String {
    text.lines()
        .map(|l| {
            l.split(',')
                .map(|c| {
                    if varies(c) || is_date(c) {
                        "<varies>"
                    } else {
                        c
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn run(app: &TestApp, s: &Step, saved: &mut HashMap<&str, String>) -> Value {
    let path = resolve(s.call, saved);
    if s.path == "/api/v1/supervision/alerts" {
        wait_for_an_alert(app);
    }
    let mut r = app.request(s.method, &path);
    if let Some(role) = s.role {
        r = r.bearer(app.token(role));
    }
    if let Some(b) = &s.request {
        let text = resolve(&b.to_string(), saved);
        r = r.json(&serde_json::from_str::<Value>(&text).unwrap());
    }
    let got = r.send();
    assert_eq!(got.status, s.status, "{} {path}: {}", s.method, got.text());
    let answer = if got.body.is_empty() {
        Value::Null
    } else if got
        .header("content-type")
        .is_some_and(|c| c.contains("spreadsheetml"))
    {
        // A workbook has no JSON example.
        Value::Null
    } else if got
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/csv"))
    {
        Value::String(got.text())
    } else {
        got.json()
    };
    if let Some(receipt) = answer["receipt"].as_str() {
        saved
            .entry("receipt")
            .or_insert_with(|| receipt.to_string());
    }
    if s.path == "/api/v1/supervision/samples" && s.method == "POST" {
        saved.insert("sample", answer["id"].as_str().unwrap().to_string());
        // The finding is on the case that deviated, wherever the random draw listed it.
        let case = answer["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["outcome"] == "deviates")
            .unwrap();
        saved.insert("case", case["receipt"].as_str().unwrap().to_string());
    }
    if s.path == "/api/v1/supervision/alerts" {
        saved.insert(
            "alert",
            answer["items"][0]["id"].as_str().unwrap().to_string(),
        );
    }
    if let Some(id) = answer["record"]["id"].as_str() {
        saved.insert("id", id.to_string());
    }
    abridge(&answer, "")
}

/// The alerts are evaluated beside the log, a moment after the entries they rest on.
fn wait_for_an_alert(app: &TestApp) {
    for _ in 0..100 {
        let page = app
            .get_as("/api/v1/supervision/alerts", Role::Supervisor)
            .json();
        if page["total"].as_i64().unwrap_or(0) > 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("no alert was raised");
}

fn shown(s: &Step, response: Value) -> Value {
    let mut e = json!({"method": s.method, "path": s.path, "status": s.status});
    if let Some(req) = s.shown_request.as_ref().or(s.request.as_ref()) {
        e["request"] = req.clone();
    }
    if !response.is_null() {
        e["response"] = response;
    }
    e
}

fn comparable(e: &Value) -> Value {
    let mut e = e.clone();
    if let Some(Value::String(csv)) = e.get("response") {
        e["response"] = Value::String(masked_csv(csv));
    }
    unordered(masked(&e))
}

/// Lists compared as sets: a random draw lists the same cases in another order.
fn unordered(v: Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(unordered).collect();
            items.sort_by_key(|i| i.to_string());
            Value::Array(items)
        }
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, unordered(v))).collect())
        }
        other => other,
    }
}

#[test]
fn every_operation_has_a_real_example() {
    let app = TestApp::builder().start();
    let root = temp_dir();
    let publication = json!({"effective_date": "2030-01-01", "note": "摆摊1至2平方米的较轻阶次调整为25元",
        "files": files_of(&standards_copy(root.path(), "2026.2", 25))});
    let steps = steps(publication);
    let mut saved = HashMap::from([("today", penalty_standards::clock::today().to_string())]);
    let got: Vec<Value> = steps
        .iter()
        .map(|s| {
            let response = run(&app, s, &mut saved);
            shown(s, response)
        })
        .collect();

    if std::env::var_os("UPDATE_OPENAPI_EXAMPLES").is_some() {
        let mut text = serde_json::to_string_pretty(&got).unwrap();
        text.push('\n');
        std::fs::write(EXAMPLES, text).unwrap();
    }
    let committed: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(EXAMPLES).unwrap()).unwrap();
    assert_eq!(committed.len(), got.len(), "one example per exchange");
    for (c, g) in committed.iter().zip(&got) {
        assert_eq!(
            comparable(c),
            comparable(g),
            "the example of {} {} is not what the server answers: run with UPDATE_OPENAPI_EXAMPLES=1",
            g["method"],
            g["path"]
        );
    }

    // Every operation of the document has its example.
    let doc: Value = serde_json::from_str(&penalty_standards::startup::openapi_json()).unwrap();
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), p.clone()))
        })
        .collect();
    let mut exemplified: Vec<(String, String)> = steps
        .iter()
        .map(|s| (s.method.to_string(), s.path.to_string()))
        .collect();
    documented.sort();
    exemplified.sort();
    assert_eq!(documented, exemplified);
}
