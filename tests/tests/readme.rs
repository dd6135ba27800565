//! README.md's first example is `examples/examples/open_then_lock_down.rs`, which CI runs:
//! the two must not drift apart.

/// The code of the first ```` ```rust ```` block of `markdown`.
fn first_rust_block(markdown: &str) -> &str {
    let start = markdown
        .find("```rust")
        .expect("README.md has a Rust example");
    let code = &markdown[start..];
    let code = &code[code.find('\n').expect("the fence ends its line") + 1..];
    &code[..code.find("```").expect("the block is closed")]
}

#[test]
fn the_readme_leads_with_the_open_then_lock_down_example() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("read README.md");
    let example =
        std::fs::read_to_string(format!("{root}/examples/examples/open_then_lock_down.rs"))
            .expect("read the example");
    // The example's crate documentation (`//!` lines and the blank line after them) is not
    // in the README.
    let code: String = example
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .flat_map(|l| [l, "\n"])
        .collect();
    assert_eq!(first_rust_block(&readme), code);
    assert!(code.contains("allow_file_read(&config)"), "{code}");
    // It comes before the heavy features.
    let tour = readme.find(&code).expect("found above");
    for later in ["## Isolation", "## Builtins and profiles", "tokio"] {
        let at = readme
            .find(later)
            .unwrap_or_else(|| panic!("README.md mentions {later}"));
        assert!(tour < at, "the first example must come before {later}");
    }
}
