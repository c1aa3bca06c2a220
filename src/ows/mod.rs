//! What every OGC web service shares: key-value-pair request parsing.

mod kvp;

pub use kvp::Kvp;
