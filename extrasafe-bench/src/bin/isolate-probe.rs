//! The program that item 4 of extrasafe-bench (isolation) starts: a trivial program isolated
//! by extrasafe, in the three ways measured.
//!
//! - `isolate-probe plain`: exits at once, unisolated (what starting this binary costs);
//! - `isolate-probe whole`: a whole-program isolation (`SafetyContext::isolate_process`,
//!   applied with `apply_isolated` as `#[extrasafe::main]` does) whose `main` returns at once;
//! - `isolate-probe serve`: reads one request a line on stdin, `06` (this workspace's
//!   `Isolate::run_with`) or `051` (extrasafe 0.5.1's `Isolate::run`), runs an isolate whose
//!   function returns at once, and answers `ok <nanoseconds>` (the caller-side latency) or
//!   `err <reason>`.
//!
//! Both `Isolate` APIs re-execute this program; their `main_hook`s come first in `main`.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use extrasafe::builtins::BasicCapabilities;
use extrasafe::isolate::{Isolate, IsolateStatus, IsolationConfig, RunOptions};
use extrasafe::SafetyContext;

/// The isolate of this workspace's extrasafe.
const NOOP: &str = "bench-noop";
/// The isolate of extrasafe 0.5.1.
const NOOP_051: &str = "bench-noop-051";

/// The isolated function: returns at once.
fn noop() {}

fn isolate(name: &'static str) -> Isolate {
    Isolate::new(name, noop)
}

fn isolate_051(name: &'static str) -> extrasafe051::isolate::Isolate {
    extrasafe051::isolate::Isolate::new(name, noop)
}

fn main() -> ExitCode {
    extrasafe051::isolate::Isolate::main_hook(NOOP_051, isolate_051);
    Isolate::main_hook(NOOP, isolate);
    match std::env::args().nth(1).as_deref() {
        Some("plain") => ExitCode::SUCCESS,
        Some("whole") => whole(),
        Some("serve") => serve(),
        _ => {
            eprintln!("usage: isolate-probe (plain | whole | serve)");
            ExitCode::FAILURE
        }
    }
}

/// The whole program isolated like bubblewrap's comparison run: `/usr` bound read-only,
/// the basic seccomp context applied inside.
fn whole() -> ExitCode {
    let applied = SafetyContext::new()
        .enable(BasicCapabilities)
        .map(|c| c.isolate_process(IsolationConfig::new().bind("/usr", "/usr")))
        .and_then(SafetyContext::apply_isolated);
    match applied {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("isolate-probe: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One isolated run of `which`, timed from the caller's side.
fn run_once(which: &str) -> Result<u128, String> {
    let start = Instant::now();
    match which {
        "06" => {
            let out = Isolate::run_with(NOOP, &RunOptions::new()).map_err(|e| e.to_string())?;
            let elapsed = start.elapsed();
            if out.status != IsolateStatus::Exited(0) {
                return Err(format!("the isolate ended with {:?}", out.status));
            }
            Ok(elapsed.as_nanos())
        }
        "051" => {
            let out = extrasafe051::isolate::Isolate::run(NOOP_051, &HashMap::new())
                .map_err(|e| format!("{e:?}"))?;
            let elapsed = start.elapsed();
            if !out.status.success() {
                return Err(format!(
                    "the 0.5.1 isolate ended with {}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Ok(elapsed.as_nanos())
        }
        other => Err(format!("unknown request `{other}`")),
    }
}

fn serve() -> ExitCode {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else {
            return ExitCode::FAILURE;
        };
        let answer = match run_once(line.trim()) {
            Ok(ns) => format!("ok {ns}"),
            Err(e) => format!("err {}", e.replace('\n', " ")),
        };
        if writeln!(stdout, "{answer}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
