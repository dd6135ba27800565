//! Landlock beyond files: TCP port rules (ABI 4), scopes (ABI 6), failing closed or best
//! effort on kernels that lack a right (simulated), applying to every thread, and what the
//! report and `explain()` say about it.
//!
//! Every test that applies a sandbox runs in a process of its own (see `common/mod.rs`). Each denial is preceded by the same operation succeeding without the
//! sandbox, so that the denial is the sandbox's doing.
//!
//! What the kernel does (Linux 6.18, Landlock ABI 7), as these tests pin it:
//! - A context with a bind rule restricts TCP `bind` only; with a connect rule, TCP `connect`
//!   only. The other operation stays unrestricted by Landlock, and UDP is never restricted.
//! - Landlock denies bind and connect with `EACCES`; seccomp (a syscall the context does not
//!   allow at all) with `EPERM`.
//! - Binding port 0 (an ephemeral port) is checked as port 0: denied unless a bind rule for
//!   port 0 exists.
//! - Scopes deny with `EPERM`: a connect to an abstract unix socket created outside the
//!   sandbox, a signal to a process outside it. Signals to the own process (even to threads
//!   that are not sandboxed) stay allowed.
//! - Not checked by the kernel: `listen` on an unbound socket binds an ephemeral port past
//!   the bind rules (`kernel_gap_*` test).
//! - TCP Fast Open (`sendto` with `MSG_FASTOPEN`) is checked against the connect rules on
//!   this kernel (`kernel_fact_*`), not on every kernel: extrasafe's seccomp filter forbids
//!   it wherever connect ports are restricted (`tcp_fast_open_cannot_get_past_connect_rules`)
//!   and `landlock_only` refuses connect rules.
#![cfg(feature = "landlock")]

mod common;

use std::ffi::CString;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::{assert_errno, raw_syscall, skip};
use extrasafe::builtins::{Networking, SystemIO};
use extrasafe::syscalls::Sysno;
use extrasafe::{
    EnforcementReport, ExtraSafeError, Landlock, LandlockStatus, SafetyContext, SeccompScope,
    Verdict,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// `LANDLOCK_CREATE_RULESET_VERSION`.
const LANDLOCK_VERSION: u64 = 1;

/// The running kernel's Landlock ABI, asked directly (0: unavailable).
fn kernel_abi() -> i32 {
    raw_syscall(
        libc::SYS_landlock_create_ruleset,
        [0, 0, LANDLOCK_VERSION, 0, 0, 0],
    )
    .map_or(0, |v| i32::try_from(v).expect("a small ABI number"))
}

/// True if the kernel has Landlock ABI `abi`; otherwise says `SKIP` (a failure in CI).
fn has_abi(abi: i32) -> bool {
    let have = kernel_abi();
    if have < abi {
        skip(&format!("needs Landlock ABI {abi}, this kernel has {have}"));
        return false;
    }
    true
}

/// Writing to stderr, so that a failing assertion in a sandbox can be read.
fn stderr() -> SystemIO {
    SystemIO::nothing().allow_stderr()
}

fn localhost(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// A TCP port that is free now (the kernel's choice of an ephemeral port, released).
fn free_port() -> u16 {
    let listener = TcpListener::bind(localhost(0)).expect("bind an ephemeral port");
    listener.local_addr().expect("a local address").port()
}

/// A listener on an ephemeral port of 127.0.0.1, and its port.
fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind(localhost(0)).expect("bind an ephemeral port");
    let port = listener.local_addr().expect("a local address").port();
    (listener, port)
}

/// `socket(AF_INET, SOCK_DGRAM, 0)`: a syscall that contexts without UDP rules deny.
fn udp_socket() -> Result<i64, i32> {
    let r = raw_syscall(
        libc::SYS_socket,
        [libc::AF_INET as u64, libc::SOCK_DGRAM as u64, 0, 0, 0, 0],
    );
    if let Ok(fd) = r {
        let _ = raw_syscall(libc::SYS_close, [fd as u64, 0, 0, 0, 0, 0]);
    }
    r
}

/// How many seccomp filters the calling thread has (`Seccomp_filters` in /proc).
fn seccomp_filters() -> usize {
    let status = std::fs::read_to_string("/proc/thread-self/status").expect("read our status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Seccomp_filters:"))
        .expect("the kernel reports Seccomp_filters")
        .trim()
        .parse()
        .expect("a number")
}

/// How many threads this process has.
fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("list our threads")
        .count()
}

/// A fresh directory for one test with `inside/data` (the sandbox is granted `inside`) and
/// `outside/data` (nothing is granted there), both holding "hello".
fn scratch(test: &str) -> (PathBuf, PathBuf) {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("landlock_net")
        .join(format!("{test}-{}", std::process::id()));
    let inside = base.join("inside");
    let outside = base.join("outside");
    for dir in [&inside, &outside] {
        std::fs::create_dir_all(dir).expect("create the scratch directories");
        std::fs::write(dir.join("data"), "hello").expect("write the scratch files");
    }
    (inside, outside)
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).expect("no NUL in the path")
}

/// `truncate(path, 0)` as a raw syscall (std has no truncate by path).
fn truncate(path: &Path) -> Result<i64, i32> {
    let path = c_path(path);
    raw_syscall(libc::SYS_truncate, [path.as_ptr() as u64, 0, 0, 0, 0, 0])
}

/// `sockaddr_in` for 127.0.0.1:`port`.
fn sockaddr_localhost(port: u16) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(Ipv4Addr::LOCALHOST).to_be(),
        },
        sin_zero: [0; 8],
    }
}

const SOCKADDR_IN_LEN: u64 = std::mem::size_of::<libc::sockaddr_in>() as u64;

/// A new TCP socket (raw descriptor), neither bound nor connected.
fn tcp_socket() -> u64 {
    let fd = raw_syscall(
        libc::SYS_socket,
        [libc::AF_INET as u64, libc::SOCK_STREAM as u64, 0, 0, 0, 0],
    )
    .expect("a TCP socket");
    fd as u64
}

/// `sendto(fd, data, MSG_FASTOPEN, 127.0.0.1:port)`: TCP Fast Open, which connects and
/// sends in one call, without `connect`.
fn send_fast_open(fd: u64, port: u16, data: &[u8]) -> Result<i64, i32> {
    let addr = sockaddr_localhost(port);
    raw_syscall(
        libc::SYS_sendto,
        [
            fd,
            data.as_ptr() as u64,
            data.len() as u64,
            libc::MSG_FASTOPEN as u64,
            std::ptr::addr_of!(addr) as u64,
            SOCKADDR_IN_LEN,
        ],
    )
}

/// The local port of a socket (`getsockname`).
fn local_port(fd: u64) -> u16 {
    let mut addr = sockaddr_localhost(0);
    let mut len = SOCKADDR_IN_LEN as libc::socklen_t;
    let rc = raw_syscall(
        libc::SYS_getsockname,
        [
            fd,
            std::ptr::addr_of_mut!(addr) as u64,
            std::ptr::addr_of_mut!(len) as u64,
            0,
            0,
            0,
        ],
    );
    assert_eq!(rc, Ok(0), "getsockname");
    u16::from_be(addr.sin_port)
}

/// `kill(pid, sig)` as a raw syscall.
fn kill(pid: libc::pid_t, sig: libc::c_int) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_kill,
        [i64::from(pid) as u64, i64::from(sig) as u64, 0, 0, 0, 0],
    )
}

/// Loads a plain libseccomp filter that answers the three Landlock syscalls with ENOSYS and
/// allows everything else: to extrasafe, the kernel now has no Landlock at all.
fn hide_landlock() {
    use libseccomp::{ScmpAction, ScmpFilterContext, ScmpSyscall};
    let mut filter = ScmpFilterContext::new(ScmpAction::Allow).expect("a libseccomp filter");
    for name in [
        "landlock_create_ruleset",
        "landlock_add_rule",
        "landlock_restrict_self",
    ] {
        let syscall = ScmpSyscall::from_name(name).expect("libseccomp knows Landlock");
        filter
            .add_rule(ScmpAction::Errno(libc::ENOSYS), syscall)
            .expect("add the rule");
    }
    filter.load().expect("load the filter");
    assert_eq!(kernel_abi(), 0, "Landlock is hidden");
}

/// The fields of a `LandlockUnsupported`, or a panic with the error.
fn unsupported(
    result: Result<EnforcementReport, ExtraSafeError>,
) -> (String, &'static str, i32, i32) {
    match result {
        Err(e @ ExtraSafeError::LandlockUnsupported { .. }) => {
            let message = e.to_string();
            let ExtraSafeError::LandlockUnsupported {
                right,
                needs_abi,
                kernel_abi,
            } = e
            else {
                unreachable!()
            };
            (message, right, needs_abi, kernel_abi)
        }
        other => panic!("expected LandlockUnsupported, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// TCP bind (ABI 4)
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    /// The bind rule's port works, another port fails with EACCES (Landlock), and no
    /// Networking RuleSet is needed: the rule implies socket, bind and listen, and nothing
    /// more (UDP sockets and connect stay denied by seccomp with EPERM).
    fn bind_tcp_allows_its_port_and_denies_others_with_eacces() {
        if !has_abi(4) {
            return;
        }
        let allowed = free_port();
        let other = free_port();
        // Without the sandbox, both ports can be bound.
        drop(TcpListener::bind(localhost(other)).expect("bind before the sandbox"));
        assert!(udp_socket().is_ok());

        let report = SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().bind_tcp(allowed))
            .unwrap()
            .enforce_on_current_thread()
            .expect("the sandbox applies");
        assert!(report.seccomp.is_some(), "a seccomp filter is loaded: {report}");

        let listener = TcpListener::bind(localhost(allowed)).expect("bind the allowed port");
        assert_eq!(listener.local_addr().unwrap().port(), allowed);
        assert_errno(TcpListener::bind(localhost(other)), libc::EACCES);
        // Seccomp stays narrow: only TCP sockets are implied, and connect is not.
        assert_eq!(udp_socket(), Err(libc::EPERM));
        assert_errno(TcpStream::connect(localhost(allowed)), libc::EPERM);
    }
}

sandboxed_test! {
    /// Binding port 0 asks the kernel for an ephemeral port; Landlock checks it as port 0,
    /// so it is denied when only another port is allowed.
    fn bind_tcp_denies_an_ephemeral_port_unless_port_zero_is_allowed() {
        if !has_abi(4) {
            return;
        }
        let allowed = free_port();
        drop(TcpListener::bind(localhost(0)).expect("bind port 0 before the sandbox"));
        SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().bind_tcp(allowed))
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");
        assert_errno(TcpListener::bind(localhost(0)), libc::EACCES);
    }
}

sandboxed_test! {
    /// A bind rule for port 0 allows binding an ephemeral port (and only that: the port the
    /// kernel picks is not checked again, a fixed port still is).
    fn bind_tcp_zero_allows_an_ephemeral_port() {
        if !has_abi(4) {
            return;
        }
        let other = free_port();
        SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().bind_tcp(0))
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");
        let listener = TcpListener::bind(localhost(0)).expect("bind an ephemeral port");
        assert_ne!(listener.local_addr().unwrap().port(), 0);
        assert_errno(TcpListener::bind(localhost(other)), libc::EACCES);
    }
}

sandboxed_test! {
    /// A context with only bind rules does not restrict TCP connect (Landlock handles only the
    /// rights the rules use) nor UDP (Landlock ABI 7 has no UDP rights): with the syscalls
    /// allowed by seccomp, connecting anywhere and binding UDP ports works.
    fn bind_rule_leaves_connect_and_udp_unrestricted() {
        if !has_abi(4) {
            return;
        }
        let (_listener, port) = listener();
        let udp_port = free_port();
        SafetyContext::new()
            .enable(Landlock::new().bind_tcp(free_port()))
            .unwrap()
            .enable(Networking::nothing().allow_start_udp_servers().yes_really())
            .unwrap()
            .enable(Sysno::connect)
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");
        TcpStream::connect(localhost(port)).expect("connect is not restricted");
        UdpSocket::bind(localhost(udp_port)).expect("UDP bind is not restricted");
    }
}

sandboxed_test! {
    /// Networking's TCP server rules and a Landlock bind rule overlap (socket, bind, listen,
    /// setsockopt, getsockname): they enable together without a conflict, and Landlock still
    /// limits the ports.
    fn bind_tcp_combines_with_networking_tcp_servers() {
        if !has_abi(4) {
            return;
        }
        let allowed = free_port();
        let other = free_port();
        drop(TcpListener::bind(localhost(other)).expect("bind before the sandbox"));
        let report = SafetyContext::new()
            .enable(Networking::nothing().allow_start_tcp_servers().yes_really())
            .expect("Networking enables")
            .enable(Landlock::new().bind_tcp(allowed))
            .expect("a bind rule enables next to Networking's TCP server rules")
            .enforce_on_current_thread()
            .expect("the sandbox applies");
        assert_eq!(
            report.landlock.as_ref().map(|l| l.status),
            Some(LandlockStatus::FullyEnforced)
        );
        TcpListener::bind(localhost(allowed)).expect("bind the allowed port");
        assert_errno(TcpListener::bind(localhost(other)), libc::EACCES);
    }
}

// ---------------------------------------------------------------------------------------
// TCP connect (ABI 4)
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    /// Connecting to a listener on an allowed port works; to a listener on another port fails
    /// with EACCES (both listeners exist before the sandbox, in this process).
    fn connect_tcp_allows_its_ports_and_denies_others_with_eacces() {
        if !has_abi(4) {
            return;
        }
        let (_allowed_listener, allowed) = listener();
        let (_other_listener, other) = listener();
        // Without the sandbox, both listeners accept connections.
        drop(TcpStream::connect(localhost(other)).expect("connect before the sandbox"));

        SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().connect_tcp([allowed]))
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");
        TcpStream::connect(localhost(allowed)).expect("connect to the allowed port");
        assert_errno(TcpStream::connect(localhost(other)), libc::EACCES);
        // bind is not implied by a connect rule: seccomp denies it.
        assert_errno(TcpListener::bind(localhost(0)), libc::EPERM);
    }
}

sandboxed_test! {
    /// A listener thread started before the sandbox serves the sandboxed thread on the allowed
    /// port: the data arrives.
    fn connect_tcp_reaches_a_listener_thread_started_before_the_sandbox() {
        if !has_abi(4) {
            return;
        }
        let (listener, port) = listener();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut got = String::new();
            stream.read_to_string(&mut got).expect("read");
            got
        });
        // (Networking's running clients write to any descriptor, stderr included.)
        SafetyContext::new()
            .enable(Landlock::new().connect_tcp([port]))
            .unwrap()
            .enable(Networking::nothing().allow_running_tcp_clients())
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");
        {
            use std::io::Write;
            let mut stream = TcpStream::connect(localhost(port)).expect("connect");
            stream.write_all(b"over landlock").expect("write");
        }
        assert_eq!(server.join().expect("the server thread"), "over landlock");
    }
}

sandboxed_test! {
    /// A context with only connect rules does not restrict TCP bind: any port, ephemeral or
    /// fixed, can be bound when seccomp allows bind.
    fn connect_rule_leaves_bind_unrestricted() {
        if !has_abi(4) {
            return;
        }
        let (_listener, port) = listener();
        let fixed = free_port();
        SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().connect_tcp([port]))
            .unwrap()
            .enable(Sysno::bind)
            .unwrap()
            .enable(Sysno::listen)
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");
        TcpListener::bind(localhost(0)).expect("bind an ephemeral port");
        TcpListener::bind(localhost(fixed)).expect("bind a fixed port");
    }
}

// ---------------------------------------------------------------------------------------
// Scopes (ABI 6)
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    /// An abstract unix socket created before the sandbox cannot be connected to (EPERM); one
    /// created inside can, and so can a pathname unix socket created outside (the scope is
    /// about abstract sockets only).
    fn no_abstract_unix_out_denies_connecting_to_outside_abstract_sockets_with_eperm() {
        if !has_abi(6) {
            return;
        }
        let pid = std::process::id();
        let outside_addr = UnixAddr::from_abstract_name(format!("extrasafe-ll-net-out-{pid}"))
            .expect("an abstract address");
        let _outside = UnixListener::bind_addr(&outside_addr).expect("bind outside");
        let (dir, _) = scratch("abstract_unix");
        let path = dir.join("sock");
        let _ = std::fs::remove_file(&path);
        let _pathname = UnixListener::bind(&path).expect("bind a pathname socket");
        // Without the sandbox, the abstract socket accepts connections.
        drop(UnixStream::connect_addr(&outside_addr).expect("connect before the sandbox"));

        SafetyContext::new()
            .enable(Landlock::new().no_abstract_unix_out())
            .unwrap()
            .enable(
                Networking::nothing()
                    .allow_start_unix_servers()
                    .yes_really()
                    .allow_connect()
                    .yes_really(),
            )
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");

        assert_errno(UnixStream::connect_addr(&outside_addr), libc::EPERM);
        let inside_addr = UnixAddr::from_abstract_name(format!("extrasafe-ll-net-in-{pid}"))
            .expect("an abstract address");
        let _inside = UnixListener::bind_addr(&inside_addr).expect("bind inside");
        UnixStream::connect_addr(&inside_addr).expect("connect to a socket of the sandbox");
        UnixStream::connect(&path).expect("pathname sockets are not scoped");
    }
}

sandboxed_test! {
    /// A sandboxed thread cannot signal processes outside (the parent, a `sleep` child
    /// started before): EPERM, and the child is indeed not killed by the SIGUSR1. Signalling
    /// its own thread works.
    fn no_signals_out_denies_signals_to_outside_processes_with_eperm() {
        if !has_abi(6) {
            return;
        }
        let mut sleeper = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("start sleep");
        let sleeper_pid = libc::pid_t::try_from(sleeper.id()).unwrap();
        let parent = libc::pid_t::try_from(std::os::unix::process::parent_id()).unwrap();
        let me = libc::pid_t::try_from(std::process::id()).unwrap();
        // Without the sandbox, both can be signalled.
        assert_eq!(kill(sleeper_pid, 0), Ok(0));
        assert_eq!(kill(parent, 0), Ok(0));

        // The sandbox goes on a thread of its own, so that this thread can end `sleep` after.
        let sandboxed = std::thread::spawn(move || {
            SafetyContext::new()
                .enable(stderr())
                .unwrap()
                .enable(Landlock::new().no_signals_out())
                .unwrap()
                .enable(Sysno::kill)
                .unwrap()
                .enable(Sysno::tgkill)
                .unwrap()
                .apply_to_current_thread()
                .expect("the sandbox applies");
            assert_eq!(kill(sleeper_pid, 0), Err(libc::EPERM));
            assert_eq!(kill(sleeper_pid, libc::SIGUSR1), Err(libc::EPERM));
            assert_eq!(kill(parent, 0), Err(libc::EPERM));
            let tid = raw_syscall(libc::SYS_gettid, [0; 6]).expect("gettid");
            let own = raw_syscall(
                libc::SYS_tgkill,
                [i64::from(me) as u64, tid as u64, 0, 0, 0, 0],
            );
            assert_eq!(own, Ok(0), "signalling itself works");
            // Its own process (whose other threads are not sandboxed) too: Landlock allows
            // signals between threads of one process.
            assert_eq!(kill(me, 0), Ok(0));
        });
        let result = sandboxed.join();
        let alive = sleeper.try_wait().expect("check on sleep").is_none();
        let _ = sleeper.kill();
        let _ = sleeper.wait();
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
        assert!(alive, "sleep was killed: the SIGUSR1 got through");
    }
}

// ---------------------------------------------------------------------------------------
// Failing closed and best effort on (simulated) older kernels
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    /// Without Landlock (hidden by a filter answering its syscalls with ENOSYS), a context
    /// with a path rule fails with `LandlockUnsupported { kernel_abi: 0 }`, says Landlock is
    /// unavailable and how to opt into best effort, and applies nothing: not even seccomp.
    fn without_landlock_a_path_rule_fails_closed_and_applies_nothing() {
        let (inside, _) = scratch("no_landlock_fail");
        hide_landlock();
        assert_eq!(seccomp_filters(), 1);
        let result = SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().read_only(&inside))
            .unwrap()
            .enforce_on_current_thread();
        let (message, right, needs_abi, kernel_abi) = unsupported(result);
        assert_eq!(kernel_abi, 0);
        assert_eq!(needs_abi, 1, "the first right restricted is of ABI 1 (`{right}`)");
        assert!(message.contains("landlock is not available"), "{message}");
        assert!(message.contains("landlock_best_effort"), "{message}");
        // Nothing was applied: no filter beyond the one hiding Landlock, and a syscall the
        // context would deny still works.
        assert_eq!(seccomp_filters(), 1);
        assert!(udp_socket().is_ok());
    }
}

sandboxed_test! {
    /// Without Landlock and with best effort, the context applies (seccomp only), the report
    /// says Landlock is NOT enforced, and indeed files outside the rule stay readable.
    fn without_landlock_best_effort_applies_and_reports_not_enforced() {
        let (inside, outside) = scratch("no_landlock_best_effort");
        hide_landlock();
        let report = SafetyContext::new()
            .landlock_best_effort()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().read_only(&inside))
            .unwrap()
            .enforce_on_current_thread()
            .expect("best effort applies");
        let landlock = report.landlock.as_ref().expect("a Landlock report");
        assert_eq!(landlock.status, LandlockStatus::NotEnforced);
        assert_eq!(landlock.kernel_abi, 0);
        assert!(landlock.not_enforced.contains(&"read_file"), "{landlock:?}");
        assert!(report.seccomp.is_some());
        let text = report.to_string();
        assert!(text.contains("NOT enforced"), "{text}");
        assert!(text.contains("seccomp:"), "{text}");
        assert_eq!(seccomp_filters(), 2, "the context's filter is loaded");
        // What the report says is true: the rule does not hold.
        assert_eq!(std::fs::read_to_string(outside.join("data")).unwrap(), "hello");
        // Seccomp does: UDP sockets are denied.
        assert_eq!(udp_socket(), Err(libc::EPERM));
    }
}

/// A read-only rule on `inside`, plus unconditional openat and truncate in seccomp, so that
/// Landlock alone decides about writing and truncating there.
fn read_only_with_write_syscalls(inside: &Path) -> SafetyContext {
    SafetyContext::new()
        .enable(stderr())
        .unwrap()
        .enable(Landlock::new().read_only(inside))
        .unwrap()
        .enable(Sysno::openat)
        .unwrap()
        .enable(Sysno::truncate)
        .unwrap()
}

sandboxed_test! {
    /// On a kernel treated as ABI 2, a path rule restricts `truncate` (ABI 3) and
    /// `ioctl_dev` (ABI 5): fail closed names the first, with consistent ABIs, and applies
    /// nothing.
    fn abi_2_fails_closed_naming_truncate() {
        if !has_abi(2) {
            return;
        }
        let (inside, _) = scratch("abi2_fail");
        extrasafe::landlock::__cap_landlock_abi(2);
        let (message, right, needs_abi, kernel_abi) =
            unsupported(read_only_with_write_syscalls(&inside).enforce_on_current_thread());
        assert_eq!((right, needs_abi, kernel_abi), ("truncate", 3, 2), "{message}");
        assert!(needs_abi > kernel_abi);
        assert!(message.contains("`truncate`") && message.contains("ABI 2"), "{message}");
        assert_eq!(seccomp_filters(), 0, "nothing was applied");
        assert_eq!(truncate(&inside.join("data")), Ok(0));
    }
}

sandboxed_test! {
    /// On a kernel treated as ABI 2 with best effort: partially enforced, `truncate` and
    /// `ioctl_dev` reported as not enforced, and indeed a read-only file can be truncated,
    /// while writing it is still denied (EACCES).
    fn abi_2_best_effort_reports_truncate_unenforced_and_truncate_works() {
        if !has_abi(2) {
            return;
        }
        let (inside, _) = scratch("abi2_best_effort");
        let data = inside.join("data");
        extrasafe::landlock::__cap_landlock_abi(2);
        let report = read_only_with_write_syscalls(&inside)
            .landlock_best_effort()
            .enforce_on_current_thread()
            .expect("best effort applies");
        let landlock = report.landlock.as_ref().expect("a Landlock report");
        assert_eq!(landlock.status, LandlockStatus::PartiallyEnforced, "{landlock}");
        assert_eq!(landlock.kernel_abi, 2);
        assert_eq!(landlock.not_enforced, ["truncate", "ioctl_dev"], "{landlock}");
        assert!(report.to_string().contains("PARTIALLY enforced"), "{report}");

        assert_errno(
            std::fs::OpenOptions::new().write(true).open(&data),
            libc::EACCES,
        );
        assert_eq!(truncate(&data), Ok(0), "truncate is not enforced, as reported");
        assert_eq!(std::fs::metadata(&data).unwrap().len(), 0);
    }
}

sandboxed_test! {
    /// The control for the test above: on the real kernel (ABI 3 or more) the same context
    /// denies truncating the read-only file.
    fn abi_3_or_more_denies_truncating_a_read_only_file() {
        if !has_abi(3) {
            return;
        }
        let (inside, _) = scratch("abi_full_truncate");
        let data = inside.join("data");
        let report = read_only_with_write_syscalls(&inside)
            .enforce_on_current_thread()
            .expect("the sandbox applies");
        assert_eq!(
            report.landlock.map(|l| l.status),
            Some(LandlockStatus::FullyEnforced)
        );
        assert_eq!(truncate(&data), Err(libc::EACCES));
        assert_eq!(std::fs::read_to_string(&data).unwrap(), "hello");
    }
}

sandboxed_test! {
    /// On a kernel treated as ABI 3, a bind rule fails closed naming `bind_tcp` (ABI 4).
    fn abi_3_fails_closed_naming_bind_tcp() {
        if !has_abi(3) {
            return;
        }
        extrasafe::landlock::__cap_landlock_abi(3);
        let result = SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().bind_tcp(free_port()))
            .unwrap()
            .enforce_on_current_thread();
        let (message, right, needs_abi, kernel_abi) = unsupported(result);
        assert_eq!((right, needs_abi, kernel_abi), ("bind_tcp", 4, 3), "{message}");
        assert!(message.contains("`bind_tcp`"), "{message}");
        assert_eq!(seccomp_filters(), 0, "nothing was applied");
    }
}

sandboxed_test! {
    /// On a kernel treated as ABI 3 with best effort, a bind rule is reported as not enforced
    /// (nothing else is left), and indeed any port can be bound.
    fn abi_3_best_effort_reports_bind_tcp_unenforced_and_any_port_binds() {
        if !has_abi(3) {
            return;
        }
        let other = free_port();
        extrasafe::landlock::__cap_landlock_abi(3);
        let report = SafetyContext::new()
            .landlock_best_effort()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().bind_tcp(free_port()))
            .unwrap()
            .enforce_on_current_thread()
            .expect("best effort applies");
        let landlock = report.landlock.as_ref().expect("a Landlock report");
        assert_eq!(landlock.status, LandlockStatus::NotEnforced, "{landlock}");
        assert_eq!(landlock.not_enforced, ["bind_tcp"]);
        assert_eq!(landlock.ports, 0);
        TcpListener::bind(localhost(other)).expect("bind is not restricted, as reported");
    }
}

sandboxed_test! {
    /// On a kernel treated as ABI 5, the signal scope fails closed naming `signal` (ABI 6).
    fn abi_5_fails_closed_naming_the_signal_scope() {
        if !has_abi(5) {
            return;
        }
        extrasafe::landlock::__cap_landlock_abi(5);
        let result = SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().no_signals_out())
            .unwrap()
            .enforce_on_current_thread();
        let (message, right, needs_abi, kernel_abi) = unsupported(result);
        assert_eq!((right, needs_abi, kernel_abi), ("signal", 6, 5), "{message}");
        assert_eq!(seccomp_filters(), 0, "nothing was applied");
    }
}

// ---------------------------------------------------------------------------------------
// All threads
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    /// Below Landlock ABI 8, Landlock cannot restrict other threads: with another thread
    /// alive, `apply_to_all_threads` with Landlock rules fails with `LandlockNoThreadSync`
    /// and applies nothing (no seccomp filter, files outside still readable).
    fn all_threads_with_landlock_and_another_thread_fails_and_applies_nothing() {
        if kernel_abi() >= 8 {
            skip("the kernel can restrict all threads (Landlock ABI 8): no error to test");
            return;
        }
        let (inside, outside) = scratch("no_thread_sync");
        let (tx, rx) = mpsc::channel::<()>();
        let other = std::thread::spawn(move || {
            let _ = rx.recv();
        });
        assert!(thread_count() >= 2);
        let result = SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().read_only(&inside))
            .unwrap()
            .apply_to_all_threads();
        match result {
            Err(e @ ExtraSafeError::LandlockNoThreadSync) => {
                // 0.5.1's text; the advice (with the ABI it needs) is in help().
                assert_eq!(e.to_string(), "Landlock does not support syncing to all threads");
                let help = e.help().expect("advice for LandlockNoThreadSync");
                assert!(help.contains("ABI 8"), "{help}");
            }
            other => panic!("expected LandlockNoThreadSync, got {other:?}"),
        }
        assert_eq!(seccomp_filters(), 0, "no seccomp filter");
        assert_eq!(std::fs::read_to_string(outside.join("data")).unwrap(), "hello");
        tx.send(()).unwrap();
        other.join().unwrap();
    }
}

/// In a child made by `fork` (so with exactly one thread), applies `ctx` to all threads and
/// checks that Landlock holds; returns the child's exit code.
///
/// The child only applies the context (glibc's malloc stays usable after fork; no other
/// lock of the parent is needed), makes raw syscalls, and leaves with `_exit`.
#[allow(unsafe_code)]
fn apply_to_all_threads_in_forked_child(ctx: SafetyContext, inside: &Path, outside: &Path) -> i32 {
    let inside = c_path(&inside.join("data"));
    let outside = c_path(&outside.join("data"));
    let open = |path: &CString| {
        raw_syscall(
            libc::SYS_openat,
            [
                i64::from(libc::AT_FDCWD) as u64,
                path.as_ptr() as u64,
                (libc::O_RDONLY | libc::O_CLOEXEC) as u64,
                0,
                0,
                0,
            ],
        )
    };
    // SAFETY: fork has no memory-safety preconditions; the child below does no more than
    // described above and never returns into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match ctx.enforce_on_all_threads() {
            Err(ExtraSafeError::LandlockNoThreadSync) => 2,
            Err(_) => 3,
            Ok(report) => {
                let landlock_ok = report
                    .landlock
                    .as_ref()
                    .is_some_and(|l| l.status == LandlockStatus::FullyEnforced);
                let seccomp_ok = report
                    .seccomp
                    .as_ref()
                    .is_some_and(|s| s.scope == SeccompScope::AllThreads);
                if !landlock_ok || !seccomp_ok {
                    4
                } else if open(&outside) != Err(libc::EACCES) {
                    5
                } else if open(&inside).is_err() {
                    6
                } else {
                    0
                }
            }
        };
        // SAFETY: ends the forked child at once, without running the parent's exit handlers.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: `status` is a valid out-pointer and `pid` our child.
    let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(rc, pid, "waitpid");
    assert!(
        libc::WIFEXITED(status),
        "the forked child died: {status:#x}"
    );
    libc::WEXITSTATUS(status)
}

sandboxed_test! {
    /// When the calling thread is the only one (a forked child of this multithreaded test),
    /// `apply_to_all_threads` with Landlock rules succeeds and Landlock holds.
    fn all_threads_with_landlock_in_a_single_threaded_process_works() {
        if !has_abi(1) {
            return;
        }
        let (inside, outside) = scratch("single_thread");
        // This process has several threads (libtest's, and one more to be sure), so the
        // success below is due to the fork.
        let (tx, rx) = mpsc::channel::<()>();
        let other = std::thread::spawn(move || {
            let _ = rx.recv();
        });
        assert!(thread_count() >= 2);
        let ctx = SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().read_only(&inside))
            .unwrap();
        let code = apply_to_all_threads_in_forked_child(ctx, &inside, &outside);
        assert_eq!(
            code, 0,
            "exit code of the forked child (2: LandlockNoThreadSync, 3: other error, \
             4: wrong report, 5: outside readable, 6: inside not readable)"
        );
        tx.send(()).unwrap();
        other.join().unwrap();
    }
}

sandboxed_test! {
    /// Seccomp alone applies to all threads at once (TSYNC): another thread that existed
    /// before is filtered too.
    fn all_threads_without_landlock_filters_existing_threads() {
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let (result_tx, result_rx) = mpsc::channel();
        let other = std::thread::spawn(move || {
            result_tx.send(udp_socket()).unwrap();
            let _ = go_rx.recv();
            result_tx.send(udp_socket()).unwrap();
        });
        assert!(result_rx.recv().unwrap().is_ok(), "UDP sockets work before");
        let report = SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enforce_on_all_threads()
            .expect("TSYNC applies");
        assert_eq!(
            report.seccomp.map(|s| s.scope),
            Some(SeccompScope::AllThreads)
        );
        go_tx.send(()).unwrap();
        assert_eq!(
            result_rx.recv_timeout(Duration::from_secs(5)).unwrap(),
            Err(libc::EPERM)
        );
        other.join().unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Report and explain
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    /// The report counts port rules, lists the scopes, gives the kernel's ABI and says fully
    /// enforced; its Display covers both layers.
    fn report_lists_ports_scopes_and_the_kernel_abi() {
        if !has_abi(6) {
            return;
        }
        let (inside, _) = scratch("report");
        let abi = kernel_abi();
        let report = SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(
                Landlock::new()
                    .read_only(&inside)
                    .bind_tcp(free_port())
                    .connect_tcp([free_port(), free_port()])
                    .no_signals_out()
                    .no_abstract_unix_out(),
            )
            .unwrap()
            .enforce_on_current_thread()
            .expect("the sandbox applies");
        let landlock = report.landlock.as_ref().expect("a Landlock report");
        assert_eq!(landlock.status, LandlockStatus::FullyEnforced);
        assert_eq!(landlock.kernel_abi, abi);
        assert!(landlock.kernel_abi >= 6);
        assert_eq!(landlock.paths, 1);
        assert_eq!(landlock.ports, 3);
        assert_eq!(landlock.scopes, ["abstract_unix_socket", "signal"]);
        assert!(landlock.not_enforced.is_empty());
        assert!(landlock.skipped_paths.is_empty());
        let text = report.to_string();
        assert!(text.contains("landlock: fully enforced"), "{text}");
        assert!(text.contains("3 port rules"), "{text}");
        assert!(text.contains("scoped: abstract_unix_socket, signal"), "{text}");
        assert!(text.contains("seccomp:"), "{text}");
    }
}

/// explain() builds no sandbox: it runs in the test process.
#[test]
fn explain_lists_port_rules_scopes_and_the_implied_syscalls() {
    let explanation = SafetyContext::new()
        .enable(
            Landlock::new()
                .bind_tcp(8080)
                .connect_tcp([443])
                .no_signals_out(),
        )
        .unwrap()
        .explain()
        .unwrap();
    assert!(explanation
        .landlock
        .contains(&"tcp port 8080: bind_tcp (Landlock)".to_string()));
    assert!(explanation
        .landlock
        .contains(&"tcp port 443: connect_tcp (Landlock)".to_string()));
    assert!(explanation
        .landlock
        .contains(&"scoped: signal (Landlock)".to_string()));
    let implied = Verdict::Allowed {
        by: vec!["Landlock (implied)"],
    };
    for syscall in [Sysno::bind, Sysno::listen, Sysno::connect] {
        assert_eq!(explanation.get(syscall), Some(&implied), "{syscall}");
    }
    assert!(matches!(
        explanation.get(Sysno::socket),
        Some(Verdict::AllowedIf { .. })
    ));
    let text = explanation.to_string();
    assert!(
        text.contains("landlock: tcp port 8080: bind_tcp (Landlock)"),
        "{text}"
    );
    assert!(text
        .lines()
        .any(|l| l.starts_with("bind ") && l.contains("allowed by Landlock (implied)")));

    // A connect rule alone implies connect, not bind.
    let connect_only = SafetyContext::new()
        .enable(Landlock::new().connect_tcp([443]))
        .unwrap()
        .explain()
        .unwrap();
    assert_eq!(connect_only.get(Sysno::connect), Some(&implied));
    assert_eq!(connect_only.get(Sysno::bind), None);
}

// ---------------------------------------------------------------------------------------
// What TCP port rules do not cover (Linux 6.18, Landlock ABI 7)
// ---------------------------------------------------------------------------------------
//
// The two tests named `kernel_gap_*` pin what the kernel does *not* check, as documented in
// extrasafe's `landlock` module. Should one fail, the kernel has closed the gap: update the
// module docs and turn the test around.

sandboxed_test! {
    /// `listen` on a socket that was never bound makes the kernel bind an ephemeral port, and
    /// Landlock does not check that: a context allowing only one bind port still gets a
    /// listening socket on another port.
    fn kernel_gap_listen_on_an_unbound_socket_gets_an_unchecked_ephemeral_port() {
        if !has_abi(4) {
            return;
        }
        let allowed = free_port();
        SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().bind_tcp(allowed))
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");
        assert_errno(TcpListener::bind(localhost(0)), libc::EACCES);
        let fd = tcp_socket();
        assert_eq!(raw_syscall(libc::SYS_listen, [fd, 1, 0, 0, 0, 0]), Ok(0));
        let port = local_port(fd);
        assert_ne!(port, 0);
        assert_ne!(port, allowed);
    }
}

sandboxed_test! {
    /// TCP Fast Open (`sendto` with `MSG_FASTOPEN` on a fresh socket) connects without
    /// `connect`, and Landlock does not check it against its connect rules. Where a context
    /// restricts connect ports, extrasafe's filter requires `MSG_FASTOPEN` to be clear on
    /// `sendto`/`sendmsg`/`sendmmsg`, even when a RuleSet allows them unconditionally.
    fn tcp_fast_open_cannot_get_past_connect_rules() {
        if !has_abi(4) {
            return;
        }
        let (allowed_listener, allowed) = listener();
        let (_other_listener, other) = listener();
        // (Networking's running clients write to any descriptor, stderr included.)
        let ctx = SafetyContext::new()
            .enable(Landlock::new().connect_tcp([allowed]))
            .unwrap()
            .enable(Networking::nothing().allow_running_tcp_clients())
            .unwrap();
        let explained = ctx.explain().unwrap().to_string();
        assert!(explained.contains("no TCP Fast Open"), "{explained}");
        ctx.apply_to_current_thread().expect("the sandbox applies");
        assert_errno(TcpStream::connect(localhost(other)), libc::EACCES);
        let fd = tcp_socket();
        assert_eq!(send_fast_open(fd, other, b"past it"), Err(libc::EPERM));
        assert_eq!(send_fast_open(fd, allowed, b"past it"), Err(libc::EPERM));
        // sendto without the flag still works on a connection the rules allow.
        let stream = TcpStream::connect(localhost(allowed)).expect("the allowed port");
        let sent = raw_syscall(
            libc::SYS_sendto,
            [stream.as_raw_fd() as u64, b"ok".as_ptr() as u64, 2, 0, 0, 0],
        );
        assert_eq!(sent, Ok(2));
        let (mut accepted, _) = allowed_listener.accept().expect("the connection arrived");
        let mut got = [0u8; 2];
        accepted.read_exact(&mut got).expect("the data arrived");
        assert_eq!(&got, b"ok");
    }
}

sandboxed_test! {
    /// The seccomp rules a connect rule implies do not include `sendto`, so TCP Fast Open
    /// (see the test above) is out of reach unless a RuleSet allows `sendto`.
    fn connect_tcp_alone_denies_tcp_fast_open_with_eperm() {
        if !has_abi(4) {
            return;
        }
        let (_listener, allowed) = listener();
        let (_other_listener, other) = listener();
        SafetyContext::new()
            .enable(stderr())
            .unwrap()
            .enable(Landlock::new().connect_tcp([allowed]))
            .unwrap()
            .apply_to_current_thread()
            .expect("the sandbox applies");
        let fd = tcp_socket();
        assert_eq!(send_fast_open(fd, other, b"past it"), Err(libc::EPERM));
        assert_eq!(send_fast_open(fd, allowed, b"past it"), Err(libc::EPERM));
    }
}

sandboxed_test! {
    /// `landlock_only` loads no seccomp filter, so nothing would stop TCP Fast Open from
    /// connecting past the connect rules: a context that restricts connect ports is refused
    /// there, and nothing is applied (Fast Open to any port still works afterwards: the
    /// process is not sandboxed at all).
    fn landlock_only_refuses_connect_rules_that_fast_open_would_get_past() {
        if !has_abi(4) {
            return;
        }
        let (_allowed_listener, allowed) = listener();
        let (other_listener, other) = listener();
        let err = SafetyContext::new()
            .landlock_only()
            .enable(Landlock::new().connect_tcp([allowed]))
            .unwrap()
            .apply_to_current_thread()
            .unwrap_err();
        assert!(matches!(err, ExtraSafeError::ConnectRulesNeedSeccomp), "{err:?}");
        assert!(err.to_string().contains("TCP Fast Open"), "{err}");
        // Nothing was applied: connecting anywhere works, Fast Open included.
        TcpStream::connect(localhost(other)).expect("no Landlock rule was applied");
        let sent = send_fast_open(tcp_socket(), other, b"hi");
        assert!(sent.is_ok(), "{sent:?}");
        drop(other_listener);
        // Bind rules alone are fine under landlock_only (Fast Open does not bind).
        SafetyContext::new()
            .landlock_only()
            .enable(Landlock::new().bind_tcp(allowed))
            .unwrap()
            .apply_to_current_thread()
            .expect("bind rules apply under landlock_only");
    }
}

sandboxed_test! {
    /// What this kernel does with TCP Fast Open under a Landlock connect rule and no seccomp
    /// filter: it checks the port, as `connect` would (`EACCES`). Landlock up to ABI 6 did
    /// not (landlock-lsm/linux#41), and the ABI number does not say which a kernel does, so
    /// extrasafe forbids `MSG_FASTOPEN` in its filter wherever connect ports are restricted,
    /// and `landlock_only` refuses connect rules
    /// (`landlock_only_refuses_connect_rules_that_fast_open_would_get_past`).
    fn kernel_fact_fast_open_is_checked_against_connect_rules_on_this_kernel() {
        use landlock::{Access, AccessNet, NetPort, Ruleset, RulesetAttr, RulesetCreatedAttr, ABI};
        if !has_abi(4) {
            return;
        }
        let (_allowed_listener, allowed) = listener();
        let (_other_listener, other) = listener();
        let status = Ruleset::default()
            .handle_access(AccessNet::from_all(ABI::V4))
            .unwrap()
            .create()
            .unwrap()
            .add_rule(NetPort::new(allowed, AccessNet::ConnectTcp))
            .unwrap()
            .restrict_self()
            .unwrap();
        assert_eq!(status.ruleset, landlock::RulesetStatus::FullyEnforced);
        assert_errno(TcpStream::connect(localhost(other)), libc::EACCES);
        assert_eq!(send_fast_open(tcp_socket(), other, b"hi"), Err(libc::EACCES));
        assert_eq!(send_fast_open(tcp_socket(), allowed, b"hi"), Ok(2));
    }
}
