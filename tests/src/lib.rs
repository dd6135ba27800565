//! Cross-crate integration tests of extrasafe (the runtime together with its macros).
//!
//! The library holds what the helper binaries in `src/bin/` share: a program whose `main` is
//! sandboxed with `#[extrasafe::main]` cannot run inside the test harness, so each behaviour
//! is a binary that `tests/main_attr.rs` runs and whose output it checks.

use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::{Networking, SystemIO};
use extrasafe::{ExtraSafeError, SafetyContext};

/// The line a helper binary prints when the body of its `main` runs.
pub const BODY_RAN: &str = "BODY RAN";

/// What a multi-threaded tokio runtime needs, and reading `/proc` to inspect it.
///
/// tokio needs: `clone` with the thread flags and `prctl(PR_SET_NAME)` to start its workers
/// and blocking threads ([`Threads::allow_create`]); `epoll_*`, `eventfd2`, and `read` and
/// `write` on the eventfd to wait and wake ([`Networking::allow_running_tcp_servers`]);
/// futexes, `sched_yield`, `sigaltstack`, `mmap` and friends, which every context has.
/// Opening read-only, `getdents64`, `statx` and `close` are for reading `/proc/self/task`.
///
/// # Errors
/// If a RuleSet cannot be enabled (it can: this is a test of that).
pub fn tokio_context() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(Threads::nothing().allow_create())?
        .enable(Networking::nothing().allow_running_tcp_servers())?
        .enable(
            SystemIO::nothing()
                .allow_open_readonly()
                .allow_metadata()
                .allow_close(),
        )
}

/// The `Seccomp:` field of `/proc/self/task/<tid>/status` for every thread of the process,
/// as (thread name, mode) pairs.
///
/// # Panics
/// If `/proc` cannot be read: the caller's sandbox must allow it.
#[must_use]
pub fn seccomp_modes() -> Vec<(String, String)> {
    let mut modes = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").expect("list /proc/self/task") {
        let dir = entry.expect("read /proc/self/task").path();
        let status = std::fs::read_to_string(dir.join("status")).expect("read a thread status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        modes.push((field("Name:"), field("Seccomp:")));
    }
    modes
}

/// What creating a socket (which no context here allows) fails with: `Some(errno)`, or
/// `None` if it succeeded.
#[must_use]
pub fn socket_errno() -> Option<i32> {
    match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(_) => None,
        Err(e) => Some(e.raw_os_error().unwrap_or(-1)),
    }
}

/// What opening a file for writing fails with, as [`socket_errno`].
#[must_use]
pub fn open_for_writing_errno() -> Option<i32> {
    match std::fs::OpenOptions::new().write(true).open("/dev/null") {
        Ok(_) => None,
        Err(e) => Some(e.raw_os_error().unwrap_or(-1)),
    }
}

/// The checks of a sandboxed tokio `main`: run from its body, they print one `ok:` line
/// each and panic (exit status 101) on the first that fails.
///
/// `workers` is the number of worker threads the runtime was built with.
///
/// # Panics
/// When a check fails.
pub async fn check_sandboxed_runtime(workers: usize) {
    // A denied call fails with EPERM on a worker...
    let on_worker = tokio::spawn(async { (socket_errno(), open_for_writing_errno()) })
        .await
        .expect("the task ran");
    assert_eq!(on_worker, (Some(EPERM), Some(EPERM)), "on a worker");
    println!("ok: denied calls fail with EPERM on a worker");

    // ... and in the blocking pool; keep a blocking thread alive while the threads are
    // listed, so that the list has one.
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let (started, is_started) = std::sync::mpsc::channel::<()>();
    let blocking = tokio::task::spawn_blocking(move || {
        let errnos = (socket_errno(), open_for_writing_errno());
        started.send(()).expect("the runtime waits for this");
        wait.recv().expect("released");
        errnos
    });
    is_started.recv().expect("the blocking task started");

    let modes = seccomp_modes();
    release.send(()).expect("the blocking task waits");
    let on_blocking = blocking.await.expect("the blocking task ran");
    assert_eq!(on_blocking, (Some(EPERM), Some(EPERM)), "in spawn_blocking");
    println!("ok: denied calls fail with EPERM in spawn_blocking");

    // main, the workers, the blocking thread: all in seccomp filter mode. (tokio names
    // its workers and its blocking threads alike, so only their number is checked.)
    let names: Vec<&str> = modes.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        modes.len() >= workers + 2,
        "expected main, {workers} workers and a blocking thread, found {names:?}"
    );
    for (name, mode) in &modes {
        assert_eq!(mode, "2", "thread {name:?} is not in seccomp filter mode");
    }
    println!(
        "ok: all {} threads in seccomp filter mode: {names:?}",
        modes.len()
    );
}

/// `EPERM` (Linux, every architecture).
const EPERM: i32 = 1;

/// The environment variable that names the file the `resources*` helper binaries open
/// before their sandbox and read after it.
pub const CONFIG_VAR: &str = "EXTRASAFE_TEST_CONFIG";

/// Opens the file [`CONFIG_VAR`] names, for reading.
///
/// # Errors
/// If the variable is not set or the file cannot be opened, with the path in the message.
pub fn open_config() -> Result<std::fs::File, String> {
    let path = std::env::var(CONFIG_VAR).map_err(|_| format!("{CONFIG_VAR} is not set"))?;
    std::fs::File::open(&path).map_err(|e| format!("cannot open {path}: {e}"))
}

/// What the `resources*` helpers print after the sandbox: the file's contents, then one
/// `ok:` line per denied action (opening another file, a TCP connect, running a program);
/// panics (exit status 101) if one of them succeeded.
///
/// # Panics
/// If the file cannot be read or a denied action succeeds.
pub fn read_config_then_try_the_rest(mut config: std::fs::File) {
    use std::io::Read;
    let mut text = String::new();
    config
        .read_to_string(&mut text)
        .expect("read the file opened before the sandbox");
    println!("config: {}", text.trim());
    let denied = |what: &str, result: std::io::Result<()>| match result {
        Ok(()) => panic!("{what} succeeded in the sandbox"),
        Err(e) => println!("ok: {what} denied ({e})"),
    };
    denied(
        "open /etc/passwd",
        std::fs::File::open("/etc/passwd").map(drop),
    );
    denied(
        "tcp connect",
        std::net::TcpStream::connect("127.0.0.1:9").map(drop),
    );
    denied(
        "exec",
        std::process::Command::new("/bin/true").status().map(drop),
    );
}
