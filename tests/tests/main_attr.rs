//! `#[extrasafe::main]` at run time. Each case is a helper binary in `src/bin/` (a sandboxed
//! main cannot run in the test harness), run here in its own process.

use std::process::{Command, Output};

use extrasafe_tests::BODY_RAN;

fn run(exe: &str) -> Output {
    Command::new(exe)
        .output()
        .unwrap_or_else(|e| panic!("could not run {exe}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Both attribute orders must leave every thread of the runtime (workers and blocking pool)
/// in seccomp filter mode, with denied calls failing with EPERM on each kind of thread.
fn check_tokio(exe: &str, threads_at_least: usize) {
    let out = run(exe);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "{exe}: {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.starts_with(BODY_RAN), "{stdout}");
    for line in [
        "ok: denied calls fail with EPERM on a worker",
        "ok: denied calls fail with EPERM in spawn_blocking",
        "ok: all ",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    let listed: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("ok: all "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the number of threads checked");
    assert!(listed >= threads_at_least, "only {listed} threads checked");
}

#[test]
fn above_tokio_main_every_runtime_thread_is_sandboxed() {
    // main + 3 workers + 1 blocking thread
    check_tokio(env!("CARGO_BIN_EXE_tokio_above"), 5);
}

#[test]
fn below_tokio_main_every_runtime_thread_is_sandboxed() {
    // main + 2 workers + 1 blocking thread
    check_tokio(env!("CARGO_BIN_EXE_tokio_below"), 4);
}

#[test]
fn context_function_error_exits_1_before_the_body() {
    let out = run(env!("CARGO_BIN_EXE_ctx_error"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!text(&out.stdout).contains(BODY_RAN), "{out:?}");
    assert_eq!(
        text(&out.stderr).trim(),
        "extrasafe: could not build the context for main: no policy for this host (test marker)"
    );
}

#[test]
fn apply_failure_exits_1_before_the_body() {
    let out = run(env!("CARGO_BIN_EXE_apply_error"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!text(&out.stdout).contains(BODY_RAN), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("extrasafe: could not sandbox main: with_errno(0)"),
        "{stderr}"
    );
}

#[test]
fn a_conflict_prints_the_0_5_1_message_then_the_help_line() {
    let out = run(env!("CARGO_BIN_EXE_conflict_error"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!text(&out.stdout).contains(BODY_RAN), "{out:?}");
    assert_eq!(
        text(&out.stderr).trim_end(),
        "extrasafe: could not build the context for main: A conditional rule on syscall \
         `write` from RuleSet `SystemIO` would be overridden by a simple rule from RuleSet \
         `Networking`.\n\
         extrasafe: help: `write` is allowed with conditions by RuleSet `SystemIO` but \
         unconditionally by RuleSet `Networking`, so the conditions would have no effect: \
         remove `write` from one of them"
    );
}

#[test]
fn an_apply_error_prints_the_0_5_1_message_then_the_help_line() {
    let out = run(env!("CARGO_BIN_EXE_no_rules_error"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!text(&out.stdout).contains(BODY_RAN), "{out:?}");
    assert_eq!(
        text(&out.stderr).trim_end(),
        "extrasafe: could not sandbox main: No rules were enabled in the SafetyContext\n\
         extrasafe: help: enable at least one RuleSet with SafetyContext::enable before applying"
    );
}
