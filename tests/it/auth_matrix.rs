//! Every endpoint × every role, no token, a revoked token and a malformed header; reviewers
//! confined to their unit; rate limits; the log never holds a token.

use crate::support::{Response, TestApp, shared};
use penalty_standards::auth::Role;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Nobody,
    Role(Role),
    Revoked,
    Malformed,
}

const EVERYONE: [Who; 8] = [
    Who::Nobody,
    Who::Role(Role::Inspector),
    Who::Role(Role::Reviewer),
    Who::Role(Role::Supervisor),
    Who::Role(Role::Admin),
    Who::Role(Role::Publisher),
    Who::Revoked,
    Who::Malformed,
];

fn calc_body() -> Value {
    json!({"matter_id": "ZHZF-001", "party": "organisation", "facts": {"construction_cost": "1000000", "illegal_area": "45"},
           "act_date": "2026-05-01", "case_ref": "龙综执罚〔2026〕7号"})
}

fn review_body() -> Value {
    let mut c = calc_body();
    let facts = c["facts"].take();
    json!({"case_ref": "龙综执罚〔2026〕8号", "party": "organisation", "act_date": "2026-05-01",
           "acts": [{"matter_id": "ZHZF-001", "facts": facts}], "proposed": {"fine": "50000"}})
}

fn call(who: Who, method: &str, path: &str, body: Option<&Value>) -> Response {
    let app = shared();
    let mut req = app.request(method, path);
    req = match who {
        Who::Nobody => req,
        Who::Role(r) => req.bearer(app.token(r)),
        Who::Revoked => req.bearer(&app.revoked),
        Who::Malformed => req.header("Authorization", "Token abc"),
    };
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send()
}

/// The status a caller must get from an endpoint open to `allowed` (None: public).
fn expected(who: Who, allowed: Option<&[Role]>, ok: u16) -> u16 {
    match (who, allowed) {
        (Who::Revoked | Who::Malformed, _) => 401,
        (Who::Nobody, None) => ok,
        (Who::Nobody, Some(_)) => 401,
        (Who::Role(_), None) => ok,
        (Who::Role(r), Some(roles)) => {
            if roles.contains(&r) {
                ok
            } else {
                403
            }
        }
    }
}

fn receipt_of_a_zhzf_calculation() -> String {
    let r = call(
        Who::Role(Role::Inspector),
        "POST",
        "/api/v1/calculate",
        Some(&calc_body()),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["receipt"].as_str().unwrap().to_string()
}

/// method, path, body, the roles allowed (None: public), the success status.
type Case<'a> = (&'a str, String, Option<Value>, Option<&'a [Role]>, u16);

#[test]
fn every_endpoint_for_every_caller() {
    let receipt = receipt_of_a_zhzf_calculation();
    let readers: &[Role] = &[Role::Reviewer, Role::Supervisor];
    let new_token = json!({"name": "李四", "unit": "ZHZF", "role": "inspector"});
    let cases: Vec<Case> = vec![
        ("GET", "/api/v1/units".into(), None, None, 200),
        ("GET", "/api/v1/matters?q=sthj".into(), None, None, 200),
        ("GET", "/api/v1/matters/STHJ-001".into(), None, None, 200),
        ("GET", "/api/v1/circumstances".into(), None, None, 200),
        ("GET", "/api/v1/stats".into(), None, None, 200),
        ("GET", "/api/v1/standards/versions".into(), None, None, 200),
        (
            "GET",
            "/api/v1/standards/versions/2026.1/files".into(),
            None,
            None,
            200,
        ),
        // A publisher passes authorisation and reaches the checks: an upload without files is
        // refused (the shared server's versions stay as they are), an unknown version is 404.
        (
            "POST",
            "/api/v1/standards/versions".into(),
            Some(json!({"effective_date": "2099-01-01", "note": "x", "files": {}})),
            Some(&[Role::Publisher]),
            422,
        ),
        (
            "POST",
            "/api/v1/standards/versions/0000.0/withdraw".into(),
            Some(json!({"note": "x"})),
            Some(&[Role::Publisher]),
            404,
        ),
        (
            "GET",
            "/api/v1/standards/versions/2026.1".into(),
            None,
            None,
            200,
        ),
        (
            "GET",
            "/api/v1/standards/versions/2026.1/diff?against=2026.1".into(),
            None,
            None,
            200,
        ),
        (
            "POST",
            "/api/v1/calculate".into(),
            Some(calc_body()),
            Some(&[Role::Inspector, Role::Reviewer]),
            200,
        ),
        (
            "POST",
            "/api/v1/reviews".into(),
            Some(review_body()),
            Some(readers),
            200,
        ),
        (
            "POST",
            "/api/v1/reviews/batch".into(),
            Some(json!({"cases": [review_body()]})),
            Some(readers),
            200,
        ),
        (
            "GET",
            "/m/pack".into(),
            None,
            Some(&[Role::Inspector, Role::Reviewer]),
            200,
        ),
        // The search's inputs for the phone: public like the published standards.
        ("GET", "/m/search-index".into(), None, None, 200),
        ("GET", "/api/v1/queries".into(), None, Some(readers), 200),
        (
            "GET",
            format!("/api/v1/queries/{receipt}"),
            None,
            Some(readers),
            200,
        ),
        (
            "GET",
            "/api/v1/queries/export.csv".into(),
            None,
            Some(readers),
            200,
        ),
        (
            "GET",
            "/api/v1/supervision/stats".into(),
            None,
            Some(&[Role::Supervisor]),
            200,
        ),
        (
            "POST",
            "/api/v1/supervision/samples".into(),
            Some(json!({"from": "2026-01-01", "to": "2026-12-31", "size": 1})),
            Some(&[Role::Supervisor]),
            201,
        ),
        (
            "GET",
            "/api/v1/my/queries".into(),
            None,
            Some(&[Role::Inspector, Role::Reviewer, Role::Supervisor]),
            200,
        ),
        (
            "GET",
            "/api/v1/supervision/samples".into(),
            None,
            Some(&[Role::Supervisor]),
            200,
        ),
        (
            "GET",
            "/api/v1/supervision/samples/0-0000".into(),
            None,
            Some(&[Role::Supervisor]),
            404,
        ),
        (
            "GET",
            "/api/v1/supervision/samples/0-0000/export.xlsx".into(),
            None,
            Some(&[Role::Supervisor]),
            404,
        ),
        (
            "POST",
            "/api/v1/supervision/samples/0-0000/findings".into(),
            Some(json!({"receipt": "1-0000", "conclusion": "conforms"})),
            Some(&[Role::Supervisor]),
            404,
        ),
        (
            "GET",
            "/api/v1/supervision/report?from=2026-01-01&to=2026-12-31".into(),
            None,
            Some(readers),
            200,
        ),
        (
            "GET",
            "/api/v1/tokens".into(),
            None,
            Some(&[Role::Admin]),
            200,
        ),
        (
            "GET",
            "/api/v1/supervision/alerts".into(),
            None,
            Some(readers),
            200,
        ),
        (
            "GET",
            "/api/v1/supervision/rules".into(),
            None,
            Some(readers),
            200,
        ),
        (
            "PUT",
            "/api/v1/supervision/rules".into(),
            Some(serde_json::to_value(penalty_standards::alerts::RuleSettings::default()).unwrap()),
            Some(&[Role::Supervisor]),
            200,
        ),
        // Past authorisation, an alert that does not exist.
        (
            "POST",
            "/api/v1/supervision/alerts/1-late_sync/disposition".into(),
            Some(json!({"status": "dismissed", "text": "误报"})),
            Some(&[Role::Supervisor]),
            404,
        ),
        (
            "POST",
            "/api/v1/tokens".into(),
            Some(new_token),
            Some(&[Role::Admin]),
            201,
        ),
    ];
    for (method, path, body, allowed, ok) in &cases {
        for who in EVERYONE {
            let r = call(who, method, path, body.as_ref());
            assert_eq!(
                r.status,
                expected(who, *allowed, *ok),
                "{who:?} {method} {path}: {}",
                r.text()
            );
            // A refusal of the caller (not the success status, which may itself be a refusal of
            // the request, past authorisation) names why.
            if r.status != *ok {
                let code = r.code();
                let want = match r.status {
                    401 if who == Who::Malformed => "malformed_token",
                    401 if who == Who::Revoked => "invalid_token",
                    401 => "missing_token",
                    _ => "forbidden",
                };
                assert_eq!(code, want, "{who:?} {method} {path}");
            }
        }
    }
    // Revoking: admin only; the target must exist.
    for (i, who) in EVERYONE.into_iter().enumerate() {
        let created = call(
            Who::Role(Role::Admin),
            "POST",
            "/api/v1/tokens",
            Some(&json!({"name": format!("王五{i}"), "unit": "ZHZF", "role": "inspector"})),
        );
        let id = created.json()["record"]["id"].as_str().unwrap().to_string();
        let r = call(who, "DELETE", &format!("/api/v1/tokens/{id}"), None);
        assert_eq!(
            r.status,
            expected(who, Some(&[Role::Admin]), 204),
            "{who:?} DELETE token"
        );
    }
    // Health answers everyone, for load balancers.
    for who in EVERYONE {
        assert_eq!(call(who, "GET", "/healthz", None).status, 200);
    }
}

#[test]
fn a_calculation_is_logged_with_its_receipt_and_never_the_token() {
    let r = call(
        Who::Role(Role::Inspector),
        "POST",
        "/api/v1/calculate",
        Some(&calc_body()),
    );
    let answer = r.json();
    let receipt = answer["receipt"].as_str().unwrap();
    let entry = call(
        Who::Role(Role::Supervisor),
        "GET",
        &format!("/api/v1/queries/{receipt}"),
        None,
    )
    .json();
    assert_eq!(entry["matter_id"], "ZHZF-001");
    assert_eq!(entry["caller"]["role"], "inspector");
    assert_eq!(entry["caller"]["unit"], "ZHZF");
    assert_eq!(entry["client"], "rest");
    assert_eq!(entry["case_ref"], "龙综执罚〔2026〕7号");
    assert_eq!(entry["result"]["fine"], answer["fine"]);
    assert_eq!(entry["request"]["facts"]["illegal_area"], "45");
    assert_eq!(entry["outcome"], "penalty");
    // The mobile page says so.
    let app = shared();
    let m = app
        .request("POST", "/api/v1/calculate")
        .bearer(app.token(Role::Inspector))
        .header("X-Client", "mobile")
        .json(&calc_body())
        .send();
    let e = call(
        Who::Role(Role::Supervisor),
        "GET",
        &format!("/api/v1/queries/{}", m.json()["receipt"].as_str().unwrap()),
        None,
    )
    .json();
    assert_eq!(e["client"], "mobile");
    // No token, nor its secret, anywhere in the database file.
    let db = std::fs::read(app.data_dir().join("supervision.sqlite3")).unwrap();
    let wal = std::fs::read(app.data_dir().join("supervision.sqlite3-wal")).unwrap_or_default();
    for t in app.tokens() {
        let secret = t.rsplit('_').next().unwrap().as_bytes();
        assert!(
            !db.windows(secret.len()).any(|w| w == secret)
                && !wal.windows(secret.len()).any(|w| w == secret)
        );
    }
}

#[test]
fn reviewers_see_only_their_unit() {
    let receipt = receipt_of_a_zhzf_calculation();
    let app = shared();
    let get = |path: &str| app.request("GET", path).bearer(&app.other_reviewer).send();
    assert_eq!(
        get(&format!("/api/v1/queries/{receipt}")).status,
        404,
        "another unit's receipt is not revealed"
    );
    assert_eq!(get("/api/v1/queries?unit=ZHZF").status, 403);
    let own = get("/api/v1/queries").json();
    assert!(
        own["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["caller"]["unit"] == "STHJ")
    );
    let same_unit = call(Who::Role(Role::Reviewer), "GET", "/api/v1/queries", None).json();
    assert!(same_unit["total"].as_i64().unwrap() >= 1);
    assert!(
        same_unit["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["caller"]["unit"] == "ZHZF")
    );
}

#[test]
fn log_listing_filters_and_csv_export() {
    receipt_of_a_zhzf_calculation();
    let r = call(
        Who::Role(Role::Supervisor),
        "GET",
        "/api/v1/queries?matter=ZHZF-001&outcome=penalty&per_page=1",
        None,
    )
    .json();
    assert!(r["total"].as_i64().unwrap() >= 1);
    assert_eq!(r["items"].as_array().unwrap().len(), 1);
    let bad = call(
        Who::Role(Role::Supervisor),
        "GET",
        "/api/v1/queries?from=yesterday",
        None,
    );
    assert_eq!((bad.status, bad.code().as_str()), (400, "invalid_query"));
    let csv = call(
        Who::Role(Role::Supervisor),
        "GET",
        "/api/v1/queries/export.csv",
        None,
    );
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.body.starts_with("\u{feff}回执号,".as_bytes()),
        "UTF-8 BOM and the Chinese header"
    );
    assert!(csv.text().contains("ZHZF-001"));
    assert!(csv.text().contains(",裁量查询,"), "the kind of each entry");
    let stats = call(
        Who::Role(Role::Supervisor),
        "GET",
        "/api/v1/supervision/stats",
        None,
    )
    .json();
    assert!(
        stats["per_matter"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "ZHZF-001")
    );
    assert!(stats["per_inspector"][0]["no_penalty_share"].is_string());
}

#[test]
fn a_token_revoked_through_the_api_stops_at_once() {
    let created = call(
        Who::Role(Role::Admin),
        "POST",
        "/api/v1/tokens",
        Some(&json!({"name": "赵六", "unit": "ZHZF", "role": "inspector"})),
    )
    .json();
    let token = created["token"].as_str().unwrap().to_string();
    let id = created["record"]["id"].as_str().unwrap().to_string();
    let app = shared();
    let use_it = || {
        app.request("POST", "/api/v1/calculate")
            .bearer(&token)
            .json(&calc_body())
            .send()
            .status
    };
    assert_eq!(use_it(), 200);
    assert_eq!(
        call(
            Who::Role(Role::Admin),
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            None
        )
        .status,
        204
    );
    assert_eq!(use_it(), 401);
    // A wrong secret for a real id is refused too.
    let forged = format!("{}_{}", &token[..token.rfind('_').unwrap()], "0".repeat(48));
    let r = app.request("GET", "/api/v1/units").bearer(&forged).send();
    assert_eq!(r.status, 401);
}

#[test]
fn rate_limit_per_token() {
    let app = TestApp::builder().rate_limit(2).start();
    let statuses: Vec<u16> = (0..8)
        .map(|_| app.get_as("/api/v1/units", Role::Inspector).status)
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(statuses[0], 200);
    // A 429 says when to come back.
    let limited = (0..8)
        .map(|_| app.get_as("/api/v1/units", Role::Inspector))
        .find(|r| r.status == 429)
        .expect("limited again");
    assert!(
        limited
            .header("retry-after")
            .is_some_and(|s| s.parse::<u64>().is_ok())
    );
    // Another token has its own bucket.
    assert_eq!(app.get_as("/api/v1/units", Role::Supervisor).status, 200);
}

#[test]
fn postgres_backed_service_answers_and_logs() {
    let Some(app) = TestApp::builder().postgres() else {
        return;
    };
    let app = app.start();
    let r = app.post_as("/api/v1/calculate", Role::Inspector, &calc_body());
    assert_eq!(r.status, 200, "{}", r.text());
    let receipt = r.json()["receipt"].as_str().unwrap().to_string();
    let e = app.get_as(&format!("/api/v1/queries/{receipt}"), Role::Supervisor);
    assert_eq!(e.status, 200);
    assert_eq!(e.json()["receipt"], receipt.as_str());
}

#[test]
fn no_answer_when_the_log_cannot_be_written() {
    let app = TestApp::builder().start();
    // The log's table disappears under the running service.
    rusqlite::Connection::open(app.data_dir().join("supervision.sqlite3"))
        .unwrap()
        .execute_batch("DROP TABLE log_entries")
        .unwrap();
    let r = app.post_as("/api/v1/calculate", Role::Inspector, &calc_body());
    assert_eq!((r.status, r.code().as_str()), (503, "log_unavailable"));
    assert!(
        r.json().get("fine").is_none() && r.json().get("receipt").is_none(),
        "no answer without its log entry"
    );
}

/// An inspector opens their own past receipts, and nobody else's.
#[test]
fn an_inspector_reads_their_own_entries_only() {
    let app = TestApp::builder().start();
    let mine = app.post_as("/api/v1/calculate", Role::Inspector, &calc_body());
    let receipt = mine.json()["receipt"].as_str().unwrap().to_string();
    let other = app
        .post_as(
            "/api/v1/tokens",
            Role::Admin,
            &json!({"name": "王五", "unit": "ZHZF", "role": "inspector"}),
        )
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = app
        .request("POST", "/api/v1/calculate")
        .bearer(&other)
        .json(&calc_body())
        .send()
        .json()["receipt"]
        .as_str()
        .unwrap()
        .to_string();

    let list = app.get_as("/api/v1/my/queries", Role::Inspector).json();
    let receipts: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["receipt"].as_str().unwrap())
        .collect();
    assert_eq!(receipts, [receipt.as_str()], "{list}");
    assert_eq!(
        app.get_as(&format!("/api/v1/my/queries/{receipt}"), Role::Inspector)
            .status,
        200
    );
    assert_eq!(
        app.get_as(&format!("/api/v1/my/queries/{theirs}"), Role::Inspector)
            .status,
        404,
        "another inspector's receipt is not found"
    );
    let as_other = app
        .request("GET", "/api/v1/my/queries")
        .bearer(&other)
        .send()
        .json();
    // No second live token under a name the unit already has: it would read the first's.
    let twin = app.post_as(
        "/api/v1/tokens",
        Role::Admin,
        &json!({"name": " 王五 ", "unit": "zhzf", "role": "reviewer"}),
    );
    assert_eq!((twin.status, twin.code()), (409, "name_taken".to_string()));
    // Nor can a reviewer or supervisor open an inspector's entry as their own.
    for role in [Role::Reviewer, Role::Supervisor] {
        assert_eq!(
            app.get_as(&format!("/api/v1/my/queries/{receipt}"), role)
                .status,
            404
        );
    }
    assert_eq!(as_other["total"], 1);
    assert_eq!(as_other["items"][0]["receipt"], theirs.as_str());
    // The log's full listing stays closed to inspectors.
    assert_eq!(app.get_as("/api/v1/queries", Role::Inspector).status, 403);
}
