//! The OpenAPI document, generated from the handlers and types by utoipa.

use utoipa::OpenApi;

use crate::api::{self, error};
use crate::circumstances;
use crate::engine;
use crate::standards::model;
use crate::stats;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "行政处罚裁量基准服务 (discretionary-penalty standards service)",
        description = "Published administrative-penalty discretion standards: find the matter, calculate the standard tier, fine and legal basis. Amounts are decimal strings in yuan."
    ),
    paths(
        api::healthz,
        api::units,
        api::matters,
        api::matter,
        api::circumstances_list,
        api::stats_handler,
        api::calculate,
    ),
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
        stats::Stats,
        stats::Figures,
        stats::UnitFigures,
    )),
    tags(
        (name = "standards", description = "The published standards"),
        (name = "calculation", description = "The standard penalty for a case"),
        (name = "service", description = "Health"),
    )
)]
pub struct ApiDoc;

/// The document as committed in `openapi/openapi.json`.
pub fn document() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    s.push('\n');
    s
}
