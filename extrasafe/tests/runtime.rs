//! Sandboxed threads: `run`, `spawn`, `run_with_timeout` and `Orchestrator`.
//!
//! `run` and `spawn` restrict only the thread they create, so most tests here need no child
//! process; `Orchestrator::start` restricts the calling thread, so its tests run in one.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::assert_errno;
use extrasafe::builtins::{BasicCapabilities, NestedSandboxes, SystemIO};
use extrasafe::{ExtraSafeError, Orchestrator, SafetyContext};

fn basics() -> SafetyContext {
    SafetyContext::new().enable(BasicCapabilities).unwrap()
}

/// What a sandboxed thread needs to read its own `/proc` files.
fn proc_reader() -> SafetyContext {
    SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_open_readonly()
                .allow_read()
                .allow_metadata()
                .allow_close(),
        )
        .unwrap()
}

fn gettid() -> i64 {
    common::raw_syscall(libc::SYS_gettid, [0; 6]).expect("gettid is always allowed")
}

fn seccomp_mode_of(tid: i64) -> String {
    let status = std::fs::read_to_string(format!("/proc/self/task/{tid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Seccomp:"))
        .map(|v| v.trim().to_string())
        .unwrap()
}

#[test]
fn run_returns_the_value_and_restricts_only_its_thread() {
    let caller = gettid();
    let (value, worker, worker_mode) = proc_reader()
        .run(|| {
            let me = gettid();
            (6 * 7, me, seccomp_mode_of(me))
        })
        .unwrap();
    assert_eq!(value, 42);
    assert_ne!(worker, caller, "the closure runs on a thread of its own");
    assert_eq!(worker_mode, "2", "the worker thread is filtered");
    assert_eq!(seccomp_mode_of(caller), "0", "the caller is not");
}

#[test]
fn each_run_gets_a_new_thread() {
    let a = basics().run(gettid).unwrap();
    let b = basics().run(gettid).unwrap();
    assert_ne!(a, b, "sandboxed closures never share a (reused) thread");
}

#[test]
fn run_can_borrow_from_the_caller() {
    let input = String::from("  17 ");
    let parsed = basics().run(|| input.trim().parse::<u8>()).unwrap();
    assert_eq!(parsed, Ok(17));
}

#[test]
fn a_denied_syscall_fails_inside_run() {
    let result = basics()
        .run(|| std::fs::File::open("/etc/hostname").map(drop))
        .unwrap();
    assert_errno(result, libc::EPERM);
    // The caller still may.
    assert!(std::fs::metadata("/etc").is_ok());
}

/// Panics at line `PANIC_LINE`, column 5 of this file.
fn panic_at_byte_7() {
    panic!("bad input at byte {}", 7)
}
const PANIC_LINE: u32 = line!() - 2;

/// The panic of [`panic_at_byte_7`], as a sandboxed closure's panic comes back: the message
/// and where it happened.
fn assert_panicked_at_byte_7<T: std::fmt::Debug>(got: Result<T, ExtraSafeError>) {
    match got {
        Err(ExtraSafeError::Panicked {
            message,
            location: Some(location),
        }) => {
            assert_eq!(message, "bad input at byte 7");
            assert_eq!(
                location,
                extrasafe::PanicLocation::new(file!(), PANIC_LINE, 5)
            );
        }
        other => panic!("expected Panicked with a location, got {other:?}"),
    }
}

#[test]
fn a_panic_inside_run_comes_back_as_an_error_with_its_message_and_location() {
    assert_panicked_at_byte_7(basics().run(panic_at_byte_7));
    // The same from spawn.
    assert_panicked_at_byte_7(basics().spawn(panic_at_byte_7).unwrap().join());
}

#[test]
fn the_closure_never_runs_when_applying_fails() {
    let ran = AtomicBool::new(false);
    let result = SafetyContext::new()
        .with_errno(0)
        .run(|| ran.store(true, Ordering::SeqCst));
    assert!(
        matches!(result, Err(ExtraSafeError::InvalidErrno { errno: 0 })),
        "{result:?}"
    );
    assert!(!ran.load(Ordering::SeqCst));

    let ran = AtomicBool::new(false);
    let result = SafetyContext::new().run(|| ran.store(true, Ordering::SeqCst));
    assert!(
        matches!(result, Err(ExtraSafeError::NoRulesEnabled)),
        "{result:?}"
    );
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn spawn_returns_a_handle_to_join() {
    let handle = basics().spawn(|| "done").unwrap();
    assert_eq!(handle.join().unwrap(), "done");

    let handle = basics().spawn(|| -> u8 { panic!("late") }).unwrap();
    assert!(
        matches!(handle.join(), Err(ExtraSafeError::Panicked { message, .. }) if message == "late")
    );

    let ran = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ran);
    let handle = SafetyContext::new()
        .with_errno(5000)
        .spawn(move || flag.store(true, Ordering::SeqCst))
        .unwrap();
    assert!(matches!(
        handle.join(),
        Err(ExtraSafeError::InvalidErrno { errno: 5000 })
    ));
    assert!(!ran.load(Ordering::SeqCst));
}

#[cfg(feature = "macro-return")]
#[test]
fn results_cross_the_crossbeam_channel_with_only_the_basics() {
    // BasicCapabilities only: sending the result over the channel must not need more.
    let value = basics().run(|| vec![1u8; 1 << 20].len()).unwrap();
    assert_eq!(value, 1 << 20);
    let handle = basics().spawn(|| String::from("over the channel")).unwrap();
    assert_eq!(handle.join().unwrap(), "over the channel");
}

#[cfg(feature = "macro-return")]
#[test]
fn run_with_timeout_gives_up_while_the_thread_runs_on() {
    use std::time::{Duration, Instant};
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    let result = basics().run_with_timeout(Duration::from_millis(50), move || {
        // Block (futex) until the test lets go: sandboxed, and never done in time.
        rx.recv().unwrap_or(0u8)
    });
    assert!(matches!(result, Err(ExtraSafeError::Timeout)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    tx.send(1).unwrap();
    assert_eq!(
        basics()
            .run_with_timeout(Duration::from_secs(10), || 5)
            .unwrap(),
        5
    );
}

sandboxed_test! {
    fn orchestrated_children_act_only_after_the_parent_is_restricted() {
        let parent = gettid();
        let mut threads = Orchestrator::new();
        let mut children = Vec::new();
        for _ in 0..2 {
            children.push(threads.spawn(proc_reader(), move || seccomp_mode_of(parent)).unwrap());
        }
        // The parent keeps almost nothing (stderr, for failing asserts).
        let report = threads.start(SafetyContext::new().enable(SystemIO::nothing().allow_stderr()).unwrap()).unwrap();
        assert!(report.seccomp.is_some());
        for child in children {
            assert_eq!(child.join().unwrap(), "2", "a child saw its parent unrestricted");
        }
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
    }
}

sandboxed_test! {
    fn a_child_that_cannot_apply_stops_the_whole_orchestra() {
        let ran = Arc::new(AtomicBool::new(false));
        let mut threads = Orchestrator::new();
        let flag = Arc::clone(&ran);
        let good = threads.spawn(basics(), move || flag.store(true, Ordering::SeqCst)).unwrap();
        let bad = threads.spawn(SafetyContext::new().with_errno(0), || ()).unwrap();
        let result = threads.start(basics());
        assert!(matches!(result, Err(ExtraSafeError::OrchestrationFailed { .. })), "{result:?}");
        assert!(matches!(good.join(), Err(ExtraSafeError::Aborted)));
        assert!(matches!(bad.join(), Err(ExtraSafeError::InvalidErrno { errno: 0 })));
        assert!(!ran.load(Ordering::SeqCst), "no child may run when one failed");
        // The parent was not restricted.
        assert!(std::fs::File::open("/etc/hostname").is_ok() || std::fs::File::open("/etc/os-release").is_ok());
    }
}

sandboxed_test! {
    fn children_never_run_when_the_parent_cannot_apply() {
        let ran = Arc::new(AtomicBool::new(false));
        let mut threads = Orchestrator::new();
        let flag = Arc::clone(&ran);
        let child = threads.spawn(basics(), move || flag.store(true, Ordering::SeqCst)).unwrap();
        let result = threads.start(SafetyContext::new().with_errno(0));
        assert!(matches!(result, Err(ExtraSafeError::InvalidErrno { errno: 0 })), "{result:?}");
        assert!(matches!(child.join(), Err(ExtraSafeError::Aborted)));
        assert!(!ran.load(Ordering::SeqCst));
    }
}

#[test]
fn dropping_an_orchestrator_before_start_aborts_its_children() {
    let ran = Arc::new(AtomicBool::new(false));
    let mut threads = Orchestrator::new();
    let flag = Arc::clone(&ran);
    let child = threads
        .spawn(basics(), move || flag.store(true, Ordering::SeqCst))
        .unwrap();
    drop(threads);
    assert!(matches!(child.join(), Err(ExtraSafeError::Aborted)));
    assert!(!ran.load(Ordering::SeqCst));
}

sandboxed_test! {
    fn an_already_sandboxed_thread_can_run_a_narrower_sandbox_with_nested_sandboxes() {
        use extrasafe::builtins::danger_zone::Threads;
        use extrasafe::builtins::NestedSandboxes;
        use extrasafe::syscalls::Sysno;
        SafetyContext::new()
            .enable(NestedSandboxes)
            .unwrap()
            .enable(Threads::nothing().allow_create())
            .unwrap()
            .enable(Sysno::getppid)
            .unwrap()
            .apply_to_current_thread()
            .unwrap();
        assert!(common::raw_syscall(libc::SYS_getppid, [0; 6]).is_ok());
        let inner = basics().run(|| common::raw_syscall(libc::SYS_getppid, [0; 6])).unwrap();
        assert_eq!(inner, Err(libc::EPERM), "the inner context is narrower");
        assert!(common::raw_syscall(libc::SYS_getppid, [0; 6]).is_ok(), "the outer thread is unchanged");
    }
}

sandboxed_test! {
    fn without_nested_sandboxes_a_sandboxed_thread_cannot_load_a_new_filter() {
        use extrasafe::builtins::danger_zone::Threads;
        SafetyContext::new()
            .enable(Threads::nothing().allow_create())
            .unwrap()
            .enable(SystemIO::nothing().allow_stderr())
            .unwrap()
            .apply_to_current_thread()
            .unwrap();
        let result = basics().run(|| ());
        match result {
            // no_new_privs (prctl) is the first step of loading, and the outer filter denies it.
            Err(ExtraSafeError::SeccompError(e)) => assert!(e.step().contains("prctl"), "{e}"),
            other => panic!("expected a SeccompError about prctl, got {other:?}"),
        }
    }
}

/// Only what loading a filter takes: compiling needs no syscall.
struct LoadOnly;

impl extrasafe::RuleSet for LoadOnly {
    fn simple_rules(&self) -> Vec<extrasafe::syscalls::Sysno> {
        Vec::new()
    }

    fn conditional_rules(
        &self,
    ) -> std::collections::HashMap<extrasafe::syscalls::Sysno, Vec<extrasafe::SeccompRule>> {
        use extrasafe::syscalls::Sysno;
        use extrasafe::{seccomp_arg_filter, SeccompRule};
        std::collections::HashMap::from([
            (
                Sysno::prctl,
                vec![SeccompRule::new(Sysno::prctl)
                    .and_condition(seccomp_arg_filter!(arg0 == libc::PR_SET_NO_NEW_PRIVS))],
            ),
            (
                Sysno::seccomp,
                vec![SeccompRule::new(Sysno::seccomp).and_condition(seccomp_arg_filter!(arg0 == 1))],
            ),
        ])
    }

    fn name(&self) -> &'static str {
        "LoadOnly"
    }
}

sandboxed_test! {
    fn a_sandboxed_thread_compiles_and_loads_a_new_policy_with_only_prctl_and_seccomp() {
        use extrasafe::builtins::danger_zone::Threads;
        assert_eq!(basics().run(|| 1).unwrap(), 1);
        SafetyContext::new()
            .enable(Threads::nothing().allow_create())
            .unwrap()
            .enable(LoadOnly)
            .unwrap()
            .apply_to_current_thread()
            .unwrap();
        // A policy compiled before, and one never compiled before: both apply.
        assert_eq!(basics().run(|| 2).unwrap(), 2);
        let other = SafetyContext::new().enable(extrasafe::syscalls::Sysno::getppid).unwrap();
        assert_eq!(other.run(|| 3).unwrap(), 3);
        // getppid is allowed by the inner filter only: the outer one still denies it.
        let inner = SafetyContext::new()
            .enable(extrasafe::syscalls::Sysno::getppid)
            .unwrap()
            .run(|| common::raw_syscall(libc::SYS_getppid, [0; 6]))
            .unwrap();
        assert_eq!(inner, Err(libc::EPERM), "filters stack: the outer filter still holds");
        // And the inner filter holds in its thread: the stack is an intersection.
        let narrower = basics()
            .run(|| common::raw_syscall(libc::SYS_gettid, [0; 6]))
            .unwrap();
        assert!(narrower.is_ok(), "gettid is one of the basics");
    }
}

/// What `run` does not protect: the sandboxed thread shares the descriptor table and the
/// memory of the program. A file the host opens while the sandboxed thread runs is readable
/// from it through `allow_read` (read on any descriptor), and what it writes to memory the
/// host sees. (The docs of `run` and `extrasafe!` say so and point to process isolation.)
#[test]
fn a_sandboxed_thread_shares_descriptors_and_memory_with_the_host() {
    use std::os::fd::AsRawFd;
    use std::sync::mpsc::channel;
    let (fd_tx, fd_rx) = channel::<i32>();
    let (ready_tx, ready_rx) = channel::<()>();
    let shared = std::sync::atomic::AtomicU64::new(0);
    let ctx = SafetyContext::new()
        .enable(SystemIO::nothing().allow_read())
        .unwrap();
    std::thread::scope(|scope| {
        let shared = &shared;
        let handle = scope.spawn(move || {
            ctx.run(move || {
                // Opening is denied in here...
                assert_errno(std::fs::File::open("/proc/self/status"), libc::EPERM);
                ready_tx.send(()).unwrap();
                // ...but a descriptor the host opened later is read through allow_read.
                let fd = fd_rx.recv().unwrap();
                let mut buf = [0u8; 64];
                let read = common::raw_syscall(
                    libc::SYS_read,
                    [
                        fd as u64,
                        buf.as_mut_ptr() as u64,
                        buf.len() as u64,
                        0,
                        0,
                        0,
                    ],
                );
                shared.store(42, Ordering::SeqCst);
                read.map(|n| String::from_utf8_lossy(&buf[..n as usize]).into_owned())
            })
        });
        ready_rx.recv().unwrap();
        let host_file = std::fs::File::open("/proc/self/status").unwrap();
        fd_tx.send(host_file.as_raw_fd()).unwrap();
        let text = handle.join().unwrap().unwrap().unwrap();
        assert!(text.contains("Name:"), "{text}");
        drop(host_file);
    });
    assert_eq!(shared.load(Ordering::SeqCst), 42);
}

sandboxed_test! {
    /// `NestedSandboxes` allows loading a filter on the calling thread only: a sandboxed
    /// thread that asks for `SECCOMP_FILTER_FLAG_TSYNC` (`apply_to_all_threads`) would push
    /// its whole filter chain onto the unsandboxed threads of the program (the kernel syncs
    /// a chain onto threads whose chain is an ancestor of it, no filter included). It is
    /// denied, and the host thread stays unfiltered.
    fn a_sandboxed_thread_cannot_push_its_filter_onto_the_host_with_tsync() {
        let seccomp_of_this_thread = || {
            std::fs::read_to_string("/proc/thread-self/status")
                .map(|s| s.lines().find(|l| l.starts_with("Seccomp:")).unwrap_or("").to_string())
        };
        assert_eq!(seccomp_of_this_thread().unwrap(), "Seccomp:\t0");
        let inner = SafetyContext::new()
            .enable(NestedSandboxes)
            .unwrap()
            .enable(BasicCapabilities)
            .unwrap()
            .run(|| {
                // Narrowing this thread works...
                let own = SafetyContext::new()
                    .enable(BasicCapabilities)
                    .unwrap()
                    .enable(NestedSandboxes)
                    .unwrap()
                    .apply_to_current_thread();
                // ...syncing onto every thread does not.
                let all = SafetyContext::new()
                    .enable(BasicCapabilities)
                    .unwrap()
                    .apply_to_all_threads();
                (own, all)
            })
            .unwrap();
        assert!(inner.0.is_ok(), "{:?}", inner.0);
        let err = inner.1.unwrap_err();
        assert!(matches!(err, ExtraSafeError::SeccompError(_)), "{err:?}");
        assert_eq!(
            seccomp_of_this_thread().expect("the host thread can still open files"),
            "Seccomp:\t0"
        );
    }
}
