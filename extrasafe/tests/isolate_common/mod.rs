//! A small test runner for the isolation tests, which cannot use libtest: `Isolate::main_hook`
//! and `#[extrasafe::main]` must run at the top of `main` while the program has a single
//! thread, and libtest runs each test on a thread of its own.
//!
//! The runner runs every case in a process of its own (this binary again, with
//! `EXTRASAFE_ISOLATE_CASE` set to the case's name), prints libtest-like lines, and exits
//! with status 101 if a case failed. Positional arguments filter cases by substring, as with
//! libtest; `--list` lists them. A case passes if and only if its process exits with 0.

#![allow(dead_code, unreachable_pub)]

use std::process::Command;

/// The environment variable that selects the case a child process runs.
pub const CASE_ENV: &str = "EXTRASAFE_ISOLATE_CASE";

/// A test case: its name and body. The body panics on failure.
pub type Case = (&'static str, fn());

/// The name of the case this process runs, if it is a case process.
pub fn current_case() -> Option<String> {
    std::env::var(CASE_ENV).ok()
}

/// In a case process: runs the case named by `CASE_ENV` and exits (0: passed).
pub fn run_case(cases: &[Case], name: &str) -> ! {
    let Some((_, body)) = cases.iter().find(|(n, _)| *n == name) else {
        eprintln!("no case named {name}");
        std::process::exit(2);
    };
    let result = std::panic::catch_unwind(body);
    std::process::exit(if result.is_ok() { 0 } else { 1 });
}

/// In the runner: runs every selected case in its own process and reports.
pub fn run_all(cases: &[Case]) -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in cases {
            println!("{name}: test");
        }
        std::process::exit(0);
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let exact = args.iter().any(|a| a == "--exact");
    let selected: Vec<&Case> = cases
        .iter()
        .filter(|(n, _)| {
            filters.is_empty()
                || filters.iter().any(|f| {
                    if exact {
                        *n == f.as_str()
                    } else {
                        n.contains(f.as_str())
                    }
                })
        })
        .collect();
    println!("\nrunning {} tests", selected.len());
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let mut failed = Vec::new();
    for (name, _) in &selected {
        let output = Command::new(&exe)
            .env(CASE_ENV, name)
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("the test binary can re-execute itself");
        if output.status.success() {
            println!("test {name} ... ok");
        } else {
            println!("test {name} ... FAILED");
            failed.push((name, output));
        }
    }
    for (name, output) in &failed {
        println!(
            "\n---- {name} ({}) stdout ----\n{}\n---- {name} stderr ----\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let result = if failed.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {result}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out\n",
        selected.len() - failed.len(),
        failed.len(),
        cases.len() - selected.len()
    );
    std::process::exit(if failed.is_empty() { 0 } else { 101 });
}

/// The errno of a failed std call.
pub fn errno(e: &std::io::Error) -> i32 {
    e.raw_os_error()
        .unwrap_or_else(|| panic!("not an OS error: {e:?}"))
}

/// The children of process `pid` (from `/proc/<pid>/task/*/children`).
pub fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let path = task.path().join("children");
        if let Ok(text) = std::fs::read_to_string(path) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    out
}

/// A line of `/proc/<pid>/status`, without its label.
pub fn status_field(pid: u32, field: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|r| r.strip_prefix(':')))
        .map(|v| v.trim().to_string())
}

/// Whether process `pid` has ended (gone, or a zombie).
pub fn is_dead(pid: u32) -> bool {
    match status_field(pid, "State") {
        None => true,
        Some(state) => state.starts_with('Z') || state.starts_with('X'),
    }
}

/// Polls `cond` every 20 ms for up to 10 s.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..500 {
        if cond() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("timed out waiting until {what}");
}

/// Sends a signal with kill(2).
#[allow(unsafe_code)]
pub fn kill(pid: u32, signal: i32) {
    let pid = libc::pid_t::try_from(pid).expect("pids fit in pid_t");
    // SAFETY: kill takes integer arguments only.
    let rc = unsafe { libc::kill(pid, signal) };
    assert_eq!(
        rc,
        0,
        "kill({pid}, {signal}): {}",
        std::io::Error::last_os_error()
    );
}

/// Whether the tests run as root on the host.
#[allow(unsafe_code)]
pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() == 0 }
}
