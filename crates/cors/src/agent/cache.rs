//! The CORS-preflight cache (Fetch `#concept-cache`): entries keyed by byte-serialized origin,
//! URL and credentials, one per method and per header name. Time is an argument; no clock here.

use super::profile::{CacheModel, Profile};
use crate::vocab::safelist::is_cors_non_wildcard_request_header_name;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Entry {
    origin: String,
    url: String,
    credentials: bool,
    expires: Duration,
    /// Spec model: one method or none; Chromium model: the whole allowed list.
    methods: Vec<String>,
    /// Spec model: one header name or none; Chromium model: the whole allowed list.
    headers: Vec<String>,
}

/// A preflight cache. `now` is whatever monotonic time the caller keeps (e.g. time since the
/// program started); only differences matter.
///
/// ```
/// use cors::agent::{PreflightCache, Profile};
/// use std::time::Duration;
/// let mut cache = PreflightCache::new(Profile::Spec);
/// let t0 = Duration::from_secs(100);
/// cache.store("https://a.example", "https://b.example/x", false, 10, &["PUT".into()], &["x-a".into()], t0);
/// assert!(cache.method_match("https://a.example", "https://b.example/x", false, "PUT", t0));
/// assert!(cache.header_match("https://a.example", "https://b.example/x", false, "X-A", t0 + Duration::from_secs(9)));
/// assert!(!cache.header_match("https://a.example", "https://b.example/x", false, "x-a", t0 + Duration::from_secs(10)));
/// // A non-credentialed entry never serves a credentialed request.
/// assert!(!cache.method_match("https://a.example", "https://b.example/x", true, "PUT", t0));
/// ```
///
/// It serializes with serde, so a tool can keep it between runs (`cors check --preflight-cache`);
/// store `now` on the same clock.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PreflightCache {
    model: CacheModel,
    profile: Profile,
    entries: Vec<Entry>,
}

impl PreflightCache {
    /// An empty cache behaving as `profile`'s engine does.
    pub fn new(profile: Profile) -> PreflightCache {
        PreflightCache {
            model: profile.deviations().cache_model,
            profile,
            entries: Vec::new(),
        }
    }

    /// Number of live entries at `now`.
    pub fn len(&self, now: Duration) -> usize {
        self.entries.iter().filter(|e| e.expires > now).count()
    }

    /// `true` when no entry is live at `now`.
    pub fn is_empty(&self, now: Duration) -> bool {
        self.len(now) == 0
    }

    /// Drops expired entries (`#concept-cache`: removed once max-age has passed).
    pub fn purge(&mut self, now: Duration) {
        self.entries.retain(|e| e.expires > now);
    }

    /// Fetch `#concept-cache-match`: key (origin, URL) equal, not expired, and the entry's
    /// credentials true or the request's credentials mode not `include`.
    fn matching<'a>(
        &'a self,
        origin: &'a str,
        url: &'a str,
        include: bool,
        now: Duration,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        let exact = self.profile.deviations().cache_exact_credentials;
        self.entries.iter().filter(move |e| {
            e.expires > now
                && e.origin == origin
                && e.url == url
                && (e.credentials == include || (e.credentials && !exact))
        })
    }

    /// Fetch `#concept-cache-match-method`: an entry for `method` (byte-exact) or `*`.
    /// (Chromium: the cached result allows the method under its method check.)
    pub fn method_match(
        &self,
        origin: &str,
        url: &str,
        include: bool,
        method: &str,
        now: Duration,
    ) -> bool {
        match self.model {
            CacheModel::PerEntry => {
                let wildcards = self.profile.deviations().cache_wildcards;
                self.matching(origin, url, include, now).any(|e| {
                    e.methods
                        .iter()
                        .any(|m| m == method || (wildcards && m == "*"))
                })
            }
            CacheModel::ReplacePerUrl => self
                .matching(origin, url, include, now)
                .any(|e| super::check::method_allowed(method, &e.methods, include, self.profile)),
        }
    }

    /// Fetch `#concept-cache-match-header`: an entry for `name` (case-insensitive), or `*`
    /// when `name` is not `Authorization`.
    pub fn header_match(
        &self,
        origin: &str,
        url: &str,
        include: bool,
        name: &str,
        now: Duration,
    ) -> bool {
        let d = self.profile.deviations();
        let wildcard_ok = d.cache_wildcards
            && (!is_cors_non_wildcard_request_header_name(name.as_bytes())
                || d.cache_wildcard_covers_authorization);
        self.matching(origin, url, include, now).any(|e| {
            e.headers.iter().any(|h| {
                h.eq_ignore_ascii_case(name)
                    || (h == "*" && wildcard_ok && (self.model == CacheModel::PerEntry || !include))
            })
        })
    }

    /// Stores a successful preflight (Fetch `#cors-preflight-fetch` steps 12–15): refresh or
    /// create an entry per method and per header name. A `max_age` of 0 stores nothing usable.
    #[allow(clippy::too_many_arguments)]
    pub fn store(
        &mut self,
        origin: &str,
        url: &str,
        include: bool,
        max_age: u64,
        methods: &[String],
        header_names: &[String],
        now: Duration,
    ) {
        let expires = now.saturating_add(Duration::from_secs(max_age));
        let entry = |methods: Vec<String>, headers: Vec<String>| Entry {
            origin: origin.to_string(),
            url: url.to_string(),
            credentials: include,
            expires,
            methods,
            headers,
        };
        match self.model {
            CacheModel::PerEntry => {
                for m in methods {
                    // #cors-preflight-fetch step 13: refresh a method cache entry match, else create.
                    match self.entries.iter_mut().find(|e| {
                        e.origin == origin
                            && e.url == url
                            && (e.credentials || !include)
                            && e.methods.iter().any(|x| x == m)
                    }) {
                        Some(e) => e.expires = expires,
                        None => self.entries.push(entry(vec![m.clone()], Vec::new())),
                    }
                }
                for h in header_names {
                    // Step 15: refresh a header-name cache entry match, else create.
                    match self.entries.iter_mut().find(|e| {
                        e.origin == origin
                            && e.url == url
                            && (e.credentials || !include)
                            && e.headers.iter().any(|x| x.eq_ignore_ascii_case(h))
                    }) {
                        Some(e) => e.expires = expires,
                        None => self.entries.push(entry(Vec::new(), vec![h.clone()])),
                    }
                }
            }
            CacheModel::ReplacePerUrl => {
                self.entries
                    .retain(|e| !(e.origin == origin && e.url == url));
                self.entries.push(entry(
                    methods.to_vec(),
                    header_names
                        .iter()
                        .map(|h| h.to_ascii_lowercase())
                        .collect(),
                ));
            }
        }
    }

    /// Fetch `#concept-cache-clear`: removes every entry for (origin, URL).
    pub fn clear(&mut self, origin: &str, url: &str) {
        self.entries
            .retain(|e| !(e.origin == origin && e.url == url));
    }
}
