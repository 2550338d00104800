//! The CORS gateway behind `cors serve`, as a library: a reverse proxy that puts a CORS policy
//! in front of any HTTP upstream, per route, from one TOML file.
//!
//! ```no_run
//! # async fn example() -> Result<(), cors_gateway::StartError> {
//! use cors_gateway::{Gateway, Options};
//! let gateway = Gateway::from_file("gateway.toml", Options::default()).await?;
//! print!("{}", gateway.banner());
//! gateway.run().await // until gateway.shutdown_handle().shutdown()
//! # }
//! ```
//!
//! The CORS work is the `cors` library's: each route's [`cors::policy::Policy`] decides and
//! writes the headers. This crate owns sockets, TLS, HTTP/1.x (its own server and upstream
//! client) and HTTP/2 (hyper), limits, reloads, metrics and shutdown.
//!
//! Floors, each using only those below it (`scripts/module-graph` checks there is no circle):
//!
//! - [`wire`]: HTTP/1.x bytes — framing, the chunked codec, the request-head parser, the
//!   hop-by-hop rules. Nothing of CORS; tested and fuzzed alone.
//! - [`diag`]: diagnostics of TOML files and the policy-table linter; [`config`]: the gateway
//!   file on it; [`lint`]: either kind of file.
//! - `timer`, `busy_poll`, `worker`, `body`, `metrics`, `upstream` (the upstream client),
//!   `proxy` (routing, the policy's decision, forwarding), `h1` (the HTTP/1.x server),
//!   `reload`, `demo`.
//! - [`Gateway`]: threads, listeners, HTTP/2 hand-off, admin endpoint, shutdown.

mod body;
mod busy_poll;
pub mod config;
mod demo;
pub mod diag;
mod gateway;
mod h1;
pub mod lint;
mod metrics;
mod proxy;
mod reload;
mod timer;
mod upstream;
pub mod wire;
mod worker;

pub use gateway::{Gateway, Options, ShutdownHandle, StartError};
