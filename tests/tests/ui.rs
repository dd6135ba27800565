//! Compile-time behaviour of the macros (trybuild): what compiles and runs (`ui/pass`), and
//! the one diagnostic each mistake gives (`ui/fail/*.stderr`).
//!
//! The pass cases are also run: each applies its sandbox to its own process and asserts
//! inside it. Regenerate the expected messages with `TRYBUILD=overwrite cargo test -p
//! extrasafe-tests --test ui`, then read every `.stderr` before keeping it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
