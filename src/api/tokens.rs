//! The tokens of the log database, cached in memory for the request path.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::{AuthFailure, Principal, parse_header, principal_of};
use crate::supervision::store::{StoreError, TokenRecord};
use crate::supervision::writer::ReadPool;

/// The tokens, cached in memory and re-read at most every few seconds, so that a token created
/// or revoked from the command line takes effect on a running server within that time.
pub struct Tokens {
    pool: Arc<ReadPool>,
    cache: Mutex<(Option<Instant>, HashMap<String, TokenRecord>)>,
}

const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);

impl Tokens {
    pub fn new(pool: Arc<ReadPool>) -> Self {
        Tokens {
            pool,
            cache: Mutex::new((None, HashMap::new())),
        }
    }

    /// Forgets the cache (after a change made through the API).
    pub fn invalidate(&self) {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).0 = None;
    }

    /// The record of a token id from the cache, or `None` when the cache must be re-read first
    /// (stale, or the id unknown and the cache older than a moment: a token just created).
    fn cached(&self, id: &str) -> Option<Option<TokenRecord>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let age = cache.0.map(|t| t.elapsed())?;
        match cache.1.get(id) {
            Some(r) if age < TOKEN_CACHE_TTL => Some(Some(r.clone())),
            None if age < Duration::from_millis(200) => Some(None),
            _ => None,
        }
    }

    /// Re-reads every token (blocking I/O: call from a blocking context).
    pub fn refresh(&self) -> Result<(), StoreError> {
        let all = self.pool.with(|s| s.tokens())?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.1 = all.into_iter().map(|t| (t.id.clone(), t)).collect();
        cache.0 = Some(Instant::now());
        Ok(())
    }

    /// Resolves a header against the cache. `Ok(None)` means the cache must be refreshed (with
    /// [`Tokens::refresh`], off the async threads) before deciding.
    pub fn authenticate_cached(&self, header: &str) -> Result<Option<Principal>, AuthFailure> {
        let (id, secret) = parse_header(header)?;
        let Some(record) = self.cached(id) else {
            return Ok(None);
        };
        principal_of(record.ok_or(AuthFailure::Invalid)?, secret).map(Some)
    }
}
