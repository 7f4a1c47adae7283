//! The supervision dashboard (`/supervision`, supervisors): queries over time, per unit and
//! matter, tier distribution per matter, no-penalty share and deviation rate per inspector,
//! down to the individual log entries. Charts are SVG drawn here; no script.
//!
//! The browser signs in once with the supervisor's token (`/supervision/login`) and holds a
//! server-side session (`web::session`), never the token.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::{error_page, html_response, page, session};
use crate::api::log::{LogQuery, filter_for, with_store};
use crate::api::{AppState, caller_from};
use crate::auth::{Principal, Role};
use crate::supervision::StoredEntry;
use crate::supervision::store::{
    Count, DeviationCount, Filter, SupervisionStats, TierCount, TokenRecord,
};

/// The signed-in supervisor, or the page to show instead (login, or 403 for other roles).
pub(crate) async fn supervisor(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Principal, HttpResponse> {
    match session::holder(req, state).await {
        Ok(Some(p)) if p.role == Role::Supervisor => Ok(p),
        Ok(Some(p)) => Err(not_a_supervisor(&p)),
        Ok(None) => Err(login_page(
            StatusCode::UNAUTHORIZED,
            req.cookie(session::COOKIE)
                .map(|_| "登录已过期、已退出或令牌已撤销，请重新登录。"),
        )),
        Err(e) => Err(error_page(e.status, "暂时无法查看", &e.body.error.message)),
    }
}

fn not_a_supervisor(p: &Principal) -> HttpResponse {
    error_page(
        StatusCode::FORBIDDEN,
        "无权查看",
        &format!(
            "监督页面仅供监督人员使用；当前令牌属于{}（{}）。",
            p.name,
            p.role.as_str()
        ),
    )
}

fn login_page(status: StatusCode, message: Option<&str>) -> HttpResponse {
    html_response(
        status,
        page(
            "监督登录",
            html! {
                h1 { "监督登录" }
                @if let Some(m) = message { p.bad { (m) } }
                p { "请输入监督人员令牌。登录后本浏览器保持登录8小时，退出或令牌撤销即失效；令牌本身不保存在浏览器中。" }
                form.inline method="post" action="/supervision/login" {
                    input name="token" type="password" autocomplete="off" placeholder="pst_…" required aria-label="令牌";
                    button type="submit" { "登录" }
                }
                p { a href="/supervision/checkpoint" { "查询记录的签名检查点（公开）" } }
            },
        ),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

pub(crate) fn cross_site() -> HttpResponse {
    error_page(
        StatusCode::FORBIDDEN,
        "拒绝跨站提交",
        "此表单只能从本站页面提交。请打开监督页面后重新操作。",
    )
}

/// Signs in: the token must be a supervisor's; a session is opened and its cookie set.
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> HttpResponse {
    if !session::same_origin(&req) {
        return cross_site();
    }
    let header = format!("Bearer {}", form.token.trim());
    let who = match caller_from(&req, &state, Some(header)).await {
        Ok(Some(p)) => p,
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            return error_page(e.status, "请求过于频繁", &e.body.error.message);
        }
        Err(e) if e.status == StatusCode::SERVICE_UNAVAILABLE => {
            return error_page(e.status, "暂时无法登录", &e.body.error.message);
        }
        _ => {
            return login_page(
                StatusCode::UNAUTHORIZED,
                Some("令牌无效或已撤销，请重新登录。"),
            );
        }
    };
    if who.role != Role::Supervisor {
        return not_a_supervisor(&who);
    }
    match session::open(&req, &state, &who).await {
        Ok(cookies) => to_dashboard(cookies),
        Err(e) => error_page(e.status, "暂时无法登录", &e.body.error.message),
    }
}

/// Signs out: the session ends on the server, and its cookie is removed.
async fn logout(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !session::same_origin(&req) {
        return cross_site();
    }
    match session::close(&req, &state).await {
        Ok(cookies) => to_dashboard(cookies),
        Err(e) => error_page(e.status, "暂时无法退出", &e.body.error.message),
    }
}

fn to_dashboard(cookies: Vec<actix_web::cookie::Cookie<'static>>) -> HttpResponse {
    let mut resp = HttpResponse::SeeOther();
    for c in cookies {
        resp.cookie(c);
    }
    resp.insert_header(("Location", "/supervision")).finish()
}

/// A login form that cannot be read is a page saying so, not a bare text.
pub(crate) fn form_errors() -> web::FormConfig {
    web::FormConfig::default()
        .limit(4096)
        .error_handler(|e, _| {
            let page = error_page(
                StatusCode::BAD_REQUEST,
                "表单无法读取",
                "请从登录页面重新提交。",
            );
            actix_web::error::InternalError::from_response(e, page).into()
        })
}

/// Horizontal bars, one per row, labelled, scaled to the largest value.
fn bars(rows: &[(String, i64, Option<String>)], unit: &str) -> Markup {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let h = 22;
    let height = rows.len() as i64 * h + 4;
    html! {
        svg.chart viewBox={ "0 0 420 " (height) } width="100%" role="img" aria-label="条形图" {
            @for (i, (label, v, link)) in rows.iter().enumerate() {
                @let y = i as i64 * h + 2;
                @let w = (*v * 200 / max).max(1);
                @match link {
                    Some(href) => a href=(href) { text x="0" y=(y + 15) font-size="13" { (label) } },
                    None => text x="0" y=(y + 15) font-size="13" { (label) },
                }
                rect x="165" y=(y + 3) width=(w) height=(h - 6) fill="#0b5cad" rx="2" {}
                text x=(170 + w) y=(y + 15) font-size="12" fill="#1b1f24" { (v) (unit) }
            }
        }
    }
}

/// Columns over days.
fn columns(days: &[Count]) -> Markup {
    let max = days.iter().map(|d| d.count).max().unwrap_or(1).max(1);
    let n = days.len().max(1) as i64;
    let step = (380 / n).clamp(2, 40);
    html! {
        svg.chart viewBox="0 0 420 170" width="100%" role="img" aria-label="每日查询量" {
            line x1="30" y1="140" x2=(35 + step * n) y2="140" stroke="#999" {}
            text x="0" y="14" font-size="11" { (max) }
            @for (i, d) in days.iter().enumerate() {
                @let hgt = d.count * 120 / max;
                @let x = 35 + i as i64 * step;
                rect x=(x) y=(140 - hgt) width=((step - 2).max(2)) height=(hgt) fill="#0b5cad" {
                    title { (d.key) "：" (d.count) }
                }
                @if i == 0 || i + 1 == days.len() || days.len() <= 8 {
                    text x=(x) y="156" font-size="10" { (d.key.get(5..).unwrap_or(&d.key)) }
                }
            }
        }
    }
}

/// One stacked bar per matter: the share of each tier.
fn tier_stack(tiers: &[&TierCount]) -> Markup {
    let total: i64 = tiers.iter().map(|t| t.count).sum::<i64>().max(1);
    let colours = [
        "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b", "#252525",
    ];
    let mut x = 0;
    html! {
        svg viewBox="0 0 300 18" width="100%" style="max-width:300px" role="img" aria-label="阶次分布" {
            @for t in tiers {
                @let w = t.count * 300 / total;
                @let lvl = t.tier.unwrap_or(0);
                rect x=(x) y="0" width=(w.max(1)) height="18" fill=(colours[(lvl.max(1) as usize - 1).min(5)]) {
                    title { "第" (lvl) "阶次：" (t.count) }
                }
                @if w >= 24 { text x=(x + 3) y="13" font-size="11" fill="#fff" { (lvl) "阶" } }
                ({ x += w; "" })
            }
        }
    }
}

fn pct(d: rust_decimal::Decimal) -> String {
    format!("{:.1}%", d * rust_decimal::Decimal::ONE_HUNDRED)
}

fn query_string(q: &LogQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("from", &q.from),
        ("to", &q.to),
        ("unit", &q.unit),
        ("kind", &q.kind),
    ] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={v}"));
        }
    }
    parts.join("&")
}

fn empty_to_none(q: &mut LogQuery) {
    for v in [
        &mut q.unit,
        &mut q.matter,
        &mut q.inspector,
        &mut q.from,
        &mut q.to,
        &mut q.outcome,
        &mut q.kind,
    ] {
        if v.as_ref().is_some_and(|s| s.trim().is_empty()) {
            *v = None;
        }
    }
}

/// The supervisor and the filter of a request, or the page to answer instead.
async fn signed_in(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    mut q: LogQuery,
) -> Result<(Principal, LogQuery, Filter), HttpResponse> {
    let who = supervisor(req, state).await?;
    empty_to_none(&mut q);
    match filter_for(&who, &q) {
        Ok(filter) => Ok((who, q, filter)),
        Err(e) => Err(error_page(
            StatusCode::BAD_REQUEST,
            "查询条件有误",
            &e.body.error.message,
        )),
    }
}

async fn dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<LogQuery>,
) -> HttpResponse {
    let (who, q, filter) = match signed_in(&req, &state, q.into_inner()).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    let filter = Filter {
        decisions_only: true,
        ..filter
    };
    let read = with_store(&state, move |s| Ok((s.stats(&filter)?, s.tokens()?))).await;
    let (stats, roster) = match read {
        Ok(s) => s,
        Err(e) => {
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "监督记录暂不可用",
                &e.body.error.message,
            );
        }
    };
    let qs = query_string(&q);
    html_response(
        StatusCode::OK,
        page("执法监督", render(&state, &who, &q, &qs, &stats, &roster)),
    )
}

fn render(
    state: &AppState,
    who: &Principal,
    q: &LogQuery,
    qs: &str,
    s: &SupervisionStats,
    roster: &[TokenRecord],
) -> Markup {
    let per_unit: Vec<_> = s
        .per_unit
        .iter()
        .map(|c| {
            (
                unit_name(state, &c.key),
                c.count,
                Some(entries_link(qs, &format!("unit={}", c.key))),
            )
        })
        .collect();
    let per_matter: Vec<_> = s
        .per_matter
        .iter()
        .take(15)
        .map(|c| {
            let short: String = matter_name(state, &c.key).chars().take(6).collect();
            (
                format!("{} {short}", c.key),
                c.count,
                Some(entries_link(qs, &format!("matter={}", c.key))),
            )
        })
        .collect();
    html! {
        h1 { "执法监督" }
        div.muted.noprint { (who.name) "（监督）· " form.inline.logout method="post" action="/supervision/logout" { button type="submit" { "退出" } } }
        p.noprint { a href="/supervision/alerts" { "监督预警" } " · " a href="/supervision/rules" { "预警规则设置" } " · " a href="/supervision/samples" { "案卷评查抽样" } " · " a href="/supervision/report" { "回头看报告" } " · " a href="/supervision/entries" { "全部记录" } }
        div #live.noprint aria-live="polite" {}
        (super::alerts::live_script())
        (filter_form(state, q))
        (headline_figures(s))
        h2 { "每日记录" }
        @if s.per_day.is_empty() { p.muted { "所选范围内没有记录。" } } @else { (columns(&s.per_day)) }
        h2 { "各单位" }
        (bars(&per_unit, "次"))
        h2 { "查询最多的事项（前15）" }
        (bars(&per_matter, "次"))
        h2 { "阶次分布" }
        (tier_distribution(state, qs, s))
        h2 { "执法人员" }
        p.muted { "不予处罚占比来自裁量查询；偏离率来自法制审核（按案件承办人统计）。" }
        (inspector_table(state, qs, s, roster))
        h2 { "法制审核：偏离最多的事项" }
        (most_deviated_matters(state, qs, s))
    }
}

/// The unit's name, or its code if the standards do not know it.
pub(crate) fn unit_name(state: &AppState, code: &str) -> String {
    state
        .current()
        .set
        .unit(code)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// The matter's name, or nothing if the standards do not know it.
pub(crate) fn matter_name(state: &AppState, id: &str) -> String {
    state
        .current()
        .set
        .matter(id)
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

/// The entries behind a figure: the dashboard's filter (`qs`) narrowed by `extra`.
fn entries_link(qs: &str, extra: &str) -> String {
    if qs.is_empty() {
        format!("/supervision/entries?{extra}")
    } else {
        format!("/supervision/entries?{qs}&{extra}")
    }
}

/// The filter form: dates, unit, kind of record.
fn filter_form(state: &AppState, q: &LogQuery) -> Markup {
    html! {
        form.inline.noprint method="get" action="/supervision" {
            label { "自 " input type="date" name="from" value=[q.from.as_deref()]; }
            label { "至 " input type="date" name="to" value=[q.to.as_deref()]; }
            label { "单位 "
                select name="unit" {
                    option value="" { "全部" }
                    @for u in &state.current().set.units {
                        option value=(u.code) selected[q.unit.as_deref() == Some(u.code.as_str())] { (u.name) }
                    }
                }
            }
            label { "类型 "
                select name="kind" {
                    option value="" { "全部" }
                    option value="calculation" selected[q.kind.as_deref() == Some("calculation")] { "裁量查询" }
                    option value="review" selected[q.kind.as_deref() == Some("review")] { "法制审核" }
                }
            }
            button type="submit" { "筛选" }
        }
    }
}

/// The headline figures: records, reviewed cases and acts, and the deviation rate when the
/// reviews are of one unit.
fn headline_figures(s: &SupervisionStats) -> Markup {
    html! {
        div.figures {
            div { "记录总数" b #total { (s.total) } }
            div { "法制审核案件" b { (s.reviews.cases) } }
            div { "审核违法行为" b { (s.reviews.acts) } }
            @if let Some(u) = s.reviews.per_unit.first().filter(|_| s.reviews.per_unit.len() == 1) {
                div { "偏离率" b { (pct(u.deviation_rate)) } }
            }
        }
    }
}

/// The tier distribution of the 15 matters with the most records.
fn tier_distribution(state: &AppState, qs: &str, s: &SupervisionStats) -> Markup {
    html! {
        div.scroll { table {
            thead { tr { th { "事项" } th.nowrap { "记录" } th { "各阶次占比" } } }
            tbody {
                @for c in s.per_matter.iter().take(15) {
                    @let tiers: Vec<&TierCount> = s.tiers_per_matter.iter().filter(|t| t.matter_id == c.key).collect();
                    tr {
                        td { a href=(entries_link(qs, &format!("matter={}", c.key))) { (c.key) } " " (matter_name(state, &c.key)) }
                        td.num { (c.count) }
                        td { (tier_stack(&tiers)) }
                    }
                }
            }
        } }
    }
}

/// Per inspector: records and no-penalty share (calculations), acts reviewed and deviation rate
/// (reviews); inspectors with reviews only come last.
fn inspector_table(
    state: &AppState,
    qs: &str,
    s: &SupervisionStats,
    roster: &[TokenRecord],
) -> Markup {
    // By name and unit together: two units' people of one name are two people (issue 15).
    let key = |name: &str, unit: &str| (name.to_string(), unit.to_string());
    let deviation_by_inspector: std::collections::HashMap<(String, String), &DeviationCount> = s
        .reviews
        .per_inspector
        .iter()
        .map(|d| (key(&d.key, d.unit.as_deref().unwrap_or_default()), d))
        .collect();
    let known = |name: &str, unit: &str| {
        roster
            .iter()
            .any(|t| t.name == name && t.unit == unit && t.role == Role::Inspector.as_str())
    };
    let reviewed_only: Vec<&DeviationCount> = s
        .reviews
        .per_inspector
        .iter()
        .filter(|d| {
            let unit = d.unit.as_deref().unwrap_or_default();
            !s.per_inspector
                .iter()
                .any(|i| i.inspector == d.key && i.unit == unit)
        })
        .collect();
    html! {
        div.scroll { table #inspectors {
            thead { tr { th { "人员" } th { "单位" } th.num.nowrap { "记录" } th.num.nowrap { "不予处罚" } th.num.nowrap { "不予处罚占比" } th.num.nowrap { "审核行为" } th.num.nowrap { "偏离率" } } }
            tbody {
                @for i in &s.per_inspector {
                    @let d = deviation_by_inspector.get(&key(&i.inspector, &i.unit));
                    tr {
                        td { a href=(entries_link(qs, &format!("inspector={}", i.inspector))) { (i.inspector) } }
                        td { (unit_name(state, &i.unit)) }
                        td.num { (i.count) }
                        td.num { (i.no_penalty) }
                        td.num { (pct(i.no_penalty_share)) }
                        td.num { (d.map(|d| d.acts.to_string()).unwrap_or_default()) }
                        td.num { (d.map(|d| pct(d.deviation_rate)).unwrap_or_default()) }
                    }
                }
                @for d in &reviewed_only {
                    @let unit = d.unit.as_deref().unwrap_or_default();
                    tr {
                        td {
                            (d.key)
                            @if !known(&d.key, unit) { span.muted { "（非本单位在册执法人员）" } }
                        }
                        td { (unit_name(state, unit)) }
                        td.num { "" } td.num { "" } td.num { "" }
                        td.num { (d.acts) }
                        td.num { (pct(d.deviation_rate)) }
                    }
                }
            }
        } }
        p.muted { "审核统计按被审核事项所属单位归集；承办人按姓名与该单位在册执法人员（持有令牌者）对应，不同单位的同名人员分别统计。" }
    }
}

/// The matters whose reviews deviate most.
fn most_deviated_matters(state: &AppState, qs: &str, s: &SupervisionStats) -> Markup {
    html! {
        @if s.reviews.most_deviated_matters.is_empty() { p.muted { "没有偏离记录。" } } @else {
            div.scroll { table {
                thead { tr { th { "事项" } th.num.nowrap { "审核行为" } th.num.nowrap { "偏离" } th.num.nowrap { "不合法" } th.num.nowrap { "未说明理由" } th.num.nowrap { "偏离率" } } }
                tbody { @for d in &s.reviews.most_deviated_matters { tr {
                    td { a href=(entries_link(qs, &format!("matter={}&kind=review", d.key))) { (d.key) } " " (matter_name(state, &d.key)) }
                    td.num { (d.acts) } td.num { (d.deviates) } td.num { (d.unlawful) } td.num { (d.reason_missing) } td.num { (pct(d.deviation_rate)) }
                } } }
            } }
        }
    }
}

async fn entries(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<LogQuery>,
) -> HttpResponse {
    let (_, q, filter) = match signed_in(&req, &state, q.into_inner()).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    let page_no = q.page.unwrap_or(1).max(1);
    let offset = ((page_no - 1) * 50) as i64;
    let (total, items) = match with_store(&state, move |s| s.list(&filter, offset, 50)).await {
        Ok(r) => r,
        Err(e) => {
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "监督记录暂不可用",
                &e.body.error.message,
            );
        }
    };
    let fine = |e: &StoredEntry| {
        let f = &e.result["fine"];
        match (f["min"].as_str(), f["max"].as_str()) {
            (Some(a), Some(b)) if a == b => format!("{a}元"),
            (Some(a), Some(b)) => format!("{a}—{b}元"),
            _ => String::new(),
        }
    };
    let more = qs_with_page(&q, page_no + 1);
    html_response(
        StatusCode::OK,
        page(
            "监督记录",
            html! {
                h1 { "监督记录" }
                p { a href="/supervision" { "← 返回统计" } " · 共 " b #entry-total { (total) } " 条" }
                div.scroll { table #entries {
                    thead { tr { th { "回执号" } th { "时间" } th { "类型" } th { "人员" } th { "单位" } th { "事项" } th { "结果" } th { "阶次" } th { "罚款" } th { "案号" } th { "离线" } } }
                    tbody { @for e in &items { tr {
                        td { a href={ "/supervision/entries/" (e.receipt) } { (e.receipt) } }
                        td { (e.recorded_at.get(..19).unwrap_or(&e.recorded_at).replace('T', " ")) }
                        td { (crate::supervision::EntryKind::label_of(&e.kind)) }
                        td { (e.caller.name) }
                        td { (e.caller.unit) }
                        td { (e.matter_id) }
                        td { (e.outcome) }
                        td.num { (e.tier.map(|t| t.to_string()).unwrap_or_default()) }
                        td.num { (fine(e)) }
                        td { (e.case_ref.as_deref().unwrap_or("")) }
                        td { (if e.offline { "是" } else { "" }) }
                    } } }
                } }
                @if (page_no * 50) < total as usize { p { a href={ "/supervision/entries?" (more) } { "下一页" } } }
            },
        ),
    )
}

fn qs_with_page(q: &LogQuery, page_no: usize) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("from", &q.from),
        ("to", &q.to),
        ("unit", &q.unit),
        ("kind", &q.kind),
        ("matter", &q.matter),
        ("inspector", &q.inspector),
        ("outcome", &q.outcome),
    ] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    parts.push(format!("page={page_no}"));
    parts.join("&")
}

async fn entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    receipt: web::Path<String>,
) -> HttpResponse {
    if let Err(page) = supervisor(&req, &state).await {
        return page;
    }
    let r = receipt.to_uppercase();
    match with_store(&state, move |s| s.entry(&r)).await {
        Ok(Some(e)) => html_response(
            StatusCode::OK,
            page(
                &format!("记录 {}", e.receipt),
                html! {
                    h1 { "记录 " (e.receipt) }
                    p { a href="/supervision/entries" { "← 全部记录" } }
                    table {
                        tr { th { "时间" } td { (e.recorded_at) } }
                        tr { th { "人员" } td { (e.caller.name) "（" (e.caller.unit) "，" (e.caller.role.label()) "）" } }
                        tr { th { "类型" } td { (e.kind) "，" (e.client) @if e.offline { "，离线查询" } } }
                        tr { th { "事项" } td { (e.matter_id) } }
                        tr { th { "结果" } td { (e.outcome) } }
                        tr { th { "案号" } td { (e.case_ref.as_deref().unwrap_or("")) } }
                        tr { th { "哈希" } td { code { (e.hash) } } }
                    }
                    h2 { "请求" }
                    pre { (serde_json::to_string_pretty(&e.request).unwrap_or_default()) }
                    h2 { "结果" }
                    pre { (serde_json::to_string_pretty(&e.result).unwrap_or_default()) }
                },
            ),
        ),
        Ok(None) => error_page(StatusCode::NOT_FOUND, "没有这条记录", &receipt),
        Err(e) => error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "监督记录暂不可用",
            &e.body.error.message,
        ),
    }
}

/// The public page of the log's checkpoints: the latest signed head and the key that signs, so
/// that anyone can keep a checkpoint and later hold the service to it (issue 15).
async fn checkpoint_page(state: web::Data<AppState>) -> HttpResponse {
    let key = state.checkpoints.public_key();
    let latest = state.checkpoints.latest();
    html_response(
        StatusCode::OK,
        page(
            "查询记录检查点",
            html! {
                h1 { "查询记录的签名检查点" }
                p {
                    "服务每分钟对查询记录（监督日志）的最新一条记录签名一次，形成检查点。"
                    "保存检查点的人日后可以核对：日志若被删去末尾的记录或者改写，"
                    "就不再包含该检查点所签的记录，核验即告失败（penalty-standards log verify --checkpoint 序号:哈希）。"
                }
                h2 { "签名公钥（Ed25519）" }
                p { code { (key) } }
                h2 { "最新检查点" }
                @match latest {
                    Some(cp) => {
                        table {
                            tr { th { "记录序号" } td { (cp.seq) } }
                            tr { th { "记录哈希" } td { code { (cp.hash) } } }
                            tr { th { "签名时间（UTC）" } td { (cp.at) } }
                            tr { th { "签名" } td { code { (cp.signature) } } }
                        }
                    }
                    None => p { "尚无检查点。" }
                }
                p { "即时签发的检查点（JSON）：" a href="/api/v1/log/checkpoint" { "/api/v1/log/checkpoint" } }
            },
        ),
    )
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        crate::api::resource("/supervision", crate::api::Methods::Get)
            .route(web::get().to(dashboard)),
    )
    .service(
        crate::api::resource("/supervision/checkpoint", crate::api::Methods::Get)
            .route(web::get().to(checkpoint_page)),
    )
    .service(
        crate::api::resource("/supervision/login", crate::api::Methods::Post)
            .app_data(form_errors())
            .route(web::post().to(login)),
    )
    .service(
        crate::api::resource("/supervision/logout", crate::api::Methods::Post)
            .route(web::post().to(logout)),
    )
    .service(
        crate::api::resource("/supervision/entries", crate::api::Methods::Get)
            .route(web::get().to(entries)),
    )
    .service(
        crate::api::resource("/supervision/entries/{receipt}", crate::api::Methods::Get)
            .route(web::get().to(entry)),
    );
}
