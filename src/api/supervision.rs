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
use crate::supervision::EntryKind;
use crate::supervision::StoredEntry;
use crate::supervision::report::{LookBack, LookBackBuilder, Period, unit_of};
use crate::supervision::sample::{
    self, Candidate, CaseFiles, Conclusion, DrawRecord, FindingRequest, RULE_VERSION,
    RecordedFinding, SampleRequest, WEIGHT_RULE,
};
use crate::supervision::store::{AlertFilter, Filter, Store, StoreError, entry_from_row};

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
    /// The draw this one replayed, if it was a replay.
    pub replay_of: Option<String>,
}

/// A recorded finding on a drawn case file (the latest counts; every one is in the log).
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    /// The finding's receipt in the log.
    pub receipt: String,
    pub conclusion: Conclusion,
    pub note: String,
    pub by: String,
    pub at: String,
}

/// One act of a drawn case file, as logged.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampledAct {
    pub matter_id: String,
    /// The facts as logged (keys: the matter's facts).
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
    pub tier: Option<usize>,
    /// The standard's fine band (after adjustments, for a calculation), if any.
    #[schema(value_type = Option<crate::standards::model::Band>)]
    pub standard_fine: Option<serde_json::Value>,
    /// A review's proposed fine, if any.
    #[schema(value_type = Option<String>)]
    pub proposed_fine: Option<serde_json::Value>,
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
    /// The inspector who calculated, or the one a review names (承办人).
    pub inspector: String,
    pub outcome: String,
    pub tier: Option<usize>,
    /// The circumstances as logged (codes).
    pub circumstances: Vec<String>,
    pub acts: Vec<SampledAct>,
    pub finding: Option<FindingView>,
}

/// A draw with its cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleView {
    #[serde(flatten)]
    pub summary: SampleSummary,
    /// What the draw recorded: the last entry read, the weight rule, the strata.
    pub record: DrawRecord,
    /// For a replay: whether it drew exactly what the draw it replays drew (if not, the log
    /// under that draw has changed).
    pub matches_original: Option<bool>,
    pub cases: Vec<SampledCase>,
}

const SUPERVISORS: [Role; 1] = [Role::Supervisor];

/// Reads the entries `filter` selects after `after` and up to `through`, in chain order, a
/// page at a time.
fn each_entry(
    s: &mut dyn Store,
    filter: &Filter,
    (mut after, through): (i64, i64),
    mut f: impl FnMut(StoredEntry),
) -> Result<(), StoreError> {
    loop {
        let rows = s.rows(filter, after, 2000)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.seq;
        for row in rows {
            if row.seq > through {
                return Ok(());
            }
            f(entry_from_row(row)?);
        }
    }
}

const ALL: (i64, i64) = (0, i64::MAX);

fn invalid(code: &str, zh: &str, en: &str, field: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        code,
        zh.to_string(),
        en.to_string(),
        (!field.is_empty()).then_some(field),
    )
}

fn known_unit(state: &AppState, unit: Option<&str>) -> Result<(), ApiError> {
    match unit {
        Some(u) if state.current().set.unit(u).is_none() => Err(invalid(
            "unknown_unit",
            "没有这个执法单位",
            "no such unit",
            "unit",
        )),
        _ => Ok(()),
    }
}

/// A seed nobody chose: below 2^53, from the system's randomness.
fn server_seed() -> Result<u64, ApiError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| ApiError::unavailable(&e.to_string()))?;
    Ok(u64::from_le_bytes(b) >> 11)
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
        alerted: false,
    })
}

/// The case files a draw's parameters select, over the log up to `through`.
fn population(
    s: &mut dyn Store,
    r: &SampleRequest,
    through: i64,
) -> Result<Vec<Candidate>, StoreError> {
    let filter = Filter {
        from: Some(r.from.to_string()),
        to: Some(r.to.to_string()),
        decisions_only: true,
        ..Filter::default()
    };
    let mut files = CaseFiles::default();
    each_entry(s, &filter, (0, through), |e| {
        if let Some(c) = candidate(&e).filter(|c| r.unit.as_ref().is_none_or(|u| *u == c.unit)) {
            files.add(c);
        }
    })?;
    // The alerts raised by the entries read, on the period's cases.
    let alerts = AlertFilter {
        from: Some(r.from.to_string()),
        to: Some(r.to.to_string()),
        ..AlertFilter::default()
    };
    each_alert(s, &alerts, |a| {
        if let Some(case_ref) = a.case_ref.as_deref().filter(|_| a.seq <= through) {
            files.mark_alerted(&a.unit, case_ref);
        }
    })?;
    Ok(files.into_cases())
}

/// Every alert `filter` selects, a page at a time.
fn each_alert(
    s: &mut dyn Store,
    filter: &AlertFilter,
    mut f: impl FnMut(&crate::alerts::Alert),
) -> Result<(), StoreError> {
    let mut offset = 0;
    loop {
        let (_, page) = s.alerts(filter, offset, 1000)?;
        page.iter().for_each(&mut f);
        if page.len() < 1000 {
            return Ok(());
        }
        offset += 1000;
    }
}

/// The last entry a new draw reads: the log's head, but — so that a replay weighs the same
/// alerts — no further than the entries whose alerts are all stored: as this instance's
/// evaluator knows it, else as the log records it (unless nothing evaluates them at all).
fn new_draw_through(
    s: &mut dyn Store,
    head: i64,
    evaluated: Option<i64>,
) -> Result<i64, StoreError> {
    Ok(match evaluated {
        Some(through) => head.min(through),
        None => match s.alert_progress()? {
            0 => head,
            progress => head.min(progress),
        },
    })
}

fn draw_record_of(e: &StoredEntry) -> Result<DrawRecord, StoreError> {
    Ok(serde_json::from_value(e.result.clone())?)
}

/// The earlier draw a given seed replays: same parameters, same seed.
fn replayed(
    s: &mut dyn Store,
    r: &SampleRequest,
) -> Result<Option<(String, DrawRecord)>, StoreError> {
    let draws = Filter {
        kind: Some(EntryKind::SampleDraw.as_str().into()),
        ..Filter::default()
    };
    let mut found = None;
    each_entry(s, &draws, ALL, |e| {
        let same =
            serde_json::from_value::<SampleRequest>(e.request.clone()).is_ok_and(|x| x == *r);
        if found.is_none() && same {
            found = Some(e);
        }
    })?;
    found
        .map(|e| Ok((e.receipt.clone(), draw_record_of(&e)?)))
        .transpose()
}

/// A draw made: its parameters with the seed, its record, and for a replay whether it drew
/// what the original drew.
type Drawn = (SampleRequest, DrawRecord, Option<bool>);

/// A new draw (the server's seed, over the log as it stands) or the replay of a recorded one.
fn drawn(
    s: &mut dyn Store,
    mut r: SampleRequest,
    fresh_seed: u64,
    (head, evaluated): (i64, Option<i64>),
) -> Result<Result<Drawn, ApiError>, StoreError> {
    let (through, replay_of, original) = match r.seed {
        None => {
            r.seed = Some(fresh_seed);
            (new_draw_through(s, head, evaluated)?, None, None)
        }
        Some(_) => match replayed(s, &r)? {
            Some((_, old)) if old.rule_version != RULE_VERSION => {
                return Ok(Err(invalid(
                    "rule_changed",
                    "该次抽取使用的权重规则已更新，不能按原规则重现",
                    "that draw used an earlier weight rule",
                    "seed",
                )));
            }
            Some((id, old)) => (old.through_seq, Some(id), Some(old.strata)),
            None => {
                return Ok(Err(invalid(
                    "seed_not_drawn",
                    "新的抽取由系统产生随机种子；指定种子只能按相同条件重现此前的抽取，此种子没有对应的抽取记录",
                    "a new draw's seed is the server's; a seed given must be that of an earlier draw with the same parameters",
                    "seed",
                )));
            }
        },
    };
    let cases = population(s, &r, through)?;
    let strata = sample::draw(&cases, r.size, r.strata, r.seed.unwrap_or(fresh_seed));
    let matches = original.map(|o| o == strata);
    let record = DrawRecord {
        through_seq: through,
        rule_version: RULE_VERSION,
        rule: WEIGHT_RULE.to_string(),
        replay_of,
        strata,
    };
    Ok(Ok((r, record, matches)))
}

/// Draws a sample (or replays a recorded one) and logs the draw; the answer is given once
/// the draw is in the log.
pub(crate) async fn draw_sample(
    state: &web::Data<AppState>,
    asker: Asker,
    request: SampleRequest,
) -> Result<SampleView, ApiError> {
    known_unit(state, request.unit.as_deref())?;
    let seed = server_seed()?;
    let head = with_store(state, |s| Ok(s.head()?.0)).await?;
    let evaluated = if state.alerting.evaluates() {
        // The alerts of every entry up to the head, before the draw weighs them.
        state
            .alerting
            .evaluated(head, std::time::Duration::from_secs(2))
            .await;
        Some(state.alerting.evaluated_through())
    } else {
        None
    };
    let (request, record, matches) =
        with_store(state, move |s| drawn(s, request, seed, (head, evaluated))).await??;
    let entry = sample_draw_entry(&asker, &request, &record);
    let logged = state.decider.record(entry, ())?.logged().await?;
    let mut view = view_of(state, &logged.receipt).await?;
    view.matches_original = matches;
    Ok(view)
}

/// The draws, newest first.
pub(crate) async fn list_samples(
    state: &web::Data<AppState>,
) -> Result<Vec<SampleSummary>, ApiError> {
    let filter = Filter {
        kind: Some(EntryKind::SampleDraw.as_str().into()),
        ..Filter::default()
    };
    let mut list = with_store(state, move |s| {
        let mut all = Vec::new();
        each_entry(s, &filter, ALL, |e| all.push(summary_of(&e)))?;
        Ok(all)
    })
    .await?;
    list.reverse();
    list.into_iter().collect()
}

fn summary_of(e: &StoredEntry) -> Result<SampleSummary, ApiError> {
    let request: SampleRequest = serde_json::from_value(e.request.clone())
        .map_err(|err| ApiError::unavailable(&format!("draw {}: {err}", e.receipt)))?;
    let record = draw_record_of(e).map_err(|err| ApiError::unavailable(&err.0))?;
    Ok(SampleSummary {
        id: e.receipt.clone(),
        drawn_at: e.recorded_at.clone(),
        drawn_by: e.caller.name.clone(),
        request,
        drawn: record.strata.iter().map(|s| s.receipts.len()).sum(),
        replay_of: record.replay_of,
    })
}

/// A draw with its cases and their latest findings.
pub(crate) async fn view_of(state: &web::Data<AppState>, id: &str) -> Result<SampleView, ApiError> {
    let id = id.trim().to_uppercase();
    let key = id.clone();
    let read = with_store(state, move |s| {
        let Some(draw) = s
            .entry(&key)?
            .filter(|e| e.kind == EntryKind::SampleDraw.as_str())
        else {
            return Ok(None);
        };
        let record = draw_record_of(&draw)?;
        let mut cases = Vec::new();
        for st in &record.strata {
            for r in &st.receipts {
                if let Some(e) = s.entry(r)? {
                    cases.push((st.stratum.clone(), e));
                }
            }
        }
        // Findings come after their draw: the scan starts there.
        let filter = Filter {
            kind: Some(EntryKind::SampleFinding.as_str().into()),
            ..Filter::default()
        };
        let mut findings = Vec::new();
        each_entry(s, &filter, (draw.seq, i64::MAX), |e| {
            if e.request["sample"].as_str() == Some(key.as_str()) {
                findings.push(e);
            }
        })?;
        Ok(Some((draw, record, cases, findings)))
    })
    .await?;
    let (draw, record, cases, findings) =
        read.ok_or_else(|| ApiError::not_found(&format!("抽样 {id} "), &format!("sample `{id}`")))?;
    Ok(SampleView {
        summary: summary_of(&draw)?,
        record,
        matches_original: None,
        cases: cases
            .into_iter()
            .map(|(stratum, e)| sampled_case(stratum, &e, &findings))
            .collect(),
    })
}

fn latest_finding(receipt: &str, findings: &[StoredEntry]) -> Option<FindingView> {
    let f = findings
        .iter()
        .rev()
        .find(|f| f.request["receipt"].as_str() == Some(receipt))?;
    Some(FindingView {
        receipt: f.receipt.clone(),
        conclusion: serde_json::from_value(f.request["conclusion"].clone()).ok()?,
        note: f.request["note"].as_str().unwrap_or("").to_string(),
        by: f.caller.name.clone(),
        at: f.recorded_at.clone(),
    })
}

/// The acts of a drawn entry: a calculation's one, a review's each with its standard and
/// proposal.
fn sampled_acts(e: &StoredEntry) -> Vec<SampledAct> {
    if e.kind != "review" {
        return vec![SampledAct {
            matter_id: e.matter_id.clone(),
            facts: e.request["facts"].clone(),
            tier: e.tier,
            standard_fine: e.result.get("fine").cloned(),
            proposed_fine: None,
        }];
    }
    let asked = e.request["acts"].as_array().cloned().unwrap_or_default();
    let reviewed = e.result["acts"].as_array().cloned().unwrap_or_default();
    reviewed
        .iter()
        .enumerate()
        .map(|(i, a)| SampledAct {
            matter_id: a["matter_id"].as_str().unwrap_or("").to_string(),
            facts: asked.get(i).map(|x| x["facts"].clone()).unwrap_or_default(),
            tier: a["tier"]["level"].as_u64().map(|t| t as usize),
            standard_fine: a.get("standard_fine").cloned().filter(|v| !v.is_null()),
            proposed_fine: a["proposed"].get("fine").cloned().filter(|v| !v.is_null()),
        })
        .collect()
}

fn sampled_case(stratum: String, e: &StoredEntry, findings: &[StoredEntry]) -> SampledCase {
    let inspector = if e.kind == "review" {
        // A review names the inspector who proposed (承办人); the reviewer is not one.
        e.request["inspector"]
            .as_str()
            .unwrap_or("（未填写承办人）")
    } else {
        &e.caller.name
    };
    SampledCase {
        receipt: e.receipt.clone(),
        stratum,
        kind: e.kind.clone(),
        unit: unit_of(e),
        matter_id: e.matter_id.clone(),
        case_ref: e.case_ref.clone(),
        day: e.day.clone(),
        inspector: inspector.to_string(),
        outcome: e.outcome.clone(),
        tier: e.tier,
        circumstances: serde_json::from_value(e.request["circumstances"].clone())
            .unwrap_or_default(),
        acts: sampled_acts(e),
        finding: latest_finding(&e.receipt, findings),
    }
}

/// Records a finding on one of a sample's case files.
pub(crate) async fn record_finding(
    state: &web::Data<AppState>,
    asker: Asker,
    id: &str,
    f: FindingRequest,
) -> Result<String, ApiError> {
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
        unit: case.unit.clone(),
        matter_id: case.matter_id.clone(),
        case_ref: case.case_ref.clone().unwrap_or_default(),
        conclusion: f.conclusion,
        note: f.note,
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
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            let what = if name == "from" {
                "起始日期"
            } else {
                "截止日期"
            };
            ApiError::bad_query(
                &format!("{what}应为日期，如 2026-11-01"),
                &format!("{name} must be a date YYYY-MM-DD"),
                Some(name),
            )
        })
    };
    let (from, to) = (day(&q.from, "from")?, day(&q.to, "to")?);
    if let Some((zh, en)) = sample::period_error(from, to) {
        return Err(invalid("invalid_period", zh, en, "to"));
    }
    Ok(Period { from, to })
}

/// The unit a report is of: a reviewer's own (another is refused), any known one for a
/// supervisor, or every unit.
fn report_unit(
    state: &AppState,
    who: &Principal,
    asked: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let asked = asked
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_uppercase);
    known_unit(state, asked.as_deref())?;
    match (who.role, asked) {
        (Role::Supervisor, asked) => Ok(asked),
        (_, Some(u)) if u != who.unit => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("审核人员只能查看本单位（{}）的报告", who.unit),
            format!("reviewers read only their own unit's report ({})", who.unit),
            Some("unit"),
        )),
        _ => Ok(Some(who.unit.clone())),
    }
}

/// The look-back report: a reviewer's is their own unit's.
pub(crate) async fn report(
    state: &web::Data<AppState>,
    who: &Principal,
    q: &ReportQuery,
) -> Result<LookBack, ApiError> {
    let period = period_of(q)?;
    let unit = report_unit(state, who, q.unit.as_deref())?;
    let filter = Filter {
        from: Some(period.previous().from.to_string()),
        to: Some(period.to.to_string()),
        ..Filter::default()
    };
    let alerts = AlertFilter {
        from: filter.from.clone(),
        to: filter.to.clone(),
        ..AlertFilter::default()
    };
    with_store(state, move |s| {
        let mut b = LookBackBuilder::new(period, unit);
        each_entry(s, &filter, ALL, |e| b.add(&e))?;
        each_alert(s, &alerts, |a| b.add_alert(a))?;
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
    let request =
        SampleRequest::from_json(&read_json(payload).await?).map_err(|e| ApiError::from(&e))?;
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
    let f =
        FindingRequest::from_json(&read_json(payload).await?).map_err(|e| ApiError::from(&e))?;
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
