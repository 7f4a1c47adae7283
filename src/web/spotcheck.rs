//! The supervision office's pages for spot checks (`/supervision/samples`: draw, list, record
//! findings, xlsx) and the look-back report (`/supervision/report`, printable, xlsx), issue 17.
//! Signed in with the supervision session; they call the same functions as the API
//! (`api::supervision`), so a draw or finding made here is logged alike.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

use super::dashboard::{matter_name, supervisor, unit_name};
use super::session;
use super::{error_page, html_response, page};
use crate::api::error::ApiError;
use crate::api::supervision::{
    ReportQuery, SampleView, SampledAct, draw_sample, list_samples, record_finding, report,
    view_of, xlsx_response,
};
use crate::api::{AppState, log_caller};
use crate::auth::Principal;
use crate::decide::Asker;
use crate::supervision::Client;
use crate::supervision::report::LookBack;
use crate::supervision::sample::{Conclusion, FindingRequest, SampleRequest, Strata};

fn web_asker(who: Principal) -> Asker {
    Asker {
        caller: log_caller(who),
        client: Client::Web,
    }
}

fn refused(e: &ApiError) -> HttpResponse {
    error_page(e.status, "无法完成", &e.body.error.message)
}

fn cross_site() -> HttpResponse {
    error_page(
        StatusCode::FORBIDDEN,
        "拒绝跨站提交",
        "此表单只能从本站页面提交。",
    )
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", to))
        .finish()
}

fn strata_label(s: Strata) -> &'static str {
    match s {
        Strata::Unit => "按执法单位分层",
        Strata::Kind => "按查询与审核分层",
        Strata::None => "不分层",
    }
}

fn stratum_label(state: &AppState, s: &str) -> String {
    match s {
        "calculation" | "review" => kind_label(s).to_string(),
        "全部" => s.to_string(),
        unit => unit_name(state, unit),
    }
}

/// A UTC time as 2026年12月5日 18:31 (China time).
fn china_time(iso: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(iso).map_or_else(
        |_| iso.to_string(),
        |t| {
            (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8))
                .format("%Y年%-m月%-d日 %H:%M")
                .to_string()
        },
    )
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "review" => "法制审核",
        _ => "裁量查询",
    }
}

fn outcome_label(o: &str) -> &'static str {
    match o {
        "penalty" => "处罚",
        "no_penalty" => "不予处罚",
        "time_barred" => "超过时效",
        other => Conclusion::label_of(other),
    }
}

async fn samples_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Err(r) = supervisor(&req, &state).await {
        return r;
    }
    let list = match list_samples(&state).await {
        Ok(l) => l,
        Err(e) => return refused(&e),
    };
    let units = state.current().set.units.clone();
    html_response(
        StatusCode::OK,
        page(
            "案卷评查抽样",
            html! {
                h1 { "案卷评查抽样" }
                p { a href="/supervision" { "← 监督首页" } " · " a href="/supervision/report" { "回头看报告" } }
                p.muted { "按案件编号每案一卷：经法制审核的取最近一次审核，否则取最近一次裁量查询；无案件编号的查询不抽取。"
                    "随机种子由系统产生；每次抽取（含种子、条件、读至的记录和抽中的回执号）都记入监督记录。按相同条件和原种子可重现该次抽取，重现也记入记录。" }
                form.inline method="post" action="/supervision/samples" {
                    select name="unit" aria-label="执法单位" {
                        option value="" { "全部单位" }
                        @for u in &units { option value=(u.code) { (u.name) } }
                    }
                    label { "自 " input type="date" name="from" required; }
                    label { "至 " input type="date" name="to" required; }
                    label { "抽取 " input type="number" name="size" min="1" max="500" value="20" required; " 件" }
                    select name="strata" aria-label="分层" {
                        @for s in [Strata::Unit, Strata::Kind, Strata::None] {
                            option value=(serde_json::to_value(s).unwrap_or_default().as_str().unwrap_or("unit")) { (strata_label(s)) }
                        }
                    }
                    input type="number" name="seed" min="0" placeholder="重现此前的抽取时填其随机种子" aria-label="随机种子";
                    button type="submit" { "抽取" }
                }
                h2 { "历次抽取" }
                @if list.is_empty() { p { "尚无抽取记录。" } } @else {
                    table {
                        thead { tr { th { "抽样号" } th { "抽取时间" } th { "抽取人" } th { "单位" } th { "期间" } th.num { "件数" } th { "种子" } } }
                        tbody { @for s in &list { tr {
                            td { a href={ "/supervision/samples/" (s.id) } { (s.id) } }
                            td { (china_time(&s.drawn_at)) } td { (s.drawn_by) }
                            td { (s.request.unit.as_deref().map(|u| unit_name(&state, u)).unwrap_or_else(|| "全部".into())) }
                            td.nowrap { (s.request.from) " 至 " (s.request.to) }
                            td.num { (s.drawn) } td { (s.request.seed.unwrap_or_default()) }
                        } } }
                    }
                }
            },
        ),
    )
}

#[derive(Deserialize)]
struct DrawForm {
    unit: String,
    from: String,
    to: String,
    size: String,
    strata: String,
    seed: String,
}

impl DrawForm {
    fn request(&self) -> Option<SampleRequest> {
        Some(SampleRequest {
            unit: Some(self.unit.trim().to_string()).filter(|u| !u.is_empty()),
            from: self.from.parse().ok()?,
            to: self.to.parse().ok()?,
            size: self.size.trim().parse().ok()?,
            strata: serde_json::from_value(serde_json::json!(self.strata)).ok()?,
            seed: match self.seed.trim() {
                "" => None,
                s => Some(s.parse().ok()?),
            },
        })
    }
}

async fn draw(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<DrawForm>,
) -> HttpResponse {
    if !session::same_origin(&req) {
        return cross_site();
    }
    let who = match supervisor(&req, &state).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(request) = form.request() else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "抽取条件有误",
            "请填写起止日期、抽取件数（1至500）；随机种子为非负整数或不填。",
        );
    };
    match draw_sample(&state, web_asker(who), request).await {
        Ok(v) => see_other(&format!("/supervision/samples/{}", v.summary.id)),
        Err(e) => refused(&e),
    }
}

async fn sample_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    if let Err(r) = supervisor(&req, &state).await {
        return r;
    }
    match view_of(&state, &id).await {
        Ok(v) => html_response(StatusCode::OK, sample_markup(&state, &v)),
        Err(e) => refused(&e),
    }
}

fn sample_markup(state: &AppState, v: &SampleView) -> Markup {
    let s = &v.summary;
    page(
        &format!("抽样 {}", s.id),
        html! {
            h1 { "案卷评查抽样 " (s.id) }
            p { a href="/supervision/samples" { "← 历次抽取" } " · "
                a href={ "/supervision/samples/" (s.id) "/export.xlsx" } { "下载评查表（xlsx）" } }
            p { (s.drawn_by) " 于 " (china_time(&s.drawn_at)) " 抽取；期间 " (s.request.from) " 至 " (s.request.to) "；"
                (strata_label(s.request.strata)) "；随机种子 " (s.request.seed.unwrap_or_default()) "。" }
            p.muted { "抽取规则：" (v.record.rule) "（抽取时读至第" (v.record.through_seq) "条记录）" }
            @if let Some(o) = &v.summary.replay_of { p { "本次为抽样 " a href={ "/supervision/samples/" (o) } { (o) } " 的重现。" } }
            table {
                thead { tr { th { "层" } th.num { "案卷总数" } th.num { "抽中" } } }
                tbody { @for st in &v.record.strata { tr { td { (stratum_label(state, &st.stratum)) } td.num { (st.population) } td.num { (st.receipts.len()) } } } }
            }
            div.scroll { table {
                thead { tr { th { "回执号" } th { "案件编号" } th { "类型" } th { "单位" } th { "事项" } th { "日期" } th { "结果" } th { "评查意见" } } }
                tbody { @for c in &v.cases { tr {
                    td { a href={ "/supervision/entries/" (c.receipt) } { (c.receipt) } }
                    td { (c.case_ref.as_deref().unwrap_or("")) }
                    td { (kind_label(&c.kind)) }
                    td { (unit_name(state, &c.unit)) }
                    td { (c.matter_id) " " span.muted { (matter_name(state, &c.matter_id)) } }
                    td.nowrap { (c.day) }
                    td { (outcome_label(&c.outcome)) @if let Some(t) = c.tier { "（第" (t) "阶次）" } }
                    td {
                        @if let Some(f) = &c.finding { p { b { (f.conclusion.label()) } " " (f.note) br; span.muted { (f.by) " " (china_time(&f.at)) } } }
                        form.inline method="post" action={ "/supervision/samples/" (s.id) "/findings" } {
                            input type="hidden" name="receipt" value=(c.receipt);
                            select name="conclusion" aria-label="结论" {
                                option value="conforms" { "符合" } option value="deviates" { "偏离" } option value="unlawful" { "违法" }
                            }
                            input name="note" maxlength="2000" placeholder="评查意见" aria-label="评查意见";
                            button type="submit" { "记录" }
                        }
                    }
                } } }
            } }
        },
    )
}

#[derive(Deserialize)]
struct FindingForm {
    receipt: String,
    conclusion: String,
    note: String,
}

async fn finding(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<FindingForm>,
) -> HttpResponse {
    if !session::same_origin(&req) {
        return cross_site();
    }
    let who = match supervisor(&req, &state).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Ok(conclusion) = serde_json::from_value::<Conclusion>(serde_json::json!(form.conclusion))
    else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "结论有误",
            "结论应为符合、偏离或违法。",
        );
    };
    let f = FindingRequest {
        receipt: form.receipt.clone(),
        conclusion,
        note: form.note.clone(),
    };
    match record_finding(&state, web_asker(who), &id, f).await {
        Ok(_) => see_other(&format!("/supervision/samples/{}", id.to_uppercase())),
        Err(e) => refused(&e),
    }
}

async fn sample_download(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    if let Err(r) = supervisor(&req, &state).await {
        return r;
    }
    match view_of(&state, &id).await {
        Ok(v) => match sample_xlsx(&state, &v) {
            Ok(bytes) => xlsx_response(bytes, &format!("案卷评查抽样-{}.xlsx", v.summary.id)),
            Err(e) => error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "无法生成表格",
                &e.to_string(),
            ),
        },
        Err(e) => refused(&e),
    }
}

fn amount(v: &serde_json::Value) -> Option<String> {
    let d: rust_decimal::Decimal = v.as_str()?.parse().ok()?;
    Some(crate::money::render_published(d))
}

fn band_text(f: &serde_json::Value) -> String {
    match (amount(&f["min"]), amount(&f["max"])) {
        (Some(a), Some(b)) if a == b => a,
        (Some(a), Some(b)) => format!("{a}至{b}"),
        _ => String::new(),
    }
}

/// Per act ("行为1：…" when there are several), joined.
fn per_act(acts: &[SampledAct], text: impl Fn(&SampledAct) -> String) -> String {
    let texts: Vec<String> = acts.iter().map(text).collect();
    if texts.len() < 2 {
        return texts.concat();
    }
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| format!("行为{}：{t}", i + 1))
        .collect::<Vec<_>>()
        .join("；")
}

/// The logged facts by their labels in the standards in force (a value by its label too).
fn facts_text(state: &AppState, act: &SampledAct) -> String {
    let current = state.current();
    let Some(m) = current.set.matter(&act.matter_id) else {
        return String::new();
    };
    m.facts
        .iter()
        .filter_map(|d| {
            let v = act.facts.get(&d.key)?;
            let shown = match v {
                serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                serde_json::Value::String(s) => d
                    .values
                    .iter()
                    .find(|x| x.code == *s)
                    .map_or_else(|| s.clone(), |x| x.label.clone()),
                other => other.to_string(),
            };
            Some(format!(
                "{}：{shown}{}",
                d.label,
                d.unit.as_deref().unwrap_or("")
            ))
        })
        .collect::<Vec<_>>()
        .join("，")
}

fn circumstances_text(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| crate::circumstances::find(c).map_or(c.as_str(), |x| x.label))
        .collect::<Vec<_>>()
        .join("、")
}

/// One sheet: a header row, then the rows; every text neutralised (no formula runs).
fn write_sheet(
    book: &mut Workbook,
    name: &str,
    head: &[&str],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, 16)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string_with_format(
                r as u32 + 1,
                c as u16,
                &*crate::cells::neutralised(cell),
                &wrap,
            )?;
        }
    }
    Ok(())
}

/// The sample's 评查表: the logged facts, the standard, the decision when reviewed, and the
/// findings (empty to fill in where none is recorded yet).
pub fn sample_xlsx(state: &AppState, v: &SampleView) -> Result<Vec<u8>, XlsxError> {
    let rows: Vec<Vec<String>> = v
        .cases
        .iter()
        .map(|c| {
            let f = c.finding.as_ref();
            vec![
                c.receipt.clone(),
                c.case_ref.clone().unwrap_or_default(),
                kind_label(&c.kind).into(),
                unit_name(state, &c.unit),
                c.matter_id.clone(),
                matter_name(state, &c.matter_id),
                c.day.clone(),
                c.inspector.clone(),
                per_act(&c.acts, |a| facts_text(state, a)),
                circumstances_text(&c.circumstances),
                outcome_label(&c.outcome).into(),
                per_act(&c.acts, |a| {
                    a.tier.map(|t| t.to_string()).unwrap_or_default()
                }),
                per_act(&c.acts, |a| {
                    a.standard_fine.as_ref().map(band_text).unwrap_or_default()
                }),
                per_act(&c.acts, |a| {
                    a.proposed_fine
                        .as_ref()
                        .and_then(amount)
                        .unwrap_or_default()
                }),
                f.map(|f| f.conclusion.label().to_string())
                    .unwrap_or_default(),
                f.map(|f| f.note.clone()).unwrap_or_default(),
                f.map(|f| f.by.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    let head = [
        "回执号",
        "案件编号",
        "类型",
        "执法单位",
        "事项编号",
        "事项名称",
        "日期",
        "承办人",
        "违法事实",
        "情节",
        "结果",
        "阶次",
        "基准罚款",
        "拟处罚款",
        "评查结论",
        "评查意见",
        "评查人",
    ];
    let mut book = Workbook::new();
    write_sheet(&mut book, "评查表", &head, &rows)?;
    book.save_to_buffer()
}

async fn report_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ReportForm>,
) -> HttpResponse {
    let who = match supervisor(&req, &state).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(q) = q.query() else {
        return html_response(
            StatusCode::OK,
            report_markup(&state, None, &ReportForm::default()),
        );
    };
    match report(&state, &who, &q).await {
        Ok(r) => html_response(
            StatusCode::OK,
            report_markup(&state, Some(&r), &ReportForm::of_query(&q)),
        ),
        Err(e) => refused(&e),
    }
}

#[derive(Deserialize, Default)]
struct ReportForm {
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl ReportForm {
    fn query(&self) -> Option<ReportQuery> {
        let nonempty = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        Some(ReportQuery {
            unit: nonempty(&self.unit),
            from: nonempty(&self.from)?,
            to: nonempty(&self.to)?,
        })
    }

    fn of_query(q: &ReportQuery) -> Self {
        ReportForm {
            unit: q.unit.clone(),
            from: Some(q.from.clone()),
            to: Some(q.to.clone()),
        }
    }
}

/// The counts compared with the previous period, as the report shows them.
fn counted(
    u: &crate::supervision::report::UnitReport,
) -> [(&'static str, &crate::supervision::report::Change); 5] {
    [
        ("裁量查询", &u.calculations),
        ("其中不予处罚等", &u.no_penalty),
        ("法制审核", &u.reviews),
        ("偏离或违法", &u.departures),
        ("监察预警", &u.alerts),
    ]
}

/// A disposition's label as the alert pages show it; 未处理 while there is none.
fn status_label(status: &str) -> &'static str {
    serde_json::from_value::<crate::alerts::DispositionStatus>(serde_json::json!(status))
        .map_or("未处理", |s| s.label())
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn report_markup(state: &AppState, r: Option<&LookBack>, f: &ReportForm) -> Markup {
    let units = state.current().set.units.clone();
    let qs = format!(
        "unit={}&from={}&to={}",
        super::query_value(f.unit.as_deref().unwrap_or("")),
        super::query_value(f.from.as_deref().unwrap_or("")),
        super::query_value(f.to.as_deref().unwrap_or(""))
    );
    page(
        "回头看报告",
        html! {
            h1 { "回头看报告" }
            p.noprint { a href="/supervision" { "← 监督首页" } " · " a href="/supervision/samples" { "案卷评查抽样" } }
            form.inline method="get" action="/supervision/report" {
                select name="unit" aria-label="执法单位" {
                    option value="" { "全部单位" }
                    @for u in &units { option value=(u.code) selected[f.unit.as_deref() == Some(u.code.as_str())] { (u.name) } }
                }
                label { "自 " input type="date" name="from" value=(f.from.as_deref().unwrap_or("")) required; }
                label { "至 " input type="date" name="to" value=(f.to.as_deref().unwrap_or("")) required; }
                button type="submit" { "生成" }
            }
            @if let Some(r) = r {
                p { "本期 " (r.period.from) " 至 " (r.period.to) "，对比上期 " (r.previous.from) " 至 " (r.previous.to) "。"
                    span.noprint { " " a href={ "/supervision/report.xlsx?" (qs) } { "下载（xlsx）" } } }
                @if r.units.is_empty() { p { "期间内没有记录。" } }
                @for u in &r.units { (unit_section(state, u)) }
            }
        },
    )
}

fn unit_section(state: &AppState, u: &crate::supervision::report::UnitReport) -> Markup {
    html! {
        h2 { (unit_name(state, &u.unit)) "（" (u.unit) "）" }
        table {
            thead { tr { th { "项目" } th.num { "本期" } th.num { "上期" } th.num { "增减" } } }
            tbody {
                @for (label, c) in counted(u) {
                    tr { td { (label) } td.num { (c.current) } td.num { (c.previous) } td.num { (signed(c.change)) } }
                }
            }
        }
        @if !u.tiers.is_empty() {
            h3 { "各事项阶次分布（本期）" }
            table {
                thead { tr { th { "事项" } th { "阶次：次数（0为不予处罚或超过时效）" } } }
                tbody { @for m in &u.tiers { tr {
                    td { (m.matter_id) " " span.muted { (matter_name(state, &m.matter_id)) } }
                    td { @for t in &m.tiers { span.badge { "第" (t.tier) "阶次：" (t.count) } " " } }
                } } }
            }
        }
        @if !u.reasons.is_empty() {
            h3 { "偏离及理由（本期）" }
            table {
                thead { tr { th { "理由" } th.num { "偏离" } th.num { "违法" } th { "记录" } } }
                tbody { @for g in &u.reasons { tr {
                    td { (g.reason) } td.num { (g.deviates) } td.num { (g.unlawful) }
                    td { @for r in &g.receipts { a href={ "/supervision/entries/" (r) } { (r) } " " } }
                } } }
            }
        }
        @if !u.alerts_by_kind.is_empty() {
            h3 { "监察预警及处理（本期）" }
            table {
                thead { tr { th { "预警" } th { "处理情况" } th.num { "件数" } } }
                tbody { @for a in &u.alerts_by_kind { tr {
                    td { a href={ "/supervision/alerts?kind=" (a.kind) "&unit=" (u.unit) } { (a.title) } }
                    td { (status_label(&a.status)) } td.num { (a.count) }
                } } }
            }
        }
        @if !u.findings.is_empty() {
            h3 { "案卷评查意见（本期）" }
            p { @for (c, n) in &u.findings { span.badge { (Conclusion::label_of(c)) "：" (n) } " " } }
        }
    }
}

/// The report as a workbook: the counts, the tier distribution and the reasons, one sheet each.
pub fn report_xlsx(state: &AppState, r: &LookBack) -> Result<Vec<u8>, XlsxError> {
    let mut counts = Vec::new();
    let mut tiers = Vec::new();
    let mut reasons = Vec::new();
    for u in &r.units {
        let name = unit_name(state, &u.unit);
        for (label, c) in counted(u) {
            counts.push(vec![
                name.clone(),
                label.into(),
                c.current.to_string(),
                c.previous.to_string(),
                signed(c.change),
            ]);
        }
        for m in &u.tiers {
            for t in &m.tiers {
                tiers.push(vec![
                    name.clone(),
                    m.matter_id.clone(),
                    matter_name(state, &m.matter_id),
                    t.tier.to_string(),
                    t.count.to_string(),
                ]);
            }
        }
        for g in &u.reasons {
            reasons.push(vec![
                name.clone(),
                g.reason.clone(),
                g.deviates.to_string(),
                g.unlawful.to_string(),
                g.receipts.join(" "),
            ]);
        }
        for a in &u.alerts_by_kind {
            counts.push(vec![
                name.clone(),
                format!("预警：{}（{}）", a.title, status_label(&a.status)),
                a.count.to_string(),
                String::new(),
                String::new(),
            ]);
        }
        for (c, n) in &u.findings {
            counts.push(vec![
                name.clone(),
                format!("评查意见：{}", Conclusion::label_of(c)),
                n.to_string(),
                String::new(),
                String::new(),
            ]);
        }
    }
    let mut book = Workbook::new();
    write_sheet(
        &mut book,
        "对比",
        &["执法单位", "项目", "本期", "上期", "增减"],
        &counts,
    )?;
    write_sheet(
        &mut book,
        "阶次分布",
        &["执法单位", "事项编号", "事项名称", "阶次", "次数"],
        &tiers,
    )?;
    write_sheet(
        &mut book,
        "偏离理由",
        &["执法单位", "理由", "偏离", "违法", "记录"],
        &reasons,
    )?;
    book.save_to_buffer()
}

async fn report_download(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ReportForm>,
) -> HttpResponse {
    let who = match supervisor(&req, &state).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(q) = q.query() else {
        return error_page(StatusCode::BAD_REQUEST, "请选择期间", "请填写起止日期。");
    };
    match report(&state, &who, &q).await {
        Ok(r) => match report_xlsx(&state, &r) {
            Ok(bytes) => xlsx_response(bytes, &format!("回头看报告-{}-{}.xlsx", q.from, q.to)),
            Err(e) => error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "无法生成表格",
                &e.to_string(),
            ),
        },
        Err(e) => refused(&e),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::api::{Methods, resource};
    cfg.service(
        resource("/supervision/samples", Methods::GetPost)
            .app_data(super::dashboard::form_errors())
            .route(web::get().to(samples_page))
            .route(web::post().to(draw)),
    )
    .service(
        resource("/supervision/samples/{id}/export.xlsx", Methods::Get)
            .route(web::get().to(sample_download)),
    )
    .service(
        resource("/supervision/samples/{id}/findings", Methods::Post)
            .app_data(super::dashboard::form_errors())
            .route(web::post().to(finding)),
    )
    .service(resource("/supervision/samples/{id}", Methods::Get).route(web::get().to(sample_page)))
    .service(
        resource("/supervision/report.xlsx", Methods::Get).route(web::get().to(report_download)),
    )
    .service(resource("/supervision/report", Methods::Get).route(web::get().to(report_page)));
}
