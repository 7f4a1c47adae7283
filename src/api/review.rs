//! Case review over REST: one case, or a batch of up to 1,000 streamed back case by case.

use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody, ErrorDetail};
use super::{AppState, asker, authorize, read_body_limited, read_json};
use crate::auth::Role;
use crate::decide::{CaseRefused, Pending, Reviewed};
use crate::review::{CaseReview, ReviewCase, Verdict};

/// Who may review: case-review staff and the supervisors who audit case files.
const REVIEWERS: [Role; 2] = [Role::Reviewer, Role::Supervisor];
pub const MAX_BATCH: usize = 1000;
/// A case is well under 4 KiB; 1,000 of them fit in 8 MiB.
pub const MAX_BATCH_BODY: usize = 8 * 1024 * 1024;
/// Cases reviewed, logged (in one group commit) and sent per step of the stream.
const STEP: usize = 100;

/// The review of one case, with the receipt of its log entry.
#[derive(Serialize, ToSchema)]
pub struct ReviewResponse {
    #[schema(example = "2048-1C0E")]
    pub receipt: String,
    #[serde(flatten)]
    pub review: CaseReview,
}

/// Up to 1,000 cases, each reviewed on its own.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // documents the request body
pub struct BatchRequest {
    /// 1 to 1,000 cases, each a `ReviewCase`. Each is read on its own: one that is not a valid
    /// case (of any JSON type) does not fail the batch but gives an item with `status: error`
    /// in the 200 answer, so any value is taken here.
    #[schema(value_type = Vec<Value>, min_items = 1, max_items = 1000)]
    pub cases: Vec<Value>,
}

/// One case of a batch: its review and receipt, or the error that stopped it.
#[derive(Serialize, ToSchema)]
pub struct BatchItem {
    /// 0-based position in `cases`.
    pub index: usize,
    /// `reviewed` or `error`.
    #[schema(example = "reviewed")]
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// The review as encoded once (the bytes whose digest the log keeps).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CaseReview>)]
    pub review: Option<Box<serde_json::value::RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

#[derive(Serialize, ToSchema, Default, Clone, Copy)]
pub struct BatchSummary {
    pub cases: usize,
    pub reviewed: usize,
    pub errors: usize,
    pub conforms: usize,
    pub deviates: usize,
    pub unlawful: usize,
    /// Cases that deviate without a written reason.
    pub reason_required: usize,
}

/// The batch answer (streamed: `results` arrive as they are reviewed, `summary` last).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // documents the streamed response
pub struct BatchResponse {
    pub results: Vec<BatchItem>,
    pub summary: BatchSummary,
}

/// Reviews one proposed decision against the standard and logs the review.
#[utoipa::path(post, operation_id = "review_case", path = "/api/v1/reviews", tag = "review", request_body = ReviewCase,
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReviewResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no, malformed or invalid token", body = ErrorBody),
        (status = 403, description = "role may not review", body = ErrorBody),
        (status = 404, description = "unknown matter", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 422, description = "a field that does not fit, named in `field`", body = ErrorBody),
        (status = 429, description = "rate limit", body = ErrorBody),
        (status = 503, description = "the log could not be written: no answer without a log entry", body = ErrorBody)))]
pub async fn one(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &REVIEWERS).await?;
    let json = read_json(payload).await?;
    let case = ReviewCase::from_json(&json).map_err(|e| ApiError::from(&e))?;
    let logged = state
        .decider
        .review(&case, &asker(&req, who), crate::clock::today())?
        .logged()
        .await?;
    // The bytes whose digest the log keeps, with the receipt put first (`ReviewResponse`).
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(logged.to_json()))
}

/// How many batch bodies may be read and split at once.
static BATCH_BODIES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// The batch body: `{"cases": [...]}` and nothing else, each case kept as text.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBatch {
    cases: Vec<Box<serde_json::value::RawValue>>,
}

struct BatchProgress {
    /// Each case as its text in the body: parsed into a tree only when its step comes, so
    /// memory follows the step, not the whole body (issue 15).
    cases: std::vec::IntoIter<Box<serde_json::value::RawValue>>,
    next_index: usize,
    summary: BatchSummary,
    first: bool,
}

fn error_item(index: usize, case_ref: Option<String>, e: ApiError) -> BatchItem {
    BatchItem {
        index,
        status: "error",
        case_ref,
        receipt: None,
        review: None,
        error: Some(e.body.error),
    }
}

/// Reviews up to 1,000 cases, each on its own: a case that cannot be reviewed gives an error
/// entry, not a failed batch. The answer streams out as the cases are reviewed and logged
/// (memory stays flat); every reviewed case has its receipt.
#[utoipa::path(post, path = "/api/v1/reviews/batch", tag = "review", request_body = BatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = BatchResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no, malformed or invalid token", body = ErrorBody),
        (status = 403, description = "role may not review", body = ErrorBody),
        (status = 413, description = "body over 8 MiB", body = ErrorBody),
        (status = 422, description = "not `{\"cases\": [...]}` (no other key), or not 1 to 1,000 cases; a case that cannot be reviewed is an `error` item of the 200 answer instead", body = ErrorBody),
        (status = 429, description = "rate limit", body = ErrorBody)))]
pub async fn batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &REVIEWERS).await?;
    // At most a few batch bodies are held at once; the others wait their turn (issue 15).
    let _permit = BATCH_BODIES
        .acquire()
        .await
        .map_err(|e| ApiError::unavailable(&e.to_string()))?;
    let body = read_body_limited(payload, MAX_BATCH_BODY).await?;
    let cases = match serde_json::from_slice::<RawBatch>(&body) {
        Ok(b) => b.cases,
        // Not JSON at all is malformed; JSON of another shape is the batch's shape error.
        Err(e) if e.is_syntax() || e.is_eof() => return Err(ApiError::malformed_json(e)),
        Err(_) => return Err(batch_shape_error()),
    };
    drop(body);
    if cases.is_empty() || cases.len() > MAX_BATCH {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_batch",
            format!("cases 应含1至{MAX_BATCH}个案件，收到{}个", cases.len()),
            format!(
                "`cases` must hold 1 to {MAX_BATCH} cases, not {}",
                cases.len()
            ),
            Some("cases"),
        ));
    }
    let asker = asker(&req, who);
    let progress = BatchProgress {
        summary: BatchSummary {
            cases: cases.len(),
            ..Default::default()
        },
        cases: cases.into_iter(),
        next_index: 0,
        first: true,
    };
    let body = stream::unfold(Some(progress), move |p| {
        let state = state.clone();
        let asker = asker.clone();
        async move {
            let mut p = p?;
            let chunk: Vec<Result<Value, CaseRefused>> = p
                .cases
                .by_ref()
                .take(STEP)
                .map(|raw| read_case(raw.get()))
                .collect();
            if chunk.is_empty() {
                return Some((Ok::<_, actix_web::Error>(batch_tail(&p)), None));
            }
            let start = p.next_index;
            p.next_index += chunk.len();
            let today = crate::clock::today();
            // Reviewing is CPU work: off the async workers. The step's cases share one commit.
            let st = state.clone();
            let pending = web::block(move || st.decider.review_batch(chunk, &asker, today))
                .await
                .unwrap_or_default();
            let mut text = String::with_capacity(pending.len() * 2048);
            if p.first {
                text.push_str("{\"results\":[");
            }
            for (k, r) in pending.into_iter().enumerate() {
                let item = batch_item(start + k, r, &mut p.summary).await;
                if !p.first {
                    text.push(',');
                }
                p.first = false;
                text.push_str(&serde_json::to_string(&item).unwrap_or_default());
            }
            Some((Ok(web::Bytes::from(text)), Some(p)))
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .streaming(body))
}

/// One case of a batch, read strictly: a key twice or a NUL refuses that case alone.
fn read_case(text: &str) -> Result<Value, CaseRefused> {
    crate::json::parse_strict(text.as_bytes()).map_err(|e| CaseRefused {
        case_ref: serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| crate::decide::case_ref_of(&v)),
        // A case of the batch is already valid JSON: only a field error is left.
        error: e.field_error().unwrap_or_else(|| {
            crate::request::CalcError::invalid(
                "malformed_json",
                "cases",
                e.to_string(),
                e.to_string(),
            )
        }),
    })
}

/// The end of the streamed answer: the summary (and the opening, for an empty stream).
fn batch_tail(p: &BatchProgress) -> web::Bytes {
    let tail = format!(
        "],\"summary\":{}}}",
        serde_json::to_string(&p.summary).unwrap_or_default()
    );
    web::Bytes::from(if p.first {
        format!("{{\"results\":[{tail}")
    } else {
        tail
    })
}

/// One case of the batch, once its log entry is committed (or why it has none), counted.
async fn batch_item(
    index: usize,
    r: Result<Pending<Reviewed>, CaseRefused>,
    summary: &mut BatchSummary,
) -> BatchItem {
    let logged = match r {
        Ok(pending) => {
            let case_ref = pending.answer().review.case_ref.clone();
            pending
                .logged()
                .await
                .map_err(|e| (Some(case_ref), ApiError::from(e)))
        }
        Err(refused) => Err((refused.case_ref, ApiError::from(&refused.error))),
    };
    match logged {
        Ok(l) => {
            let review = &l.answer.review;
            summary.reviewed += 1;
            match review.verdict {
                Verdict::Conforms => summary.conforms += 1,
                Verdict::Deviates => summary.deviates += 1,
                Verdict::Unlawful => summary.unlawful += 1,
            }
            summary.reason_required += usize::from(review.reason_required);
            BatchItem {
                index,
                status: "reviewed",
                case_ref: Some(review.case_ref.clone()),
                receipt: Some(l.receipt),
                review: Some(encoded(l.answer.json)),
                error: None,
            }
        }
        Err((case_ref, e)) => {
            summary.errors += 1;
            error_item(index, case_ref, e)
        }
    }
}

/// The review's bytes as the item's `review` (checked once more as JSON by serde_json, which
/// has no unchecked constructor; they are what its encoder wrote).
fn encoded(json: Vec<u8>) -> Box<serde_json::value::RawValue> {
    let text = String::from_utf8(json).expect("the encoder writes UTF-8");
    serde_json::value::RawValue::from_string(text).expect("the encoder writes JSON")
}

fn batch_shape_error() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_batch",
        "请求体应为 {\"cases\": [...]}",
        "the body must be {\"cases\": [...]}",
        Some("cases"),
    )
}
