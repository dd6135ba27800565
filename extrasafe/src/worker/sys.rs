//! The raw kernel calls of worker processes: the request channel (a unix socket pair) and
//! waiting on it with a deadline. The only file of the worker module with `unsafe` code.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// A connected pair of stream sockets, both close-on-exec: `(parent's end, worker's end)`.
pub(crate) fn socket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1 as libc::c_int; 2];
    // SAFETY: `fds` is a valid array of two ints for the kernel to fill.
    check(unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    })?;
    // SAFETY: socketpair just returned these two descriptors and nothing else owns them.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Sets or clears `O_NONBLOCK` on `fd`.
pub(crate) fn set_nonblocking(fd: &impl AsRawFd, nonblocking: bool) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY: F_GETFL and F_SETFL take integer arguments.
    let flags = check(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    let flags = if nonblocking {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    // SAFETY: as above.
    check(unsafe { libc::fcntl(fd, libc::F_SETFL, flags) }).map(drop)
}

/// What [`wait_ready`] saw on each descriptor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ready {
    /// Data (or end of file, or an error) can be read.
    pub(crate) readable: bool,
    /// Data can be written.
    pub(crate) writable: bool,
}

/// `poll(2)` on `fds` (each with whether to wait for reading, for writing), for at most
/// `timeout_ms` milliseconds (-1: no limit). An interrupted wait returns nothing ready.
pub(crate) fn wait_ready(fds: &[(RawFd, bool, bool)], timeout_ms: i32) -> io::Result<Vec<Ready>> {
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, read, write)| libc::pollfd {
            fd,
            events: (if read { libc::POLLIN } else { 0 }) | (if write { libc::POLLOUT } else { 0 }),
            revents: 0,
        })
        .collect();
    // SAFETY: `pfds` is a valid array of `pfds.len()` pollfds for the kernel to fill.
    let rc = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout_ms) };
    if rc == -1 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(vec![Ready::default(); fds.len()]);
        }
        return Err(e);
    }
    Ok(pfds
        .iter()
        .map(|p| Ready {
            readable: p.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0,
            writable: p.revents & (libc::POLLOUT | libc::POLLERR) != 0,
        })
        .collect())
}

/// Reads what is there from the non-blocking `fd` into `buf`: `Ok(0)` at end of file,
/// `Err(WouldBlock)` when nothing is there yet.
pub(crate) fn read_some(fd: &impl AsRawFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is valid for `buf.len()` bytes of writing.
        let rc = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if rc >= 0 {
            return Ok(rc as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Sends what the socket `fd` takes of `data` without `SIGPIPE` (a worker that died gives
/// `EPIPE`): `Err(WouldBlock)` when its buffer is full.
pub(crate) fn send_some(fd: &impl AsRawFd, data: &[u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `data` is valid for `data.len()` bytes of reading.
        let rc = unsafe {
            libc::send(
                fd.as_raw_fd(),
                data.as_ptr().cast(),
                data.len(),
                libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT,
            )
        };
        if rc >= 0 {
            return Ok(rc as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Looks, without waiting or taking them, at the first `buf.len()` bytes queued on the
/// socket `fd`: `false` if fewer (or none) are there, or `fd` is not a socket.
pub(crate) fn peek_queued(fd: RawFd, buf: &mut [u8]) -> bool {
    // SAFETY: `buf` is valid for `buf.len()` bytes of writing; MSG_DONTWAIT makes the call
    // return at once, MSG_PEEK leaves the bytes queued.
    let rc = unsafe {
        libc::recv(
            fd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT | libc::MSG_PEEK,
        )
    };
    rc >= 0 && rc as usize == buf.len()
}

/// The process at the other end of the unix socket `fd`, as the kernel recorded it when the
/// pair was made (`SO_PEERCRED`).
pub(crate) fn peer_pid(fd: RawFd) -> Option<libc::pid_t> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for the kernel to fill with one ucred.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (rc == 0).then_some(cred.pid)
}

/// Unblocks every signal of the calling thread.
pub(crate) fn unblock_all_signals() -> io::Result<()> {
    // SAFETY: sigset_t is plain data; sigemptyset initialises it.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t for both calls; the old mask is not asked for.
    let rc = unsafe {
        libc::sigemptyset(&mut set);
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut())
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc))
    }
}

/// Reads, without waiting, exactly `buf.len()` bytes already queued on the socket `fd`:
/// `false` if fewer (or none) are there, or `fd` is not a socket.
pub(crate) fn take_queued(fd: RawFd, buf: &mut [u8]) -> bool {
    // SAFETY: `buf` is valid for `buf.len()` bytes of writing; MSG_DONTWAIT makes the call
    // return at once; on a descriptor that is not a socket it fails with ENOTSOCK.
    let rc = unsafe {
        libc::recv(
            fd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT | libc::MSG_WAITALL,
        )
    };
    rc >= 0 && rc as usize == buf.len()
}

/// Whether `fd` is an open unix stream socket.
pub(crate) fn is_unix_stream(fd: RawFd) -> bool {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` are valid for the kernel to fill with one int.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_DOMAIN,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc != 0 || value != libc::AF_UNIX {
        return false;
    }
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: as above.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    rc == 0 && value == libc::SOCK_STREAM
}

/// The process's parent (`getppid(2)`).
pub(crate) fn parent_pid() -> libc::pid_t {
    // SAFETY: getppid takes no arguments and cannot fail.
    unsafe { libc::getppid() }
}

/// Moves the descriptor on stdin (the worker's channel) to a close-on-exec descriptor above
/// 2, and opens `/dev/null` as stdin in its place.
pub(crate) fn move_off_stdin() -> io::Result<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC takes integer arguments and returns a new descriptor.
    let fd = check(unsafe { libc::fcntl(0, libc::F_DUPFD_CLOEXEC, 3) })?;
    // SAFETY: fcntl just made this descriptor, and nothing else owns it.
    let channel = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: a NUL-terminated path and integer flags.
    let null =
        check(unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) })?;
    // SAFETY: open just made `null`; dup2 replaces stdin, which this process owns (it is
    // the channel's old number, duplicated above).
    let moved = check(unsafe { libc::dup2(null, 0) });
    // SAFETY: `null` is ours and used no more.
    unsafe { libc::close(null) };
    moved?;
    Ok(channel)
}

/// Sends `signal` to every process of the process group `pgid`.
pub(crate) fn kill_group(pgid: libc::pid_t, signal: libc::c_int) -> io::Result<()> {
    // SAFETY: integer arguments only; a negative pid names the group.
    check(unsafe { libc::kill(-pgid, signal) }).map(drop)
}

/// Whether the child `pid` has ended, without reaping it (`waitid` with `WNOWAIT`).
pub(crate) fn has_ended(pid: libc::pid_t) -> io::Result<bool> {
    // SAFETY: siginfo_t is plain data; all-zero is a valid value for the kernel to fill.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `info` is a valid siginfo_t; integer arguments otherwise.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        if rc == 0 {
            // SAFETY: waitid filled `info`; si_pid is 0 if no child has ended (WNOHANG).
            return Ok(unsafe { info.si_pid() } != 0);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Reads what is there from the socket `fd` into `buf` without waiting: `Ok(0)` at end of
/// file, `Err(WouldBlock)` when nothing is there yet.
pub(crate) fn recv_now(fd: &impl AsRawFd, buf: &mut [u8]) -> io::Result<usize> {
    recv_flags(fd, buf, libc::MSG_DONTWAIT)
}

/// Reads from the socket `fd` into `buf`, waiting at most its receive timeout
/// (`SO_RCVTIMEO`): `Err(WouldBlock)` when nothing came.
pub(crate) fn recv_wait(fd: &impl AsRawFd, buf: &mut [u8]) -> io::Result<usize> {
    recv_flags(fd, buf, 0)
}

fn recv_flags(fd: &impl AsRawFd, buf: &mut [u8], flags: libc::c_int) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is valid for `buf.len()` bytes of writing.
        let rc = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), flags) };
        if rc >= 0 {
            return Ok(rc as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Sets the socket's receive timeout (`SO_RCVTIMEO`).
pub(crate) fn set_receive_timeout(fd: &impl AsRawFd, micros: i64) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: (micros / 1_000_000) as libc::time_t,
        tv_usec: (micros % 1_000_000) as libc::suseconds_t,
    };
    // SAFETY: `tv` is a valid timeval the kernel only reads.
    check(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    })
    .map(drop)
}
