//! # cors — CORS on both sides of the wire
//!
//! A sans-IO implementation of the CORS protocol of the WHATWG Fetch Standard. Floors, top to
//! bottom; a module uses only the floors below its own (checked by `scripts/module-graph`):
//!
//! 1. [`tower`]: the policy as a `tower::Layer` for axum, hyper and tonic (feature `tower`, on
//!    by default).
//! 2. [`agent`]: the user-agent side — what a browser does with a cross-origin request, step
//!    by step, with the browser's own error names and messages. [`policy`]: the server side —
//!    a policy, validated once, that decides which CORS headers a response carries. Neither
//!    uses the other.
//! 3. [`vocab`]: what both sides share — origins, the Fetch header grammar, the safelists and
//!    forbidden names, loopback and trustworthy hosts.
//!
//! Nothing in this crate opens a socket, spawns a task or reads a clock.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agent;
pub mod policy;
#[cfg(feature = "tower")]
pub mod tower;
pub mod vocab;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use policy::{Decision, Outcome, Policy, PolicyConfig};
pub use vocab::Origin;
