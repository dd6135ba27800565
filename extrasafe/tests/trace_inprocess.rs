//! `extrasafe::trace::trace_closure`: the syscalls of a closure, recorded in-process with
//! seccomp user notification, and the suggested context, checked by running the same
//! closure under it (and under it less one RuleSet).
//!
//! Run with `cargo test -p extrasafe --features trace --test trace_inprocess`.

#![cfg(feature = "trace")]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;

use extrasafe::builtins::BasicCapabilities;
use extrasafe::syscalls::Sysno;
use extrasafe::trace::{trace_closure, TraceReport};
use extrasafe::SafetyContext;

fn labels(report: &TraceReport) -> Vec<&str> {
    report
        .suggestion
        .methods
        .iter()
        .map(|m| m.label.as_str())
        .collect()
}

fn data_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "extrasafe-trace-inprocess-{}-{name}",
        std::process::id()
    ));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(b"hello from a traced closure\n"))
        .expect("write the test file");
    path
}

fn read_file(path: &std::path::Path) -> std::io::Result<String> {
    let mut text = String::new();
    std::fs::File::open(path)?.read_to_string(&mut text)?;
    Ok(text)
}

fn tcp_listen() -> std::io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// Runs `workload` under the suggestion of `report`: it succeeds; then under it without the
/// suggested RuleSet `remove`: it fails.
fn round_trip<T: Send, E: std::fmt::Debug + Send>(
    report: &TraceReport,
    workload: &(dyn Fn() -> Result<T, E> + Sync),
    remove: &str,
) {
    assert!(
        report.suggestion.not_allowed.is_empty(),
        "the suggestion leaves out {:?}",
        report.suggestion.not_allowed
    );
    let ctx = report
        .suggestion
        .context(None)
        .expect("the suggested context");
    let sandboxed = ctx.run(workload).expect("the sandboxed run");
    assert!(
        sandboxed.is_ok(),
        "the workload fails under its own suggestion: {:?}\n{report}",
        sandboxed.err()
    );
    let names = report.suggestion.ruleset_names();
    assert!(names.contains(&remove), "{remove} not in {names:?}");
    let ctx = report
        .suggestion
        .context(Some(remove))
        .expect("the suggestion without one RuleSet");
    // If nothing is left, the context is what every context allows.
    let ctx = if ctx.explain().is_err() {
        SafetyContext::new()
            .enable(BasicCapabilities)
            .expect("basic")
    } else {
        ctx
    };
    let outcome = ctx.run(workload).expect("the sandboxed run");
    assert!(
        outcome.is_err(),
        "the workload still succeeds without {remove}\n{report}"
    );
}

#[test]
fn reading_a_file_reports_openat_read_close_and_suggests_systemio() {
    let path = data_file("read");
    let (text, report) = trace_closure(|| read_file(&path)).expect("trace");
    assert_eq!(text.expect("read").trim(), "hello from a traced closure");
    for s in [Sysno::openat, Sysno::read, Sysno::close] {
        assert!(report.saw(s), "{s:?} not seen:\n{report}");
    }
    let labels = labels(&report);
    for want in [
        "SystemIO::allow_open_readonly",
        "SystemIO::allow_read",
        "SystemIO::allow_close",
    ] {
        assert!(labels.contains(&want), "{want} not in {labels:?}\n{report}");
    }
    // openat, read and close are covered by SystemIO methods, not by syscalls on their own.
    let by_systemio: Vec<Sysno> = report
        .suggestion
        .methods
        .iter()
        .filter(|m| m.label.starts_with("SystemIO::"))
        .flat_map(|m| m.covers.iter().copied())
        .collect();
    for s in [Sysno::openat, Sysno::read, Sysno::close] {
        assert!(by_systemio.contains(&s), "{s:?}\n{report}");
        assert!(!report.suggestion.uncovered.contains(&s), "{report}");
    }
    assert!(report.suggestion.conflicts.is_empty(), "{report}");
    assert_eq!(report.lost, 0);
    // The readable report shows the flags of the open.
    let shown = report.to_string();
    assert!(shown.contains("openat"), "{shown}");
    assert!(shown.contains("O_RDONLY"), "{shown}");
    assert!(shown.contains("suggested context"), "{shown}");

    round_trip(&report, &|| read_file(&path), "SystemIO");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_tcp_listener_reports_socket_bind_listen_and_suggests_networking() {
    let (port, report) = trace_closure(tcp_listen).expect("trace");
    assert_ne!(port.expect("listen"), 0);
    for s in [Sysno::socket, Sysno::bind, Sysno::listen] {
        assert!(report.saw(s), "{s:?} not seen:\n{report}");
    }
    assert!(
        labels(&report)
            .iter()
            .any(|l| l.starts_with("Networking::")),
        "{report}"
    );
    assert!(report
        .suggestion
        .rust()
        .contains("extrasafe::builtins::Networking::nothing()"));
    round_trip(&report, &tcp_listen, "Networking");
}

#[test]
fn only_the_closure_is_traced_and_its_value_comes_back() {
    let (value, report) = trace_closure(|| 6 * 7).expect("trace");
    assert_eq!(value, 42);
    // No file was opened by the closure; what the harness does meanwhile is not counted.
    assert!(!report.saw(Sysno::openat), "{report}");
    assert!(!report.saw(Sysno::socket), "{report}");
}

#[test]
fn threads_the_closure_starts_are_traced_too() {
    let path = data_file("thread");
    let (text, report) = trace_closure(|| {
        std::thread::scope(|s| s.spawn(|| read_file(&path)).join().expect("join"))
    })
    .expect("trace");
    assert!(text.is_ok());
    assert!(report.saw(Sysno::openat), "{report}");
    // clone3 is answered with ENOSYS, as under extrasafe: libc falls back to clone.
    assert!(report.saw(Sysno::clone), "{report}");
    assert!(
        labels(&report).contains(&"Threads::allow_create"),
        "{report}"
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_panic_in_the_closure_goes_on_in_the_caller() {
    let caught = std::panic::catch_unwind(|| trace_closure(|| panic!("traced panic")));
    let payload = caught.expect_err("the panic");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"traced panic"));
}

#[test]
fn tracing_inside_a_traced_closure_is_a_clear_error() {
    // A filter tree has one listener at most: the inner trace cannot load its filter, and
    // says so instead of returning an empty report.
    let (inner, _) = trace_closure(|| trace_closure(|| 1)).expect("the outer trace");
    match inner {
        Err(e @ extrasafe::ExtraSafeError::TraceUnavailable { .. }) => {
            assert!(e.to_string().contains("cannot trace"), "{e}");
        }
        other => panic!("expected TraceUnavailable, got {other:?}"),
    }
}
