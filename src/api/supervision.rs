//! Spot checks (案卷评查) and the look-back report (回头看), issue 17: thin handlers over
//! `supervision::sample` and `supervision::report`; the draws and findings are log entries,
//! written through the decision layer like every other logged act. The pages
//! (`web::spotcheck`) call the same functions.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::log::with_store;
use super::{AppState, asker, authorize, read_json};
use crate::auth::{Principal, Role};
use crate::decide::{Asker, sample_draw_entry, sample_finding_entry};
use crate::supervision::StoredEntry;
use crate::supervision::report::{LookBack, LookBackBuilder, Period, unit_of};
use crate::supervision::sample::{
    self, Candidate, FindingRequest, MAX_SAMPLE, RecordedFinding, SampleRequest, StratumDraw,
};
use crate::supervision::store::{Filter, Store, StoreError, entry_from_row};

/// A draw as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleSummary {
    /// The draw's receipt in the log: the sample's id.
    pub id: String,
    pub drawn_at: String,
    pub drawn_by: String,
    /// The parameters, with the seed used.
    pub request: SampleRequest,
    /// Case files drawn.
    pub drawn: usize,
}

/// A recorded finding on a drawn case file (the latest counts; every one is in the log).
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    /// The finding's receipt in the log.
    pub receipt: String,
    pub conclusion: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

/// One drawn case file.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampledCase {
    pub receipt: String,
    pub stratum: String,
    /// `calculation` or `review`.
    pub kind: String,
    pub unit: String,
    pub matter_id: String,
    pub case_ref: Option<String>,
    pub day: String,
    pub inspector: String,
    pub outcome: String,
    pub tier: Option<usize>,
    /// A calculation's fine band (after adjustments), if it gave one.
    #[schema(value_type = Option<crate::standards::model::Band>)]
    pub fine: Option<serde_json::Value>,
    /// A review's proposed fine.
    #[schema(value_type = Option<String>)]
    pub proposed_fine: Option<serde_json::Value>,
    pub finding: Option<FindingView>,
}

/// A draw with its cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleView {
    #[serde(flatten)]
    pub summary: SampleSummary,
    /// The stated weight rule.
    pub rule: String,
    pub strata: Vec<StratumDraw>,
    pub cases: Vec<SampledCase>,
}

const SUPERVISORS: [Role; 1] = [Role::Supervisor];

/// Seeds stay below 2^53, so that every JSON reader gets a seed back exactly.
const MAX_SEED: u64 = (1 << 53) - 1;

/// Reads every entry `filter` selects, in chain order, a page at a time.
fn each_entry(
    s: &mut dyn Store,
    filter: &Filter,
    mut f: impl FnMut(StoredEntry),
) -> Result<(), StoreError> {
    let mut after = 0;
    loop {
        let rows = s.rows(filter, after, 2000)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.seq;
        for row in rows {
            f(entry_from_row(row)?);
        }
    }
}

fn invalid(code: &str, zh: &str, en: &str, field: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        code,
        zh.to_string(),
        en.to_string(),
        (!field.is_empty()).then_some(field),
    )
}

/// A typed body, its refusal naming the field without the parser's words.
fn typed<T: serde::de::DeserializeOwned>(
    json: serde_json::Value,
    code: &str,
) -> Result<T, ApiError> {
    serde_json::from_value(json).map_err(|e| {
        let text = e.to_string();
        let field = text.split('`').nth(1).unwrap_or("").to_string();
        invalid(
            code,
            &format!(
                "请求内容不符合要求（字段：{}）",
                if field.is_empty() { "未知" } else { &field }
            ),
            &format!("the body does not fit (field `{field}`)"),
            &field,
        )
    })
}

/// Checks a draw's parameters and fixes its seed.
fn checked(state: &AppState, mut r: SampleRequest) -> Result<SampleRequest, ApiError> {
    if r.from > r.to {
        return Err(invalid(
            "invalid_period",
            "起始日期不能晚于截止日期",
            "`from` is after `to`",
            "to",
        ));
    }
    if !(1..=MAX_SAMPLE).contains(&r.size) {
        return Err(invalid(
            "invalid_size",
            "抽取数量应为1至500件",
            "`size` is 1 to 500",
            "size",
        ));
    }
    if let Some(u) = &r.unit {
        let u = u.to_uppercase();
        if state.current().set.unit(&u).is_none() {
            return Err(invalid(
                "unknown_unit",
                "没有这个执法单位",
                "no such unit",
                "unit",
            ));
        }
        r.unit = Some(u);
    }
    if r.seed.is_some_and(|s| s > MAX_SEED) {
        return Err(invalid(
            "invalid_seed",
            "随机种子应为0至9007199254740991的整数",
            "`seed` is 0 to 2^53 - 1",
            "seed",
        ));
    }
    if r.seed.is_none() {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).map_err(|e| ApiError::unavailable(&e.to_string()))?;
        r.seed = Some(u64::from_le_bytes(b) >> 11);
    }
    Ok(r)
}

fn candidate(e: &StoredEntry) -> Option<Candidate> {
    let decision = matches!(e.kind.as_str(), "calculation" | "review");
    let case_ref = e.case_ref.clone().filter(|c| !c.trim().is_empty())?;
    decision.then(|| Candidate {
        seq: e.seq,
        receipt: e.receipt.clone(),
        unit: unit_of(e),
        kind: e.kind.clone(),
        case_ref,
        departed: matches!(e.outcome.as_str(), "deviates" | "unlawful"),
        alerts: 0,
    })
}

/// Draws a sample and logs the draw; the answer is given once the draw is in the log.
pub(crate) async fn draw_sample(
    state: &web::Data<AppState>,
    asker: Asker,
    request: SampleRequest,
) -> Result<SampleView, ApiError> {
    let request = checked(state, request)?;
    let filter = Filter {
        from: Some(request.from.to_string()),
        to: Some(request.to.to_string()),
        ..Filter::default()
    };
    let unit = request.unit.clone();
    let population = with_store(state, move |s| {
        let mut all = Vec::new();
        each_entry(s, &filter, |e| {
            if let Some(c) = candidate(&e).filter(|c| unit.as_ref().is_none_or(|u| *u == c.unit)) {
                all.push(c);
            }
        })?;
        Ok(sample::one_per_case(all))
    })
    .await?;
    let seed = request.seed.expect("checked fixes the seed");
    let strata = sample::draw(&population, request.size, request.strata, seed);
    let entry = sample_draw_entry(&asker, &request, &strata);
    let logged = state.decider.record(entry, strata)?.logged().await?;
    view_of(state, &logged.receipt).await
}

/// The draws, newest first.
pub(crate) async fn list_samples(
    state: &web::Data<AppState>,
) -> Result<Vec<SampleSummary>, ApiError> {
    let filter = Filter {
        kind: Some("sample_draw".into()),
        ..Filter::default()
    };
    let mut list = with_store(state, move |s| {
        let mut all = Vec::new();
        each_entry(s, &filter, |e| all.push(summary_of(&e)))?;
        Ok(all)
    })
    .await?;
    list.reverse();
    list.into_iter().collect()
}

fn summary_of(e: &StoredEntry) -> Result<SampleSummary, ApiError> {
    let request: SampleRequest = serde_json::from_value(e.request.clone())
        .map_err(|err| ApiError::unavailable(&format!("draw {}: {err}", e.receipt)))?;
    let drawn = e.result["strata"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|x| x["receipts"].as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0);
    Ok(SampleSummary {
        id: e.receipt.clone(),
        drawn_at: e.recorded_at.clone(),
        drawn_by: e.caller.name.clone(),
        request,
        drawn,
    })
}

/// A draw with its cases and their latest findings.
pub(crate) async fn view_of(state: &web::Data<AppState>, id: &str) -> Result<SampleView, ApiError> {
    let id = id.to_uppercase();
    let key = id.clone();
    let (draw, cases, findings) = with_store(state, move |s| {
        let Some(draw) = s.entry(&key)?.filter(|e| e.kind == "sample_draw") else {
            return Ok(None);
        };
        let strata: Vec<StratumDraw> = serde_json::from_value(draw.result["strata"].clone())?;
        let mut cases = Vec::new();
        for st in &strata {
            for r in &st.receipts {
                if let Some(e) = s.entry(r)? {
                    cases.push((st.stratum.clone(), e));
                }
            }
        }
        let mut findings = Vec::new();
        let filter = Filter {
            kind: Some("sample_finding".into()),
            ..Filter::default()
        };
        each_entry(s, &filter, |e| {
            if e.request["sample"].as_str() == Some(key.as_str()) {
                findings.push(e);
            }
        })?;
        Ok(Some((draw, cases, findings)))
    })
    .await?
    .ok_or_else(|| ApiError::not_found(&format!("抽样 {id} "), &format!("sample `{id}`")))?;
    let summary = summary_of(&draw)?;
    let strata: Vec<StratumDraw> = serde_json::from_value(draw.result["strata"].clone())
        .map_err(|e| ApiError::unavailable(&e.to_string()))?;
    Ok(SampleView {
        summary,
        rule: draw.result["rule"].as_str().unwrap_or("").to_string(),
        strata,
        cases: cases
            .into_iter()
            .map(|(stratum, e)| sampled_case(stratum, &e, &findings))
            .collect(),
    })
}

fn sampled_case(stratum: String, e: &StoredEntry, findings: &[StoredEntry]) -> SampledCase {
    let finding = findings
        .iter()
        .rev()
        .find(|f| f.request["receipt"].as_str() == Some(e.receipt.as_str()))
        .map(|f| FindingView {
            receipt: f.receipt.clone(),
            conclusion: f.outcome.clone(),
            note: f.request["note"].as_str().unwrap_or("").to_string(),
            by: f.caller.name.clone(),
            at: f.recorded_at.clone(),
        });
    let (fine, proposed_fine) = if e.kind == "review" {
        (None, e.request["proposed"].get("fine").cloned())
    } else {
        (e.result.get("fine").cloned(), None)
    };
    SampledCase {
        receipt: e.receipt.clone(),
        stratum,
        kind: e.kind.clone(),
        unit: unit_of(e),
        matter_id: e.matter_id.clone(),
        case_ref: e.case_ref.clone(),
        day: e.day.clone(),
        inspector: e.request["inspector"]
            .as_str()
            .unwrap_or(&e.caller.name)
            .to_string(),
        outcome: e.outcome.clone(),
        tier: e.tier,
        fine,
        proposed_fine,
        finding,
    }
}

/// Records a finding on one of a sample's case files.
pub(crate) async fn record_finding(
    state: &web::Data<AppState>,
    asker: Asker,
    id: &str,
    f: FindingRequest,
) -> Result<String, ApiError> {
    if f.note.chars().count() > 2000 {
        return Err(invalid(
            "invalid_note",
            "评查意见不超过2000字",
            "`note` is at most 2,000 characters",
            "note",
        ));
    }
    let view = view_of(state, id).await?;
    let receipt = f.receipt.trim().to_uppercase();
    let Some(case) = view.cases.iter().find(|c| c.receipt == receipt) else {
        return Err(invalid(
            "not_in_sample",
            "该回执号不在本次抽取的案卷中",
            "this receipt is not one of the sample's",
            "receipt",
        ));
    };
    let recorded = RecordedFinding {
        sample: view.summary.id.clone(),
        receipt,
        matter_id: case.matter_id.clone(),
        case_ref: case.case_ref.clone().unwrap_or_default(),
        conclusion: f.conclusion,
        note: f.note.trim().to_string(),
    };
    let entry = sample_finding_entry(&asker, &recorded);
    Ok(state.decider.record(entry, ())?.logged().await?.receipt)
}

/// The look-back report's parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// One unit (reviewers: only their own); every unit when left out.
    pub unit: Option<String>,
    /// First day, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub from: String,
    /// Last day, inclusive.
    #[param(format = Date)]
    pub to: String,
}

fn period_of(q: &ReportQuery) -> Result<Period, ApiError> {
    let day = |s: &str, name: &str| {
        s.parse::<chrono::NaiveDate>().map_err(|_| {
            ApiError::bad_query(
                &format!(
                    "{} 应为日期，如 2026-11-01",
                    if name == "from" {
                        "起始日期"
                    } else {
                        "截止日期"
                    }
                ),
                &format!("{name} must be a date YYYY-MM-DD"),
                Some(name),
            )
        })
    };
    let (from, to) = (day(&q.from, "from")?, day(&q.to, "to")?);
    if from > to || (to - from).num_days() > 3660 {
        return Err(invalid(
            "invalid_period",
            "起始日期不能晚于截止日期，期间不超过十年",
            "`from` must not be after `to`, and the period at most ten years",
            "to",
        ));
    }
    Ok(Period { from, to })
}

/// The look-back report: a reviewer's is their own unit's.
pub(crate) async fn report(
    state: &web::Data<AppState>,
    who: &Principal,
    q: &ReportQuery,
) -> Result<LookBack, ApiError> {
    let period = period_of(q)?;
    let unit = match who.role {
        Role::Supervisor => q.unit.as_ref().map(|u| u.to_uppercase()),
        _ => Some(who.unit.clone()),
    };
    let filter = Filter {
        from: Some(period.previous().from.to_string()),
        to: Some(period.to.to_string()),
        ..Filter::default()
    };
    with_store(state, move |s| {
        let mut b = LookBackBuilder::new(period, unit);
        each_entry(s, &filter, |e| b.add(&e))?;
        Ok(b.finish())
    })
    .await
}

/// Draws a reproducible random sample of logged decisions for file review (案卷评查) and logs
/// the draw (seed, parameters, chosen receipts): the same parameters and seed on the same log
/// give the same sample. One decision per case number; strata get shares in proportion to
/// their size; departures and alerted cases weigh more (the rule is in the answer).
#[utoipa::path(post, path = "/api/v1/supervision/samples", tag = "supervision", request_body = SampleRequest,
    security(("bearer" = [])),
    responses((status = 201, body = SampleView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "a period that ends before it starts, a size outside 1 to 500, an unknown unit", body = ErrorBody)))]
pub async fn create_sample(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &SUPERVISORS).await?;
    let request: SampleRequest = typed(read_json(payload).await?, "invalid_sample")?;
    let view = draw_sample(&state, asker(&req, who), request).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Every draw ever made, newest first.
#[utoipa::path(get, path = "/api/v1/supervision/samples", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = Vec<SampleSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn samples(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, &SUPERVISORS).await?;
    Ok(HttpResponse::Ok().json(list_samples(&state).await?))
}

/// One draw with its case files and their latest findings.
#[utoipa::path(get, path = "/api/v1/supervision/samples/{id}", tag = "supervision", params(("id" = String, Path, description = "the draw's receipt")),
    security(("bearer" = [])),
    responses((status = 200, body = SampleView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sample_view(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, &SUPERVISORS).await?;
    Ok(HttpResponse::Ok().json(view_of(&state, &id).await?))
}

/// The receipt of a logged finding.
#[derive(Serialize, ToSchema)]
pub struct FindingReceipt {
    pub receipt: String,
}

/// Records a finding (评查意见) on one drawn case file; it is logged, and the latest one counts.
#[utoipa::path(post, path = "/api/v1/supervision/samples/{id}/findings", tag = "supervision", params(("id" = String, Path, description = "the draw's receipt")),
    request_body = FindingRequest, security(("bearer" = [])),
    responses((status = 201, body = FindingReceipt), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "a receipt not in the sample, a conclusion not conforms/deviates/unlawful, a note over 2,000 characters", body = ErrorBody)))]
pub async fn create_finding(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &SUPERVISORS).await?;
    let f: FindingRequest = typed(read_json(payload).await?, "invalid_finding")?;
    let receipt = record_finding(&state, asker(&req, who), &id, f).await?;
    Ok(HttpResponse::Created().json(FindingReceipt { receipt }))
}

/// The sample as a spreadsheet: a row per case file with the logged facts, the standard, the
/// decision when reviewed, and the findings (empty columns to fill in where none yet).
#[utoipa::path(get, path = "/api/v1/supervision/samples/{id}/export.xlsx", tag = "supervision", params(("id" = String, Path, description = "the draw's receipt")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sample_xlsx(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, &SUPERVISORS).await?;
    let view = view_of(&state, &id).await?;
    let bytes = crate::web::spotcheck::sample_xlsx(&state, &view)
        .map_err(|e| ApiError::unavailable(&e.to_string()))?;
    Ok(xlsx_response(
        bytes,
        &format!("案卷评查抽样-{}.xlsx", view.summary.id),
    ))
}

pub(crate) fn xlsx_response(bytes: Vec<u8>, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename*=UTF-8''{}", crate::web::percent(name)),
        ))
        .body(bytes)
}

/// The look-back report (回头看) of a period against the previous period of the same length,
/// per unit: the tier distribution per matter, departures with their reasons grouped, the
/// spot-check findings, and the changes. Supervisors: any unit or all; reviewers: their own.
#[utoipa::path(get, operation_id = "look_back_report", path = "/api/v1/supervision/report", tag = "supervision", params(ReportQuery), security(("bearer" = [])),
    responses((status = 200, body = LookBack), (status = 400, description = "a date that is not YYYY-MM-DD", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "`from` after `to`, or a period over ten years", body = ErrorBody)))]
pub async fn report_handler(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &[Role::Reviewer, Role::Supervisor]).await?;
    Ok(HttpResponse::Ok().json(report(&state, &who, &q).await?))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::{Methods, resource};
    cfg.service(
        resource("/api/v1/supervision/samples", Methods::GetPost)
            .route(web::get().to(samples))
            .route(web::post().to(create_sample)),
    )
    .service(
        resource("/api/v1/supervision/samples/{id}/export.xlsx", Methods::Get)
            .route(web::get().to(sample_xlsx)),
    )
    .service(
        resource("/api/v1/supervision/samples/{id}/findings", Methods::Post)
            .route(web::post().to(create_finding)),
    )
    .service(
        resource("/api/v1/supervision/samples/{id}", Methods::Get)
            .route(web::get().to(sample_view)),
    )
    .service(
        resource("/api/v1/supervision/report", Methods::Get).route(web::get().to(report_handler)),
    );
}
