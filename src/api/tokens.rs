//! The tokens of the log database, cached in memory for the request path.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::{AuthFailure, Principal, parse_header, principal_of};
use crate::supervision::store::{StoreError, TokenRecord};
use crate::supervision::writer::ReadPool;

/// The tokens, cached in memory and re-read at most every few seconds, so that a token created
/// or revoked from the command line takes effect on a running server within that time (one
/// created or revoked through the API at once). An unknown id never causes a re-read: the
/// answer to a guessed id takes the same work as to a wrong secret (issue 15).
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

    /// The record of a token id from the cache (`Some(None)`: unknown), or `None` when the
    /// cache is stale and must be re-read first.
    fn cached(&self, id: &str) -> Option<Option<TokenRecord>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let age = cache.0.map(|t| t.elapsed())?;
        (age < TOKEN_CACHE_TTL).then(|| cache.1.get(id).cloned())
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
        match record {
            Some(record) => principal_of(record, secret).map(Some),
            None => {
                // The same hash as for a known id, so that timing does not tell ids apart.
                std::hint::black_box(crate::auth::secret_hash(secret));
                Err(AuthFailure::Invalid)
            }
        }
    }

    /// The holder of a live token by its id (a signed-in session's token), re-reading the
    /// cache when stale; `None` when the token is unknown or revoked.
    pub fn holder(&self, id: &str) -> Result<Option<Principal>, StoreError> {
        let record = match self.cached(id) {
            Some(r) => r,
            None => {
                self.refresh()?;
                self.cached(id).flatten()
            }
        };
        Ok(record.filter(|r| r.revoked_at.is_none()).and_then(|r| {
            let role = crate::auth::Role::parse(&r.role)?;
            Some(Principal {
                token_id: r.id,
                name: r.name,
                unit: r.unit,
                role,
            })
        }))
    }
}
