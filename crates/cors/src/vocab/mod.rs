//! The vocabulary both sides of CORS share: origins, the Fetch header grammar, and the Fetch
//! Standard's name lists. Nothing here knows a server policy or a user agent.
//!
//! Floors, top to bottom; a module uses only the floors below its own (checked by
//! `scripts/module-graph`):
//! 1. [`preflight`]: when a request needs a preflight.
//! 2. [`origin`]: origins, parsed and serialized; [`safelist`]: the safelists and forbidden names.
//! 3. [`grammar`]: the Fetch header grammar; [`trust`]: loopback hosts and potentially trustworthy origins.

pub mod grammar;
pub mod origin;
pub mod preflight;
pub mod safelist;
pub mod trust;

pub use origin::{HeaderOrigin, Origin, OriginError};
