//! The JSON API: thin handlers over the engine and the standards.

pub mod alerts;
pub mod body;
pub mod error;
pub mod log;
pub mod openapi;
pub mod publish;
pub mod review;
pub mod supervision;
pub mod tokens;
pub mod versions;

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{AuthFailure, Principal, RateLimiter, Role};
use crate::circumstances::{self, Circumstance};
use crate::decide::{Asker, Decider};
use crate::engine::{CalcRequest, CalcResult};
use crate::standards::Matter;
use crate::standards::versions::{Version, Versions};
use crate::stats::{self, Stats};
use crate::supervision::alerting::Alerting;
use crate::supervision::store::StoreError;
use crate::supervision::webhook::Webhook;
use crate::supervision::writer::{LogWriter, ReadPool};
use crate::supervision::{Caller, Client, StorageConfig};
pub use body::{read_body_limited, read_json, read_json_limited};
pub use error::Methods;
use error::{ApiError, ErrorBody};
use tokens::Tokens;

/// Largest request body accepted (a calculation is well under 4 KiB).
pub const MAX_BODY: usize = 64 * 1024;

pub struct AppState {
    /// Where calculations and reviews are decided and logged; it holds the standards versions.
    pub decider: Arc<Decider>,
    pub reads: Arc<ReadPool>,
    pub tokens: Tokens,
    pub limiter: RateLimiter,
    /// Failed token attempts per address: past a burst, every token from there waits (issue 15).
    pub failed_auth: RateLimiter,
    /// The signed checkpoints of the log's head, kept beside the database (issue 15).
    pub checkpoints: Arc<crate::supervision::checkpoint::Checkpoints>,
    /// The alert evaluator's thread, fed by the writer (issue 17).
    pub alerting: Arc<Alerting>,
}

/// How a server is run, as `serve` is told.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Requests per second per token (or address); 0 turns the limits off.
    pub rate_limit: u32,
    /// Units whose reviewers review every unit's matters.
    pub legal_offices: Vec<String>,
    /// Where new alerts are POSTed as JSON (`--alert-webhook`).
    pub alert_webhook: Option<String>,
    /// `--no-alerts`: this instance does not evaluate alerts (another instance on the same
    /// database does, or to measure what evaluating costs); the pages and API still read them.
    pub no_alerts: bool,
}

impl AppState {
    /// Opens the log (migrating it) and starts its writer and the decision layer on it, with
    /// the standards versions already loaded (`sources::open_versions`).
    pub fn new(
        versions: Versions,
        storage: &StorageConfig,
        settings: &Settings,
    ) -> Result<Self, StoreError> {
        let webhook = settings.alert_webhook.clone().map(Webhook::start);
        let alerting = Arc::new(match settings.no_alerts {
            false => Alerting::start(storage, webhook),
            true => Alerting::idle(),
        });
        let feed = (!settings.no_alerts).then(|| alerting.feed());
        let log = LogWriter::open_feeding(storage, feed)?;
        let decider =
            Arc::new(Decider::new(versions, log).with_legal_offices(&settings.legal_offices));
        let rate_limit = settings.rate_limit;
        let cfg = storage.clone();
        let reads = ReadPool::new(move || cfg.open());
        let checkpoints = crate::supervision::checkpoint::Checkpoints::open(&storage.data_dir)
            .map_err(|e| StoreError(format!("checkpoint key or file: {e}")))?;
        Ok(AppState {
            decider,
            tokens: Tokens::new(reads.clone()),
            reads,
            limiter: RateLimiter::new(rate_limit),
            failed_auth: failed_auth_limiter(rate_limit),
            checkpoints: Arc::new(checkpoints),
            alerting,
        })
    }

    /// The standards version in force today, with its search: what the pages publish. Taken
    /// once per request, so that one answer never mixes two versions.
    pub fn current(&self) -> Version {
        self.decider.in_force()
    }
}

/// Failed token attempts allowed per address: 30 at once, then one every 2 seconds. Generous
/// enough for an office behind one address where someone mistypes; a guesser gets 30 a minute.
/// Off with the rate limit (`--rate-limit 0`).
fn failed_auth_limiter(rate_limit: u32) -> RateLimiter {
    match rate_limit {
        0 => RateLimiter::with_burst(0.0, 0.0),
        _ => RateLimiter::with_burst(0.5, 30.0),
    }
}

/// The caller's address, the key of the anonymous and failed-attempt limits.
pub(crate) fn peer_key(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// The caller, if a token was sent: a malformed or invalid token is refused even where none is
/// needed. Applies the rate limit (per token, or per peer address without one). The token cache
/// is re-read on the blocking pool, never on the async workers.
pub async fn caller(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Option<Principal>, ApiError> {
    let header = match req.headers().get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiError::unauthorized("malformed_token"))?
                .to_string(),
        ),
    };
    caller_from(req, state, header).await
}

/// As [`caller`], with the `Authorization` value given (the web pages take it from a cookie).
pub async fn caller_from(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    header: Option<String>,
) -> Result<Option<Principal>, ApiError> {
    let principal = match header {
        None => None,
        Some(text) => {
            // An address that failed too often waits before any token of it is looked at.
            state
                .failed_auth
                .peek(&peer_key(req))
                .map_err(ApiError::rate_limited)?;
            let resolved = match state.tokens.authenticate_cached(&text) {
                Ok(None) => {
                    let st = state.clone();
                    web::block(move || st.tokens.refresh())
                        .await
                        .map_err(|e| ApiError::unavailable(&e.to_string()))?
                        .map_err(|e| ApiError::unavailable(&e.0))?;
                    state
                        .tokens
                        .authenticate_cached(&text)
                        .and_then(|p| p.ok_or(AuthFailure::Invalid))
                }
                other => other.and_then(|p| p.ok_or(AuthFailure::Invalid)),
            };
            match resolved {
                Ok(p) => Some(p),
                Err(AuthFailure::Malformed) => {
                    return Err(ApiError::unauthorized("malformed_token"));
                }
                Err(AuthFailure::Invalid) => {
                    let _ = state.failed_auth.check(&peer_key(req));
                    return Err(ApiError::unauthorized("invalid_token"));
                }
                Err(AuthFailure::Unavailable(e)) => return Err(ApiError::unavailable(&e)),
            }
        }
    };
    let key = match &principal {
        Some(p) => p.token_id.clone(),
        None => peer_key(req),
    };
    state.limiter.check(&key).map_err(ApiError::rate_limited)?;
    Ok(principal)
}

/// The caller, who must hold one of `roles`: 401 without a token, 403 with the wrong role.
pub async fn authorize(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    roles: &[Role],
) -> Result<Principal, ApiError> {
    let p = caller(req, state)
        .await?
        .ok_or_else(|| ApiError::unauthorized("missing_token"))?;
    if !roles.contains(&p.role) {
        return Err(ApiError::forbidden(p.role, roles));
    }
    Ok(p)
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    pub standards_version: String,
    pub matters: usize,
}

/// Liveness and the loaded standards version.
#[utoipa::path(get, path = "/healthz", tag = "service", responses((status = 200, body = Health)))]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        standards_version: state.current().set.version.clone(),
        matters: state.current().set.matters.len(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct UnitSummary {
    pub code: String,
    pub name: String,
    pub matters: usize,
}

/// The enforcement units (执法单位).
#[utoipa::path(get, path = "/api/v1/units", tag = "standards", responses((status = 200, body = Vec<UnitSummary>)))]
pub async fn units(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    let set = state.current().set;
    let list: Vec<UnitSummary> = set
        .units
        .iter()
        .map(|u| UnitSummary {
            code: u.code.clone(),
            name: u.name.clone(),
            matters: set.matters.iter().filter(|m| m.unit == u.code).count(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatterQuery {
    /// Unit code, e.g. `STHJ`.
    pub unit: Option<String>,
    /// Words of the name, an id, or a citation (`大气污染防治法 99条`).
    pub q: Option<String>,
    /// 1-based page.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<usize>,
    /// Items per page, 1 to 200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct MatterSummary {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub category: String,
    /// 处罚依据, rendered.
    pub penalty: String,
    pub tiers: usize,
    /// With `q`: how clearly the matter answers it, 0 to 1 (the share of the query it
    /// matched; below 0.5 it is only near).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

#[derive(Serialize, ToSchema)]
pub struct MatterPage {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// With `q`: false when no matter clearly matches (the items are then the nearest few).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_match: Option<bool>,
    pub items: Vec<MatterSummary>,
}

/// The highest page number a list answers (a larger one is refused, never wrapped round).
pub const MAX_PAGE: usize = 1_000_000;

/// Lists and searches matters.
#[utoipa::path(get, path = "/api/v1/matters", tag = "standards", params(MatterQuery),
    responses((status = 200, body = MatterPage), (status = 400, body = ErrorBody), (status = 404, description = "unknown unit", body = ErrorBody)))]
pub async fn matters(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<MatterQuery>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    let q = query.into_inner();
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(20);
    if !(1..=MAX_PAGE).contains(&page) || !(1..=200).contains(&per_page) {
        return Err(log::page_error());
    }
    // One version for the whole answer: the search's hits index its set.
    let current = state.current();
    if let Some(u) = &q.unit
        && current.set.unit(u).is_none()
    {
        return Err(ApiError::not_found(
            &format!("执法单位 {u} "),
            &format!("unit `{u}`"),
        ));
    }
    let searched = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let hits: Vec<(&Matter, Option<f32>)> = match searched {
        Some(text) => current
            .search
            .ranked_with_confidence(text)
            .into_iter()
            .map(|(i, _, c)| (&current.set.matters[i], Some((c * 100.0).round() / 100.0)))
            .collect(),
        None => current.set.matters.iter().map(|m| (m, None)).collect(),
    };
    let hits: Vec<(&Matter, Option<f32>)> = hits
        .into_iter()
        .filter(|(m, _)| {
            q.unit
                .as_deref()
                .is_none_or(|u| m.unit.eq_ignore_ascii_case(u))
        })
        .collect();
    let clear_match = searched.map(|_| {
        hits.first()
            .and_then(|(_, c)| *c)
            .is_some_and(|c| c >= crate::search::CLEAR_MATCH)
    });
    let items = hits
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|(m, confidence)| MatterSummary {
            id: m.id.clone(),
            name: m.name.clone(),
            unit: m.unit.clone(),
            category: m.category.clone(),
            penalty: m.penalty_text(),
            tiers: m.tiers.len(),
            confidence: *confidence,
        })
        .collect();
    Ok(HttpResponse::Ok().json(MatterPage {
        total: hits.len(),
        page,
        per_page,
        clear_match,
        items,
    }))
}

/// A matter with its citations also rendered (`violated_text`, `penalty_text`).
#[derive(Serialize)]
pub struct MatterDetail<'a> {
    #[serde(flatten)]
    pub matter: &'a Matter,
    /// 违法依据, rendered.
    pub violated_text: String,
    /// 处罚依据, rendered.
    pub penalty_text: String,
}

/// One matter with everything: facts, tiers, citations, statutory band.
#[utoipa::path(get, path = "/api/v1/matters/{id}", tag = "standards", params(("id" = String, Path, description = "matter id, e.g. STHJ-001")),
    responses((status = 200, body = Matter), (status = 404, body = ErrorBody)))]
pub async fn matter(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    let current = state.current();
    let m = current.set.matter(&id).ok_or_else(|| {
        ApiError::not_found(&format!("裁量事项 {id} "), &format!("matter `{id}`"))
    })?;
    Ok(HttpResponse::Ok().json(MatterDetail {
        matter: m,
        violated_text: m.violated.render(),
        penalty_text: m.penalty_text(),
    }))
}

/// The catalogue of general circumstances (一般裁量情节) and their articles.
#[utoipa::path(get, path = "/api/v1/circumstances", tag = "standards", responses((status = 200, body = Vec<Circumstance>)))]
pub async fn circumstances_list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    Ok(HttpResponse::Ok().json(circumstances::catalogue()))
}

/// The figures of the standards set, per unit.
#[utoipa::path(get, path = "/api/v1/stats", tag = "standards", responses((status = 200, body = Stats)))]
pub async fn stats_handler(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    Ok(HttpResponse::Ok().json(stats::stats(&state.current().set)))
}

/// The answer to a calculation, with the receipt of its log entry.
#[derive(Serialize, ToSchema)]
pub struct CalcResponse {
    /// Receipt of the supervision log entry: write it into the case file.
    #[schema(example = "1024-9F3A")]
    pub receipt: String,
    #[serde(flatten)]
    pub result: CalcResult,
}

/// Who asked, as the log keeps it (never the token).
pub(crate) fn log_caller(who: Principal) -> Caller {
    Caller {
        token_id: who.token_id,
        name: who.name,
        unit: who.unit,
        role: who.role,
    }
}

/// `mobile` for the inspector's page, `rest` otherwise.
pub(crate) fn client_kind(req: &HttpRequest) -> Client {
    match req.headers().get("x-client").and_then(|v| v.to_str().ok()) {
        Some("mobile") => Client::Mobile,
        _ => Client::Rest,
    }
}

/// Who asks, from the token and the request's headers.
pub(crate) fn asker(req: &HttpRequest, who: Principal) -> Asker {
    Asker {
        caller: log_caller(who),
        client: client_kind(req),
    }
}

/// Calculates the standard penalty for one violation and logs it before answering.
///
/// The inspector's page sends a calculation made without network later, with the header
/// `X-Offline-At`: when it was made (RFC 3339, within the last 30 days, not in the future:
/// else 400; not before `act_date`: else 422 `offline_before_act`). The entry is marked
/// offline, and one logged long after it was made raises the `late_sync` alert.
#[utoipa::path(post, path = "/api/v1/calculate", tag = "calculation", request_body = CalcRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = CalcResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no, malformed or invalid token", body = ErrorBody),
        (status = 403, description = "role may not calculate", body = ErrorBody),
        (status = 404, description = "unknown matter", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 422, description = "a fact or circumstance that does not fit, or impossible dates", body = ErrorBody),
        (status = 429, description = "rate limit", body = ErrorBody),
        (status = 503, description = "the log could not be written: no answer without a log entry", body = ErrorBody)))]
pub async fn calculate(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &[Role::Inspector, Role::Reviewer]).await?;
    let json = read_json(payload).await?;
    let request = CalcRequest::from_json(&json).map_err(|e| ApiError::from(&e))?;
    let offline_at = offline_at(&req)?;
    if let Some(at) = &offline_at {
        made_after_act(at, request.act_date)?;
    }
    let logged = state
        .decider
        .calculate(
            &request,
            &asker(&req, who),
            offline_at.as_deref(),
            crate::clock::today(),
        )?
        .logged()
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(logged.to_json()))
}

/// When a calculation sent late was made on the inspector's device without network: a time
/// in the last 30 days (a phone keeps its queue that long at most), not in the future.
fn offline_at(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let now = chrono::Utc::now();
    let plausible = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at).is_ok_and(|t| {
            let t = t.with_timezone(&chrono::Utc);
            t <= now + chrono::Duration::minutes(5) && t >= now - chrono::Duration::days(30)
        })
    };
    match req.headers().get("x-offline-at").map(|v| v.to_str()) {
        None => Ok(None),
        Some(Ok(at)) if plausible(at) => Ok(Some(at.into())),
        Some(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_header",
            "X-Offline-At 应为最近30天内的 RFC 3339 时间",
            "`X-Offline-At` must be an RFC 3339 time within the last 30 days",
            Some("X-Offline-At"),
        )),
    }
}

/// A calculation cannot have been made on the device before the act it is about (the late-sync
/// alert measures from this time: a time set back would hide a late sync).
fn made_after_act(at: &str, act_date: chrono::NaiveDate) -> Result<(), ApiError> {
    let made = chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8)).date_naive());
    match made {
        Ok(day) if day < act_date => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "offline_before_act",
            format!(
                "X-Offline-At（{day}）早于违法行为发生日期 act_date（{act_date}）：离线查询不可能在行为之前作出"
            ),
            format!(
                "`X-Offline-At` ({day}, China time) is before `act_date` ({act_date}): an offline calculation cannot precede the act"
            ),
            Some("X-Offline-At"),
        )),
        _ => Ok(()),
    }
}

pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "没有这个地址",
        "no such endpoint",
        None,
    ))
}

/// A path of the service answering the methods `allow`; any other method is a 405 naming
/// them in `Allow` (RFC 9110), not a 404.
pub fn resource(path: &str, allow: Methods) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || method_not_allowed(allow)))
}

async fn method_not_allowed(allow: Methods) -> Result<HttpResponse, ApiError> {
    let mut e = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("此地址只接受 {} 请求", allow.header()),
        format!("this endpoint answers {} only", allow.header()),
        None,
    );
    e.allow = Some(allow);
    Err(e)
}

/// Registers the API routes.
/// Paths are tried in order, and a path with a parameter costs a regular-expression match: the
/// busy static ones come first.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz", Methods::Get).route(web::get().to(healthz)))
        .service(resource("/api/v1/calculate", Methods::Post).route(web::post().to(calculate)))
        .service(resource("/api/v1/reviews", Methods::Post).route(web::post().to(review::one)))
        .service(
            resource("/api/v1/reviews/batch", Methods::Post).route(web::post().to(review::batch)),
        )
        .service(resource("/api/v1/units", Methods::Get).route(web::get().to(units)))
        .service(resource("/api/v1/matters", Methods::Get).route(web::get().to(matters)))
        .service(resource("/api/v1/matters/{id}", Methods::Get).route(web::get().to(matter)))
        .service(
            resource("/api/v1/circumstances", Methods::Get)
                .route(web::get().to(circumstances_list)),
        )
        .service(resource("/api/v1/stats", Methods::Get).route(web::get().to(stats_handler)))
        .service(
            resource("/api/v1/standards/versions", Methods::GetPost)
                .route(web::get().to(versions::list))
                .route(web::post().to(publish::publish)),
        )
        .service(
            resource("/api/v1/standards/versions/{version}", Methods::Get)
                .route(web::get().to(versions::one)),
        )
        .service(
            resource("/api/v1/standards/versions/{version}/files", Methods::Get)
                .route(web::get().to(publish::files)),
        )
        .service(
            resource(
                "/api/v1/standards/versions/{version}/withdraw",
                Methods::Post,
            )
            .route(web::post().to(publish::withdraw)),
        )
        .service(
            resource("/api/v1/standards/versions/{version}/diff", Methods::Get)
                .route(web::get().to(versions::diff)),
        )
        .configure(log::routes)
        .configure(supervision::routes)
        .configure(alerts::routes);
}
