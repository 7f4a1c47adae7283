//! Reading the supervision log, its statistics, and token management.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::{AppState, authorize, read_json};
use crate::auth::{Principal, Role, new_token};
use crate::supervision::StoredEntry;
use crate::supervision::store::{Filter, StoreError, SupervisionStats, TokenRecord};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Unit code (reviewers: only their own).
    pub unit: Option<String>,
    /// Matter id.
    pub matter: Option<String>,
    /// Inspector name (the token holder).
    pub inspector: Option<String>,
    /// First day, `YYYY-MM-DD` (China time), inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day, inclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Calculations: `penalty`, `no_penalty`, `time_barred`; reviews: `conforms`, `deviates`,
    /// `unlawful` (the case's verdict; in the review statistics, the act's).
    #[param(schema_with = outcome_schema)]
    pub outcome: Option<String>,
    /// `calculation` or `review`.
    #[param(schema_with = kind_schema)]
    pub kind: Option<String>,
    /// 1-based page.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<usize>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<usize>,
}

/// The outcomes a log entry can have.
pub const OUTCOMES: [&str; 6] = [
    "penalty",
    "no_penalty",
    "time_barred",
    "conforms",
    "deviates",
    "unlawful",
];
/// The kinds of log entry.
pub const KINDS: [&str; 6] = [
    "calculation",
    "review",
    "alert_rules",
    "alert_disposition",
    "sample_draw",
    "sample_finding",
];

fn string_enum(values: &[&str]) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

fn outcome_schema() -> utoipa::openapi::Object {
    string_enum(&OUTCOMES)
}

fn kind_schema() -> utoipa::openapi::Object {
    string_enum(&KINDS)
}

/// The export's filter: the list's, without pages (the export is the whole selection).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Unit code (reviewers: only their own).
    pub unit: Option<String>,
    /// Matter id.
    pub matter: Option<String>,
    /// Inspector name (the token holder).
    pub inspector: Option<String>,
    /// First day, `YYYY-MM-DD` (China time), inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day, inclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    /// As in the list.
    #[param(schema_with = outcome_schema)]
    pub outcome: Option<String>,
    /// `calculation` or `review`.
    #[param(schema_with = kind_schema)]
    pub kind: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LogPage {
    pub total: i64,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<StoredEntry>,
}

/// Runs `f` on a log connection, on the blocking pool (never on the async workers).
pub(crate) async fn with_store<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl FnOnce(&mut dyn crate::supervision::store::Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let reads = state.reads.clone();
    web::block(move || reads.with(f))
        .await
        .map_err(|e| ApiError::unavailable(&e.to_string()))?
        .map_err(|e| ApiError::unavailable(&e.0))
}

/// `page` from 1, `per_page` 1 to 200.
pub(crate) fn page_error() -> ApiError {
    ApiError::bad_query(
        "页码 page 为1至1000000，每页条数 per_page 为1至200",
        "page 1..1000000, per_page 1..200",
        Some("page"),
    )
}

/// Builds the filter, confining a reviewer to their own unit.
pub(crate) fn filter_for(who: &Principal, q: &LogQuery) -> Result<Filter, ApiError> {
    for (name, d) in [("from", &q.from), ("to", &q.to)] {
        if let Some(d) = d
            && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            return Err(ApiError::bad_query(
                &format!(
                    "{} 应为日期 YYYY-MM-DD",
                    if name == "from" {
                        "起始日期 from"
                    } else {
                        "截止日期 to"
                    }
                ),
                &format!("{name} must be a date YYYY-MM-DD"),
                Some(name),
            ));
        }
    }
    if let Some(o) = &q.outcome
        && !OUTCOMES.contains(&o.as_str())
    {
        return Err(ApiError::bad_query(
            "结果 outcome 应为 penalty（处罚）、no_penalty（不予处罚）、time_barred（超过时效）、conforms（符合）、deviates（偏离）或 unlawful（违法）",
            "outcome is penalty, no_penalty, time_barred, conforms, deviates or unlawful",
            Some("outcome"),
        ));
    }
    if let Some(k) = &q.kind
        && !KINDS.contains(&k.as_str())
    {
        return Err(ApiError::bad_query(
            "类别 kind 应为 calculation（计算）、review（审核）、alert_rules（预警规则设置）、alert_disposition（预警处理意见）、sample_draw（案卷评查抽样）或 sample_finding（案卷评查意见）",
            "kind is calculation, review, alert_rules, alert_disposition, sample_draw or sample_finding",
            Some("kind"),
        ));
    }
    let mut unit = q.unit.clone();
    if who.role == Role::Reviewer {
        if unit.as_ref().is_some_and(|u| *u != who.unit) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("法制审核人员只能查看本单位（{}）的记录", who.unit),
                format!("reviewers read only their own unit's log ({})", who.unit),
                Some("unit"),
            ));
        }
        unit = Some(who.unit.clone());
    }
    Ok(Filter {
        unit,
        matter: q.matter.clone(),
        inspector: q.inspector.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        outcome: q.outcome.clone(),
        kind: q.kind.clone(),
        // A reviewer reads their unit's decisions, not the supervisors' own acts (draws and
        // findings about other units' case files among them).
        decisions_only: who.role != Role::Supervisor,
    })
}

const READERS: [Role; 2] = [Role::Reviewer, Role::Supervisor];

/// Log entries, newest first.
#[utoipa::path(get, operation_id = "list_queries", path = "/api/v1/queries", tag = "supervision", params(LogQuery), security(("bearer" = [])),
    responses((status = 200, body = LogPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<LogQuery>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &READERS).await?;
    let filter = filter_for(&who, &q)?;
    log_page(
        &state,
        filter,
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(50),
    )
    .await
}

/// One page of the entries `filter` selects, newest first (`page` from 1, 1 to 200 a page).
async fn log_page(
    state: &web::Data<AppState>,
    filter: Filter,
    page: usize,
    per_page: usize,
) -> Result<HttpResponse, ApiError> {
    if !(1..=super::MAX_PAGE).contains(&page) || !(1..=200).contains(&per_page) {
        return Err(page_error());
    }
    let offset = ((page - 1) * per_page) as i64;
    let (total, items) =
        with_store(state, move |s| s.list(&filter, offset, per_page as i64)).await?;
    Ok(HttpResponse::Ok().json(LogPage {
        total,
        page,
        per_page,
        items,
    }))
}

/// One log entry by its receipt.
#[utoipa::path(get, operation_id = "get_query", path = "/api/v1/queries/{receipt}", tag = "supervision", params(("receipt" = String, Path, description = "e.g. 1024-9F3A")),
    security(("bearer" = [])),
    responses((status = 200, body = StoredEntry), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    req: HttpRequest,
    state: web::Data<AppState>,
    receipt: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &READERS).await?;
    let r = receipt.to_uppercase();
    let entry = with_store(&state, move |s| s.entry(&r)).await?;
    match entry {
        // A reviewer does not learn whether other units' receipts exist.
        Some(e)
            if who.role == Role::Supervisor
                || (e.caller.unit == who.unit
                    && matches!(e.kind.as_str(), "calculation" | "review")) =>
        {
            Ok(HttpResponse::Ok().json(e))
        }
        _ => Err(ApiError::not_found(
            &format!("回执 {receipt} "),
            &format!("receipt `{receipt}`"),
        )),
    }
}

/// Pages of one's own entries.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MineQuery {
    /// 1-based page.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<usize>,
    /// 1 to 200, default 20.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<usize>,
}

/// Whoever logs entries: inspectors, reviewers, supervisors.
const LOGGERS: [Role; 3] = [Role::Inspector, Role::Reviewer, Role::Supervisor];

/// One's own entries: those logged under one's name in one's unit, whichever of one's tokens
/// made them (a person keeps their history when a token is replaced).
fn own(who: &Principal) -> Filter {
    Filter {
        unit: Some(who.unit.clone()),
        inspector: Some(who.name.clone()),
        ..Filter::default()
    }
}

/// The caller's own log entries, newest first (an inspector's past receipts).
#[utoipa::path(get, operation_id = "list_my_queries", path = "/api/v1/my/queries", tag = "supervision", params(MineQuery), security(("bearer" = [])),
    responses((status = 200, body = LogPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn mine(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<MineQuery>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &LOGGERS).await?;
    log_page(
        &state,
        own(&who),
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(20),
    )
    .await
}

/// One of the caller's own log entries by its receipt; another's is not found.
#[utoipa::path(get, operation_id = "get_my_query", path = "/api/v1/my/queries/{receipt}", tag = "supervision", params(("receipt" = String, Path, description = "e.g. 1024-9F3A")),
    security(("bearer" = [])),
    responses((status = 200, body = StoredEntry), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn my_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    receipt: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &LOGGERS).await?;
    let r = receipt.to_uppercase();
    let entry = with_store(&state, move |s| s.entry(&r)).await?;
    match entry {
        Some(e) if e.caller.name == who.name && e.caller.unit == who.unit => {
            Ok(HttpResponse::Ok().json(e))
        }
        _ => Err(ApiError::not_found(
            &format!("本人的回执 {receipt} "),
            &format!("own receipt `{receipt}`"),
        )),
    }
}

fn csv_field(s: &str) -> String {
    let s = &*crate::cells::neutralised(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

const CSV_HEADER: &str = "回执号,记录时间,日期,类型,执法单位,执法人员,角色,客户端,事项编号,标准版本,处理结果,阶次,罚款下限,罚款上限,案件编号,离线,请求,结果,哈希\r\n";

fn csv_line(e: &StoredEntry) -> String {
    let fine = |k: &str| e.result["fine"][k].as_str().unwrap_or("").to_string();
    let fields = [
        e.receipt.clone(),
        e.recorded_at.clone(),
        e.day.clone(),
        crate::supervision::EntryKind::label_of(&e.kind).to_string(),
        e.caller.unit.clone(),
        e.caller.name.clone(),
        e.caller.role.as_str().to_string(),
        e.client.clone(),
        e.matter_id.clone(),
        e.standards_version.clone(),
        e.outcome.clone(),
        e.tier.map(|t| t.to_string()).unwrap_or_default(),
        fine("min"),
        fine("max"),
        e.case_ref.clone().unwrap_or_default(),
        if e.offline { "是" } else { "否" }.to_string(),
        e.request.to_string(),
        e.result.to_string(),
        e.hash.clone(),
    ];
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The log as CSV (UTF-8 with BOM, so that Excel reads Chinese), streamed page by page.
#[utoipa::path(get, path = "/api/v1/queries/export.csv", tag = "supervision", params(ExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "text/csv", content_type = "text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &READERS).await?;
    let q = q.into_inner();
    let filter = filter_for(
        &who,
        &LogQuery {
            unit: q.unit,
            matter: q.matter,
            inspector: q.inspector,
            from: q.from,
            to: q.to,
            outcome: q.outcome,
            kind: q.kind,
            page: None,
            per_page: None,
        },
    )?;
    let reads = state.reads.clone();
    let body = stream::unfold(Some(0i64), move |after| {
        let reads = reads.clone();
        let filter = filter.clone();
        async move {
            let after = after?;
            let page = web::block(move || reads.with(|s| s.rows(&filter, after, 500))).await;
            let rows = match page {
                Ok(Ok(rows)) => rows,
                Ok(Err(e)) => {
                    return Some((Err(actix_web::error::ErrorServiceUnavailable(e.0)), None));
                }
                Err(e) => {
                    return Some((
                        Err(actix_web::error::ErrorServiceUnavailable(e.to_string())),
                        None,
                    ));
                }
            };
            let mut chunk = if after == 0 {
                format!("\u{feff}{CSV_HEADER}")
            } else {
                String::new()
            };
            let next = rows.last().map(|r| r.seq);
            for row in rows {
                if let Ok(e) = crate::supervision::store::entry_from_row(row) {
                    chunk.push_str(&csv_line(&e));
                }
            }
            if chunk.is_empty() {
                return None;
            }
            Some((Ok::<_, actix_web::Error>(web::Bytes::from(chunk)), next))
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"supervision-log.csv\"",
        ))
        .streaming(body))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day, `YYYY-MM-DD` (China time), inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day, inclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    pub unit: Option<String>,
    /// Count only `calculation` or only `review` entries (the review figures are always reviews).
    #[param(schema_with = kind_schema)]
    pub kind: Option<String>,
}

/// Queries per unit, matter, inspector and day; tier distribution per matter; no-penalty share
/// per inspector; for case reviews, the deviation rate per unit and per inspector (承办人) and
/// the most-deviated matters.
#[utoipa::path(get, path = "/api/v1/supervision/stats", tag = "supervision", params(StatsQuery), security(("bearer" = [])),
    responses((status = 200, body = SupervisionStats), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn stats(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &[Role::Supervisor]).await?;
    let q = q.into_inner();
    let filter = filter_for(
        &who,
        &LogQuery {
            unit: q.unit,
            matter: None,
            inspector: None,
            from: q.from,
            to: q.to,
            outcome: None,
            kind: q.kind,
            page: None,
            per_page: None,
        },
    )?;
    let filter = Filter {
        decisions_only: true,
        ..filter
    };
    let s = with_store(&state, move |s| s.stats(&filter)).await?;
    Ok(HttpResponse::Ok().json(s))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct NewToken {
    /// The person who holds it (not blank).
    #[schema(pattern = r"\S")]
    pub name: String,
    /// Their unit code: one of the standards' units (GET /api/v1/units), else 422.
    pub unit: String,
    pub role: Role,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    /// Shown once; only its hash is stored.
    pub token: String,
    pub record: TokenRecord,
}

/// Tokens (never the secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenRecord>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, &[Role::Admin]).await?;
    let list = with_store(&state, move |s| s.tokens()).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Creates a token for a named person of a unit; the token is in the answer and nowhere else.
/// No two live tokens of a unit share a name (one's own entries are those under one's name).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken, security(("bearer" = [])),
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "a live token of this unit already has this name", body = ErrorBody),
        (status = 422, description = "not `{name, unit, role}`, or a unit the standards do not have", body = ErrorBody)))]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, &[Role::Admin]).await?;
    let json = read_json(payload).await?;
    let t: NewToken = serde_json::from_value(json).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_token_request",
            "请求应含姓名 name、单位代码 unit 和角色 role（inspector、reviewer、supervisor、admin 或 publisher）".to_string(),
            format!("needs name, unit and role: {e}"),
            None,
        )
    })?;
    if t.name.trim().is_empty() || state.current().set.unit(&t.unit).is_none() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_token_request",
            "姓名不能为空，单位须为已有执法单位",
            "name must not be empty and unit must be a known unit code",
            Some("unit"),
        ));
    }
    let (name, unit) = (t.name.trim().to_string(), t.unit.to_uppercase());
    let (n, u) = (name.clone(), unit.clone());
    let taken = with_store(&state, move |s| {
        Ok(s.tokens()?.iter().any(|r| r.is_live_for(&n, &u)))
    })
    .await?;
    if taken {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "name_taken",
            format!("{unit}已有{name}的有效令牌：请先撤销原令牌，或以姓名区分两人"),
            format!(
                "{name} of {unit} already holds a live token: revoke it first, or tell two people apart by name"
            ),
            Some("name"),
        ));
    }
    let (token, record) = new_token(&name, &unit, t.role);
    let stored = record.clone();
    with_store(&state, move |s| s.insert_token(&stored)).await?;
    state.tokens.invalidate();
    Ok(HttpResponse::Created().json(CreatedToken { token, record }))
}

/// Revokes a token at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the token making the request: an admin does not lock themselves out (another admin or `token revoke` does it)", body = ErrorBody)))]
pub async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = authorize(&req, &state, &[Role::Admin]).await?;
    if *id == who.token_id {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "own_token",
            "不能吊销本次请求所用的令牌：请由另一管理员或用命令 token revoke 吊销",
            "the token making this request cannot revoke itself: another admin or `token revoke` can",
            None,
        ));
    }
    let token_id = id.clone();
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let revoked = with_store(&state, move |s| s.revoke_token(&token_id, &at)).await?;
    state.tokens.invalidate();
    if revoked {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found(
            &format!("令牌 {id} "),
            &format!("token `{id}`"),
        ))
    }
}

/// A signed checkpoint of the log's head as of now (public): keep it, and `log verify
/// --checkpoint SEQ:HASH` later shows whether the log still holds that head. Ed25519 over
/// "penalty-standards checkpoint\n{seq}\n{hash}\n{at}"; the key is published on /supervision.
#[utoipa::path(get, path = "/api/v1/log/checkpoint", tag = "supervision",
    responses((status = 200, body = crate::supervision::checkpoint::Checkpoint),
        (status = 503, body = ErrorBody)))]
pub async fn checkpoint(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    super::caller(&req, &state).await?;
    let checkpoints = state.checkpoints.clone();
    let now = crate::supervision::store::now_strings().0;
    let cp = with_store(&state, move |s| checkpoints.issue(s, &now)).await?;
    Ok(HttpResponse::Ok().json(cp))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::{Methods, resource};
    // export.csv before {receipt}, which would otherwise match it.
    cfg.service(resource("/api/v1/log/checkpoint", Methods::Get).route(web::get().to(checkpoint)))
        .service(resource("/api/v1/queries", Methods::Get).route(web::get().to(list)))
        .service(resource("/api/v1/queries/export.csv", Methods::Get).route(web::get().to(export)))
        .service(resource("/api/v1/queries/{receipt}", Methods::Get).route(web::get().to(one)))
        .service(resource("/api/v1/supervision/stats", Methods::Get).route(web::get().to(stats)))
        .service(resource("/api/v1/my/queries", Methods::Get).route(web::get().to(mine)))
        .service(
            resource("/api/v1/my/queries/{receipt}", Methods::Get).route(web::get().to(my_one)),
        )
        .service(
            resource("/api/v1/tokens", Methods::GetPost)
                .route(web::get().to(tokens))
                .route(web::post().to(create_token)),
        )
        .service(
            resource("/api/v1/tokens/{id}", Methods::Delete).route(web::delete().to(revoke_token)),
        );
}
