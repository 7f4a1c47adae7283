//! The bundled standards: they load, meet the figures the issue sets, and every citation and
//! statutory band agrees with the law texts in ../shared/laws.

use penalty_standards::circumstances::engine_citations;
use penalty_standards::lawtext::amounts::{StatedUnit, stated_bands};
use penalty_standards::lawtext::corpus::Corpus;
use penalty_standards::lawtext::crosscheck::{check_citations, check_matter, resolve};
use penalty_standards::sources::load_standards;
use penalty_standards::standards::Citation;
use penalty_standards::stats::stats;
use rust_decimal::Decimal;

use crate::support::heavy::laws_dir;

/// The 龙湾 model's shape, not its exact counts: the law decides how many tiers a matter has and
/// whether its amounts are fixed, so only the matters (899, 22 units) and the model's character
/// (at least 60 % fixed amounts, 1 to 7 tiers) are held.
#[test]
fn bundled_standards_keep_the_longwan_shape() {
    let set = load_standards(None).expect("the bundled standards validate");
    let s = stats(&set);
    assert_eq!(s.units, 22);
    assert_eq!(s.total.matters, 899);
    assert!(
        s.total.fixed_share >= Decimal::new(60, 2),
        "fixed share {}",
        s.total.fixed_share
    );
    for m in &set.matters {
        assert!((1..=7).contains(&m.tiers.len()), "{}", m.id);
    }
}

#[test]
fn every_bundled_citation_and_band_agrees_with_the_law_texts() {
    let Some(laws) = laws_dir() else {
        return;
    };
    let corpus = Corpus::open(&laws).unwrap();
    let set = load_standards(None).unwrap();
    let mut problems = check_citations(&engine_citations(), &corpus, "(engine)");
    for m in &set.matters {
        problems.extend(check_matter(m, &corpus));
    }
    assert!(
        problems.is_empty(),
        "{}",
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn real_articles_parse_into_their_bands() {
    let Some(laws) = laws_dir() else {
        return;
    };
    let corpus = Corpus::open(&laws).unwrap();
    let text = |law: &str, article: u32, paragraph: Option<u32>| {
        let mut c = Citation::new(law, article, paragraph, None);
        if corpus.versions(law).is_some_and(|v| v.len() > 1) {
            c.version = corpus.versions(law).unwrap().last().map(|v| v.date.clone());
        }
        resolve(&corpus, &c).unwrap_or_else(|e| panic!("{e}")).1
    };
    let yuan = |min: i64, max: i64| {
        (
            StatedUnit::Yuan,
            Decimal::from(min),
            Some(Decimal::from(max)),
        )
    };
    let cases = [
        (
            text("中华人民共和国大气污染防治法", 99, None),
            yuan(100_000, 1_000_000),
        ),
        (
            text("中华人民共和国行政处罚法", 51, None),
            (StatedUnit::Yuan, Decimal::ZERO, Some(Decimal::from(200))),
        ),
        (
            text("城镇排水与污水处理条例", 48, None),
            yuan(50_000, 100_000),
        ),
        (
            text("中华人民共和国城乡规划法", 64, None),
            (
                StatedUnit::Percent,
                Decimal::from(5),
                Some(Decimal::from(10)),
            ),
        ),
        (
            text("中华人民共和国环境影响评价法", 31, Some(1)),
            (
                StatedUnit::Percent,
                Decimal::from(1),
                Some(Decimal::from(5)),
            ),
        ),
    ];
    for (t, (unit, min, max)) in cases {
        let bands = stated_bands(&t);
        assert!(
            bands
                .iter()
                .any(|b| b.unit == unit && b.min == min && b.max == max),
            "{unit:?} {min}..{max:?} not in {bands:?} of {t}"
        );
    }
}

#[test]
fn missing_laws_articles_and_versions_are_reported() {
    let Some(laws) = laws_dir() else {
        return;
    };
    let corpus = Corpus::open(&laws).unwrap();
    let err = |c: Citation| resolve(&corpus, &c).expect_err("must be refused");
    assert!(err(Citation::new("中华人民共和国大气法", 99, None, None)).contains("no law titled"));
    assert!(
        err(Citation::new(
            "中华人民共和国大气污染防治法",
            400,
            None,
            None
        ))
        .contains("no such article")
    );
    assert!(
        err(Citation::new(
            "中华人民共和国大气污染防治法",
            99,
            None,
            Some(9)
        ))
        .contains("item")
    );
    assert!(
        err(Citation::new(
            "中华人民共和国大气污染防治法",
            99,
            Some(5),
            None
        ))
        .contains("paragraph")
    );
    // 道路运输条例 is stored in several versions: the citation must name the newest.
    let law = "中华人民共和国道路运输条例";
    let versions = corpus.versions(law).expect("stored");
    assert!(versions.len() > 1);
    assert!(err(Citation::new(law, 63, None, None)).contains("several versions"));
    let mut old = Citation::new(law, 63, None, None);
    old.version = Some(versions[0].date.clone());
    assert!(err(old).contains("newest"));
}

#[test]
fn penalty_provisions_of_a_real_law_are_listed_with_their_bands() {
    let Some(laws) = laws_dir() else {
        return;
    };
    let corpus = Corpus::open(&laws).unwrap();
    let law = corpus
        .versions("中华人民共和国大气污染防治法")
        .unwrap()
        .last()
        .unwrap()
        .law();
    let list = penalty_standards::lawtext::penalty_provisions(law);
    assert!(list.len() >= 25, "{} provisions", list.len());
    let art99 = list
        .iter()
        .find(|p| p.article == 99)
        .expect("第九十九条 sets a fine");
    assert_eq!(art99.items, 3);
    assert!(
        art99
            .bands
            .iter()
            .any(|b| b.min == Decimal::from(100_000) && b.max == Some(Decimal::from(1_000_000)))
    );
    // 城乡规划法 第六十四条: percentage bands.
    let law = corpus
        .versions("中华人民共和国城乡规划法")
        .unwrap()
        .last()
        .unwrap()
        .law();
    let list = penalty_standards::lawtext::penalty_provisions(law);
    assert!(
        list.iter()
            .any(|p| p.article == 64 && p.bands.iter().any(|b| b.unit == StatedUnit::Percent))
    );
    // Articles without 罚款 are not penalty provisions.
    assert!(!list.iter().any(|p| p.article == 1));
}

#[test]
fn provisions_command_flags_uncovered_provisions() {
    let Some(laws) = laws_dir() else {
        return;
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_penalty-standards"))
        .args([
            "provisions",
            "--law",
            "中华人民共和国大气污染防治法",
            "--laws",
        ])
        .arg(laws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("第九十九条") && l.contains("STHJ-004")),
        "{text}"
    );
    assert!(
        text.contains("NOT COVERED"),
        "some provisions have no matter yet"
    );
}

#[test]
fn a_penalty_resting_on_two_provisions_cites_both() {
    let set = load_standards(None).unwrap();
    let m = set
        .matters
        .iter()
        .find(|m| !m.penalty_also.is_empty())
        .expect("a matter with penalty_also");
    assert!(m.penalty_text().contains('、'));
    let facts: serde_json::Map<String, serde_json::Value> = m
        .facts
        .iter()
        .map(|f| {
            let v = match f.kind {
                penalty_standards::standards::FactType::Boolean => serde_json::json!(false),
                penalty_standards::standards::FactType::Enum => serde_json::json!(f.values[0].code),
                _ => serde_json::json!("0"),
            };
            (f.key.clone(), v)
        })
        .collect();
    let req = penalty_standards::engine::CalcRequest::from_json(&serde_json::json!({
        "matter_id": m.id, "party": m.statutory.parties[0], "facts": facts, "act_date": "2026-01-01", "decision_date": "2026-02-01"
    }))
    .unwrap();
    let r = penalty_standards::engine::calculate(
        &set,
        &req,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    )
    .unwrap();
    let penalties: Vec<_> = r
        .legal_basis
        .iter()
        .filter(|b| b.role == penalty_standards::engine::BasisRole::Penalty)
        .collect();
    assert_eq!(penalties.len(), 1 + m.penalty_also.len());
}

/// `check --laws DIR --impact` on `standards` (the bundled set when `None`): its output, having
/// exited 0.
fn impact_report(laws: &std::path::Path, standards: Option<&std::path::Path>) -> String {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_penalty-standards"));
    cmd.args(["check", "--impact", "--laws"]).arg(laws);
    if let Some(dir) = standards {
        cmd.arg("--standards").arg(dir);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The summary line's two counts: matters citing an older version, and those whose cited
/// text changed.
fn impact_summary(report: &str) -> (usize, usize) {
    let last = report.lines().last().expect("a summary line");
    let (older, rest) = last
        .split_once(" 个事项引用了法律的旧版本，其中 ")
        .unwrap_or_else(|| panic!("not the summary line: {last}"));
    let changed = rest
        .strip_suffix(" 个所引条文已有变化")
        .unwrap_or_else(|| panic!("not the summary line: {last}"));
    (older.parse().unwrap(), changed.parse().unwrap())
}

/// A listed citation: matter id, law title, cited date, newest date.
struct ImpactEntry {
    matter: String,
    law: String,
    cited: String,
    newest: String,
}

/// Every citation the report lists, under the matter heading it follows.
fn impact_entries(report: &str) -> Vec<ImpactEntry> {
    let mut matter = String::new();
    let mut out = Vec::new();
    for line in report.lines() {
        if !line.starts_with(' ') {
            matter = line.split(' ').next().unwrap_or("").to_string();
            continue;
        }
        let Some((_, dates)) = line.split_once("（所引 ") else {
            continue;
        };
        let law = line.split_once('《').unwrap().1.split_once('》').unwrap().0;
        let (cited, rest) = dates.split_once(" 版，最新 ").unwrap();
        let newest = rest.split_once(" 版）").unwrap().0;
        out.push(ImpactEntry {
            matter: matter.clone(),
            law: law.to_string(),
            cited: cited.to_string(),
            newest: newest.to_string(),
        });
    }
    out
}

/// Each listed citation names a version of its law that is in the corpus but not the newest,
/// and the matter really cites that version.
fn assert_entries_cite_older_versions(
    entries: &[ImpactEntry],
    corpus: &Corpus,
    set: &penalty_standards::standards::StandardsSet,
) {
    for e in entries {
        let versions = corpus.versions(&e.law).expect("a law of the corpus");
        assert_eq!(versions.last().unwrap().date, e.newest, "{}", e.matter);
        assert_ne!(e.cited, e.newest, "{}", e.matter);
        assert!(versions.iter().any(|v| v.date == e.cited), "{}", e.matter);
        let m = set.matters.iter().find(|m| m.id == e.matter).unwrap();
        let cites = [&m.violated, &m.penalty]
            .into_iter()
            .chain(&m.penalty_also)
            .any(|c| c.law == e.law && c.version.as_deref() == Some(e.cited.as_str()));
        assert!(cites, "{} does not cite {} of {}", e.matter, e.cited, e.law);
    }
}

#[test]
fn impact_report_on_the_bundled_standards_lists_only_older_versions() {
    let Some(laws) = laws_dir() else {
        return;
    };
    let report = impact_report(&laws, None);
    let (older, changed) = impact_summary(&report);
    assert!(changed <= older, "{report}");
    let entries = impact_entries(&report);
    // `check --laws` requires the newest version, so today nothing is listed.
    assert_eq!(older, 0, "{report}");
    assert!(entries.is_empty(), "{report}");
    let corpus = Corpus::open(&laws).unwrap();
    assert_entries_cite_older_versions(&entries, &corpus, &load_standards(None).unwrap());
}

/// A copy of the bundled standards in which JTJ-001's 违法依据 cites `version` of the
/// 道路运输条例 instead of 2023-07-20.
fn standards_citing_road_transport(root: &std::path::Path, version: &str) -> std::path::PathBuf {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("standards");
    let dir = root.join("standards");
    std::fs::create_dir_all(dir.join("units")).unwrap();
    for name in ["set.toml", "search_terms.toml"] {
        std::fs::copy(src.join(name), dir.join(name)).unwrap();
    }
    for e in std::fs::read_dir(src.join("units")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join("units").join(e.file_name())).unwrap();
    }
    let unit = dir.join("units/JTJ.toml");
    let line = "violated = { law = \"中华人民共和国道路运输条例\", article = 24, paragraph = 1, item = 1, version = \"2023-07-20\" }";
    let text = std::fs::read_to_string(&unit).unwrap();
    // JTJ-001's own 违法依据: the first such line after its id.
    let (before, from_matter) = text.split_at(text.find("id = \"JTJ-001\"").unwrap());
    assert!(
        from_matter.contains(line),
        "JTJ-001 cites 第二十四条第一款第一项"
    );
    let changed =
        before.to_string() + &from_matter.replacen(line, &line.replace("2023-07-20", version), 1);
    std::fs::write(&unit, changed).unwrap();
    dir
}

#[test]
fn impact_report_lists_a_matter_citing_an_amended_article() {
    let Some(laws) = laws_dir() else {
        return;
    };
    // 第二十四条第一款第一项 of the 2019 text names 道路运输管理机构; the 2023 text names
    // 人民政府交通运输主管部门 instead.
    let corpus = Corpus::open(&laws).unwrap();
    let law = "中华人民共和国道路运输条例";
    let versions = corpus.versions(law).unwrap();
    let (old, newest) = (&versions[0], versions.last().unwrap());
    assert_eq!(
        (old.date.as_str(), newest.date.as_str()),
        ("2019-03-02", "2023-07-20")
    );
    let item = |v: &penalty_standards::lawtext::corpus::Version| {
        v.law().articles[&24].paragraphs[0].items[0].clone()
    };
    assert_ne!(item(old), item(newest));

    let tmp = crate::support::temp_dir();
    let dir = standards_citing_road_transport(tmp.path(), &old.date);
    let report = impact_report(&laws, Some(&dir));
    assert_eq!(impact_summary(&report), (1, 1), "{report}");
    let entries = impact_entries(&report);
    assert_eq!(entries.len(), 1, "{report}");
    assert_eq!(entries[0].matter, "JTJ-001");
    assert_entries_cite_older_versions(&entries, &corpus, &load_standards(Some(&dir)).unwrap());
    assert!(report.contains("条文内容已修改"), "{report}");
    assert!(report.contains("道路运输管理机构"), "an excerpt: {report}");

    // provisions marks the matter where it lists those covering a provision.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_penalty-standards"))
        .args(["provisions", "--law", law, "--laws"])
        .arg(&laws)
        .arg("--standards")
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("JTJ-001（⚠ 所引版本已修订）"), "{text}");
    assert!(!text.contains("JTJ-002（⚠"), "{text}");
}
