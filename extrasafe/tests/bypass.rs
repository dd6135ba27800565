//! Known ways around a seccomp filter, each shown to fail against an extrasafe filter.
//!
//! Every test installs a filter, so every test runs in a process of its own (see
//! `common/mod.rs`). Where a bypass would rely on the kernel reading something differently
//! from the filter (high bits of the syscall number, of a 32-bit argument), the test first
//! shows, without a filter, what the kernel does with it: so a denial is the filter's doing.

mod common;

use std::collections::HashMap;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::mpsc;
use std::time::Duration;

use common::{assert_errno, raw_syscall, run_in_child};
use extrasafe::builtins::danger_zone::{
    ForkAndExec, Threads, GLIBC_THREAD_FLAGS, MUSL_THREAD_FLAGS,
};
use extrasafe::builtins::{pipes::Pipes, Networking, SystemIO, Time};
use extrasafe::syscalls::Sysno;
use extrasafe::{
    seccomp_arg_filter, DefaultAction, ExtraSafeError, RuleSet, SafetyContext, SeccompRule,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// `SYS_*` numbers as the `u64` the argument arrays of `raw_syscall` take.
fn nr(n: libc::c_long) -> u64 {
    u64::try_from(n).expect("syscall numbers are positive")
}

/// An `int` argument as the kernel's register would hold it (sign-extended to 64 bits).
fn int(v: libc::c_int) -> u64 {
    i64::from(v) as u64
}

/// Applies `ctx` to the calling thread, panicking with the error if that fails.
fn sandbox(ctx: SafetyContext) {
    ctx.apply_to_current_thread().expect("the filter loads");
}

/// Prepares a child that the test expects to be killed: no core file, and a watchdog
/// thread (started before any filter, so unfiltered) that ends the process with exit code 3
/// after ten seconds. Should a filter kill only the thread that made the call, the harness
/// waiting for that thread would otherwise hang instead of failing.
#[allow(unsafe_code)]
fn expect_to_be_killed() {
    let zero = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `zero` is a valid rlimit that outlives the call.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) };
    assert_eq!(rc, 0, "setrlimit(RLIMIT_CORE, 0)");
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(10));
        eprintln!("watchdog: the process is still alive");
        std::process::exit(3);
    });
}

/// Runs `body` on a fresh thread that first applies `ctx` to itself, while the calling
/// thread stays unfiltered and waits up to five seconds for the body to finish. If the
/// body's thread alone were killed, the caller would return normally (and the child would
/// exit 0); only a kill of the whole process ends the child with a signal.
fn in_sandboxed_thread(ctx: SafetyContext, body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let _thread = std::thread::spawn(move || {
        sandbox(ctx);
        body();
        let _ = tx.send(());
    });
    let _ = rx.recv_timeout(Duration::from_secs(5));
}

/// `SYS_SECCOMP`: the `si_code` of a SIGSYS sent by a seccomp filter.
const SYS_SECCOMP: i32 = 1;
/// `__X32_SYSCALL_BIT`.
#[cfg(target_arch = "x86_64")]
const X32_SYSCALL_BIT: u64 = 0x4000_0000;

/// i386's number for getpid (`int 0x80` uses the i386 table).
#[cfg(target_arch = "x86_64")]
const I386_GETPID: u32 = 20;

/// Makes an i386 system call without arguments through `int 0x80`.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn int80(nr: u32) -> u32 {
    let mut eax = nr;
    // SAFETY: an i386 syscall without arguments (getpid) reads and writes no memory of ours;
    // the kernel preserves every register except eax across `int 0x80` (r8-r11 are declared
    // clobbered in case an old kernel zeroes them).
    unsafe {
        core::arch::asm!(
            "int 0x80",
            inout("eax") eax,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            options(nostack),
        );
    }
    eax
}

fn stderr_only() -> SafetyContext {
    SafetyContext::new()
        .enable(SystemIO::nothing().allow_stderr())
        .unwrap()
}

/// The pid as the x86_64 getpid syscall returns it.
fn pid() -> u32 {
    std::process::id()
}

/// A pipe created before a filter, for calls on a descriptor that is not 0, 1 or 2.
fn pipe() -> (std::fs::File, std::fs::File) {
    let mut fds = [0i32; 2];
    let rc = raw_syscall(
        libc::SYS_pipe2,
        [fds.as_mut_ptr() as u64, int(libc::O_CLOEXEC), 0, 0, 0, 0],
    );
    assert_eq!(rc, Ok(0), "pipe2");
    (owned(fds[0]), owned(fds[1]))
}

#[allow(unsafe_code)]
fn owned(fd: RawFd) -> std::fs::File {
    use std::os::fd::FromRawFd;
    // SAFETY: `fd` was just returned by the kernel to this thread and nothing else owns it.
    unsafe { std::fs::File::from_raw_fd(fd) }
}

fn fd_arg(f: &impl AsRawFd) -> u64 {
    u64::try_from(f.as_raw_fd()).expect("descriptors are positive")
}

// ---------------------------------------------------------------------------------------
// Foreign architectures: i386 `int 0x80` and x32 numbers kill the whole process
// ---------------------------------------------------------------------------------------

/// Checks how a child that made an i386 syscall ended: a kill by SIGSYS, or (where the
/// kernel has no i386 emulation, so `int 0x80` faults before seccomp sees anything) a skip.
#[cfg(target_arch = "x86_64")]
fn assert_int80_killed(outcome: &common::Outcome) {
    use std::os::unix::process::ExitStatusExt;
    if outcome.output.status.signal() == Some(libc::SIGSEGV)
        && !String::from_utf8_lossy(&outcome.output.stderr).contains("i386 getpid works")
    {
        common::skip("this kernel has no i386 emulation: int 0x80 faults");
        return;
    }
    outcome.assert_killed_by(libc::SIGSYS);
    let stderr = String::from_utf8_lossy(&outcome.output.stderr);
    assert!(stderr.contains("i386 getpid works"), "{stderr}");
    assert!(!stderr.contains("survived"), "{stderr}");
}

#[cfg(target_arch = "x86_64")]
#[test]
fn int_0x80_getpid_kills_the_process() {
    let outcome = run_in_child("int_0x80_getpid_kills_the_process", || {
        expect_to_be_killed();
        // Without a filter the i386 syscall works, so a kill below is the filter's doing.
        assert_eq!(int80(I386_GETPID), pid());
        eprintln!("i386 getpid works");
        // getpid is allowed (BasicCapabilities): only the architecture is wrong.
        sandbox(stderr_only());
        assert_eq!(raw_syscall(libc::SYS_getpid, [0; 6]), Ok(i64::from(pid())));
        int80(I386_GETPID);
        eprintln!("survived int 0x80");
    });
    assert_int80_killed(&outcome);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn int_0x80_in_a_second_thread_kills_the_whole_process() {
    let outcome = run_in_child(
        "int_0x80_in_a_second_thread_kills_the_whole_process",
        || {
            expect_to_be_killed();
            assert_eq!(int80(I386_GETPID), pid());
            eprintln!("i386 getpid works");
            // The main thread has no filter at all and would exit 0 after the wait.
            in_sandboxed_thread(stderr_only(), || {
                int80(I386_GETPID);
                eprintln!("survived int 0x80 in the thread");
            });
        },
    );
    assert_int80_killed(&outcome);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn int_0x80_kills_even_when_the_default_action_only_logs() {
    let outcome = run_in_child(
        "int_0x80_kills_even_when_the_default_action_only_logs",
        || {
            expect_to_be_killed();
            assert_eq!(int80(I386_GETPID), pid());
            eprintln!("i386 getpid works");
            sandbox(
                SafetyContext::new()
                    .with_default_action(DefaultAction::Log)
                    .enable(SystemIO::nothing().allow_stderr())
                    .unwrap(),
            );
            int80(I386_GETPID);
            eprintln!("survived int 0x80");
        },
    );
    assert_int80_killed(&outcome);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn x32_number_of_an_allowed_syscall_kills_the_process() {
    let outcome = run_in_child("x32_number_of_an_allowed_syscall_kills_the_process", || {
        expect_to_be_killed();
        sandbox(stderr_only());
        // x32 getpid: the same number as x86_64's with bit 30 set; getpid itself is allowed.
        let _ = raw_syscall(libc::SYS_getpid | 0x4000_0000, [0; 6]);
        eprintln!("survived x32 getpid");
    });
    outcome.assert_killed_by(libc::SIGSYS);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn x32_only_syscall_number_kills_the_process() {
    let outcome = run_in_child("x32_only_syscall_number_kills_the_process", || {
        expect_to_be_killed();
        sandbox(stderr_only());
        // 512 is x32's rt_sigaction, a number only the x32 table has.
        let _ = raw_syscall((X32_SYSCALL_BIT | 512) as libc::c_long, [0; 6]);
        eprintln!("survived x32 rt_sigaction");
    });
    outcome.assert_killed_by(libc::SIGSYS);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn x32_number_with_junk_in_the_upper_half_kills_the_process() {
    let outcome = run_in_child(
        "x32_number_with_junk_in_the_upper_half_kills_the_process",
        || {
            expect_to_be_killed();
            sandbox(stderr_only());
            let n = (1u64 << 32) | X32_SYSCALL_BIT | nr(libc::SYS_getpid);
            let _ = raw_syscall(n as libc::c_long, [0; 6]);
            eprintln!("survived");
        },
    );
    outcome.assert_killed_by(libc::SIGSYS);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn x32_number_in_a_second_thread_kills_the_whole_process() {
    let outcome = run_in_child(
        "x32_number_in_a_second_thread_kills_the_whole_process",
        || {
            expect_to_be_killed();
            in_sandboxed_thread(stderr_only(), || {
                let _ = raw_syscall(libc::SYS_getpid | 0x4000_0000, [0; 6]);
            });
        },
    );
    outcome.assert_killed_by(libc::SIGSYS);
}

// ---------------------------------------------------------------------------------------
// Syscall numbers: high bits, numbers beyond the table
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    /// The kernel takes the syscall number as an `int` (the low 32 bits of the register), and
    /// so does seccomp's `nr`: junk above bit 31 changes neither.
    fn high_bits_in_the_syscall_number_do_not_hide_a_denied_syscall() {
        let path = c"/etc/hostname";
        let openat_with = |high: u64| {
            raw_syscall(
                (high | nr(libc::SYS_openat)) as libc::c_long,
                [int(libc::AT_FDCWD), path.as_ptr() as u64, int(libc::O_RDONLY | libc::O_CLOEXEC), 0, 0, 0],
            )
        };
        // Without a filter the kernel runs openat for these numbers.
        for high in [1u64 << 32, 0xffff_ffff_0000_0000] {
            let fd = openat_with(high).expect("the kernel reads the low 32 bits of the number");
            drop(owned(i32::try_from(fd).unwrap()));
        }
        sandbox(stderr_only());
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
        for high in [1u64 << 32, 1u64 << 63, 0xffff_ffff_0000_0000, 0xdead_beef_0000_0000] {
            assert_eq!(openat_with(high), Err(libc::EPERM), "openat | {high:#x}");
        }
        // And an allowed syscall stays what the kernel runs: getpid.
        let getpid = ((1u64 << 32) | nr(libc::SYS_getpid)) as libc::c_long;
        assert_eq!(raw_syscall(getpid, [0; 6]), Ok(i64::from(pid())));
    }
}

sandboxed_test! {
    /// Numbers above the highest syscall extrasafe knows fail with ENOSYS (so that libc falls
    /// back to an older call). -1 (0xffffffff as the kernel's `int`, whether passed as
    /// 0xffffffff or as a 64-bit -1) is among them: the filter answers ENOSYS for it, the
    /// answer the kernel itself gives to syscall -1, so nothing reaches a syscall table.
    fn syscall_numbers_beyond_the_table_fail_with_enosys() {
        let max = u64::try_from(Sysno::MAX_ID).unwrap();
        sandbox(stderr_only());
        for n in [
            max + 1,
            1000,
            0x3fff_ffff,
            0x8000_0000,
            0xffff_fffe,
            0xffff_ffff,
            (1u64 << 32) | 1000,
            u64::MAX, // -1 as a long: the kernel's "no syscall"
        ] {
            assert_eq!(raw_syscall(n as libc::c_long, [0; 6]), Err(libc::ENOSYS), "nr {n:#x}");
        }
    }
}

sandboxed_test! {
    fn syscall_numbers_beyond_the_table_fail_with_enosys_even_under_kill_process() {
        sandbox(
            SafetyContext::new()
                .with_default_action(DefaultAction::KillProcess)
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        for n in [1000u64, 0xffff_ffff] {
            assert_eq!(raw_syscall(n as libc::c_long, [0; 6]), Err(libc::ENOSYS), "nr {n:#x}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Namespaces and clone3
// ---------------------------------------------------------------------------------------

const NAMESPACE_FLAGS: &[(&str, libc::c_int)] = &[
    ("CLONE_NEWUSER", libc::CLONE_NEWUSER),
    ("CLONE_NEWNS", libc::CLONE_NEWNS),
    ("CLONE_NEWPID", libc::CLONE_NEWPID),
    ("CLONE_NEWNET", libc::CLONE_NEWNET),
    ("CLONE_NEWIPC", libc::CLONE_NEWIPC),
    ("CLONE_NEWUTS", libc::CLONE_NEWUTS),
    ("CLONE_NEWCGROUP", libc::CLONE_NEWCGROUP),
];

/// A raw clone(2). Should the filter wrongly let it through, a process-like child leaves at
/// once, and a thread-like child (given an unusable stack) faults and takes the process
/// down: either way the test fails loudly instead of running on in two copies.
#[allow(unsafe_code)]
fn raw_clone(flags: u64, stack: u64) -> Result<i64, i32> {
    let rc = raw_syscall(libc::SYS_clone, [flags, stack, 0, 0, 0, 0]);
    if rc == Ok(0) {
        // SAFETY: we are a freshly cloned child: leave without running any more of the test.
        unsafe { libc::_exit(99) };
    }
    rc
}

sandboxed_test! {
    fn clone_with_a_namespace_flag_is_denied_under_threads_allow_create() {
        sandbox(
            SafetyContext::new()
                .enable(Threads::nothing().allow_create())
                .unwrap()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        // An address no stack can be at: a thread made with it faults at once.
        let bad_stack = 8;
        for &(name, flag) in NAMESPACE_FLAGS {
            let flag = u64::from(flag.unsigned_abs());
            for (what, base, stack) in [
                ("glibc thread flags", GLIBC_THREAD_FLAGS, bad_stack),
                ("musl thread flags", MUSL_THREAD_FLAGS, bad_stack),
                ("SIGCHLD", int(libc::SIGCHLD), 0),
            ] {
                assert_eq!(raw_clone(base | flag, stack), Err(libc::EPERM), "clone({what} | {name})");
                // The kernel reads the low 32 bits of clone's flags: junk above them must not
                // help either.
                assert_eq!(raw_clone(JUNK | base | flag, stack), Err(libc::EPERM), "clone(junk | {what} | {name})");
            }
            assert_eq!(raw_syscall(libc::SYS_unshare, [flag, 0, 0, 0, 0, 0]), Err(libc::EPERM), "unshare({name})");
        }
        assert_eq!(raw_syscall(libc::SYS_setns, [0, 0, 0, 0, 0, 0]), Err(libc::EPERM), "setns");
        // The exact thread flags still work: std spawns threads.
        assert_eq!(std::thread::spawn(|| 40 + 2).join().unwrap(), 42);
    }
}

sandboxed_test! {
    fn clone_with_a_namespace_flag_is_denied_under_fork_and_exec() {
        sandbox(
            SafetyContext::new()
                .enable(ForkAndExec)
                .unwrap()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        for &(name, flag) in NAMESPACE_FLAGS {
            let flag = u64::from(flag.unsigned_abs());
            for base in [
                extrasafe::builtins::danger_zone::GLIBC_FORK_FLAGS,
                extrasafe::builtins::danger_zone::PLAIN_FORK_FLAGS,
                extrasafe::builtins::danger_zone::SPAWN_FLAGS,
            ] {
                assert_eq!(raw_clone(base | flag, 0), Err(libc::EPERM), "clone({base:#x} | {name})");
                assert_eq!(raw_clone(JUNK | base | flag, 0), Err(libc::EPERM), "clone(junk | {base:#x} | {name})");
            }
        }
    }
}

/// `struct clone_args` (CLONE_ARGS_SIZE_VER2, 88 bytes).
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// A raw clone3(2) with `args`; a child, should one be made, leaves at once.
#[allow(unsafe_code)]
fn raw_clone3(args: &CloneArgs) -> Result<i64, i32> {
    let size = std::mem::size_of::<CloneArgs>() as u64;
    let rc = raw_syscall(
        libc::SYS_clone3,
        [std::ptr::from_ref(args) as u64, size, 0, 0, 0, 0],
    );
    if rc == Ok(0) {
        // SAFETY: we are a freshly cloned child: leave without running any more of the test.
        unsafe { libc::_exit(0) };
    }
    rc
}

#[allow(unsafe_code)]
fn reap(pid: i64) {
    let mut status = 0;
    // SAFETY: `status` is a valid out-pointer for the duration of the call.
    let rc = unsafe { libc::waitpid(i32::try_from(pid).unwrap(), &mut status, 0) };
    assert_eq!(i64::from(rc), pid, "waitpid");
}

sandboxed_test! {
    fn clone3_fails_with_enosys_while_threads_still_start() {
        let fork_like = CloneArgs { exit_signal: int(libc::SIGCHLD), ..CloneArgs::default() };
        // Without a filter these arguments are valid: clone3 makes a child.
        let child = raw_clone3(&fork_like).expect("clone3 works without a filter");
        reap(child);

        sandbox(
            SafetyContext::new()
                .enable(Threads::nothing().allow_create())
                .unwrap()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        assert_eq!(raw_clone3(&fork_like), Err(libc::ENOSYS));
        for &(name, flag) in NAMESPACE_FLAGS {
            let args = CloneArgs {
                flags: u64::from(flag.unsigned_abs()),
                exit_signal: int(libc::SIGCHLD),
                ..CloneArgs::default()
            };
            assert_eq!(raw_clone3(&args), Err(libc::ENOSYS), "clone3({name})");
        }
        // glibc falls back to clone(2) with the thread flags, which the filter allows.
        let handles: Vec<_> = (0..3).map(|i| std::thread::spawn(move || i * 2)).collect();
        let sum: i32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(sum, 6);
    }
}

sandboxed_test! {
    fn clone3_fails_with_enosys_even_when_a_ruleset_allows_it() {
        sandbox(
            SafetyContext::new()
                .enable(Sysno::clone3)
                .unwrap()
                .enable(ForkAndExec)
                .unwrap()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        let args = CloneArgs {
            flags: u64::from(libc::CLONE_NEWUSER.unsigned_abs()),
            exit_signal: int(libc::SIGCHLD),
            ..CloneArgs::default()
        };
        assert_eq!(raw_clone3(&args), Err(libc::ENOSYS));
    }
}

// ---------------------------------------------------------------------------------------
// io_uring
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    /// io_uring executes its operations without the submitting thread's filter: a context
    /// that does not ask for it by name must not get it.
    fn io_uring_is_denied_under_a_typical_context() {
        let mut params = [0u8; 120]; // struct io_uring_params
        // Without a filter io_uring works here (if the kernel has it).
        match raw_syscall(libc::SYS_io_uring_setup, [8, params.as_mut_ptr() as u64, 0, 0, 0, 0]) {
            Ok(fd) => drop(owned(i32::try_from(fd).unwrap())),
            Err(e) => eprintln!("note: io_uring_setup fails without a filter too: errno {e}"),
        }
        params = [0u8; 120];
        sandbox(
            SafetyContext::new()
                .enable(SystemIO::everything())
                .unwrap()
                .enable(Threads::nothing().allow_create())
                .unwrap()
                .enable(Time::nothing().allow_gettime())
                .unwrap()
                .enable(Pipes)
                .unwrap(),
        );
        assert_eq!(
            raw_syscall(libc::SYS_io_uring_setup, [8, params.as_mut_ptr() as u64, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
        assert_eq!(raw_syscall(libc::SYS_io_uring_enter, [0, 1, 0, 0, 0, 0]), Err(libc::EPERM));
        assert_eq!(raw_syscall(libc::SYS_io_uring_register, [0, 0, 0, 0, 0, 0]), Err(libc::EPERM));
    }
}

// ---------------------------------------------------------------------------------------
// Socket families and types
// ---------------------------------------------------------------------------------------

fn socket(domain: libc::c_int, ty: libc::c_int) -> Result<i64, i32> {
    raw_syscall(libc::SYS_socket, [int(domain), int(ty), 0, 0, 0, 0])
}

const OTHER_FAMILIES: &[(&str, libc::c_int, libc::c_int)] = &[
    ("AF_NETLINK", libc::AF_NETLINK, libc::SOCK_RAW),
    ("AF_PACKET", libc::AF_PACKET, libc::SOCK_RAW),
    ("AF_ALG", libc::AF_ALG, libc::SOCK_SEQPACKET),
    ("AF_VSOCK", libc::AF_VSOCK, libc::SOCK_STREAM),
    ("AF_BLUETOOTH", libc::AF_BLUETOOTH, libc::SOCK_STREAM),
    ("AF_KEY", libc::AF_KEY, libc::SOCK_RAW),
];

sandboxed_test! {
    fn tcp_server_start_allows_only_inet_stream_sockets() {
        sandbox(
            SafetyContext::new()
                .enable(Networking::nothing().allow_start_tcp_servers().yes_really())
                .unwrap(),
        );
        assert!(socket(libc::AF_INET, libc::SOCK_STREAM).is_ok());
        assert!(socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK).is_ok());
        for (what, domain, ty) in [
            ("AF_INET SOCK_DGRAM", libc::AF_INET, libc::SOCK_DGRAM),
            ("AF_INET SOCK_RAW", libc::AF_INET, libc::SOCK_RAW),
            ("AF_INET6 SOCK_RAW", libc::AF_INET6, libc::SOCK_RAW),
            ("AF_INET SOCK_SEQPACKET", libc::AF_INET, libc::SOCK_SEQPACKET),
            ("AF_UNIX SOCK_STREAM", libc::AF_UNIX, libc::SOCK_STREAM),
            // A type with a bit that is neither NONBLOCK nor CLOEXEC.
            ("AF_INET SOCK_STREAM|0x100", libc::AF_INET, libc::SOCK_STREAM | 0x100),
        ] {
            assert_eq!(socket(domain, ty), Err(libc::EPERM), "{what}");
        }
        for &(what, domain, ty) in OTHER_FAMILIES {
            assert_eq!(socket(domain, ty), Err(libc::EPERM), "{what}");
        }
        let mut pair = [0i32; 2];
        assert_eq!(
            raw_syscall(libc::SYS_socketpair, [int(libc::AF_UNIX), int(libc::SOCK_STREAM), 0, pair.as_mut_ptr() as u64, 0, 0]),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn udp_and_unix_server_starts_allow_only_their_own_sockets() {
        sandbox(
            SafetyContext::new()
                .enable(Networking::nothing().allow_start_udp_servers().yes_really().allow_start_unix_servers().yes_really())
                .unwrap(),
        );
        assert!(socket(libc::AF_INET, libc::SOCK_DGRAM).is_ok());
        assert!(socket(libc::AF_UNIX, libc::SOCK_STREAM).is_ok());
        assert!(socket(libc::AF_UNIX, libc::SOCK_DGRAM).is_ok());
        for (what, domain, ty) in [
            ("AF_INET SOCK_STREAM", libc::AF_INET, libc::SOCK_STREAM),
            ("AF_INET SOCK_RAW", libc::AF_INET, libc::SOCK_RAW),
            ("AF_UNIX SOCK_SEQPACKET", libc::AF_UNIX, libc::SOCK_SEQPACKET),
            ("AF_UNIX SOCK_RAW", libc::AF_UNIX, libc::SOCK_RAW),
        ] {
            assert_eq!(socket(domain, ty), Err(libc::EPERM), "{what}");
        }
        for &(what, domain, ty) in OTHER_FAMILIES {
            assert_eq!(socket(domain, ty), Err(libc::EPERM), "{what}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 32-bit arguments with junk in the upper half
// ---------------------------------------------------------------------------------------

const JUNK: u64 = 0xdead_beef_0000_0000;

/// The address family of a socket, from getsockname.
#[allow(unsafe_code)]
fn family_of(fd: i64) -> libc::c_int {
    // SAFETY: sockaddr_storage is plain data; all zeroes is a valid value.
    let mut addr: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let rc = raw_syscall(
        libc::SYS_getsockname,
        [
            fd as u64,
            std::ptr::from_mut(&mut addr) as u64,
            std::ptr::from_mut(&mut len) as u64,
            0,
            0,
            0,
        ],
    );
    assert_eq!(rc, Ok(0), "getsockname");
    libc::c_int::from(addr.ss_family)
}

sandboxed_test! {
    /// socket(2) reads its domain and type as `int`s: `AF_INET | junk << 32` *is* AF_INET to
    /// the kernel, so allowing it is right (and denying it would only break callers that leave
    /// garbage in the upper half). The filter compares the low 32 bits only, as the kernel.
    fn junk_above_a_32_bit_socket_domain_is_ignored_as_the_kernel_ignores_it() {
        let fd = raw_syscall(libc::SYS_socket, [JUNK | int(libc::AF_INET), int(libc::SOCK_STREAM), 0, 0, 0, 0])
            .expect("without a filter the kernel reads the low 32 bits");
        assert_eq!(family_of(fd), libc::AF_INET);

        sandbox(
            SafetyContext::new()
                .enable(Networking::nothing().allow_start_tcp_servers().yes_really())
                .unwrap(),
        );
        let domain = JUNK | u64::from(libc::AF_INET.unsigned_abs());
        let ty = 0xffff_ffff_0000_0000 | u64::from(libc::SOCK_STREAM.unsigned_abs());
        let fd = raw_syscall(libc::SYS_socket, [domain, ty, 0, 0, 0, 0]).expect("allowed: the kernel sees AF_INET, SOCK_STREAM");
        assert_eq!(family_of(fd), libc::AF_INET, "the kernel made an AF_INET socket");
        // Junk does not make a denied family or type allowed either.
        let netlink = JUNK | u64::from(libc::AF_NETLINK.unsigned_abs());
        assert_eq!(raw_syscall(libc::SYS_socket, [netlink, int(libc::SOCK_RAW), 0, 0, 0, 0]), Err(libc::EPERM));
        let dgram = JUNK | u64::from(libc::SOCK_DGRAM.unsigned_abs());
        assert_eq!(raw_syscall(libc::SYS_socket, [int(libc::AF_INET), dgram, 0, 0, 0, 0]), Err(libc::EPERM));
    }
}

/// fcntl allowed unless the command is F_SETFL: a `!=` condition on a 32-bit argument.
struct FcntlExceptSetfl;

impl RuleSet for FcntlExceptSetfl {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn conditional_rules(&self) -> std::collections::HashMap<Sysno, Vec<SeccompRule>> {
        let rule = SeccompRule::new(Sysno::fcntl)
            .and_condition(seccomp_arg_filter!(arg1 != libc::F_SETFL));
        std::collections::HashMap::from([(Sysno::fcntl, vec![rule])])
    }

    fn name(&self) -> &'static str {
        "FcntlExceptSetfl"
    }
}

/// fcntl allowed only for commands above F_SETFL: a `>` condition on a 32-bit argument.
struct FcntlAboveSetfl;

impl RuleSet for FcntlAboveSetfl {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn conditional_rules(&self) -> std::collections::HashMap<Sysno, Vec<SeccompRule>> {
        let rule =
            SeccompRule::new(Sysno::fcntl).and_condition(seccomp_arg_filter!(arg1 > libc::F_SETFL));
        std::collections::HashMap::from([(Sysno::fcntl, vec![rule])])
    }

    fn name(&self) -> &'static str {
        "FcntlAboveSetfl"
    }
}

fn fcntl(fd: u64, cmd: u64, arg: u64) -> Result<i64, i32> {
    raw_syscall(libc::SYS_fcntl, [fd, cmd, arg, 0, 0, 0])
}

sandboxed_test! {
    /// The bypass the 32-bit comparison prevents: with a plain 64-bit `!=`, `F_SETFL | junk << 32`
    /// differs from F_SETFL and would pass, while the kernel reads F_SETFL.
    fn junk_above_a_32_bit_argument_does_not_pass_a_not_equal_condition() {
        let (r, _w) = pipe();
        let fd = fd_arg(&r);
        let setfl = JUNK | int(libc::F_SETFL);
        let getfl = JUNK | int(libc::F_GETFL);
        let nonblock = int(libc::O_NONBLOCK);
        // Without a filter the kernel reads F_SETFL and F_GETFL through the junk.
        assert_eq!(fcntl(fd, setfl, nonblock), Ok(0));
        assert_ne!(fcntl(fd, getfl, 0).unwrap() & i64::from(libc::O_NONBLOCK), 0);
        assert_eq!(fcntl(fd, int(libc::F_SETFL), 0), Ok(0));

        sandbox(
            SafetyContext::new()
                .enable(FcntlExceptSetfl)
                .unwrap()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        assert_eq!(fcntl(fd, int(libc::F_SETFL), nonblock), Err(libc::EPERM));
        for junk in [1u64 << 32, JUNK, 0xffff_ffff_0000_0000, 1u64 << 63] {
            assert_eq!(fcntl(fd, junk | int(libc::F_SETFL), nonblock), Err(libc::EPERM), "F_SETFL | {junk:#x}");
        }
        // Other commands pass, with or without junk, and the kernel reads them as they are.
        let flags = fcntl(fd, getfl, 0).expect("F_GETFL | junk is F_GETFL");
        assert_eq!(flags & i64::from(libc::O_NONBLOCK), 0, "O_NONBLOCK was never set");
        assert!(fcntl(fd, int(libc::F_GETFD), 0).is_ok());
    }
}

sandboxed_test! {
    fn junk_above_a_32_bit_argument_does_not_pass_a_greater_than_condition() {
        let (r, _w) = pipe();
        let fd = fd_arg(&r);
        sandbox(
            SafetyContext::new()
                .enable(FcntlAboveSetfl)
                .unwrap()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        // F_GETFL (3) is not above F_SETFL (4), with junk or without.
        assert_eq!(fcntl(fd, int(libc::F_GETFL), 0), Err(libc::EPERM));
        assert_eq!(fcntl(fd, JUNK | int(libc::F_GETFL), 0), Err(libc::EPERM));
        assert_eq!(fcntl(fd, JUNK | int(libc::F_SETFL), 0), Err(libc::EPERM));
        // F_GETPIPE_SZ (1032) is, with junk or without.
        assert!(fcntl(fd, int(libc::F_GETPIPE_SZ), 0).is_ok());
        assert!(fcntl(fd, JUNK | int(libc::F_GETPIPE_SZ), 0).is_ok());
    }
}

sandboxed_test! {
    /// write(2)'s fd is an `unsigned int`: `1 | 1 << 32` is stdout to the kernel (allowed),
    /// and `pipe | 1 << 32` is the pipe (denied).
    fn allow_stdout_compares_the_low_32_bits_of_the_descriptor() {
        let (_r, w) = pipe();
        let pipe_fd = fd_arg(&w);
        let msg = b"x";
        let write = |fd: u64| raw_syscall(libc::SYS_write, [fd, msg.as_ptr() as u64, 1, 0, 0, 0]);
        assert_eq!(write((1 << 32) | pipe_fd), Ok(1), "without a filter the kernel reads the low 32 bits");

        sandbox(
            SafetyContext::new()
                .enable(SystemIO::nothing().allow_stdout().allow_stderr())
                .unwrap(),
        );
        assert_eq!(write(1), Ok(1));
        assert_eq!(write((1 << 32) | 1), Ok(1), "the kernel sees fd 1");
        assert_eq!(write(0xffff_ffff_0000_0001), Ok(1), "the kernel sees fd 1");
        assert_eq!(write(pipe_fd), Err(libc::EPERM));
        assert_eq!(write((1 << 32) | pipe_fd), Err(libc::EPERM));
        assert_eq!(write(JUNK | pipe_fd), Err(libc::EPERM));
        assert_eq!(write(JUNK | 3), Err(libc::EPERM));
    }
}

// ---------------------------------------------------------------------------------------
// 64-bit arguments: comparisons look at the whole register
// ---------------------------------------------------------------------------------------

/// lseek allowed for offsets in `[0x10, 0x1_0000_0000)` (lseek's offset is a 64-bit `off_t`).
struct SmallSeeks;

impl RuleSet for SmallSeeks {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn conditional_rules(&self) -> std::collections::HashMap<Sysno, Vec<SeccompRule>> {
        let one = SeccompRule::new(Sysno::lseek)
            .and_condition(seccomp_arg_filter!(arg1 < 0x1_0000_0000u64));
        let two = SeccompRule::new(Sysno::lseek)
            .and_condition(seccomp_arg_filter!(arg1 >= 0x10))
            .and_condition(seccomp_arg_filter!(arg1 <= 0x2_0000_0000u64));
        std::collections::HashMap::from([(Sysno::lseek, vec![one, two])])
    }

    fn name(&self) -> &'static str {
        "SmallSeeks"
    }
}

sandboxed_test! {
    fn comparisons_on_a_64_bit_argument_use_all_64_bits() {
        let file = std::fs::File::open("/etc/hostname").unwrap();
        let fd = fd_arg(&file);
        let seek = |off: u64| raw_syscall(libc::SYS_lseek, [fd, off, int(libc::SEEK_SET), 0, 0, 0]);
        sandbox(
            SafetyContext::new()
                .enable(SmallSeeks)
                .unwrap()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        for off in [0u64, 5, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0001, 0x2_0000_0000] {
            assert_eq!(seek(off), Ok(off as i64), "lseek to {off:#x}");
        }
        for off in [0x2_0000_0001u64, 0x1_0000_0000_0000, u64::MAX, 1u64 << 63] {
            assert_eq!(seek(off), Err(libc::EPERM), "lseek to {off:#x}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Stacking filters
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    fn a_permissive_filter_loaded_after_a_strict_one_does_not_widen_it() {
        let permissive = SafetyContext::new()
            .enable(SystemIO::everything())
            .unwrap()
            .compile()
            .unwrap();
        // The strict filter lets a second filter be loaded, and nothing about files.
        sandbox(
            SafetyContext::new()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap()
                .enable(Sysno::prctl)
                .unwrap()
                .enable(Sysno::seccomp)
                .unwrap(),
        );
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
        permissive.apply_to_current_thread().expect("the strict filter allows loading another");
        // Both filters run; the strictest answer wins.
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
        assert_errno(std::fs::read_dir("/"), libc::EPERM);
    }
}

sandboxed_test! {
    fn a_filter_that_denies_prctl_and_seccomp_cannot_be_replaced() {
        let permissive = SafetyContext::new()
            .enable(SystemIO::everything())
            .unwrap()
            .compile()
            .unwrap();
        sandbox(stderr_only());
        let err = permissive.apply_to_current_thread().unwrap_err();
        assert!(matches!(err, ExtraSafeError::SeccompError(_)), "{err:?}");
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
    }
}

// ---------------------------------------------------------------------------------------
// apply_to_all_threads
// ---------------------------------------------------------------------------------------

/// The value of `field` in a `/proc/.../status` file.
fn status_field<'a>(status: &'a str, field: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .map(str::trim)
}

/// `(tid, status text)` for every thread of this process.
fn thread_statuses() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").expect("list /proc/self/task") {
        let entry = entry.unwrap();
        let status =
            std::fs::read_to_string(entry.path().join("status")).expect("read a status file");
        out.push((entry.file_name().to_string_lossy().into_owned(), status));
    }
    out
}

sandboxed_test! {
    fn apply_to_all_threads_reaches_threads_that_already_exist() {
        let mut workers = Vec::new();
        let (results_tx, results_rx) = mpsc::channel();
        for _ in 0..3 {
            let (go_tx, go_rx) = mpsc::channel::<()>();
            let results_tx = results_tx.clone();
            let handle = std::thread::spawn(move || {
                go_rx.recv().unwrap();
                let create = std::fs::File::create("/tmp/extrasafe-bypass-all-threads");
                let getppid = raw_syscall(libc::SYS_getppid, [0; 6]);
                results_tx.send((create.map_err(|e| common::errno(&e)).map(|_| ()), getppid)).unwrap();
            });
            workers.push((go_tx, handle));
        }
        let before = thread_statuses();
        assert!(before.len() >= 4, "{} threads", before.len());
        for (tid, status) in &before {
            assert_eq!(status_field(status, "Seccomp"), Some("0"), "thread {tid} before");
        }

        let report = SafetyContext::new()
            .enable(
                SystemIO::nothing()
                    .allow_open_readonly()
                    .allow_read()
                    .allow_close()
                    .allow_metadata()
                    .allow_stderr(),
            )
            .unwrap()
            .enforce_on_all_threads()
            .unwrap();
        assert_eq!(report.seccomp.unwrap().scope, extrasafe::SeccompScope::AllThreads);

        let after = thread_statuses();
        assert_eq!(after.len(), before.len());
        for (tid, status) in &after {
            assert_eq!(status_field(status, "Seccomp"), Some("2"), "thread {tid}: {status}");
            let filters: u32 = status_field(status, "Seccomp_filters").unwrap().parse().unwrap();
            assert!(filters >= 1, "thread {tid}: {filters} filters");
            assert_eq!(status_field(status, "NoNewPrivs"), Some("1"), "thread {tid}");
        }
        for (go, _) in &workers {
            go.send(()).unwrap();
        }
        for _ in 0..workers.len() {
            let (create, getppid) = results_rx.recv().unwrap();
            assert_eq!(create, Err(libc::EPERM), "creating a file in a worker thread");
            assert_eq!(getppid, Err(libc::EPERM), "getppid in a worker thread");
        }
        for (_, handle) in workers {
            handle.join().unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Default actions
// ---------------------------------------------------------------------------------------

fn with_default(action: DefaultAction) -> SafetyContext {
    SafetyContext::new()
        .with_default_action(action)
        .enable(SystemIO::nothing().allow_stderr())
        .unwrap()
}

#[test]
fn a_denied_syscall_kills_the_process_under_kill_process() {
    let outcome = run_in_child(
        "a_denied_syscall_kills_the_process_under_kill_process",
        || {
            expect_to_be_killed();
            sandbox(with_default(DefaultAction::KillProcess));
            let _ = raw_syscall(libc::SYS_getppid, [0; 6]);
            eprintln!("survived getppid");
        },
    );
    outcome.assert_killed_by(libc::SIGSYS);
}

#[test]
fn kill_process_in_a_second_thread_kills_the_whole_process() {
    let outcome = run_in_child(
        "kill_process_in_a_second_thread_kills_the_whole_process",
        || {
            expect_to_be_killed();
            in_sandboxed_thread(with_default(DefaultAction::KillProcess), || {
                let _ = raw_syscall(libc::SYS_getppid, [0; 6]);
            });
        },
    );
    outcome.assert_killed_by(libc::SIGSYS);
}

#[test]
fn trap_without_a_handler_ends_the_process_with_sigsys() {
    let outcome = run_in_child(
        "trap_without_a_handler_ends_the_process_with_sigsys",
        || {
            expect_to_be_killed();
            sandbox(with_default(DefaultAction::Trap));
            let _ = raw_syscall(libc::SYS_getppid, [0; 6]);
            eprintln!("survived getppid");
        },
    );
    outcome.assert_killed_by(libc::SIGSYS);
}

mod trap {
    use std::sync::atomic::{AtomicI64, Ordering};

    pub(super) static SIGNAL: AtomicI64 = AtomicI64::new(0);
    pub(super) static CODE: AtomicI64 = AtomicI64::new(0);
    pub(super) static SYSCALL: AtomicI64 = AtomicI64::new(0);
    pub(super) static TID: AtomicI64 = AtomicI64::new(0);

    /// Records what the SIGSYS says. `siginfo_t` for SIGSYS holds, after the three `int`s
    /// and padding, `void *_call_addr; int _syscall; unsigned int _arch;` (offsets 16, 24, 28).
    #[allow(unsafe_code)]
    extern "C" fn on_sigsys(sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
        SIGNAL.store(i64::from(sig), Ordering::SeqCst);
        // SAFETY: the kernel passes a valid siginfo_t for a SA_SIGINFO handler; for SIGSYS
        // the int at offset 24 is the syscall number.
        let (code, syscall) = unsafe {
            (
                (*info).si_code,
                info.cast::<u8>().add(24).cast::<i32>().read(),
            )
        };
        CODE.store(i64::from(code), Ordering::SeqCst);
        SYSCALL.store(i64::from(syscall), Ordering::SeqCst);
        // SAFETY: gettid takes no arguments and is async-signal-safe.
        TID.store(unsafe { libc::syscall(libc::SYS_gettid) }, Ordering::SeqCst);
    }

    #[allow(unsafe_code)]
    pub(super) fn install() {
        // SAFETY: sigaction is plain data; all zeroes is a valid value.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_sigsys as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        // SAFETY: `action` is valid and outlives the call; the handler only stores atomics
        // and makes an async-signal-safe syscall.
        let rc = unsafe { libc::sigaction(libc::SIGSYS, &action, std::ptr::null_mut()) };
        assert_eq!(rc, 0, "sigaction");
    }
}

sandboxed_test! {
    fn trap_delivers_sigsys_to_the_calling_thread() {
        use std::sync::atomic::Ordering;
        trap::install();
        let (tx, rx) = mpsc::channel();
        // Trap on a second thread, so that "the calling thread" is not simply the main one.
        let thread = std::thread::spawn(move || {
            sandbox(with_default(DefaultAction::Trap));
            let tid = raw_syscall(libc::SYS_gettid, [0; 6]).unwrap();
            let _ = raw_syscall(libc::SYS_getppid, [0; 6]);
            tx.send(tid).unwrap();
        });
        let tid = rx.recv().unwrap();
        thread.join().unwrap();
        assert_eq!(trap::SIGNAL.load(Ordering::SeqCst), i64::from(libc::SIGSYS));
        assert_eq!(trap::CODE.load(Ordering::SeqCst), i64::from(SYS_SECCOMP), "si_code");
        assert_eq!(trap::SYSCALL.load(Ordering::SeqCst), libc::SYS_getppid, "si_syscall");
        assert_eq!(trap::TID.load(Ordering::SeqCst), tid, "the handler ran on the trapping thread");
    }
}

sandboxed_test! {
    fn log_allows_what_no_rule_allows() {
        sandbox(with_default(DefaultAction::Log));
        let text = std::fs::read_to_string("/etc/hostname");
        assert!(text.is_ok(), "{text:?}");
        assert!(raw_syscall(libc::SYS_getppid, [0; 6]).unwrap() > 0);
        // The prologue's answers do not depend on the default action.
        assert_eq!(raw_syscall(1000, [0; 6]), Err(libc::ENOSYS));
    }
}

/// Allows `mprotect` when `arg1 <= 0` or when `arg1 >= u64::MAX`, in two rules.
struct TwoRanges;

impl RuleSet for TwoRanges {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        HashMap::from([(
            Sysno::mprotect,
            vec![
                SeccompRule::new(Sysno::mprotect).and_condition(seccomp_arg_filter!(arg1 <= 0)),
                SeccompRule::new(Sysno::mprotect)
                    .and_condition(seccomp_arg_filter!(arg1 >= u64::MAX)),
            ],
        )])
    }

    fn name(&self) -> &'static str {
        "TwoRanges"
    }
}

sandboxed_test! {
    /// libseccomp 2.5.4 compiles two range rules on one 64-bit argument into a program that
    /// allowed values matching neither (found by a differential test); extrasafe now compiles
    /// ranges into masked equalities itself.
    fn two_range_rules_on_a_64_bit_argument_allow_nothing_between_them() {
        SafetyContext::new()
            .enable(TwoRanges)
            .unwrap()
            .apply_to_current_thread()
            .unwrap();
        // Neither `<= 0` nor `>= u64::MAX`: denied by the filter (EPERM), not EINVAL from the kernel.
        assert_eq!(
            raw_syscall(libc::SYS_mprotect, [1, 0xffff_ffff, 1, 0, 0, 0]),
            Err(libc::EPERM)
        );
        // `<= 0`: reaches the kernel (EINVAL for the unaligned address).
        assert_eq!(raw_syscall(libc::SYS_mprotect, [1, 0, 1, 0, 0, 0]), Err(libc::EINVAL));
    }
}
