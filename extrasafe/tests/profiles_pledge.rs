//! `profiles::pledge`: every promise through real std calls and raw syscalls, each test in
//! a process of its own. What a promise allows succeeds; representative calls it does not
//! allow fail with EPERM (seccomp) or, beneath `unveil`, EACCES (Landlock).

mod common;

use std::ffi::{CString, OsStr};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_errno, clone_raw, fork_and_exit, raw_syscall, wait_exit_code};
use extrasafe::builtins::danger_zone::GLIBC_FORK_FLAGS;
use extrasafe::profiles::pledge::{Pledge, Promise, VALID_PROMISES};
use extrasafe::syscalls::Sysno;
use extrasafe::{ExtraSafeError, RuleSet, SafetyContext, Verdict};

// ----- helpers ------------------------------------------------------------------------

/// Applies the pledge `promises` to the current thread.
fn pledge(promises: &str) {
    apply(Pledge::new(promises).expect("a valid pledge string"));
}

/// Applies `pledge` (with its unveiled paths) to the current thread.
fn apply(pledge: Pledge) {
    SafetyContext::new()
        .enable(pledge)
        .expect("the pledge enables")
        .apply_to_current_thread()
        .expect("the pledge applies");
}

/// A fresh directory for one test, made before the sandbox. Sandboxed tests cannot clean
/// up after themselves, so this removes what earlier runs (processes that have ended) left.
fn scratch(test: &str) -> PathBuf {
    let tmp = std::env::temp_dir();
    let prefix = format!("extrasafe-pledge-{test}-");
    for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
        let name = entry.file_name();
        if let Some(pid) = name.as_bytes().strip_prefix(prefix.as_bytes()) {
            let ended = !Path::new("/proc").join(OsStr::from_bytes(pid)).exists();
            if !pid.is_empty() && pid.iter().all(u8::is_ascii_digit) && ended {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = tmp.join(format!("{prefix}{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// A file named `name` in `dir` holding `content`.
fn file_with(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write the test file");
    path
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).expect("no NUL in test paths")
}

/// `openat(AT_FDCWD, path, flags, mode)`, closing the descriptor on success.
fn raw_openat(path: &Path, flags: libc::c_int, mode: u64) -> Result<(), i32> {
    let p = c_path(path);
    let fd = raw_syscall(
        libc::SYS_openat,
        [
            libc::AT_FDCWD as u64,
            p.as_ptr() as u64,
            u64::from(flags.unsigned_abs()),
            mode,
            0,
            0,
        ],
    )?;
    raw_syscall(libc::SYS_close, [fd as u64, 0, 0, 0, 0, 0]).expect("close");
    Ok(())
}

/// An anonymous private mapping of one page: its address, or the errno.
fn mmap_anon(prot: libc::c_int, extra_flags: libc::c_int) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_mmap,
        [
            0,
            4096,
            u64::from(prot.unsigned_abs()),
            u64::from((libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | extra_flags).unsigned_abs()),
            u64::MAX,
            0,
        ],
    )
}

fn mprotect(addr: i64, prot: libc::c_int) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_mprotect,
        [addr as u64, 4096, u64::from(prot.unsigned_abs()), 0, 0, 0],
    )
}

fn ioctl(fd: RawFd, request: u64, arg: u64) -> Result<i64, i32> {
    raw_syscall(libc::SYS_ioctl, [fd as u64, request, arg, 0, 0, 0])
}

fn fcntl(fd: RawFd, cmd: libc::c_int, arg: u64) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_fcntl,
        [fd as u64, u64::from(cmd.unsigned_abs()), arg, 0, 0, 0],
    )
}

fn socket(domain: libc::c_int, ty: libc::c_int, protocol: libc::c_int) -> Result<i64, i32> {
    let fd = raw_syscall(
        libc::SYS_socket,
        [
            u64::from(domain.unsigned_abs()),
            u64::from(ty.unsigned_abs()),
            u64::from(protocol.unsigned_abs()),
            0,
            0,
            0,
        ],
    )?;
    raw_syscall(libc::SYS_close, [fd as u64, 0, 0, 0, 0, 0]).expect("close");
    Ok(fd)
}

fn setsockopt_int(
    fd: RawFd,
    level: libc::c_int,
    option: libc::c_int,
    value: i32,
) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_setsockopt,
        [
            fd as u64,
            u64::from(level.unsigned_abs()),
            u64::from(option.unsigned_abs()),
            std::ptr::from_ref(&value) as u64,
            4,
            0,
        ],
    )
}

fn kill(pid: i64, sig: i32) -> Result<i64, i32> {
    raw_syscall(libc::SYS_kill, [pid as u64, sig as u64, 0, 0, 0, 0])
}

fn getpid() -> i64 {
    i64::from(std::process::id())
}

/// `prlimit64(0, RLIMIT_NOFILE, new, &old)`.
fn prlimit_nofile(set: bool) -> Result<i64, i32> {
    let mut old = [0u64; 2];
    raw_syscall(
        libc::SYS_getrlimit,
        [
            libc::RLIMIT_NOFILE as u64,
            old.as_mut_ptr() as u64,
            0,
            0,
            0,
            0,
        ],
    )
    .expect("getrlimit");
    let new = old;
    let new_ptr = if set { new.as_ptr() as u64 } else { 0 };
    raw_syscall(
        libc::SYS_prlimit64,
        [
            0,
            libc::RLIMIT_NOFILE as u64,
            new_ptr,
            old.as_mut_ptr() as u64,
            0,
            0,
        ],
    )
}

/// Sends one byte and the descriptor `fd` over the unix socket `sock` (SCM_RIGHTS).
#[allow(unsafe_code)]
fn send_fd(sock: RawFd, fd: RawFd) -> Result<i64, i32> {
    let mut byte = [b'x'];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let fd_len = u32::try_from(std::mem::size_of::<RawFd>()).expect("small");
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE(fd_len) } as usize;
    let mut control = vec![0u64; space.div_ceil(8)];
    // SAFETY: msghdr is plain data, for which all zeroes is a valid (empty) value.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = space as _;
    // SAFETY: msg_control points at `space` zeroed, 8-aligned bytes: room for one control
    // message holding one descriptor, which CMSG_FIRSTHDR and CMSG_DATA point into.
    unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(fd_len) as _;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<RawFd>(), fd);
    }
    raw_syscall(
        libc::SYS_sendmsg,
        [sock as u64, std::ptr::from_ref(&msg) as u64, 0, 0, 0, 0],
    )
}

/// Receives one byte and a descriptor sent with [`send_fd`].
#[allow(unsafe_code)]
fn recv_fd(sock: RawFd) -> Result<RawFd, i32> {
    let mut byte = [0u8];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let fd_len = u32::try_from(std::mem::size_of::<RawFd>()).expect("small");
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE(fd_len) } as usize;
    let mut control = vec![0u64; space.div_ceil(8)];
    // SAFETY: msghdr is plain data, for which all zeroes is a valid (empty) value.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = space as _;
    raw_syscall(
        libc::SYS_recvmsg,
        [sock as u64, std::ptr::from_mut(&mut msg) as u64, 0, 0, 0, 0],
    )?;
    // SAFETY: recvmsg filled `msg`; CMSG_FIRSTHDR checks msg_controllen and returns null
    // when no control message arrived; the data of an SCM_RIGHTS message is a descriptor.
    unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        assert!(!cmsg.is_null(), "no control message");
        assert_eq!((*cmsg).cmsg_type, libc::SCM_RIGHTS);
        Ok(std::ptr::read_unaligned(
            libc::CMSG_DATA(cmsg).cast::<RawFd>(),
        ))
    }
}

/// Reads up to 64 bytes from `fd` with a raw read.
fn raw_read(fd: RawFd) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let n = raw_syscall(
        libc::SYS_read,
        [fd as u64, buf.as_mut_ptr() as u64, 64, 0, 0, 0],
    )
    .expect("read");
    buf[..usize::try_from(n).expect("non-negative")].to_vec()
}

/// A pipe made with a raw pipe2: (read end, write end).
fn pipe() -> (RawFd, RawFd) {
    let mut fds = [0 as RawFd; 2];
    raw_syscall(libc::SYS_pipe2, [fds.as_mut_ptr() as u64, 0, 0, 0, 0, 0]).expect("pipe2");
    (fds[0], fds[1])
}

fn raw_write(fd: RawFd, data: &[u8]) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_write,
        [fd as u64, data.as_ptr() as u64, data.len() as u64, 0, 0, 0],
    )
}

// ----- parsing ------------------------------------------------------------------------

#[test]
fn unknown_promises_are_an_error_listing_the_valid_ones() {
    let err = Pledge::new("stdio rpath frobnicate").unwrap_err();
    match &err {
        ExtraSafeError::UnknownPromise { promise, valid, .. } => {
            assert_eq!(promise, "frobnicate");
            assert_eq!(*valid, VALID_PROMISES);
        }
        other => panic!("unexpected error {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with("unknown pledge promise `frobnicate`"),
        "{message}"
    );
    for &p in Promise::ALL {
        assert!(message.contains(p.name()), "{message} lacks {p}");
    }
}

#[test]
fn openbsd_promises_without_a_linux_meaning_are_rejected() {
    for name in [
        "audio",
        "bpf",
        "disklabel",
        "drm",
        "error",
        "getpw",
        "mcast",
        "pf",
        "ps",
        "route",
        "tape",
        "video",
        "vmm",
        "wroute",
    ] {
        let err = Pledge::new(&format!("stdio {name}")).unwrap_err();
        assert!(
            matches!(&err, ExtraSafeError::UnknownPromise { promise, .. } if promise == name),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn promise_strings_are_split_on_whitespace_and_case_insensitive() {
    let pledge = Pledge::new("\tSTDIO\r\nrpath  Inet stdio rpath ").unwrap();
    assert_eq!(pledge.to_string(), "stdio rpath inet");
    assert_eq!(
        pledge.promises().collect::<Vec<_>>(),
        [Promise::Stdio, Promise::Rpath, Promise::Inet]
    );
    assert_eq!(Pledge::new("").unwrap().promises().count(), 0);
    assert_eq!(Pledge::new(" \t\r\n ").unwrap().to_string(), "");
    let all = Pledge::new(VALID_PROMISES).unwrap();
    assert_eq!(all.to_string(), VALID_PROMISES);
    for &p in Promise::ALL {
        assert_eq!(p.name().parse::<Promise>().unwrap(), p);
        assert!(all.has(p));
    }
}

#[test]
fn odd_input_is_an_error_never_a_panic() {
    let odd = [
        "stdio\u{a0}rpath",
        "stdio\u{0}",
        "\u{0}",
        "std\u{301}io",
        "💥",
        "stdio\u{b}rpath",
        "stdio\u{c}rpath",
        "stdio,rpath",
        "ſtdio",
        "STDİO",
        "\u{feff}stdio",
    ];
    for s in odd {
        let err = Pledge::new(s).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("unknown pledge promise"),
            "{s:?}: {message}"
        );
    }
    // Every short byte string, through from_utf8_lossy: never a panic.
    let alphabet = [b' ', b'\t', b's', b'T', b'_', 0xff, 0xc3, 0x00];
    for a in alphabet {
        for b in alphabet {
            for c in alphabet {
                let s = String::from_utf8_lossy(&[a, b, c]).into_owned();
                let _ = Pledge::new(&s);
            }
        }
    }
    let long = "stdio ".repeat(10_000);
    assert_eq!(Pledge::new(&long).unwrap().to_string(), "stdio");
}

// ----- the policy model ---------------------------------------------------------------

#[test]
fn explain_shows_the_narrowed_basics_and_enosys_for_clone3() {
    let explanation = SafetyContext::new()
        .enable(Pledge::new("stdio").unwrap())
        .unwrap()
        .explain()
        .unwrap();
    assert!(explanation.narrowed_basics.contains(&Sysno::mmap));
    assert!(explanation.narrowed_basics.contains(&Sysno::mprotect));
    assert!(matches!(
        explanation.get(Sysno::clone3),
        Some(Verdict::Enosys { .. })
    ));
    match explanation.get(Sysno::clone) {
        Some(Verdict::AllowedIf { rules }) => assert!(rules.iter().all(|(by, _)| *by == "Pledge")),
        other => panic!("clone: {other:?}"),
    }
    let write = explanation.get(Sysno::write);
    assert!(
        matches!(write, Some(Verdict::Allowed { by }) if by.contains(&"Pledge")),
        "{write:?}"
    );
    assert!(
        explanation.get(Sysno::openat).is_none(),
        "stdio opens nothing"
    );

    let exec = SafetyContext::new()
        .enable(Pledge::new("stdio prot_exec").unwrap())
        .unwrap()
        .explain()
        .unwrap();
    assert!(matches!(
        exec.get(Sysno::mprotect),
        Some(Verdict::Allowed { .. })
    ));
    assert!(!exec.narrowed_basics.contains(&Sysno::mprotect));
}

#[test]
fn a_promise_that_allows_a_syscall_outright_wins_over_conditions() {
    // stdio allows kill of itself only, proc any kill: together, kill is unconditional.
    let both = Pledge::new("stdio proc").unwrap();
    assert!(both.simple_rules().contains(&Sysno::kill));
    assert!(!both.conditional_rules().contains_key(&Sysno::kill));
    let stdio = Pledge::new("stdio").unwrap();
    assert!(!stdio.simple_rules().contains(&Sysno::kill));
    assert!(stdio.conditional_rules().contains_key(&Sysno::kill));
}

#[test]
fn every_promise_at_once_compiles() {
    let filter = SafetyContext::new()
        .enable(Pledge::new(VALID_PROMISES).unwrap())
        .unwrap()
        .compile()
        .unwrap();
    assert!(filter.instructions().len() < 4096);
}

// ----- stdio and the empty pledge -----------------------------------------------------

sandboxed_test! {
    fn stdio_allows_io_on_open_descriptors_threads_and_memory() {
        let (a, mut b) = UnixStream::pair().unwrap();
        pledge("stdio");

        println!("stdout works under stdio");
        let (r, w) = pipe();
        assert_eq!(raw_write(w, b"hello"), Ok(5));
        let mut available: libc::c_int = 0;
        assert_eq!(
            ioctl(r, 0x541b, std::ptr::from_mut(&mut available) as u64),
            Ok(0)
        ); // FIONREAD
        assert_eq!(available, 5);
        assert_eq!(raw_read(r), b"hello");
        assert!(fcntl(r, libc::F_GETFL, 0).is_ok());
        assert!(fcntl(r, libc::F_DUPFD_CLOEXEC, 10).unwrap() >= 10);
        assert_eq!(ioctl(r, 0x5451, 0), Ok(0)); // FIOCLEX

        // sendto without an address, on a connected socket.
        let sent = raw_syscall(
            libc::SYS_sendto,
            [a.as_raw_fd() as u64, b"ping".as_ptr() as u64, 4, 0, 0, 0],
        );
        assert_eq!(sent, Ok(4));
        let mut buf = [0u8; 4];
        b.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        b.write_all(b"pong").unwrap();

        assert_eq!(std::thread::spawn(|| 6 * 7).join().unwrap(), 42);
        let named = std::thread::Builder::new()
            .name("pledged".into())
            .spawn(|| 1)
            .unwrap();
        assert_eq!(named.join().unwrap(), 1);

        assert_eq!(kill(getpid(), 0), Ok(0));
        assert_eq!(prlimit_nofile(false), Ok(0));
        assert!(raw_syscall(libc::SYS_getppid, [0; 6]).unwrap() > 0);
        assert!(std::time::SystemTime::now() > std::time::UNIX_EPOCH);
        std::thread::sleep(std::time::Duration::from_millis(1));

        let page = mmap_anon(libc::PROT_READ | libc::PROT_WRITE, 0).unwrap();
        assert_eq!(mprotect(page, libc::PROT_READ), Ok(0));
        let big = vec![7u8; 1 << 20];
        assert_eq!(big.iter().map(|&x| u64::from(x)).sum::<u64>(), 7 << 20);
    }
}

sandboxed_test! {
    fn stdio_denies_files_sockets_processes_and_executable_memory() {
        let dir = scratch("stdio-denies");
        let file = file_with(&dir, "data", "secret");
        let (a, _b) = UnixStream::pair().unwrap();
        let (r, _w) = pipe();
        pledge("stdio");

        assert_errno(std::fs::File::open(&file), libc::EPERM);
        assert_errno(std::fs::read_dir(&dir), libc::EPERM);
        assert_errno(TcpStream::connect("127.0.0.1:9"), libc::EPERM);
        assert_eq!(
            socket(libc::AF_UNIX, libc::SOCK_STREAM, 0),
            Err(libc::EPERM)
        );

        // No executable memory, no locked mappings.
        assert_eq!(
            mmap_anon(libc::PROT_READ | libc::PROT_EXEC, 0),
            Err(libc::EPERM)
        );
        assert_eq!(
            mmap_anon(libc::PROT_READ | libc::PROT_WRITE, libc::MAP_LOCKED),
            Err(libc::EPERM)
        );
        let page = mmap_anon(libc::PROT_READ | libc::PROT_WRITE, 0).unwrap();
        assert_eq!(
            mprotect(page, libc::PROT_READ | libc::PROT_EXEC),
            Err(libc::EPERM)
        );

        // Threads only: no fork, no namespaces.
        assert_eq!(clone_raw(GLIBC_FORK_FLAGS), Err(libc::EPERM));
        assert_eq!(fork_and_exit(0), Err(libc::EPERM));
        for flag in [libc::CLONE_NEWUSER, libc::CLONE_NEWNET, libc::CLONE_NEWPID] {
            assert_eq!(
                clone_raw(flag as u64 | libc::SIGCHLD as u64),
                Err(libc::EPERM)
            );
        }
        assert_eq!(
            raw_syscall(libc::SYS_clone3, [0, 0, 0, 0, 0, 0]),
            Err(libc::ENOSYS)
        );
        let true_path = c_path(Path::new("/bin/true"));
        let argv = [true_path.as_ptr(), std::ptr::null()];
        assert_eq!(
            raw_syscall(
                libc::SYS_execve,
                [true_path.as_ptr() as u64, argv.as_ptr() as u64, 0, 0, 0, 0]
            ),
            Err(libc::EPERM)
        );

        // Signals to others, limits, credentials, the clock.
        assert_eq!(kill(1, 0), Err(libc::EPERM));
        assert_eq!(prlimit_nofile(true), Err(libc::EPERM));
        assert_eq!(raw_syscall(libc::SYS_setuid, [0; 6]), Err(libc::EPERM));
        let mut timex = [0u64; 32];
        assert_eq!(
            raw_syscall(
                libc::SYS_clock_adjtime,
                [
                    libc::CLOCK_REALTIME as u64,
                    timex.as_mut_ptr() as u64,
                    0,
                    0,
                    0,
                    0
                ]
            ),
            Err(libc::EPERM)
        );

        // Requests, commands and options outside the allow-lists.
        let mut termios = [0u8; 64];
        assert_eq!(
            ioctl(r, 0x5401, termios.as_mut_ptr() as u64),
            Err(libc::EPERM)
        ); // TCGETS, not ENOTTY
        assert_eq!(fcntl(r, libc::F_SETPIPE_SZ, 8192), Err(libc::EPERM));
        assert_eq!(fcntl(r, libc::F_SETLK, 0), Err(libc::EPERM));
        assert_eq!(
            raw_syscall(
                libc::SYS_prctl,
                [libc::PR_SET_DUMPABLE as u64, 0, 0, 0, 0, 0]
            ),
            Err(libc::EPERM)
        );
        assert_eq!(
            raw_syscall(
                libc::SYS_prctl,
                [libc::PR_SET_NAME as u64, c"p".as_ptr() as u64, 0, 0, 0, 0]
            ),
            Ok(0)
        );
        // sendto with an address, sendmsg, recvmsg.
        let addr = [0u8; 16];
        assert_eq!(
            raw_syscall(
                libc::SYS_sendto,
                [
                    a.as_raw_fd() as u64,
                    b"x".as_ptr() as u64,
                    1,
                    0,
                    addr.as_ptr() as u64,
                    16
                ]
            ),
            Err(libc::EPERM)
        );
        assert_eq!(send_fd(a.as_raw_fd(), r), Err(libc::EPERM));
        assert_eq!(recv_fd(a.as_raw_fd()), Err(libc::EPERM));
        // Landlock, memfd_create and openat2 are in no stdio promise.
        assert_eq!(
            raw_syscall(libc::SYS_landlock_create_ruleset, [0, 0, 1, 0, 0, 0]),
            Err(libc::EPERM)
        );
        assert_eq!(
            raw_syscall(
                libc::SYS_memfd_create,
                [c"m".as_ptr() as u64, 0, 0, 0, 0, 0]
            ),
            Err(libc::EPERM)
        );
        let how = [0u64; 3];
        assert_eq!(
            raw_syscall(
                libc::SYS_openat2,
                [
                    libc::AT_FDCWD as u64,
                    c_path(&file).as_ptr() as u64,
                    how.as_ptr() as u64,
                    24,
                    0,
                    0
                ]
            ),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn the_empty_pledge_leaves_only_the_basics() {
        pledge("");

        // Nothing of stdio: not even writing to stderr or reading the clock.
        assert_eq!(raw_write(2, b"nope\n"), Err(libc::EPERM));
        assert_eq!(raw_syscall(libc::SYS_getppid, [0; 6]), Err(libc::EPERM));
        let mut ts = [0i64; 2];
        assert_eq!(
            raw_syscall(
                libc::SYS_clock_gettime,
                [
                    libc::CLOCK_MONOTONIC as u64,
                    ts.as_mut_ptr() as u64,
                    0,
                    0,
                    0,
                    0
                ]
            ),
            Err(libc::EPERM)
        );
        // The floor every extrasafe context keeps: memory without PROT_EXEC, exit.
        assert!(mmap_anon(libc::PROT_READ | libc::PROT_WRITE, 0).is_ok());
        assert_eq!(
            mmap_anon(libc::PROT_READ | libc::PROT_EXEC, 0),
            Err(libc::EPERM)
        );
        assert_eq!(raw_syscall(libc::SYS_getpid, [0; 6]), Ok(getpid()));
    }
}

sandboxed_test! {
    fn a_precompiled_narrower_pledge_can_be_loaded_later() {
        let dir = scratch("narrow-later");
        let file = file_with(&dir, "data", "first");
        let narrower = SafetyContext::new()
            .enable(Pledge::new("stdio").unwrap())
            .unwrap()
            .compile()
            .unwrap();
        pledge("stdio rpath");

        assert_eq!(std::fs::read_to_string(&file).unwrap(), "first");
        // Anything but adding a plain or thread-synchronised filter stays denied.
        let get_notif_sizes = raw_syscall(libc::SYS_seccomp, [3, 0, 0, 0, 0, 0]);
        assert_eq!(get_notif_sizes, Err(libc::EPERM));
        narrower.apply_to_current_thread().unwrap();
        assert_errno(std::fs::read_to_string(&file), libc::EPERM);
        println!("stdio still works after narrowing");
    }
}

// ----- paths --------------------------------------------------------------------------

sandboxed_test! {
    fn rpath_reads_files_and_directories_but_cannot_change_them() {
        let dir = scratch("rpath");
        let file = file_with(&dir, "data", "hello");
        pledge("stdio rpath");

        assert_eq!(std::fs::read_to_string(&file).unwrap(), "hello");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["data"]);
        assert_eq!(std::fs::metadata(&file).unwrap().len(), 5);
        assert!(std::fs::symlink_metadata(&dir).unwrap().is_dir());
        assert_eq!(std::fs::canonicalize(&file).unwrap(), file);
        std::env::set_current_dir(&dir).unwrap();
        assert_eq!(std::env::current_dir().unwrap(), dir);

        assert_errno(
            std::fs::OpenOptions::new().write(true).open(&file),
            libc::EPERM,
        );
        assert_errno(
            std::fs::OpenOptions::new().append(true).open(&file),
            libc::EPERM,
        );
        assert_errno(std::fs::File::create(dir.join("new")), libc::EPERM);
        assert_eq!(
            raw_openat(&file, libc::O_RDONLY | libc::O_TRUNC, 0),
            Err(libc::EPERM)
        );
        assert_eq!(
            raw_openat(&dir.join("new"), libc::O_RDONLY | libc::O_CREAT, 0o644),
            Err(libc::EPERM)
        );
        assert_errno(std::fs::remove_file(&file), libc::EPERM);
        assert_errno(std::fs::create_dir(dir.join("sub")), libc::EPERM);
        assert_errno(std::fs::rename(&file, dir.join("moved")), libc::EPERM);
        assert_errno(
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)),
            libc::EPERM,
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "hello");
    }
}

sandboxed_test! {
    fn wpath_writes_existing_files_but_cannot_read_or_create_them() {
        let dir = scratch("wpath");
        let file = file_with(&dir, "data", "hello");
        pledge("stdio wpath");

        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&file)
            .unwrap();
        f.write_all(b"bye").unwrap();
        assert_eq!(f.metadata().unwrap().len(), 3);
        let rw = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&file)
            .unwrap();
        assert_eq!(rw.metadata().unwrap().len(), 3);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_errno(
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o4755)),
            libc::EPERM,
        );

        assert_errno(std::fs::File::open(&file), libc::EPERM);
        assert_errno(std::fs::File::create(dir.join("new")), libc::EPERM);
        assert_errno(std::fs::File::create(&file), libc::EPERM);
        assert_errno(std::fs::remove_file(&file), libc::EPERM);
    }
}

sandboxed_test! {
    fn cpath_with_wpath_creates_renames_links_and_removes() {
        let dir = scratch("cpath");
        pledge("stdio rpath wpath cpath");

        std::fs::write(dir.join("a"), "created").unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a")).unwrap(), "created");
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::rename(dir.join("a"), dir.join("sub/b")).unwrap();
        std::fs::hard_link(dir.join("sub/b"), dir.join("c")).unwrap();
        std::os::unix::fs::symlink("sub/b", dir.join("link")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("link")).unwrap(),
            "created"
        );
        std::fs::remove_file(dir.join("link")).unwrap();
        std::fs::remove_file(dir.join("c")).unwrap();
        std::fs::remove_file(dir.join("sub/b")).unwrap();
        std::fs::remove_dir(dir.join("sub")).unwrap();
        let tmpfile = libc::O_TMPFILE | libc::O_WRONLY;
        assert_eq!(raw_openat(&dir, tmpfile, 0o600), Ok(()));

        // Not setuid files, not fifos (dpath).
        let setuid = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o4755)
            .open(dir.join("suid"));
        assert_errno(setuid, libc::EPERM);
        assert_eq!(raw_openat(&dir, tmpfile, 0o2700), Err(libc::EPERM));
        let fifo = c_path(&dir.join("fifo"));
        assert_eq!(
            raw_syscall(
                libc::SYS_mknodat,
                [
                    libc::AT_FDCWD as u64,
                    fifo.as_ptr() as u64,
                    u64::from(libc::S_IFIFO | 0o600),
                    0,
                    0,
                    0
                ]
            ),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn cpath_without_wpath_creates_but_cannot_open_for_writing() {
        let dir = scratch("cpath-no-wpath");
        let existing = file_with(&dir, "existing", "keep");
        pledge("stdio rpath cpath");

        // O_CREAT needs cpath, O_WRONLY needs wpath: jart's filter lets cpath alone through.
        assert_eq!(
            raw_openat(&dir.join("new"), libc::O_RDONLY | libc::O_CREAT, 0o644),
            Ok(())
        );
        assert!(dir.join("new").exists());
        assert_eq!(
            raw_openat(&existing, libc::O_WRONLY | libc::O_CREAT, 0o644),
            Err(libc::EPERM)
        );
        assert_eq!(raw_openat(&existing, libc::O_RDWR, 0), Err(libc::EPERM));
        assert_errno(std::fs::File::create(dir.join("other")), libc::EPERM);
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::remove_dir(dir.join("sub")).unwrap();
        std::fs::remove_file(dir.join("new")).unwrap();
        assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep");
    }
}

sandboxed_test! {
    fn dpath_makes_fifos() {
        let dir = scratch("dpath");
        pledge("stdio rpath dpath");

        let fifo = c_path(&dir.join("fifo"));
        assert_eq!(
            raw_syscall(
                libc::SYS_mknodat,
                [
                    libc::AT_FDCWD as u64,
                    fifo.as_ptr() as u64,
                    u64::from(libc::S_IFIFO | 0o600),
                    0,
                    0,
                    0
                ]
            ),
            Ok(0)
        );
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(dir.join("fifo"))
            .unwrap()
            .file_type()
            .is_fifo());
        assert_errno(std::fs::create_dir(dir.join("sub")), libc::EPERM);
    }
}

sandboxed_test! {
    fn tmppath_unlinks_but_opens_nothing() {
        let dir = scratch("tmppath");
        let file = file_with(&dir, "scratch", "x");
        pledge("stdio tmppath");

        assert_errno(std::fs::File::open(&file), libc::EPERM);
        std::fs::remove_file(&file).unwrap();
        assert_errno(std::fs::create_dir(dir.join("sub")), libc::EPERM);
    }
}

sandboxed_test! {
    fn flock_locks_files() {
        let dir = scratch("flock");
        let file = std::fs::File::create(dir.join("lock")).unwrap();
        let fd = file.as_raw_fd();
        pledge("stdio flock");

        assert_eq!(
            raw_syscall(
                libc::SYS_flock,
                [fd as u64, libc::LOCK_EX as u64, 0, 0, 0, 0]
            ),
            Ok(0)
        );
        assert_eq!(
            raw_syscall(
                libc::SYS_flock,
                [fd as u64, libc::LOCK_UN as u64, 0, 0, 0, 0]
            ),
            Ok(0)
        );
        let lock = libc::flock {
            l_type: libc::F_WRLCK as i16,
            l_whence: libc::SEEK_SET as i16,
            l_start: 0,
            l_len: 0,
            l_pid: 0,
        };
        let unlock = libc::flock {
            l_type: libc::F_UNLCK as i16,
            ..lock
        };
        assert_eq!(
            fcntl(fd, libc::F_SETLK, std::ptr::from_ref(&lock) as u64),
            Ok(0)
        );
        assert_eq!(
            fcntl(fd, libc::F_SETLK, std::ptr::from_ref(&unlock) as u64),
            Ok(0)
        );
        // Open-file-description locks (which conflict with the process's own POSIX locks).
        assert_eq!(
            fcntl(fd, libc::F_OFD_SETLK, std::ptr::from_ref(&lock) as u64),
            Ok(0)
        );
        let mut probe = libc::flock {
            l_type: libc::F_WRLCK as i16,
            ..lock
        };
        assert_eq!(
            fcntl(fd, libc::F_OFD_GETLK, std::ptr::from_mut(&mut probe) as u64),
            Ok(0)
        );
        assert_eq!(
            fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK as u64),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn fattr_changes_modes_and_times_chown_changes_owners() {
        let dir = scratch("fattr");
        let file = file_with(&dir, "data", "x");
        pledge("stdio rpath fattr");

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o7777,
            0o640
        );
        assert_errno(
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o2755)),
            libc::EPERM,
        );
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        std::fs::File::open(&file)
            .unwrap()
            .set_modified(when)
            .unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), when);
        // Owners need `chown`.
        assert_errno(
            std::os::unix::fs::chown(&file, Some(0), Some(0)),
            libc::EPERM,
        );
    }
}

sandboxed_test! {
    fn chown_changes_owners() {
        let dir = scratch("chown");
        let file = file_with(&dir, "data", "x");
        let uid = std::fs::metadata(&file).unwrap();
        use std::os::unix::fs::MetadataExt;
        let (owner, group) = (uid.uid(), uid.gid());
        pledge("stdio rpath chown");

        std::os::unix::fs::chown(&file, Some(owner), Some(group)).unwrap();
        std::os::unix::fs::lchown(&file, Some(owner), None).unwrap();
        std::os::unix::fs::fchown(std::fs::File::open(&file).unwrap(), None, Some(group)).unwrap();
        // Modes need `fattr`.
        assert_errno(
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)),
            libc::EPERM,
        );
    }
}

// ----- sockets ------------------------------------------------------------------------

sandboxed_test! {
    fn inet_serves_and_connects_over_tcp_and_udp() {
        pledge("stdio inet");

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).unwrap();
        let (mut server, peer) = listener.accept().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        client.set_nodelay(true).unwrap();
        client
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        assert!(client.take_error().unwrap().is_none());
        client.write_all(b"hi").unwrap();
        let mut buf = [0u8; 2];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hi");
        server.set_nonblocking(true).unwrap();

        let udp_a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let udp_b = UdpSocket::bind("127.0.0.1:0").unwrap();
        udp_a
            .send_to(b"dgram", udp_b.local_addr().unwrap())
            .unwrap();
        let mut dbuf = [0u8; 8];
        let (n, from) = udp_b.recv_from(&mut dbuf).unwrap();
        assert_eq!(
            (&dbuf[..n], from),
            (&b"dgram"[..], udp_a.local_addr().unwrap())
        );

        // Other families, types, protocols and options.
        assert_eq!(
            socket(libc::AF_UNIX, libc::SOCK_STREAM, 0),
            Err(libc::EPERM)
        );
        assert_eq!(
            socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP),
            Err(libc::EPERM)
        );
        assert_eq!(
            socket(libc::AF_INET, libc::SOCK_STREAM, libc::IPPROTO_SCTP),
            Err(libc::EPERM)
        );
        assert_eq!(
            socket(libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_UDPLITE),
            Err(libc::EPERM)
        );
        assert_eq!(
            socket(libc::AF_PACKET, libc::SOCK_DGRAM, 0),
            Err(libc::EPERM)
        );
        assert_errno(client.set_ttl(9), libc::EPERM);
        assert_eq!(
            setsockopt_int(client.as_raw_fd(), libc::SOL_SOCKET, libc::SO_PRIORITY, 1),
            Err(libc::EPERM)
        );
        // A level paired with another level's option number: IPPROTO_IPV6 with TCP_NODELAY.
        assert_eq!(
            setsockopt_int(client.as_raw_fd(), libc::IPPROTO_IPV6, libc::TCP_NODELAY, 1),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn anet_serves_tcp_but_cannot_connect() {
        let outside = TcpListener::bind("127.0.0.1:0").unwrap();
        let outside_addr = outside.local_addr().unwrap();
        pledge("stdio anet");

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(listener.local_addr().unwrap().port() > 0);
        assert_errno(TcpStream::connect(outside_addr), libc::EPERM);
        assert_errno(UdpSocket::bind("127.0.0.1:0"), libc::EPERM);
    }
}

sandboxed_test! {
    fn unix_binds_connects_and_accepts_unix_sockets() {
        let dir = scratch("unix");
        pledge("stdio unix");

        let listener = UnixListener::bind(dir.join("sock")).unwrap();
        let mut client = UnixStream::connect(dir.join("sock")).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(b"over unix").unwrap();
        let mut buf = [0u8; 9];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"over unix");
        let d1 = UnixDatagram::bind(dir.join("d1")).unwrap();
        let d2 = UnixDatagram::unbound().unwrap();
        d2.send_to(b"dg", dir.join("d1")).unwrap();
        let mut dbuf = [0u8; 2];
        assert_eq!(d1.recv(&mut dbuf).unwrap(), 2);

        assert_errno(TcpListener::bind("127.0.0.1:0"), libc::EPERM);
        assert_eq!(
            socket(libc::AF_UNIX, libc::SOCK_SEQPACKET, 0),
            Err(libc::EPERM)
        );
        assert_eq!(send_fd(client.as_raw_fd(), 0), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn dns_reads_resolver_files_and_queries_over_udp_and_tcp() {
        let dir = scratch("dns");
        let resolv = file_with(&dir, "resolv.conf", "nameserver 127.0.0.1\n");
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let server_addr = server.local_addr().unwrap();
        let tcp_server = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp_addr = tcp_server.local_addr().unwrap();
        pledge("stdio dns");

        assert_eq!(
            std::fs::read_to_string(&resolv).unwrap(),
            "nameserver 127.0.0.1\n"
        );
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client.connect(server_addr).unwrap();
        client.send(b"query").unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = server.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"query");
        server.send_to(b"answer", from).unwrap();
        let n = client.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"answer");
        let _tcp = TcpStream::connect(tcp_addr).unwrap();

        assert_errno(TcpListener::bind("127.0.0.1:0"), libc::EPERM); // no listen
        assert_errno(
            std::fs::OpenOptions::new().write(true).open(&resolv),
            libc::EPERM,
        );
        assert_eq!(socket(libc::AF_UNIX, libc::SOCK_DGRAM, 0), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn netlink_opens_route_sockets_only() {
        pledge("stdio netlink");

        assert!(socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_ROUTE
        )
        .is_ok());
        assert!(socket(libc::AF_NETLINK, libc::SOCK_DGRAM, libc::NETLINK_ROUTE).is_ok());
        assert_eq!(
            socket(libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_AUDIT),
            Err(libc::EPERM)
        );
        assert_eq!(
            socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_NONBLOCK, 0),
            Err(libc::EPERM)
        );
        assert_eq!(socket(libc::AF_INET, libc::SOCK_DGRAM, 0), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn sendfd_and_recvfd_pass_descriptors() {
        let dir = scratch("sendfd");
        let file = std::fs::File::open(file_with(&dir, "data", "passed")).unwrap();
        let (a, b) = UnixStream::pair().unwrap();
        pledge("stdio sendfd recvfd");

        assert_eq!(send_fd(a.as_raw_fd(), file.as_raw_fd()), Ok(1));
        let received = recv_fd(b.as_raw_fd()).unwrap();
        assert_ne!(received, file.as_raw_fd());
        assert_eq!(raw_read(received), b"passed");
    }
}

// ----- terminals, processes, credentials, memory, time --------------------------------

sandboxed_test! {
    fn tty_allows_terminal_ioctls() {
        let pty = match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/ptmx")
        {
            Ok(pty) => pty,
            Err(e) => return common::skip(&format!("no pseudo-terminal: /dev/ptmx: {e}")),
        };
        let fd = pty.as_raw_fd();
        pledge("stdio tty");

        let mut termios = [0u8; 64];
        assert_eq!(ioctl(fd, 0x5401, termios.as_mut_ptr() as u64), Ok(0)); // TCGETS
        let mut winsize = [0u16; 4];
        assert_eq!(ioctl(fd, 0x5413, winsize.as_mut_ptr() as u64), Ok(0)); // TIOCGWINSZ
        assert_eq!(ioctl(fd, 0x5414, winsize.as_ptr() as u64), Ok(0)); // TIOCSWINSZ
        let c = b'x';
        assert_eq!(
            ioctl(fd, 0x5412, std::ptr::from_ref(&c) as u64),
            Err(libc::EPERM)
        ); // TIOCSTI
        let mut n = 0u32;
        assert_eq!(
            ioctl(fd, 0x8004_5430, std::ptr::from_mut(&mut n) as u64),
            Err(libc::EPERM)
        ); // TIOCGPTN
    }
}

sandboxed_test! {
    fn proc_forks_and_signals_but_creates_no_namespaces() {
        let ppid = i64::from(std::os::unix::process::parent_id());
        let root = common::is_root();
        pledge("stdio proc");

        let pid = fork_and_exit(7).unwrap();
        assert_eq!(wait_exit_code(pid), 7);
        assert_eq!(kill(i64::from(std::process::id()), 0), Ok(0));
        // Signals to other processes pass the filter: to init, the kernel lets only root
        // (an unprivileged user gets its EPERM); to the parent (the same user), everyone.
        let init = if root { Ok(0) } else { Err(libc::EPERM) };
        assert_eq!(kill(1, 0), init);
        assert_eq!(kill(ppid, 0), Ok(0));
        assert_eq!(raw_syscall(libc::SYS_setpgid, [0; 6]), Ok(0));
        assert!(raw_syscall(
            libc::SYS_getpriority,
            [libc::PRIO_PROCESS as u64, 0, 0, 0, 0, 0]
        )
        .is_ok());
        assert_eq!(prlimit_nofile(true), Ok(0));
        for flag in [
            libc::CLONE_NEWUSER,
            libc::CLONE_NEWNET,
            libc::CLONE_NEWNS,
            libc::CLONE_NEWPID,
        ] {
            assert_eq!(
                clone_raw(flag as u64 | libc::SIGCHLD as u64),
                Err(libc::EPERM),
                "{flag:#x}"
            );
        }
        // posix_spawn's clone is allowed; execve needs `exec`.
        assert_errno(Command::new("/bin/true").status(), libc::EPERM);
    }
}

sandboxed_test! {
    fn exec_runs_programs_with_rpath_and_prot_exec() {
        pledge("stdio rpath proc exec prot_exec");

        assert!(Command::new("/bin/true").status().unwrap().success());
        let status = Command::new("/bin/sh")
            .args(["-c", "exit 3"])
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(3));
    }
}

sandboxed_test! {
    fn exec_without_prot_exec_cannot_load_a_dynamic_program() {
        pledge("stdio rpath proc exec");

        // execve succeeds; the dynamic loader's PROT_EXEC mappings do not.
        // (Not Stdio::null(): opening /dev/null for writing needs wpath.)
        let status = Command::new("/bin/true").status().unwrap();
        assert!(!status.success(), "{status:?}");
    }
}

sandboxed_test! {
    fn id_changes_credentials() {
        let uid = raw_syscall(libc::SYS_geteuid, [0; 6]).unwrap() as u64;
        let gid = raw_syscall(libc::SYS_getegid, [0; 6]).unwrap() as u64;
        pledge("stdio id");

        assert_eq!(raw_syscall(libc::SYS_setgid, [gid, 0, 0, 0, 0, 0]), Ok(0));
        assert_eq!(raw_syscall(libc::SYS_setuid, [uid, 0, 0, 0, 0, 0]), Ok(0));
        assert_eq!(
            raw_syscall(libc::SYS_setresuid, [u64::MAX, u64::MAX, u64::MAX, 0, 0, 0]),
            Ok(0)
        );
        assert_eq!(prlimit_nofile(true), Ok(0));
        // Capabilities are not part of `id`.
        let header = [0x2008_0522u32, 0];
        let mut data = [0u32; 6];
        assert_eq!(
            raw_syscall(
                libc::SYS_capget,
                [header.as_ptr() as u64, data.as_mut_ptr() as u64, 0, 0, 0, 0]
            ),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn prot_exec_allows_executable_mappings() {
        pledge("stdio prot_exec");

        assert!(mmap_anon(libc::PROT_READ | libc::PROT_EXEC, 0).is_ok());
        let page = mmap_anon(libc::PROT_READ | libc::PROT_WRITE, 0).unwrap();
        assert_eq!(mprotect(page, libc::PROT_READ | libc::PROT_EXEC), Ok(0));
        // Locked, non-blocking and huge-page executable mappings stay denied.
        assert_eq!(
            mmap_anon(libc::PROT_READ | libc::PROT_EXEC, libc::MAP_LOCKED),
            Err(libc::EPERM)
        );
        assert_eq!(
            mmap_anon(libc::PROT_READ | libc::PROT_EXEC, libc::MAP_HUGETLB),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn settime_adjusts_the_clock() {
        let root = common::is_root();
        pledge("stdio settime");

        // modes = 0: read the clock's adjustment state, change nothing.
        let mut timex = [0u64; 32];
        let state = raw_syscall(
            libc::SYS_clock_adjtime,
            [
                libc::CLOCK_REALTIME as u64,
                timex.as_mut_ptr() as u64,
                0,
                0,
                0,
                0,
            ],
        );
        assert!(state.is_ok(), "{state:?}");
        // Setting nothing: allowed for root; an unprivileged user lacks CAP_SYS_TIME, which
        // the kernel checks even then (EPERM). An invalid time (microseconds out of range)
        // reaches the kernel for everyone and is refused before the check (EINVAL).
        let nothing = if root { Ok(0) } else { Err(libc::EPERM) };
        assert_eq!(raw_syscall(libc::SYS_settimeofday, [0; 6]), nothing);
        let invalid = [0i64, 1_000_000];
        assert_eq!(
            raw_syscall(libc::SYS_settimeofday, [invalid.as_ptr() as u64, 0, 0, 0, 0, 0]),
            Err(libc::EINVAL)
        );
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

sandboxed_test! {
    fn unveil_promise_allows_landlock_syscalls() {
        pledge("stdio unveil");

        // LANDLOCK_CREATE_RULESET_VERSION: the kernel's Landlock ABI.
        let abi = raw_syscall(libc::SYS_landlock_create_ruleset, [0, 0, 1, 0, 0, 0]);
        assert!(abi.is_ok_and(|v| v >= 1), "{abi:?}");
    }
}

sandboxed_test! {
    fn vminfo_is_a_placeholder() {
        pledge("vminfo");

        assert_eq!(raw_syscall(libc::SYS_sched_yield, [0; 6]), Ok(0));
        assert_eq!(raw_write(2, b"nope\n"), Err(libc::EPERM));
    }
}

// ----- unveil -------------------------------------------------------------------------

#[cfg(feature = "landlock")]
#[test]
fn unveil_rejects_unknown_permission_characters() {
    for bad in ["R", "rwxa", "r w", "é", "\u{0}", "rwxc+"] {
        let err = Pledge::new("stdio rpath")
            .unwrap()
            .unveil("/etc", bad)
            .unwrap_err();
        match &err {
            ExtraSafeError::InvalidUnveilPermission {
                path,
                permissions,
                valid,
                ..
            } => {
                assert_eq!(path, Path::new("/etc"));
                assert_eq!(permissions, bad);
                assert_eq!(*valid, "rwxc");
            }
            other => panic!("{bad:?}: {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains("`/etc`") && message.contains("rwxc"),
            "{message}"
        );
    }
    for good in ["", "r", "rwxc", "ccrr", "x"] {
        assert!(
            Pledge::new("stdio").unwrap().unveil("/etc", good).is_ok(),
            "{good:?}"
        );
    }
}

#[cfg(feature = "landlock")]
#[test]
fn unveil_grants_only_what_the_promises_back() {
    use extrasafe::AccessFs as A;
    let rights = |promises: &str, perms: &str| {
        let rules = Pledge::new(promises)
            .unwrap()
            .unveil("/x", perms)
            .unwrap()
            .landlock_rules();
        assert_eq!(rules.len(), 1);
        rules[0].access_rules
    };
    assert_eq!(rights("stdio", "rwxc"), A::IoctlDev);
    assert_eq!(
        rights("stdio rpath", "r"),
        A::ReadFile | A::ReadDir | A::IoctlDev
    );
    assert_eq!(rights("stdio dns", "r"), A::ReadFile | A::IoctlDev);
    assert_eq!(
        rights("stdio rpath wpath", "w"),
        A::WriteFile | A::Truncate | A::IoctlDev
    );
    assert_eq!(rights("stdio exec", "x"), A::Execute | A::ReadFile);
    assert_eq!(rights("stdio rpath", "x"), extrasafe::BitFlags::empty());
    let c = rights("stdio cpath", "c");
    assert!(
        c.contains(A::MakeReg | A::MakeDir | A::MakeSym | A::RemoveFile | A::RemoveDir | A::Refer)
    );
    assert!(!c.intersects(A::MakeFifo | A::MakeChar | A::MakeBlock | A::MakeSock | A::Execute));
    assert_eq!(rights("stdio unix", "c"), A::MakeSock);
    assert_eq!(rights("stdio tmppath", "c"), A::RemoveFile);
    assert!(
        rights("stdio dpath", "c").contains(A::MakeFifo | A::MakeChar | A::MakeBlock | A::MakeSock)
    );
    assert_eq!(rights("stdio rpath", ""), extrasafe::BitFlags::empty());
}

/// An unveil's Landlock rights must not bring syscalls the promises do not allow: `c` with
/// `unix` (a socket right) or `unix tmppath` once implied mknod, link and rename.
#[cfg(feature = "landlock")]
#[test]
fn unveil_brings_no_syscall_the_promises_lack() {
    use extrasafe::syscalls::Sysno;
    for promises in ["stdio unix", "stdio unix tmppath"] {
        let explanation = SafetyContext::new()
            .enable(Pledge::new(promises).unwrap().unveil("/tmp", "c").unwrap())
            .unwrap()
            .explain()
            .unwrap();
        for sysno in [Sysno::mknodat, Sysno::linkat, Sysno::renameat2] {
            assert_eq!(
                explanation.get(sysno),
                None,
                "{promises}: {sysno} is allowed"
            );
        }
    }
    // With cpath, the same syscalls are the pledge's own.
    let explanation = SafetyContext::new()
        .enable(
            Pledge::new("stdio cpath")
                .unwrap()
                .unveil("/tmp", "c")
                .unwrap(),
        )
        .unwrap()
        .explain()
        .unwrap();
    assert!(explanation.get(Sysno::linkat).is_some());
}

sandboxed_test! {
    #[cfg(feature = "landlock")]
    fn unveil_r_makes_one_directory_readable_and_hides_the_rest() {
        let dir = scratch("unveil-r");
        let (seen, hidden) = (dir.join("seen"), dir.join("hidden"));
        std::fs::create_dir_all(&seen).unwrap();
        std::fs::create_dir_all(&hidden).unwrap();
        file_with(&seen, "a", "visible");
        file_with(&hidden, "b", "invisible");
        apply(
            Pledge::new("stdio rpath")
                .unwrap()
                .unveil(&seen, "r")
                .unwrap(),
        );

        assert_eq!(std::fs::read_to_string(seen.join("a")).unwrap(), "visible");
        assert_eq!(std::fs::read_dir(&seen).unwrap().count(), 1);
        assert_errno(std::fs::read_to_string(hidden.join("b")), libc::EACCES);
        assert_errno(std::fs::read_dir(&hidden), libc::EACCES);
        assert_errno(std::fs::read_to_string("/etc/passwd"), libc::EACCES);
        // Unveiled for reading is not unveiled for writing, and wpath is not pledged.
        assert_errno(
            std::fs::OpenOptions::new().write(true).open(seen.join("a")),
            libc::EPERM,
        );
    }
}

sandboxed_test! {
    #[cfg(feature = "landlock")]
    fn unveil_w_allows_writing_but_not_creating() {
        let dir = scratch("unveil-w");
        let (rw, ro) = (dir.join("rw"), dir.join("ro"));
        std::fs::create_dir_all(&rw).unwrap();
        std::fs::create_dir_all(&ro).unwrap();
        let writable = file_with(&rw, "a", "old");
        let readable = file_with(&ro, "b", "fixed");
        let pledge = Pledge::new("stdio rpath wpath cpath").unwrap();
        apply(pledge.unveil(&rw, "rw").unwrap().unveil(&ro, "r").unwrap());

        std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&writable)
            .unwrap()
            .write_all(b"new")
            .unwrap();
        assert_eq!(std::fs::read_to_string(&writable).unwrap(), "new");
        assert_errno(std::fs::File::create(rw.join("created")), libc::EACCES); // no `c`
        assert_errno(std::fs::remove_file(&writable), libc::EACCES);
        assert_errno(
            std::fs::OpenOptions::new().write(true).open(&readable),
            libc::EACCES,
        );
        assert_eq!(std::fs::read_to_string(&readable).unwrap(), "fixed");
    }
}

sandboxed_test! {
    #[cfg(feature = "landlock")]
    fn unveil_c_allows_creating_renaming_and_removing() {
        let dir = scratch("unveil-c");
        let (rwc, rw) = (dir.join("rwc"), dir.join("rw"));
        std::fs::create_dir_all(&rwc).unwrap();
        std::fs::create_dir_all(&rw).unwrap();
        let kept = file_with(&rw, "kept", "stays");
        let pledge = Pledge::new("stdio rpath wpath cpath").unwrap();
        apply(
            pledge
                .unveil(&rwc, "rwc")
                .unwrap()
                .unveil(&rw, "rw")
                .unwrap(),
        );

        std::fs::write(rwc.join("new"), "made").unwrap();
        std::fs::create_dir(rwc.join("sub")).unwrap();
        std::fs::rename(rwc.join("new"), rwc.join("sub/moved")).unwrap();
        assert_eq!(
            std::fs::read_to_string(rwc.join("sub/moved")).unwrap(),
            "made"
        );
        std::os::unix::fs::symlink("sub/moved", rwc.join("link")).unwrap();
        std::fs::remove_file(rwc.join("link")).unwrap();
        std::fs::remove_file(rwc.join("sub/moved")).unwrap();
        std::fs::remove_dir(rwc.join("sub")).unwrap();

        assert_errno(std::fs::File::create(rw.join("new")), libc::EACCES);
        assert_errno(std::fs::create_dir(rw.join("sub")), libc::EACCES);
        assert_errno(std::fs::remove_file(&kept), libc::EACCES);
        assert_errno(std::fs::rename(&kept, rw.join("renamed")), libc::EACCES);
    }
}

sandboxed_test! {
    #[cfg(feature = "landlock")]
    fn unveil_x_allows_executing_only_there() {
        let dir = scratch("unveil-x");
        let (bin, data) = (dir.join("bin"), dir.join("data"));
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        std::fs::copy("/bin/true", bin.join("true")).unwrap();
        std::fs::copy("/bin/true", data.join("true")).unwrap();
        let pledge = Pledge::new("stdio rpath proc exec prot_exec").unwrap();
        // The loader and libc live beneath /usr (/lib64 and /bin are links into it here,
        // and Landlock follows them).
        apply(
            pledge
                .unveil("/", "r")
                .unwrap()
                .unveil("/usr", "rx")
                .unwrap()
                .unveil(&bin, "rx")
                .unwrap(),
        );

        assert!(Command::new(bin.join("true")).status().unwrap().success());
        assert!(Command::new("/bin/true").status().unwrap().success());
        assert_errno(Command::new(data.join("true")).status(), libc::EACCES);
    }
}

sandboxed_test! {
    #[cfg(feature = "landlock")]
    fn unveil_without_the_promise_allows_nothing_more() {
        let dir = scratch("unveil-no-promise");
        let file = file_with(&dir, "a", "x");
        apply(
            Pledge::new("stdio rpath")
                .unwrap()
                .unveil(&dir, "rwxc")
                .unwrap(),
        );

        // `w` and `c` without wpath and cpath: seccomp still says no, as OpenBSD would.
        assert_errno(
            std::fs::OpenOptions::new().write(true).open(&file),
            libc::EPERM,
        );
        assert_errno(std::fs::create_dir(dir.join("sub")), libc::EPERM);
        assert_errno(std::fs::remove_file(&file), libc::EPERM);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    }
}

sandboxed_test! {
    /// `stdio` restricts `kill` and `tgkill` to the process itself; `tkill` (which names a
    /// thread of any process) and `migrate_pages` (any pid) are not in it, and
    /// `sched_setaffinity` only for the calling thread, or they would undo that: a process the test started survives `tkill(pid, SIGKILL)`. `proc` allows `tkill`,
    /// as in jart's port.
    fn stdio_cannot_tkill_or_migrate_another_process() {
        let mut child = Command::new("sleep").arg("30").spawn().expect("start sleep");
        let pid = u64::from(child.id());
        pledge("stdio");
        assert_eq!(raw_syscall(libc::SYS_tkill, [pid, libc::SIGKILL as u64, 0, 0, 0, 0]), Err(libc::EPERM));
        let nodes: u64 = 1;
        assert_eq!(
            raw_syscall(
                libc::SYS_migrate_pages,
                [pid, 64, std::ptr::addr_of!(nodes) as u64, std::ptr::addr_of!(nodes) as u64, 0, 0]
            ),
            Err(libc::EPERM)
        );
        // sched_setaffinity: the calling thread (pid 0) only.
        let mut mask = [0u64; 16];
        let len = std::mem::size_of_val(&mask) as u64;
        let got = raw_syscall(libc::SYS_sched_getaffinity, [0, len, mask.as_mut_ptr() as u64, 0, 0, 0]);
        assert!(got.is_ok(), "{got:?}");
        assert_eq!(raw_syscall(libc::SYS_sched_setaffinity, [0, len, mask.as_ptr() as u64, 0, 0, 0]), Ok(0));
        assert_eq!(
            raw_syscall(libc::SYS_sched_setaffinity, [pid, len, mask.as_ptr() as u64, 0, 0, 0]),
            Err(libc::EPERM)
        );
        // The child is alive: waitid with WNOHANG finds no change (wait4 is in stdio).
        assert_eq!(child.try_wait().expect("wait4"), None, "the child was killed");
        // Signalling itself still works through tgkill (raise).
        let tid = raw_syscall(libc::SYS_gettid, [0; 6]).unwrap() as u64;
        assert_eq!(raw_syscall(libc::SYS_tgkill, [getpid() as u64, tid, 0, 0, 0, 0]), Ok(0));
        let _ = child.kill();
    }
}

#[test]
fn proc_allows_tkill_and_stdio_does_not() {
    let explain = |p: &str| {
        SafetyContext::new()
            .enable(Pledge::new(p).unwrap())
            .unwrap()
            .explain()
            .unwrap()
    };
    assert!(explain("stdio").get(Sysno::tkill).is_none());
    assert!(matches!(
        explain("stdio proc").get(Sysno::sched_setaffinity),
        Some(Verdict::Allowed { .. })
    ));
    assert!(matches!(
        explain("stdio").get(Sysno::sched_setaffinity),
        Some(Verdict::AllowedIf { .. })
    ));
    assert!(matches!(
        explain("stdio proc").get(Sysno::tkill),
        Some(Verdict::Allowed { .. })
    ));
}
