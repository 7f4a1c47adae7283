//! Signed-in browser sessions of the supervision pages (issue 15). The cookie holds a random
//! id, never the token; the database keeps the id's hash, the token it was opened with and its
//! expiry, so that a session ends at sign-out, at its expiry, or with its token, on every
//! instance. State-changing form posts are accepted from this site only (login CSRF).

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, web};

use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::log::with_store;
use crate::auth::{Principal, random_secret, secret_hash};
use crate::supervision::store::SessionRecord;

pub const COOKIE: &str = "pst_session";
/// The cookie of earlier releases, which held the token itself: removed at sign-in and out.
const OLD_COOKIE: &str = "pst_supervision";
/// A working day.
const LIFETIME_HOURS: i64 = 8;

/// Whether a form post comes from this site: a browser says where a post comes from
/// (`Sec-Fetch-Site`, `Origin`); a post another site made it send is refused, and so is an
/// opaque origin (`null`: a sandboxed frame, a data: page). A client that sends neither (a
/// script, not a browser) is not a CSRF vector and is let through. (The pages' referrer policy
/// is `same-origin`, so that browsers send the real origin on their own posts.)
pub fn same_origin(req: &HttpRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match header("origin") {
        None => true,
        Some(origin) => {
            let info = req.connection_info();
            origin == format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// Opens a session for `who` (ending the one the browser held, if any) and returns the cookies
/// to set (the session's, and the removal of the old token cookie).
pub async fn open(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &Principal,
) -> Result<Vec<Cookie<'static>>, ApiError> {
    close(req, state).await?;
    let id = random_secret();
    let now = chrono::Utc::now();
    let record = SessionRecord {
        id_hash: secret_hash(&id),
        token_id: who.token_id.clone(),
        created_at: now.to_rfc3339(),
        expires_at: (now + chrono::Duration::hours(LIFETIME_HOURS)).to_rfc3339(),
        ended_at: None,
    };
    with_store(state, move |s| s.insert_session(&record)).await?;
    let secure = req.connection_info().scheme() == "https";
    let cookie = Cookie::build(COOKIE, id)
        .path("/supervision")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::hours(LIFETIME_HOURS))
        .finish();
    Ok(vec![cookie, removal(OLD_COOKIE)])
}

/// The holder of the request's session: `None` without a cookie, or when the session is
/// unknown, ended, expired, or its token revoked.
pub async fn holder(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Option<Principal>, ApiError> {
    let Some(id) = req.cookie(COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    let hash = secret_hash(&id);
    let Some(session) = with_store(state, move |s| s.session(&hash)).await? else {
        return Ok(None);
    };
    let live = session.ended_at.is_none()
        && chrono::DateTime::parse_from_rfc3339(&session.expires_at)
            .is_ok_and(|t| t > chrono::Utc::now());
    if !live {
        return Ok(None);
    }
    let st = state.clone();
    let who = web::block(move || st.tokens.holder(&session.token_id))
        .await
        .map_err(|e| ApiError::unavailable(&e.to_string()))?
        .map_err(|e| ApiError::unavailable(&e.0))?;
    if let Some(p) = &who {
        state
            .limiter
            .check(&p.token_id)
            .map_err(ApiError::rate_limited)?;
    }
    Ok(who)
}

/// Ends the request's session (if any) and returns the cookies that remove it.
pub async fn close(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Vec<Cookie<'static>>, ApiError> {
    if let Some(id) = req.cookie(COOKIE).map(|c| c.value().to_string()) {
        let hash = secret_hash(&id);
        let at = chrono::Utc::now().to_rfc3339();
        with_store(state, move |s| s.end_session(&hash, &at)).await?;
    }
    Ok(vec![removal(COOKIE), removal(OLD_COOKIE)])
}

fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build(name, "").path("/supervision").finish();
    c.make_removal();
    c
}
