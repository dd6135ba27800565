//! 0.5.1's examples (src/bin/), each run as its own program: they exit successfully and
//! print what they printed under 0.5.1.

use std::process::Command;

/// Runs the example `exe` and returns its stdout, after checking it succeeded.
fn run(exe: &str) -> String {
    let out = Command::new(exe).output().expect("start the example");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{exe}: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    stdout
}

#[test]
fn no_files_allow_stdout() {
    let out = run(env!("CARGO_BIN_EXE_no_files_allow_stdout"));
    assert!(out.contains("but we can still print to stdout!"), "{out}");
}

#[test]
fn time() {
    let out = run(env!("CARGO_BIN_EXE_time"));
    assert!(out.contains("time gave us: SystemTime"), "{out}");
}

#[test]
fn user_guide() {
    let out = run(env!("CARGO_BIN_EXE_user_guide"));
    assert!(out.contains("printing to stdout is also allowed"), "{out}");
}

#[test]
fn user_guide_isolate() {
    let out = run(env!("CARGO_BIN_EXE_user_guide_isolate"));
    assert!(
        out.contains("I'm going to read some files from /cooldir"),
        "{out}"
    );
}

#[test]
fn isolate_test() {
    let out = run(env!("CARGO_BIN_EXE_isolate_test"));
    for case in [
        "isolate_hello passed",
        "isolate_uid passed",
        "check_mountinfo passed",
        "isolate_unix_socket passed",
        "isolate_multiple_binds passed",
        "isolate_with_network passed",
        "isolate_with_safetycontext passed",
        "isolate_no_network passed",
        "isolate_tmpfs_size passed",
        "isolate_fail passed",
    ] {
        assert!(out.contains(case), "missing `{case}`:\n{out}");
    }
}
