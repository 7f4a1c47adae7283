//! The standards versions, public: what is in force, what is scheduled (公示), what came before.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::{AppState, caller};
use crate::standards::diff::{SetDiff, diff as set_diff};
use crate::standards::versions::{Status, Version, VersionMeta, Versions};
use crate::stats::{self, Stats};

/// One version: its record, its status today and its figures.
#[derive(Serialize, ToSchema)]
pub struct VersionSummary {
    #[serde(flatten)]
    pub meta: VersionMeta,
    pub status: Status,
    /// 现行有效 / 待施行 / 已被替代 / 已撤回.
    pub status_label: &'static str,
    pub name: String,
    pub figures: Stats,
}

pub(super) fn summary(versions: &Versions, v: &Version) -> VersionSummary {
    let status = versions.status(v, crate::clock::today());
    VersionSummary {
        meta: v.meta.clone(),
        status,
        status_label: status.label(),
        name: v.set.name.clone(),
        figures: stats::stats(&v.set),
    }
}

/// Every standards version, oldest effective date first, with its status today.
#[utoipa::path(get, operation_id = "list_versions", path = "/api/v1/standards/versions", tag = "standards",
    responses((status = 200, body = Vec<VersionSummary>)))]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    let versions = state.decider.versions();
    let all: Vec<_> = versions
        .all()
        .iter()
        .map(|v| summary(&versions, v))
        .collect();
    Ok(HttpResponse::Ok().json(all))
}

/// One standards version.
#[utoipa::path(get, operation_id = "get_version", path = "/api/v1/standards/versions/{version}", tag = "standards",
    params(("version" = String, Path, description = "e.g. 2026.1")),
    responses((status = 200, body = VersionSummary), (status = 404, body = ErrorBody)))]
pub async fn one(
    req: HttpRequest,
    state: web::Data<AppState>,
    version: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    let versions = state.decider.versions();
    let v = known(&versions, &version)?;
    Ok(HttpResponse::Ok().json(summary(&versions, v)))
}

/// The version `id`, or a 404 naming it.
fn known<'a>(versions: &'a Versions, id: &str) -> Result<&'a Version, ApiError> {
    versions.get(id).ok_or_else(|| {
        ApiError::not_found(
            &format!("裁量基准版本 {id} "),
            &format!("standards version `{id}`"),
        )
    })
}

#[derive(Deserialize)]
pub struct DiffQuery {
    /// The version compared with (the old side of the diff).
    pub against: Option<String>,
}

/// What changed from version `against` to `version`: matters added, removed and changed, and
/// for each change the old and the new text as published.
#[utoipa::path(get, path = "/api/v1/standards/versions/{version}/diff", tag = "standards",
    params(
        ("version" = String, Path, description = "the new side, e.g. 2026.2"),
        ("against" = String, Query, description = "the old side, e.g. 2026.1 (required; blank is refused)", pattern = r"\S"),
    ),
    responses((status = 200, body = SetDiff), (status = 400, description = "without `against`", body = ErrorBody),
        (status = 404, description = "either version unknown", body = ErrorBody)))]
pub async fn diff(
    req: HttpRequest,
    state: web::Data<AppState>,
    version: web::Path<String>,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    let Some(against) = query.into_inner().against.filter(|a| !a.trim().is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing_parameter",
            "缺少查询参数 against：要与之比较的版本，如 ?against=2026.1",
            "the query parameter `against` is required: the version to compare with, e.g. ?against=2026.1",
            Some("against"),
        ));
    };
    let versions = state.decider.versions();
    let new = known(&versions, &version)?;
    let old = known(&versions, &against)?;
    Ok(HttpResponse::Ok().json(set_diff(&old.set, &new.set)))
}
