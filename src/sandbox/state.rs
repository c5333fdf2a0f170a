//! Shared state: the simulated clock, the in-memory store and its pagination cursors.
//!
//! State is computed lazily: nothing runs in the background. Each request first advances
//! the sessions it touches to "now" on the simulated clock, so a test that sleeps sees the
//! same transitions as a client that polls, and nothing happens between requests that a
//! request could not observe.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::envelope::ApiError;
use super::faults::Faults;
use super::idempotency::Keys;
use super::production::SessionQuirks;
use super::session::Session;
use super::video::Video;

/// How long media URLs stay valid unless a fault switch says otherwise.
pub(crate) const DEFAULT_MEDIA_TTL_SECS: i64 = 3600;

/// Simulated time: seconds since the sandbox started, multiplied by the time scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    origin: Instant,
    origin_unix: f64,
    scale: f64,
}

impl Clock {
    pub fn new(scale: f64) -> Self {
        Self {
            origin: Instant::now(),
            origin_unix: unix_now_f64(),
            scale,
        }
    }

    pub fn now(&self) -> f64 {
        self.origin.elapsed().as_secs_f64() * self.scale
    }

    /// Wall-clock unix seconds at which a simulated instant happened (or will).
    pub fn unix_at(&self, sim: f64) -> i64 {
        (self.origin_unix + sim / self.scale).floor() as i64
    }
}

pub(crate) fn unix_now() -> i64 {
    unix_now_f64().floor() as i64
}

fn unix_now_f64() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub clock: Clock,
    /// Set when the server was bound by `Sandbox::start`; otherwise media URLs are built
    /// from the request's `Host` header.
    pub base_url: Option<String>,
    pub requests: AtomicU64,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    stats: Mutex<BTreeMap<String, u64>>,
    idempotency: Mutex<Keys>,
}

impl Shared {
    pub fn new(scale: f64, base_url: Option<String>) -> Self {
        let clock = Clock::new(scale);
        Self {
            clock,
            base_url,
            requests: AtomicU64::new(0),
            store: Mutex::new(Store::new(clock)),
            faults: Mutex::new(Faults::default()),
            stats: Mutex::new(BTreeMap::new()),
            idempotency: Mutex::new(Keys::default()),
        }
    }

    /// The store, advanced to the current simulated time. Never hold it across an await.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        store.now = self.clock.now();
        store
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn idempotency(&self) -> MutexGuard<'_, Keys> {
        self.idempotency.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a `/v3` request; returns its number (1-based).
    pub fn count_request(&self, route: String) -> u64 {
        let number = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        *stats.entry(route).or_default() += 1;
        number
    }

    pub fn stats(&self) -> BTreeMap<String, u64> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// An uploaded file; usable as a `{"type":"asset_id"}` input once `bytes` is set and,
/// for direct uploads, `complete` was called.
#[derive(Debug)]
pub(crate) struct Asset {
    pub id: String,
    pub name: String,
    pub mime_type: String,
    pub bytes: Option<Vec<u8>>,
    pub completed: bool,
    /// Direct uploads: the size the upload URL was "signed" for, and the header secret.
    pub declared_size: u64,
    pub upload_token: String,
}

/// A generated storyboard image.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub id: String,
    pub session_id: String,
    pub scene: usize,
    pub scenes: usize,
    pub text: String,
    pub revision: u32,
    pub portrait: bool,
    pub created_at: i64,
}

/// Where a page ends; `scope` ties a token to the list that issued it.
#[derive(Debug, Clone)]
struct PageCursor {
    scope: String,
    after_key: u64,
}

#[derive(Debug)]
pub(crate) struct Store {
    pub clock: Clock,
    /// Simulated now, refreshed each time the lock is taken.
    pub now: f64,
    counter: u64,
    pub sessions: HashMap<String, Session>,
    pub videos: HashMap<String, Video>,
    pub resources: HashMap<String, Resource>,
    pub assets: HashMap<String, Asset>,
    /// Production behaviours the fault switches turned on for particular sessions.
    pub quirks: SessionQuirks,
    tokens: HashMap<String, PageCursor>,
}

impl Store {
    fn new(clock: Clock) -> Self {
        Self {
            clock,
            now: 0.0,
            counter: 0,
            sessions: HashMap::new(),
            videos: HashMap::new(),
            resources: HashMap::new(),
            assets: HashMap::new(),
            quirks: SessionQuirks::default(),
            tokens: HashMap::new(),
        }
    }

    pub fn unix_now(&self) -> i64 {
        self.clock.unix_at(self.now)
    }

    /// A fresh id with a readable prefix; the counter doubles as creation order.
    pub fn next_id(&mut self, prefix: &str) -> (String, u64) {
        self.counter += 1;
        (format!("sbx_{prefix}_{:06}", self.counter), self.counter)
    }

    /// One page of `items`, which must be in display order with strictly decreasing keys.
    /// Returns the page and the token for the next one.
    pub fn paginate<T>(
        &mut self,
        scope: &str,
        items: Vec<(u64, T)>,
        limit: usize,
        token: Option<&str>,
    ) -> Result<(Vec<T>, Option<String>), ApiError> {
        let after = match token {
            None => None,
            Some(token) => match self.tokens.get(token) {
                Some(cursor) if cursor.scope == scope => Some(cursor.after_key),
                _ => {
                    return Err(ApiError::invalid(
                        "token",
                        "Invalid pagination token: pass the next_token of a previous \
                         response from this same list.",
                    ));
                }
            },
        };
        let mut rest = items
            .into_iter()
            .filter(|(key, _)| after.is_none_or(|after| *key < after))
            .peekable();
        let mut page = Vec::new();
        let mut last_key = None;
        while page.len() < limit {
            let Some((key, item)) = rest.next() else {
                break;
            };
            last_key = Some(key);
            page.push(item);
        }
        let next_token = match (rest.peek(), last_key) {
            (Some(_), Some(after_key)) => {
                self.counter += 1;
                // Opaque to clients; the map makes any token we did not issue invalid.
                let token = format!("pg{:x}{:04x}", self.counter, after_key % 0xffff);
                self.tokens.insert(
                    token.clone(),
                    PageCursor {
                        scope: scope.to_string(),
                        after_key,
                    },
                );
                Some(token)
            }
            _ => None,
        };
        Ok((page, next_token))
    }
}
