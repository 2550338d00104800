//! The vocabulary both sides of CORS share: origins, the Fetch header grammar, and the Fetch
//! Standard's name lists. Nothing here knows a server policy or a user agent.

pub mod grammar;
pub mod origin;
pub mod preflight;
pub mod safelist;
pub mod trust;

pub use origin::{HeaderOrigin, Origin, OriginError};
