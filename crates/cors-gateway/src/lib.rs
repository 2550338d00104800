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
//! Floors, top to bottom; a module uses only the floors below its own (checked by
//! `scripts/module-graph`), and any of them the `cors` library:
//!
//! 1. `gateway`: [`Gateway`] — threads, listeners, HTTP/2 hand-off, admin endpoint, shutdown.
//! 2. `h1`: the HTTP/1.x server; `reload`: SIGHUP and file changes; `demo`: the built-in demo.
//! 3. `proxy`: routing, the policy's decision, forwarding, the gateway's own answers.
//! 4. `upstream`: the upstream client and its per-worker pools; [`lint`]: either kind of file.
//! 5. `body`: request bodies of both servers; [`config`]: the gateway file, validated;
//!    `metrics`: counters and histograms.
//! 6. [`wire`]: HTTP/1.x bytes — framing, the chunked codec, the request-head parser, the
//!    hop-by-hop rules; nothing of CORS, tested and fuzzed alone. [`diag`]: diagnostics of
//!    TOML files and the policy-table linter. `timer`, `busy_poll`, `worker`: per-connection
//!    timers, busy polling, the worker index. `h2in`: HTTP/2 connections' inbound frames,
//!    inspected before h2 reads them (pseudo-header fields in trailers, RFC 9113 §8.1).

/// `AsyncWrite` for a wrapper of the connection that changes only what is read: every write goes
/// straight to its `io` field. `write_through!([generics] Type)`.
macro_rules! write_through {
    ([$($gen:tt)*] $t:ty) => {
        impl<$($gen)*> tokio::io::AsyncWrite for $t {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                b: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.get_mut().io).poll_write(cx, b)
            }
            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
            }
            fn is_write_vectored(&self) -> bool {
                self.io.is_write_vectored()
            }
            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.get_mut().io).poll_flush(cx)
            }
            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
            }
        }
    };
}

mod body;
mod busy_poll;
pub mod config;
mod demo;
pub mod diag;
mod gateway;
mod h1;
mod h2in;
pub mod lint;
mod metrics;
mod proxy;
mod reload;
mod timer;
mod upstream;
pub mod wire;
mod worker;

pub use gateway::{Gateway, Options, ShutdownHandle, StartError};
