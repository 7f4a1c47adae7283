//! Publishing standards versions over REST (the legal office, role `publisher`): upload a
//! version's files, withdraw a version, download a version's files to edit and re-upload.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::versions::{VersionSummary, summary};
use super::{AppState, authorize, caller, read_json, read_json_limited};
use crate::auth::Role;
use crate::decide;
use crate::sources;
use crate::standards::versions::{Refusal, Withdrawal, admissible, last_version, withdrawable};
use crate::supervision::store::now_strings;

/// A whole standards set is about 1.5 MB of TOML.
const MAX_UPLOAD: usize = 8 * 1024 * 1024;

/// A version to publish: its files as a legal office keeps them.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"effective_date": "2027-01-01", "note": "较轻阶次调整",
    "files": {"set.toml": "name = \"…\"\nversion = \"2026.2\"\n…", "units/ZHZF.toml": "…"}}))]
pub struct Publication {
    /// 施行日期, today or later.
    #[schema(value_type = String, format = Date, example = "2027-01-01")]
    pub effective_date: chrono::NaiveDate,
    /// 修订说明.
    pub note: String,
    /// Path → text: `set.toml` (its `version` is the version's id), `units/*.toml`, and
    /// `search_terms.toml` if any.
    pub files: BTreeMap<String, String>,
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawalRequest {
    /// Why (recorded with the withdrawal).
    pub note: String,
}

/// A version's content.
#[derive(Serialize, ToSchema)]
pub struct VersionFiles {
    pub version: String,
    pub files: BTreeMap<String, String>,
}

const PUBLISHERS: [Role; 1] = [Role::Publisher];

fn refused(r: Refusal) -> ApiError {
    let status = match r.code {
        "version_exists" => StatusCode::CONFLICT,
        "not_found" => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, r.code, r.message, r.message_en, None)
}

/// Stores a new version after the checks every start-up runs; a refused upload changes nothing.
/// Every instance on the database follows within seconds, this one at once.
#[utoipa::path(post, path = "/api/v1/standards/versions", tag = "standards", request_body = Publication,
    security(("bearer" = [])),
    responses((status = 201, body = VersionSummary),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, description = "not a publisher", body = ErrorBody),
        (status = 409, description = "the version exists already", body = ErrorBody),
        (status = 422, description = "the standards do not pass the checks (every problem in `problems`), or a past effective date", body = ErrorBody)))]
pub async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &PUBLISHERS).await?;
    let json = read_json_limited(payload, MAX_UPLOAD).await?;
    let p: Publication = serde_json::from_value(json).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_publication",
            "请求应含施行日期 effective_date（YYYY-MM-DD）、修订说明 note 和文件 files".to_string(),
            format!("the body must be {{effective_date, note, files}}: {e}"),
            None,
        )
    })?;
    let st = state.clone();
    let record = web::block(move || {
        sources::new_version(p.files, Some(p.effective_date), &who.name, &p.note).map(|(r, _)| r)
    })
    .await
    .map_err(|e| ApiError::unavailable(&e.to_string()))?
    .map_err(|problems| {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "standards_invalid",
            format!("裁量基准未通过校验（{}处问题）", problems.0.len()),
            format!(
                "the standards do not pass the checks ({} problems)",
                problems.0.len()
            ),
            None,
        );
        e.body.error.problems = problems.0.iter().map(ToString::to_string).collect();
        e
    })?;
    admissible(
        &st.decider.versions(),
        &record.meta.version,
        record.meta.effective_date,
        crate::clock::today(),
    )
    .map_err(refused)?;
    let version = record.meta.version.clone();
    change(&state, move |s| s.insert_version(&record)).await?;
    created_or_ok(&state, &version, StatusCode::CREATED)
}

/// Withdraws a version: it never applies again (the one before applies instead: a rollback),
/// and stays readable.
#[utoipa::path(post, path = "/api/v1/standards/versions/{version}/withdraw", tag = "standards",
    params(("version" = String, Path)), request_body = WithdrawalRequest, security(("bearer" = [])),
    responses((status = 200, body = VersionSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "no such version not withdrawn already", body = ErrorBody),
        (status = 422, description = "the body is not `{note}`, or the version is the only one that applies: publish its replacement first", body = ErrorBody)))]
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    version: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &PUBLISHERS).await?;
    // Read as every other body is (strict JSON, the one error shape), after the token.
    let body: WithdrawalRequest =
        serde_json::from_value(read_json(payload).await?).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_withdrawal",
                "请求应为 {\"note\": \"撤回理由\"}".to_string(),
                format!("the body must be {{\"note\": \"…\"}}: {e}"),
                Some("note"),
            )
        })?;
    let version = version.into_inner();
    withdrawable(&state.decider.versions(), &version, crate::clock::today()).map_err(refused)?;
    let w = Withdrawal {
        at: now_strings().0,
        by: who.name,
        note: body.note,
    };
    let v = version.clone();
    let today = crate::clock::today().to_string();
    let done = change(&state, move |s| s.withdraw_version(&v, &w, &today)).await?;
    if !done {
        // Another withdrawal got there first: say why, from what is stored now.
        let stored = change(&state, |s| s.versions()).await?;
        let live = stored
            .iter()
            .any(|r| r.meta.version == version && r.meta.withdrawal.is_none());
        if live {
            return Err(refused(last_version(&version)));
        }
        return Err(ApiError::not_found(
            &format!("未撤回的版本 {version} "),
            &format!("a version `{version}` not withdrawn already"),
        ));
    }
    created_or_ok(&state, &version, StatusCode::OK)
}

/// A version's files, to download, edit and publish again under a new number.
#[utoipa::path(get, path = "/api/v1/standards/versions/{version}/files", tag = "standards",
    params(("version" = String, Path)),
    responses((status = 200, body = VersionFiles), (status = 404, body = ErrorBody)))]
pub async fn files(
    req: HttpRequest,
    state: web::Data<AppState>,
    version: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller(&req, &state).await?;
    let version = version.into_inner();
    let st = state.clone();
    let records = web::block(move || st.reads.with(|s| s.versions()))
        .await
        .map_err(|e| ApiError::unavailable(&e.to_string()))?
        .map_err(|e| ApiError::unavailable(&e.0))?;
    let record = records
        .into_iter()
        .find(|r| r.meta.version == version)
        .ok_or_else(|| {
            ApiError::not_found(
                &format!("裁量基准版本 {version} "),
                &format!("standards version `{version}`"),
            )
        })?;
    Ok(HttpResponse::Ok().json(VersionFiles {
        version: record.meta.version,
        files: record.files,
    }))
}

/// Runs a change of the versions table on the blocking pool, then reloads this instance's
/// versions at once (the others follow within seconds).
async fn change<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl FnOnce(
        &mut dyn crate::supervision::store::Store,
    ) -> Result<T, crate::supervision::store::StoreError>
    + Send
    + 'static,
) -> Result<T, ApiError> {
    let st = state.clone();
    web::block(move || {
        st.reads.with(|s| {
            let out = f(s)?;
            decide::reload_versions(&st.decider, s)
                .map_err(crate::supervision::store::StoreError)?;
            Ok(out)
        })
    })
    .await
    .map_err(|e| ApiError::unavailable(&e.to_string()))?
    .map_err(|e| ApiError::unavailable(&e.0))
}

fn created_or_ok(
    state: &web::Data<AppState>,
    version: &str,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let versions = state.decider.versions();
    let v = versions
        .get(version)
        .ok_or_else(|| ApiError::unavailable("the version was stored but is not loaded"))?;
    Ok(HttpResponse::build(status).json(summary(&versions, v)))
}
