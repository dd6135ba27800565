//! `Time`, `Pipes`, `danger_zone::{Threads, ForkAndExec}`, `process::{Identity,
//! ResourceLimits}` and `BasicCapabilities` (with narrowing), through real std calls and
//! raw syscalls. What a method allows succeeds; the same call without it fails with EPERM.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::time::Duration;

use common::{assert_errno, clone_raw, exit_child_now, fork_and_exit, raw_syscall, wait_exit_code};
use extrasafe::builtins::danger_zone::{
    ForkAndExec, Threads, GLIBC_FORK_FLAGS, GLIBC_THREAD_FLAGS,
};
use extrasafe::builtins::pipes::Pipes;
use extrasafe::builtins::process::{Identity, ResourceLimits};
use extrasafe::builtins::{BasicCapabilities, SystemIO, Time};
use extrasafe::syscalls::Sysno;
use extrasafe::{seccomp_arg_filter, RuleSet, SafetyContext, SeccompRule, Verdict};

/// The stderr-only SystemIO every test adds, so that a failing assertion can be printed.
fn stderr() -> SystemIO {
    SystemIO::nothing().allow_stderr()
}

/// Applies `ruleset` and writing to stderr to the current thread.
fn sandbox(ruleset: impl RuleSet) {
    SafetyContext::new()
        .enable(ruleset)
        .expect("the RuleSet enables")
        .enable(stderr())
        .expect("stderr enables")
        .apply_to_current_thread()
        .expect("the filter loads");
}

/// Applies only writing to stderr (and the basics).
fn sandbox_nothing() {
    SafetyContext::new()
        .enable(stderr())
        .unwrap()
        .apply_to_current_thread()
        .unwrap();
}

// ----- Time ---------------------------------------------------------------------------

/// `clock_gettime(clock, &ts)` as a raw syscall (the vDSO would bypass the filter).
fn clock_gettime(clock: libc::clockid_t) -> Result<(i64, i64), i32> {
    let mut ts = [0i64; 2];
    raw_syscall(
        libc::SYS_clock_gettime,
        [clock as u64, ts.as_mut_ptr() as u64, 0, 0, 0, 0],
    )
    .map(|_| (ts[0], ts[1]))
}

sandboxed_test! {
    fn gettime_allows_reading_clocks() {
        sandbox(Time::nothing().allow_gettime());

        let (sec, _) = clock_gettime(libc::CLOCK_REALTIME).unwrap();
        assert!(sec > 1_600_000_000, "a plausible wall clock: {sec}");
        let a = clock_gettime(libc::CLOCK_MONOTONIC).unwrap();
        let b = clock_gettime(libc::CLOCK_MONOTONIC).unwrap();
        assert!(b >= a);
        let mut res = [0i64; 2];
        assert_eq!(
            raw_syscall(
                libc::SYS_clock_getres,
                [libc::CLOCK_MONOTONIC as u64, res.as_mut_ptr() as u64, 0, 0, 0, 0]
            ),
            Ok(0)
        );
        let mut tv = [0i64; 2];
        assert_eq!(raw_syscall(libc::SYS_gettimeofday, [tv.as_mut_ptr() as u64, 0, 0, 0, 0, 0]), Ok(0));
        #[cfg(target_arch = "x86_64")]
        assert!(raw_syscall(libc::SYS_time, [0; 6]).unwrap() > 1_600_000_000);
        // And std's clocks, whichever way they reach the kernel.
        assert!(std::time::SystemTime::now() > std::time::UNIX_EPOCH);
        let start = std::time::Instant::now();
        assert!(start.elapsed() < Duration::from_secs(60));
    }
}

sandboxed_test! {
    fn gettime_is_denied_without_allow_gettime() {
        sandbox(Time::nothing());

        assert_eq!(clock_gettime(libc::CLOCK_REALTIME), Err(libc::EPERM));
        assert_eq!(clock_gettime(libc::CLOCK_MONOTONIC), Err(libc::EPERM));
        let mut tv = [0i64; 2];
        assert_eq!(
            raw_syscall(libc::SYS_gettimeofday, [tv.as_mut_ptr() as u64, 0, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
        // Setting clocks is never part of Time.
        let ts = [0i64; 2];
        assert_eq!(
            raw_syscall(
                libc::SYS_clock_settime,
                [libc::CLOCK_REALTIME as u64, ts.as_ptr() as u64, 0, 0, 0, 0]
            ),
            Err(libc::EPERM)
        );
    }
}

// ----- Pipes --------------------------------------------------------------------------

sandboxed_test! {
    fn pipes_allow_creating_pipes() {
        SafetyContext::new()
            .enable(Pipes)
            .unwrap()
            .enable(SystemIO::nothing().allow_read().allow_write().allow_close())
            .unwrap()
            .apply_to_current_thread()
            .unwrap();

        let (mut reader, mut writer) = std::io::pipe().unwrap();
        writer.write_all(b"through the pipe").unwrap();
        drop(writer);
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "through the pipe");
        let mut fds = [0i32; 2];
        let r = raw_syscall(libc::SYS_pipe2, [fds.as_mut_ptr() as u64, libc::O_NONBLOCK as u64, 0, 0, 0, 0]);
        assert_eq!(r, Ok(0));
        #[cfg(target_arch = "x86_64")]
        assert_eq!(raw_syscall(libc::SYS_pipe, [fds.as_mut_ptr() as u64, 0, 0, 0, 0, 0]), Ok(0));
    }
}

sandboxed_test! {
    fn pipes_are_denied_without_pipes() {
        SafetyContext::new()
            .enable(SystemIO::everything())
            .unwrap()
            .apply_to_current_thread()
            .unwrap();

        assert_errno(std::io::pipe(), libc::EPERM);
        let mut fds = [0i32; 2];
        assert_eq!(
            raw_syscall(libc::SYS_pipe2, [fds.as_mut_ptr() as u64, 0, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
    }
}

// ----- Threads::allow_create ----------------------------------------------------------

sandboxed_test! {
    fn threads_allow_spawning_and_joining() {
        sandbox(Threads::nothing().allow_create());

        let handle = std::thread::spawn(|| (1..=10).sum::<u32>());
        assert_eq!(handle.join().unwrap(), 55);
        // Several at once, sharing memory.
        let data = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let data = std::sync::Arc::clone(&data);
                std::thread::spawn(move || data.lock().unwrap().push(i))
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(data.lock().unwrap().len(), 4);
        // Scoped threads too.
        let mut v = vec![1, 2, 3];
        std::thread::scope(|s| {
            s.spawn(|| v.push(4));
        });
        assert_eq!(v, [1, 2, 3, 4]);
    }
}

sandboxed_test! {
    fn threads_allow_named_threads() {
        sandbox(Threads::nothing().allow_create());

        let name = std::thread::Builder::new()
            .name("worker".into())
            .spawn(|| std::thread::current().name().map(str::to_owned))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(name.as_deref(), Some("worker"));
        // Only PR_SET_NAME among the prctl options.
        let mut buf = [0u8; 16];
        assert_eq!(
            raw_syscall(libc::SYS_prctl, [libc::PR_GET_NAME as u64, buf.as_mut_ptr() as u64, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
        assert_eq!(
            raw_syscall(libc::SYS_prctl, [libc::PR_SET_DUMPABLE as u64, 1, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
        assert_eq!(
            raw_syscall(libc::SYS_prctl, [libc::PR_SET_NO_NEW_PRIVS as u64, 1, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn threads_deny_namespaces_and_processes() {
        sandbox(Threads::nothing().allow_create());

        let sigchld = libc::SIGCHLD as u64;
        for (flag, name) in [
            (libc::CLONE_NEWUSER, "CLONE_NEWUSER"),
            (libc::CLONE_NEWNET, "CLONE_NEWNET"),
            (libc::CLONE_NEWNS, "CLONE_NEWNS"),
            (libc::CLONE_NEWPID, "CLONE_NEWPID"),
            (libc::CLONE_NEWIPC, "CLONE_NEWIPC"),
            (libc::CLONE_NEWUTS, "CLONE_NEWUTS"),
            (libc::CLONE_NEWCGROUP, "CLONE_NEWCGROUP"),
        ] {
            let flag = flag as u64;
            assert_eq!(clone_raw(sigchld | flag), Err(libc::EPERM), "clone(SIGCHLD | {name})");
            assert_eq!(
                raw_syscall(libc::SYS_unshare, [flag, 0, 0, 0, 0, 0]),
                Err(libc::EPERM),
                "unshare({name})"
            );
        }
        // Thread flags plus a namespace flag (which the kernel would refuse with EINVAL
        // anyway, so a wrong filter cannot start a thread on this stack).
        for flag in [libc::CLONE_NEWUSER, libc::CLONE_NEWPID, libc::CLONE_NEWNS] {
            assert_eq!(clone_raw(GLIBC_THREAD_FLAGS | flag as u64), Err(libc::EPERM));
        }
        // A plain process, through glibc and raw.
        assert_eq!(fork_and_exit(0), Err(libc::EPERM));
        assert_eq!(clone_raw(sigchld), Err(libc::EPERM));
        #[cfg(target_arch = "x86_64")]
        {
            let r = raw_syscall(libc::SYS_fork, [0; 6]);
            if r == Ok(0) {
                exit_child_now(96);
            }
            assert_eq!(r, Err(libc::EPERM));
        }
        assert_errno(std::process::Command::new("/bin/true").status(), libc::EPERM);
        // clone3 hides its flags behind a pointer: always ENOSYS.
        let mut args = [0u64; 11];
        args[4] = sigchld; // exit_signal
        let r = raw_syscall(libc::SYS_clone3, [args.as_mut_ptr() as u64, 88, 0, 0, 0, 0]);
        if r == Ok(0) {
            exit_child_now(95);
        }
        assert_eq!(r, Err(libc::ENOSYS));
    }
}

sandboxed_test! {
    fn threads_are_denied_without_allow_create() {
        sandbox(Threads::nothing());

        assert_errno(std::thread::Builder::new().spawn(|| ()), libc::EPERM);
        assert_eq!(clone_raw(GLIBC_THREAD_FLAGS), Err(libc::EPERM));
    }
}

// ----- Threads::allow_sleep -----------------------------------------------------------

sandboxed_test! {
    fn sleep_allows_sleeping() {
        sandbox(Threads::nothing().allow_sleep().yes_really());

        std::thread::sleep(Duration::from_millis(2));
        let ts = [0i64, 1_000];
        assert_eq!(raw_syscall(libc::SYS_nanosleep, [ts.as_ptr() as u64, 0, 0, 0, 0, 0]), Ok(0));
        assert_eq!(
            raw_syscall(
                libc::SYS_clock_nanosleep,
                [libc::CLOCK_MONOTONIC as u64, 0, ts.as_ptr() as u64, 0, 0, 0]
            ),
            Ok(0)
        );
        // Sleeping is not creating threads.
        assert_errno(std::thread::Builder::new().spawn(|| ()), libc::EPERM);
    }
}

sandboxed_test! {
    fn sleep_is_denied_without_allow_sleep() {
        sandbox(Threads::nothing().allow_create());

        let ts = [0i64, 1_000];
        assert_eq!(
            raw_syscall(libc::SYS_nanosleep, [ts.as_ptr() as u64, 0, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
        assert_eq!(
            raw_syscall(
                libc::SYS_clock_nanosleep,
                [libc::CLOCK_MONOTONIC as u64, 0, ts.as_ptr() as u64, 0, 0, 0]
            ),
            Err(libc::EPERM)
        );
    }
}

// ----- ForkAndExec --------------------------------------------------------------------

/// ForkAndExec with what `/bin/true` needs.
fn fork_and_exec_context() -> SafetyContext {
    SafetyContext::new()
        .enable(ForkAndExec)
        .unwrap()
        .enable(SystemIO::everything())
        .unwrap()
        // glibc's start-up reads RLIMIT_STACK with prlimit64(0, .., NULL, &old).
        .enable(ResourceLimits::nothing().allow_get())
        .unwrap()
        .enable(common::ProgramStartup)
        .unwrap()
}

sandboxed_test! {
    fn fork_and_exec_runs_programs() {
        fork_and_exec_context().apply_to_current_thread().unwrap();

        let status = std::process::Command::new("/bin/true").status().unwrap();
        assert!(status.success(), "{status:?}");
        let status = std::process::Command::new("/bin/false").status().unwrap();
        assert_eq!(status.code(), Some(1));
        let output = std::process::Command::new("/bin/echo").arg("hi").output();
        // output() needs pipes: not part of ForkAndExec.
        assert_errno(output, libc::EPERM);
    }
}

sandboxed_test! {
    fn fork_and_exec_allows_fork() {
        fork_and_exec_context().apply_to_current_thread().unwrap();

        let pid = fork_and_exit(7).unwrap();
        assert_eq!(wait_exit_code(pid), 7);
        #[cfg(target_arch = "x86_64")]
        {
            let pid = raw_syscall(libc::SYS_fork, [0; 6]).unwrap();
            if pid == 0 {
                exit_child_now(8);
            }
            assert_eq!(wait_exit_code(pid as i32), 8);
        }
    }
}

sandboxed_test! {
    fn fork_and_exec_still_denies_namespaces_and_threads() {
        fork_and_exec_context().apply_to_current_thread().unwrap();

        let sigchld = libc::SIGCHLD as u64;
        for flag in [
            libc::CLONE_NEWUSER,
            libc::CLONE_NEWNET,
            libc::CLONE_NEWNS,
            libc::CLONE_NEWPID,
        ] {
            assert_eq!(clone_raw(sigchld | flag as u64), Err(libc::EPERM), "flag {flag:#x}");
            assert_eq!(raw_syscall(libc::SYS_unshare, [flag as u64, 0, 0, 0, 0, 0]), Err(libc::EPERM));
        }
        // fork()'s own flags with a namespace added.
        assert_eq!(clone_raw(GLIBC_FORK_FLAGS | libc::CLONE_NEWUSER as u64), Err(libc::EPERM));
        // Threads are not processes.
        assert_errno(std::thread::Builder::new().spawn(|| ()), libc::EPERM);
    }
}

sandboxed_test! {
    fn commands_are_denied_without_fork_and_exec() {
        SafetyContext::new()
            .enable(SystemIO::everything())
            .unwrap()
            .enable(ResourceLimits::nothing().allow_get())
            .unwrap()
            .enable(common::ProgramStartup)
            .unwrap()
            .apply_to_current_thread()
            .unwrap();

        assert_errno(std::process::Command::new("/bin/true").status(), libc::EPERM);
        assert_eq!(fork_and_exit(0), Err(libc::EPERM));
        let path = c"/bin/true";
        let argv = [path.as_ptr(), std::ptr::null()];
        let envp = [std::ptr::null::<libc::c_char>()];
        assert_eq!(
            raw_syscall(
                libc::SYS_execve,
                [path.as_ptr() as u64, argv.as_ptr() as u64, envp.as_ptr() as u64, 0, 0, 0]
            ),
            Err(libc::EPERM)
        );
    }
}

// ----- process::Identity --------------------------------------------------------------

/// getuid, geteuid, getgid, getegid as raw syscalls.
fn ids() -> [Result<i64, i32>; 4] {
    [
        raw_syscall(libc::SYS_getuid, [0; 6]),
        raw_syscall(libc::SYS_geteuid, [0; 6]),
        raw_syscall(libc::SYS_getgid, [0; 6]),
        raw_syscall(libc::SYS_getegid, [0; 6]),
    ]
}

fn getres(nr: libc::c_long) -> Result<[u32; 3], i32> {
    let mut v = [0u32; 3];
    raw_syscall(
        nr,
        [
            std::ptr::from_mut(&mut v[0]) as u64,
            std::ptr::from_mut(&mut v[1]) as u64,
            std::ptr::from_mut(&mut v[2]) as u64,
            0,
            0,
            0,
        ],
    )
    .map(|_| v)
}

sandboxed_test! {
    fn identity_allows_reading_ids() {
        let before = ids();
        let resuid = getres(libc::SYS_getresuid).unwrap();
        let groups = raw_syscall(libc::SYS_getgroups, [0; 6]).unwrap();
        sandbox(Identity::nothing().allow_get_ids());

        assert_eq!(ids(), before);
        assert!(before.iter().all(Result::is_ok));
        assert_eq!(getres(libc::SYS_getresuid), Ok(resuid));
        assert!(getres(libc::SYS_getresgid).is_ok());
        assert_eq!(raw_syscall(libc::SYS_getgroups, [0; 6]), Ok(groups));
        // Reading is not changing.
        let uid = before[0].unwrap() as u64;
        assert_eq!(raw_syscall(libc::SYS_setuid, [uid, 0, 0, 0, 0, 0]), Err(libc::EPERM));
        assert_eq!(raw_syscall(libc::SYS_setgroups, [0; 6]), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn identity_is_denied_without_allow_get_ids() {
        sandbox(Identity::nothing());

        assert_eq!(ids(), [Err(libc::EPERM); 4]);
        assert_eq!(getres(libc::SYS_getresuid), Err(libc::EPERM));
        assert_eq!(getres(libc::SYS_getresgid), Err(libc::EPERM));
        assert_eq!(raw_syscall(libc::SYS_getgroups, [0; 6]), Err(libc::EPERM));
    }
}

// ----- process::ResourceLimits --------------------------------------------------------

/// `prlimit64(pid, resource, new, old)`; `None` pointers are NULL.
fn prlimit(
    pid: u64,
    resource: u32,
    new: Option<&[u64; 2]>,
    old: Option<&mut [u64; 2]>,
) -> Result<i64, i32> {
    let new = new.map_or(0, |n| n.as_ptr() as u64);
    let old = old.map_or(0, |o| o.as_mut_ptr() as u64);
    raw_syscall(
        libc::SYS_prlimit64,
        [pid, u64::from(resource), new, old, 0, 0],
    )
}

#[allow(clippy::unnecessary_cast)] // a c_int on musl
const NOFILE: u32 = libc::RLIMIT_NOFILE as u32;

sandboxed_test! {
    fn resource_limits_get_allows_reading_own_limits() {
        let mut expected = [0u64; 2];
        prlimit(0, NOFILE, None, Some(&mut expected)).unwrap();
        let pid = u64::from(std::process::id());
        sandbox(ResourceLimits::nothing().allow_get());

        let mut old = [0u64; 2];
        assert_eq!(prlimit(0, NOFILE, None, Some(&mut old)), Ok(0));
        assert_eq!(old, expected);
        #[cfg(target_arch = "x86_64")]
        {
            let mut r = [0u64; 2];
            assert_eq!(raw_syscall(libc::SYS_getrlimit, [u64::from(NOFILE), r.as_mut_ptr() as u64, 0, 0, 0, 0]), Ok(0));
            assert_eq!(r, expected);
        }

        // Setting, with or without reading the old value, is denied.
        let lower = [expected[0] - 1, expected[1]];
        assert_eq!(prlimit(0, NOFILE, Some(&lower), None), Err(libc::EPERM));
        assert_eq!(prlimit(0, NOFILE, Some(&lower), Some(&mut old)), Err(libc::EPERM));
        assert_eq!(
            raw_syscall(libc::SYS_setrlimit, [u64::from(NOFILE), lower.as_ptr() as u64, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
        // Other processes (by pid, even our own) are denied.
        assert_eq!(prlimit(1, NOFILE, None, Some(&mut old)), Err(libc::EPERM));
        assert_eq!(prlimit(pid, NOFILE, None, Some(&mut old)), Err(libc::EPERM));
        // The limit did not change.
        prlimit(0, NOFILE, None, Some(&mut old)).unwrap();
        assert_eq!(old, expected);
    }
}

sandboxed_test! {
    fn resource_limits_set_allows_changing_limits() {
        let mut start = [0u64; 2];
        prlimit(0, NOFILE, None, Some(&mut start)).unwrap();
        sandbox(ResourceLimits::nothing().allow_get().allow_set().yes_really());

        let lower = [start[0] - 1, start[1]];
        let mut old = [0u64; 2];
        assert_eq!(prlimit(0, NOFILE, Some(&lower), Some(&mut old)), Ok(0));
        assert_eq!(old, start);
        prlimit(0, NOFILE, None, Some(&mut old)).unwrap();
        assert_eq!(old, lower);
        assert_eq!(
            raw_syscall(libc::SYS_setrlimit, [u64::from(NOFILE), start.as_ptr() as u64, 0, 0, 0, 0]),
            Ok(0)
        );
        prlimit(0, NOFILE, None, Some(&mut old)).unwrap();
        assert_eq!(old, start);
    }
}

sandboxed_test! {
    fn resource_limits_are_denied_without_allow_get() {
        sandbox(ResourceLimits::nothing());

        let mut old = [0u64; 2];
        assert_eq!(prlimit(0, NOFILE, None, Some(&mut old)), Err(libc::EPERM));
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            raw_syscall(libc::SYS_getrlimit, [u64::from(NOFILE), old.as_mut_ptr() as u64, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
    }
}

#[test]
fn resource_limits_set_replaces_get_in_either_order() {
    for limits in [
        ResourceLimits::nothing()
            .allow_get()
            .allow_set()
            .yes_really(),
        ResourceLimits::nothing()
            .allow_set()
            .yes_really()
            .allow_get(),
    ] {
        let explanation = SafetyContext::new()
            .enable(limits)
            .unwrap()
            .explain()
            .unwrap();
        assert_eq!(
            explanation.get(Sysno::prlimit64),
            Some(&Verdict::Allowed {
                by: vec!["ResourceLimits"]
            })
        );
    }
}

// ----- BasicCapabilities --------------------------------------------------------------

sandboxed_test! {
    fn basic_capabilities_keep_ordinary_rust_running() {
        sandbox_nothing();

        // Small and large allocations (brk, mmap, munmap), growth and shrinking.
        let mut v: Vec<u64> = Vec::new();
        for i in 0..(8 << 20) {
            v.push(i);
        }
        assert_eq!(v.len(), 8 << 20);
        v.truncate(10);
        v.shrink_to_fit();
        let big = vec![7u8; 64 << 20];
        assert_eq!(big.iter().map(|&b| u64::from(b)).sum::<u64>(), 7 * (64 << 20));
        drop(big);
        let boxed = Box::new([1u8; 4096]);
        assert_eq!(boxed[4095], 1);
        // Randomly keyed hash maps (getrandom), formatting, process and thread ids.
        let mut map = HashMap::new();
        map.insert(format!("pid {}", std::process::id()), 1);
        assert_eq!(map.len(), 1);
        let _ = std::thread::current().id();
        std::thread::yield_now();
        assert!(std::thread::available_parallelism().is_ok());
        // A panic that is caught: unwinding works and the message reaches stderr.
        let caught = std::panic::catch_unwind(|| panic!("caught on purpose"));
        assert!(caught.is_err());
        // Locks (futex).
        let m = std::sync::Mutex::new(1);
        *m.lock().unwrap() += 1;
        assert_eq!(*m.lock().unwrap(), 2);
    }
}

sandboxed_test! {
    fn basic_capabilities_do_not_cover_files_or_sockets() {
        sandbox_nothing();

        assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
        assert_errno(std::net::TcpListener::bind("127.0.0.1:0"), libc::EPERM);
        assert_eq!(raw_syscall(libc::SYS_getppid, [0; 6]), Err(libc::EPERM));
    }
}

#[test]
fn explain_attributes_basic_syscalls_to_basic_capabilities() {
    let explanation = SafetyContext::new()
        .enable(stderr())
        .unwrap()
        .explain()
        .unwrap();
    for sysno in BasicCapabilities.simple_rules() {
        assert_eq!(
            explanation.get(sysno),
            Some(&Verdict::Allowed {
                by: vec!["BasicCapabilities"]
            }),
            "{sysno:?}"
        );
    }
    assert!(explanation.narrowed_basics.is_empty());
}

/// mmap and mprotect without `PROT_EXEC`: a user RuleSet narrowing two basic syscalls.
struct NoExecMemory;

impl RuleSet for NoExecMemory {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let no_exec = |sysno| {
            SeccompRule::new(sysno)
                .and_condition(seccomp_arg_filter!(arg2 & (libc::PROT_EXEC as u64) == 0))
        };
        HashMap::from([
            (Sysno::mmap, vec![no_exec(Sysno::mmap)]),
            (Sysno::mprotect, vec![no_exec(Sysno::mprotect)]),
        ])
    }

    fn name(&self) -> &'static str {
        "NoExecMemory"
    }
}

/// An anonymous private mapping of one page with `prot`.
fn mmap_anon(prot: libc::c_int) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_mmap,
        [
            0,
            4096,
            prot as u64,
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64,
            u64::MAX, // fd -1
            0,
        ],
    )
}

#[test]
fn narrowing_basics_is_explained() {
    let explanation = SafetyContext::new()
        .enable(NoExecMemory)
        .unwrap()
        .enable(stderr())
        .unwrap()
        .explain()
        .unwrap();
    assert_eq!(explanation.narrowed_basics, [Sysno::mmap, Sysno::mprotect]);
    match explanation.get(Sysno::mmap) {
        Some(Verdict::AllowedIf { rules }) => {
            assert_eq!(rules.len(), 1);
            assert_eq!(rules[0].0, "NoExecMemory");
        }
        other => panic!("mmap: {other:?}"),
    }
    // The other basics are untouched.
    assert_eq!(
        explanation.get(Sysno::munmap),
        Some(&Verdict::Allowed {
            by: vec!["BasicCapabilities"]
        })
    );
    let text = explanation.to_string();
    assert!(text.contains("narrowed"), "{text}");
    assert!(text.contains("mmap"), "{text}");
}

sandboxed_test! {
    fn narrowed_basics_deny_executable_memory() {
        sandbox(NoExecMemory);

        // Ordinary memory works.
        let v: Vec<u8> = vec![1; 32 << 20];
        assert_eq!(v.len(), 32 << 20);
        let page = mmap_anon(libc::PROT_READ | libc::PROT_WRITE).unwrap();
        assert_eq!(
            raw_syscall(libc::SYS_mprotect, [page as u64, 4096, libc::PROT_READ as u64, 0, 0, 0]),
            Ok(0)
        );
        // Executable memory does not.
        assert_eq!(mmap_anon(libc::PROT_READ | libc::PROT_EXEC), Err(libc::EPERM));
        assert_eq!(mmap_anon(libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC), Err(libc::EPERM));
        assert_eq!(
            raw_syscall(
                libc::SYS_mprotect,
                [page as u64, 4096, (libc::PROT_READ | libc::PROT_EXEC) as u64, 0, 0, 0]
            ),
            Err(libc::EPERM)
        );
        assert_eq!(raw_syscall(libc::SYS_munmap, [page as u64, 4096, 0, 0, 0, 0]), Ok(0));
    }
}

sandboxed_test! {
    fn narrowed_basics_work_with_threads() {
        SafetyContext::new()
            .enable(NoExecMemory)
            .unwrap()
            .enable(Threads::nothing().allow_create())
            .expect("Threads does not conflict with narrowed mmap/mprotect")
            .enable(stderr())
            .unwrap()
            .apply_to_current_thread()
            .unwrap();

        let r = std::thread::spawn(|| mmap_anon(libc::PROT_READ | libc::PROT_EXEC))
            .join()
            .unwrap();
        assert_eq!(r, Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn basic_capabilities_let_large_vectors_grow_under_kill_process() {
        // glibc's realloc moves large blocks with mremap: were it denied, a program whose
        // default action kills would die the first time a large Vec grows.
        SafetyContext::new()
            .with_default_action(extrasafe::DefaultAction::KillProcess)
            .enable(stderr())
            .unwrap()
            .apply_to_current_thread()
            .unwrap();

        // Doubling from 1 MiB to 64 MiB: each step reallocates an mmapped block.
        let mut v: Vec<u8> = Vec::with_capacity(1 << 20);
        while v.len() < 64 << 20 {
            v.extend_from_slice(&[1; 4096]);
        }
        assert_eq!(v.len(), 64 << 20);
    }
}
