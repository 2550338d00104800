//! Browser profiles: the standard's behaviour, and each engine's documented deviations from it.
//! Every deviation is a named switch here, so the engine's code reads as the spec plus a list.

/// Which browser's CORS engine to predict.
///
/// `Spec` follows the Fetch Standard. The others carry the deviations documented on
/// [`Deviations`]: Chromium's were observed in headless Chromium 156 and Firefox's in headless
/// Firefox ESR 153 by the differential tests (`crates/cors/tests/agent_chromium.rs`,
/// `agent_firefox.rs`; each listed, with what was seen, in `browser-tests/known-differences.json`
/// and `docs/browser-differences.md`). Safari's were observed in WebKitGTK 2.50 (`agent_webkit.rs`).
///
/// ```
/// use cors::agent::Profile;
/// assert_eq!(Profile::Chromium.deviations().max_age_cap, Some(7200));
/// assert_eq!(Profile::Spec.deviations().max_age_cap, None);
/// // Firefox's preflight cache matches the credentials flag exactly (observed in ESR 153).
/// assert!(Profile::Firefox.deviations().cache_exact_credentials);
/// assert_eq!(Profile::parse("safari"), Some(Profile::Safari));
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The Fetch Standard, with no imposed max-age limit.
    #[default]
    Spec,
    /// Chromium (Chrome, Edge, Opera…).
    Chromium,
    /// Firefox (Gecko).
    Firefox,
    /// Safari (WebKit).
    Safari,
}

/// How an engine turns `Access-Control-Max-Age` into a lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxAgeRule {
    /// Fetch `#cors-preflight-fetch` steps 8–10: `delta-seconds`, else 5 s (failure or absent).
    Spec,
    /// Chromium `preflight_result.cc`: an `int64` (sign allowed); unparsable → 5 s; negative → 0.
    Chromium,
    /// Gecko `nsCORSListenerProxy.cpp`: absent → 5 s; any non-digit → not cached at all.
    Firefox,
}

/// How the preflight cache stores a successful preflight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CacheModel {
    /// Fetch `#concept-cache`: one entry per allowed method and per allowed header name;
    /// later preflights add to (or refresh) the entries of earlier ones.
    PerEntry,
    /// One result per (origin, URL) that each new preflight replaces whole (Chromium's
    /// `PreflightCache::AppendEntry`); a failed request does not clear it.
    ReplacePerUrl,
}

/// The switches a [`Profile`] sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deviations {
    /// The imposed limit on max-age in seconds (`None`: none).
    pub max_age_cap: Option<u64>,
    /// How `Access-Control-Max-Age` is parsed.
    pub max_age_rule: MaxAgeRule,
    /// The method check compares the *uppercased* request method with the allowed methods
    /// (Chromium: `fetch(u, {method: "patch"})` passes `Access-Control-Allow-Methods: PATCH`).
    pub method_check_uppercases: bool,
    /// Duplicate request headers are combined (`, `) into one before the safelist checks
    /// (Blink and WebKit keep a map from name to combined value; the spec keeps each entry).
    pub combine_request_headers: bool,
    /// Extra request-header names the engine treats as CORS-safelisted (lowercase).
    pub extra_safelisted_request_headers: &'static [&'static str],
    /// The `Range` request-header is never CORS-safelisted.
    pub range_never_safelisted: bool,
    /// How a successful preflight is cached.
    pub cache_model: CacheModel,
    /// The preflight cache is cleared when a preflighted request fails (spec `#main-fetch`).
    pub clear_cache_on_failure: bool,
    /// `Access-Control-Allow-Headers: *` (without credentials) also covers `Authorization` in the
    /// preflight response check (not in the cache lookup). Observed in Chromium 156 (scenario
    /// pf-acah-star-authorization); the spec says `*` never covers it (#cors-preflight-fetch step 7.6).
    pub wildcard_covers_authorization: bool,
    /// The network stack re-serializes a `Range` header it can parse (`bytes = 0-1` goes out as
    /// `bytes=0-1`), after the CORS decision was taken on the script's value. Observed in
    /// Chromium 156 (scenario cls-range-spaces).
    pub reserializes_range: bool,
    /// A `Content-Type` value that is a comma list must be safelisted by its last element too
    /// (Gecko reads a list of media types and keeps the last): `text/plain;` and
    /// `application/json` combined into one value need a preflight. Observed in Firefox 153
    /// (scenario cls-ct-duplicate-semicolon, where Chromium sends no preflight).
    pub content_type_last_of_list: bool,
    /// A cache entry serves only requests with the same credentials flag; the spec lets a
    /// credentialed entry serve a request without credentials (#concept-cache-match). Observed in
    /// Firefox 153 (scenario cache-cred-then-omit).
    pub cache_exact_credentials: bool,
    /// A cached `*` method or header name serves other methods and names (spec
    /// #concept-cache-match, `*` without credentials). Off in Firefox 153, whose cache compares
    /// the names only (scenarios cache-method-star, cache-header-star).
    pub cache_wildcards: bool,
    /// Once a fetch was preflighted, every redirect hop is preflighted again, as if the
    /// use-CORS-preflight flag were set (a POST turned into a GET by a 303 still gets a
    /// preflight). Observed in Firefox 153 (scenario rd-post-303).
    pub preflight_sticky_across_redirects: bool,
    /// After a cross-origin redirect taints the origin, the preflight still carries (and is
    /// checked and cached against) the page's origin; only the actual request says `null`.
    /// Observed in Firefox 153 (scenarios rd-preflighted-to-c, rd-auth-dropped).
    pub preflight_origin_untainted: bool,
    /// A redirected preflight response gets its CORS check before the redirect is refused, so
    /// its failure names the check (`Access-Control-Allow-Origin` missing) rather than the
    /// redirect. Observed in Firefox 153 (scenario pf-redirect-302-no-acao).
    pub preflight_redirect_checked_first: bool,
    /// A preflight response's status is checked before its CORS check, so a 500 without
    /// `Access-Control-Allow-Origin` fails as a bad status (spec #cors-preflight-fetch step 7
    /// runs the CORS check first). Observed in WebKitGTK 2.50 (scenario pf-status-500-no-acao).
    pub preflight_status_checked_first: bool,
    /// A cached `*` header-name entry serves `Authorization` too (the spec's #concept-cache-match
    /// never lets `*` match a CORS non-wildcard request-header name). Observed in WebKitGTK 2.50
    /// (scenario cache-header-star-authorization).
    pub cache_wildcard_covers_authorization: bool,
    /// The preflight of a redirect hop lists the headers of the request as script made it, not
    /// the headers the redirect left (a 303 drops `Content-Type`, a cross-origin hop
    /// `Authorization`, and the preflight still names them). Observed in WebKitGTK 2.50
    /// (scenarios rd-post-303, rd-auth-dropped).
    pub redirect_preflight_lists_original_headers: bool,
    /// WebKit's reading of a simple `Range` value (WebCore `isSimpleRangeHeaderValue`): the unit
    /// `bytes` in any letter case, a `+` before a number, and trailing vertical tab or form feed
    /// accepted, where the standard (#simple-range-header-value) takes `bytes`, digits and
    /// nothing else. Observed in WebKitGTK 2.50 (sweeps sw-range-unit-title, sw-range-plus,
    /// sw-byte-range-0b).
    pub range_webkit_parse: bool,
    /// Bytes 0x80–0xFF of a script's header value go out UTF-8 encoded (two bytes each): the
    /// network stack takes the value as Latin-1 text. Observed in WebKitGTK 2.50 (libsoup;
    /// sweeps sw-byte-accept-80…ff); the CORS decision is taken on the script's bytes.
    pub wire_high_bytes_utf8: bool,
    /// `Accept` with a byte 0x80–0xFF is not safelisted (the standard's CORS-unsafe
    /// request-header bytes do not include them, #cors-unsafe-request-header-byte). Observed in
    /// Firefox 153 (sweeps sw-byte-accept-80…ff).
    pub accept_ascii_only: bool,
    /// The network stack rewrites a `Range` value it can parse as one range (Chromium's
    /// `HttpUtil::ParseRangeHeader`: unit in any case, whitespace, `+`, leading zeros, a trailing
    /// comma, a negative end read as none) into `bytes=S-E` after the CORS decision. Observed
    /// in Chromium 156 (scenario cls-range-spaces, sweeps sw-range-*).
    pub reserializes_range_chromium_net: bool,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 4] = [
        Profile::Spec,
        Profile::Chromium,
        Profile::Firefox,
        Profile::Safari,
    ];

    /// The profile's name: `spec`, `chromium`, `firefox`, `safari`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Spec => "spec",
            Profile::Chromium => "chromium",
            Profile::Firefox => "firefox",
            Profile::Safari => "safari",
        }
    }

    /// Parses a profile name (`chrome` is accepted for `chromium`, `webkit` for `safari`).
    pub fn parse(s: &str) -> Option<Profile> {
        Some(match s.to_ascii_lowercase().as_str() {
            "spec" | "standard" => Profile::Spec,
            "chromium" | "chrome" => Profile::Chromium,
            "firefox" | "gecko" => Profile::Firefox,
            "safari" | "webkit" => Profile::Safari,
            _ => return None,
        })
    }

    /// The deviations this profile carries.
    pub fn deviations(self) -> Deviations {
        let spec = Deviations {
            max_age_cap: None,
            max_age_rule: MaxAgeRule::Spec,
            method_check_uppercases: false,
            combine_request_headers: false,
            extra_safelisted_request_headers: &[],
            range_never_safelisted: false,
            cache_model: CacheModel::PerEntry,
            clear_cache_on_failure: true,
            wildcard_covers_authorization: false,
            reserializes_range: false,
            content_type_last_of_list: false,
            cache_exact_credentials: false,
            cache_wildcards: true,
            preflight_sticky_across_redirects: false,
            preflight_origin_untainted: false,
            preflight_redirect_checked_first: false,
            preflight_status_checked_first: false,
            cache_wildcard_covers_authorization: false,
            redirect_preflight_lists_original_headers: false,
            range_webkit_parse: false,
            wire_high_bytes_utf8: false,
            accept_ascii_only: false,
            reserializes_range_chromium_net: false,
        };
        match self {
            Profile::Spec => spec,
            Profile::Chromium => Deviations {
                // services/network/cors/preflight_result.cc: kMaxTimeout = 2 h.
                max_age_cap: Some(7200),
                max_age_rule: MaxAgeRule::Chromium,
                // Not observed: Chromium 156 compares the method byte for byte, as the spec
                // says (`patch` fails `Access-Control-Allow-Methods: PATCH`; scenario
                // pf-acam-patch-upper-for-lower). Older Chromium uppercased it.
                method_check_uppercases: false,
                combine_request_headers: true,
                extra_safelisted_request_headers: CHROMIUM_EXTRA_SAFELISTED,
                cache_model: CacheModel::ReplacePerUrl,
                clear_cache_on_failure: false,
                wildcard_covers_authorization: true,
                reserializes_range: true,
                reserializes_range_chromium_net: true,
                ..spec
            },
            // Observed in headless Firefox ESR 153 by the differential test
            // (`crates/cors/tests/agent_firefox.rs`; browser-tests/known-differences.json).
            Profile::Firefox => Deviations {
                // nsCORSListenerProxy.cpp AddResultToCache: std::min(age, 86400U).
                max_age_cap: Some(86400),
                // Observed: `-1`, `abc`, `1.5` and two lines are not cached at all.
                max_age_rule: MaxAgeRule::Firefox,
                // Observed: two 100-byte Accept entries get a preflight (cls-accept-two-100).
                combine_request_headers: true,
                content_type_last_of_list: true,
                // The pref network.cors_preflight.authorization_covered_by_wildcard is still on
                // (with a console warning): pf-acah-star-authorization passes.
                wildcard_covers_authorization: true,
                cache_exact_credentials: true,
                cache_wildcards: false,
                preflight_sticky_across_redirects: true,
                preflight_origin_untainted: true,
                preflight_redirect_checked_first: true,
                // Observed: Accept with a byte 0x80–0xFF is preflighted (sw-byte-accept-e9).
                accept_ascii_only: true,
                ..spec
            },
            // Observed in WebKitGTK 2.50 (Debian's, libsoup) by the differential test
            // (`crates/cors/tests/agent_webkit.rs`; browser-tests/known-differences.json, which
            // also names where Safari's network stack, CFNetwork, may differ).
            Profile::Safari => Deviations {
                // WebCore CrossOriginPreflightResultCache.cpp: maxPreflightCacheTimeout = 600 s.
                max_age_cap: Some(600),
                // Observed: `-1` is not cached (cache-max-age-negative); `abc`, `1.5` get 5 s.
                max_age_rule: MaxAgeRule::Chromium,
                // WebCore's HTTPHeaderMap combines duplicates before the safelist checks
                // (cls-accept-two-100, cls-ct-duplicate-semicolon).
                combine_request_headers: true,
                // Observed: `Range: bytes=0-` and `bytes=100-200` go without a preflight
                // (cls-range-open, cls-range-closed), as the standard says.
                range_never_safelisted: false,
                // Observed: pf-acah-star-authorization passes, and a cached `*` serves
                // Authorization (cache-header-star-authorization).
                wildcard_covers_authorization: true,
                cache_wildcard_covers_authorization: true,
                // Observed: a new preflight replaces the URL's entry (cache-method-entries,
                // cache-header-entries); a failed request leaves it (cache-cleared-on-failure).
                cache_model: CacheModel::ReplacePerUrl,
                clear_cache_on_failure: false,
                preflight_sticky_across_redirects: true,
                redirect_preflight_lists_original_headers: true,
                preflight_status_checked_first: true,
                // Observed in the sweeps: `Bytes=0-1`, `bytes=+0-1` go without a preflight;
                // `é` goes out as C3 A9.
                range_webkit_parse: true,
                wire_high_bytes_utf8: true,
                ..spec
            },
        }
    }
}

/// Request-header names Chromium safelists beyond the standard's five, when their value has
/// the expected shape (`services/network/public/cpp/cors/cors.cc` `IsCorsSafelistedHeader`).
/// `rtt`, `downlink`, `ect` and `user-agent` were found by the name sweeps (sw-name-*) in
/// Chromium 156.
pub const CHROMIUM_EXTRA_SAFELISTED: &[&str] = &[
    "device-memory",
    "downlink",
    "dpr",
    "ect",
    "rtt",
    "save-data",
    "user-agent",
    "viewport-width",
    "width",
];

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
