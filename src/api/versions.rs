//! The standards versions, public: what is in force, what is scheduled (公示), what came before.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::{AppState, caller};
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
#[utoipa::path(get, path = "/api/v1/standards/versions", tag = "standards",
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
#[utoipa::path(get, path = "/api/v1/standards/versions/{version}", tag = "standards",
    params(("version" = String, Path, description = "e.g. 2026.1")),
    responses((status = 200, body = VersionSummary), (status = 404, body = ErrorBody)))]
pub async fn one(
    req: HttpRequest,
    state: web::Data<AppState>,
    version: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    let versions = state.decider.versions();
    let v = versions.get(&version).ok_or_else(|| {
        ApiError::not_found(
            &format!("裁量基准版本 {version} "),
            &format!("standards version `{version}`"),
        )
    })?;
    Ok(HttpResponse::Ok().json(summary(&versions, v)))
}
