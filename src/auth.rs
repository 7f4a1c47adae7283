//! Who may do what: roles, bearer tokens (random, shown once, stored as hashes, revocable),
//! constant-time checks, and a per-token rate limit. Pure: the cache that reads the tokens
//! from the log database is `api::tokens`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::supervision::hex;
use crate::supervision::store::TokenRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Calculates.
    Inspector,
    /// Calculates, reviews cases, reads the log of their own unit.
    Reviewer,
    /// Reads and exports the whole log; supervision statistics.
    Supervisor,
    /// Manages tokens.
    Admin,
    /// Publishes and withdraws standards versions (the legal office, 法制机构).
    Publisher,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Inspector,
        Role::Reviewer,
        Role::Supervisor,
        Role::Admin,
        Role::Publisher,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inspector => "inspector",
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Publisher => "publisher",
        }
    }

    /// In Chinese, for the pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Inspector => "执法人员",
            Role::Reviewer => "法制审核人员",
            Role::Supervisor => "监督人员",
            Role::Admin => "管理员",
            Role::Publisher => "裁量基准发布人员",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A caller with a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: String,
    pub name: String,
    pub unit: String,
    pub role: Role,
}

/// Tokens look like `pst_<id>_<secret>`: the id finds the record, the secret is checked against
/// its hash in constant time.
pub const TOKEN_PREFIX: &str = "pst_";

pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// A fresh random secret (256 bits, hex): a browser session's id.
pub fn random_secret() -> String {
    random_hex(32)
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    hex(&buf)
}

/// A new token and the record to store (the token itself is never stored).
pub fn new_token(name: &str, unit: &str, role: Role) -> (String, TokenRecord) {
    let id = random_hex(6);
    let secret = random_hex(24);
    let record = TokenRecord {
        id: id.clone(),
        name: name.to_string(),
        unit: unit.to_string(),
        role: role.as_str().to_string(),
        secret_hash: secret_hash(&secret),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        revoked_at: None,
    };
    (format!("{TOKEN_PREFIX}{id}_{secret}"), record)
}

/// Equality that takes the same time wherever the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// The Authorization header is not `Bearer pst_…`.
    Malformed,
    /// Unknown, wrong or revoked token.
    Invalid,
    /// The token store could not be read.
    Unavailable(String),
}

/// Parses an `Authorization` header value into (id, secret).
pub fn parse_header(header: &str) -> Result<(&str, &str), AuthFailure> {
    // The scheme is case-insensitive (RFC 7235): `bearer`, `BEARER` are `Bearer`.
    let (scheme, token) = header
        .trim()
        .split_once(' ')
        .ok_or(AuthFailure::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthFailure::Malformed);
    }
    let token = token.trim();
    let rest = token
        .strip_prefix(TOKEN_PREFIX)
        .ok_or(AuthFailure::Malformed)?;
    let (id, secret) = rest.split_once('_').ok_or(AuthFailure::Malformed)?;
    if id.is_empty() || secret.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AuthFailure::Malformed);
    }
    Ok((id, secret))
}

/// Resolves a bare token (`pst_<id>_<secret>`) against a list of records (the command line).
pub fn authenticate_token(
    records: Vec<TokenRecord>,
    token: &str,
) -> Result<Principal, AuthFailure> {
    let header = format!("Bearer {}", token.trim());
    let (id, secret) = parse_header(&header)?;
    let record = records
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AuthFailure::Invalid)?;
    principal_of(record, secret)
}

/// The holder of a live token whose secret matches (constant-time), else `Invalid`.
pub fn principal_of(record: TokenRecord, secret: &str) -> Result<Principal, AuthFailure> {
    {
        if !constant_time_eq(
            secret_hash(secret).as_bytes(),
            record.secret_hash.as_bytes(),
        ) || record.revoked_at.is_some()
        {
            return Err(AuthFailure::Invalid);
        }
        let role = Role::parse(&record.role).ok_or(AuthFailure::Invalid)?;
        Ok(Principal {
            token_id: record.id,
            name: record.name,
            unit: record.unit,
            role,
        })
    }
}

/// A token bucket per key (token id, or the peer address for anonymous callers).
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_second = 0` turns limiting off.
    pub fn new(per_second: u32) -> Self {
        Self::with_burst(per_second as f64, (per_second as f64 * 2.0).max(1.0))
    }

    /// `per_second` refilled, up to `burst` at once; `per_second = 0` turns limiting off.
    pub fn with_burst(per_second: f64, burst: f64) -> Self {
        RateLimiter {
            per_second,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` could take one now, without taking it: `Err(seconds to wait)` if not.
    pub fn peek(&self, key: &str) -> Result<(), u64> {
        if self.per_second == 0.0 {
            return Ok(());
        }
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        match buckets.get(key) {
            Some((tokens, last)) => {
                let now =
                    (*tokens + last.elapsed().as_secs_f64() * self.per_second).min(self.burst);
                self.wait(now)
            }
            None => Ok(()),
        }
    }

    fn wait(&self, tokens: f64) -> Result<(), u64> {
        if tokens >= 1.0 {
            Ok(())
        } else {
            Err(((1.0 - tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }

    /// Takes one request's worth; `Err(seconds to wait)` when the bucket is empty.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        if self.per_second == 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            buckets.clear();
        }
        let (tokens, last) = buckets.entry(key.to_string()).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*last).as_secs_f64() * self.per_second).min(self.burst);
        *last = now;
        let taken = self.wait(*tokens);
        if taken.is_ok() {
            *tokens -= 1.0;
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_documented_shape_and_hash() {
        let (token, record) = new_token("张三", "ZHZF", Role::Inspector);
        let rest = token.strip_prefix(TOKEN_PREFIX).unwrap();
        let (id, secret) = rest.split_once('_').unwrap();
        assert_eq!(id, record.id);
        assert_eq!(secret_hash(secret), record.secret_hash);
        assert!(!record.secret_hash.contains(secret));
        let (other, _) = new_token("张三", "ZHZF", Role::Inspector);
        assert_ne!(token, other);
    }

    #[test]
    fn peek_tells_without_taking() {
        let l = RateLimiter::with_burst(0.001, 2.0);
        assert!(l.peek("a").is_ok());
        assert!(l.check("a").is_ok());
        assert!(l.peek("a").is_ok(), "one left");
        assert!(l.check("a").is_ok());
        assert!(l.peek("a").is_err(), "none left");
        assert!(l.check("a").is_err());
        assert!(l.peek("b").is_ok(), "per key");
        assert!(RateLimiter::with_burst(0.0, 0.0).peek("a").is_ok(), "off");
    }

    #[test]
    fn constant_time_eq_compares_fully() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn rate_limiter_allows_a_burst_then_refuses() {
        let rl = RateLimiter::new(5);
        for _ in 0..10 {
            assert!(rl.check("a").is_ok());
        }
        assert!(rl.check("a").is_err());
        assert!(rl.check("b").is_ok(), "buckets are per key");
        assert!(RateLimiter::new(0).check("a").is_ok());
    }

    /// RFC 7235: the scheme is case-insensitive.
    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        for h in [
            "Bearer pst_ab12_secret",
            "bearer pst_ab12_secret",
            "BEARER  pst_ab12_secret",
        ] {
            assert_eq!(parse_header(h).ok(), Some(("ab12", "secret")), "{h}");
        }
        assert!(parse_header("Basic pst_ab12_secret").is_err());
        assert!(parse_header("Bearerpst_ab12_secret").is_err());
    }
}
