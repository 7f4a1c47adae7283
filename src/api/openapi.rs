//! The OpenAPI document, generated from the handlers and types by utoipa.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    self, alerts as alerts_api, error, log, publish as publish_api, review as review_api,
    supervision as supervision_api, versions as versions_api,
};
use crate::auth;
use crate::circumstances;
use crate::engine;
use crate::review;
use crate::standards::model;
use crate::stats;
use crate::supervision;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "行政处罚裁量基准服务 (discretionary-penalty standards service)",
        description = "Published administrative-penalty discretion standards: find the matter, calculate the standard tier, fine and legal basis; every calculation is logged in a tamper-evident supervision log. Amounts are decimal strings in yuan. Roles: public (no token) reads the standards; inspector and reviewer calculate; reviewer reviews proposed decisions and reads its unit's log; supervisor also reviews (case-file audits); supervisor reads and exports the whole log; admin manages tokens; publisher (the legal office) publishes and withdraws standards versions."
    ),
    paths(
        api::healthz,
        api::units,
        api::matters,
        api::matter,
        api::circumstances_list,
        api::stats_handler,
        versions_api::list,
        versions_api::one,
        publish_api::publish,
        publish_api::withdraw,
        publish_api::files,
        versions_api::diff,
        api::calculate,
        review_api::one,
        review_api::batch,
        log::list,
        log::one,
        log::export,
        log::stats,
        log::tokens,
        log::create_token,
        log::revoke_token,
        log::checkpoint,
        log::mine,
        log::my_one,
        supervision_api::create_sample,
        supervision_api::samples,
        supervision_api::sample_view,
        supervision_api::create_finding,
        supervision_api::sample_xlsx,
        supervision_api::report_handler,
        alerts_api::list,
        alerts_api::dispose,
        alerts_api::rules,
        alerts_api::set_rules,
    ),
    modifiers(&BearerAuth, &CommonResponses, &RealExamples),
    components(schemas(
        error::ErrorBody,
        error::ErrorDetail,
        api::Health,
        api::UnitSummary,
        api::MatterSummary,
        api::MatterPage,
        model::Matter,
        model::Citation,
        model::Party,
        model::Statutory,
        model::FineRule,
        model::FineKind,
        model::Fallback,
        model::FactDef,
        model::FactType,
        model::EnumValue,
        model::Tier,
        model::TierFine,
        model::Band,
        circumstances::Circumstance,
        circumstances::Effect,
        engine::CalcRequest,
        engine::CalcResult,
        engine::Outcome,
        engine::Adjustment,
        engine::AdjustmentKind,
        engine::LegalBasis,
        engine::BasisRole,
        engine::TierRef,
        engine::DecisiveFact,
        engine::Dates,
        engine::VersionChoice,
        engine::VersionRule,
        engine::ComparedVersion,
        versions_api::VersionSummary,
        publish_api::Publication,
        publish_api::WithdrawalRequest,
        publish_api::VersionFiles,
        crate::standards::versions::VersionMeta,
        crate::standards::versions::Withdrawal,
        crate::standards::versions::Status,
        crate::standards::diff::SetDiff,
        crate::standards::diff::MatterRef,
        crate::standards::diff::MatterChanges,
        crate::standards::diff::Change,
        stats::Stats,
        stats::Figures,
        stats::UnitFigures,
        api::CalcResponse,
        review::ReviewCase,
        review::ReviewAct,
        review::AlsoViolates,
        review::Proposal,
        review::CaseReview,
        review::ActReview,
        review::Verdict,
        review::Direction,
        review::Finding,
        review::FineDeviation,
        review::Governing,
        review::Candidate,
        review::StandardSummary,
        review_api::ReviewResponse,
        review_api::BatchRequest,
        review_api::BatchItem,
        review_api::BatchSummary,
        review_api::BatchResponse,
        supervision::store::ReviewStats,
        supervision::store::DeviationCount,
        log::LogPage,
        alerts_api::AlertPage,
        alerts_api::DispositionRequest,
        alerts_api::DispositionResponse,
        alerts_api::RulesState,
        crate::alerts::Alert,
        crate::alerts::AlertKind,
        crate::alerts::Severity,
        crate::alerts::Disposition,
        crate::alerts::DispositionStatus,
        crate::alerts::RuleSettings,
        crate::alerts::settings::RepeatedCaseSettings,
        crate::alerts::settings::LenientShareSettings,
        crate::alerts::settings::ReviewDepartureSettings,
        crate::alerts::settings::TimeLimitSettings,
        crate::alerts::settings::LateSyncSettings,
        crate::supervision::checkpoint::Checkpoint,
        log::NewToken,
        log::CreatedToken,
        auth::Role,
        supervision::StoredEntry,
        supervision::Caller,
        supervision::store::SupervisionStats,
        supervision::store::Count,
        supervision::store::InspectorCount,
        supervision::store::TierCount,
        supervision::store::TokenRecord,
    )),
    tags(
        (name = "standards", description = "The published standards"),
        (name = "calculation", description = "The standard penalty for a case"),
        (name = "review", description = "Case review (法制审核): a proposed decision checked against the standard and the statutory band; verdicts conforms / deviates / unlawful"),
        (name = "supervision", description = "The supervision log (电子监察): reviewers read their unit's, supervisors all of it"),
        (name = "tokens", description = "Bearer tokens (admin)"),
        (name = "service", description = "Health"),
    )
)]
pub struct ApiDoc;

/// `Authorization: Bearer pst_…` tokens, created with `penalty-standards token create` or by an admin.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pst_<id>_<secret>")
                    .build(),
            ),
        );
    }
}

/// The refusals every operation can give, stated once rather than on each handler: a token
/// sent and not good (401, even where none is needed), the rate limit (429), the token store or
/// log out of reach (503); with a body, unreadable JSON (400), a body too slow (408) or too
/// large (413); with query parameters, a value that does not parse (400). `healthz` reads
/// nothing and answers 200 only.
struct CommonResponses;

/// Request bodies whose readers refuse unknown keys.
const STRICT_BODIES: [&str; 8] = [
    "CalcRequest",
    "ReviewCase",
    "ReviewAct",
    "AlsoViolates",
    "Proposal",
    "BatchRequest",
    "SampleRequest",
    "FindingRequest",
];

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{AdditionalProperties, Schema};
        // The request readers refuse a key they do not know (422 `unknown_field`).
        if let Some(components) = openapi.components.as_mut() {
            for name in STRICT_BODIES {
                if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(name) {
                    o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            if path == "/healthz" {
                continue;
            }
            for op in [&mut item.get, &mut item.post, &mut item.delete]
                .into_iter()
                .flatten()
            {
                let has_body = op.request_body.is_some();
                let has_query = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                let mut common = vec![
                    (
                        "401",
                        "a token was sent that is malformed, invalid or revoked (where none is needed too), or none where one is needed",
                    ),
                    (
                        "429",
                        "too many requests: the rate limit (see `Retry-After`)",
                    ),
                    ("503", "the token store or the log cannot be reached"),
                ];
                if has_body {
                    common.extend([
                        ("400", "the body is not JSON, or holds a key twice or a NUL"),
                        ("408", "the body did not arrive in time"),
                        ("413", "the body is too large"),
                    ]);
                } else if has_query {
                    common.push(("400", "a query parameter that does not fit its schema"));
                }
                for (status, description) in common {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(description));
                }
            }
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

/// Each operation's example: a real exchange with the server, recorded in
/// `openapi/examples.json` and checked against the server by the `openapi_examples` test.
struct RealExamples;

impl Modify for RealExamples {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let examples: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../openapi/examples.json"))
                .expect("openapi/examples.json is JSON");
        for e in &examples {
            let (Some(path), Some(method)) = (e["path"].as_str(), e["method"].as_str()) else {
                continue;
            };
            let Some(op) = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| match method {
                    "GET" => item.get.as_mut(),
                    "POST" => item.post.as_mut(),
                    "PUT" => item.put.as_mut(),
                    "DELETE" => item.delete.as_mut(),
                    _ => None,
                })
            else {
                continue;
            };
            set_example(op, e);
        }
    }
}

fn set_example(op: &mut utoipa::openapi::path::Operation, e: &serde_json::Value) {
    use utoipa::openapi::RefOr;
    if let (Some(body), Some(request)) = (op.request_body.as_mut(), e.get("request")) {
        for content in body.content.values_mut() {
            content.example = Some(request.clone());
        }
    }
    let status = e["status"].to_string();
    if let (Some(RefOr::T(response)), Some(answer)) =
        (op.responses.responses.get_mut(&status), e.get("response"))
    {
        for content in response.content.values_mut() {
            content.example = Some(answer.clone());
        }
    }
}

/// The document as committed in `openapi/openapi.json`.
pub fn document() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    s.push('\n');
    s
}
