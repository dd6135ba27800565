//! The kernel calls process isolation needs: namespaces, mounts, credentials, capabilities,
//! signals and processes. The only file of the isolate module with `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// `-1` from a libc call becomes the thread's errno.
fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// The same for raw `syscall(2)` returns.
fn check_long(rc: libc::c_long) -> io::Result<libc::c_long> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `unshare(2)`.
pub(crate) fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes integer flags only and touches no memory of ours.
    check(unsafe { libc::unshare(flags) }).map(drop)
}

/// The effective user and group ids of the calling process.
pub(crate) fn effective_ids() -> (u32, u32) {
    // SAFETY: geteuid and getegid cannot fail and touch no memory.
    unsafe { (libc::geteuid(), libc::getegid()) }
}

/// What `fork` returned.
pub(crate) enum Fork {
    /// In the new process.
    Child,
    /// In the caller; the new process's id.
    Parent(libc::pid_t),
}

/// `fork(2)`.
///
/// # Safety
/// The calling process must have exactly one thread. In a process with several threads the
/// child would inherit locks held by threads that do not exist in it (the allocator's among
/// them), and could then only make async-signal-safe calls; the callers of this function
/// allocate in the child.
unsafe fn fork() -> io::Result<Fork> {
    // SAFETY: the caller guarantees the process is single-threaded, so the child is a full
    // copy of a consistent process.
    let pid = check(unsafe { libc::fork() })?;
    Ok(if pid == 0 {
        Fork::Child
    } else {
        Fork::Parent(pid)
    })
}

/// The number of threads of this process.
pub(crate) fn thread_count() -> io::Result<usize> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| io::Error::other("no Threads: line in /proc/self/status"))
}

/// `fork(2)`, after checking that the calling process has a single thread.
///
/// The check cannot race: a thread is only created by a running thread of the process, and
/// the only one is executing this function.
pub(crate) fn fork_single_threaded() -> io::Result<Fork> {
    let threads = thread_count()?;
    if threads != 1 {
        return Err(io::Error::other(format!(
            "the process has {threads} threads; fork needs exactly one"
        )));
    }
    // SAFETY: the process has exactly one thread (checked above).
    unsafe { fork() }
}

/// Makes the kernel send `signal` to the calling thread when its parent (thread) dies.
pub(crate) fn set_parent_death_signal(signal: libc::c_int) -> io::Result<()> {
    // SAFETY: PR_SET_PDEATHSIG takes integer arguments only.
    check(unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, signal as libc::c_ulong, 0, 0, 0) })
        .map(drop)
}

/// A pipe whose ends are close-on-exec: `(read, write)`.
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1 as libc::c_int; 2];
    // SAFETY: `fds` is a valid array of two ints for the kernel to fill.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: pipe2 just returned these two descriptors to us and nothing else owns them.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Whether the other end of the pipe `fd` reads from is closed (poll reports a hang-up).
pub(crate) fn pipe_hung_up(fd: &OwnedFd) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `pfd` is one valid pollfd; timeout 0 means the call does not block.
    check(unsafe { libc::poll(&mut pfd, 1, 0) })?;
    Ok(pfd.revents & libc::POLLHUP != 0)
}

/// Takes ownership of a descriptor this process inherited by number (announced by the
/// parent that re-executed it), after checking that it is open, and sets close-on-exec.
pub(crate) fn take_inherited_fd(fd: RawFd) -> io::Result<OwnedFd> {
    if fd < 3 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    // SAFETY: F_SETFD takes an integer argument; it fails with EBADF if `fd` is not open.
    check(unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) })?;
    // SAFETY: the descriptor is open (checked above); it was created for this process by its
    // parent and its number announced once in the environment, which the caller removes
    // before taking it, so nothing else in this process owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Fills `buf` with random bytes from the kernel's generator (`getrandom(2)`, blocking only
/// until it is seeded at boot).
pub(crate) fn random_bytes(buf: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let rest = &mut buf[filled..];
        // SAFETY: the pointer and length describe `rest`, which the kernel only writes.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        filled += n.unsigned_abs();
    }
    Ok(())
}

/// The seals of a descriptor made by [`sealed_memfd`]: its contents and size are final.
const SEALS: libc::c_int =
    libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;

/// A memory file (`memfd_create(2)`, close-on-exec) holding `data`, sealed so that no
/// holder of a descriptor for it can change it.
pub(crate) fn sealed_memfd(name: &CStr, data: &[u8]) -> io::Result<OwnedFd> {
    // SAFETY: `name` is a NUL-terminated string that outlives the call; flags are integers.
    let fd = check(unsafe {
        libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING)
    })?;
    // SAFETY: memfd_create just returned this descriptor and nothing else owns it.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut written = 0;
    while written < data.len() {
        let rest = &data[written..];
        // SAFETY: the pointer and length describe `rest`, which the kernel only reads.
        let n = unsafe { libc::write(fd.as_raw_fd(), rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        written += n.unsigned_abs();
    }
    // SAFETY: F_ADD_SEALS takes an integer argument.
    check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, SEALS) })?;
    Ok(fd)
}

/// The `len` bytes of an inherited descriptor `fd` if and only if it is a memory file made
/// by [`sealed_memfd`] (all its seals set) holding exactly `len` bytes; `None` otherwise.
///
/// Whatever `fd` is (a number from the environment, which anybody may have set), this
/// neither takes it over nor changes anything: `fcntl(F_GET_SEALS)` and `fstat` only query,
/// and the file is read with `pread` (no file offset moves) only once it is known to be a
/// sealed memory file, whose contents no one can change.
pub(crate) fn read_sealed(fd: RawFd, len: usize) -> Option<Vec<u8>> {
    if fd < 3 {
        return None;
    }
    // SAFETY: F_GET_SEALS takes no argument; it fails (EINVAL, EBADF) for a descriptor that
    // is not a memory file, or not open.
    let seals = unsafe { libc::fcntl(fd, libc::F_GET_SEALS) };
    if seals != SEALS {
        return None;
    }
    // SAFETY: stat is plain data; all-zero is a valid value.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid stat for the kernel to fill; `fd` is open (F_GET_SEALS
    // succeeded).
    check(unsafe { libc::fstat(fd, &mut st) }).ok()?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG || usize::try_from(st.st_size).ok()? != len {
        return None;
    }
    let mut buf = vec![0u8; len];
    // SAFETY: the pointer and length describe `buf`, which the kernel only writes.
    let n = unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), len, 0) };
    (usize::try_from(n).ok()? == len).then_some(buf)
}

/// `mount(2)`.
pub(crate) fn mount(
    source: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: libc::c_ulong,
    data: Option<&CStr>,
) -> io::Result<()> {
    let ptr = |s: Option<&CStr>| s.map_or(std::ptr::null(), CStr::as_ptr);
    // SAFETY: every pointer is NULL or a NUL-terminated string that outlives the call; the
    // kernel only reads them.
    check(unsafe {
        libc::mount(
            ptr(source),
            target.as_ptr(),
            ptr(fstype),
            flags,
            ptr(data).cast(),
        )
    })
    .map(drop)
}

/// `umount2(2)`.
pub(crate) fn umount2(target: &CStr, flags: libc::c_int) -> io::Result<()> {
    // SAFETY: `target` is a NUL-terminated string that outlives the call.
    check(unsafe { libc::umount2(target.as_ptr(), flags) }).map(drop)
}

/// `pivot_root(2)`.
pub(crate) fn pivot_root(new_root: &CStr, put_old: &CStr) -> io::Result<()> {
    // SAFETY: both are NUL-terminated strings that outlive the call.
    check_long(unsafe { libc::syscall(libc::SYS_pivot_root, new_root.as_ptr(), put_old.as_ptr()) })
        .map(drop)
}

/// The mount flags of the mount `fd` is on (`ST_RDONLY`, `ST_NOSUID`, …; `fstatvfs(3)`).
pub(crate) fn mount_flags_of(fd: &impl AsRawFd) -> io::Result<u64> {
    // SAFETY: statvfs is plain data; all-zero is a valid value.
    let mut buf: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `buf` is a valid statvfs for libc to fill; `fd` is open.
    check(unsafe { libc::fstatvfs(fd.as_raw_fd(), &mut buf) })?;
    #[allow(clippy::unnecessary_cast)]
    Ok(buf.f_flag as u64)
}

/// `sethostname(2)`.
pub(crate) fn set_hostname(name: &[u8]) -> io::Result<()> {
    // SAFETY: the pointer and length describe `name`, which the kernel only reads.
    check(unsafe { libc::sethostname(name.as_ptr().cast(), name.len()) }).map(drop)
}

/// `setrlimit(2)` with the same soft and hard limit.
pub(crate) fn set_rlimit(resource: libc::__rlimit_resource_t, value: u64) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: `limit` is a valid rlimit the kernel only reads.
    check(unsafe { libc::setrlimit(resource, &limit) }).map(drop)
}

/// `setsid(2)`: a new session, without a controlling terminal.
pub(crate) fn setsid() -> io::Result<()> {
    // SAFETY: setsid takes no arguments.
    check(unsafe { libc::setsid() }).map(drop)
}

/// Closes every descriptor from `first` to `last` (inclusive).
///
/// # Safety
/// No object that is used afterwards may own a descriptor in the range: it would act on a
/// closed descriptor, or on whatever file later reuses the number.
unsafe fn close_range(first: u32, last: u32) -> io::Result<()> {
    if first > last {
        return Ok(());
    }
    // SAFETY: close_range takes integers only; the caller guarantees that nothing used
    // later owns a descriptor in the range.
    check_long(unsafe { libc::syscall(libc::SYS_close_range, first, last, 0u32) }).map(drop)
}

/// Closes every descriptor but 0, 1, 2 and `keep`: the last step before isolated code runs.
///
/// Only called in the isolated child, after the isolate module has dropped (or forgotten,
/// for the inherited result channel) every descriptor object it held. Objects of the
/// program made before isolation that own other descriptors are documented to be unusable
/// afterwards unless passed with `IsolationConfig::keep_fd`
/// ([`SafetyContext::isolate_process`](crate::SafetyContext::isolate_process) says so).
pub(crate) fn close_fds_except(keep: &[RawFd]) -> io::Result<()> {
    let mut keep: Vec<u32> = keep
        .iter()
        .filter_map(|&fd| u32::try_from(fd).ok())
        .filter(|&fd| fd > 2)
        .collect();
    keep.sort_unstable();
    keep.dedup();
    let mut next = 3u32;
    for fd in keep {
        if fd > next {
            // SAFETY: see the function's documentation: nothing used later owns these.
            unsafe { close_range(next, fd - 1)? };
        }
        next = fd + 1;
    }
    // SAFETY: as above.
    unsafe { close_range(next, u32::MAX) }
}

/// Sets a resource limit's soft and hard values.
#[cfg(feature = "worker")]
pub(crate) fn set_rlimit_pair(
    resource: libc::__rlimit_resource_t,
    soft: u64,
    hard: u64,
) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: `limit` is a valid rlimit the kernel only reads.
    check(unsafe { libc::setrlimit(resource, &limit) }).map(drop)
}

/// Brings the loopback interface of the current network namespace up.
pub(crate) fn loopback_up() -> io::Result<()> {
    // SAFETY: socket takes integer arguments.
    let sock =
        check(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: socket just returned this descriptor and nothing else owns it.
    let sock = unsafe { OwnedFd::from_raw_fd(sock) };
    // SAFETY: ifreq is plain data; all-zero is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    // SAFETY: `req` is a valid ifreq naming "lo"; the kernel fills ifru_flags.
    check(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) })?;
    // SAFETY: SIOCGIFFLAGS filled the flags member of the union, which we read and update.
    unsafe {
        req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    }
    // SAFETY: `req` is a valid ifreq; the kernel only reads it.
    check(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) })?;
    Ok(())
}

/// `PR_SET_SECUREBITS`: root gets no capabilities from exec, setuid does not adjust them,
/// and these bits are locked.
pub(crate) fn lock_securebits() -> io::Result<()> {
    const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
    const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
    const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
    const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;
    const SECBIT_KEEP_CAPS_LOCKED: libc::c_ulong = 1 << 5;
    const SECBIT_NO_CAP_AMBIENT_RAISE: libc::c_ulong = 1 << 6;
    const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: libc::c_ulong = 1 << 7;
    let bits = SECBIT_NOROOT
        | SECBIT_NOROOT_LOCKED
        | SECBIT_NO_SETUID_FIXUP
        | SECBIT_NO_SETUID_FIXUP_LOCKED
        | SECBIT_KEEP_CAPS_LOCKED
        | SECBIT_NO_CAP_AMBIENT_RAISE
        | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    // SAFETY: integer arguments only.
    check(unsafe { libc::prctl(libc::PR_SET_SECUREBITS, bits, 0, 0, 0) }).map(drop)
}

/// Drops every capability of the calling thread: the bounding set (so that no exec can
/// regain any), the ambient set, and the effective, permitted and inheritable sets.
pub(crate) fn drop_all_capabilities() -> io::Result<()> {
    drop_capabilities_except(0)
}

/// Drops every capability of the calling thread but those whose bits are set in `keep`
/// (bit N: capability N): the others leave the bounding set (so that no exec can regain
/// them) and the effective and permitted sets; the kept ones stay in those three. The
/// ambient and inheritable sets end empty, so that nothing is passed on through `execve`.
///
/// Fails, before changing anything but the ambient set, if `keep` holds a capability the
/// running kernel does not know; and without `CAP_SETPCAP` (to shrink the bounding set) or
/// a kept capability that is not permitted.
pub(crate) fn drop_capabilities_except(keep: u64) -> io::Result<()> {
    // Ambient first (cannot fail for lack of capabilities), then the bounding set, which
    // needs CAP_SETPCAP, then the three sets.
    // SAFETY: integer arguments only.
    check(unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    })?;
    for cap in (0..64u32).filter(|cap| keep & (1 << cap) != 0) {
        // SAFETY: integer arguments only; PR_CAPBSET_READ fails with EINVAL for a
        // capability the kernel does not know.
        let rc = unsafe { libc::prctl(libc::PR_CAPBSET_READ, libc::c_ulong::from(cap), 0, 0, 0) };
        if rc == -1 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EINVAL) {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!(
                        "the running kernel does not know capability {cap}, so it cannot be kept"
                    ),
                ));
            }
            return Err(e);
        }
    }
    for cap in (0..64u32).filter(|cap| keep & (1 << cap) == 0) {
        // SAFETY: integer arguments only.
        let rc = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, libc::c_ulong::from(cap), 0, 0, 0) };
        if rc == -1 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EINVAL) {
                break; // past the last capability this kernel knows
            }
            return Err(e);
        }
    }
    #[repr(C)]
    struct Header {
        version: u32,
        pid: libc::c_int,
    }
    #[repr(C)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
    let header = Header {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    // Version 3 splits each 64-bit set into two 32-bit words, low word first.
    #[allow(clippy::cast_possible_truncation)]
    let words = [keep as u32, (keep >> 32) as u32];
    let data = words.map(|word| Data {
        effective: word,
        permitted: word,
        inheritable: 0,
    });
    // SAFETY: `header` and `data` have the layout of the kernel's v3 capability structs
    // (two data elements for version 3) and outlive the call; the kernel only reads them.
    check_long(unsafe {
        libc::syscall(libc::SYS_capset, std::ptr::from_ref(&header), data.as_ptr())
    })
    .map(drop)
}

/// Blocks `signals` in the calling thread and returns the previous signal mask.
pub(crate) fn block_signals(signals: &[libc::c_int]) -> io::Result<libc::sigset_t> {
    let set = sigset(signals);
    // SAFETY: sigset_t is plain data; all-zero is a valid (empty) value.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid sigset_t values for the duration of the call.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old) };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
    Ok(old)
}

/// Restores a signal mask returned by [`block_signals`].
pub(crate) fn restore_signal_mask(old: &libc::sigset_t) -> io::Result<()> {
    // SAFETY: `old` is a valid sigset_t; the old-mask pointer may be NULL.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, old, std::ptr::null_mut()) };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
    Ok(())
}

fn sigset(signals: &[libc::c_int]) -> libc::sigset_t {
    // SAFETY: sigset_t is plain data; sigemptyset initialises it below.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t; sigemptyset and sigaddset only write to it (and
    // sigaddset fails harmlessly for an invalid signal number).
    unsafe {
        libc::sigemptyset(&mut set);
        for &s in signals {
            libc::sigaddset(&mut set, s);
        }
    }
    set
}

/// Waits for one of `signals` (which must be blocked) and returns its number.
pub(crate) fn wait_for_signal(signals: &[libc::c_int]) -> io::Result<libc::c_int> {
    let set = sigset(signals);
    loop {
        // SAFETY: `set` is a valid sigset_t; the info pointer may be NULL.
        let rc = unsafe { libc::sigwaitinfo(&set, std::ptr::null_mut()) };
        if rc == -1 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        return Ok(rc);
    }
}

/// Sends `signal` to process `pid`.
pub(crate) fn kill(pid: libc::pid_t, signal: libc::c_int) -> io::Result<()> {
    // SAFETY: integer arguments only.
    check(unsafe { libc::kill(pid, signal) }).map(drop)
}

/// How a child process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildEnd {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it.
    Signaled(i32),
}

/// `waitpid(pid, WNOHANG)` (`pid` -1: any child): the child reaped and how it ended, or
/// `None` while no child has ended (and, for -1, `ECHILD` if there is no child at all).
pub(crate) fn try_wait_any(pid: libc::pid_t) -> io::Result<Option<(libc::pid_t, ChildEnd)>> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid int for the kernel to fill.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if rc == -1 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if rc == 0 {
            return Ok(None);
        }
        return Ok(Some((rc, end_of(status))));
    }
}

/// `waitpid(pid, WNOHANG)`: `None` while the child runs.
pub(crate) fn try_wait(pid: libc::pid_t) -> io::Result<Option<ChildEnd>> {
    try_wait_any(pid).map(|reaped| reaped.map(|(_, end)| end))
}

/// `waitpid(pid, 0)`: waits until the child `pid` has ended and reaps it.
pub(crate) fn wait(pid: libc::pid_t) -> io::Result<ChildEnd> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid int for the kernel to fill.
        let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
        if rc == -1 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        return Ok(end_of(status));
    }
}

/// How a child ended, from a status of `waitpid` without `WUNTRACED` or `WCONTINUED` (which
/// reports only children that ended).
fn end_of(status: libc::c_int) -> ChildEnd {
    if libc::WIFSIGNALED(status) {
        ChildEnd::Signaled(libc::WTERMSIG(status))
    } else {
        ChildEnd::Exited(libc::WEXITSTATUS(status))
    }
}

/// Ends the calling process the way `signal` would, to pass a child's death on to our own
/// parent; if the signal does not kill us, exits with 128 + signal.
pub(crate) fn die_by_signal(signal: libc::c_int) -> ! {
    // SAFETY: resetting a disposition to SIG_DFL, unblocking and raising a signal take
    // integer arguments or valid local sigsets; _exit never returns.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let set = sigset(&[signal]);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
        libc::_exit(128 + signal)
    }
}

/// A region of memory shared with the child processes forked after it was made; nothing
/// else maps it and it has no descriptor. The isolated child writes its result there, and
/// its supervisor reads it after the child has ended.
pub(crate) struct SharedMemory {
    ptr: *mut u8,
    len: usize,
}

impl SharedMemory {
    /// Maps `len` bytes of zeroed memory, shared across fork (`MAP_SHARED|MAP_ANONYMOUS`,
    /// not reserved: only the pages written use memory).
    pub(crate) fn new(len: usize) -> io::Result<SharedMemory> {
        // SAFETY: a fresh anonymous mapping at an address the kernel chooses overlaps no
        // existing memory.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(SharedMemory {
            ptr: ptr.cast(),
            len,
        })
    }

    /// The size of the region.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Copies `data` to `offset` (truncated to the region's end).
    pub(crate) fn write(&mut self, offset: usize, data: &[u8]) {
        let Some(room) = self.len.checked_sub(offset) else {
            return;
        };
        let n = data.len().min(room);
        // SAFETY: `offset + n <= len`, so the destination lies inside the mapping, which
        // does not overlap `data`. Only one process of a pair writes (the child, before it
        // exits) and the other reads only after waiting for it, so accesses never overlap.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(offset), n) };
    }

    /// Copies `len` bytes from `offset` (truncated to the region's end).
    pub(crate) fn read(&self, offset: usize, len: usize) -> Vec<u8> {
        let Some(room) = self.len.checked_sub(offset) else {
            return Vec::new();
        };
        let n = len.min(room);
        let mut out = vec![0u8; n];
        // SAFETY: `offset + n <= len`, so the source lies inside the mapping; `out` has `n`
        // bytes and does not overlap it. See `write` for why accesses never overlap.
        unsafe { std::ptr::copy_nonoverlapping(self.ptr.add(offset), out.as_mut_ptr(), n) };
        out
    }
}

impl Drop for SharedMemory {
    fn drop(&mut self) {
        // SAFETY: `ptr` and `len` are exactly the mapping made in `new`, unmapped only here.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

/// Makes `cmd`'s child die with the thread that spawns it (checking that `parent` is still
/// its parent once that is armed), and keep the descriptors `keep_fds` across exec.
pub(crate) fn prepare_isolated_command(
    cmd: &mut Command,
    parent: libc::pid_t,
    keep_fds: Vec<RawFd>,
) {
    let hook = move || -> io::Result<()> {
        // Only raw syscalls from here on: this runs in the child of a fork in a process that
        // may have other threads, so it must not allocate or take locks.
        // SAFETY: integer arguments only.
        check(unsafe {
            libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            )
        })?;
        // SAFETY: getppid takes no arguments.
        if unsafe { libc::getppid() } != parent {
            // The parent died before the death signal was armed.
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
        for &fd in &keep_fds {
            // SAFETY: integer arguments only; clears close-on-exec on a descriptor the
            // caller passes on purpose.
            check(unsafe { libc::fcntl(fd, libc::F_SETFD, 0) })?;
        }
        Ok(())
    };
    // SAFETY: the closure makes only async-signal-safe calls (prctl, getppid, fcntl) on
    // values it owns, without allocating or taking locks, as required between fork and exec
    // in a possibly multithreaded process; `keep_fds` is only read.
    unsafe {
        cmd.pre_exec(hook);
    }
}

/// Switches the calling (single-threaded) process to other host ids, dropping its
/// supplementary groups: needs CAP_SETUID and CAP_SETGID.
pub(crate) fn switch_host_ids(uid: u32, gid: u32) -> io::Result<()> {
    // SAFETY: raw syscalls with integer arguments (and a NULL list for setgroups); raw, so
    // that they change the calling thread, which the caller guarantees is the only one.
    unsafe {
        check_long(libc::syscall(
            libc::SYS_setgroups,
            0,
            std::ptr::null::<libc::gid_t>(),
        ))?;
        check_long(libc::syscall(libc::SYS_setresgid, gid, gid, gid))?;
        check_long(libc::syscall(libc::SYS_setresuid, uid, uid, uid))?;
    }
    Ok(())
}

/// Drops the supplementary groups of the calling thread (`setgroups(0, NULL)`): needs
/// `CAP_SETGID` in the process's user namespace, else fails with `EPERM`.
pub(crate) fn drop_supplementary_groups() -> io::Result<()> {
    // SAFETY: a raw syscall with an integer and a NULL list, which the kernel does not read
    // for a size of 0; raw, so that it changes the calling thread only (the callers run
    // single-threaded).
    check_long(unsafe { libc::syscall(libc::SYS_setgroups, 0, std::ptr::null::<libc::gid_t>()) })
        .map(drop)
}

/// The supplementary groups of the calling process (`getgroups(2)`), as ids of its user
/// namespace.
pub(crate) fn supplementary_groups() -> io::Result<Vec<u32>> {
    // SAFETY: with a size of 0, getgroups only returns the number of groups.
    let n = check(unsafe { libc::getgroups(0, std::ptr::null_mut()) })?;
    let mut groups = vec![0 as libc::gid_t; usize::try_from(n).unwrap_or(0)];
    // SAFETY: `groups` has room for `n` ids; the kernel writes at most that many (or fails
    // with EINVAL if the list grew, which a single-threaded caller cannot make happen).
    let n = check(unsafe { libc::getgroups(n, groups.as_mut_ptr()) })?;
    groups.truncate(usize::try_from(n).unwrap_or(0));
    Ok(groups)
}

/// `PR_SET_DUMPABLE`. Dumpable (1), the process's `/proc` files belong to its own user;
/// not dumpable (0), processes without `CAP_SYS_PTRACE` over it can neither trace it nor
/// read its memory, even under the same user.
pub(crate) fn set_dumpable(dumpable: bool) -> io::Result<()> {
    let value = libc::c_ulong::from(dumpable);
    // SAFETY: integer arguments only.
    check(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, value, 0, 0, 0) }).map(drop)
}

/// Writes `message` to descriptor 2 with one `write(2)`, ignoring failures: for the init,
/// whose seccomp filter allows little else.
pub(crate) fn write_stderr(message: &[u8]) {
    // SAFETY: the pointer and length describe `message`, which the kernel only reads.
    let _ = unsafe { libc::write(2, message.as_ptr().cast(), message.len()) };
}

/// Ends the process at once with `code`, without running exit handlers or flushing stdio
/// buffers of the parent it was forked from.
pub(crate) fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and touches no memory of ours.
    unsafe { libc::_exit(code) }
}
