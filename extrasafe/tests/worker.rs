//! Sandboxed worker processes: typed calls, the sandbox and the barrier around the parent,
//! and every way a worker can fail (each its own error, the next call working).
//!
//! The sandbox is applied in the workers, never in the test process, so these tests run in
//! the harness's threads.

#![allow(unsafe_code)]

use std::collections::HashSet;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use extrasafe::builtins::SystemIO;
use extrasafe::syscalls::Sysno;
use extrasafe::worker::{WorkerError, WorkerMode, WorkerOptions, WorkerPool};
use extrasafe::{ExtraSafeError, SafetyContext};

fn nothing() -> SafetyContext {
    SafetyContext::new()
}

fn options() -> WorkerOptions {
    WorkerOptions::new()
        .timeout(Duration::from_secs(20))
        .stderr(extrasafe::worker::WorkerOutput::Null)
}

fn errno_of(rc: libc::c_long) -> i32 {
    if rc == -1 {
        std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
    } else {
        0
    }
}

// ---------------------------------------------------------------------------------------
// Typed calls.

/// Counts the words of a text, and says which process did.
#[extrasafe::worker(nothing)]
fn word_count(text: String) -> Result<(usize, u32), String> {
    if text.is_empty() {
        return Err("empty input".to_string());
    }
    Ok((text.split_whitespace().count(), std::process::id()))
}

#[test]
fn a_registered_functions_value_comes_back_typed_from_another_process() {
    let pool = WorkerPool::start(word_count, options()).unwrap();
    let (words, pid) = pool.call("three small words".to_string()).unwrap().unwrap();
    assert_eq!(words, 3);
    assert_ne!(pid, std::process::id(), "the call ran in this process");
    assert_eq!(pool.pids(), vec![pid]);
    assert_eq!(
        pool.call(String::new()).unwrap(),
        Err("empty input".to_string())
    );
    assert_eq!(
        word_count.call_in_process("a b".to_string()),
        Ok((2, std::process::id()))
    );
    assert!(
        word_count.name().ends_with("::word_count"),
        "{}",
        word_count.name()
    );
    assert!(pool.report().contains("seccomp"), "{}", pool.report());
    assert!(pool.report().contains("landlock"), "{}", pool.report());
}

/// What a worker finds of its environment: variables, descriptors beyond 0–2, stdin.
#[extrasafe::worker(fcntl_only)]
fn environment(_: ()) -> (usize, Vec<i32>, bool) {
    let open: Vec<i32> = (3..256)
        // SAFETY: F_GETFD only asks whether the descriptor is open.
        .filter(|&fd| unsafe { libc::fcntl(fd, libc::F_GETFD) } != -1)
        .collect();
    let mut stdin_is_null = false;
    let mut buf = [0u8; 1];
    // SAFETY: reading one byte into a local buffer.
    if unsafe { libc::read(0, buf.as_mut_ptr().cast(), 1) } == 0 {
        stdin_is_null = true;
    }
    (std::env::vars_os().count(), open, stdin_is_null)
}

fn fcntl_only() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(Sysno::fcntl)?
        .enable(SystemIO::nothing().allow_stdin())
}

#[test]
fn a_worker_has_an_empty_environment_and_only_its_channel_beyond_stdio() {
    std::env::set_var("EXTRASAFE_TEST_SECRET", "not for workers");
    let pool = WorkerPool::start(environment, options()).unwrap();
    let (vars, open, stdin_is_null) = pool.call(()).unwrap();
    assert_eq!(vars, 0, "the worker's environment is not empty");
    assert_eq!(open.len(), 1, "descriptors open beyond 0-2: {open:?}");
    assert!(stdin_is_null, "stdin is not /dev/null");
}

// ---------------------------------------------------------------------------------------
// The sandbox, and the barrier around the parent.

/// What a worker with the default (empty) context may do: `(what, errno)` of each attempt.
#[extrasafe::worker(nothing)]
fn try_escape(parent: (u32, u64)) -> Vec<(String, i32)> {
    attempts(parent)
}

/// The same, with a context that allows every syscall tried: only the Landlock barrier of
/// the worker stands between it and the parent.
#[extrasafe::worker(permissive)]
fn try_escape_permissive(parent: (u32, u64)) -> Vec<(String, i32)> {
    attempts(parent)
}

fn permissive() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_read()
                .allow_write()
                .allow_close()
                .allow_open()
                .yes_really(),
        )?
        .enable(Sysno::ptrace)?
        .enable(Sysno::process_vm_writev)?
        .enable(Sysno::kill)?
        .enable(Sysno::lseek)
}

/// The parent's pid and the address of a value in its memory; every attempt returns the
/// errno it failed with (0: it worked).
fn attempts((ppid, address): (u32, u64)) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    let ppid = ppid as libc::pid_t;
    out.push((
        "open /etc/hostname".to_string(),
        std::fs::File::open("/etc/hostname").map_or_else(|e| e.raw_os_error().unwrap_or(-1), |_| 0),
    ));
    out.push((
        "connect 127.0.0.1:9".to_string(),
        std::net::TcpStream::connect_timeout(
            &"127.0.0.1:9".parse().unwrap(),
            Duration::from_secs(1),
        )
        .map_or_else(|e| e.raw_os_error().unwrap_or(-1), |_| 0),
    ));
    out.push((
        "exec /bin/true".to_string(),
        std::process::Command::new("/bin/true")
            .status()
            .map_or_else(|e| e.raw_os_error().unwrap_or(-1), |_| 0),
    ));
    let value: u64 = 0xbad;
    let local = libc::iovec {
        iov_base: &value as *const u64 as *mut libc::c_void,
        iov_len: 8,
    };
    let remote = libc::iovec {
        iov_base: address as *mut libc::c_void,
        iov_len: 8,
    };
    // SAFETY: the iovecs describe 8 valid bytes here; the remote one is checked by the
    // kernel against the other process (which it must refuse).
    let rc = unsafe { libc::process_vm_writev(ppid, &local, 1, &remote, 1, 0) };
    out.push((
        "process_vm_writev to the parent".to_string(),
        errno_of(rc as libc::c_long),
    ));
    let mem = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("/proc/{ppid}/mem"));
    let mem_errno = match mem {
        Err(e) => e.raw_os_error().unwrap_or(-1),
        Ok(mut file) => {
            use std::io::{Seek, SeekFrom};
            match file
                .seek(SeekFrom::Start(address))
                .and_then(|_| file.write_all(&value.to_ne_bytes()))
            {
                Err(e) => e.raw_os_error().unwrap_or(-1),
                Ok(()) => 0,
            }
        }
    };
    out.push(("write /proc/<parent>/mem".to_string(), mem_errno));
    // SAFETY: PTRACE_ATTACH with integer arguments.
    let rc = unsafe { libc::ptrace(libc::PTRACE_ATTACH, ppid, 0, 0) };
    out.push(("ptrace(PTRACE_ATTACH, parent)".to_string(), errno_of(rc)));
    // SAFETY: kill with integer arguments; signal 0 only checks permission.
    let rc = unsafe { libc::kill(ppid, 0) };
    out.push(("kill(parent, 0)".to_string(), errno_of(rc as libc::c_long)));
    out
}

static TARGET: AtomicU64 = AtomicU64::new(0x600d);

fn check_attempts(results: &[(String, i32)], expected_denied: &[&str]) {
    for (what, errno) in results {
        if expected_denied.iter().any(|w| what.starts_with(w)) {
            assert_ne!(*errno, 0, "the worker could {what}");
            assert!(
                [libc::EPERM, libc::EACCES, libc::ENOENT].contains(errno),
                "{what}: errno {errno}"
            );
        }
    }
    assert_eq!(
        TARGET.load(Ordering::SeqCst),
        0x600d,
        "the parent's memory changed"
    );
}

#[test]
fn a_worker_cannot_open_connect_exec_or_reach_its_parent() {
    let pool = WorkerPool::start(try_escape, options()).unwrap();
    let parent = (std::process::id(), TARGET.as_ptr() as u64);
    let results = pool.call(parent).unwrap();
    assert_eq!(results.len(), 7, "{results:?}");
    for (what, errno) in &results {
        assert_eq!(*errno, libc::EPERM, "{what}: {results:?}");
    }
    check_attempts(&results, &[""]);
}

#[test]
fn a_worker_whose_context_allows_ptrace_and_open_still_cannot_reach_its_parent() {
    let pool = WorkerPool::start(try_escape_permissive, options()).unwrap();
    let parent = (std::process::id(), TARGET.as_ptr() as u64);
    let results = pool.call(parent).unwrap();
    let errno = |what: &str| results.iter().find(|(w, _)| w.starts_with(what)).unwrap().1;
    // Landlock's domain: no tracing, no memory of a process outside it; its scope: no
    // signal to one.
    assert_eq!(errno("process_vm_writev"), libc::EPERM, "{results:?}");
    assert_eq!(errno("ptrace"), libc::EPERM, "{results:?}");
    assert_eq!(errno("kill"), libc::EPERM, "{results:?}");
    assert_ne!(errno("write /proc"), 0, "{results:?}");
    check_attempts(
        &results,
        &["process_vm_writev", "write /proc", "ptrace", "kill"],
    );
}

// ---------------------------------------------------------------------------------------
// Failures: each its own error, and the next call works.

/// What a call asks the worker to do.
#[extrasafe::worker(nothing)]
fn misbehave(what: String) -> Vec<u8> {
    match what.as_str() {
        "panic" => panic!("bad input at byte {}", 7),
        "segv" => {
            // SAFETY: none: this writes to address 0 on purpose, to crash the worker.
            unsafe { std::ptr::null_mut::<u8>().write_volatile(1) };
            Vec::new()
        }
        "abort" => std::process::abort(),
        "exit" => std::process::exit(3),
        "loop" => loop {
            std::hint::spin_loop();
        },
        "allocate" => {
            let mut v: Vec<u8> = Vec::new();
            v.reserve_exact(1 << 33);
            v.push(1);
            v
        }
        "big" => vec![7u8; 100_000],
        "garbage" => {
            // A frame the pool cannot take, then a valid reply: the worker is not believed.
            let garbage = [5u8, 0, 0, 0, b'Z', 1, 2, 3, 4, 5];
            for fd in 3..16 {
                // SAFETY: writing a local buffer to a descriptor (most are not open).
                unsafe { libc::write(fd, garbage.as_ptr().cast(), garbage.len()) };
            }
            Vec::new()
        }
        "bad output" => {
            // An OUTPUT frame whose payload is not a Vec<u8>: a length of 2^32.
            let frame = [5u8, 0, 0, 0, b'O', 0xff, 0xff, 0xff, 0xff, 0x0f];
            for fd in 3..16 {
                // SAFETY: as above.
                unsafe { libc::write(fd, frame.as_ptr().cast(), frame.len()) };
            }
            Vec::new()
        }
        _ => what.into_bytes(),
    }
}

fn misbehaving_pool(options: WorkerOptions) -> WorkerPool<String, Vec<u8>> {
    WorkerPool::start(misbehave, options).unwrap()
}

fn assert_next_call_works(pool: &WorkerPool<String, Vec<u8>>) {
    assert_eq!(pool.call("fine".to_string()).unwrap(), b"fine");
}

/// Waits until process `pid` has ended (a zombie, or reaped already).
fn wait_until_ended(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit(')')
                    .next()
                    .map(|rest| rest.trim_start().chars().next())
            })
            .flatten();
        if matches!(state, None | Some('Z' | 'X')) {
            return;
        }
        assert!(Instant::now() < deadline, "process {pid} did not end");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn pid_is_gone(pid: u32) -> bool {
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn a_panic_is_panicked_with_message_and_location() {
    let pool = misbehaving_pool(options());
    let err = pool.call("panic".to_string()).unwrap_err();
    let WorkerError::Panicked {
        message, location, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(message, "bad input at byte 7");
    let location = location.as_ref().expect("the worker's hook saw where");
    assert!(location.file.ends_with("worker.rs"), "{location}");
    assert!(err.to_string().contains("panicked at"), "{err}");
    assert_next_call_works(&pool);
}

#[test]
fn a_segfault_is_crashed_by_sigsegv() {
    let pool = misbehaving_pool(options());
    let err = pool.call("segv".to_string()).unwrap_err();
    assert!(
        matches!(
            err,
            WorkerError::Crashed {
                signal: libc::SIGSEGV,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("SIGSEGV"), "{err}");
    assert_next_call_works(&pool);
}

#[test]
fn abort_is_crashed_by_sigabrt() {
    let pool = misbehaving_pool(options());
    let err = pool.call("abort".to_string()).unwrap_err();
    assert!(
        matches!(
            err,
            WorkerError::Crashed {
                signal: libc::SIGABRT,
                ..
            }
        ),
        "{err}"
    );
    assert_next_call_works(&pool);
}

#[test]
fn an_exit_is_exited_with_its_code() {
    let pool = misbehaving_pool(options());
    let err = pool.call("exit".to_string()).unwrap_err();
    assert!(matches!(err, WorkerError::Exited { code: 3, .. }), "{err}");
    assert_next_call_works(&pool);
}

#[test]
fn an_infinite_loop_is_a_timeout_and_the_worker_is_killed() {
    let pool = misbehaving_pool(options().timeout(Duration::from_millis(300)));
    let started = Instant::now();
    let err = pool.call("loop".to_string()).unwrap_err();
    let WorkerError::Timeout { pid, limit, .. } = err else {
        panic!("{err}")
    };
    assert_eq!(limit, Duration::from_millis(300));
    assert!(started.elapsed() >= limit);
    assert!(pid_is_gone(pid), "worker {pid} still exists");
    assert!(!pool.pids().contains(&pid));
    assert_next_call_works(&pool);
}

#[test]
fn an_allocation_past_the_memory_limit_is_memory_limit() {
    let pool = misbehaving_pool(options().memory_limit(1 << 30));
    let err = pool.call("allocate".to_string()).unwrap_err();
    assert!(
        matches!(err, WorkerError::MemoryLimit { limit, .. } if limit == 1 << 30),
        "{err}"
    );
    assert!(err.to_string().contains("memory allocation of"), "{err}");
    assert_next_call_works(&pool);
}

#[test]
fn using_up_the_cpu_time_is_cpu_limit() {
    let pool = misbehaving_pool(options().cpu_time_limit(Duration::from_secs(1)));
    let err = pool.call("loop".to_string()).unwrap_err();
    assert!(matches!(err, WorkerError::CpuLimit { .. }), "{err}");
    assert_next_call_works(&pool);
}

#[test]
fn a_reply_larger_than_the_limit_is_refused() {
    let pool = misbehaving_pool(options().max_output(1000));
    let err = pool.call("big".to_string()).unwrap_err();
    assert!(
        matches!(err, WorkerError::ReplyTooLarge { limit: 1000, len, .. } if len > 100_000),
        "{err}"
    );
    assert_next_call_works(&pool);
}

#[test]
fn garbage_from_a_worker_is_a_malformed_reply() {
    let pool = misbehaving_pool(options());
    for what in ["garbage", "bad output"] {
        let err = pool.call(what.to_string()).unwrap_err();
        assert!(
            matches!(err, WorkerError::MalformedReply { .. }),
            "{what}: {err}"
        );
        assert_next_call_works(&pool);
    }
}

#[test]
fn an_input_larger_than_the_limit_is_not_sent() {
    let pool = misbehaving_pool(options().max_input(100));
    let err = pool.call("x".repeat(200)).unwrap_err();
    assert!(
        matches!(err, WorkerError::InputTooLarge { limit: 100, .. }),
        "{err}"
    );
    assert_next_call_works(&pool);
}

// ---------------------------------------------------------------------------------------
// Reuse, fresh processes, and a pool under fire.

static CALLS: AtomicU64 = AtomicU64::new(0);

/// How many calls this process has served, and which process it is.
#[extrasafe::worker(nothing)]
fn counter(_: ()) -> (u64, u32) {
    (CALLS.fetch_add(1, Ordering::SeqCst) + 1, std::process::id())
}

#[test]
fn a_reused_worker_keeps_its_state_and_a_fresh_one_has_none() {
    let reused = WorkerPool::start(counter, options()).unwrap();
    let first = reused.call(()).unwrap();
    let second = reused.call(()).unwrap();
    assert_eq!((first.0, second.0), (1, 2));
    assert_eq!(first.1, second.1);

    let fresh =
        WorkerPool::start(counter, options().mode(WorkerMode::FreshPerCall).workers(2)).unwrap();
    let mut pids = HashSet::new();
    for _ in 0..5 {
        let (calls, pid) = fresh.call(()).unwrap();
        assert_eq!(calls, 1, "a fresh worker had served a call before");
        assert!(pids.insert(pid), "process {pid} served two calls");
    }
}

#[test]
fn a_thousand_calls_with_workers_killed_at_random_lose_none() {
    let pool = WorkerPool::start(word_count, options().workers(2)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let killer = {
        let pool = pool.clone();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut victims = Vec::new();
            let mut seed = 0x2545_f491_4f6c_dd1du64;
            while !stop.load(Ordering::SeqCst) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                std::thread::sleep(Duration::from_micros(500 + seed % 3000));
                let pids = pool.pids();
                if let Some(&pid) = pids.get(seed as usize % pids.len().max(1)) {
                    // SAFETY: kill with integer arguments; a pid of the pool's (unreaped)
                    // children.
                    if unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) } == 0 {
                        victims.push(pid);
                    }
                }
            }
            victims
        })
    };
    let (mut ok, mut failed) = (0, 0);
    let callers: Vec<_> = (0..4)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut outcomes = Vec::new();
                for i in 0..250 {
                    let text = format!("call {t} {i} of four words");
                    outcomes.push(match pool.call(text) {
                        Ok(Ok((6, _))) => true,
                        Ok(other) => panic!("a wrong value: {other:?}"),
                        Err(
                            WorkerError::Crashed {
                                signal: libc::SIGKILL,
                                ..
                            }
                            | WorkerError::Setup { .. }
                            | WorkerError::MalformedReply { .. },
                        ) => false,
                        Err(e) => panic!("an unexpected error: {e}"),
                    });
                }
                outcomes
            })
        })
        .collect();
    for caller in callers {
        for outcome in caller.join().unwrap() {
            if outcome {
                ok += 1;
            } else {
                failed += 1;
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    let victims = killer.join().unwrap();
    let kills = victims.len();
    assert_eq!(ok + failed, 1000);
    assert!(
        ok > 0 && kills > 0,
        "ok {ok}, failed {failed}, kills {kills}"
    );
    eprintln!("1000 calls: {ok} returned a value, {failed} an error; {kills} workers killed");
    // The killer's last victim may still be exiting (a call racing with a kill fails, as it
    // should); once it has ended, a worker that died while idle never fails a call: the
    // call goes to another worker.
    for &pid in &victims {
        wait_until_ended(pid);
    }
    for _ in 0..4 {
        assert_eq!(pool.call("still works".to_string()).unwrap().unwrap().0, 2);
    }
}

// ---------------------------------------------------------------------------------------
// Starting a pool: the context must hold.

fn broken_context() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(SystemIO::nothing().allow_read_path("/nonexistent/extrasafe-worker-test"))
}

#[extrasafe::worker(broken_context)]
fn never_runs(_: ()) {}

#[test]
fn a_context_that_cannot_be_applied_fails_the_pool_start() {
    let err = WorkerPool::start(never_runs, options().workers(2)).unwrap_err();
    let WorkerError::Setup { message, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        message.contains("/nonexistent/extrasafe-worker-test"),
        "{message}"
    );
}

fn failing_context() -> Result<SafetyContext, String> {
    Err("the configuration says no".to_string())
}

#[extrasafe::worker(failing_context)]
fn never_runs_either(_: ()) {}

#[test]
fn a_context_function_that_fails_fails_the_pool_start_with_its_error() {
    let err = WorkerPool::start(never_runs_either, options()).unwrap_err();
    assert!(
        matches!(&err, WorkerError::Setup { message, .. } if message.contains("the configuration says no")),
        "{err}"
    );
}

#[test]
fn the_marker_alone_does_not_make_the_program_a_worker() {
    // The test binary, started with a marker naming a worker but without the token on a
    // channel, runs its own main (the harness lists its tests).
    let out = std::process::Command::new("/proc/self/exe")
        .arg("--list")
        .env(
            "__EXTRASAFE_WORKER",
            format!("0:{}:100:-:-:R:{}", "00".repeat(16), word_count.name()),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("the_marker_alone_does_not_make"),
        "{listed}"
    );
    let _ = std::io::stdout().flush();
}

#[test]
fn a_worker_that_died_while_idle_does_not_fail_the_next_call() {
    let pool = WorkerPool::start(word_count, options().workers(2)).unwrap();
    for pid in pool.pids() {
        // SAFETY: kill with integer arguments, on the pool's (unreaped) children.
        assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) }, 0);
        wait_until_ended(pid);
    }
    for _ in 0..3 {
        let (words, _) = pool.call("two words".to_string()).unwrap().unwrap();
        assert_eq!(words, 2);
    }
}

// ---------------------------------------------------------------------------------------
// What a worker's code cannot get around: threads its sandbox would miss, a stderr flood,
// descendants, the terminal, the marker without its token.

fn context_that_starts_a_thread() -> SafetyContext {
    std::thread::spawn(|| std::thread::sleep(Duration::from_secs(60)));
    std::thread::sleep(Duration::from_millis(20));
    SafetyContext::new()
}

#[extrasafe::worker(context_that_starts_a_thread)]
fn with_a_helper_thread(_: ()) {}

#[test]
fn a_worker_with_a_thread_its_sandbox_would_miss_does_not_start() {
    let err = WorkerPool::start(with_a_helper_thread, options()).unwrap_err();
    assert!(
        matches!(&err, WorkerError::Setup { message, .. } if message.contains("2 threads")),
        "{err}"
    );
}

/// Writes to stderr without end, and never answers.
#[extrasafe::worker(nothing)]
fn stderr_flood(_: ()) {
    let line = vec![b'A'; 1 << 16];
    loop {
        // SAFETY: writing a local buffer to fd 2.
        unsafe { libc::write(2, line.as_ptr().cast(), line.len()) };
    }
}

/// One flooding call with `output`: a timeout, well before 10 s.
fn flood_once(output: extrasafe::worker::WorkerOutput) {
    let pool = WorkerPool::start(
        stderr_flood,
        options().timeout(Duration::from_millis(500)).stderr(output),
    )
    .unwrap();
    let started = Instant::now();
    let err = pool.call(()).unwrap_err();
    assert!(
        matches!(err, WorkerError::Timeout { .. }),
        "{output:?}: {err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{output:?}: the call took {:?}",
        started.elapsed()
    );
}

/// The helper of the next test: run as this binary, floods its (piped) stderr through a
/// worker whose stderr is forwarded (and does nothing in a normal run).
#[test]
fn helper_floods_stderr_when_asked() {
    if std::env::var_os("EXTRASAFE_TEST_FLOOD").is_some() {
        flood_once(extrasafe::worker::WorkerOutput::Inherit);
        println!("FLOOD TIMED OUT");
    }
}

#[test]
fn a_worker_flooding_stderr_is_still_killed_at_its_timeout() {
    flood_once(extrasafe::worker::WorkerOutput::Null);
    // Forwarded: in a child of this test, whose stderr is a pipe read here.
    let out = std::process::Command::new("/proc/self/exe")
        .args(["--exact", "helper_floods_stderr_when_asked", "--nocapture"])
        .env("EXTRASAFE_TEST_FLOOD", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("FLOOD TIMED OUT"));
    // At most 64 KiB of the worker's stderr were shown (and the harness's own lines).
    assert!(
        out.stderr.len() < 80 * 1024,
        "{} bytes of stderr",
        out.stderr.len()
    );
}

/// Writes a terminal escape sequence (set the window title) to stderr, then aborts.
#[extrasafe::worker(nothing)]
fn escape_sequence(_: ()) {
    eprintln!("\x1b]0;owned\x07 and \x1b[2J");
    std::process::abort();
}

fn stderr_context() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new().enable(SystemIO::nothing().allow_stderr())
}

#[extrasafe::worker(stderr_context)]
fn escape_sequence_with_stderr(x: ()) {
    escape_sequence.call_in_process(x)
}

#[test]
fn a_workers_control_characters_never_reach_the_errors() {
    let pool = WorkerPool::start(escape_sequence_with_stderr, options()).unwrap();
    let err = pool.call(()).unwrap_err();
    let WorkerError::Crashed { stderr, .. } = &err else {
        panic!("{err}")
    };
    assert!(stderr.contains("?]0;owned? and ?[2J"), "{stderr:?}");
    assert!(!err.to_string().contains('\x1b'), "{err:?}");
}

fn forking() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(extrasafe::builtins::danger_zone::ForkAndExec)?
        .enable(Sysno::clock_nanosleep)?
        .enable(Sysno::nanosleep)
}

/// Starts a child that sleeps forever (and returns its pid), or hangs.
#[extrasafe::worker(forking)]
fn forker(hang: bool) -> i32 {
    if hang {
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    // SAFETY: the worker is single-threaded; the child only sleeps.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    pid
}

#[test]
fn what_a_worker_started_dies_with_it_at_the_timeout() {
    let pool = WorkerPool::start(forker, options().timeout(Duration::from_millis(500))).unwrap();
    let child = pool.call(false).unwrap();
    assert!(child > 0);
    assert!(
        !pid_is_gone(child as u32),
        "the worker's child did not start"
    );
    let err = pool.call(true).unwrap_err();
    assert!(matches!(err, WorkerError::Timeout { .. }), "{err}");
    wait_until_ended(child as u32);
}

fn session_queries() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(Sysno::getsid)?
        .enable(Sysno::getpgid)
}

/// A worker's session, process group and signal mask.
#[extrasafe::worker(session_queries)]
fn session_and_mask(_: ()) -> (bool, bool, u64) {
    // SAFETY: getsid, getpgid, getpid take no pointers; the mask is read into a local.
    unsafe {
        let pid = libc::getpid();
        let mut mask: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut mask);
        let blocked = (1..64)
            .filter(|&s| libc::sigismember(&mask, s) == 1)
            .count() as u64;
        (libc::getsid(0) == pid, libc::getpgid(0) == pid, blocked)
    }
}

#[test]
fn a_worker_leads_its_own_session_with_no_signal_blocked() {
    // Started from a thread that blocks two signals: the worker does not inherit that.
    let (own_session, own_group, blocked) = std::thread::spawn(|| {
        // SAFETY: blocking two signals on this thread only.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGXCPU);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        }
        let pool = WorkerPool::start(session_and_mask, options()).unwrap();
        pool.call(()).unwrap()
    })
    .join()
    .unwrap();
    assert!(own_session && own_group);
    assert_eq!(blocked, 0);
}

/// The helper of the next test: run as this binary with a worker's marker, it prints what
/// it finds on stdin (and does nothing in a normal run).
#[test]
fn helper_prints_stdin_when_asked() {
    if std::env::var_os("EXTRASAFE_TEST_PRINT_STDIN").is_some() {
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut data).unwrap();
        println!("STDIN={}", String::from_utf8_lossy(&data));
    }
}

#[test]
fn a_marker_without_its_pool_leaves_stdin_alone() {
    use std::os::unix::net::UnixStream;
    let data = b"0123456789abcdefTHE-REST-OF-THE-REQUEST";
    let right: String = data[..16].iter().map(|b| format!("{b:02x}")).collect();
    let me = std::process::id();
    // A wrong token; the right one (the first 16 bytes) but another parent: no worker, and
    // the program reads its stdin whole.
    for (parent, token) in [(me, "00".repeat(16)), (1, right)] {
        let (mut ours, theirs) = UnixStream::pair().unwrap();
        ours.write_all(data).unwrap();
        ours.shutdown(std::net::Shutdown::Write).unwrap();
        let out = std::process::Command::new("/proc/self/exe")
            .args(["--exact", "helper_prints_stdin_when_asked", "--nocapture"])
            .env("EXTRASAFE_TEST_PRINT_STDIN", "1")
            .env(
                "__EXTRASAFE_WORKER",
                format!("{parent}:{token}:1024:-:-:R:{}", word_count.name()),
            )
            .stdin(std::os::fd::OwnedFd::from(theirs))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{out:?}");
        assert!(
            stdout.contains("STDIN=0123456789abcdefTHE-REST-OF-THE-REQUEST"),
            "{stdout}"
        );
    }
}

/// A compromised worker: writes its own OUTPUT frame on the channel (the only descriptor
/// above 2 it has), and exits.
fn send_raw(payload: &[u8]) -> ! {
    let mut frame = (payload.len() as u32).to_le_bytes().to_vec();
    frame.push(b'O');
    frame.extend_from_slice(payload);
    for fd in 3..64 {
        // SAFETY: writing a local buffer (most descriptors are not open).
        if unsafe { libc::write(fd, frame.as_ptr().cast(), 1) } == 1 {
            let mut at = 1;
            while at < frame.len() {
                // SAFETY: as above, on the descriptor that took the first byte.
                let n = unsafe { libc::write(fd, frame[at..].as_ptr().cast(), frame.len() - at) };
                if n <= 0 {
                    break;
                }
                at += n as usize;
            }
            break;
        }
    }
    std::process::exit(0)
}

/// A recursive output type, as a parser's often is.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
enum Tree {
    Leaf,
    Node(Box<Tree>),
}

#[extrasafe::worker(nothing)]
fn deep_tree(depth: u32) -> Tree {
    let mut payload = vec![1u8; depth as usize];
    payload.push(0);
    send_raw(&payload)
}

#[extrasafe::worker(nothing)]
fn endless_units(_: ()) -> Vec<()> {
    send_raw(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
}

#[test]
fn a_hostile_reply_cannot_overflow_the_callers_stack_or_spin_it() {
    // (The compromised worker exits after its reply: one pool per call.)
    let pool = WorkerPool::start(deep_tree, options()).unwrap();
    assert!(matches!(pool.call(50).unwrap(), Tree::Node(_)));
    let pool = WorkerPool::start(deep_tree, options()).unwrap();
    let err = pool.call(1_000_000).unwrap_err();
    assert!(
        matches!(&err, WorkerError::MalformedReply { reason, .. } if reason.contains("nests more than 128")),
        "{err}"
    );
    let pool = WorkerPool::start(endless_units, options()).unwrap();
    let started = Instant::now();
    let err = pool.call(()).unwrap_err();
    assert!(
        matches!(&err, WorkerError::MalformedReply { reason, .. } if reason.contains("more values")),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

fn isolated() -> SafetyContext {
    SafetyContext::new().isolate_process(extrasafe::isolate::IsolationConfig::new())
}

/// What an isolated worker sees of itself: its pid and its host name.
#[extrasafe::worker(isolated)]
fn isolated_view(hang: bool) -> (u32, String) {
    if hang {
        loop {
            std::hint::spin_loop();
        }
    }
    // SAFETY: uname fills a local struct.
    let nodename = unsafe {
        let mut uts: libc::utsname = std::mem::zeroed();
        libc::uname(&mut uts);
        std::ffi::CStr::from_ptr(uts.nodename.as_ptr())
            .to_string_lossy()
            .into_owned()
    };
    (std::process::id(), nodename)
}

#[test]
fn a_worker_whose_context_isolates_it_serves_from_new_namespaces() {
    let pool = match WorkerPool::start(isolated_view, options().timeout(Duration::from_secs(2))) {
        Ok(pool) => pool,
        Err(WorkerError::Setup { message, .. }) if message.contains("user namespaces") => {
            assert!(
                std::env::var_os("EXTRASAFE_TEST_STRICT").is_none(),
                "user namespaces are unavailable: {message}"
            );
            eprintln!("SKIP: user namespaces are unavailable: {message}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    assert!(
        pool.report().contains("isolation: new user, pid"),
        "{}",
        pool.report()
    );
    let (pid, hostname) = pool.call(false).unwrap();
    assert_eq!((pid, hostname.as_str()), (2, "extrasafe"));
    let supervisor = pool.pids()[0];
    let err = pool.call(true).unwrap_err();
    assert!(matches!(err, WorkerError::Timeout { .. }), "{err}");
    wait_until_ended(supervisor);
    assert_eq!(pool.call(false).unwrap().0, 2);
}

fn newer_than_the_kernel() -> Result<SafetyContext, ExtraSafeError> {
    // resolve_unix is Landlock ABI 9; this needs a kernel that lacks it.
    SafetyContext::new().enable(
        extrasafe::Landlock::new()
            .allow_path("/tmp", extrasafe::landlock::AccessFs::ResolveUnix.into()),
    )
}

#[extrasafe::worker(newer_than_the_kernel)]
fn needs_a_newer_kernel(_: ()) {}

#[test]
fn a_context_the_kernel_cannot_enforce_fails_the_pool_start() {
    // SAFETY: landlock_create_ruleset with the version flag (1) takes no pointer.
    let abi = unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, 0usize, 0usize, 1u32) };
    if abi >= 9 {
        eprintln!("SKIP: this kernel has Landlock ABI {abi}, which enforces resolve_unix");
        return;
    }
    let err = WorkerPool::start(needs_a_newer_kernel, options()).unwrap_err();
    let WorkerError::Setup { message, .. } = &err else {
        panic!("{err}")
    };
    assert!(message.contains("resolve_unix"), "{message}");
}
