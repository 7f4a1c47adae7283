//! Request bodies: read within a size limit and a time limit, parsed strictly (issue 15).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::web;
use futures_util::{Future, Stream, StreamExt};

use super::MAX_BODY;
use super::error::ApiError;
use crate::json::{JsonRefused, parse_strict};

/// How long a request body may take to arrive: a slow sender holds a connection no longer.
/// The two large uploads (a batch of cases, a standards version) get a minute.
pub fn body_deadline(path: &str) -> Duration {
    match path {
        "/api/v1/reviews/batch" | "/api/v1/standards/versions" => Duration::from_secs(60),
        _ => Duration::from_secs(10),
    }
}

/// Puts the deadline of [`body_deadline`] on the request's body (a request without one is left
/// as it is): past it, reading the body fails with a timeout.
pub fn with_body_deadline(req: &mut ServiceRequest) {
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        return;
    }
    let timed = Deadline {
        inner: payload,
        sleep: Box::pin(actix_web::rt::time::sleep(body_deadline(req.path()))),
        expired: false,
    };
    req.set_payload(Payload::from(
        Box::pin(timed) as Pin<Box<dyn Stream<Item = Result<web::Bytes, PayloadError>>>>
    ));
}

/// A body stream that ends with a timeout error once its time is up.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<actix_web::rt::time::Sleep>>,
    expired: bool,
}

impl Stream for Deadline {
    type Item = Result<web::Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired = true;
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the body did not arrive in time",
            )))));
        }
        Poll::Pending
    }
}

/// Reads a JSON body up to [`MAX_BODY`], answering in our error shape.
pub async fn read_json(payload: web::Payload) -> Result<serde_json::Value, ApiError> {
    read_json_limited(payload, MAX_BODY).await
}

/// Reads a JSON body up to `limit` bytes, strictly (no key twice, no NUL).
pub async fn read_json_limited(
    payload: web::Payload,
    limit: usize,
) -> Result<serde_json::Value, ApiError> {
    let body = read_body_limited(payload, limit).await?;
    parse_strict(&body).map_err(|e| refused_json(&e))
}

/// The answer to a JSON text refused by [`parse_strict`]: 400 for a syntax error, 422 naming
/// the field otherwise.
pub fn refused_json(e: &JsonRefused) -> ApiError {
    match (e, e.field_error()) {
        (_, Some(field)) => ApiError::from(&field),
        (e, None) => ApiError::malformed_json(e),
    }
}

/// The body's bytes, refused past `limit` as soon as it is passed, and when it does not
/// arrive within its deadline (408).
pub async fn read_body_limited(
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| unreadable(&e))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("请求体超过 {} KiB", limit / 1024),
                format!("the body exceeds {} KiB", limit / 1024),
                None,
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn unreadable(e: &PayloadError) -> ApiError {
    let timed_out = matches!(e, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut);
    match timed_out {
        true => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            "请求体未能按时送达，请重试",
            "the body did not arrive in time",
            None,
        ),
        false => ApiError::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            "无法读取请求体".to_string(),
            format!("cannot read the body: {e}"),
            None,
        ),
    }
}
