//! The only place where extrasafe-trace talks to the kernel without a safe wrapper: fork and
//! exec, ptrace, waitpid, and reading a tracee's memory.

#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::ptr;

/// A child that stopped itself (`SIGSTOP`) right before `execve`, waiting to be seized.
pub(crate) struct Stopped {
    /// Its pid.
    pub(crate) pid: i32,
    /// Read end of a close-on-exec pipe: the child writes its `errno` there if `execve`
    /// fails; end of file means the exec succeeded.
    pub(crate) exec_error: OwnedFd,
}

/// Pointer arrays for `execve`, built before `fork` so that the child allocates nothing.
struct ExecArgs<'a> {
    path: &'a CStr,
    argv: Vec<*const libc::c_char>,
    envp: Vec<*const libc::c_char>,
}

impl<'a> ExecArgs<'a> {
    fn new(path: &'a CStr, argv: &'a [CString], envp: &'a [CString]) -> ExecArgs<'a> {
        let argv = argv
            .iter()
            .map(|a| a.as_ptr())
            .chain(std::iter::once(ptr::null()))
            .collect();
        let envp = envp
            .iter()
            .map(|a| a.as_ptr())
            .chain(std::iter::once(ptr::null()))
            .collect();
        ExecArgs { path, argv, envp }
    }
}

fn cvt(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// Writes the current `errno` to `fd` and exits with status 127: what a child does when
/// `execve` failed. Async-signal-safe.
fn report_exec_failure_and_exit(fd: libc::c_int) -> ! {
    let errno = io::Error::last_os_error().raw_os_error().unwrap_or(0);
    let bytes = errno.to_ne_bytes();
    // SAFETY: `bytes` is a live 4-byte buffer; write and _exit are async-signal-safe, and
    // _exit never returns.
    unsafe {
        libc::write(fd, bytes.as_ptr().cast(), bytes.len());
        libc::_exit(127)
    }
}

/// Forks a child that stops itself with `SIGSTOP` and then runs `path` with `argv` and `envp`,
/// and waits until it has stopped.
pub(crate) fn spawn_stopped(
    path: &CStr,
    argv: &[CString],
    envp: &[CString],
) -> io::Result<Stopped> {
    let exec = ExecArgs::new(path, argv, envp);
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let write_fd = fds[1];
    // SAFETY: the child runs only async-signal-safe calls (getpid, kill, execve, write,
    // _exit) on memory prepared before the fork, so forking a multithreaded caller is sound.
    let pid = cvt(unsafe { libc::fork() })?;
    if pid == 0 {
        // SAFETY: as above: async-signal-safe calls on pre-built, NUL-terminated arrays
        // that outlive the calls; execve only returns on failure.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGSTOP);
            libc::execve(exec.path.as_ptr(), exec.argv.as_ptr(), exec.envp.as_ptr());
        }
        report_exec_failure_and_exit(write_fd);
    }
    drop(write);
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid int for waitpid to fill.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED) };
        if rc == -1 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if libc::WIFSTOPPED(status) {
            return Ok(Stopped {
                pid,
                exec_error: read,
            });
        }
        return Err(io::Error::other(format!(
            "the child exited before it could be traced (wait status {status:#x})"
        )));
    }
}

/// Forks; the child runs `prepare` (which may allocate: the caller must be single-threaded)
/// and, if it succeeds, runs `path` with `argv` and `envp`. Returns the child's wait status.
/// If `prepare` fails the child prints the error and exits with status 126; if `execve`
/// fails it exits with 127.
pub(crate) fn fork_prepare_exec(
    prepare: &dyn Fn() -> Result<(), String>,
    path: &CStr,
    argv: &[CString],
    envp: &[CString],
) -> io::Result<libc::c_int> {
    let exec = ExecArgs::new(path, argv, envp);
    // SAFETY: the caller checked that this process has a single thread, so the child may
    // allocate (no other thread can hold the allocator's lock at the fork).
    let pid = cvt(unsafe { libc::fork() })?;
    if pid == 0 {
        if let Err(e) = prepare() {
            eprintln!("trace-test-roundtrip: {e}");
            // SAFETY: _exit ends the child without running the parent's atexit handlers.
            unsafe { libc::_exit(126) };
        }
        // SAFETY: NUL-terminated arrays prepared before the fork, alive here; execve only
        // returns on failure and _exit never returns.
        unsafe {
            libc::execve(exec.path.as_ptr(), exec.argv.as_ptr(), exec.envp.as_ptr());
            libc::_exit(127)
        }
    }
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid int for waitpid to fill.
        let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
        if rc == -1 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        return Ok(status);
    }
}

/// Seizes `pid` with `options`.
pub(crate) fn seize(pid: i32, options: libc::c_int) -> io::Result<()> {
    // SAFETY: PTRACE_SEIZE takes integers only (addr is ignored, data the options).
    let rc = unsafe {
        libc::ptrace(
            libc::PTRACE_SEIZE as _,
            pid,
            ptr::null_mut::<libc::c_void>(),
            options as libc::c_long,
        )
    };
    cvt(rc as libc::c_int).map(drop)
}

/// Restarts a stopped tracee until its next syscall stop, delivering `signal` (0: none).
pub(crate) fn restart_syscall(tid: i32, signal: i32) -> io::Result<()> {
    // SAFETY: PTRACE_SYSCALL takes integers only (data is the signal to deliver).
    let rc = unsafe {
        libc::ptrace(
            libc::PTRACE_SYSCALL as _,
            tid,
            ptr::null_mut::<libc::c_void>(),
            signal as libc::c_long,
        )
    };
    cvt(rc as libc::c_int).map(drop)
}

/// The message of the last ptrace event of a stopped tracee (the new tid after a clone).
pub(crate) fn event_message(tid: i32) -> io::Result<libc::c_ulong> {
    let mut msg: libc::c_ulong = 0;
    // SAFETY: PTRACE_GETEVENTMSG writes one unsigned long to `data`, which points to `msg`.
    let rc = unsafe {
        libc::ptrace(
            libc::PTRACE_GETEVENTMSG as _,
            tid,
            ptr::null_mut::<libc::c_void>(),
            &mut msg as *mut libc::c_ulong,
        )
    };
    cvt(rc as libc::c_int).map(|_| msg)
}

/// `PTRACE_SYSCALL_INFO_ENTRY`.
pub(crate) const OP_ENTRY: u8 = 1;
/// `PTRACE_SYSCALL_INFO_EXIT`.
pub(crate) const OP_EXIT: u8 = 2;

/// The kernel's `struct ptrace_syscall_info`, with the union as raw words: for an entry stop
/// `data[0]` is the syscall number and `data[1..7]` its arguments.
#[repr(C)]
#[derive(Default)]
struct RawSyscallInfo {
    op: u8,
    reserved: u8,
    flags: u16,
    arch: u32,
    instruction_pointer: u64,
    stack_pointer: u64,
    data: [u64; 8],
}

/// What a syscall stop is.
pub(crate) struct SyscallStop {
    /// [`OP_ENTRY`], [`OP_EXIT`] or another kernel value.
    pub(crate) op: u8,
    /// The architecture of the call (`AUDIT_ARCH_*`): an x86_64 program's `int 0x80` calls
    /// are i386 calls, with i386 numbers.
    pub(crate) arch: u32,
    /// The syscall number (entry stops only).
    pub(crate) nr: u64,
    /// The six argument registers (entry stops only).
    pub(crate) args: [u64; 6],
}

/// Reads what a tracee in a syscall stop is doing (`PTRACE_GET_SYSCALL_INFO`, Linux 5.3).
pub(crate) fn syscall_info(tid: i32) -> io::Result<SyscallStop> {
    let mut info = RawSyscallInfo::default();
    // SAFETY: the kernel writes at most `addr` bytes (the size of `info`) to `data`, which
    // points to `info`, a plain repr(C) struct valid for any bit pattern.
    let rc = unsafe {
        libc::ptrace(
            libc::PTRACE_GET_SYSCALL_INFO as _,
            tid,
            std::mem::size_of::<RawSyscallInfo>(),
            &mut info as *mut RawSyscallInfo,
        )
    };
    cvt(rc as libc::c_int)?;
    let mut args = [0u64; 6];
    args.copy_from_slice(&info.data[1..7]);
    Ok(SyscallStop {
        op: info.op,
        arch: info.arch,
        nr: info.data[0],
        args,
    })
}

/// Reads `buf.len()` bytes at `addr` in process `pid` (`process_vm_readv`).
pub(crate) fn read_memory(pid: i32, addr: u64, buf: &mut [u8]) -> io::Result<()> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as usize as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: `local` describes `buf`, which is writable for its length; the remote iovec is
    // only read by the kernel from the other process, which checks it.
    let n = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    if n as usize != buf.len() {
        return Err(io::Error::other("short read of tracee memory"));
    }
    Ok(())
}

/// Waits for any child (any thread of any traced process: `__WALL`). `None` when there are
/// no children left.
pub(crate) fn wait_any() -> io::Result<Option<(i32, libc::c_int)>> {
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid int for waitpid to fill.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::__WALL) };
        if pid == -1 {
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::ECHILD) => return Ok(None),
                _ => return Err(err),
            }
        }
        return Ok(Some((pid, status)));
    }
}

/// Sends `signal` to process `pid`.
pub(crate) fn kill(pid: i32, signal: i32) -> io::Result<()> {
    // SAFETY: kill takes integers only.
    cvt(unsafe { libc::kill(pid, signal) }).map(drop)
}
