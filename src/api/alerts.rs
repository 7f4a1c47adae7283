//! Supervision alerts (issue 17): the list, a disposition, the rule settings. Reviewers see
//! their own unit's alerts, supervisors all, inspectors none; a disposition and a change of
//! settings are a supervisor's, and each is a log entry.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::log::{page_error, with_store};
use super::{AppState, asker, authorize, read_json};
use crate::alerts::{Alert, AlertKind, DispositionStatus, RuleSettings};
use crate::auth::{Principal, Role};
use crate::decide::{alert_rules_entry, disposition_entry};
use crate::supervision::EntryKind;
use crate::supervision::store::{AlertFilter, Filter, Store, StoreError};

/// Who may read alerts.
pub const VIEWERS: [Role; 2] = [Role::Reviewer, Role::Supervisor];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `repeated_case`, `lenient_share`, `review_departure`, `time_limit` or `late_sync`.
    #[param(schema_with = kind_schema)]
    pub kind: Option<String>,
    /// Unit code (reviewers: only their own).
    pub unit: Option<String>,
    /// `open`, or a disposition: `explained`, `referred`, `dismissed`.
    #[param(schema_with = status_schema)]
    pub status: Option<String>,
    /// First day, `YYYY-MM-DD` (China time), inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day, inclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    /// 1-based page.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<usize>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<usize>,
}

/// The statuses an alert can have.
pub const STATUSES: [&str; 4] = ["open", "explained", "referred", "dismissed"];

fn enum_schema(values: Vec<&'static str>) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(values))
        .build()
}

fn kind_schema() -> utoipa::openapi::Object {
    enum_schema(AlertKind::ALL.iter().map(|k| k.as_str()).collect())
}

fn status_schema() -> utoipa::openapi::Object {
    enum_schema(STATUSES.to_vec())
}

#[derive(Serialize, ToSchema)]
pub struct AlertPage {
    pub total: i64,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<Alert>,
}

/// Builds the filter, confining a reviewer to their own unit (as the log's filter does).
pub fn alert_filter(who: &Principal, q: &AlertQuery) -> Result<AlertFilter, ApiError> {
    let log = super::log::filter_for(
        who,
        &super::log::LogQuery {
            unit: q.unit.clone(),
            matter: None,
            inspector: None,
            from: q.from.clone(),
            to: q.to.clone(),
            outcome: None,
            kind: None,
            page: None,
            per_page: None,
        },
    )?;
    if let Some(k) = &q.kind
        && AlertKind::parse(k).is_none()
    {
        return Err(ApiError::bad_query(
            "类别 kind 应为 repeated_case、lenient_share、review_departure、time_limit 或 late_sync",
            "kind is repeated_case, lenient_share, review_departure, time_limit or late_sync",
            Some("kind"),
        ));
    }
    if let Some(s) = &q.status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::bad_query(
            "状态 status 应为 open（待处理）、explained（已说明）、referred（已移送）或 dismissed（不予处理）",
            "status is open, explained, referred or dismissed",
            Some("status"),
        ));
    }
    Ok(AlertFilter {
        id: None,
        kind: q.kind.clone(),
        unit: log.unit,
        status: q.status.clone(),
        from: log.from,
        to: log.to,
    })
}

/// Alerts, newest first: what the rules found in the log, with their entries and dispositions.
#[utoipa::path(get, operation_id = "list_alerts", path = "/api/v1/supervision/alerts", tag = "supervision", params(AlertQuery), security(("bearer" = [])),
    responses((status = 200, body = AlertPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "inspectors, or a reviewer asking for another unit", body = ErrorBody)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AlertQuery>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &VIEWERS).await?;
    let filter = alert_filter(&who, &q)?;
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(50);
    if !(1..=super::MAX_PAGE).contains(&page) || !(1..=200).contains(&per_page) {
        return Err(page_error());
    }
    let offset = ((page - 1) * per_page) as i64;
    let (total, items) =
        with_store(&state, move |s| s.alerts(&filter, offset, per_page as i64)).await?;
    Ok(HttpResponse::Ok().json(AlertPage {
        total,
        page,
        per_page,
        items,
    }))
}

/// A disposition (处理意见) as posted.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "explained", "text": "已约谈承办人：第二次查询时当事人补交了整改证明，事实认定有变化"}))]
pub struct DispositionRequest {
    pub status: DispositionStatus,
    /// What was found or done (not blank, at most 2,000 characters).
    #[schema(pattern = r"\S", max_length = 2000)]
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct DispositionResponse {
    /// The receipt of the disposition's log entry.
    #[schema(example = "58-3C1D")]
    pub receipt: String,
    /// The alert as stored after it (its disposition shown once the evaluator has taken the
    /// entry in, normally at once).
    pub alert: Alert,
}

fn invalid(code: &str, zh: String, en: String, field: Option<&str>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en, field)
}

pub fn read_disposition(json: serde_json::Value) -> Result<DispositionRequest, ApiError> {
    let d: DispositionRequest = serde_path_to_error::deserialize(json).map_err(|e| {
        let field = e.path().to_string();
        invalid(
            "invalid_disposition",
            "处理意见应含处理情况 status（explained 已说明、referred 已移送 或 dismissed 不予处理）和说明 text".into(),
            format!("needs status (explained, referred or dismissed) and text: `{field}` does not fit"),
            Some(field.as_str()).filter(|f| !f.is_empty() && *f != "."),
        )
    })?;
    let n = d.text.trim().chars().count();
    if n == 0 || n > 2000 {
        return Err(invalid(
            "invalid_disposition",
            "处理意见 text 不能为空，且不超过2000字".into(),
            "`text` must not be blank and at most 2,000 characters".into(),
            Some("text"),
        ));
    }
    Ok(d)
}

/// One alert the caller may see, or 404 (a reviewer does not learn of other units' alerts).
pub async fn visible_alert(
    state: &web::Data<AppState>,
    who: &Principal,
    id: &str,
) -> Result<Alert, ApiError> {
    let filter = AlertFilter {
        id: Some(id.to_string()),
        unit: (who.role != Role::Supervisor).then(|| who.unit.clone()),
        ..Default::default()
    };
    let (_, found) = with_store(state, move |s| s.alerts(&filter, 0, 1)).await?;
    found
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(&format!("预警 {id} "), &format!("alert `{id}`")))
}

/// Records a disposition of an alert; it is logged (tamper-evident like every entry) and the
/// alert shows it from then on. A later disposition replaces the shown one; all stay logged.
#[utoipa::path(post, operation_id = "dispose_alert", path = "/api/v1/supervision/alerts/{id}/disposition", tag = "supervision",
    params(("id" = String, Path, description = "e.g. 57-repeated_case")), request_body = DispositionRequest,
    security(("bearer" = [])),
    responses((status = 201, body = DispositionResponse), (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, description = "only supervisors", body = ErrorBody),
        (status = 404, description = "no such alert", body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, description = "not `{status, text}`, or a blank text", body = ErrorBody),
        (status = 503, description = "the log could not be written", body = ErrorBody)))]
pub async fn dispose(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &[Role::Supervisor]).await?;
    let d = read_disposition(read_json(payload).await?)?;
    let alert = visible_alert(&state, &who, &id).await?;
    let (receipt, alert) = record_disposition(&req, &state, who, &alert, &d).await?;
    Ok(HttpResponse::Created().json(DispositionResponse { receipt, alert }))
}

/// Logs a disposition, waits (briefly) for the evaluator to take it in, and reads the alert
/// back: what the API and the page both do.
pub async fn record_disposition(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: Principal,
    alert: &Alert,
    d: &DispositionRequest,
) -> Result<(String, Alert), ApiError> {
    let entry = disposition_entry(&asker(req, who.clone()), alert, d.status, d.text.trim());
    let row = state.decider.submit_act(entry)?.wait().await?;
    if state.alerting.evaluates() {
        state
            .alerting
            .evaluated(row.seq, Duration::from_secs(2))
            .await;
    }
    let mut shown = visible_alert(state, &who, &alert.id).await?;
    // The disposition just logged, whether or not an evaluator has stored it yet.
    shown.disposition = Some(crate::alerts::Disposition {
        status: d.status,
        text: d.text.trim().to_string(),
        by: who.name.clone(),
        receipt: row.receipt.clone(),
        at: row.recorded_at.clone(),
    });
    Ok((row.receipt.clone(), shown))
}

/// The rule settings in force and the entry that set them.
#[derive(Serialize, ToSchema)]
pub struct RulesState {
    pub settings: RuleSettings,
    /// The receipt of the `alert_rules` entry that set them; none while the defaults apply.
    #[schema(example = "12-77AB")]
    pub receipt: Option<String>,
    /// Who set them.
    pub set_by: Option<String>,
    pub set_at: Option<String>,
}

/// The settings as the log last set them (the defaults before any change).
pub fn current_rules(s: &mut dyn Store) -> Result<RulesState, StoreError> {
    let filter = Filter {
        kind: Some(EntryKind::AlertRules.as_str().to_string()),
        ..Default::default()
    };
    let (_, newest) = s.list(&filter, 0, 1)?;
    Ok(match newest.into_iter().next() {
        Some(e) => RulesState {
            settings: serde_json::from_value(e.request)?,
            receipt: Some(e.receipt),
            set_by: Some(e.caller.name),
            set_at: Some(e.recorded_at),
        },
        None => RulesState {
            settings: RuleSettings::default(),
            receipt: None,
            set_by: None,
            set_at: None,
        },
    })
}

/// The alert rules' settings in force.
#[utoipa::path(get, operation_id = "get_rules", path = "/api/v1/supervision/rules", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = RulesState), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn rules(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, &VIEWERS).await?;
    let r = with_store(&state, current_rules).await?;
    Ok(HttpResponse::Ok().json(r))
}

/// Checks settings as sent: the shape (every rule, no other key) and every range.
pub fn read_settings(json: serde_json::Value) -> Result<RuleSettings, ApiError> {
    let s: RuleSettings = serde_path_to_error::deserialize(json).map_err(|e| {
        let field = e.path().to_string();
        invalid(
            "invalid_rules",
            format!(
                "规则设置应包含全部五项规则及其各项设置（{}不符合要求）",
                crate::alerts::settings::label(&field)
            ),
            format!("the settings need every rule with all its settings: `{field}` does not fit"),
            Some(field.as_str()).filter(|f| !f.is_empty() && *f != "."),
        )
    })?;
    s.validate()
        .map_err(|r| invalid("invalid_rules", r.message, r.message_en, Some(r.field)))?;
    Ok(s)
}

/// Logs settings and waits (briefly) until the evaluator applies them.
pub async fn record_rules(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: Principal,
    settings: &RuleSettings,
) -> Result<RulesState, ApiError> {
    let row = state
        .decider
        .submit_act(alert_rules_entry(&asker(req, who.clone()), settings))?
        .wait()
        .await?;
    if state.alerting.evaluates() {
        state
            .alerting
            .evaluated(row.seq, Duration::from_secs(2))
            .await;
    }
    Ok(RulesState {
        settings: settings.clone(),
        receipt: Some(row.receipt.clone()),
        set_by: Some(who.name),
        set_at: Some(row.recorded_at.clone()),
    })
}

/// Replaces the alert rules' settings (all of them); the change is logged and applies to the
/// entries logged after it.
#[utoipa::path(put, path = "/api/v1/supervision/rules", tag = "supervision", request_body = RuleSettings,
    security(("bearer" = [])),
    responses((status = 200, body = RulesState), (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, description = "only supervisors", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, description = "a rule or setting missing or unknown, or a value out of its range", body = ErrorBody),
        (status = 503, description = "the log could not be written", body = ErrorBody)))]
pub async fn set_rules(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &[Role::Supervisor]).await?;
    let settings = read_settings(read_json(payload).await?)?;
    let r = record_rules(&req, &state, who, &settings).await?;
    Ok(HttpResponse::Ok().json(r))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::{Methods, resource};
    cfg.service(resource("/api/v1/supervision/alerts", Methods::Get).route(web::get().to(list)))
        .service(
            resource("/api/v1/supervision/alerts/{id}/disposition", Methods::Post)
                .route(web::post().to(dispose)),
        )
        .service(
            resource("/api/v1/supervision/rules", Methods::GetPut)
                .route(web::get().to(rules))
                .route(web::put().to(set_rules)),
        );
}
