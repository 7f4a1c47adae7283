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

/// Waits until the alerts of everything logged so far are evaluated (they are, beside the log,
/// a moment after).
fn alerts_settle(app: &TestApp, at_least: i64) {
    for _ in 0..100 {
        let page = app
            .get_as("/api/v1/supervision/alerts", Role::Supervisor)
            .json();
        if page["total"].as_i64().unwrap_or(0) >= at_least {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("fewer than {at_least} alerts");
}

fn today() -> String {
    penalty_standards::clock::today().to_string()
}

#[test]
fn a_draw_is_replayed_from_its_recorded_seed_and_is_itself_in_the_log() {
    for (name, app) in apps() {
        fill(&app);
        let params = json!({"from": today(), "to": today(), "size": 5, "strata": "none"});
        let a = draw(&app, params.clone());
        assert_eq!(
            a["record"]["strata"][0]["population"], 12,
            "{name}: one file per case number"
        );
        let first = drawn(&a);
        assert_eq!(first.len(), 5);
        let seed = a["request"]["seed"]
            .as_u64()
            .expect("the server's seed, recorded");

        // A case reviewed is drawn as its review; one only calculated as its latest query.
        for case in a["cases"].as_array().unwrap() {
            let reviewed = ["案1", "案11", "案12"].contains(&case["case_ref"].as_str().unwrap());
            assert_eq!(case["kind"] == "review", reviewed, "{name}: {case}");
        }

        // More decisions are logged in the period; the same parameters and the recorded seed
        // still redraw the same sample, over the log as it stood.
        for i in 13..=20 {
            calculate(&app, &format!("案{i}"), "1.5", "2026-10-01");
        }
        let mut replay = params.clone();
        replay["seed"] = json!(seed);
        let b = draw(&app, replay.clone());
        assert_eq!(
            drawn(&b),
            first,
            "{name}: same parameters and seed, same sample"
        );
        assert_eq!(b["replay_of"], a["id"], "{name}");
        assert_eq!(b["matches_original"], true);
        assert_eq!(b["record"]["through_seq"], a["record"]["through_seq"]);
        assert_ne!(a["id"], b["id"], "{name}: the replay is logged too");

        // A new draw sees the new decisions; a seed no draw was made with is refused (it could
        // have been tried offline until the sample suited).
        let c = draw(&app, params.clone());
        assert_eq!(c["record"]["strata"][0]["population"], 20, "{name}");
        let r = app.post_as(
            "/api/v1/supervision/samples",
            Role::Supervisor,
            &json!({"from": today(), "to": today(), "size": 5, "strata": "none", "seed": seed ^ 1}),
        );
        assert_eq!(
            (r.status, r.code()),
            (422, "seed_not_drawn".to_string()),
            "{name}"
        );
        let mut other = replay.clone();
        other["size"] = json!(4);
        let r = app.post_as("/api/v1/supervision/samples", Role::Supervisor, &other);
        assert_eq!(
            r.code(),
            "seed_not_drawn",
            "{name}: the seed of other parameters"
        );

        // The draw in the log: parameters, seed, the last entry read, rule and receipts.
        let id = a["id"].as_str().unwrap();
        let entry = app
            .get_as(&format!("/api/v1/queries/{id}"), Role::Supervisor)
            .json();
        assert_eq!(entry["kind"], "sample_draw", "{name}");
        assert_eq!(entry["request"]["seed"], seed);
        assert_eq!(entry["caller"]["role"], "supervisor");
        assert_eq!(entry["result"]["through_seq"], a["record"]["through_seq"]);
        let logged: Vec<&str> = entry["result"]["strata"][0]["receipts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(logged, first);
        assert!(entry["result"]["rule"].as_str().unwrap().contains("预警"));
        assert_eq!(entry["result"]["rule_version"], 2);

        // Every draw ever made is listed, newest first.
        let list = app
            .get_as("/api/v1/supervision/samples", Role::Supervisor)
            .json();
        assert_eq!(list.as_array().unwrap().len(), 3, "{name}");
        assert_eq!(list[0]["id"], c["id"]);
        assert_eq!(list[1]["replay_of"], a["id"]);

        // A reviewer of the unit reads its decisions, not the supervisors' draws.
        let listed = app
            .get_as("/api/v1/queries?per_page=200", Role::Reviewer)
            .json();
        assert!(
            listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["kind"] == "calculation" || e["kind"] == "review"),
            "{name}"
        );
        assert_eq!(
            app.get_as(&format!("/api/v1/queries/{id}"), Role::Reviewer)
                .status,
            404,
            "{name}"
        );

        // The statistics stay those of decisions: the draws are not queries.
        let stats = app
            .get_as("/api/v1/supervision/stats", Role::Supervisor)
            .json();
        assert_eq!(stats["total"], 25, "{name}: 22 calculations and 3 reviews");
    }
}

#[test]
fn strata_by_unit_take_each_unit_its_share() {
    let app = TestApp::builder().start();
    fill(&app);
    // STHJ's reviewer reviews three STHJ cases.
    for i in 1..=3 {
        let r = app
            .request("POST", "/api/v1/reviews")
            .bearer(&app.other_reviewer)
            .json(&json!({"case_ref": format!("环{i}"), "party": "organisation", "act_date": "2026-10-01",
                "acts": [{"matter_id": "STHJ-001", "facts": {"refusal_form": "refused"}}],
                "proposed": {"fine": "150000"}}))
            .send();
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let a = draw(
        &app,
        json!({"from": today(), "to": today(), "size": 5, "strata": "unit"}),
    );
    let strata: Vec<(String, u64, usize)> = a["record"]["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stratum"].as_str().unwrap().to_string(),
                s["population"].as_u64().unwrap(),
                s["receipts"].as_array().unwrap().len(),
            )
        })
        .collect();
    // 3 of 15 files are STHJ's, 12 ZHZF's: 1 and 4 of 5.
    assert_eq!(strata, [("STHJ".into(), 3, 1), ("ZHZF".into(), 12, 4)]);
    let only = draw(
        &app,
        json!({"from": today(), "to": today(), "size": 5, "unit": "sthj"}),
    );
    assert!(
        only["cases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["unit"] == "STHJ")
    );
    assert!(
        only["cases"][0]["acts"][0]["standard_fine"].is_object(),
        "{only}"
    );
    assert_eq!(only["cases"][0]["acts"][0]["proposed_fine"], "150000.00");
}

#[test]
fn draws_are_refused_when_they_make_no_sense_and_only_supervisors_draw() {
    let app = TestApp::builder().start();
    for (body, code, field) in [
        (
            json!({"from": "2026-12-01", "to": "2026-11-01", "size": 5}),
            "invalid_period",
            "to",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 0}),
            "wrong_type",
            "size",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 501}),
            "wrong_type",
            "size",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": -1}),
            "wrong_type",
            "size",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 5, "unit": "XXXX"}),
            "unknown_unit",
            "unit",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 5, "extra": 1}),
            "unknown_field",
            "extra",
        ),
        (
            json!({"from": "2026-11-01", "size": 5}),
            "missing_field",
            "to",
        ),
        (
            json!({"from": "-262143-01-02", "to": "2026-12-01", "size": 5}),
            "invalid_date",
            "from",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-12-01", "size": 5, "seed": 9007199254740992_u64}),
            "wrong_type",
            "seed",
        ),
    ] {
        let r = app.post_as("/api/v1/supervision/samples", Role::Supervisor, &body);
        assert_eq!(
            (r.status, r.code()),
            (422, code.to_string()),
            "{body}: {}",
            r.text()
        );
        let error = &r.json()["error"];
        assert_eq!(error["field"], field, "{body}");
        let message = error["message"].as_str().unwrap();
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
        let a = draw(&app, json!({"from": today(), "to": today(), "size": 3}));
        let id = a["id"].as_str().unwrap().to_string();
        let target = drawn(&a)[0].clone();
        // A real receipt of this log that the sample did not draw.
        let outside = calculate(&app, "案99", "1.5", "2026-10-01");
        let path = format!("/api/v1/supervision/samples/{id}/findings");
        let post = |body: Value| app.post_as(&path, Role::Supervisor, &body);
        let r = post(json!({"receipt": target, "conclusion": "deviates", "note": "未写明理由"}));
        assert_eq!(r.status, 201, "{name}: {}", r.text());
        let r = post(
            json!({"receipt": target.to_lowercase(), "conclusion": "conforms", "note": "补正后符合"}),
        );
        assert_eq!(r.status, 201, "{name}: {}", r.text());
        let finding = r.json()["receipt"].as_str().unwrap().to_string();
        let r = post(json!({"receipt": outside, "conclusion": "conforms"}));
        assert_eq!((r.status, r.code()), (422, "not_in_sample".to_string()));
        assert_eq!(r.json()["error"]["field"], "receipt");
        let r = post(json!({"receipt": target, "conclusion": "fine"}));
        assert_eq!((r.status, r.code()), (422, "wrong_type".to_string()));
        assert_eq!(r.json()["error"]["field"], "conclusion");
        let r =
            post(json!({"receipt": target, "conclusion": "conforms", "note": "长".repeat(2001)}));
        assert_eq!((r.status, r.code()), (422, "too_long".to_string()));
        assert_eq!(r.json()["error"]["field"], "note");

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
        let col = |h: &str| rows[0].iter().position(|c| c == h).unwrap();
        let row = rows.iter().find(|r| r[0] == target).unwrap();
        assert_eq!(
            (row[col("评查结论")].as_str(), row[col("评查意见")].as_str()),
            ("符合", "补正后符合")
        );
        for r in &rows[1..] {
            assert!(
                r[col("违法事实")].contains("摊位占用面积"),
                "{name}: facts by their labels: {r:?}"
            );
            assert!(r[col("基准罚款")].ends_with('元'), "{r:?}");
        }
        assert!(
            rows[1..].iter().any(|r| r[col("拟处罚款")].ends_with('元'))
                || rows[1..].iter().all(|r| r[col("类型")] == "裁量查询")
        );

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
    crate::supervision_log::tamper(app.storage(), sql);
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
        // 案1…案3 asked again on other facts (repeated_case) and 案11 deviating without a
        // reason (review_departure): four alerts, counted in the report by kind and disposition.
        alerts_settle(&app, 4);
        let report = app
            .get_as(
                &format!("/api/v1/supervision/report?from={t}&to={t}"),
                Role::Supervisor,
            )
            .json();
        let u = &report["units"][0];
        assert_eq!(u["alerts"]["current"], 4, "{name}: {u}");
        let by_kind: Vec<(String, String, i64)> = u["alerts_by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["kind"].as_str().unwrap().into(),
                    a["status"].as_str().unwrap().into(),
                    a["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            by_kind,
            [
                ("repeated_case".into(), "open".into(), 3),
                ("review_departure".into(), "open".into(), 1)
            ],
            "{name}"
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

        // Reviewers read their own unit's only: another unit is refused, naming the field.
        let other = app
            .request(
                "GET",
                &format!("/api/v1/supervision/report?from={t}&to={t}&unit=ZHZF"),
            )
            .bearer(&app.other_reviewer)
            .send();
        assert_eq!(
            (other.status, other.json()["error"]["field"].as_str()),
            (403, Some("unit")),
            "{name}"
        );
        let own = app
            .request(
                "GET",
                &format!("/api/v1/supervision/report?from={t}&to={t}"),
            )
            .bearer(&app.other_reviewer)
            .send()
            .json();
        assert!(
            own["units"].as_array().unwrap().is_empty(),
            "{name}: STHJ has nothing: {own}"
        );
        let unknown = app.get_as(
            &format!("/api/v1/supervision/report?from={t}&to={t}&unit=XX"),
            Role::Supervisor,
        );
        assert_eq!(
            (unknown.status, unknown.code()),
            (422, "unknown_unit".to_string())
        );
        let far = app.get_as(
            "/api/v1/supervision/report?from=-262143-01-02&to=-262143-01-10",
            Role::Supervisor,
        );
        assert_eq!(
            (far.status, far.code()),
            (422, "invalid_period".to_string()),
            "{name}: a date out of range is refused, not a crash"
        );

        // Findings count under the unit of the case file checked, the latest one only.
        let sthj = app
            .request("POST", "/api/v1/reviews")
            .bearer(&app.other_reviewer)
            .json(
                &json!({"case_ref": "环1", "party": "organisation", "act_date": "2026-10-01",
                "acts": [{"matter_id": "STHJ-001", "facts": {"refusal_form": "refused"}}],
                "proposed": {"fine": "150000"}}),
            )
            .send();
        assert_eq!(sthj.status, 200);
        let sample = draw(&app, json!({"from": t, "to": t, "size": 1, "unit": "STHJ"}));
        let path = format!(
            "/api/v1/supervision/samples/{}/findings",
            sample["id"].as_str().unwrap()
        );
        let target = drawn(&sample)[0].clone();
        for conclusion in ["unlawful", "deviates"] {
            let r = app.post_as(
                &path,
                Role::Supervisor,
                &json!({"receipt": target, "conclusion": conclusion}),
            );
            assert_eq!(r.status, 201);
        }
        let report = app
            .get_as(
                &format!("/api/v1/supervision/report?from={t}&to={t}"),
                Role::Supervisor,
            )
            .json();
        let sthj = report["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == "STHJ")
            .unwrap();
        assert_eq!(sthj["findings"], json!({"deviates": 1}), "{name}: {report}");
        let zhzf = report["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == "ZHZF")
            .unwrap();
        assert_eq!(
            zhzf["findings"],
            json!({}),
            "{name}: not the supervisor's unit"
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
    let cookie = app.supervisor_session();
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
        ("seed", ""),
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
        html.contains("案卷评查抽样") && html.contains("随机种子"),
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
