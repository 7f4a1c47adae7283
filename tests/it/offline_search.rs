//! Issue 16: the same ranking on the phone offline as online. Node runs the page's own
//! `/m/search.js` over the `/m/search-index` the server serves (tests/offline/search.cjs), on
//! every query of both query sets; the server answers the same queries through
//! `GET /api/v1/matters`. The top five ids, in order, and the clear-match flag must be equal for
//! every query. Needs node (no npm package): `scripts/test` requires it
//! (PENALTY_REQUIRE_BROWSER=1); a plain `cargo test` without node skips it, saying so.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::heavy::missing;
use crate::support::{encode, fixture, shared};

/// Every query of the inspectors' query sets (the first column of both files).
fn all_queries() -> Vec<String> {
    ["search_queries.tsv", "search_queries_2.tsv"]
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(fixture(f)).expect("a query file");
            text.lines()
                .skip(1)
                .map(|l| l.split('\t').next().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What the phone's search answers for `queries` (see tests/offline/search.cjs), or `None`
/// (skipped) without node.
fn phone_answers(base_url: &str, queries: &[String]) -> Option<Value> {
    if Command::new("node").arg("--version").output().is_err() {
        missing(
            "PENALTY_REQUIRE_BROWSER",
            "offline search parity test",
            "node not found",
        );
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/offline/search.cjs");
    let mut node = Command::new("node")
        .arg(&script)
        .env("BASE_URL", base_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let input = serde_json::to_vec(queries).unwrap();
    node.stdin.take().unwrap().write_all(&input).unwrap();
    let out = node.wait_with_output().expect("node runs");
    assert!(
        out.status.success(),
        "the phone's search failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("one JSON object"))
}

/// The server's answer: the top five ids and whether the first is a clear match.
fn online(q: &str) -> (Vec<String>, bool) {
    let r = crate::support::get(&format!("/api/v1/matters?per_page=5&q={}", encode(q)));
    assert_eq!(r.status, 200, "{q}: {}", r.text());
    let page = r.json();
    let ids = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    (ids, page["clear_match"].as_bool().unwrap())
}

#[test]
fn the_phone_ranks_every_query_as_the_server_does() {
    let app = shared();
    let mut queries = all_queries();
    // The issue's own examples, beside the query sets.
    queries.extend(["违章搭建", "zdjy", "店门口占道经营"].map(String::from));
    let Some(phone) = phone_answers(&app.url(""), &queries) else {
        return;
    };
    let results = phone["results"].as_array().expect("results");
    assert_eq!(results.len(), queries.len());
    let mut mismatches = Vec::new();
    for (q, got) in queries.iter().zip(results) {
        let ids: Vec<String> = got["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let clear = got["clear"].as_bool().unwrap();
        let (want, want_clear) = online(q);
        if ids != want || clear != want_clear {
            mismatches.push(format!(
                "{q}: online {want:?} clear {want_clear}, offline {ids:?} clear {clear}"
            ));
        }
    }
    println!(
        "offline search: {} queries compared, {} mismatches; index {} bytes, built in {:.0} ms; \
         a query {:.2} ms median, {:.2} ms p99, {:.2} ms at most (node)",
        queries.len(),
        mismatches.len(),
        phone["index_bytes"],
        phone["build_ms"].as_f64().unwrap_or(0.0),
        phone["median_ms"].as_f64().unwrap_or(0.0),
        phone["p99_ms"].as_f64().unwrap_or(0.0),
        phone["max_ms"].as_f64().unwrap_or(0.0),
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} queries rank differently offline:\n{}",
        mismatches.len(),
        queries.len(),
        mismatches.join("\n")
    );
}

/// The index is public, holds every matter of the version in force, and is downloaded again
/// only when it changed (its entity tag).
#[test]
fn the_search_index_is_revalidated_by_its_entity_tag() {
    let app = shared();
    let r = app.get("/m/search-index");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let etag = r.header("etag").expect("an entity tag").to_string();
    let doc = r.json();
    let all = app.get("/api/v1/matters?per_page=1").json();
    assert_eq!(
        doc["matters"].as_array().unwrap().len() as u64,
        all["total"]
    );
    assert_eq!(doc["format"], 1);
    let version = doc["version"].as_str().unwrap();
    assert!(etag.starts_with(&format!("\"{version}-")), "{etag}");
    let again = app
        .request("GET", "/m/search-index")
        .header("If-None-Match", &etag)
        .send();
    assert_eq!(again.status, 304);
    assert!(again.text().is_empty());
    let other = app
        .request("GET", "/m/search-index")
        .header("If-None-Match", "\"2000.1-0000\"")
        .send();
    assert_eq!(other.status, 200);
    // Gzipped once at the best level for a client that takes gzip; plain JSON for one that
    // does not (above), or refuses it.
    let gzipped = app
        .request("GET", "/m/search-index")
        .header("Accept-Encoding", "br, gzip")
        .send();
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert!(
        gzipped.body.len() * 3 < r.body.len(),
        "{}",
        gzipped.body.len()
    );
    let refused = app
        .request("GET", "/m/search-index")
        .header("Accept-Encoding", "gzip;q=0, identity")
        .send();
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.body, r.body);
    let js = app.get("/m/search.js");
    assert_eq!(js.status, 200);
    assert!(js.text().contains("PenaltySearch"));
}
