pub mod agent;
pub mod vocab;
