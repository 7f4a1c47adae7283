//! Issue 15, tried again as an attacker and an unlucky operator would, against the released
//! binary (`serve` in its own process, tokens from `token create`): wrong methods, malformed
//! and implausible input, slow bodies, guessed tokens, the supervision sign-in (sessions,
//! cross-site posts, cookie injection), cross-unit reviews, formula cells, and anonymous
//! exports that once took gigabytes. The tamper matrix is in `supervision_log` (both
//! backends), the cut `-shm` file in `durability`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::binary::{Served, create_token_for};
use crate::support::{Response, temp_dir};

/// A served binary with a token per role; FGJ is configured as a legal office.
struct Abused {
    served: Served,
    inspector: String,
    reviewer: String,
    other_reviewer: String,
    office_reviewer: String,
    supervisor: String,
    admin: String,
    _dir: tempfile::TempDir,
}

fn serve(args: &[&str]) -> Abused {
    let dir = temp_dir();
    let d = dir.path();
    let token = |name: &str, unit: &str, role: &str| create_token_for(d, None, name, unit, role);
    let inspector = token("李四", "ZHZF", "inspector");
    token("李四", "STHJ", "inspector");
    let reviewer = token("综合审核员", "ZHZF", "reviewer");
    let other_reviewer = token("生态审核员", "STHJ", "reviewer");
    let office_reviewer = token("法制审核员", "FGJ", "reviewer");
    let supervisor = token("监督员", "ZHZF", "supervisor");
    let admin = token("管理员", "ZHZF", "admin");
    let mut all = vec!["--legal-office", "FGJ"];
    all.extend_from_slice(args);
    Abused {
        served: Served::start(d, &all),
        inspector,
        reviewer,
        other_reviewer,
        office_reviewer,
        supervisor,
        admin,
        _dir: dir,
    }
}

impl Abused {
    fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.served
            .client
            .request("POST", path)
            .bearer(token)
            .json(body)
            .send()
    }

    fn post_raw(&self, path: &str, token: &str, body: &[u8]) -> Response {
        self.served
            .client
            .request("POST", path)
            .bearer(token)
            .body(body)
            .send()
    }
}

fn stall(case_ref: &str) -> Value {
    json!({"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"},
        "act_date": "2026-11-01", "case_ref": case_ref})
}

fn review_case(matter: &str, facts: Value, inspector: &str) -> Value {
    json!({"case_ref": "审核样本", "party": "organisation", "inspector": inspector,
        "act_date": "2026-05-01", "decision_date": "2026-06-01",
        "acts": [{"matter_id": matter, "facts": facts}], "proposed": {"fine": "1"}})
}

fn set_cookies(r: &Response) -> Vec<&str> {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Every path of the OpenAPI document answers its documented methods only: any other gets
/// a 405 whose `Allow` lists exactly the documented ones, in the JSON error shape.
#[test]
fn every_path_answers_a_wrong_method_with_405_and_allow() {
    let a = serve(&["--rate-limit", "0"]);
    let doc: Value = serde_json::from_str(&penalty_standards::startup::openapi_json()).unwrap();
    let mut checked = 0;
    for (template, ops) in doc["paths"].as_object().unwrap() {
        let path = template
            .replace("{id}", "ZHZF-001")
            .replace("{version}", "2026.1")
            .replace("{receipt}", "1-0000");
        let documented: Vec<String> = ops
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if documented.iter().any(|m| m == method) {
                continue;
            }
            let r = a.served.client.request(method, &path).send();
            assert_eq!(
                (r.status, r.code().as_str()),
                (405, "method_not_allowed"),
                "{method} {path}"
            );
            let mut allow: Vec<&str> = r.header("allow").unwrap().split(", ").collect();
            allow.sort();
            let mut want: Vec<&str> = documented.iter().map(String::as_str).collect();
            want.sort();
            assert_eq!(allow, want, "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked}");
    // Pages too, and an unknown path stays a 404.
    let r = a.served.client.request("DELETE", "/standards").send();
    assert_eq!((r.status, r.header("allow")), (405, Some("GET")));
    let r = a.served.client.request("GET", "/supervision/logout").send();
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
    assert_eq!(a.served.client.get("/nothing/here").status, 404);
}

/// Malformed and implausible input: each refused with its status, code and field, never
/// logged; the lower-case scheme is accepted.
#[test]
fn malformed_and_implausible_input_is_refused_with_its_field() {
    let a = serve(&["--rate-limit", "0"]);
    let calc = "/api/v1/calculate";
    let t = &a.inspector;
    let cases: Vec<(&str, Response, u16, &str, Option<&str>)> = vec![
        (
            "a key twice",
            a.post_raw(calc, t, br#"{"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5", "stall_area": "900"}, "act_date": "2026-11-01"}"#),
            422,
            "duplicate_key",
            Some("facts.stall_area"),
        ),
        (
            "a NUL in a string",
            a.post_raw(calc, t, br#"{"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"}, "act_date": "2026-11-01", "case_ref": "A\u0000B"}"#),
            422,
            "nul_in_text",
            Some("case_ref"),
        ),
        (
            "1_000 as a number",
            a.post_raw(calc, t, br#"{"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": 1_000}, "act_date": "2026-11-01"}"#),
            400,
            "malformed_json",
            None,
        ),
        (
            "act_date 0000-01-01",
            a.post(calc, t, &json!({"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"}, "act_date": "0000-01-01"})),
            422,
            "invalid_date",
            Some("act_date"),
        ),
        (
            "5,000 circumstances",
            a.post(calc, t, &json!({"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"}, "act_date": "2026-11-01", "circumstances": vec!["confessed"; 5000]})),
            422,
            "too_many",
            Some("circumstances"),
        ),
        (
            "X-Offline-At years away",
            a.served.client.request("POST", calc).bearer(t).header("X-Offline-At", "2019-01-01T00:00:00Z").json(&stall("离线")).send(),
            400,
            "invalid_header",
            Some("X-Offline-At"),
        ),
        (
            "a page number past the last",
            a.served.client.get("/api/v1/matters?page=18446744073709551615"),
            400,
            "invalid_query",
            None,
        ),
        (
            "a case of a batch with a key twice",
            a.post_raw("/api/v1/reviews/batch", &a.reviewer, br#"{"cases": [{"case_ref": "x", "case_ref": "y"}]}"#),
            200,
            "",
            None,
        ),
    ];
    for (what, r, status, code, field) in cases {
        assert_eq!(r.status, status, "{what}: {}", r.text());
        if status == 200 {
            let v = r.json();
            assert_eq!(v["results"][0]["error"]["code"], "duplicate_key", "{what}");
            assert_eq!(v["results"][0]["error"]["field"], "case_ref", "{what}");
            continue;
        }
        assert_eq!(r.code(), code, "{what}: {}", r.text());
        let body = r.json();
        let e = &body["error"];
        assert!(!e["message"].as_str().unwrap().is_empty(), "{what}");
        assert!(!e["message_en"].as_str().unwrap().is_empty(), "{what}");
        if let Some(f) = field {
            assert_eq!(e["field"], f, "{what}");
        }
    }
    let r = a
        .served
        .client
        .request("POST", calc)
        .header("Authorization", &format!("bearer {}", a.inspector))
        .json(&stall("小写"))
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    let log = a
        .served
        .client
        .request("GET", "/api/v1/queries")
        .bearer(&a.supervisor)
        .send()
        .json();
    assert_eq!(log["total"], 1, "only the one good calculation is logged");
}

/// 20 connections that send a body one byte a second are answered 408 and let go when
/// their 10 seconds are up, not held open.
#[test]
fn slow_bodies_are_cut_off_at_their_deadline() {
    let a = serve(&["--rate-limit", "0"]);
    let started = Instant::now();
    let slow: Vec<_> = (0..20)
        .map(|_| {
            let (addr, token) = (a.served.addr, a.inspector.clone());
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_millis(900))).unwrap();
                let head = format!(
                    "POST /api/v1/calculate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                );
                s.write_all(head.as_bytes()).unwrap();
                let mut answer = Vec::new();
                let mut buf = [0u8; 4096];
                for _ in 0..40 {
                    if s.write_all(b" ").is_err() {
                        break;
                    }
                    match s.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => answer.extend_from_slice(&buf[..n]),
                        Err(_) => {}
                    }
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                        break;
                    }
                }
                String::from_utf8_lossy(&answer).to_string()
            })
        })
        .collect();
    for t in slow {
        let answer = t.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("body_timeout"), "{answer}");
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "held for {took:?}");
    assert_eq!(a.served.client.get("/healthz").status, 200);
}

/// Guessing tokens: an unknown id and a wrong secret are the same 401; after 30 failures from
/// one address every token from there waits (429 with Retry-After), a right one too.
#[test]
fn failed_tokens_are_limited_per_address() {
    let a = serve(&[]);
    let c = &a.served.client;
    let id = a.inspector.split('_').nth(1).unwrap();
    let wrong_secret = format!("pst_{id}_{}", "0".repeat(48));
    let unknown_id = format!("pst_0123456789ab_{}", "0".repeat(48));
    for t in [&wrong_secret, &unknown_id] {
        let r = c.request("GET", "/api/v1/units").bearer(t).send();
        assert_eq!((r.status, r.code().as_str()), (401, "invalid_token"));
    }
    let mut statuses = Vec::new();
    for i in 0..40 {
        let t = if i % 2 == 0 {
            &wrong_secret
        } else {
            &unknown_id
        };
        statuses.push(c.request("GET", "/api/v1/units").bearer(t).send().status);
    }
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused >= 10, "{statuses:?}");
    let r = c
        .request("GET", "/api/v1/units")
        .bearer(&a.inspector)
        .send();
    assert_eq!(r.status, 429, "the address waits, whatever the token");
    assert!(r.header("retry-after").is_some());
    // Without a token the public pages still answer (the anonymous limit is separate).
    assert_eq!(c.get("/api/v1/units").status, 200);
}

/// The supervision sign-in keeps a server-side session: the cookie holds a random id, never
/// the token; a cross-site post is refused; a token cannot inject cookie attributes or make
/// a 500; sign-out and revoking the token end the session; over TLS the cookie is Secure.
#[test]
fn the_supervision_sign_in_is_a_server_side_session() {
    let a = serve(&["--rate-limit", "0"]);
    let c = &a.served.client;
    let login = |token: &str, origin: Option<&str>| {
        let mut r = c.request("POST", "/supervision/login");
        if let Some(o) = origin {
            r = r.header("Origin", o);
        }
        r.form(&[("token", token)]).send()
    };
    let own = format!("http://{}", a.served.addr);

    let r = login(&a.supervisor, Some("https://evil.example"));
    assert_eq!(r.status, 403, "a cross-site login is refused");
    assert!(set_cookies(&r).is_empty());
    assert_eq!(login(&a.supervisor, Some("null")).status, 403);
    for bad in ["abc; Path=/; Max-Age=99999", "abc\r\nSet-Cookie: x=1", ""] {
        let r = login(bad, Some(&own));
        assert_eq!(r.status, 401, "{bad:?}: {}", r.text());
        assert!(set_cookies(&r).is_empty(), "{bad:?}");
    }
    let r = c
        .request("POST", "/supervision/login")
        .header("Origin", &own)
        .body(b"%%%not a form")
        .send();
    assert!(r.status == 400 && r.text().contains("表单"), "{}", r.text());

    let r = login(&a.supervisor, Some(&own));
    assert_eq!(r.status, 303, "{}", r.text());
    let cookie = set_cookies(&r)
        .into_iter()
        .find(|c| c.starts_with("pst_session="))
        .expect("a session cookie")
        .to_string();
    assert!(
        !cookie.contains(&a.supervisor),
        "the token is never in the cookie"
    );
    for attr in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/supervision",
        "Max-Age=28800",
    ] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"));
    let session = cookie.split(';').next().unwrap().to_string();
    let dashboard = |session: &str| {
        c.request("GET", "/supervision")
            .header("Cookie", session)
            .send()
            .status
    };
    assert_eq!(dashboard(&session), 200);

    // Sign-out ends it on the server: the same cookie no longer opens the page.
    let r = c
        .request("POST", "/supervision/logout")
        .header("Cookie", &session)
        .header("Origin", "https://evil.example")
        .send();
    assert_eq!(r.status, 403, "a cross-site sign-out is refused");
    let r = c
        .request("POST", "/supervision/logout")
        .header("Cookie", &session)
        .header("Origin", &own)
        .send();
    assert_eq!(r.status, 303);
    assert_eq!(dashboard(&session), 401);

    // Signing in again from the same browser ends the session it held.
    let r = login(&a.supervisor, Some(&own));
    let first = set_cookies(&r)[0].split(';').next().unwrap().to_string();
    let r = c
        .request("POST", "/supervision/login")
        .header("Origin", &own)
        .header("Cookie", &first)
        .form(&[("token", &a.supervisor)])
        .send();
    let session = set_cookies(&r)[0].split(';').next().unwrap().to_string();
    assert_ne!(session, first);
    assert_eq!(dashboard(&first), 401);
    // Revoking the token ends its sessions.
    assert_eq!(dashboard(&session), 200);
    let id = a.supervisor.split('_').nth(1).unwrap();
    let r = c
        .request("DELETE", &format!("/api/v1/tokens/{id}"))
        .bearer(&a.admin)
        .send();
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(dashboard(&session), 401);

    // Behind a TLS proxy the cookie is Secure.
    let made = a.post(
        "/api/v1/tokens",
        &a.admin,
        &json!({"name": "监督员乙", "unit": "ZHZF", "role": "supervisor"}),
    );
    assert_eq!(made.status, 201, "{}", made.text());
    let other = made.json()["token"].as_str().unwrap().to_string();
    let r = c
        .request("POST", "/supervision/login")
        .header("X-Forwarded-Proto", "https")
        .form(&[("token", &other)])
        .send();
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        set_cookies(&r)[0].contains("Secure"),
        "{:?}",
        set_cookies(&r)
    );
}

/// A reviewer reviews their own unit's matters; another unit's is a 403 naming the act; a
/// supervisor or the configured legal office (FGJ) reviews any, and the review is filed under
/// the reviewed matter's unit, its 承办人 counted with that unit (not merged by name).
#[test]
fn reviews_stay_within_their_unit_unless_the_legal_office_reviews() {
    let a = serve(&["--rate-limit", "0"]);
    let zhzf = review_case(
        "ZHZF-001",
        json!({"construction_cost": "1000000", "illegal_area": "45"}),
        "李四",
    );
    let r = a.post("/api/v1/reviews", &a.other_reviewer, &zhzf);
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "other_unit_matter"),
        "{}",
        r.text()
    );
    assert_eq!(r.json()["error"]["field"], "acts[0].matter_id");
    let r = a.post(
        "/api/v1/reviews/batch",
        &a.other_reviewer,
        &json!({"cases": [zhzf]}),
    );
    assert_eq!(r.json()["results"][0]["error"]["code"], "other_unit_matter");
    for token in [&a.reviewer, &a.office_reviewer, &a.supervisor] {
        let r = a.post("/api/v1/reviews", token, &zhzf);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["acts"][0]["unit"], "ZHZF");
    }
    let stats = a
        .served
        .client
        .request("GET", "/api/v1/supervision/stats?kind=review")
        .bearer(&a.supervisor)
        .send()
        .json();
    let per_unit = stats["reviews"]["per_unit"].as_array().unwrap();
    assert_eq!(per_unit.len(), 1, "{per_unit:?}");
    assert_eq!(
        (per_unit[0]["key"].as_str(), per_unit[0]["acts"].as_i64()),
        (Some("ZHZF"), Some(3))
    );
    let per_inspector = stats["reviews"]["per_inspector"].as_array().unwrap();
    assert_eq!(per_inspector.len(), 1, "{per_inspector:?}");
    assert_eq!(per_inspector[0]["unit"], "ZHZF");
    let r = a
        .served
        .client
        .request("GET", "/api/v1/supervision/stats")
        .bearer(&a.other_reviewer)
        .send();
    assert_eq!(r.status, 403);
}

/// Free text that would open as a formula is neutralised in the log export, value kept.
#[test]
fn exported_log_cells_never_open_as_formulas() {
    let a = serve(&["--rate-limit", "0"]);
    for (i, text) in [
        "=HYPERLINK(\"http://x\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1)",
        "-2+3",
    ]
    .iter()
    .enumerate()
    {
        let r = a.post("/api/v1/calculate", &a.inspector, &stall(text));
        assert_eq!(r.status, 200, "{i}: {}", r.text());
    }
    let csv = a
        .served
        .client
        .request("GET", "/api/v1/queries/export.csv")
        .bearer(&a.supervisor)
        .send()
        .text();
    for text in ["=HYPERLINK", "+cmd", "@SUM", "-2+3"] {
        assert!(
            csv.contains(&format!("'{text}")),
            "{text} kept, neutralised: {csv}"
        );
        for cell in csv.split([',', '\n']) {
            assert!(!cell.trim_matches('"').starts_with(text), "{cell}");
        }
    }
}

/// 200 anonymous workbook downloads at once, from one address, with no rate limit: the
/// export is built once for the version, memory stays under 256 MB and the service answers.
#[test]
fn two_hundred_anonymous_exports_keep_memory_bounded() {
    let a = serve(&["--rate-limit", "0"]);
    let before = a.served.rss();
    let downloads: Vec<_> = (0..200)
        .map(|_| {
            let c = a.served.client.clone();
            std::thread::spawn(move || {
                let r = c.get("/standards/export.xlsx");
                (r.status, r.body.len())
            })
        })
        .collect();
    let health = (0..20)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(20));
            a.served.client.get("/healthz").status
        })
        .collect::<Vec<_>>();
    let mut peak = a.served.rss();
    for d in downloads {
        let (status, len) = d.join().unwrap();
        assert_eq!(status, 200);
        assert!(len > 100_000, "{len}");
        peak = peak.max(a.served.rss());
    }
    assert!(health.iter().all(|s| *s == 200), "{health:?}");
    let after = a.served.rss();
    assert!(
        peak.max(after) < 256 * 1024 * 1024,
        "RSS {before} → peak {peak} → {after} bytes"
    );
}
