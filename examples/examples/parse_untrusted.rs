//! Parsing untrusted input inside `extrasafe!`: the parser runs on a fresh thread that may
//! not open files, use the network or start processes, so a bug in it (or in a library it
//! uses) cannot be turned against the rest of the program. The caller stays unrestricted.
//!
//! Run it with `cargo run --example parse_untrusted`.

use std::collections::BTreeMap;

use extrasafe::builtins::BasicCapabilities;
use extrasafe::{extrasafe, ExtraSafeError, SafetyContext};

/// A `key = value` record, one per line; `#` starts a comment.
type Record = BTreeMap<String, String>;

fn parse(text: &str) -> Result<Record, String> {
    let mut record = Record::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: expected `key = value`", n + 1))?;
        // A deliberate bug, standing for the ones real parsers have: a key that is too long
        // panics.
        assert!(key.trim().len() < 32, "line {}: key too long", n + 1);
        record.insert(key.trim().to_string(), value.trim().to_string());
    }
    Ok(record)
}

/// Parses `text` in a sandbox that allows only what every thread needs.
fn parse_sandboxed(text: &str) -> Result<Result<Record, String>, ExtraSafeError> {
    extrasafe!(SafetyContext::new().enable(BasicCapabilities), {
        // In here, the parser could not read a secret even if it tried.
        let sneaky = std::fs::read_to_string("/etc/passwd");
        assert_eq!(
            sneaky.map_err(|e| e.raw_os_error()),
            Err(Some(1)),
            "opening files must fail with EPERM"
        );
        parse(text)
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let good = "name = alice # the user\nrole = admin\n";
    let record = parse_sandboxed(good)?.map_err(|e| format!("unexpected: {e}"))?;
    println!("parsed: {record:?}");
    assert_eq!(record["name"], "alice");

    let malformed = "name alice\n";
    let refused = parse_sandboxed(malformed)?;
    println!("refused: {refused:?}");
    assert!(refused.is_err());

    // A panic stays in the sandboxed thread and comes back as an error.
    let hostile = format!("{} = 1\n", "k".repeat(100));
    match parse_sandboxed(&hostile) {
        Err(e @ ExtraSafeError::Panicked { .. }) => println!("contained: {e}"),
        other => return Err(format!("expected a contained panic, got {other:?}").into()),
    }

    // The caller was never restricted.
    assert!(std::fs::metadata("/etc/passwd").is_ok());
    println!("the caller still reads files: yes");
    Ok(())
}
