//! The published standards (行政处罚法 第三十四条) through the real HTTP server: the pages
//! (`/standards`, units, matters, search), and the .xlsx and .csv exports read back with
//! calamine and the csv crate.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

use calamine::{Data, Dimensions, Reader, Xlsx, open_workbook_from_rs};
use penalty_standards::sources::load_standards;

use crate::support::{Response, TestApp, encode, fixture, get, temp_dir};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The 11 columns of the published table.
const COLUMNS: [&str; 11] = [
    "序号",
    "事项编号",
    "违法行为",
    "违法依据",
    "处罚依据",
    "法定处罚幅度",
    "裁量阶次",
    "适用情形",
    "处罚标准",
    "其他措施",
    "备注",
];

fn html(path: &str) -> String {
    let r = get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    assert!(
        r.header("content-type").unwrap().starts_with("text/html"),
        "{path}"
    );
    r.text()
}

/// The distinct matter ids a page links to.
fn linked_matters(page: &str) -> BTreeSet<String> {
    page.split("href=\"/standards/matters/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// `(code, name)` of every unit, from the JSON API.
fn units() -> Vec<(String, String)> {
    get("/api/v1/units")
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["code"].as_str().unwrap().to_string(),
                u["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// STHJ-001 as written in the TOML.
// ---------------------------------------------------------------------------------------------

struct ExpectedTier {
    name: String,
    situation: String,
    standard: String,
}

/// As a published table writes an amount: whole hundreds from 10,000 up in 万元.
fn yuan(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) if *i >= 10_000 && i % 100 == 0 => {
            let wan = format!("{:.2}", *i as f64 / 10_000.0);
            format!("{}万元", wan.trim_end_matches('0').trim_end_matches('.'))
        }
        toml::Value::Integer(i) => format!("{i}元"),
        toml::Value::Float(f) => format!("{f}元"),
        other => panic!("not an amount: {other}"),
    }
}

fn sthj_toml() -> toml::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("standards/units/STHJ.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The tiers of a bundled STHJ matter: name, 适用情形 and the published fine text.
fn sthj_tiers(id: &str) -> Vec<ExpectedTier> {
    let unit = sthj_toml();
    let matter = unit["matter"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"].as_str() == Some(id))
        .unwrap()
        .clone();
    matter["tier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let standard = match &t["fine"] {
                toml::Value::Array(a) => format!("{}至{}", yuan(&a[0]), yuan(&a[1])),
                v => yuan(v),
            };
            ExpectedTier {
                name: t["name"].as_str().unwrap().to_string(),
                situation: t["situation"].as_str().unwrap().to_string(),
                standard,
            }
        })
        .collect()
}

fn sthj_tier_count() -> usize {
    sthj_toml()["matter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["tier"].as_array().unwrap().len())
        .sum()
}

const STHJ_001_PENALTY: &str = "《中华人民共和国大气污染防治法》第九十八条";
const STHJ_001_VIOLATED: &str = "《中华人民共和国大气污染防治法》第二十九条";
const STHJ_001_BAND: &str = "处2万元至20万元罚款";

// ---------------------------------------------------------------------------------------------
// Pages.
// ---------------------------------------------------------------------------------------------

#[test]
fn index_shows_the_set_its_figures_and_every_unit() {
    let page = html("/standards");
    let stats = get("/api/v1/stats").json();
    assert_eq!(stats["matters"], 899);
    assert!(page.contains("龙湾区行政处罚裁量基准（参考版）"));
    assert!(page.contains("2026.1"));
    assert!(page.contains("施行日期 2026年12月1日"), "effective date");
    for (figure, label) in [
        (stats["matters"].to_string(), "事项"),
        (stats["tiers"].to_string(), "阶次"),
        (stats["fixed_tiers"].to_string(), "固定数额阶次"),
        ("22".to_string(), "执法单位"),
    ] {
        assert!(
            page.contains(&format!("<b>{figure}</b>{label}")),
            "figure {label} = {figure}"
        );
    }
    let units = units();
    assert_eq!(units.len(), 22);
    for (code, name) in &units {
        assert!(
            page.contains(&format!("<a href=\"/standards/units/{code}\">{name}</a>")),
            "unit {code} {name} linked"
        );
    }
    assert!(page.contains("href=\"/standards/export.xlsx\""));
    assert!(page.contains("href=\"/standards/export.csv\""));
    // The search form works without JavaScript and does not print.
    assert!(page.contains("<form class=\"inline noprint\" method=\"get\" action=\"/standards\""));
    assert!(page.contains("name=\"q\""));
    assert!(!page.contains("<script"));
    assert!(page.contains("@media print"));
}

#[test]
fn search_lists_matching_matters_and_caps_the_list() {
    let q = "危险废物";
    let page = html(&format!("/standards?q={}", encode(q)));
    let api = get(&format!("/api/v1/matters?q={}&per_page=200", encode(q))).json();
    let total = api["total"].as_u64().unwrap() as usize;
    assert!(total > 0, "hazardous-waste matters found");
    assert!(page.contains(&format!("找到 {total} 项")), "count shown");
    // The page lists the search's best 50, as the API ranks them.
    let expected: BTreeSet<String> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(50)
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(linked_matters(&page), expected);
    assert!(page.contains("未按规定设置危险废物识别标志"));
    assert!(page.contains("生态环境分局"));
    // The query is echoed in the form.
    assert!(page.contains(&format!("value=\"{q}\"")));

    // More than 50 hits: the count, and 50 of them.
    let page = html("/standards?q=STHJ");
    let api = get("/api/v1/matters?q=STHJ").json();
    let total = api["total"].as_u64().unwrap();
    assert!(total > 50);
    assert!(page.contains(&format!("找到 {total} 项，显示前 50 项")));
    assert_eq!(linked_matters(&page).len(), 50);

    let page = html(&format!("/standards?q={}", encode("qqxyzzyqq")));
    assert!(page.contains("没有找到相符的事项"));
    assert!(linked_matters(&page).is_empty());
}

#[test]
fn unit_page_lists_its_matters_and_is_case_insensitive() {
    let page = html("/standards/units/sthj");
    assert!(page.contains("<h1>生态环境分局行政处罚裁量基准</h1>"));
    let ids = linked_matters(&page);
    let toml_ids: BTreeSet<String> = sthj_toml()["matter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, toml_ids, "every STHJ matter listed, nothing else");
    assert!(page.contains("拒绝、拖延或者阻挠大气环境监督检查"));
    assert!(page.contains(STHJ_001_PENALTY));
    for col in ["序号", "编号", "事项名称", "类别", "处罚依据", "阶次数"] {
        assert!(page.contains(&format!(">{col}</th>")), "column {col}");
    }
    assert!(page.contains("href=\"/standards/export.xlsx?unit=STHJ\""));
    // Printed, the page is the unit's whole table: every tier's situation and standard.
    let print = &page[page.find("class=\"printonly\"").expect("the print table")..];
    for t in sthj_tiers("STHJ-001") {
        assert!(
            print.contains(&t.situation) && print.contains(&t.standard),
            "{}",
            t.name
        );
    }
    assert!(page.contains(&format!(
        "共 {} 个事项、{} 个裁量阶次",
        toml_ids.len(),
        sthj_tier_count()
    )));
}

#[test]
fn matter_page_publishes_sthj_001_as_the_toml_says() {
    let page = html("/standards/matters/sthj-001");
    assert!(page.contains("<h1>拒绝、拖延或者阻挠大气环境监督检查</h1>"));
    for (label, value) in [
        ("编号", "STHJ-001"),
        ("类别", "大气污染防治"),
        ("实施机关", "生态环境分局"),
        ("违法依据", STHJ_001_VIOLATED),
        ("处罚依据", STHJ_001_PENALTY),
    ] {
        assert!(
            page.contains(&format!(">{label}</th><td>{value}</td>")),
            "{label}: {value}"
        );
    }
    assert!(page.contains(STHJ_001_BAND), "statutory band");
    assert!(page.contains("计算方式：在法定金额幅度内确定"));
    // The facts that decide the tier, with their values.
    for s in [
        "拒绝检查的方式",
        "拖延一段时间后方接受检查",
        "围堵、滞留执法人员或者以暴力阻挠检查",
        "分钟",
        "阻挠过程中执法设备（执法记录仪、采样器具等）被损毁",
    ] {
        assert!(page.contains(s), "fact {s}");
    }
    // All five tiers, in order, each with its situation and amount in one row.
    let tiers = sthj_tiers("STHJ-001");
    assert_eq!(tiers.len(), 5);
    let mut at = 0;
    for t in &tiers {
        let row = format!(
            ">{}</td><td>{}</td><td>{}</td>",
            t.name, t.situation, t.standard
        );
        let pos = page[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("tier row {row}"));
        at += pos + row.len();
    }
    assert!(page.contains("2万元</td>") && page.contains("20万元</td>"));
    assert!(page.contains("<h2>说明</h2>"));
    assert!(page.contains("适用水污染防治法第八十一条（STHJ-028）"));
    assert!(page.contains("href=\"/standards/export.xlsx?unit=STHJ\""));
    // Navigation does not print.
    assert!(page.contains("<nav class=\"noprint\">"));
}

#[test]
fn unknown_ids_and_units_are_404_pages() {
    for path in [
        "/standards/matters/NOPE-999",
        "/standards/matters/sthj-9999",
        "/standards/units/NOPE",
        "/standards/export.xlsx?unit=NOPE",
        "/standards/export.csv?unit=NOPE",
    ] {
        let r = get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.text().contains("未找到"), "{path}: Chinese message");
        assert!(r.text().contains("href=\"/standards\""), "{path}: way back");
    }
}

// ---------------------------------------------------------------------------------------------
// A second server on the test fixtures, with a hostile matter name: escaping, every fine kind.
// ---------------------------------------------------------------------------------------------

const HOSTILE: &str = "超标排放<script>alert(\"x\")</script>, 测试";

fn fixture_app() -> &'static TestApp {
    static APP: OnceLock<TestApp> = OnceLock::new();
    APP.get_or_init(|| {
        let src = fixture("standards");
        let dir = temp_dir();
        let dir = dir.path();
        std::fs::create_dir_all(dir.join("units")).unwrap();
        std::fs::copy(src.join("set.toml"), dir.join("set.toml")).unwrap();
        let unit = std::fs::read_to_string(src.join("units/FIX.toml")).unwrap();
        let toml_name = HOSTILE.replace('"', "\\\"");
        let unit = unit.replacen(
            "name = \"超标排放大气污染物\"",
            &format!("name = \"{toml_name}\""),
            1,
        );
        assert!(unit.contains("<script>"));
        std::fs::write(dir.join("units/FIX.toml"), unit).unwrap();
        TestApp::builder().standards(dir).start()
    })
}

fn fixture_get(path: &str) -> Response {
    fixture_app().get(path)
}

fn fixture_page(id: &str) -> String {
    let r = fixture_get(&format!("/standards/matters/{id}"));
    assert_eq!(r.status, 200, "{id}");
    r.text()
}

#[test]
fn html_is_escaped() {
    let page = fixture_page("FIX-001");
    assert!(!page.contains("<script>"), "no markup from the data");
    assert!(page.contains("超标排放&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, 测试"));
    // A query is escaped too.
    let r = fixture_get(&format!("/standards?q={}", encode("<b>\"x")));
    assert_eq!(r.status, 200);
    assert!(r.text().contains("&lt;b&gt;&quot;x"));
    assert!(!r.text().contains("<b>\"x"));
}

#[test]
fn every_fine_kind_is_worded_for_the_public() {
    let cases: [(&str, &[&str]); 9] = [
        (
            "FIX-001",
            &[
                "处10万元至100万元罚款",
                "<td>10万元</td>",
                "<td>70万元至100万元</td>",
                "其他处罚和措施：可以限制生产；可以停产整治；可以责令停业、关闭",
                "违法行为轻微",
            ],
        ),
        (
            "FIX-002",
            &[
                "对单位处500元至5000元罚款",
                "对个人处50元至200元罚款",
                "<td>单位：500元；个人：50元</td>",
                "<td>单位：4000元至5000元；个人：200元</td>",
            ],
        ),
        (
            "FIX-003",
            &[
                "处违法所得10倍至20倍罚款；违法所得不足1万元的，处5万元至10万元罚款",
                "计算方式：按违法所得的倍数计算",
                "<td>违法所得的12倍</td>",
                "<td>违法所得的15倍至20倍</td>",
                "<td>5万元</td>",
            ],
        ),
        (
            "FIX-004",
            &[
                "可以并处300元以下罚款",
                "可不处罚款",
                "<td>不处罚款</td><td>警告</td>",
                "建筑物外墙；树木；文物保护单位",
                "（未查明时按1张）",
            ],
        ),
        (
            "FIX-005",
            &[
                "处罚款，按占用面积每平方米500元至2000元计算",
                "<td>按占用面积每平方米500元</td>",
                "<td>按占用面积每平方米1000元至2000元</td>",
            ],
        ),
        (
            "FIX-006",
            &[
                "对单位处建设项目总投资额1%至5%罚款",
                "<td>建设项目总投资额的1%</td>",
                "<td>建设项目总投资额的3%</td>",
            ],
        ),
        (
            "FIX-007",
            &[
                "对单位处所需处置费用1倍至3倍罚款（所需处置费用不足10万元的，按10万元计算）",
                "<td>所需处置费用的2倍</td>",
            ],
        ),
        (
            "FIX-008",
            &[
                "处违法所得5倍以下罚款；没有违法所得的，处5万元至50万元罚款",
                "<td>违法所得的2倍</td>",
                "<td>8万元</td>",
            ],
        ),
        (
            "FIX-009",
            &[
                "<td><div>不处罚款</div>",
                "其他处罚和措施：可以警告；可以暂扣许可证",
            ],
        ),
    ];
    for (id, expected) in cases {
        let page = fixture_page(id);
        for s in expected {
            assert!(page.contains(s), "{id}: {s}\n{page}");
        }
    }
}

#[test]
fn csv_quotes_a_cell_with_a_comma() {
    let r = fixture_get("/standards/export.csv");
    assert_eq!(r.status, 200);
    let text = String::from_utf8(r.body[3..].to_vec()).unwrap();
    let quoted = format!("\"{}\"", HOSTILE.replace('"', "\"\""));
    assert!(text.contains(&format!(",FIX-001,{quoted},")), "{text}");
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let first = rd.records().next().unwrap().unwrap();
    assert_eq!(&first[3], HOSTILE, "read back intact");
}

// ---------------------------------------------------------------------------------------------
// xlsx
// ---------------------------------------------------------------------------------------------

fn workbook(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).expect("a readable .xlsx")
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

#[test]
fn whole_set_xlsx_has_one_sheet_per_unit_and_every_tier() {
    assert_eq!(get("/healthz").status, 200, "server up before timing");
    let started = std::time::Instant::now();
    let r = get("/standards/export.xlsx");
    let over_http = started.elapsed();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(XLSX));
    let disp = r.header("content-disposition").unwrap();
    assert!(disp.starts_with("attachment; filename=\"") && disp.contains(".xlsx\""));
    let size = r.body.len();

    // The build alone, off the server.
    let set = load_standards(None).unwrap();
    let started = std::time::Instant::now();
    let direct = penalty_standards::web::export::xlsx_bytes(&set, None).unwrap();
    let build = started.elapsed();
    println!(
        "whole-set xlsx: {size} bytes; build {:.0} ms, over HTTP {:.0} ms ({} bytes direct)",
        build.as_secs_f64() * 1000.0,
        over_http.as_secs_f64() * 1000.0,
        direct.len()
    );

    let mut wb = workbook(r.body);
    let names = wb.sheet_names();
    let units = units();
    assert_eq!(names.len(), 22);
    let unit_names: Vec<String> = units.iter().map(|(_, n)| n.clone()).collect();
    assert_eq!(names, unit_names);
    let stats = get("/api/v1/stats").json();
    let mut rows = 0;
    let mut matters = BTreeSet::new();
    for name in &names {
        let range = wb.worksheet_range(name).unwrap();
        for c in 0..11 {
            assert_eq!(cell(&range, 1, c), COLUMNS[c as usize], "{name} header");
        }
        let (height, _) = range.get_size();
        rows += height - 2;
        for r in 2..height as u32 {
            let id = cell(&range, r, 1);
            if !id.is_empty() {
                matters.insert(id);
            }
        }
    }
    assert_eq!(
        rows as u64,
        stats["tiers"].as_u64().unwrap(),
        "a row per tier"
    );
    assert_eq!(matters.len(), 899);
}

/// The STHJ sheet, its first row of STHJ-001, and the workbook bytes.
fn sthj_sheet() -> (calamine::Range<Data>, Vec<Dimensions>, Vec<u8>) {
    let r = get("/standards/export.xlsx?unit=sthj");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(XLSX));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("-STHJ.xlsx\"")
    );
    let bytes = r.body.clone();
    let mut wb = workbook(r.body);
    assert_eq!(wb.sheet_names(), vec!["生态环境分局".to_string()]);
    let range = wb.worksheet_range("生态环境分局").unwrap();
    let merged = wb.merge_cells_by_sheet_name("生态环境分局").unwrap();
    (range, merged, bytes)
}

#[test]
fn unit_xlsx_has_the_title_header_merged_matter_cells_and_tiers() {
    let (range, merged, _) = sthj_sheet();
    let title = cell(&range, 0, 0);
    assert!(title.contains("龙湾区行政处罚裁量基准（参考版）") && title.contains("生态环境分局"));
    assert!(
        merged.contains(&Dimensions::new((0, 0), (0, 10))),
        "title spans the table"
    );
    for (c, name) in COLUMNS.iter().enumerate() {
        assert_eq!(cell(&range, 1, c as u32), *name);
    }
    // STHJ-001 is the first matter: rows 2..=6.
    assert_eq!(cell(&range, 2, 0), "1");
    assert_eq!(cell(&range, 2, 1), "STHJ-001");
    assert_eq!(cell(&range, 2, 2), "拒绝、拖延或者阻挠大气环境监督检查");
    assert_eq!(cell(&range, 2, 3), STHJ_001_VIOLATED);
    assert_eq!(cell(&range, 2, 4), STHJ_001_PENALTY);
    assert_eq!(
        cell(&range, 2, 5),
        format!("{STHJ_001_BAND}\n其他处罚和措施：应当责令改正")
    );
    assert!(cell(&range, 2, 10).starts_with("检查对象为水污染物排放的"));
    let tiers = sthj_tiers("STHJ-001");
    for (j, t) in tiers.iter().enumerate() {
        let r = 2 + j as u32;
        assert_eq!(cell(&range, r, 6), t.name);
        assert_eq!(cell(&range, r, 7), t.situation);
        assert_eq!(cell(&range, r, 8), t.standard);
    }
    // The matter-level columns are merged over the five tier rows, and only the first row
    // holds their text.
    for c in [0, 1, 2, 3, 4, 5, 10] {
        assert!(
            merged.contains(&Dimensions::new((2, c), (6, c))),
            "column {c} merged over STHJ-001's tiers: {merged:?}"
        );
        assert_eq!(cell(&range, 3, c), "");
    }
    for c in [6, 7, 8, 9] {
        assert!(
            !merged.iter().any(|d| d.contains(2, c)),
            "tier column {c} not merged"
        );
    }
    assert_eq!(cell(&range, 7, 1), "STHJ-002", "next matter follows");
    // Every row is a tier of STHJ.
    let (height, width) = range.get_size();
    assert_eq!(width, 11);
    assert_eq!(height - 2, sthj_tier_count());
}

#[test]
fn xlsx_header_is_frozen() {
    let (_, _, bytes) = sthj_sheet();
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    let xml = String::from_utf8(sheet).unwrap();
    let pane = &xml[xml.find("<pane ").expect("a pane")..];
    let pane = &pane[..pane.find("/>").unwrap()];
    assert!(pane.contains("ySplit=\"2\""), "{pane}");
    assert!(pane.contains("topLeftCell=\"A3\""), "{pane}");
    assert!(pane.contains("state=\"frozen\""), "{pane}");
    assert!(xml.contains("<pageSetup paperSize=\"9\""), "A4");
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

#[test]
fn unit_csv_has_bom_crlf_header_and_a_row_per_tier() {
    let r = get("/standards/export.csv?unit=STHJ");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(r.header("content-disposition").unwrap().contains(".csv\""));
    assert!(r.body.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let text = String::from_utf8(r.body[3..].to_vec()).unwrap();
    assert!(text.ends_with("\r\n"));
    assert!(
        text.match_indices('\n')
            .all(|(i, _)| text.as_bytes()[i - 1] == b'\r'),
        "CRLF only"
    );
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    let mut expected = vec!["执法单位".to_string()];
    expected.extend(COLUMNS.iter().map(|c| c.to_string()));
    assert_eq!(header, expected);
    let records: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), sthj_tier_count());
    let tiers = sthj_tiers("STHJ-001");
    for (rec, t) in records.iter().zip(&tiers) {
        assert_eq!(&rec[0], "生态环境分局");
        assert_eq!(&rec[1], "1");
        assert_eq!(&rec[2], "STHJ-001");
        assert_eq!(&rec[4], STHJ_001_VIOLATED);
        assert_eq!(&rec[5], STHJ_001_PENALTY);
        assert_eq!(
            rec[6],
            format!("{STHJ_001_BAND}；其他处罚和措施：应当责令改正")
        );
        assert_eq!(&rec[7], t.name);
        assert_eq!(&rec[8], t.situation);
        assert_eq!(&rec[9], t.standard);
        assert!(rec[11].starts_with("检查对象为水污染物排放的"));
    }
    assert_eq!(&records[5][2], "STHJ-002");

    // The whole set: every unit, every tier.
    let r = get("/standards/export.csv");
    let all = csv::Reader::from_reader(&r.body[3..]).records().count() as u64;
    assert_eq!(all, get("/api/v1/stats").json()["tiers"].as_u64().unwrap());
}

// ---------------------------------------------------------------------------------------------
// Reading a part of the .xlsx package (the `zip` crate rust_xlsxwriter already builds)
// ---------------------------------------------------------------------------------------------

fn zip_entry(bytes: &[u8], wanted: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut part = archive.by_name(wanted).expect("the part exists");
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut part, &mut out).unwrap();
    out
}
