//! `cors ui`: the engine on a page. A self-contained page (HTML, CSS and JavaScript embedded in
//! the binary, no external assets) served on 127.0.0.1, and a JSON API (`api.rs`) answering with
//! the objects `cors explain --json` (offline) and `cors check --json` (live: sends the
//! requests) print. `server.rs` serves both and refuses every request that is not the page's own.
//!
//! Floors, top to bottom (checked by `scripts/module-graph`):
//! 1. `server`: the listener, the same-origin and token checks, the embedded assets.
//! 2. `api`: the JSON endpoints over `explain` and `check`.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

pub mod api;
pub mod server;

const LONG_ABOUT: &str = r#"The engine on a page: compose a request, see each browser's verdict, the exchange drawn, and the fix.

`cors ui` serves a page on 127.0.0.1 (nothing else can reach it) and prints its address. Fill
in the request script makes — URL, page origin, method, headers, body, credentials, mode,
redirect — and the page shows, for Chromium, Firefox and Safari side by side: the verdict, the
console message, every reason a preflight is needed; the exchange as a sequence diagram
(preflight, answer, actual request, answer, redirects) with the failing step and header
marked; the minimal headers the server must send, with snippets (this project's policy TOML,
a `cors serve` route, the tower layer, nginx, Apache) and copy buttons.

Or paste what DevTools copied — "Copy as cURL" (bash or cmd), "Copy as fetch", a HAR file's
text — or drop a HAR file on the page: the form is filled as `cors explain --curl/--fetch/--har`
reads it. A HAR with several cross-origin requests is listed (method, URL, the status recorded,
blocked or not) for you to choose one.

Two modes:
  offline   what `cors explain` says: nothing is sent (the default)
  live      what `cors check` finds: the preflight and the request are sent to the URL, for
            real, from this machine (marked in red on the page)

The page's address ends in a permalink (#r=…) that encodes the request: share it, reload it.
A permalink never starts the live mode by itself.

The page works without a network, with the keyboard alone, at 360 px wide and on a large
screen, in light and dark colour schemes. Its API answers only the page itself: an exact
Host and Origin check and a secret token made for each run.

Examples:

  cors ui                 # then open http://127.0.0.1:8700/
  cors ui --open          # and open it in the default browser
  cors ui --port 0        # any free port (printed)"#;

/// Serve the interactive page: compose a request, see each browser's verdict and the fix.
#[derive(clap::Args, Debug)]
#[command(
    about = "Serve an interactive page on 127.0.0.1: compose a request, see each browser's verdict, the exchange and the fix",
    long_about = LONG_ABOUT
)]
pub struct UiArgs {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = 8700)]
    pub port: u16,

    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

/// Opens `url` with the desktop's opener; failure is reported, not fatal.
fn open_in_browser(url: &str) -> Result<(), String> {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot run {program}: {e}"))
}

/// Runs `cors ui`.
pub fn run(args: UiArgs) -> ExitCode {
    let fail = |msg: &str| {
        eprintln!("cors ui: {msg}");
        ExitCode::from(2)
    };
    let token = match server::new_token() {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let listener = match tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await {
            Ok(l) => l,
            Err(e) => {
                return fail(&format!(
                    "cannot listen on 127.0.0.1:{}: {e} (choose another with --port)",
                    args.port
                ));
            }
        };
        let port = match listener.local_addr() {
            Ok(a) => a.port(),
            Err(e) => return fail(&format!("cannot read the listening address: {e}")),
        };
        let host = format!("127.0.0.1:{port}");
        let site = server::Site {
            origin: format!("http://{host}"),
            host,
            token,
            client: crate::http::Client::new(crate::http::ClientOptions {
                timeout: api::CHECK_TIMEOUT,
                insecure: false,
            }),
        };
        let url = format!("{}/", site.origin);
        // Written without `println!`: a closed stdout (a parent that stopped reading) must not
        // end the server.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "cors ui: the request explorer (Ctrl-C stops it)\n  Open the page: {url}\n  Offline mode sends nothing; live mode sends the requests you compose."
        );
        let _ = out.flush();
        drop(out);
        if args.open {
            if let Err(e) = open_in_browser(&url) {
                eprintln!("cors ui: --open: {e}");
            }
        }
        tokio::select! {
            () = server::serve(listener, site) => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        // Let a response in flight go out.
        tokio::time::sleep(Duration::from_millis(10)).await;
        ExitCode::SUCCESS
    })
}
