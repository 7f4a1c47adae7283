//! The published table as files: `GET /standards/export.xlsx` (one sheet per unit, matter-level
//! cells merged across the matter's tier rows, header frozen, A4 landscape) and
//! `GET /standards/export.csv` (one row per tier, UTF-8 with BOM, CRLF). `?unit=CODE` limits
//! either to one unit; an unknown unit is the HTML 404 page, like the other pages under
//! `/standards`. Both are built on the blocking pool.
//!
//! The texts (statutory band, tier standard, measures) come from `super::publish`, so the
//! files say exactly what the pages say.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::Deserialize;

use super::publish::{
    chinese_date, measures_text, rate_limited, statutory_lines, tier_standard_text, unit_name,
};
use crate::api::AppState;
use crate::standards::{Matter, StandardsSet, Unit};

pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// The columns of the published discretion table, with their widths in Excel's character units.
pub const COLUMNS: [(&str, f64); 11] = [
    ("序号", 5.5),
    ("事项编号", 10.5),
    ("违法行为", 22.0),
    ("违法依据", 24.0),
    ("处罚依据", 24.0),
    ("法定处罚幅度", 30.0),
    ("裁量阶次", 8.0),
    ("适用情形", 34.0),
    ("处罚标准", 22.0),
    ("其他措施", 16.0),
    ("备注", 40.0),
];

/// Columns that belong to the matter (merged over its tier rows); the others belong to a tier.
const MATTER_COLUMNS: [usize; 7] = [0, 1, 2, 3, 4, 5, 10];
const TIER_COLUMNS: [usize; 4] = [6, 7, 8, 9];

/// Rows above the data: the title, then the header.
const TITLE_ROW: u32 = 0;
const HEADER_ROW: u32 = 1;
const FIRST_DATA_ROW: u32 = 2;

/// Height of one line of wrapped 11-point text, in points; Excel's largest row height.
const LINE_HEIGHT: f64 = 14.4;
const MAX_ROW_HEIGHT: f64 = 409.0;
/// Excel refuses longer cell texts.
const MAX_CELL_CHARS: usize = 32_000;

/// One matter of the published table, as text.
struct MatterCells {
    /// The matter-level columns in `MATTER_COLUMNS` order.
    matter: [String; 7],
    /// One row per tier: 裁量阶次, 适用情形, 处罚标准, 其他措施.
    tiers: Vec<[String; 4]>,
}

fn matter_cells(m: &Matter, seq: usize, statutory_sep: &str) -> MatterCells {
    MatterCells {
        matter: [
            seq.to_string(),
            m.id.clone(),
            m.name.clone(),
            m.violated.render(),
            m.penalty_text(),
            statutory_lines(m).join(statutory_sep),
            m.note.clone().unwrap_or_default(),
        ],
        tiers: m
            .tiers
            .iter()
            .map(|t| {
                [
                    t.name.clone(),
                    t.situation.clone(),
                    tier_standard_text(m, t),
                    measures_text(&t.measures),
                ]
            })
            .collect(),
    }
}

/// The units an export covers: one, or all in the set's order.
fn units_of<'a>(set: &'a StandardsSet, unit: Option<&'a Unit>) -> Vec<&'a Unit> {
    match unit {
        Some(u) => vec![u],
        None => set.units.iter().collect(),
    }
}

fn matters_of<'a>(set: &'a StandardsSet, unit: &'a Unit) -> impl Iterator<Item = &'a Matter> {
    set.matters.iter().filter(move |m| m.unit == unit.code)
}

// ---------------------------------------------------------------------------------------------
// xlsx
// ---------------------------------------------------------------------------------------------

fn utf16_truncate(s: &str, max: usize) -> String {
    let mut n = 0;
    s.chars()
        .take_while(|c| {
            n += c.len_utf16();
            n <= max
        })
        .collect()
}

/// A valid, unique sheet name for a unit: at most 31 characters, none of `[]:*?/\`, no leading
/// or trailing apostrophe, unique regardless of case.
pub fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let base = match utf16_truncate(clean, 31) {
        s if s.is_empty() || s.eq_ignore_ascii_case("history") => "执法单位".to_string(),
        s => s,
    };
    let is_taken = |c: &str| taken.iter().any(|t| t.to_lowercase() == c.to_lowercase());
    let mut candidate = base.clone();
    let mut n = 2;
    while is_taken(&candidate) {
        let suffix = format!("({n})");
        candidate = format!("{}{suffix}", utf16_truncate(&base, 31 - suffix.len()));
        n += 1;
    }
    candidate
}

/// Lines a text takes in a wrapped cell `width` characters wide (a CJK character is two).
fn text_lines(text: &str, width: f64) -> usize {
    let usable = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|line| {
            let w: f64 = line
                .chars()
                .map(|c| if c.is_ascii() { 1.1 } else { 2.0 })
                .sum();
            ((w / usable).ceil() as usize).max(1)
        })
        .sum()
}

fn cell_text(s: &str) -> std::borrow::Cow<'_, str> {
    let s = match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    };
    crate::cells::neutralised(s)
}

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    center: Format,
}

impl Formats {
    fn new() -> Self {
        let text = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin)
                .set_background_color(0xE7EBF0),
            center: text.clone().set_align(FormatAlign::Center),
            text,
        }
    }
}

fn write_unit_sheet(
    ws: &mut Worksheet,
    set: &StandardsSet,
    unit: &Unit,
    f: &Formats,
) -> Result<(), XlsxError> {
    write_sheet_head(ws, set, unit, f)?;
    let mut row = FIRST_DATA_ROW;
    for (i, m) in matters_of(set, unit).enumerate() {
        let cells = matter_cells(m, i + 1, "\n");
        write_matter_rows(ws, row, i + 1, &cells, f)?;
        set_matter_row_heights(ws, row, &cells)?;
        row += cells.tiers.len().max(1) as u32;
    }
    Ok(())
}

/// The title, the column headers and widths, frozen headers, and the page setup for print.
fn write_sheet_head(
    ws: &mut Worksheet,
    set: &StandardsSet,
    unit: &Unit,
    f: &Formats,
) -> Result<(), XlsxError> {
    let last_col = (COLUMNS.len() - 1) as u16;
    let title = format!(
        "{} — {}（版本 {}，{}施行）",
        set.name,
        unit.name,
        set.version,
        chinese_date(set.effective_date)
    );
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, &title, &f.title)?;
    ws.set_row_height(TITLE_ROW, 30)?;
    for (c, (name, width)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(c as u16, *width)?;
        ws.write_string_with_format(HEADER_ROW, c as u16, *name, &f.header)?;
    }
    ws.set_row_height(HEADER_ROW, 30)?;
    ws.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    ws.set_landscape()
        .set_paper_size(9) // A4
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(TITLE_ROW, HEADER_ROW)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

/// A matter's rows from `row`: one per tier, the matter's own columns merged over them.
fn write_matter_rows(
    ws: &mut Worksheet,
    row: u32,
    seq: usize,
    cells: &MatterCells,
    f: &Formats,
) -> Result<(), XlsxError> {
    let n = cells.tiers.len().max(1) as u32;
    let last = row + n - 1;
    for (k, &c) in MATTER_COLUMNS.iter().enumerate() {
        let col = c as u16;
        let fmt = if c == 0 { &f.center } else { &f.text };
        let text = cell_text(&cells.matter[k]);
        if c == 0 {
            // 序号 is a number: merge blank, then write the figure into the first cell.
            if n > 1 {
                ws.merge_range(row, col, last, col, "", fmt)?;
            }
            ws.write_number_with_format(row, col, seq as f64, fmt)?;
        } else if n > 1 {
            ws.merge_range(row, col, last, col, text.as_ref(), fmt)?;
        } else {
            ws.write_string_with_format(row, col, text.as_ref(), fmt)?;
        }
    }
    if cells.tiers.is_empty() {
        for &c in &TIER_COLUMNS {
            ws.write_blank(row, c as u16, &f.text)?;
        }
    }
    for (j, tier) in cells.tiers.iter().enumerate() {
        let r = row + j as u32;
        for (k, &c) in TIER_COLUMNS.iter().enumerate() {
            let fmt = if c == 6 { &f.center } else { &f.text };
            ws.write_string_with_format(r, c as u16, cell_text(&tier[k]), fmt)?;
        }
    }
    Ok(())
}

/// Row heights: Excel fits wrapped rows itself but not merged cells, so the matter's rows
/// together are made tall enough for its longest merged text.
fn set_matter_row_heights(
    ws: &mut Worksheet,
    row: u32,
    cells: &MatterCells,
) -> Result<(), XlsxError> {
    let n = cells.tiers.len().max(1) as u32;
    let own: Vec<usize> = (0..n as usize)
        .map(|j| {
            cells.tiers.get(j).map_or(1, |t| {
                TIER_COLUMNS
                    .iter()
                    .zip(t)
                    .map(|(&c, s)| text_lines(s, COLUMNS[c].1))
                    .max()
                    .unwrap_or(1)
            })
        })
        .collect();
    let merged = MATTER_COLUMNS
        .iter()
        .zip(&cells.matter)
        .map(|(&c, s)| text_lines(s, COLUMNS[c].1))
        .max()
        .unwrap_or(1);
    let own_total: usize = own.iter().sum();
    let extra = merged.saturating_sub(own_total) as f64 / f64::from(n);
    for (j, lines) in own.iter().enumerate() {
        let height = ((*lines as f64 + extra) * LINE_HEIGHT + 4.0).min(MAX_ROW_HEIGHT);
        ws.set_row_height(row + j as u32, height)?;
    }
    Ok(())
}

/// The published table as an .xlsx workbook, in memory: one sheet per unit (or only `unit`'s).
pub fn xlsx_bytes(set: &StandardsSet, unit: Option<&Unit>) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let formats = Formats::new();
    let mut taken: Vec<String> = Vec::new();
    for u in units_of(set, unit) {
        let name = sheet_name(&u.name, &taken);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        taken.push(name);
        write_unit_sheet(ws, set, u, &formats)?;
    }
    wb.save_to_buffer()
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/// The published table as CSV: 执法单位 then the xlsx columns, one row per tier (matter-level
/// cells repeated), UTF-8 with a BOM (Excel reads it as UTF-8), CRLF, quoted where needed.
pub fn csv_bytes(set: &StandardsSet, unit: Option<&Unit>) -> Result<Vec<u8>, csv::Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let mut header = vec!["执法单位"];
        header.extend(COLUMNS.iter().map(|(name, _)| *name));
        w.write_record(&header)?;
        for u in units_of(set, unit) {
            for (i, m) in matters_of(set, u).enumerate() {
                let cells = matter_cells(m, i + 1, "；");
                let blank: [String; 4] = Default::default();
                let tiers = if cells.tiers.is_empty() {
                    std::slice::from_ref(&blank)
                } else {
                    cells.tiers.as_slice()
                };
                for tier in tiers {
                    let mut record: Vec<&str> = vec![unit_name(set, &m.unit)];
                    record.extend(cells.matter[..6].iter().map(String::as_str));
                    record.extend(tier.iter().map(String::as_str));
                    record.push(&cells.matter[6]);
                    w.write_record(
                        record
                            .iter()
                            .map(|c| crate::cells::neutralised(c))
                            .collect::<Vec<_>>()
                            .iter()
                            .map(|c| c.as_ref()),
                    )?;
                }
            }
        }
        w.flush()?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Handlers.
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct ExportQuery {
    /// A unit code (case-insensitive); absent or empty: the whole set.
    pub unit: Option<String>,
    /// A published version; absent: the one in force today.
    pub version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Xlsx,
    Csv,
}

/// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII name for old clients, the Chinese
/// name (RFC 5987) for the others.
fn disposition(set: &StandardsSet, unit: Option<&Unit>, ext: &str) -> String {
    let version: String = set
        .version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c))
        .collect();
    let ascii = match unit {
        Some(u) => format!("penalty-standards-{version}-{}.{ext}", u.code),
        None => format!("penalty-standards-{version}.{ext}"),
    };
    let chinese = match unit {
        Some(u) => format!("{}-{}-{}.{ext}", set.name, u.name, set.version),
        None => format!("{}-{}.{ext}", set.name, set.version),
    };
    let encoded = super::percent(&chinese);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A published table changes only with its version: each export (version, unit, kind) is built
/// once and its bytes served to every later request, so a crowd of anonymous downloads costs
/// one build, not one each (issue 15). The entry keeps its set alive, so the set's address
/// stays its key.
type ExportKey = (usize, Option<String>, Kind);
type Built = Arc<OnceLock<Result<web::Bytes, String>>>;

struct ExportEntry {
    _set: Arc<StandardsSet>,
    built: Built,
}

static EXPORTS: LazyLock<Mutex<HashMap<ExportKey, ExportEntry>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The cell holding this export's bytes, created on first use.
fn export_cell(set: &Arc<StandardsSet>, unit: Option<&Unit>, kind: Kind) -> Built {
    let key = (
        Arc::as_ptr(set) as usize,
        unit.map(|u| u.code.clone()),
        kind,
    );
    let mut map = EXPORTS.lock().unwrap_or_else(|p| p.into_inner());
    map.entry(key)
        .or_insert_with(|| ExportEntry {
            _set: Arc::clone(set),
            built: Arc::new(OnceLock::new()),
        })
        .built
        .clone()
}

/// Builds the whole-set exports of `set` now (at start-up, on a thread of its own), so that
/// the first burst of downloads finds them built instead of waiting for one build on a core
/// it needs (the workbook takes about 170 ms).
pub fn warm(set: Arc<StandardsSet>) {
    for kind in [Kind::Xlsx, Kind::Csv] {
        let cell = export_cell(&set, None, kind);
        cell.get_or_init(|| build(&set, None, kind));
    }
}

/// One export's bytes, built.
fn build(set: &StandardsSet, unit: Option<&Unit>, kind: Kind) -> Result<web::Bytes, String> {
    let started = Instant::now();
    let bytes = match kind {
        Kind::Xlsx => xlsx_bytes(set, unit).map_err(|e| e.to_string()),
        Kind::Csv => csv_bytes(set, unit).map_err(|e| e.to_string()),
    };
    tracing::debug!(
        ?kind,
        micros = started.elapsed().as_micros() as u64,
        bytes = bytes.as_ref().map_or(0, Vec::len),
        "standards export built"
    );
    bytes.map(web::Bytes::from)
}

async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ExportQuery>,
    kind: Kind,
) -> HttpResponse {
    if let Some(resp) = rate_limited(&req, &state) {
        return resp;
    }
    let set: Arc<StandardsSet> = match super::version_of(&state, query.version.as_deref()) {
        Ok(v) => v.set,
        Err(page) => return *page,
    };
    let code = query
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let unit = match code {
        None => None,
        Some(c) => match set.unit(c) {
            Some(u) => Some(u.clone()),
            None => {
                return super::error_page(
                    StatusCode::NOT_FOUND,
                    "未找到该执法单位",
                    &format!("没有代码为 {c} 的执法单位，无法导出。"),
                );
            }
        },
    };
    let (ext, content_type) = match kind {
        Kind::Xlsx => ("xlsx", XLSX_CONTENT_TYPE),
        Kind::Csv => ("csv", CSV_CONTENT_TYPE),
    };
    let disp = disposition(&set, unit.as_ref(), ext);
    let cell = export_cell(&set, unit.as_ref(), kind);
    let built = match cell.get() {
        Some(done) => Ok(done.clone()),
        // The first request builds; the ones that arrive meanwhile wait for that build.
        None => {
            web::block(move || {
                cell.get_or_init(|| build(&set, unit.as_ref(), kind))
                    .clone()
            })
            .await
        }
    };
    match built {
        Ok(Ok(bytes)) => HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((CONTENT_DISPOSITION, disp))
            .insert_header((CACHE_CONTROL, "no-cache"))
            .body(bytes),
        Ok(Err(e)) => {
            tracing::error!("standards export ({ext}): {e}");
            super::error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "导出失败",
                "生成文件时出错，请稍后重试。",
            )
        }
        Err(e) => {
            tracing::error!("standards export ({ext}): blocking pool: {e}");
            super::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "导出失败",
                "服务繁忙，请稍后重试。",
            )
        }
    }
}

async fn xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ExportQuery>,
) -> HttpResponse {
    export(req, state, query, Kind::Xlsx).await
}

async fn csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ExportQuery>,
) -> HttpResponse {
    export(req, state, query, Kind::Csv).await
}

/// Registers the exports.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        crate::api::resource("/standards/export.xlsx", crate::api::Methods::Get)
            .route(web::get().to(xlsx)),
    )
    .service(
        crate::api::resource("/standards/export.csv", crate::api::Methods::Get)
            .route(web::get().to(csv)),
    );
}
