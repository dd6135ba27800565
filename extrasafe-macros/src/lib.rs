//! Procedural macros for extrasafe.
//!
//! This crate is re-exported by `extrasafe`; depend on `extrasafe`, not on it directly. Its
//! macros, `#[extrasafe::main]` and `extrasafe!`, are not part of this release yet: the crate
//! exports nothing so far.
