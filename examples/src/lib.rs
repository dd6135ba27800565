//! Runnable examples of extrasafe: `cargo run --example quickstart`.
