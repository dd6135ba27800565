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

/// Runs a `resources*` helper with a config file to read, and checks that it read it after
/// its sandbox and that opening another file, a TCP connect and exec were denied.
fn check_resources(exe: &str) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("extrasafe-resources-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    let path = dir.join(format!(
        "{}.conf",
        std::path::Path::new(exe)
            .file_name()
            .unwrap()
            .to_string_lossy()
    ));
    std::fs::write(&path, "greeting = hello\n").expect("write the config file");
    let out = Command::new(exe)
        .env(extrasafe_tests::CONFIG_VAR, &path)
        .output()
        .unwrap_or_else(|e| panic!("could not run {exe}: {e}"));
    let _ = std::fs::remove_file(&path);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    if !out.status.success()
        && stderr.contains("namespace")
        && std::env::var("EXTRASAFE_TEST_STRICT").as_deref() != Ok("1")
    {
        println!("SKIP: {exe} could not isolate: {stderr}");
        return None;
    }
    assert!(
        out.status.success(),
        "{exe}: {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.starts_with(BODY_RAN), "{stdout}");
    for line in [
        "config: greeting = hello",
        "ok: open /etc/passwd denied (Operation not permitted",
        "ok: tcp connect denied (Operation not permitted",
        "ok: exec denied (Operation not permitted",
    ] {
        assert!(
            stdout.contains(line),
            "missing {line:?} in:\n{stdout}\n{stderr}"
        );
    }
    Some(stdout)
}

#[test]
fn main_receives_what_the_context_function_opened() {
    check_resources(env!("CARGO_BIN_EXE_resources"));
}

#[test]
fn above_tokio_main_the_async_main_receives_the_value() {
    check_resources(env!("CARGO_BIN_EXE_resources_tokio"));
}

#[test]
fn an_isolated_main_receives_the_value_and_its_kept_descriptor() {
    if let Some(stdout) = check_resources(env!("CARGO_BIN_EXE_resources_isolated")) {
        // Under isolation's init, the program is PID 2 of its namespace.
        assert!(stdout.contains("pid 2\n"), "{stdout}");
    }
}

#[test]
fn a_context_function_error_with_resources_exits_1_before_the_body() {
    // Without the config variable, `setup` fails: its message is printed, main never runs.
    let out = Command::new(env!("CARGO_BIN_EXE_resources"))
        .env_remove(extrasafe_tests::CONFIG_VAR)
        .output()
        .expect("run the helper");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!text(&out.stdout).contains(BODY_RAN), "{out:?}");
    assert_eq!(
        text(&out.stderr).trim_end(),
        format!(
            "extrasafe: could not build the context for main: {} is not set",
            extrasafe_tests::CONFIG_VAR
        )
    );
}
