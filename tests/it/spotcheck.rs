//! Issue 17: spot checks (案卷评查) and the look-back report (回头看), against the real server
//! on both backends: a draw is reproducible from its seed and is itself in the log; findings
//! are logged and tamper-evident; the report counts this period against the previous one.

use std::process::Command;

use penalty_standards::auth::Role;
use serde_json::{Value, json};

use crate::support::TestApp;

fn apps() -> Vec<(&'static str, TestApp)> {
    let mut v = vec![("sqlite", TestApp::builder().start())];
    v.extend(
        TestApp::builder()
            .postgres()
            .map(|b| ("postgres", b.start())),
    );
    v
}

fn calculate(app: &TestApp, case_ref: &str, area: &str, act_date: &str) -> String {
    let r = app.post_as(
        "/api/v1/calculate",
        Role::Inspector,
        &json!({"matter_id": "ZHZF-019", "party": "individual", "case_ref": case_ref,
            "facts": {"stall_area": area, "in_bridge_or_underpass": false}, "act_date": act_date}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["receipt"].as_str().unwrap().to_string()
}

fn review(app: &TestApp, case_ref: &str, fine: &str, reason: &str) -> String {
    let r = app.post_as(
        "/api/v1/reviews",
        Role::Reviewer,
        &json!({"case_ref": case_ref, "party": "individual", "inspector": "张三",
            "act_date": "2026-10-01", "decision_date": "2026-10-08", "reason": reason,
            "acts": [{"matter_id": "ZHZF-019", "facts": {"stall_area": "1.5", "in_bridge_or_underpass": false}}],
            "proposed": {"fine": fine, "measures": [], "no_penalty": false}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["receipt"].as_str().unwrap().to_string()
}

/// 12 case files: 案1…案10 calculated (案1…案3 twice), 案1 and 案11, 案12 reviewed.
fn fill(app: &TestApp) {
    for i in 1..=10 {
        calculate(app, &format!("案{i}"), "1.5", "2026-10-01");
    }
    for i in 1..=3 {
        calculate(app, &format!("案{i}"), "3", "2026-10-01");
    }
    // A query without a case number has no file to check.
    let r = app.post_as(
        "/api/v1/calculate",
        Role::Inspector,
        &json!({"matter_id": "ZHZF-019", "party": "individual",
            "facts": {"stall_area": "1.5", "in_bridge_or_underpass": false}, "act_date": "2026-10-01"}),
    );
    assert_eq!(r.status, 200);
    review(app, "案1", "20", "");
    review(app, "案11", "40", "");
    review(app, "案12", "40", "当事人系残疾人，生活困难");
}

fn drawn(view: &Value) -> Vec<String> {
    view["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["receipt"].as_str().unwrap().to_string())
        .collect()
}

fn draw(app: &TestApp, body: Value) -> Value {
    let r = app.post_as("/api/v1/supervision/samples", Role::Supervisor, &body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn today() -> String {
    penalty_standards::clock::today().to_string()
}

#[test]
fn a_draw_is_reproducible_from_its_seed_and_is_itself_in_the_log() {
    for (name, app) in apps() {
        fill(&app);
        let params =
            json!({"from": today(), "to": today(), "size": 5, "strata": "none", "seed": 42});
        let a = draw(&app, params.clone());
        assert_eq!(
            a["strata"][0]["population"], 12,
            "{name}: one file per case number"
        );
        let first = drawn(&a);
        assert_eq!(first.len(), 5);
        let b = draw(&app, params.clone());
        assert_eq!(
            drawn(&b),
            first,
            "{name}: same parameters and seed, same sample"
        );
        assert_ne!(a["id"], b["id"], "{name}: each draw is its own entry");
        let c = draw(
            &app,
            json!({"from": today(), "to": today(), "size": 5, "strata": "none", "seed": 43}),
        );
        assert_ne!(drawn(&c), first, "{name}: another seed, another sample");

        // A case reviewed is drawn as its review; one only calculated as its latest query.
        for case in a["cases"].as_array().unwrap() {
            let reviewed = ["案1", "案11", "案12"].contains(&case["case_ref"].as_str().unwrap());
            assert_eq!(case["kind"] == "review", reviewed, "{name}: {case}");
        }

        // The draw in the log: parameters, seed, rule and receipts, under the supervisor.
        let id = a["id"].as_str().unwrap();
        let entry = app
            .get_as(&format!("/api/v1/queries/{id}"), Role::Supervisor)
            .json();
        assert_eq!(entry["kind"], "sample_draw", "{name}");
        assert_eq!(entry["request"]["seed"], 42);
        assert_eq!(entry["caller"]["role"], "supervisor");
        let logged: Vec<&str> = entry["result"]["strata"][0]["receipts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(logged, first);
        assert!(entry["result"]["rule"].as_str().unwrap().contains("权重"));

        // Without a seed one is chosen, recorded, and redraws the same.
        let d = draw(&app, json!({"from": today(), "to": today(), "size": 4}));
        let seed = d["request"]["seed"].as_u64().unwrap();
        let again = draw(
            &app,
            json!({"from": today(), "to": today(), "size": 4, "seed": seed}),
        );
        assert_eq!(drawn(&again), drawn(&d), "{name}");

        // Every draw ever made is listed, newest first.
        let list = app
            .get_as("/api/v1/supervision/samples", Role::Supervisor)
            .json();
        assert_eq!(list.as_array().unwrap().len(), 5, "{name}");
        assert_eq!(list[0]["id"], again["id"]);

        // The statistics stay those of decisions: the draws are not queries.
        let stats = app
            .get_as("/api/v1/supervision/stats", Role::Supervisor)
            .json();
        assert_eq!(stats["total"], 17, "{name}: 14 calculations and 3 reviews");
    }
}

#[test]
fn draws_are_refused_when_they_make_no_sense_and_only_supervisors_draw() {
    let app = TestApp::builder().start();
    for (body, code) in [
        (
            json!({"from": "2026-12-01", "to": "2026-11-01", "size": 5}),
            "invalid_period",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 0}),
            "invalid_size",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 501}),
            "invalid_size",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 5, "unit": "XXXX"}),
            "unknown_unit",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 5, "extra": 1}),
            "invalid_sample",
        ),
        (json!({"from": "2026-11-01", "size": 5}), "invalid_sample"),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 5, "seed": 9007199254740992_u64}),
            "invalid_seed",
        ),
    ] {
        let r = app.post_as("/api/v1/supervision/samples", Role::Supervisor, &body);
        assert_eq!(
            (r.status, r.code()),
            (422, code.to_string()),
            "{body}: {}",
            r.text()
        );
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(
            !message.contains("invalid") && !message.contains("expected"),
            "{message}"
        );
    }
    let ok = json!({"from": "2026-11-01", "to": "2026-12-01", "size": 5});
    for role in [
        Role::Inspector,
        Role::Reviewer,
        Role::Admin,
        Role::Publisher,
    ] {
        assert_eq!(
            app.post_as("/api/v1/supervision/samples", role, &ok).status,
            403
        );
    }
}

#[test]
fn findings_are_logged_the_latest_counts_and_tampering_is_caught() {
    for (name, app) in apps() {
        fill(&app);
        let a = draw(
            &app,
            json!({"from": today(), "to": today(), "size": 3, "seed": 7}),
        );
        let id = a["id"].as_str().unwrap().to_string();
        let target = drawn(&a)[0].clone();
        let path = format!("/api/v1/supervision/samples/{id}/findings");
        let post = |body: Value| app.post_as(&path, Role::Supervisor, &body);
        let r = post(json!({"receipt": target, "conclusion": "deviates", "note": "未写明理由"}));
        assert_eq!(r.status, 201, "{name}: {}", r.text());
        let r = post(
            json!({"receipt": target.to_lowercase(), "conclusion": "conforms", "note": "补正后符合"}),
        );
        assert_eq!(r.status, 201, "{name}: {}", r.text());
        let finding = r.json()["receipt"].as_str().unwrap().to_string();
        let r = post(json!({"receipt": "1-0000", "conclusion": "conforms"}));
        assert_eq!((r.status, r.code()), (422, "not_in_sample".to_string()));
        let r = post(json!({"receipt": target, "conclusion": "fine"}));
        assert_eq!((r.status, r.code()), (422, "invalid_finding".to_string()));
        let r =
            post(json!({"receipt": target, "conclusion": "conforms", "note": "长".repeat(2001)}));
        assert_eq!((r.status, r.code()), (422, "invalid_note".to_string()));

        let view = app
            .get_as(
                &format!("/api/v1/supervision/samples/{id}"),
                Role::Supervisor,
            )
            .json();
        let case = view["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["receipt"] == target.as_str())
            .unwrap();
        assert_eq!(
            case["finding"]["conclusion"], "conforms",
            "{name}: the latest finding counts"
        );
        assert_eq!(case["finding"]["receipt"], finding.as_str());
        let entry = app
            .get_as(&format!("/api/v1/queries/{finding}"), Role::Supervisor)
            .json();
        assert_eq!(
            (entry["kind"].as_str(), entry["outcome"].as_str()),
            (Some("sample_finding"), Some("conforms"))
        );

        // The spreadsheet: a row per case file, the finding in its columns.
        let x = app.get_as(
            &format!("/api/v1/supervision/samples/{id}/export.xlsx"),
            Role::Supervisor,
        );
        assert_eq!(x.status, 200);
        let rows = xlsx_rows(&x.body);
        assert_eq!(rows.len(), 4, "{name}: a header and three cases");
        assert_eq!(rows[0][11], "评查结论");
        let row = rows.iter().find(|r| r[0] == target).unwrap();
        assert_eq!((row[11].as_str(), row[12].as_str()), ("符合", "补正后符合"));
        assert!(rows[1..].iter().all(|r| r[10].ends_with('元')), "{rows:?}");

        // A finding altered behind the service is caught by `log verify`.
        assert!(verify(&app).status.success(), "{name}");
        let seq: i64 = finding.split('-').next().unwrap().parse().unwrap();
        tamper(
            &app,
            &format!("UPDATE log_entries SET outcome = 'unlawful' WHERE seq = {seq}"),
        );
        let out = verify(&app);
        assert!(!out.status.success(), "{name}: tampering not caught");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&seq.to_string())
                || String::from_utf8_lossy(&out.stderr).contains(&seq.to_string())
        );
    }
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn verify(app: &TestApp) -> std::process::Output {
    let storage = app.storage();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_penalty-standards"));
    cmd.args(["log", "verify", "--data-dir"])
        .arg(&storage.data_dir)
        .env_remove("DATABASE_URL");
    if let Some(url) = &storage.database_url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().unwrap()
}

fn tamper(app: &TestApp, sql: &str) {
    let storage = app.storage();
    match &storage.database_url {
        Some(url) => postgres::Client::connect(url, postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap(),
        None => rusqlite::Connection::open(storage.data_dir.join("supervision.sqlite3"))
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
    }
}

#[test]
fn the_look_back_report_counts_against_the_previous_period() {
    for (name, app) in apps() {
        fill(&app);
        let t = today();
        let r = app.get_as(
            &format!("/api/v1/supervision/report?from={t}&to={t}"),
            Role::Supervisor,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let report = r.json();
        assert_eq!(
            report["previous"]["to"], report["previous"]["from"],
            "{name}: one day before"
        );
        let u = &report["units"][0];
        assert_eq!(u["unit"], "ZHZF");
        assert_eq!(
            u["calculations"],
            json!({"current": 14, "previous": 0, "change": 14}),
            "{name}"
        );
        assert_eq!(u["reviews"]["current"], 3);
        assert_eq!(
            u["departures"]["current"], 2,
            "{name}: 案11 and 案12 above the standard"
        );
        let reasons = u["reasons"].as_array().unwrap();
        let texts: Vec<&str> = reasons
            .iter()
            .map(|g| g["reason"].as_str().unwrap())
            .collect();
        assert!(
            texts.contains(&"未说明理由") && texts.contains(&"当事人系残疾人，生活困难"),
            "{texts:?}"
        );
        // Tiers of ZHZF-019 this period: 11 at 1.5 m² (tier 2), 3 at 3 m².
        let tiers = &u["tiers"][0]["tiers"];
        assert_eq!(
            tiers
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["count"].as_i64().unwrap())
                .sum::<i64>(),
            14
        );

        // Reviewers see their own unit's only; a reviewer of another unit sees nothing of ZHZF.
        let other = app
            .request(
                "GET",
                &format!("/api/v1/supervision/report?from={t}&to={t}&unit=ZHZF"),
            )
            .bearer(&app.other_reviewer)
            .send()
            .json();
        assert!(
            other["units"].as_array().unwrap().is_empty(),
            "{name}: {other}"
        );
        assert_eq!(
            app.get_as(
                &format!("/api/v1/supervision/report?from={t}&to={t}"),
                Role::Inspector
            )
            .status,
            403
        );
        let bad = app.get_as(
            "/api/v1/supervision/report?from=2026-12-01&to=2026-11-01",
            Role::Supervisor,
        );
        assert_eq!(
            (bad.status, bad.code()),
            (422, "invalid_period".to_string())
        );
        let bad = app.get_as(
            "/api/v1/supervision/report?from=2026-13-01&to=2026-11-01",
            Role::Supervisor,
        );
        assert_eq!(bad.status, 400);
    }
}

#[test]
fn the_pages_draw_record_findings_and_report_behind_the_session() {
    let app = TestApp::builder().start();
    fill(&app);
    let own = app.url("");
    let r = app
        .request("POST", "/supervision/login")
        .header("Origin", &own)
        .form(&[("token", app.token(Role::Supervisor))])
        .send();
    assert_eq!(r.status, 303, "{}", r.text());
    let cookie = r
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("pst_session="))
        .unwrap();
    let get = |path: &str| app.request("GET", path).header("Cookie", &cookie).send();
    let post = |path: &str, origin: &str, form: &[(&str, &str)]| {
        app.request("POST", path)
            .header("Cookie", &cookie)
            .header("Origin", origin)
            .form(form)
            .send()
    };
    let t = today();
    let form = [
        ("unit", "ZHZF"),
        ("from", t.as_str()),
        ("to", t.as_str()),
        ("size", "3"),
        ("strata", "unit"),
        ("seed", "11"),
    ];
    assert_eq!(
        post("/supervision/samples", "https://evil.example", &form).status,
        403
    );
    let r = post("/supervision/samples", &own, &form);
    assert_eq!(r.status, 303, "{}", r.text());
    let to = r.header("location").unwrap().to_string();
    let page = get(&to);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("案卷评查抽样") && html.contains("随机种子 11"),
        "{html}"
    );
    let receipt = html
        .split("name=\"receipt\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = post(
        &format!("{to}/findings"),
        &own,
        &[
            ("receipt", &receipt),
            ("conclusion", "unlawful"),
            ("note", "超出法定幅度"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(get(&to).text().contains("超出法定幅度"));
    assert_eq!(get(&format!("{to}/export.xlsx")).status, 200);
    assert!(
        get("/supervision/samples")
            .text()
            .contains(to.rsplit('/').next().unwrap())
    );

    let report = get(&format!("/supervision/report?unit=&from={t}&to={t}"));
    assert_eq!(report.status, 200);
    let html = report.text();
    assert!(
        html.contains("综合行政执法") && html.contains("上期") && html.contains("未说明理由"),
        "{html}"
    );
    assert!(
        !html.contains("calculations") && !html.contains("no_penalty"),
        "no field names for people"
    );
    let x = get(&format!("/supervision/report.xlsx?from={t}&to={t}"));
    assert_eq!(x.status, 200);
    assert!(!xlsx_rows(&x.body).is_empty());

    // Without the session: the sign-in page, nothing drawn.
    let r = app.request("GET", "/supervision/samples").send();
    assert_eq!(r.status, 401);
}
