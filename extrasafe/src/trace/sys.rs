//! The kernel calls of the in-process tracer: loading the filter that hands every syscall
//! to a listener, and the listener's side (seccomp user notification).
//!
//! The tracer's listener only observes: every notification is answered with
//! `SECCOMP_USER_NOTIF_FLAG_CONTINUE`, so the kernel runs the syscall as if there were no
//! filter. The listener of `debug_denials` never lets a call run: it answers each with an
//! errno. Nothing is ever decided on the arguments (and pointers are never read).

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// Linux 5.5 brought `SECCOMP_USER_NOTIF_FLAG_CONTINUE`, 5.8 the listener's `POLLHUP` once
/// no thread uses the filter any more (how the supervisor knows the traced threads are gone).
const MIN_KERNEL: (u32, u32) = (5, 8);

/// Whether this kernel can trace in-process; the reason if not.
pub(super) fn check_kernel() -> Result<(), String> {
    // SAFETY: `uname` writes into the struct we pass, which is plain data and ours.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `uts` is a valid, writable utsname.
    if unsafe { libc::uname(&mut uts) } != 0 {
        return Err(format!(
            "cannot read the kernel version: {}",
            io::Error::last_os_error()
        ));
    }
    let release: String = uts
        .release
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8 as char)
        .collect();
    let version = major_minor(&release);
    if version < MIN_KERNEL {
        return Err(format!(
            "kernel {release} is too old: tracing a closure needs Linux {}.{} or later \
             (seccomp user notification with SECCOMP_USER_NOTIF_FLAG_CONTINUE, and POLLHUP on \
             the listener); use the extrasafe-trace command (ptrace) instead",
            MIN_KERNEL.0, MIN_KERNEL.1
        ));
    }
    let action: u32 = libc::SECCOMP_RET_USER_NOTIF;
    // SAFETY: SECCOMP_GET_ACTION_AVAIL reads one u32 from the pointer, which points to ours.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_ACTION_AVAIL,
            0,
            std::ptr::from_ref(&action),
        )
    };
    if rc != 0 {
        return Err(format!(
            "seccomp user notification is not available here ({}): tracing a closure needs it",
            io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// `(major, minor)` of a kernel release string such as `6.8.0-45-generic`.
fn major_minor(release: &str) -> (u32, u32) {
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|s| s.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// Loads `program` on the calling thread (only) with a new listener, and returns the
/// listener. `no_new_privs` must be set.
pub(super) fn install(program: &[crate::sys::SockFilter]) -> io::Result<OwnedFd> {
    let prog = libc::sock_fprog {
        len: u16::try_from(program.len()).map_err(|_| io::Error::other("filter too long"))?,
        filter: program.as_ptr().cast_mut(),
    };
    // SAFETY: the kernel copies the program from `prog`, which points to `program`, alive
    // for the call; it does not keep the pointer.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
            std::ptr::from_ref(&prog),
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = i32::try_from(rc).map_err(|_| io::Error::other("listener fd out of range"))?;
    // SAFETY: the kernel just returned this new fd to us; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The calling thread's signal mask, in the kernel's form (64 signals).
pub(super) type SignalMask = u64;

/// Blocks every asynchronous signal on the calling thread, glibc's own (`SIGCANCEL`,
/// `SIGSETXID`, which its `pthread_sigmask` leaves out) included, and returns the previous
/// mask. The raw syscall, so that nothing is filtered out.
pub(super) fn block_all_signals() -> io::Result<SignalMask> {
    // Not the signals the kernel raises synchronously for the thread's own act (a fault, or
    // SIGSYS from a seccomp filter already in place): blocked, the kernel would reset their
    // handler and kill the process instead of running it.
    let synchronous = [
        libc::SIGSYS,
        libc::SIGSEGV,
        libc::SIGBUS,
        libc::SIGILL,
        libc::SIGFPE,
        libc::SIGTRAP,
    ];
    let all: SignalMask = synchronous
        .iter()
        .fold(!0, |mask, &s| mask & !(1u64 << (s - 1)));
    let mut old: SignalMask = 0;
    // SAFETY: both pointers are valid 8-byte masks for the call, the size passed.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_BLOCK,
            std::ptr::from_ref(&all),
            std::ptr::from_mut(&mut old),
            std::mem::size_of::<SignalMask>(),
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(old)
}

/// Restores a mask [`block_all_signals`] returned.
pub(super) fn restore_signal_mask(old: SignalMask) -> io::Result<()> {
    // SAFETY: `old` is a valid 8-byte mask for the call; the old-mask pointer may be NULL.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            std::ptr::from_ref(&old),
            std::ptr::null_mut::<SignalMask>(),
            std::mem::size_of::<SignalMask>(),
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Test support: the calling thread's id, a signal sent to one thread, and a `SIGUSR1`
/// handler that makes a syscall and counts its runs.
#[cfg(test)]
pub(super) mod testing {
    use std::sync::atomic::{AtomicU32, Ordering};

    /// How often the `SIGUSR1` handler of [`handle_sigusr1`] ran.
    pub(crate) static HANDLED: AtomicU32 = AtomicU32::new(0);

    extern "C" fn on_sigusr1(_: libc::c_int) {
        // SAFETY: getppid is async-signal-safe and touches no memory: a syscall from a
        // handler, which a traced thread must have answered.
        let _ = unsafe { libc::getppid() };
        HANDLED.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn gettid() -> libc::pid_t {
        // SAFETY: gettid takes no arguments and cannot fail.
        unsafe { libc::gettid() }
    }

    pub(crate) fn handle_sigusr1() {
        // SAFETY: sigaction is plain data; all-zero is a valid value to fill in.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_sigusr1 as extern "C" fn(libc::c_int) as usize;
        // SAFETY: `action` is a valid sigaction whose handler is async-signal-safe.
        let rc = unsafe { libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()) };
        assert_eq!(rc, 0, "sigaction");
    }

    /// How often the `SIGSYS` handler of [`handle_sigsys`] ran.
    pub(crate) static SIGSYS_HANDLED: AtomicU32 = AtomicU32::new(0);

    extern "C" fn on_sigsys(_: libc::c_int) {
        SIGSYS_HANDLED.fetch_add(1, Ordering::SeqCst);
    }

    /// A `SIGSYS` handler that counts, as a program using `DefaultAction::Trap` has.
    pub(crate) fn handle_sigsys() {
        // SAFETY: sigaction is plain data; all-zero is a valid value to fill in.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_sigsys as extern "C" fn(libc::c_int) as usize;
        // SAFETY: `action` is a valid sigaction whose handler is async-signal-safe.
        let rc = unsafe { libc::sigaction(libc::SIGSYS, &action, std::ptr::null_mut()) };
        assert_eq!(rc, 0, "sigaction");
    }

    pub(crate) fn send_sigusr1(tid: libc::pid_t) {
        // SAFETY: tgkill takes integers; `tid` is a thread of this process.
        let rc = unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, libc::SIGUSR1) };
        assert_eq!(rc, 0, "tgkill");
    }
}

/// Takes ownership of the listener fd handed over by the traced thread.
///
/// `fd` must be the value [`install`]'s `OwnedFd` gave up with `into_raw_fd`, taken once.
pub(super) fn take_listener(fd: i32) -> OwnedFd {
    // SAFETY: the traced thread gave up ownership of this fd (`into_raw_fd`) and hands it
    // over exactly once, to this call.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// What the listener has for us.
pub(super) enum Ready {
    /// A notification waits.
    Notification,
    /// No thread uses the filter any more.
    Gone,
    /// Interrupted: ask again.
    Again,
}

/// Waits until `fd` has a notification or no thread uses the filter.
pub(super) fn wait(fd: BorrowedFd<'_>) -> io::Result<Ready> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one pollfd, ours and writable, for the duration of the call.
    let rc = unsafe { libc::poll(&mut pfd, 1, -1) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        return if e.raw_os_error() == Some(libc::EINTR) {
            Ok(Ready::Again)
        } else {
            Err(e)
        };
    }
    if pfd.revents & libc::POLLIN != 0 {
        Ok(Ready::Notification)
    } else if pfd.revents & libc::POLLNVAL != 0 {
        // The listener was closed under us (a close_range in the traced code, say): the
        // recording is incomplete, which must be an error, not a short report.
        Err(io::Error::from_raw_os_error(libc::EBADF))
    } else if pfd.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
        Ok(Ready::Gone)
    } else {
        Ok(Ready::Again)
    }
}

/// One notification: its id, the syscall number and the argument registers.
pub(super) struct Notification {
    pub(super) id: u64,
    pub(super) nr: i32,
    pub(super) args: [u64; 6],
}

/// Receives one notification (`SECCOMP_IOCTL_NOTIF_RECV`). `ENOENT`: the thread went away
/// meanwhile.
pub(super) fn receive(fd: BorrowedFd<'_>) -> io::Result<Notification> {
    // SAFETY: seccomp_notif is plain data; the kernel wants it zeroed.
    let mut notif: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    notif_ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut notif)?;
    Ok(Notification {
        id: notif.id,
        nr: notif.data.nr,
        args: notif.data.args,
    })
}

/// Lets the notified syscall run as if unfiltered (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`).
/// `ENOENT`: the thread went away meanwhile.
pub(super) fn continue_syscall(fd: BorrowedFd<'_>, id: u64) -> io::Result<()> {
    let mut resp = libc::seccomp_notif_resp {
        id,
        val: 0,
        error: 0,
        flags: libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32,
    };
    notif_ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_SEND, &mut resp)
}

/// Answers the notified syscall with `-errno`, without running it (`debug_denials`).
/// `ENOENT`: the thread went away meanwhile.
pub(super) fn fail_syscall(fd: BorrowedFd<'_>, id: u64, errno: i32) -> io::Result<()> {
    let mut resp = libc::seccomp_notif_resp {
        id,
        val: 0,
        error: -errno,
        flags: 0,
    };
    notif_ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_SEND, &mut resp)
}

/// Writes `bytes` to fd 2 with `write(2)` itself: no lock (a thread waiting for the
/// supervisor may hold the lock of Rust's `stderr`) and no allocation. A short or failed
/// write is not retried: a report lost is better than a supervisor that stops answering.
pub(super) fn write_stderr(bytes: &[u8]) {
    // SAFETY: `bytes` is valid for reads of its length for the call; fd 2 is not owned by
    // anything the write could invalidate.
    let _ = unsafe { libc::write(libc::STDERR_FILENO, bytes.as_ptr().cast(), bytes.len()) };
}

/// A listener ioctl whose argument is one `T` (`seccomp_notif` for RECV, which the kernel
/// writes; `seccomp_notif_resp` for SEND, which it reads).
fn notif_ioctl<T>(fd: BorrowedFd<'_>, request: libc::Ioctl, arg: &mut T) -> io::Result<()> {
    // SAFETY: `request` is one of the two notification ioctls, whose argument is a pointer
    // to a `T` as the caller passes it: ours, valid and writable for the call.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), request, std::ptr::from_mut(arg)) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_releases_compare_by_major_and_minor() {
        assert_eq!(major_minor("6.18.44-fc-v657"), (6, 18));
        assert_eq!(major_minor("5.4.0-150-generic"), (5, 4));
        assert!(major_minor("5.4.0-150-generic") < MIN_KERNEL);
        assert!(major_minor("5.10.1") >= MIN_KERNEL);
        assert!(major_minor("garbage") < MIN_KERNEL);
    }
}
