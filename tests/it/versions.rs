//! Standards versions end to end: published from the command line while a server runs, followed
//! by it within seconds, applied by the act's date (从旧兼从轻, 行政处罚法 第三十七条), withdrawn
//! as a rollback, and every logged answer still recomputable with the versions of its time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use penalty_standards::auth::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, temp_dir};

fn cli(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_penalty-standards"))
        .args(args)
        .arg("--data-dir")
        .arg(app.data_dir())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

/// `penalty-standards publish DIR --effective DATE --note NOTE` on the app's database.
fn publish(app: &TestApp, dir: &str, effective: &str, note: &str) -> Output {
    cli(
        app,
        &["publish", dir, "--effective", effective, "--note", note],
    )
}

/// A copy of the bundled standards as version `id`, with ZHZF-019 较轻 at `fine` yuan.
pub(crate) fn standards_copy(root: &Path, id: &str, fine: u32) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("standards");
    let dir = root.join(id);
    std::fs::create_dir_all(dir.join("units")).unwrap();
    for e in std::fs::read_dir(src.join("units")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join("units").join(e.file_name())).unwrap();
    }
    std::fs::copy(src.join("search_terms.toml"), dir.join("search_terms.toml")).unwrap();
    let set = std::fs::read_to_string(src.join("set.toml")).unwrap();
    std::fs::write(
        dir.join("set.toml"),
        set.replace("version = \"2026.1\"", &format!("version = \"{id}\"")),
    )
    .unwrap();
    let unit = dir.join("units/ZHZF.toml");
    let tier =
        "when = { stall_area = { gte = 1, lt = 2 }, in_bridge_or_underpass = false }\nfine = 20";
    let text = std::fs::read_to_string(&unit).unwrap();
    let changed = text.replacen(tier, &tier.replace("= 20", &format!("= {fine}")), 1);
    assert_ne!(text, changed);
    std::fs::write(&unit, changed).unwrap();
    dir
}

fn today() -> chrono::NaiveDate {
    penalty_standards::clock::today()
}

fn stall(app: &TestApp, act: chrono::NaiveDate) -> Value {
    let r = app.post_as(
        "/api/v1/calculate",
        Role::Inspector,
        &json!({"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"},
                "act_date": act.to_string()}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// Waits until the server lists `n` versions: the service promises 5 s (measured on the release
/// build, docs/PERFORMANCE.md); a debug build loading a whole version while the other tests run
/// on two cores gets twice that here.
fn until_versions(app: &TestApp, n: usize, withdrawn: usize) -> Duration {
    until_versions_within(app, n, withdrawn, Duration::from_secs(10))
}

/// Waits at most `limit` until the server lists `n` versions, `withdrawn` of them withdrawn.
fn until_versions_within(app: &TestApp, n: usize, withdrawn: usize, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let list = app.get("/api/v1/standards/versions").json();
        let all = list.as_array().unwrap();
        let gone = all.iter().filter(|v| v["status"] == "withdrawn").count();
        if all.len() == n && gone == withdrawn {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "not followed within {limit:?}: {list}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_published_version_is_followed_applied_by_date_and_withdrawn_as_a_rollback() {
    let app = TestApp::builder().start();
    let root = temp_dir();
    let first = app.get("/api/v1/standards/versions").json();
    assert_eq!(first[0]["version"], "2026.1");
    assert_eq!(first[0]["status"], "in_force");

    // Refused: a date in the past, and a version number that exists.
    let yesterday = (today() - chrono::Days::new(1)).to_string();
    let dir = standards_copy(root.path(), "2026.2", 25);
    let past = publish(&app, dir.to_str().unwrap(), &yesterday, "x");
    assert!(!past.status.success());
    assert!(String::from_utf8_lossy(&past.stderr).contains("past"));
    let same = standards_copy(root.path(), "2026.1", 25);
    let again = publish(&app, same.to_str().unwrap(), &today().to_string(), "x");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // 2026.2 in force from today: 较轻 25 yuan instead of 20.
    let out = publish(
        &app,
        dir.to_str().unwrap(),
        &today().to_string(),
        "较轻阶次调整为25元",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2026.2");
    let took = until_versions(&app, 2, 0);
    eprintln!("followed in {took:?}");

    let now = stall(&app, today());
    assert_eq!(
        (
            now["standards_version"].as_str(),
            now["fine"]["max"].as_str()
        ),
        (Some("2026.2"), Some("25.00"))
    );
    // An act of yesterday was committed under 2026.1; 2026.2 is heavier for it: 2026.1 applies.
    let before = stall(&app, today() - chrono::Days::new(1));
    assert_eq!(
        (
            before["standards_version"].as_str(),
            before["fine"]["max"].as_str()
        ),
        (Some("2026.1"), Some("20.00"))
    );
    assert_eq!(before["version_choice"]["rule"], "act_date");
    assert_eq!(before["version_choice"]["compared"]["version"], "2026.2");

    // Withdrawn: 2026.1 applies again to every act.
    let out = cli(&app, &["withdraw", "2026.2", "--note", "发现错误"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    until_versions(&app, 2, 1);
    let after = stall(&app, today());
    assert_eq!(
        (
            after["standards_version"].as_str(),
            after["fine"]["max"].as_str()
        ),
        (Some("2026.1"), Some("20.00"))
    );
    let listed = String::from_utf8_lossy(&cli(&app, &["versions"]).stdout).to_string();
    assert!(
        listed.contains("2026.2") && listed.contains("已撤回"),
        "{listed}"
    );

    // Every answer is recomputed with the versions as they stood when it was given.
    let verify = cli(&app, &["log", "verify", "--recompute"]);
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{text}");
    assert!(text.contains("3 answers match, 0 differ"), "{text}");
}

/// Issue 13: the diff of a known change, over the API and on the command line.
#[test]
fn the_diff_of_a_published_version_is_its_one_change() {
    let app = TestApp::builder().start();
    let root = temp_dir();
    // Scheduled for tomorrow: published (公示) before it applies, which is when a diff is read.
    let tomorrow = (today() + chrono::Days::new(1)).to_string();
    let dir = standards_copy(root.path(), "2026.2", 25);
    let out = publish(&app, dir.to_str().unwrap(), &tomorrow, "较轻阶次调整为25元");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not a test of how fast the server follows (the test above is): a loaded machine may take
    // longer than the promised 5 s, and the diff does not depend on it.
    until_versions_within(&app, 2, 0, Duration::from_secs(60));

    let r = app.get("/api/v1/standards/versions/2026.2/diff?against=2026.1");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({
            "old_version": "2026.1",
            "new_version": "2026.2",
            "changes": [],
            "added": [],
            "removed": [],
            "changed": [{
                "id": "ZHZF-019",
                "name": "占用人行道、桥梁、地下通道等公共场所设摊经营、兜售物品",
                "changes": [{"what": "阶次2（较轻）处罚标准", "old": "20元", "new": "25元"}],
            }],
        })
    );
    let back = app.get("/api/v1/standards/versions/2026.1/diff?against=2026.2");
    assert_eq!(back.json()["changed"][0]["changes"][0]["new"], "20元");

    for path in [
        "/api/v1/standards/versions/2099.1/diff?against=2026.1",
        "/api/v1/standards/versions/2026.2/diff?against=2099.1",
    ] {
        let r = app.get(path);
        assert_eq!(r.status, 404, "{path}: {}", r.text());
        assert_eq!(r.json()["error"]["code"], "not_found");
    }
    for path in [
        "/api/v1/standards/versions/2026.2/diff",
        "/api/v1/standards/versions/2026.2/diff?against=",
    ] {
        let r = app.get(path);
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        assert_eq!(r.json()["error"]["field"], "against");
    }

    let out = cli(&app, &["diff", "2026.1", "2026.2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ZHZF-019 阶次2（较轻）处罚标准：20元 → 25元\n"
    );
    let unknown = cli(&app, &["diff", "2026.1", "2099.1"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("2099.1"));
}

#[test]
fn standards_given_at_start_are_refused_once_the_database_holds_versions() {
    let app = TestApp::builder().start();
    let root = temp_dir();
    let dir = standards_copy(root.path(), "2026.9", 25);
    let out = Command::new(env!("CARGO_BIN_EXE_penalty-standards"))
        .args(["review", "none.csv", "--token", "pst_0_x", "--standards"])
        .arg(&dir)
        .arg("--data-dir")
        .arg(app.data_dir())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already holds standards versions") && err.contains("publish"),
        "{err}"
    );
}

/// The files of a standards directory as the API takes them.
pub(crate) fn files_of(dir: &Path) -> Value {
    let mut files = serde_json::Map::new();
    for name in ["set.toml", "search_terms.toml"] {
        files.insert(
            name.into(),
            json!(std::fs::read_to_string(dir.join(name)).unwrap()),
        );
    }
    for e in std::fs::read_dir(dir.join("units")).unwrap() {
        let e = e.unwrap();
        let name = format!("units/{}", e.file_name().to_string_lossy());
        files.insert(name, json!(std::fs::read_to_string(e.path()).unwrap()));
    }
    Value::Object(files)
}

#[test]
fn a_publisher_publishes_and_withdraws_over_rest_and_a_refused_upload_changes_nothing() {
    let app = TestApp::builder().start();
    let root = temp_dir();
    let dir = standards_copy(root.path(), "2026.3", 25);
    let files = files_of(&dir);
    let publish = |body: &Value| app.post_as("/api/v1/standards/versions", Role::Publisher, body);

    // A broken unit file: every problem listed, nothing stored.
    let mut broken = files.clone();
    broken["units/ZHZF.toml"] = json!(
        files["units/ZHZF.toml"]
            .as_str()
            .unwrap()
            .replace("fine = 25", "fine = 99")
    );
    let r = publish(&json!({"effective_date": today().to_string(), "note": "x", "files": broken}));
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.code(), "standards_invalid");
    let problems = r.json()["error"]["problems"].as_array().unwrap().clone();
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().contains("ZHZF-019")),
        "{problems:?}"
    );
    assert_eq!(
        app.get("/api/v1/standards/versions")
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A past date is refused; the version is published for today.
    let yesterday = (today() - chrono::Days::new(1)).to_string();
    let r = publish(&json!({"effective_date": yesterday, "note": "x", "files": files}));
    assert_eq!(
        (r.status, r.code()),
        (422, "effective_date_in_past".to_string())
    );
    let r = publish(
        &json!({"effective_date": today().to_string(), "note": "较轻阶次调整为25元", "files": files}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["status"], "in_force");
    assert_eq!(r.json()["published_by"], "测试publisher");
    let r = publish(&json!({"effective_date": today().to_string(), "note": "x", "files": files}));
    assert_eq!((r.status, r.code()), (409, "version_exists".to_string()));

    // In force at once on this instance, its files downloadable as uploaded.
    let now = stall(&app, today());
    assert_eq!(
        (
            now["standards_version"].as_str(),
            now["fine"]["max"].as_str()
        ),
        (Some("2026.3"), Some("25.00"))
    );
    let back = app.get("/api/v1/standards/versions/2026.3/files").json();
    assert_eq!(back["files"], files);

    // Withdrawn: a rollback; an inspector may not withdraw.
    let path = "/api/v1/standards/versions/2026.3/withdraw";
    assert_eq!(
        app.post_as(path, Role::Inspector, &json!({"note": "x"}))
            .status,
        403
    );
    let r = app.post_as(path, Role::Publisher, &json!({"note": "发现错误"}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "withdrawn");
    let after = stall(&app, today());
    assert_eq!(after["standards_version"], "2026.1");
    assert_eq!(
        app.post_as(path, Role::Publisher, &json!({"note": "再次"}))
            .status,
        404
    );
    // The last version that applies cannot be withdrawn: an act must have one to be judged by.
    let last = app.post_as(
        "/api/v1/standards/versions/2026.1/withdraw",
        Role::Publisher,
        &json!({"note": "x"}),
    );
    assert_eq!(
        (last.status, last.code()),
        (422, "last_version".to_string())
    );
}

/// A version published for a later date is announced (公示) on the public table before it
/// applies, and the history page lists every version with its status.
#[test]
fn a_scheduled_version_is_announced_and_the_history_lists_every_version() {
    let app = TestApp::builder().start();
    let root = temp_dir();
    let dir = standards_copy(root.path(), "2027.1", 25);
    let tomorrow = (today() + chrono::Days::new(1)).to_string();
    let r = app.post_as(
        "/api/v1/standards/versions",
        Role::Publisher,
        &json!({"effective_date": tomorrow, "note": "较轻阶次调整为25元", "files": files_of(&dir)}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["status"], "scheduled");
    let index = app.get("/standards").text();
    assert!(
        index.contains("待施行")
            && index.contains("2027.1版")
            && index.contains("较轻阶次调整为25元"),
        "{index}"
    );
    let history = app.get("/standards/versions").text();
    assert!(
        history.contains("2026.1") && history.contains("现行有效"),
        "{history}"
    );
    assert!(
        history.contains("2027.1") && history.contains("待施行"),
        "{history}"
    );
    // Today's acts are still judged by 2026.1.
    assert_eq!(stall(&app, today())["standards_version"], "2026.1");
    // The published pages and exports of the scheduled version, by `?version=`.
    let page = |q: &str| app.get(&format!("/standards/matters/ZHZF-019{q}"));
    assert!(page("?version=2027.1").text().contains("25元"));
    assert!(!page("").text().contains("25元"));
    assert_eq!(page("?version=9999.9").status, 404);
    let csv = app
        .get("/standards/export.csv?unit=ZHZF&version=2027.1")
        .text();
    let today_csv = app.get("/standards/export.csv?unit=ZHZF").text();
    assert_ne!(csv, today_csv);
    assert!(
        csv.contains("2027.1") || csv.contains("25"),
        "{}",
        &csv[..300.min(csv.len())]
    );
}

/// Two publishers withdrawing the two versions at once: the store decides in one step, so one
/// withdrawal stands and the other is refused — never both, which would leave no version.
fn two_withdrawals_at_once_leave_one_version(app: TestApp) {
    let root = temp_dir();
    let dir = standards_copy(root.path(), "2026.3", 25);
    let r = app.post_as(
        "/api/v1/standards/versions",
        Role::Publisher,
        &json!({"effective_date": today().to_string(), "note": "较轻阶次调整为25元", "files": files_of(&dir)}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let statuses: Vec<(u16, String)> = std::thread::scope(|s| {
        let both: Vec<_> = ["2026.1", "2026.3"]
            .into_iter()
            .map(|v| {
                let app = &app;
                s.spawn(move || {
                    let path = format!("/api/v1/standards/versions/{v}/withdraw");
                    let r = app.post_as(&path, Role::Publisher, &json!({"note": "同时撤回"}));
                    (
                        r.status,
                        if r.status == 200 {
                            String::new()
                        } else {
                            r.code()
                        },
                    )
                })
            })
            .collect();
        both.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = statuses.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(
        statuses.contains(&(422, "last_version".to_string())),
        "{statuses:?}"
    );
    let listed = app.get("/api/v1/standards/versions").json();
    let withdrawn = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] == "withdrawn")
        .count();
    assert_eq!(withdrawn, 1);
}

#[test]
fn two_withdrawals_at_once_leave_one_version_sqlite() {
    two_withdrawals_at_once_leave_one_version(TestApp::builder().start());
}

#[test]
fn two_withdrawals_at_once_leave_one_version_postgres() {
    let Some(b) = TestApp::builder().postgres() else {
        return;
    };
    two_withdrawals_at_once_leave_one_version(b.start());
}

/// Issue 13: a version published through one instance is applied by another on the same
/// PostgreSQL database within 5 seconds, and the switch under load fails no request: every
/// answer names the version it used, the old one before the switch and the new one after.
#[test]
fn a_second_instance_on_postgres_switches_within_five_seconds_under_load() {
    let Some(b) = TestApp::builder().postgres() else {
        return;
    };
    let a = b.start();
    let other = a.another_instance();
    let root = temp_dir();
    let dir = standards_copy(root.path(), "2026.3", 25);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (answers, took) = std::thread::scope(|s| {
        let load: Vec<_> = (0..3)
            .map(|_| {
                let (other, stop) = (&other, &stop);
                s.spawn(move || {
                    let mut seen = Vec::new();
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let r = stall(other, today());
                        seen.push(r["standards_version"].as_str().unwrap_or("").to_string());
                    }
                    seen
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        let r = a.post_as(
            "/api/v1/standards/versions",
            Role::Publisher,
            &json!({"effective_date": today().to_string(), "note": "较轻阶次调整为25元", "files": files_of(&dir)}),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        let published = Instant::now();
        let took = loop {
            if stall(&other, today())["standards_version"] == "2026.3" {
                break published.elapsed();
            }
            // 5 s is the promise on the release build; a debug build beside the other tests
            // on two cores gets twice that (see until_versions).
            assert!(
                published.elapsed() < Duration::from_secs(10),
                "not followed in 10 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let answers: Vec<String> = load.into_iter().flat_map(|h| h.join().unwrap()).collect();
        (answers, took)
    });
    eprintln!(
        "second instance followed in {took:?}; {} answers under load",
        answers.len()
    );
    assert!(
        answers.iter().all(|v| v == "2026.1" || v == "2026.3"),
        "{answers:?}"
    );
    // Once switched, never back: the answers of each thread run old… then new….
    assert_eq!(answers.last().map(String::as_str), Some("2026.3"));
}
