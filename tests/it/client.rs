//! A client generated from the committed spec (issue 16): `openapi-typescript` makes the types
//! of openapi/openapi.json, `openapi-fetch` the calls; `tsc` type-checks tests/client/client.ts
//! (strict) and node runs it against a server: one calculation as an inspector, one case review
//! as a reviewer, one refusal. What it prints is compared with what the API answers the same
//! questions directly. Needs node and npm: `npm ci` runs in tests/client when its packages are
//! missing; `scripts/test` installs them and requires this test to run
//! (PENALTY_REQUIRE_BROWSER=1); a plain `cargo test` without node skips it, saying so.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::heavy::missing;
use penalty_standards::auth::Role;

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} {args:?} cannot start: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// tests/client with its packages, or `None` (skipped) without node and npm.
fn client_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/client");
    for tool in ["node", "npm"] {
        if Command::new(tool).arg("--version").output().is_err() {
            missing(
                "PENALTY_REQUIRE_BROWSER",
                "generated-client test",
                &format!("{tool} not found"),
            );
            return None;
        }
    }
    let bin = dir.join("node_modules/.bin");
    let installed = bin.join("openapi-typescript").exists()
        && bin.join("tsc").exists()
        && dir.join("node_modules/openapi-fetch").is_dir();
    if !installed {
        run(
            &dir,
            "npm",
            &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
        );
    }
    Some(dir)
}

#[test]
fn a_generated_typescript_client_calculates_and_reviews() {
    let Some(dir) = client_dir() else {
        return;
    };
    // The types from the committed spec (the openapi_drift test holds it to the code), then the
    // client script type-checked against them: a spec that no longer fits the calls fails here.
    run(
        &dir,
        "node_modules/.bin/openapi-typescript",
        &["../../openapi/openapi.json", "-o", "generated/api.d.ts"],
    );
    run(&dir, "node_modules/.bin/tsc", &["-p", "tsconfig.json"]);

    let app = TestApp::builder().start();
    let out = Command::new("node")
        .arg("build/client.js")
        .current_dir(&dir)
        .env("BASE_URL", app.url(""))
        .env("INSPECTOR_TOKEN", app.token(Role::Inspector))
        .env("REVIEWER_TOKEN", app.token(Role::Reviewer))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the generated client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_str(stdout.trim()).expect("the client prints one JSON line");
    let receipt = |v: &Value| {
        let r = v.as_str().unwrap_or_default().to_string();
        assert!(
            r.split_once('-')
                .is_some_and(|(seq, tag)| seq.parse::<u64>().is_ok() && tag.len() == 4),
            "a receipt <seq>-<4 hex>: {v}"
        );
        r
    };

    // The calculation, as the API answers it directly.
    let calc = &got["calculation"];
    let calc_receipt = receipt(&calc["receipt"]);
    let direct = app.post_as(
        "/api/v1/calculate",
        Role::Inspector,
        &json!({"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"},
                "act_date": "2026-11-01"}),
    );
    assert_eq!(direct.status, 200, "{}", direct.text());
    let direct = direct.json();
    assert_eq!(calc["outcome"], direct["outcome"]);
    assert_eq!(calc["outcome"], "penalty");
    assert_eq!(calc["tier"], direct["tier"]["level"]);
    assert!(calc["tier"].is_u64(), "{calc}");
    assert_eq!(calc["fine"], direct["fine"]);
    assert!(calc["fine"].is_object(), "a fine band: {calc}");
    // Its log entry holds the case number the client sent.
    let entry = app.get_as(&format!("/api/v1/queries/{calc_receipt}"), Role::Supervisor);
    assert_eq!(entry.status, 200, "{}", entry.text());
    assert_eq!(entry.json()["case_ref"], "生成客户端测试〔2026〕1号");

    // The review: a fine of 1 yuan, below the standard band, as the review tests propose.
    let review = &got["review"];
    let review_receipt = receipt(&review["receipt"]);
    assert_ne!(review_receipt, calc_receipt);
    let direct = app.post_as(
        "/api/v1/reviews",
        Role::Reviewer,
        &json!({"case_ref": "直接〔2026〕2号", "party": "organisation", "inspector": "王五",
                "act_date": "2026-05-01", "decision_date": "2026-06-01",
                "acts": [{"matter_id": "ZHZF-001",
                          "facts": {"construction_cost": "1000000", "illegal_area": "45"}}],
                "proposed": {"fine": "1"}}),
    );
    assert_eq!(direct.status, 200, "{}", direct.text());
    let direct = direct.json();
    assert_eq!(review["verdict"], direct["verdict"]);
    assert_ne!(
        review["verdict"], "conforms",
        "1 yuan is below the band: {review}"
    );
    assert_eq!(review["act_verdict"], direct["acts"][0]["verdict"]);
    assert_eq!(
        review["standard_fine"],
        direct["acts"][0]["standard"]["fine"]
    );

    // An unknown matter: the documented 404 with the ErrorBody, typed on the client's side.
    assert_eq!(
        got["refusal"],
        json!({"status": 404, "code": "unknown_matter"})
    );
}
