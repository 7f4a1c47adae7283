//! Case review over the real HTTP server: one case, a 1,000-case batch with bad cases in it,
//! the log entries and the deviation statistics (SQLite and PostgreSQL).

use crate::support::{TestApp, TestAppBuilder, get_as, shared};
use penalty_standards::auth::Role;
use serde_json::{Value, json};

/// ZHZF-001 with these facts is tier 2 (see the bundled standards); the proposal varies.
fn zhzf_case(case_ref: &str, inspector: &str, fine: &str) -> Value {
    json!({
        "case_ref": case_ref,
        "party": "organisation",
        "inspector": inspector,
        "act_date": "2026-05-01",
        "decision_date": "2026-06-01",
        "acts": [{"matter_id": "ZHZF-001", "facts": {"construction_cost": "1000000", "illegal_area": "45"}}],
        "proposed": {"fine": fine},
    })
}

/// The standard band of the case, from a review that proposes nothing unusual.
fn standard_band(app: &TestApp) -> (String, String) {
    let r = app.post_as(
        "/api/v1/reviews",
        Role::Reviewer,
        &zhzf_case("探测", "王五", "1"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let f = &r.json()["acts"][0]["standard"]["fine"];
    (
        f["min"].as_str().unwrap().to_string(),
        f["max"].as_str().unwrap().to_string(),
    )
}

#[test]
fn a_review_is_answered_with_verdict_and_receipt_and_logged() {
    let app = shared();
    let (min, _) = standard_band(app);
    let r = app.post_as(
        "/api/v1/reviews",
        Role::Reviewer,
        &zhzf_case("龙综执罚〔2026〕31号", "赵六", &min),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["verdict"], "conforms");
    assert_eq!(v["acts"][0]["proposed"]["fine"], json!(min));
    let receipt = v["receipt"].as_str().unwrap().to_string();

    let e = get_as(&format!("/api/v1/queries/{receipt}"), Role::Supervisor);
    assert_eq!(e.status, 200, "{}", e.text());
    let e = e.json();
    assert_eq!(e["kind"], "review");
    assert_eq!(e["outcome"], "conforms");
    assert_eq!(e["case_ref"], "龙综执罚〔2026〕31号");
    assert_eq!(e["caller"]["role"], "reviewer");
    assert_eq!(e["result"]["acts"][0]["verdict"], "conforms");
    assert_eq!(e["request"]["inspector"], "赵六");

    let listed = get_as(
        "/api/v1/queries?kind=review&outcome=conforms",
        Role::Reviewer,
    );
    assert_eq!(listed.status, 200);
    assert!(
        listed.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "review" && i["outcome"] == "conforms")
    );
}

#[test]
fn inspectors_and_the_public_may_not_review() {
    let app = shared();
    let body = zhzf_case("x", "y", "1000");
    let r = app.post_as("/api/v1/reviews", Role::Inspector, &body);
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    let r = app.request("POST", "/api/v1/reviews").json(&body).send();
    assert_eq!(r.status, 401);
    let r = app.post_as("/api/v1/reviews", Role::Supervisor, &body);
    assert_eq!(r.status, 200, "supervisors audit case files: {}", r.text());
}

#[test]
fn a_bad_case_is_refused_with_its_field() {
    let app = shared();
    let mut body = zhzf_case("x", "y", "1000");
    body["acts"][0]["facts"] = json!({"construction_cost": "abc", "illegal_area": "45"});
    let r = app.post_as("/api/v1/reviews", Role::Reviewer, &body);
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(
        r.json()["error"]["field"],
        "acts[0].facts.construction_cost"
    );
    let r = app.post_as("/api/v1/reviews", Role::Reviewer, &json!([1, 2]));
    assert_eq!(r.status, 422);
}

#[test]
fn a_batch_of_1000_reviews_each_case_on_its_own() {
    let app = shared();
    let (min, max) = standard_band(app);
    let above = format!("{}", max.parse::<f64>().unwrap() as i64 + 1000);
    let cases: Vec<Value> = (0..1000)
        .map(|i| match i % 10 {
            // Bad cases in the middle of the stream: an error entry each.
            3 => json!({"case_ref": format!("批量{i}"), "party": "organisation"}),
            7 => {
                let mut c = zhzf_case(&format!("批量{i}"), "钱七", &min);
                c["acts"][0]["matter_id"] = json!("NOPE-404");
                c
            }
            5 => zhzf_case(&format!("批量{i}"), "钱七", &above),
            _ => zhzf_case(&format!("批量{i}"), "孙八", &min),
        })
        .collect();
    let r = app.post_as(
        "/api/v1/reviews/batch",
        Role::Reviewer,
        &json!({ "cases": cases }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 1000);
    let mut receipts = std::collections::HashSet::new();
    for (i, item) in results.iter().enumerate() {
        assert_eq!(item["index"], i);
        assert_eq!(item["case_ref"], format!("批量{i}"));
        match i % 10 {
            3 => {
                assert_eq!(item["status"], "error");
                assert_eq!(item["error"]["code"], "missing_field");
                assert_eq!(item["error"]["field"], "acts");
            }
            7 => {
                assert_eq!(item["status"], "error");
                assert_eq!(item["error"]["code"], "unknown_matter");
                assert_eq!(item["error"]["field"], "acts[0].matter_id");
            }
            5 => {
                assert_eq!(item["review"]["verdict"], "deviates");
                assert_eq!(item["review"]["acts"][0]["direction"], "heavier");
                assert_eq!(item["review"]["reason_required"], true);
            }
            _ => assert_eq!(item["review"]["verdict"], "conforms"),
        }
        if item["status"] == "reviewed" {
            assert!(receipts.insert(item["receipt"].as_str().unwrap().to_string()));
        }
    }
    assert_eq!(
        v["summary"],
        json!({"cases": 1000, "reviewed": 800, "errors": 200, "conforms": 700,
               "deviates": 100, "unlawful": 0, "reason_required": 100})
    );
    // Every reviewed case is in the log.
    let one = results[995]["receipt"].as_str().unwrap();
    assert_eq!(
        get_as(&format!("/api/v1/queries/{one}"), Role::Supervisor).status,
        200
    );
}

#[test]
fn batch_limits() {
    let app = shared();
    let too_many: Vec<Value> = (0..1001).map(|_| json!({})).collect();
    let r = app.post_as(
        "/api/v1/reviews/batch",
        Role::Reviewer,
        &json!({ "cases": too_many }),
    );
    assert_eq!((r.status, r.code().as_str()), (422, "invalid_batch"));
    let r = app.post_as(
        "/api/v1/reviews/batch",
        Role::Reviewer,
        &json!({"cases": [], "extra": 1}),
    );
    assert_eq!(r.status, 422);
    let r = app.post_as(
        "/api/v1/reviews/batch",
        Role::Inspector,
        &json!({"cases": [zhzf_case("x", "y", "1")]}),
    );
    assert_eq!(r.status, 403);
}

/// Deviation rate per unit, per inspector (承办人) and the most-deviated matters, on each backend.
fn deviation_statistics_on(app: TestAppBuilder) {
    let app = app.start();
    let (min, max) = standard_band(&app);
    let above = format!("{}", max.parse::<f64>().unwrap() as i64 + 1);
    let cases = vec![
        zhzf_case("统计1", "甲", &min),
        zhzf_case("统计2", "甲", &above),
        zhzf_case("统计3", "乙", &min),
        zhzf_case("统计4", "乙", &min),
        zhzf_case("统计5", "乙", "100000000"),
    ];
    let r = app.post_as(
        "/api/v1/reviews/batch",
        Role::Reviewer,
        &json!({ "cases": cases }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let s = app.get_as("/api/v1/supervision/stats", Role::Supervisor);
    assert_eq!(s.status, 200, "{}", s.text());
    let rv = &s.json()["reviews"];
    // The probe in standard_band is a review too (a fine of 1 yuan: unlawful).
    assert_eq!(rv["cases"], 6);
    assert_eq!(rv["acts"], 6);
    let unit = &rv["per_unit"][0];
    assert_eq!(unit["key"], "ZHZF");
    assert_eq!(
        (&unit["acts"], &unit["deviates"], &unit["unlawful"]),
        (&json!(6), &json!(1), &json!(2))
    );
    assert_eq!(unit["deviation_rate"], "0.5000");
    let per: std::collections::HashMap<String, Value> = rv["per_inspector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), r.clone()))
        .collect();
    assert_eq!(per["甲"]["deviation_rate"], "0.5000");
    assert_eq!(per["甲"]["reason_missing"], 1);
    assert_eq!(per["乙"]["deviation_rate"], "0.3333");
    assert_eq!(per["王五"]["unlawful"], 1);
    assert_eq!(rv["most_deviated_matters"][0]["key"], "ZHZF-001");
    assert_eq!(rv["most_deviated_matters"][0]["acts"], 6);
    // Calculations only: reviews left out of the query counts.
    let s = app.get_as(
        "/api/v1/supervision/stats?kind=calculation",
        Role::Supervisor,
    );
    assert_eq!(s.json()["total"], 0);
}

#[test]
fn deviation_statistics_sqlite() {
    deviation_statistics_on(TestApp::builder());
}

#[test]
fn deviation_statistics_postgres() {
    if let Some(app) = TestApp::builder().postgres() {
        deviation_statistics_on(app);
    }
}

/// Issue 15: the rows the deviation statistics count are derived from the reviews' hashed
/// records; `log verify` recomputes them, so an altered verdict, a row added or a row removed
/// is a tamper report, on both backends.
#[test]
fn altered_review_statistics_are_caught_by_log_verify() {
    let tampers = [
        "UPDATE review_acts SET outcome = 'conforms' WHERE outcome = 'unlawful'",
        "INSERT INTO review_acts (seq, act, day, unit, inspector, matter_id, outcome, direction, reason_required) SELECT seq, 99, day, unit, inspector, matter_id, outcome, direction, reason_required FROM review_acts LIMIT 1",
        "DELETE FROM review_acts WHERE seq = (SELECT MAX(seq) FROM review_acts)",
    ];
    for tamper in tampers {
        let builders: Vec<TestAppBuilder> = std::iter::once(TestApp::builder())
            .chain(TestApp::builder().postgres())
            .collect();
        for b in builders {
            let app = b.start();
            let cases = vec![
                zhzf_case("核1", "甲", "100000000"),
                zhzf_case("核2", "乙", "1"),
            ];
            let r = app.post_as(
                "/api/v1/reviews/batch",
                Role::Reviewer,
                &json!({ "cases": cases }),
            );
            assert_eq!(r.status, 200, "{}", r.text());
            let verify = || {
                let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_penalty-standards"));
                cmd.args(["log", "verify", "--data-dir"])
                    .arg(&app.storage().data_dir)
                    .env_remove("DATABASE_URL");
                if let Some(url) = &app.storage().database_url {
                    cmd.env("DATABASE_URL", url);
                }
                let out = cmd.output().unwrap();
                (
                    out.status.success(),
                    String::from_utf8_lossy(&out.stdout).to_string(),
                )
            };
            let (ok, out) = verify();
            assert!(
                ok && out.contains("2 review statistics rows agree"),
                "{out}"
            );
            match &app.storage().database_url {
                Some(url) => postgres::Client::connect(url, postgres::NoTls)
                    .unwrap()
                    .batch_execute(tamper)
                    .unwrap(),
                None => {
                    rusqlite::Connection::open(app.storage().data_dir.join("supervision.sqlite3"))
                        .unwrap()
                        .execute_batch(tamper)
                        .unwrap()
                }
            }
            let (ok, out) = verify();
            assert!(
                !ok && out.contains("review statistics rows of entry"),
                "{tamper}: {out}"
            );
        }
    }
}
