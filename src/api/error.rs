//! One error shape for every failure: `{"error": {"code", "message", "message_en", "field"}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Role;
use crate::request::CalcError;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable code, e.g. `missing_fact`.
    #[schema(example = "missing_fact")]
    pub code: String,
    /// Chinese message for the person at the screen.
    pub message: String,
    pub message_en: String,
    /// The request field at fault, e.g. `facts.area`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found, where there are several (a standards upload: `file:line: matter: message`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[schema(value_type = Vec<String>)]
    pub problems: Box<[String]>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds to wait, sent as `Retry-After` (429, and 503 where known).
    pub retry_after: Option<std::num::NonZeroU16>,
    /// The methods a path answers, sent as `Allow` with a 405.
    pub allow: Option<Methods>,
}

/// The methods a path of the service answers (one byte, so that errors stay small).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Methods {
    Get,
    Post,
    GetPost,
    GetPut,
    Delete,
}

impl Methods {
    /// As the `Allow` header lists them.
    pub fn header(self) -> &'static str {
        match self {
            Methods::Get => "GET",
            Methods::Post => "POST",
            Methods::GetPost => "GET, POST",
            Methods::GetPut => "GET, PUT",
            Methods::Delete => "DELETE",
        }
    }
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
        message_en: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                error: ErrorDetail {
                    code: code.to_string(),
                    message: message.into(),
                    message_en: message_en.into(),
                    field: field.map(str::to_string),
                    problems: Box::default(),
                },
            },
            retry_after: None,
            allow: None,
        }
    }

    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what_zh}不存在"),
            format!("{what_en} not found"),
            None,
        )
    }

    pub fn malformed_json(detail: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "请求体不是合法的 JSON，请检查括号、引号和逗号".to_string(),
            format!("the body is not valid JSON: {detail}"),
            None,
        )
    }

    /// A query parameter refused: a Chinese message for people, an English one, the parameter.
    pub fn bad_query(zh: &str, en: &str, field: Option<&str>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("查询参数有误：{zh}"),
            format!("invalid query parameters: {en}"),
            field,
        )
    }

    /// What the framework's query or path parser refused: no parser text in the Chinese.
    pub fn unreadable_query(detail: impl std::fmt::Display) -> Self {
        ApiError::bad_query(
            "请检查各参数的取值（数字、日期 YYYY-MM-DD、代码）",
            &detail.to_string(),
            None,
        )
    }
}

impl ApiError {
    pub fn unauthorized(code: &str) -> Self {
        let (zh, en) = match code {
            "missing_token" => (
                "需要登录：请在 Authorization 头中提供 Bearer 令牌",
                "a bearer token is required (Authorization: Bearer …)",
            ),
            "malformed_token" => (
                "Authorization 头格式错误，应为 Bearer pst_…",
                "malformed Authorization header; expected Bearer pst_…",
            ),
            _ => ("令牌无效或已被吊销", "the token is invalid or revoked"),
        };
        ApiError::new(StatusCode::UNAUTHORIZED, code, zh, en, None)
    }

    pub fn forbidden(role: Role, allowed: &[Role]) -> Self {
        let allowed: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "角色 {} 无权执行此操作（需要：{}）",
                role.as_str(),
                allowed.join("、")
            ),
            format!(
                "role `{}` may not do this (needs one of: {})",
                role.as_str(),
                allowed.join(", ")
            ),
            None,
        )
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("请求过于频繁，请 {retry_after} 秒后再试"),
            format!("too many requests; retry in {retry_after} s"),
            None,
        );
        e.retry_after =
            std::num::NonZeroU16::new(u16::try_from(retry_after.max(1)).unwrap_or(u16::MAX));
        e
    }

    /// The log (or the token store) cannot be reached: no answer is given without a log entry.
    pub fn unavailable(detail: &str) -> Self {
        tracing::error!("storage unavailable: {detail}");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "log_unavailable",
            "监察日志暂时无法写入，本次查询未作答复，请稍后重试",
            "the supervision log cannot be written; no answer was given; retry later",
            None,
        )
    }
}

impl From<&CalcError> for ApiError {
    fn from(e: &CalcError) -> Self {
        let status = if e.not_found {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        ApiError::new(
            status,
            e.code,
            e.message.clone(),
            e.message_en.clone(),
            e.field.as_deref(),
        )
    }
}

/// No answer without its log entry: a decision that cannot be logged is a 503.
impl From<crate::supervision::writer::LogError> for ApiError {
    fn from(e: crate::supervision::writer::LogError) -> Self {
        ApiError::unavailable(&e.to_string())
    }
}

impl From<crate::decide::DecideError> for ApiError {
    fn from(e: crate::decide::DecideError) -> Self {
        match e {
            crate::decide::DecideError::Refused(e) => ApiError::from(&e),
            crate::decide::DecideError::OutOfScope(e) => ApiError {
                status: StatusCode::FORBIDDEN,
                ..ApiError::from(&e)
            },
            crate::decide::DecideError::Log(e) => ApiError::from(e),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body.error.code)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        if let Some(s) = self.retry_after {
            r.insert_header((actix_web::http::header::RETRY_AFTER, s.to_string()));
        }
        if let Some(allow) = self.allow {
            r.insert_header((actix_web::http::header::ALLOW, allow.header()));
        }
        r.json(&self.body)
    }
}
