//! `penalty-standards review cases.csv`: the real binary on a spreadsheet export.

use std::process::Command;

use penalty_standards::review_csv::read_cases;
use penalty_standards::sources::load_standards;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_penalty-standards");

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Chinese headers, facts by label and by key, a two-act case, one act under two provisions,
/// a row with an unknown matter.
const CASES: &str = "\u{feff}案件编号,当事人类型,承办人,违法行为发生日期,决定日期,裁量情节,事项编号,事实,拟罚款,拟其他措施,拟不予处罚,首违不罚,偏离理由
龙环罚〔2026〕1号,单位,张三,2026-10-01,2026-11-20,,STHJ-001,拒绝检查的方式=拒绝执法人员进入现场，检查未能进行,80000,,否,否,
龙环罚〔2026〕2号,单位,张三,2026-10-01,2026-11-20,主动供述行政机关尚未掌握的违法行为,STHJ-001,refusal_form=obstructed,250000,,,,
龙环罚〔2026〕3号,单位,李四,2026-10-01,2026-11-20,,STHJ-001,refusal_form=delayed；delay_minutes=45,45000,,,,拖延期间转移了记录
龙环罚〔2026〕3号,单位,李四,2026-10-01,2026-11-20,,NOPE-1,x=1,1000,,,,
";

#[test]
fn csv_rows_become_cases() {
    let set = load_standards(None).unwrap();
    let cases = read_cases(&set, CASES).unwrap();
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[2].lines, [4, 5]);
    let first = cases[0].json.as_ref().unwrap();
    assert_eq!(first["party"], "organisation");
    assert_eq!(
        first["acts"][0]["facts"],
        json!({"refusal_form": "refused"})
    );
    assert_eq!(first["acts"][0]["proposed"]["fine"], "80000");
    let second = cases[1].json.as_ref().unwrap();
    assert_eq!(second["circumstances"], json!(["confessed"]));
    let third = cases[2].json.as_ref().unwrap();
    assert_eq!(third["acts"].as_array().unwrap().len(), 2);
    assert_eq!(
        third["acts"][0]["facts"],
        json!({"refusal_form": "delayed", "delay_minutes": "45"})
    );
    assert_eq!(third["acts"][0]["reason"], "拖延期间转移了记录");

    // One act under two provisions, facts shared or given per matter.
    let csv = "case_ref,party,act_date,matter_id,facts,proposed_fine\nX,organisation,2026-10-01,STHJ-001+STHJ-028,STHJ-001:refusal_form=refused;STHJ-028:method=refuse_entry,90000\n";
    let c = read_cases(&set, csv).unwrap();
    let j = c[0].json.as_ref().unwrap();
    assert_eq!(j["acts"][0]["matter_id"], "STHJ-001");
    assert_eq!(j["acts"][0]["also_violates"][0]["matter_id"], "STHJ-028");
    assert_eq!(
        j["acts"][0]["also_violates"][0]["facts"],
        json!({"method": "refuse_entry"})
    );

    assert!(read_cases(&set, "case_ref,colour\n").is_err());
    let bad = read_cases(&set, "case_ref,matter_id,facts\nA,STHJ-001,refusal_form\n").unwrap();
    assert_eq!(bad[0].json.as_ref().unwrap_err().code, "invalid_row");
}

#[test]
fn the_command_reviews_logs_and_writes_verdicts() {
    let dir = crate::support::temp_dir();
    let dir = dir.path();
    let data = dir.join("data");
    let data = data.to_str().unwrap();
    let (ok, out, err) = run(&[
        "token",
        "create",
        "--name",
        "审核员甲",
        "--unit",
        "STHJ",
        "--role",
        "reviewer",
        "--data-dir",
        data,
    ]);
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap().to_string();
    let (ok, _, _) = run(&[
        "token",
        "create",
        "--name",
        "执法员乙",
        "--unit",
        "STHJ",
        "--role",
        "inspector",
        "--data-dir",
        data,
    ]);
    assert!(ok);

    let input = dir.join("cases.csv");
    std::fs::write(&input, CASES).unwrap();
    let input = input.to_str().unwrap();
    let (ok, out, err) = run(&["review", input, "--token", &token, "--data-dir", data]);
    assert!(ok, "{err}");
    assert!(
        out.contains("3 cases: 1 conform, 0 deviate, 1 unlawful, 1 could not be reviewed"),
        "{out}"
    );

    let verdicts = std::fs::read_to_string(dir.join("cases.verdicts.csv")).unwrap();
    let verdicts = verdicts
        .strip_prefix('\u{feff}')
        .expect("a BOM for spreadsheets");
    let mut reader = csv::Reader::from_reader(verdicts.as_bytes());
    assert_eq!(&reader.headers().unwrap()[4], "审核结论");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (&rows[0][1], &rows[0][5]),
        ("龙环罚〔2026〕1号", "conforms")
    );
    assert!(rows[0][12].contains('-'), "a receipt");
    assert_eq!(&rows[1][5], "unlawful");
    assert!(rows[1][11].contains("第九十八条"));
    assert_eq!(&rows[2][5], "error:unknown_matter");
    assert_eq!(&rows[2][0], "4、5");

    // Logged, in an intact chain, as reviews by the token's holder.
    let (ok, out, _) = run(&["log", "verify", "--data-dir", data]);
    assert!(ok && out.contains("ok: 2 entries"), "{out}");

    // Only reviewers and supervisors may review.
    let (ok, _, err) = run(&[
        "review",
        input,
        "--token",
        "pst_abc_def",
        "--data-dir",
        data,
    ]);
    assert!(!ok && err.contains("unknown or revoked"), "{err}");
}

/// `penalty-standards calc`: the standard penalty at the terminal, read as strictly as the API
/// reads a request (a key given twice is refused by name, not resolved to its last value).
#[test]
fn calc_at_the_terminal_reads_the_request_as_the_api_does() {
    let request = r#"{"matter_id":"ZHZF-001","party":"organisation","facts":{"construction_cost":"1234567.89","illegal_area":"85"},"act_date":"2026-06-01"}"#;
    let (ok, out, err) = run(&["calc", request]);
    assert!(ok, "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON out");
    assert_eq!(answer["matter_id"], "ZHZF-001");
    assert!(answer["fine"]["min"].is_string(), "{answer}");

    let twice = r#"{"matter_id":"ZHZF-001","party":"organisation","party":"individual","facts":{},"act_date":"2026-06-01"}"#;
    let (ok, out, _) = run(&["calc", twice]);
    assert!(!ok);
    assert!(
        out.contains("duplicate_key") && out.contains("party"),
        "{out}"
    );

    let (ok, out, _) = run(&["calc", "{\"matter_id\":"]);
    assert!(!ok && out.contains("malformed_json"), "{out}");
}
