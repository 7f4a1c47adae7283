//! The JSON API: thin handlers over the engine and the standards.

pub mod error;
pub mod openapi;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::circumstances::{self, Circumstance};
use crate::engine::{self, CalcRequest, CalcResult};
use crate::search::SearchIndex;
use crate::standards::{Matter, StandardsSet};
use crate::stats::{self, Stats};
use error::{ApiError, ErrorBody};

/// Largest request body accepted (a calculation is well under 4 KiB).
pub const MAX_BODY: usize = 64 * 1024;

pub struct AppState {
    pub set: Arc<StandardsSet>,
    pub search: SearchIndex,
}

impl AppState {
    pub fn new(set: Arc<StandardsSet>) -> Self {
        let search = SearchIndex::new(&set);
        AppState { set, search }
    }
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
        standards_version: state.set.version.clone(),
        matters: state.set.matters.len(),
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
pub async fn units(state: web::Data<AppState>) -> HttpResponse {
    let list: Vec<UnitSummary> = state
        .set
        .units
        .iter()
        .map(|u| UnitSummary {
            code: u.code.clone(),
            name: u.name.clone(),
            matters: state
                .set
                .matters
                .iter()
                .filter(|m| m.unit == u.code)
                .count(),
        })
        .collect();
    HttpResponse::Ok().json(list)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatterQuery {
    /// Unit code, e.g. `STHJ`.
    pub unit: Option<String>,
    /// Words of the name, an id, or a citation (`大气污染防治法 99条`).
    pub q: Option<String>,
    /// 1-based page.
    pub page: Option<usize>,
    /// Items per page, 1 to 200 (default 20).
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
}

#[derive(Serialize, ToSchema)]
pub struct MatterPage {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<MatterSummary>,
}

/// Lists and searches matters.
#[utoipa::path(get, path = "/api/v1/matters", tag = "standards", params(MatterQuery),
    responses((status = 200, body = MatterPage), (status = 400, body = ErrorBody), (status = 404, description = "unknown unit", body = ErrorBody)))]
pub async fn matters(
    state: web::Data<AppState>,
    query: web::Query<MatterQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(20);
    if page == 0 || !(1..=200).contains(&per_page) {
        return Err(ApiError::bad_query("page ≥ 1, per_page 1..200"));
    }
    if let Some(u) = &q.unit
        && state.set.unit(u).is_none()
    {
        return Err(ApiError::not_found(
            &format!("执法单位 {u} "),
            &format!("unit `{u}`"),
        ));
    }
    let hits: Vec<&Matter> = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => state
            .search
            .find(text)
            .into_iter()
            .map(|i| &state.set.matters[i])
            .collect(),
        None => state.set.matters.iter().collect(),
    };
    let hits: Vec<&Matter> = hits
        .into_iter()
        .filter(|m| {
            q.unit
                .as_deref()
                .is_none_or(|u| m.unit.eq_ignore_ascii_case(u))
        })
        .collect();
    let items = hits
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|m| MatterSummary {
            id: m.id.clone(),
            name: m.name.clone(),
            unit: m.unit.clone(),
            category: m.category.clone(),
            penalty: m.penalty.render(),
            tiers: m.tiers.len(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(MatterPage {
        total: hits.len(),
        page,
        per_page,
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
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = state.set.matter(&id).ok_or_else(|| {
        ApiError::not_found(&format!("裁量事项 {id} "), &format!("matter `{id}`"))
    })?;
    Ok(HttpResponse::Ok().json(MatterDetail {
        matter: m,
        violated_text: m.violated.render(),
        penalty_text: m.penalty.render(),
    }))
}

/// The catalogue of general circumstances (一般裁量情节) and their articles.
#[utoipa::path(get, path = "/api/v1/circumstances", tag = "standards", responses((status = 200, body = Vec<Circumstance>)))]
pub async fn circumstances_list() -> HttpResponse {
    HttpResponse::Ok().json(circumstances::catalogue())
}

/// The figures of the standards set, per unit.
#[utoipa::path(get, path = "/api/v1/stats", tag = "standards", responses((status = 200, body = Stats)))]
pub async fn stats_handler(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(stats::stats(&state.set))
}

/// Reads a JSON body up to [`MAX_BODY`], answering in our error shape.
pub async fn read_json(mut payload: web::Payload) -> Result<serde_json::Value, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                format!("无法读取请求体：{e}"),
                format!("cannot read the body: {e}"),
                None,
            )
        })?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("请求体超过 {} KiB", MAX_BODY / 1024),
                format!("the body exceeds {} KiB", MAX_BODY / 1024),
                None,
            ));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(ApiError::malformed_json)
}

/// Calculates the standard penalty for one violation.
#[utoipa::path(post, path = "/api/v1/calculate", tag = "calculation", request_body = CalcRequest,
    responses(
        (status = 200, body = CalcResult),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 404, description = "unknown matter", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 422, description = "a fact or circumstance that does not fit, or impossible dates", body = ErrorBody)))]
pub async fn calculate(
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let json = read_json(payload).await?;
    let req = CalcRequest::from_json(&json).map_err(|e| ApiError::from(&e))?;
    let today = chrono::Local::now().date_naive();
    let result = engine::calculate(&state.set, &req, today).map_err(|e| ApiError::from(&e))?;
    Ok(HttpResponse::Ok().json(result))
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

/// Registers the API routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/api/v1/units", web::get().to(units))
        .route("/api/v1/matters", web::get().to(matters))
        .route("/api/v1/matters/{id}", web::get().to(matter))
        .route("/api/v1/circumstances", web::get().to(circumstances_list))
        .route("/api/v1/stats", web::get().to(stats_handler))
        .route("/api/v1/calculate", web::post().to(calculate));
}
