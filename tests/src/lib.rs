//! Cross-crate integration tests of extrasafe (the runtime together with its macros).
