//! Simple mode: each builtin's `everything()` allows what its methods allow (a real call per
//! builtin) and still denies what lies outside it; "everything except" (a systemd-style
//! deny-list) denies exactly the excluded syscalls.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use common::{assert_errno, raw_syscall};
use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::events::{Events, Timers};
use extrasafe::builtins::process::{Identity, ResourceLimits};
use extrasafe::builtins::signals::Signals;
use extrasafe::builtins::{Networking, SystemIO, Time};
use extrasafe::profiles::systemd::{SyscallGroup, SystemCallFilter};
use extrasafe::syscalls::Sysno;
use extrasafe::{ExtraSafeError, RuleSet, SafetyContext, Verdict};

// ----- everything() is the union of the methods -------------------------------------------

/// Asserts that `all` allows everything `part` allows, with the same rules.
#[track_caller]
fn covers(all: &impl RuleSet, part: &impl RuleSet) {
    let simple = all.simple_rules();
    let conditional = all.conditional_rules();
    for s in part.simple_rules() {
        assert!(simple.contains(&s), "{}: {s}", part.name());
    }
    for (s, rules) in part.conditional_rules() {
        if simple.contains(&s) {
            continue; // allowed without conditions: wider than the part.
        }
        let have = conditional.get(&s).map(Vec::as_slice).unwrap_or_default();
        for rule in rules {
            assert!(have.contains(&rule), "{}: {rule}", part.name());
        }
    }
}

#[test]
fn everything_covers_every_method() {
    let net = Networking::everything();
    covers(&net, &Networking::nothing().allow_running_tcp_servers());
    covers(
        &net,
        &Networking::nothing().allow_start_tcp_servers().yes_really(),
    );
    covers(
        &net,
        &Networking::nothing().allow_start_udp_servers().yes_really(),
    );
    covers(&net, &Networking::nothing().allow_connect().yes_really());
    covers(&net, &Networking::nothing().allow_start_tcp_clients());
    covers(
        &net,
        &Networking::nothing()
            .allow_start_unix_servers()
            .yes_really(),
    );
    covers(&net, &Networking::nothing().allow_socketpair());

    covers(&Time::everything(), &Time::nothing().allow_gettime());

    let threads = Threads::everything();
    covers(&threads, &Threads::nothing().allow_create());
    covers(&threads, &Threads::nothing().allow_sleep().yes_really());

    covers(
        &Identity::everything(),
        &Identity::nothing().allow_get_ids(),
    );

    let limits = ResourceLimits::everything();
    covers(&limits, &ResourceLimits::nothing().allow_get());
    covers(&limits, &ResourceLimits::nothing().allow_set().yes_really());
    assert!(limits.simple_rules().contains(&Sysno::setrlimit));

    let signals = Signals::everything();
    covers(&signals, &Signals::nothing().allow_to_self());
    #[cfg(feature = "landlock")]
    covers(
        &signals,
        &Signals::nothing().allow_to_children().yes_really(),
    );
    covers(&signals, &Signals::nothing().allow_wait());
}

// ----- everything() through real calls ----------------------------------------------------

/// A directory of its own for one test, made before the filter is applied.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("extrasafe-simple-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sandbox(ctx: Result<SafetyContext, ExtraSafeError>) {
    ctx.expect("the RuleSets enable")
        .apply_to_current_thread()
        .expect("the filter loads");
}

/// `ruleset` and writing to stderr, so that a failing assertion can be printed.
fn with_stderr(ruleset: impl RuleSet) -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(ruleset)?
        .enable(SystemIO::nothing().allow_stderr())
}

/// Leaves a forked child at once, without running any of the parent's code.
#[allow(unsafe_code)]
fn exit_child_now(code: i32) -> ! {
    // SAFETY: `_exit` is async-signal-safe and runs no destructors or atexit handlers.
    unsafe { libc::_exit(code) }
}

/// A fork-like `clone(SIGCHLD)`; the child leaves at once with `code`.
fn fork_and_exit(code: i32) -> Result<i64, i32> {
    let r = raw_syscall(libc::SYS_clone, [libc::SIGCHLD as u64, 0, 0, 0, 0, 0]);
    if r == Ok(0) {
        exit_child_now(code);
    }
    r
}

#[cfg(feature = "landlock")]
fn getpid() -> u64 {
    u64::from(std::process::id())
}

fn nanosleep() -> Result<i64, i32> {
    let short = [0i64, 1];
    raw_syscall(libc::SYS_nanosleep, [short.as_ptr() as u64, 0, 0, 0, 0, 0])
}

sandboxed_test! {
    fn networking_everything_serves_connects_and_pairs_but_only_its_socket_kinds() {
        let exe = std::env::current_exe().unwrap();
        let netlink = [libc::AF_NETLINK as u64, libc::SOCK_RAW as u64, 0, 0, 0, 0];
        assert!(raw_syscall(libc::SYS_socket, netlink).is_ok());

        sandbox(SafetyContext::new().enable(Networking::everything()));

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(b"tcp").unwrap();
        let mut buf = [0u8; 3];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"tcp");

        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        a.send_to(b"udp", b.local_addr().unwrap()).unwrap();
        assert_eq!(b.recv_from(&mut buf).unwrap().0, 3);

        let (mut left, mut right) = UnixStream::pair().unwrap();
        left.write_all(b"uni").unwrap();
        right.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"uni");

        let name = format!("extrasafe-simple-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let unix_listener = UnixListener::bind_addr(&addr).unwrap();
        let _unix_client = UnixStream::connect_addr(&addr).unwrap();
        unix_listener.accept().unwrap();

        // Still only TCP, UDP and unix sockets, and no files.
        assert_eq!(raw_syscall(libc::SYS_socket, netlink), Err(libc::EPERM));
        assert_errno(File::open(&exe), libc::EPERM);
    }
}

sandboxed_test! {
    fn time_everything_reads_clocks_but_does_not_sleep() {
        assert_eq!(nanosleep(), Ok(0));

        sandbox(with_stderr(Time::everything()));

        let mut ts = [0i64; 2];
        assert_eq!(
            raw_syscall(
                libc::SYS_clock_gettime,
                [libc::CLOCK_REALTIME as u64, ts.as_mut_ptr() as u64, 0, 0, 0, 0]
            ),
            Ok(0)
        );
        assert!(ts[0] > 1_600_000_000, "a plausible wall clock: {ts:?}");
        assert!(std::time::SystemTime::now() > std::time::UNIX_EPOCH);
        assert_eq!(nanosleep(), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn threads_everything_creates_threads_and_sleeps_but_does_not_fork() {
        sandbox(with_stderr(Threads::everything()));

        let handle = std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(1));
            6 * 7
        });
        assert_eq!(handle.join().unwrap(), 42);
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(nanosleep(), Ok(0));
        assert_eq!(fork_and_exit(97), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn identity_everything_reads_ids_but_does_not_change_them() {
        let uid = raw_syscall(libc::SYS_getuid, [0; 6]).unwrap();
        let gid = raw_syscall(libc::SYS_getgid, [0; 6]).unwrap();
        assert_eq!(raw_syscall(libc::SYS_setuid, [uid as u64, 0, 0, 0, 0, 0]), Ok(0));

        sandbox(with_stderr(Identity::everything()));

        assert_eq!(raw_syscall(libc::SYS_getuid, [0; 6]), Ok(uid));
        assert_eq!(raw_syscall(libc::SYS_geteuid, [0; 6]), Ok(uid));
        assert_eq!(raw_syscall(libc::SYS_getgid, [0; 6]), Ok(gid));
        assert!(raw_syscall(libc::SYS_getgroups, [0; 6]).is_ok());
        assert_eq!(
            raw_syscall(libc::SYS_setuid, [uid as u64, 0, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn resource_limits_everything_reads_and_sets_limits() {
        let exe = std::env::current_exe().unwrap();

        sandbox(with_stderr(ResourceLimits::everything()));

        let mut old = [0u64; 2];
        assert_eq!(
            raw_syscall(
                libc::SYS_prlimit64,
                [0, libc::RLIMIT_NOFILE as u64, 0, old.as_mut_ptr() as u64, 0, 0]
            ),
            Ok(0)
        );
        assert!(old[0] > 0, "{old:?}");
        // Setting (to the same values) is allowed too: allow_get alone would deny it.
        assert_eq!(
            raw_syscall(
                libc::SYS_prlimit64,
                [0, libc::RLIMIT_NOFILE as u64, old.as_ptr() as u64, 0, 0, 0]
            ),
            Ok(0)
        );
        assert_errno(File::open(&exe), libc::EPERM);
    }
}

#[cfg(feature = "landlock")]
sandboxed_test! {
    fn signals_everything_signals_this_sandbox_only() {
        // A process started before the sandbox is outside it. stdout/stderr detached so the
        // harness does not wait for it; the sandbox forbids killing it, so it ends on its own.
        #[allow(clippy::zombie_processes)]
        let outside = std::process::Command::new("sleep")
            .arg("5")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("sleep starts");
        let outside_pid = u64::from(outside.id());
        assert_eq!(raw_syscall(libc::SYS_kill, [outside_pid, 0, 0, 0, 0, 0]), Ok(0));
        let outcome = SafetyContext::new()
            .enable(Signals::everything())
            .and_then(|c| c.enable(SystemIO::nothing().allow_stderr()))
            .expect("the RuleSets enable")
            .apply_to_current_thread();
        match outcome {
            Ok(_) => {}
            Err(e @ ExtraSafeError::LandlockUnsupported { .. }) => {
                common::skip(&format!("Landlock signal scopes are not available: {e}"));
                return;
            }
            Err(e) => panic!("the filter loads: {e}"),
        }

        assert_eq!(raw_syscall(libc::SYS_kill, [getpid(), 0, 0, 0, 0, 0]), Ok(0));
        let mut pending = [0u64; 1];
        assert_eq!(
            raw_syscall(libc::SYS_rt_sigpending, [pending.as_mut_ptr() as u64, 8, 0, 0, 0, 0]),
            Ok(0)
        );
        // A process outside the sandbox: Landlock's signal scope refuses.
        assert_eq!(raw_syscall(libc::SYS_kill, [outside_pid, 0, 0, 0, 0, 0]), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn events_and_timers_everything_make_descriptors_but_do_not_sleep() {
        sandbox(
            SafetyContext::new()
                .enable(Events::everything())
                .and_then(|c| c.enable(Timers::everything()))
                .and_then(|c| c.enable(SystemIO::nothing().allow_stderr())),
        );

        assert!(raw_syscall(libc::SYS_epoll_create1, [libc::EPOLL_CLOEXEC as u64, 0, 0, 0, 0, 0]).is_ok());
        assert!(raw_syscall(libc::SYS_eventfd2, [0, libc::EFD_CLOEXEC as u64, 0, 0, 0, 0]).is_ok());
        assert!(raw_syscall(libc::SYS_inotify_init1, [libc::IN_CLOEXEC as u64, 0, 0, 0, 0, 0]).is_ok());
        assert!(raw_syscall(
            libc::SYS_timerfd_create,
            [libc::CLOCK_MONOTONIC as u64, libc::TFD_CLOEXEC as u64, 0, 0, 0, 0]
        )
        .is_ok());
        let mut itimer = [0i64; 4];
        assert_eq!(
            raw_syscall(
                libc::SYS_getitimer,
                [libc::ITIMER_REAL as u64, itimer.as_mut_ptr() as u64, 0, 0, 0, 0]
            ),
            Ok(0)
        );
        assert_eq!(nanosleep(), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn system_io_everything_works_with_files_but_not_sockets() {
        let dir = scratch_dir("system-io");

        sandbox(SafetyContext::new().enable(SystemIO::everything()));

        std::fs::write(dir.join("a"), "data").unwrap();
        std::fs::rename(dir.join("a"), dir.join("b")).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("b")).unwrap(), "data");
        std::fs::remove_file(dir.join("b")).unwrap();
        std::fs::remove_dir(&dir).unwrap();
        assert_errno(TcpListener::bind("127.0.0.1:0"), libc::EPERM);
    }
}

// ----- everything except --------------------------------------------------------------------

/// The deny-list the tests use: the mount group and `mincore`.
const EXCEPT: &str = "~@mount mincore";

fn excluded() -> Vec<Sysno> {
    let mut v = SyscallGroup::Mount.syscalls();
    v.push(Sysno::mincore);
    v
}

#[test]
fn everything_except_allows_every_other_syscall() {
    let filter = SystemCallFilter::parse(EXCEPT).unwrap();
    assert_eq!(filter, SystemCallFilter::everything_except(excluded()));
    let explained = SafetyContext::new()
        .enable(filter)
        .unwrap()
        .explain()
        .unwrap();
    let excluded = excluded();
    for s in Sysno::iter() {
        let verdict = explained.get(s);
        if excluded.contains(&s) {
            assert_eq!(verdict, None, "{s} is denied");
        } else if s == Sysno::clone3 {
            assert!(
                matches!(verdict, Some(Verdict::Enosys { .. })),
                "{verdict:?}"
            );
        } else {
            assert!(
                matches!(verdict, Some(Verdict::Allowed { .. })),
                "{s}: {verdict:?}"
            );
        }
    }
}

#[test]
fn everything_except_conflicts_with_conditional_rules() {
    // A deny-list allows write with any arguments; a stdout-only write cannot narrow it.
    let err = SafetyContext::new()
        .enable(SystemCallFilter::parse(EXCEPT).unwrap())
        .unwrap()
        .enable(SystemIO::nothing().allow_stdout())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::ConditionalNoEffectError(Sysno::write, "SystemIO", "SystemCallFilter")
        ),
        "{err:?}"
    );
}

sandboxed_test! {
    fn everything_except_denies_the_excluded_calls_and_nothing_else() {
        let exe = std::env::current_exe().unwrap();
        let dir = scratch_dir("except");
        assert_eq!(common::mincore_page(), Ok(0));

        sandbox(SafetyContext::new().enable(SystemCallFilter::parse(EXCEPT).unwrap()));

        assert_eq!(common::mincore_page(), Err(libc::EPERM));
        assert_errno(std::os::unix::fs::chroot("/"), libc::EPERM);

        // Everything else: files, sockets, threads, processes.
        let mut head = [0u8; 4];
        File::open(&exe).unwrap().read_exact(&mut head).unwrap();
        assert_eq!(&head, b"\x7fELF");
        std::fs::write(dir.join("f"), "x").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        assert_eq!(std::thread::spawn(|| 1 + 1).join().unwrap(), 2);
        let pid = fork_and_exit(5).unwrap();
        let mut status: libc::c_int = 0;
        assert_eq!(
            raw_syscall(
                libc::SYS_wait4,
                [pid as u64, std::ptr::from_mut(&mut status) as u64, 0, 0, 0, 0]
            ),
            Ok(pid)
        );
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 5, "{status:#x}");
        assert_eq!(nanosleep(), Ok(0));
    }
}
