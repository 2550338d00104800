//! What a request copied from DevTools adds to `cors check` and `cors explain`: the flags that
//! take the copy (`--curl`, `--fetch`, `--har`) and the `imported` member of the report. The
//! copies are read in `crate::devtools`, which sits above `check` and `explain`; only this data
//! lives here, so both reports can carry it.

use serde::Serialize;

/// The inputs from DevTools, shared by `check` and `explain`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DevtoolsArgs {
    /// The request as DevTools' "Copy as cURL" gives it (bash or cmd quoting, Chromium or
    /// Firefox): the URL, method, headers, cookies and body come from it.
    #[arg(long, value_name = "COMMAND", conflicts_with_all = ["fetch", "har"])]
    pub curl: Option<String>,

    /// The request as DevTools' "Copy as fetch" gives it: `fetch("url", {…})`.
    #[arg(long, value_name = "CODE", conflicts_with = "har")]
    pub fetch: Option<String>,

    /// A HAR file exported from DevTools (Network panel, "Save all as HAR"): every
    /// cross-origin request in it. `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub har: Option<std::path::PathBuf>,

    /// With --har: report only the requests that failed (in the browser or in the engine).
    #[arg(long, requires = "har")]
    pub only_failures: bool,
}

/// The `imported` member of `--json`: where the request came from and what was inferred.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImportedReport {
    /// `curl`, `fetch` or `har`.
    pub from: &'static str,
    /// What was inferred and which default was taken.
    pub notes: Vec<String>,
    /// Headers left out as added by the browser.
    pub browser_headers: Vec<String>,
    /// With --har: the entries and what the browser did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub har: Option<HarFacts>,
}

/// The `imported.har` member: the entries and what the browser did.
#[derive(Clone, Debug, Serialize)]
pub struct HarFacts {
    /// Index of the request's entry in `log.entries` (from 0).
    pub entry: usize,
    /// Index of its preflight's entry, or `null`.
    pub preflight_entry: Option<usize>,
    /// `startedDateTime` of the entry.
    pub started: String,
    /// The status the HAR records (0: none).
    pub browser_status: u16,
    /// The browser blocked the request or it failed (status 0, `_error`, `_blocked_reason`).
    pub browser_blocked: bool,
    /// What the HAR says went wrong, or `null`.
    pub browser_error: Option<String>,
    /// `true` when the engine's verdict is the browser's; `false` when it differs; `null` when
    /// the HAR lacks a response the engine needs (e.g. no preflight recorded).
    pub agrees: Option<bool>,
}
