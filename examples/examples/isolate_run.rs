//! Isolating one function, later, from a running multithreaded program: `Isolate::run_with`
//! re-executes this program, whose `Isolate::main_hook` (first thing in `main`) runs the
//! function in new namespaces, on a root of its own, without capabilities, and reports how
//! it ended: the bytes it returned, its exit code, the signal that killed it, or its panic.
//!
//! Run it with `cargo run --example isolate_run` (needs user namespaces).

use extrasafe::isolate::{Isolate, IsolateStatus, Rlimit, RunOptions};

/// Untrusted work: parse numbers from the input the caller passed in the environment.
fn parse() -> Vec<u8> {
    // The isolated root holds only /proc, /dev, /tmp: no host files.
    assert!(std::fs::metadata("/etc/passwd").is_err());
    let input = std::env::var("INPUT").unwrap_or_default();
    let sum: i64 = input
        .split(',')
        .map(|n| n.trim().parse::<i64>().expect("malformed number"))
        .sum();
    sum.to_string().into_bytes()
}

fn isolates(name: &'static str) -> Isolate {
    Isolate::new_with_payload(name, parse).configure(|c| {
        c.hostname("parser")
            .rootfs_size_mib(4)
            .rlimit(Rlimit::CpuSeconds, 5)
            .rlimit(Rlimit::Processes, 16)
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    Isolate::main_hook("parse", isolates);

    // The program may be multithreaded by now: run from a worker thread.
    let good = std::thread::spawn(|| {
        Isolate::run_with("parse", &RunOptions::new().env("INPUT", "1, 2, 39"))
    })
    .join()
    .expect("the worker does not panic")?;
    assert_eq!(good.status, IsolateStatus::Exited(0));
    let sum = String::from_utf8(good.payload.unwrap_or_default())?;
    println!("isolated parse: sum = {sum}");
    assert_eq!(sum, "42");

    let bad = Isolate::run_with("parse", &RunOptions::new().env("INPUT", "1, two"))?;
    match &bad.status {
        IsolateStatus::Panicked { message } => println!("isolated parse panicked: {message}"),
        other => return Err(format!("expected a panic, got {other:?}").into()),
    }
    Ok(())
}
