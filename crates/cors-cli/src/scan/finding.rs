//! What `cors scan` reports: the stable finding ids, their severities, their explanations and
//! fixes. Pure data; the judge (`judge.rs`) decides which apply, the reporters render them.

use std::fmt;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Severity {
    /// Worth knowing; not a vulnerability by itself.
    #[value(alias = "informational", alias = "note")]
    Info,
    /// A weakness that needs unusual conditions, or a broken configuration that fails closed.
    Low,
    /// Exploitable for non-credentialed data or with extra steps.
    Medium,
    /// An attacker's page can read authenticated responses after an easy step (registering a
    /// domain, a sandboxed iframe).
    High,
    /// Any page on the web can read authenticated responses.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name used in every output (`info`, `low`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The SARIF `level` (`note`, `warning`, `error`).
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Info | Severity::Low => "note",
            Severity::Medium => "warning",
            Severity::High | Severity::Critical => "error",
        }
    }

    /// The numeric `security-severity` code-scanning services read (CVSS-like, 0–10).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Info => "0.0",
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The finding ids. Their spelling is a contract (JSON, SARIF rule ids, docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingId {
    /// Any origin is echoed back.
    OriginReflected,
    /// `Origin: null` is allowed.
    NullOriginAllowed,
    /// Origins that start with the trusted origin are allowed.
    PrefixMatch,
    /// Origins that end with the trusted host, without a dot boundary, are allowed.
    SuffixMatch,
    /// A regular expression with an unescaped `.` lets `appXexample` in.
    UnescapedDot,
    /// Origins that merely contain (or are contained in) the trusted origin are allowed.
    SubstringMatch,
    /// An `http://` origin is trusted by an `https://` site.
    InsecureOriginTrusted,
    /// Origins with `_`, `!`, `` ` ``, `{`, `}`… right after the trusted host are allowed.
    SpecialCharacters,
    /// Any subdomain of the trusted host is trusted.
    ArbitrarySubdomainTrusted,
    /// `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`.
    WildcardWithCredentials,
    /// A preflight allows whatever request headers are asked for.
    PreflightReflectsHeaders,
    /// A preflight allows whatever method is asked for.
    PreflightReflectsMethods,
    /// The answer depends on `Origin` but `Vary: Origin` is missing.
    MissingVaryOrigin,
    /// Any origin is granted Private Network Access.
    PrivateNetworkOpen,
}

impl FindingId {
    /// Every id, in the order reports list them.
    pub const ALL: [FindingId; 14] = [
        FindingId::OriginReflected,
        FindingId::NullOriginAllowed,
        FindingId::PrefixMatch,
        FindingId::SuffixMatch,
        FindingId::UnescapedDot,
        FindingId::SubstringMatch,
        FindingId::InsecureOriginTrusted,
        FindingId::SpecialCharacters,
        FindingId::ArbitrarySubdomainTrusted,
        FindingId::WildcardWithCredentials,
        FindingId::PreflightReflectsHeaders,
        FindingId::PreflightReflectsMethods,
        FindingId::MissingVaryOrigin,
        FindingId::PrivateNetworkOpen,
    ];

    /// The stable id, e.g. `origin-reflected`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingId::OriginReflected => "origin-reflected",
            FindingId::NullOriginAllowed => "null-origin-allowed",
            FindingId::PrefixMatch => "prefix-match",
            FindingId::SuffixMatch => "suffix-match",
            FindingId::UnescapedDot => "unescaped-dot",
            FindingId::SubstringMatch => "substring-match",
            FindingId::InsecureOriginTrusted => "insecure-origin-trusted",
            FindingId::SpecialCharacters => "special-characters",
            FindingId::ArbitrarySubdomainTrusted => "arbitrary-subdomain-trusted",
            FindingId::WildcardWithCredentials => "wildcard-with-credentials",
            FindingId::PreflightReflectsHeaders => "preflight-reflects-headers",
            FindingId::PreflightReflectsMethods => "preflight-reflects-methods",
            FindingId::MissingVaryOrigin => "missing-vary-origin",
            FindingId::PrivateNetworkOpen => "private-network-open",
        }
    }

    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            FindingId::OriginReflected => "Any origin is reflected",
            FindingId::NullOriginAllowed => "The `null` origin is allowed",
            FindingId::PrefixMatch => "Origins are matched by prefix",
            FindingId::SuffixMatch => "Origins are matched by suffix without a dot boundary",
            FindingId::UnescapedDot => "Origins are matched by a regex with an unescaped dot",
            FindingId::SubstringMatch => "Origins are matched by substring",
            FindingId::InsecureOriginTrusted => "An http:// origin is trusted by an https:// site",
            FindingId::SpecialCharacters => {
                "Origins with special characters after the trusted host are allowed"
            }
            FindingId::ArbitrarySubdomainTrusted => "Any subdomain is trusted",
            FindingId::WildcardWithCredentials => {
                "Wildcard origin combined with credentials (browsers refuse it)"
            }
            FindingId::PreflightReflectsHeaders => "Preflight allows any requested header",
            FindingId::PreflightReflectsMethods => "Preflight allows any requested method",
            FindingId::MissingVaryOrigin => "The response varies by Origin without `Vary: Origin`",
            FindingId::PrivateNetworkOpen => "Private Network Access granted to any origin",
        }
    }

    /// Why it matters, in two or three sentences.
    pub fn description(self) -> &'static str {
        match self {
            FindingId::OriginReflected => {
                "The server copies any Origin header into Access-Control-Allow-Origin, so every \
                 web page can read its responses. With Access-Control-Allow-Credentials: true \
                 this includes the victim's authenticated data."
            }
            FindingId::NullOriginAllowed => {
                "Access-Control-Allow-Origin: null is granted to the opaque origin, which any \
                 page can adopt with a sandboxed iframe or a data: URL, so allowing `null` \
                 allows everyone."
            }
            FindingId::PrefixMatch => {
                "The allow-list check accepts origins that merely start with the trusted origin \
                 (`https://app.example.evil.test`); an attacker registers such a domain."
            }
            FindingId::SuffixMatch => {
                "The allow-list check accepts origins that merely end with the trusted host \
                 (`https://evilapp.example`); an attacker registers such a domain."
            }
            FindingId::UnescapedDot => {
                "The allow-list is a regular expression whose `.` is not escaped, so it matches \
                 any character (`https://appXexample`); such patterns are usually unanchored \
                 too, and an attacker registers a matching domain."
            }
            FindingId::SubstringMatch => {
                "The allow-list check accepts origins that contain the trusted host anywhere \
                 (`https://evilapp.example.evil.test`), or that are a substring of it \
                 (`https://app.exampl`)."
            }
            FindingId::InsecureOriginTrusted => {
                "An https:// site trusts the http:// origin of a host: a network attacker who \
                 injects script into the plain-HTTP page reads the secure site's responses."
            }
            FindingId::SpecialCharacters => {
                "The check accepts the trusted host followed by characters such as `_`, `!`, \
                 `` ` ``, `{` or `}` (`https://app.example_.evil.test`); some browsers send such \
                 origins for attacker-controlled hosts (`_` in every major browser)."
            }
            FindingId::ArbitrarySubdomainTrusted => {
                "Every subdomain of the trusted host is trusted, so an XSS or a subdomain \
                 takeover anywhere under it becomes a read of this resource. Often intended; \
                 listed so it is a decision."
            }
            FindingId::WildcardWithCredentials => {
                "Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: \
                 true is refused by browsers for credentialed requests (Fetch #cors-check), so \
                 the configuration does not do what its author intended."
            }
            FindingId::PreflightReflectsHeaders => {
                "The preflight answer lists whatever request headers were asked for, so the \
                 allowed-headers policy is no policy."
            }
            FindingId::PreflightReflectsMethods => {
                "The preflight answer lists whatever method was asked for, so any method can be \
                 sent cross-origin."
            }
            FindingId::MissingVaryOrigin => {
                "Access-Control-Allow-Origin depends on the request's Origin but the response \
                 lacks Vary: Origin, so a shared cache can serve one origin's answer to another \
                 (cache poisoning, or CORS failures for legitimate sites)."
            }
            FindingId::PrivateNetworkOpen => {
                "The server answers a Private Network Access preflight from an arbitrary public \
                 origin with Access-Control-Allow-Private-Network: true, so any web page a \
                 user visits may reach this private-network service through their browser."
            }
        }
    }

    /// How to fix it.
    pub fn fix(self) -> &'static str {
        match self {
            FindingId::OriginReflected
            | FindingId::PrefixMatch
            | FindingId::SuffixMatch
            | FindingId::SubstringMatch
            | FindingId::SpecialCharacters => {
                "Compare the Origin header byte for byte against an explicit list of trusted \
                 origins (scheme, host and port), and echo it only on an exact match; for \
                 subdomains, parse the origin and compare host labels, never strings or regexes."
            }
            FindingId::UnescapedDot => {
                "Replace the regular expression with an exact list of origins; if a pattern is \
                 unavoidable, escape every dot and anchor it at both ends (^https://app\\.example$)."
            }
            FindingId::NullOriginAllowed => {
                "Remove `null` from the allowed origins; serve sandboxed or file: content that \
                 needs access from a real origin instead."
            }
            FindingId::InsecureOriginTrusted => {
                "Trust only https:// origins on an https:// site (keep http://localhost for \
                 development builds only)."
            }
            FindingId::ArbitrarySubdomainTrusted => {
                "List the subdomains that need access instead of trusting all of them, or make \
                 sure none can host attacker content."
            }
            FindingId::WildcardWithCredentials => {
                "Either drop Access-Control-Allow-Credentials (public data: keep `*`), or \
                 replace `*` with the exact requesting origin from an allow-list and add \
                 Vary: Origin."
            }
            FindingId::PreflightReflectsHeaders => {
                "Answer preflights with a fixed Access-Control-Allow-Headers list of the \
                 headers the API uses."
            }
            FindingId::PreflightReflectsMethods => {
                "Answer preflights with a fixed Access-Control-Allow-Methods list of the \
                 methods the API uses."
            }
            FindingId::MissingVaryOrigin => {
                "Send Vary: Origin on every response whose CORS headers depend on Origin, \
                 including responses to requests without Origin (Fetch \
                 #cors-protocol-and-http-caches)."
            }
            FindingId::PrivateNetworkOpen => {
                "Send Access-Control-Allow-Private-Network: true only to the specific origins \
                 that must reach this service, after the same exact-match origin check."
            }
        }
    }

    /// Parses an id as spelled by [`FindingId::as_str`].
    #[cfg(test)]
    pub fn parse(s: &str) -> Option<FindingId> {
        FindingId::ALL.into_iter().find(|id| id.as_str() == s)
    }
}

impl fmt::Display for FindingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_contract() {
        let ids: Vec<&str> = FindingId::ALL.iter().map(|i| i.as_str()).collect();
        assert_eq!(
            ids,
            [
                "origin-reflected",
                "null-origin-allowed",
                "prefix-match",
                "suffix-match",
                "unescaped-dot",
                "substring-match",
                "insecure-origin-trusted",
                "special-characters",
                "arbitrary-subdomain-trusted",
                "wildcard-with-credentials",
                "preflight-reflects-headers",
                "preflight-reflects-methods",
                "missing-vary-origin",
                "private-network-open",
            ]
        );
        for id in FindingId::ALL {
            assert_eq!(FindingId::parse(id.as_str()), Some(id));
        }
    }

    #[test]
    fn severities_are_ordered() {
        for w in Severity::ALL.windows(2) {
            assert!(w[0] < w[1]);
        }
    }
}
