//! Every endpoint and every error class, through the real HTTP server on the bundled standards.

use crate::support::{Response, TestApp, encode, get, get_as, post_json, post_raw, shared};
use penalty_standards::auth::Role;
use serde_json::{Value, json};

/// A valid request for a bundled matter, built from its declared facts.
fn valid_request(id: &str) -> Value {
    let m = get(&format!("/api/v1/matters/{id}")).json();
    let mut facts = serde_json::Map::new();
    for f in m["facts"].as_array().unwrap() {
        let v = match f["type"].as_str().unwrap() {
            "boolean" => json!(false),
            "enum" => f["values"][0]["code"].clone(),
            _ => json!("1"),
        };
        facts.insert(f["key"].as_str().unwrap().to_string(), v);
    }
    let party = m["statutory"]["parties"][0].clone();
    json!({"matter_id": id, "party": party, "facts": facts, "circumstances": [], "act_date": "2026-01-05", "discovered_date": "2026-02-01", "decision_date": "2026-03-01"})
}

#[test]
fn healthz_reports_the_loaded_standards() {
    let r = get("/healthz");
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["status"], "ok");
    assert!(v["matters"].as_u64().unwrap() >= 150);
}

#[test]
fn units_list_the_enforcement_units_with_counts() {
    let v = get("/api/v1/units").json();
    let units = v.as_array().unwrap();
    for code in ["STHJ", "ZHZF"] {
        let u = units
            .iter()
            .find(|u| u["code"] == code)
            .unwrap_or_else(|| panic!("{code} listed"));
        assert!(u["matters"].as_u64().unwrap() >= 60);
        assert!(!u["name"].as_str().unwrap().is_empty());
    }
}

#[test]
fn matters_page_filter_and_search() {
    let v = get("/api/v1/matters?per_page=5&page=2").json();
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    assert_eq!(v["page"], 2);
    let total = v["total"].as_u64().unwrap();
    assert!(total >= 150);
    let v = get("/api/v1/matters?unit=zhzf&per_page=200").json();
    let items = v["items"].as_array().unwrap();
    assert!(items.iter().all(|m| m["unit"] == "ZHZF"));
    assert!(v["total"].as_u64().unwrap() < total);
    // A citation typed the short way finds the planning-permit matters.
    let v = get(&format!("/api/v1/matters?q={}", encode("城乡规划法 64条"))).json();
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "ZHZF-001"),
        "{v}"
    );
    // Chinese words of the name, in any order.
    let v = get(&format!("/api/v1/matters?q={}", encode("许可证 排污"))).json();
    assert!(v["total"].as_u64().unwrap() >= 1);
    // An id, typed in lower case.
    let v = get("/api/v1/matters?q=sthj-001").json();
    assert_eq!(v["items"][0]["id"], "STHJ-001");
}

#[test]
fn matters_refuse_bad_paging_and_unknown_units() {
    let r = get("/api/v1/matters?per_page=0");
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_query"));
    let r = get("/api/v1/matters?page=abc");
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_query"));
    let r = get("/api/v1/matters?unit=NOPE");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
}

#[test]
fn one_matter_has_everything() {
    let v = get("/api/v1/matters/STHJ-001").json();
    assert_eq!(v["id"], "STHJ-001");
    assert!(v["penalty_text"].as_str().unwrap().starts_with("《"));
    assert!(!v["tiers"].as_array().unwrap().is_empty());
    assert!(v["statutory"]["parties"].as_array().is_some());
    assert!(v["tiers"][0]["situation"].as_str().is_some());
    let r = get("/api/v1/matters/NOPE-1");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
}

#[test]
fn circumstances_catalogue_has_every_code() {
    let v = get("/api/v1/circumstances").json();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    for code in [
        "first_offense",
        "corrected_promptly",
        "no_harm",
        "minor_harm",
        "no_fault",
        "under_14",
        "age_14_to_18",
        "mental_incapacity",
        "partial_incapacity",
        "mitigated_harm",
        "coerced",
        "confessed",
        "meritorious",
        "emergency_violation",
        "endangers_life_health_finance",
        "repeat_offense",
    ] {
        assert!(codes.contains(&code), "{code}");
    }
}

#[test]
fn stats_add_up() {
    let v = get("/api/v1/stats").json();
    let per_unit = v["per_unit"].as_array().unwrap();
    let sum: u64 = per_unit
        .iter()
        .map(|u| u["matters"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, v["matters"].as_u64().unwrap());
    let tiers: u64 = per_unit.iter().map(|u| u["tiers"].as_u64().unwrap()).sum();
    assert_eq!(tiers, v["tiers"].as_u64().unwrap());
    assert!(v["fixed_share"].is_string(), "shares are decimal strings");
    assert_eq!(v["units"], per_unit.len());
}

#[test]
fn calculate_answers_with_tier_fine_and_basis() {
    let r = post_json("/api/v1/calculate", &valid_request("STHJ-001"));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["outcome"], "penalty");
    assert!(v["tier"]["level"].as_u64().unwrap() >= 1);
    assert!(v["fine"]["min"].is_string());
    assert_eq!(v["legal_basis"][0]["role"], "violated");
    assert_eq!(v["legal_basis"][1]["role"], "penalty");
    assert!(v["explanation"].as_array().unwrap().len() >= 3);
    assert_eq!(v["measures"][0], "责令改正");
}

#[test]
fn calculate_error_classes() {
    let good = valid_request("STHJ-001");
    let matter = get("/api/v1/matters/STHJ-001").json();
    let fact_key = matter["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["required"] == true)
        .expect("a required fact")["key"]
        .as_str()
        .unwrap()
        .to_string();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        post_json("/api/v1/calculate", &v)
    };
    let cases: Vec<(Response, u16, &str, Option<String>)> = vec![
        (
            post_raw("/api/v1/calculate", b"{\"matter_id\": "),
            400,
            "malformed_json",
            None,
        ),
        (
            post_raw("/api/v1/calculate", b"[1,2]"),
            422,
            "invalid_request",
            None,
        ),
        (
            with(&|v| v["matter_id"] = json!("NOPE-9")),
            404,
            "unknown_matter",
            Some("matter_id".into()),
        ),
        (
            with(&|v| {
                v["facts"].as_object_mut().unwrap().clear();
            }),
            422,
            "missing_fact",
            Some(format!("facts.{fact_key}")),
        ),
        (
            with(&|v| v["facts"]["no_such_fact"] = json!(1)),
            422,
            "unknown_fact",
            Some("facts.no_such_fact".into()),
        ),
        (
            with(&|v| v["circumstances"] = json!(["lucky"])),
            422,
            "unknown_circumstance",
            Some("circumstances[0]".into()),
        ),
        (
            with(&|v| v["act_date"] = json!("2099-01-01")),
            422,
            "date_in_future",
            Some("act_date".into()),
        ),
        (
            with(&|v| v["act_date"] = json!("2026-03-02")),
            422,
            "act_after_decision",
            Some("act_date".into()),
        ),
        (
            with(&|v| v["party"] = json!(7)),
            422,
            "wrong_type",
            Some("party".into()),
        ),
        (
            with(&|v| v["extra"] = json!(1)),
            422,
            "unknown_field",
            Some("extra".into()),
        ),
    ];
    for (r, status, code, field) in cases {
        let v = r.json();
        assert_eq!(
            (r.status, v["error"]["code"].as_str().unwrap()),
            (status, code),
            "{v}"
        );
        assert_eq!(v["error"]["field"].as_str().map(str::to_string), field);
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
        assert!(!v["error"]["message_en"].as_str().unwrap().is_empty());
    }
}

#[test]
fn wrong_types_and_negative_amounts_are_422() {
    // Find a bundled matter with a numeric fact.
    let list = get("/api/v1/matters?per_page=200").json();
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .find(|id| {
            get(&format!("/api/v1/matters/{id}")).json()["facts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["type"] == "decimal")
        })
        .expect("a matter with a decimal fact");
    let m = get(&format!("/api/v1/matters/{id}")).json();
    let key = m["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["type"] == "decimal")
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    for (value, code) in [
        (json!("-5"), "negative_amount"),
        (json!("many"), "wrong_fact_type"),
        (json!([1]), "wrong_fact_type"),
    ] {
        let mut v = valid_request(&id);
        v["facts"][&key] = value;
        let r = post_json("/api/v1/calculate", &v);
        assert_eq!((r.status, r.code().as_str()), (422, code));
    }
}

#[test]
fn oversized_bodies_are_refused() {
    let big = format!("{{\"matter_id\": \"{}\"}}", "x".repeat(100 * 1024));
    let r = post_raw("/api/v1/calculate", big.as_bytes());
    assert_eq!((r.status, r.code().as_str()), (413, "body_too_large"));
}

#[test]
fn unknown_paths_answer_json_404_and_wrong_methods_405() {
    let r = get("/api/v1/nothing");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    let r = get("/api/v1/calculate");
    assert_eq!((r.status, r.code().as_str()), (405, "method_not_allowed"));
    assert_eq!(r.header("allow"), Some("POST"));
}

#[test]
fn no_input_makes_a_500() {
    let bodies: [&[u8]; 8] = [
        b"",
        b"null",
        b"{}",
        b"{\"matter_id\": null, \"party\": null}",
        b"{\"matter_id\": \"STHJ-001\", \"party\": \"individual\", \"act_date\": \"2026-01-01\", \"facts\": 5}",
        b"{\"matter_id\": \"STHJ-001\", \"party\": \"organisation\", \"act_date\": \"2026-01-01\", \"facts\": {\"x\": 1e400}}",
        "{\"matter_id\": \"\u{4e2d}\", \"party\": \"organisation\", \"act_date\": \"0000-01-01\"}".as_bytes(),
        b"\xff\xfe\x00",
    ];
    for b in bodies {
        let r = post_raw("/api/v1/calculate", b);
        assert!(
            (400..500).contains(&r.status),
            "{} for {:?}",
            r.status,
            String::from_utf8_lossy(b)
        );
        assert!(!r.code().is_empty());
    }
}

#[test]
fn openapi_and_docs_are_served() {
    let r = get("/openapi.json");
    assert_eq!(r.status, 200);
    let v = r.json();
    assert!(v["paths"]["/api/v1/calculate"]["post"].is_object());
    let r = get("/docs/");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("swagger"), "Swagger UI page");
    let r = get("/docs");
    assert!(r.status == 302 || r.status == 200);
}

#[test]
fn a_calculation_made_offline_is_logged_as_offline() {
    let app = shared();
    let body = valid_request("ZHZF-001");
    // Made a day ago (an offline time is accepted within the last 30 days).
    let made = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let r = app
        .request("POST", "/api/v1/calculate")
        .bearer(app.token(Role::Inspector))
        .header("X-Client", "mobile")
        .header("X-Offline-At", &made)
        .json(&body)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    let receipt = r.json()["receipt"].as_str().unwrap().to_string();
    let e = get_as(&format!("/api/v1/queries/{receipt}"), Role::Supervisor).json();
    assert_eq!(e["offline"], true);
    assert_eq!(e["client"], "mobile");
    assert_eq!(e["request"]["offline_at"], made.as_str());

    let r = app
        .request("POST", "/api/v1/calculate")
        .bearer(app.token(Role::Inspector))
        .header("X-Offline-At", "yesterday")
        .json(&body)
        .send();
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_header"));
}

#[test]
fn the_inspectors_page_is_small_and_its_standards_pack_is_the_units() {
    let page = get("/m");
    assert_eq!(page.status, 200);
    // The page's scripts, gzipped: its own, and the search that runs on the phone offline
    // (its index comes after sign-in).
    let gzipped = |path: &str| {
        assert!(page.text().contains(path), "{path}");
        let js = shared()
            .request("GET", path)
            .header("Accept-Encoding", "gzip")
            .send();
        assert_eq!(js.header("content-encoding"), Some("gzip"), "{path}");
        js.body.len()
    };
    assert!(page.body.len() + gzipped("/m/app.js") + gzipped("/m/search.js") < 150 * 1024);
    let sw = get("/m/sw.js");
    assert_eq!(sw.header("service-worker-allowed"), Some("/m"));
    let pack = get_as("/m/pack", Role::Inspector).json();
    let matters = pack["matters"].as_array().unwrap();
    assert!(matters.len() > 50);
    assert!(matters.iter().all(|m| m["unit"] == "ZHZF"));
    assert_eq!(pack["circumstances"].as_array().unwrap().len(), 18);
    assert_eq!(pack["units"]["STHJ"], "生态环境分局");
    // Without JavaScript the search still answers, linking to the published matter.
    let hits = get("/m?q=ZHZF-001").text();
    assert!(hits.contains("/standards/matters/ZHZF-001"));
}

/// Issue 15: anyone may take a signed checkpoint of the log's head; the public page shows the
/// key that signs it.
#[test]
fn a_signed_checkpoint_is_public_and_its_key_is_published() {
    let app = TestApp::builder().start();
    let r = app.post_as(
        "/api/v1/calculate",
        Role::Inspector,
        &serde_json::json!({"matter_id": "ZHZF-019", "party": "individual",
            "facts": {"stall_area": "1.5"}, "act_date": "2026-11-01"}),
    );
    assert_eq!(r.status, 200);
    let cp: penalty_standards::supervision::checkpoint::Checkpoint =
        serde_json::from_value(app.get("/api/v1/log/checkpoint").json()).unwrap();
    assert_eq!(cp.seq, 1);
    assert!(cp.signature_valid());
    let page = app.get("/supervision/checkpoint").text();
    assert!(page.contains(&cp.public_key), "the key is published");
    assert!(page.contains(&cp.hash), "the latest checkpoint is shown");
}

/// Issue 15: free text that would open as a formula is neutralised in the log's CSV export;
/// every answer carries the protective headers.
#[test]
fn exports_neutralise_formulas_and_answers_carry_the_protective_headers() {
    let app = TestApp::builder().start();
    let r = app.post_as(
        "/api/v1/calculate",
        Role::Inspector,
        &json!({"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"},
            "act_date": "2026-11-01", "case_ref": "=HYPERLINK(\"http://x\")"}),
    );
    assert_eq!(r.status, 200);
    let csv = app
        .get_as("/api/v1/queries/export.csv", Role::Supervisor)
        .text();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"));
    let page = app.get("/standards");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(
        page.header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'"))
    );
}

/// Issue 16: circumstances ticked that changed nothing are listed with the reason; a fact left
/// out that decided the tier is marked as its default.
#[test]
fn the_answer_names_what_changed_nothing_and_what_was_defaulted() {
    let r = post_json(
        "/api/v1/calculate",
        &json!({"matter_id": "ZHZF-001", "party": "organisation",
            "facts": {"construction_cost": "1000000", "illegal_area": "45"},
            "circumstances": ["first_offense", "corrected_promptly", "confessed"],
            "act_date": "2026-11-01"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let without: Vec<&str> = v["circumstances_without_effect"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(without, ["corrected_promptly", "first_offense"]);
    assert!(
        v["circumstances_without_effect"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("第三十三条")
    );
    let defaulted: Vec<&str> = v["decisive_facts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["defaulted"] == true)
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(defaulted, ["continued_after_stop_order"]);
}
