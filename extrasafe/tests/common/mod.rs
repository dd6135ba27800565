//! Runs each sandboxing test in a process of its own.
//!
//! A seccomp filter cannot be removed, and a test that gets killed must not take the test
//! harness down with it. So every test re-executes this test binary with only itself
//! selected and `EXTRASAFE_TEST_CHILD` set; the child runs the body (which may install
//! filters) and exits, and the parent checks how it exited.

#![allow(dead_code, unreachable_pub)]

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};

const CHILD_ENV: &str = "EXTRASAFE_TEST_CHILD";

/// Exit code of a child whose body returned normally. Not 0: a child whose test name matched
/// nothing would exit 0 from the harness without running the body.
const CHILD_OK: i32 = 86;
/// Exit code of a child whose body panicked.
const CHILD_PANICKED: i32 = 42;

/// How a child process ended.
#[derive(Debug)]
pub struct Outcome {
    pub name: String,
    pub output: Output,
}

impl Outcome {
    fn describe(&self) -> String {
        format!(
            "child for `{}` ended with {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.name,
            self.output.status,
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }

    /// Panics unless the body ran to its end.
    pub fn assert_success(&self) {
        assert_eq!(
            self.output.status.code(),
            Some(CHILD_OK),
            "{}",
            self.describe()
        );
    }

    /// Panics unless the child was killed by `signal`.
    pub fn assert_killed_by(&self, signal: i32) {
        assert_eq!(
            self.output.status.signal(),
            Some(signal),
            "{}",
            self.describe()
        );
    }

    /// Panics unless the body panicked.
    pub fn assert_panicked(&self) {
        assert_eq!(
            self.output.status.code(),
            Some(CHILD_PANICKED),
            "{}",
            self.describe()
        );
    }
}

/// Runs `body` in a child process and returns how the child ended. `name` must be the test
/// function's name (tests using this live at the top level of their file).
pub fn run_in_child(name: &str, body: impl FnOnce()) -> Outcome {
    if std::env::var(CHILD_ENV).as_deref() == Ok(name) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        // Leave at once, from this thread: the harness's own threads may be sandboxed now.
        std::process::exit(if result.is_ok() {
            CHILD_OK
        } else {
            CHILD_PANICKED
        });
    }
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let output = Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the test binary can re-execute itself");
    Outcome {
        name: name.to_string(),
        output,
    }
}

/// A test whose body runs in its own process and must run to its end.
#[macro_export]
macro_rules! sandboxed_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            $crate::common::run_in_child(stringify!($name), || $body).assert_success();
        }
    };
}

/// Says why a test cannot run here. With `EXTRASAFE_TEST_STRICT=1` (as in CI) that is a
/// failure; otherwise the test passes after printing `SKIP: <reason>`.
pub fn skip(reason: &str) {
    if std::env::var("EXTRASAFE_TEST_STRICT").as_deref() == Ok("1") {
        panic!("SKIP is a failure under EXTRASAFE_TEST_STRICT=1: {reason}");
    }
    eprintln!("SKIP: {reason}");
}

/// Whether the tests run as root (effective uid 0). Some calls answer differently for an
/// unprivileged user (a capability check, a file only root may read): tests that make them
/// assert what each sees. Call it before applying a filter, which may deny `geteuid`.
#[allow(unsafe_code)]
pub fn is_root() -> bool {
    // SAFETY: geteuid touches no memory; only a filter can make it fail.
    let uid = unsafe { libc::geteuid() };
    assert_ne!(
        uid,
        libc::uid_t::MAX,
        "geteuid was denied: ask before the filter"
    );
    uid == 0
}

/// The errno of a failed std call.
pub fn errno(e: &std::io::Error) -> i32 {
    e.raw_os_error()
        .unwrap_or_else(|| panic!("not an OS error: {e:?}"))
}

/// Asserts that `result` failed with `expected` errno.
#[track_caller]
pub fn assert_errno<T: std::fmt::Debug>(result: std::io::Result<T>, expected: i32) {
    match result {
        Ok(v) => panic!("expected errno {expected}, but the call succeeded with {v:?}"),
        Err(e) => assert_eq!(errno(&e), expected, "expected errno {expected}, got {e:?}"),
    }
}

/// A raw syscall returning `Err(errno)` on failure: for calls std has no wrapper for, or
/// that tests must make with exact arguments.
#[allow(unsafe_code)]
pub fn raw_syscall(nr: libc::c_long, args: [u64; 6]) -> Result<i64, i32> {
    // SAFETY: test code; the tests pass arguments that are valid for the syscall or that
    // the filter rejects before the kernel reads them.
    let rc = unsafe { libc::syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]) };
    if rc == -1 {
        Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    } else {
        Ok(rc)
    }
}

/// Leaves a forked or cloned child at once, without running any of the parent's code.
#[allow(unsafe_code)]
pub fn exit_child_now(code: i32) -> ! {
    // SAFETY: `_exit` is async-signal-safe and runs no destructors or atexit handlers.
    unsafe { libc::_exit(code) }
}

/// A raw `clone(flags, NULL, ...)` that should fail: should the filter let it through and
/// the kernel create a process, the child leaves at once and the parent sees `Ok(pid)`.
pub fn clone_raw(flags: u64) -> Result<i64, i32> {
    let r = raw_syscall(libc::SYS_clone, [flags, 0, 0, 0, 0, 0]);
    if r == Ok(0) {
        exit_child_now(97);
    }
    r
}

/// `fork()` through glibc (clone with glibc's fork flags); the child leaves at once with
/// `code`. Returns the child's pid or the errno.
#[allow(unsafe_code)]
pub fn fork_and_exit(code: i32) -> Result<i32, i32> {
    // SAFETY: the child only calls the async-signal-safe `_exit`.
    let pid = unsafe { libc::fork() };
    match pid {
        0 => exit_child_now(code),
        -1 => Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0)),
        pid => Ok(pid),
    }
}

/// Waits for `pid` with a raw wait4 and returns its exit code.
pub fn wait_exit_code(pid: i32) -> i32 {
    let mut status: libc::c_int = 0;
    let r = raw_syscall(
        libc::SYS_wait4,
        [
            pid as u64,
            std::ptr::from_mut(&mut status) as u64,
            0,
            0,
            0,
            0,
        ],
    );
    assert_eq!(r, Ok(i64::from(pid)), "wait4");
    assert!(libc::WIFEXITED(status), "status {status:#x}");
    libc::WEXITSTATUS(status)
}

/// `mincore` on a fresh anonymous page: a harmless call that no builtin and no systemd group
/// but `@known` allows.
pub fn mincore_page() -> Result<i64, i32> {
    let page = raw_syscall(
        libc::SYS_mmap,
        [
            0,
            4096,
            (libc::PROT_READ | libc::PROT_WRITE) as u64,
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64,
            u64::MAX,
            0,
        ],
    )
    .expect("mmap is in the basics");
    let mut vec = [0u8; 1];
    raw_syscall(
        libc::SYS_mincore,
        [page as u64, 4096, vec.as_mut_ptr() as u64, 0, 0, 0],
    )
}

/// What a dynamically linked program such as `/bin/true` needs to start under the filter it
/// inherits, beyond file access and the basics (found with strace).
pub struct ProgramStartup;

impl extrasafe::RuleSet for ProgramStartup {
    fn simple_rules(&self) -> Vec<extrasafe::syscalls::Sysno> {
        use extrasafe::syscalls::Sysno;
        vec![
            #[cfg(target_arch = "x86_64")]
            Sysno::access,
            Sysno::faccessat,
            Sysno::faccessat2,
            #[cfg(target_arch = "x86_64")]
            Sysno::arch_prctl,
            Sysno::set_tid_address,
        ]
    }

    fn name(&self) -> &'static str {
        "ProgramStartup"
    }
}
