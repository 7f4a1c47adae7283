//! The alert pages (issue 17), for the signed-in supervisor: `/supervision/alerts` (filtered
//! list, each alert's entries one click away, a disposition form on each, new alerts arriving
//! without reload through server-sent events from `/supervision/alerts/stream`) and
//! `/supervision/rules` (the rules' settings). Posts go through the same API functions as the
//! JSON API (so a disposition and a change of settings are logged alike) and must come from
//! this site, as the sign-in does.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::{StreamExt, stream};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::dashboard::{cross_site, supervisor};
use super::{error_page, html_response, page, session};
use crate::alerts::{Alert, AlertKind, DispositionStatus, RuleSettings};
use crate::api::AppState;
use crate::api::alerts::{
    AlertQuery, STATUSES, alert_filter, current_rules, read_settings, record_disposition,
    record_rules, visible_alert,
};
use crate::api::log::with_store;

const PER_PAGE: usize = 50;

fn status_label(s: &str) -> &'static str {
    DispositionStatus::parse(s).map_or("待处理", |d| d.label())
}

/// Empty form fields are no filter.
fn cleaned(mut q: AlertQuery) -> AlertQuery {
    for v in [
        &mut q.kind,
        &mut q.unit,
        &mut q.status,
        &mut q.from,
        &mut q.to,
    ] {
        if v.as_ref().is_some_and(|s| s.trim().is_empty()) {
            *v = None;
        }
    }
    q
}

fn query_string(q: &AlertQuery, page_no: usize) -> String {
    let mut parts: Vec<String> = [
        ("kind", &q.kind),
        ("unit", &q.unit),
        ("status", &q.status),
        ("from", &q.from),
        ("to", &q.to),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", super::query_value(v))))
    .collect();
    parts.push(format!("page={page_no}"));
    parts.join("&")
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AlertQuery>,
) -> HttpResponse {
    let who = match supervisor(&req, &state).await {
        Ok(p) => p,
        Err(page) => return page,
    };
    let q = cleaned(q.into_inner());
    let filter = match alert_filter(&who, &q) {
        Ok(f) => f,
        Err(e) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "查询条件有误",
                &e.body.error.message,
            );
        }
    };
    let page_no = q.page.unwrap_or(1).clamp(1, crate::api::MAX_PAGE);
    let offset = ((page_no - 1) * PER_PAGE) as i64;
    let (total, items) =
        match with_store(&state, move |s| s.alerts(&filter, offset, PER_PAGE as i64)).await {
            Ok(r) => r,
            Err(e) => {
                return error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "预警暂不可用",
                    &e.body.error.message,
                );
            }
        };
    let more = (page_no * PER_PAGE < total as usize).then(|| query_string(&q, page_no + 1));
    html_response(
        StatusCode::OK,
        page(
            "监督预警",
            html! {
                h1 { "监督预警" }
                p.noprint { a href="/supervision" { "← 执法监督" } " · " a href="/supervision/rules" { "预警规则设置" } " · 共 " b #alert-total { (total) } " 条" }
                (filter_form(&state, &q))
                div #live.noprint aria-live="polite" {}
                div.scroll { table #alerts {
                    thead { tr { th { "时间" } th { "预警" } th { "程度" } th { "单位" } th { "人员" } th { "事项" } th { "案号" } th { "情况" } th { "依据记录" } th { "处理意见" } } }
                    tbody { @for a in &items { (alert_row(a)) } }
                } }
                @if let Some(more) = more { p { a href={ "/supervision/alerts?" (more) } { "下一页" } } }
                (live_script())
            },
        ),
    )
}

fn filter_form(state: &AppState, q: &AlertQuery) -> Markup {
    html! {
        form.inline.noprint method="get" action="/supervision/alerts" {
            label { "预警 " select name="kind" {
                option value="" { "全部" }
                @for k in AlertKind::ALL { option value=(k.as_str()) selected[q.kind.as_deref() == Some(k.as_str())] { (k.title()) } }
            } }
            label { "单位 " select name="unit" {
                option value="" { "全部" }
                @for u in &state.current().set.units { option value=(u.code) selected[q.unit.as_deref() == Some(u.code.as_str())] { (u.name) } }
            } }
            label { "状态 " select name="status" {
                option value="" { "全部" }
                @for s in STATUSES { option value=(s) selected[q.status.as_deref() == Some(s)] { (status_label(s)) } }
            } }
            label { "自 " input type="date" name="from" value=[q.from.as_deref()]; }
            label { "至 " input type="date" name="to" value=[q.to.as_deref()]; }
            button type="submit" { "筛选" }
        }
    }
}

fn alert_row(a: &Alert) -> Markup {
    let sev = match a.severity {
        crate::alerts::Severity::High => "bad",
        crate::alerts::Severity::Medium => "warn",
        crate::alerts::Severity::Low => "muted",
    };
    html! {
        tr data-alert=(a.id) {
            td { (a.raised_at.get(..19).unwrap_or(&a.raised_at).replace('T', " ")) }
            td { (a.title) }
            td class=(sev) { (a.severity.label()) }
            td { (a.unit) }
            td { (a.inspector) }
            td { (a.matter_id) }
            td { (a.case_ref.as_deref().unwrap_or("")) }
            td { (a.detail) }
            td { @for r in &a.entries { a href={ "/supervision/entries/" (r) } { (r) } " " } }
            td { (disposition_cell(a)) }
        }
    }
}

fn disposition_cell(a: &Alert) -> Markup {
    html! {
        @if let Some(d) = &a.disposition {
            span.badge { (d.status.label()) } " " (d.text) " "
            span.muted { "（" (d.by) "，" a href={ "/supervision/entries/" (d.receipt) } { (d.receipt) } "）" }
        }
        form.inline.noprint method="post" action={ "/supervision/alerts/" (a.id) "/disposition" } {
            select name="status" aria-label="处理意见" {
                @for s in DispositionStatus::ALL { option value=(s.as_str()) { (s.label()) } }
            }
            input name="text" required maxlength="2000" placeholder="处理意见" aria-label="处理意见说明";
            button type="submit" { @if a.disposition.is_some() { "更改" } @else { "记录" } }
        }
    }
}

/// New alerts, as the server sends them, shown above the table at once.
pub(crate) fn live_script() -> Markup {
    html! { script { (PreEscaped(r#"
(function () {
  if (!window.EventSource) return;
  var live = document.getElementById('live');
  var es = new EventSource('/supervision/alerts/stream');
  es.addEventListener('alert', function (ev) {
    var a = JSON.parse(ev.data);
    var p = document.createElement('p');
    p.className = 'new-alert ' + (a.severity === 'high' ? 'bad' : 'warn');
    var link = document.createElement('a');
    link.href = '/supervision/entries/' + a.entries[a.entries.length - 1];
    link.textContent = a.entries[a.entries.length - 1];
    p.appendChild(document.createTextNode('新预警：' + a.title + '（' + a.unit + ' ' + a.inspector + '）' + a.detail + ' '));
    p.appendChild(link);
    live.insertBefore(p, live.firstChild);
  });
})();
"#)) } }
}

/// Server-sent events: every alert stored from now on, as JSON (`event: alert`).
/// How long one event stream lasts before the browser reconnects (and is checked again).
const STREAM_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);
/// A keep-alive comment after this long without an alert.
const PING_EVERY: std::time::Duration = std::time::Duration::from_secs(25);

async fn stream(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Err(page) = supervisor(&req, &state).await {
        return page;
    }
    let rx = state.alerting.subscribe();
    // `retry` tells the browser to come back within a second when the stream ends.
    let hello = stream::once(async {
        Ok::<_, actix_web::Error>(web::Bytes::from_static(b"retry: 1000\n: open\n\n"))
    });
    // A stream lasts a few minutes: the browser reconnects, and the session is checked again
    // (a revoked token or an ended session stops receiving within that time).
    let ends = std::time::Instant::now() + STREAM_LIFETIME;
    let alerts = stream::unfold(rx, move |mut rx| async move {
        loop {
            let left = ends.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return None;
            }
            let wait = left.min(PING_EVERY);
            let event = match actix_web::rt::time::timeout(wait, rx.recv()).await {
                Ok(Ok(a)) => {
                    let data = serde_json::to_string(&a).expect("alerts encode");
                    format!("event: alert\nid: {}\ndata: {data}\n\n", a.id)
                }
                Ok(Err(RecvError::Lagged(_))) => continue,
                Ok(Err(RecvError::Closed)) => return None,
                // Quiet: a comment keeps proxies from closing an idle stream.
                Err(_) => ": ping\n\n".to_string(),
            };
            return Some((Ok(web::Bytes::from(event)), rx));
        }
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        // Not compressed: the middleware would hold the events back to fill its buffer.
        .insert_header(("Content-Encoding", "identity"))
        .streaming(hello.chain(alerts))
}

#[derive(Deserialize)]
struct DispositionForm {
    status: String,
    text: String,
}

async fn dispose(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<DispositionForm>,
) -> HttpResponse {
    if !session::same_origin(&req) {
        return cross_site();
    }
    let who = match supervisor(&req, &state).await {
        Ok(p) => p,
        Err(page) => return page,
    };
    let form = form.into_inner();
    let d = match crate::api::alerts::read_disposition(
        json!({"status": form.status, "text": form.text}),
    ) {
        Ok(d) => d,
        Err(e) => return error_page(e.status, "处理意见有误", &e.body.error.message),
    };
    let done = async {
        let alert = visible_alert(&state, &who, &id).await?;
        record_disposition(&req, &state, who, &alert, &d).await
    };
    match done.await {
        Ok(_) => back_to("/supervision/alerts"),
        Err(e) => error_page(e.status, "未能记录处理意见", &e.body.error.message),
    }
}

fn back_to(path: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", path))
        .finish()
}

async fn rules_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Err(page) = supervisor(&req, &state).await {
        return page;
    }
    let r = match with_store(&state, current_rules).await {
        Ok(r) => r,
        Err(e) => {
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "预警规则暂不可用",
                &e.body.error.message,
            );
        }
    };
    html_response(
        StatusCode::OK,
        page(
            "预警规则设置",
            html! {
                h1 { "预警规则设置" }
                p.noprint { a href="/supervision/alerts" { "← 监督预警" } }
                p.muted { @match (&r.receipt, &r.set_by) {
                    (Some(receipt), Some(by)) => { "现行设置由" (by) "于" (r.set_at.as_deref().unwrap_or("")) "设定（记录 " a href={ "/supervision/entries/" (receipt) } { (receipt) } "）。" },
                    _ => "现行为默认设置。",
                } "更改设置本身记入监督日志，自记录之后的查询起适用。" }
                (rules_form(&r.settings))
            },
        ),
    )
}

fn number(name: &str, label: &str, value: impl std::fmt::Display) -> Markup {
    html! { label { (label) " " input type="text" inputmode="decimal" name=(name) value=(value) size="6"; } }
}

fn enabled(name: &str, on: bool) -> Markup {
    html! { label { input type="checkbox" name=(name) value="on" checked[on]; " 启用" } }
}

fn rules_form(s: &RuleSettings) -> Markup {
    let l = &s.lenient_share;
    html! {
        form method="post" action="/supervision/rules" {
            h2 { (AlertKind::RepeatedCase.title()) }
            p.inline { (enabled("rc_enabled", s.repeated_case.enabled))
                (number("rc_case_days", "同一案件的查询在多少天内比较", s.repeated_case.case_days))
                (number("rc_window_minutes", "无案号时同一人员同一事项在多少分钟内比较", s.repeated_case.window_minutes)) }
            h2 { (AlertKind::LenientShare.title()) }
            p.inline { (enabled("ls_enabled", l.enabled))
                (number("ls_window", "人员最近查询次数", l.window))
                (number("ls_min_count", "至少查询次数", l.min_count))
                (number("ls_margin", "高出本单位比例（0.01–1）", l.margin))
                (number("ls_unit_window", "本单位最近查询次数", l.unit_window)) }
            h2 { (AlertKind::ReviewDeparture.title()) }
            p.inline { (enabled("rd_enabled", s.review_departure.enabled)) }
            h2 { (AlertKind::TimeLimit.title()) }
            p.inline { (enabled("tl_enabled", s.time_limit.enabled))
                (number("tl_days", "追责期限届满前天数", s.time_limit.days)) }
            h2 { (AlertKind::LateSync.title()) }
            p.inline { (enabled("lt_enabled", s.late_sync.enabled))
                (number("lt_hours", "离线查询补录超过小时数", s.late_sync.hours)) }
            button type="submit" { "保存设置" }
        }
    }
}

/// The rules form as posted: every number as text (checked against its range by the same
/// reader as the API), each checkbox present when ticked.
#[derive(Deserialize)]
struct RulesForm {
    rc_enabled: Option<String>,
    rc_case_days: String,
    rc_window_minutes: String,
    ls_enabled: Option<String>,
    ls_window: String,
    ls_min_count: String,
    ls_margin: String,
    ls_unit_window: String,
    rd_enabled: Option<String>,
    tl_enabled: Option<String>,
    tl_days: String,
    lt_enabled: Option<String>,
    lt_hours: String,
}

impl RulesForm {
    fn json(&self) -> serde_json::Value {
        let n = |s: &str| s.trim().parse::<u32>().map_or(json!(s), |v| json!(v));
        json!({
            "repeated_case": {"enabled": self.rc_enabled.is_some(), "case_days": n(&self.rc_case_days), "window_minutes": n(&self.rc_window_minutes)},
            "lenient_share": {"enabled": self.ls_enabled.is_some(), "window": n(&self.ls_window), "min_count": n(&self.ls_min_count),
                "margin": self.ls_margin.trim(), "unit_window": n(&self.ls_unit_window)},
            "review_departure": {"enabled": self.rd_enabled.is_some()},
            "time_limit": {"enabled": self.tl_enabled.is_some(), "days": n(&self.tl_days)},
            "late_sync": {"enabled": self.lt_enabled.is_some(), "hours": n(&self.lt_hours)},
        })
    }
}

async fn save_rules(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RulesForm>,
) -> HttpResponse {
    if !session::same_origin(&req) {
        return cross_site();
    }
    let who = match supervisor(&req, &state).await {
        Ok(p) => p,
        Err(page) => return page,
    };
    let settings = match read_settings(form.json()) {
        Ok(s) => s,
        Err(e) => return error_page(e.status, "预警规则设置有误", &e.body.error.message),
    };
    match record_rules(&req, &state, who, &settings).await {
        Ok(_) => back_to("/supervision/rules"),
        Err(e) => error_page(e.status, "未能保存设置", &e.body.error.message),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::api::{Methods, resource};
    cfg.service(resource("/supervision/alerts", Methods::Get).route(web::get().to(list)))
        .service(resource("/supervision/alerts/stream", Methods::Get).route(web::get().to(stream)))
        .service(
            resource("/supervision/alerts/{id}/disposition", Methods::Post)
                .app_data(super::dashboard::form_errors())
                .route(web::post().to(dispose)),
        )
        .service(
            resource("/supervision/rules", Methods::GetPost)
                .app_data(super::dashboard::form_errors())
                .route(web::get().to(rules_page))
                .route(web::post().to(save_rules)),
        );
}
