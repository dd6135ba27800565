//! The only place in the benchmarks that talks to the kernel without a safe wrapper: the
//! measured syscalls themselves, and the empty allow-all seccomp filter (the floor).

#![allow(unsafe_code)]

use std::ffi::CStr;
use std::io;
use std::os::fd::RawFd;

/// `SECCOMP_SET_MODE_FILTER` from `<linux/seccomp.h>`.
const SECCOMP_SET_MODE_FILTER: libc::c_uint = 1;
/// `SECCOMP_RET_ALLOW` from `<linux/seccomp.h>`.
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
/// `BPF_RET | BPF_K`.
const BPF_RET_K: u16 = 0x06;

/// `getppid(2)` through the raw `syscall(2)` entry, with every argument register zeroed so a
/// filter that looks at arguments sees the same values each time.
#[inline]
pub(crate) fn getppid_raw() -> libc::c_long {
    // SAFETY: getppid takes no arguments, reads and writes no memory of ours, and cannot fail;
    // the zero arguments are ignored by the kernel.
    unsafe { libc::syscall(libc::SYS_getppid, 0, 0, 0, 0, 0, 0) }
}

/// `getrandom` of one byte into a stack buffer, without blocking; returns what it returned.
#[inline]
pub(crate) fn getrandom_one() -> isize {
    let mut byte = 0u8;
    // SAFETY: the buffer is one valid, writable byte on our stack for the whole call.
    unsafe { libc::getrandom(std::ptr::from_mut(&mut byte).cast(), 1, libc::GRND_NONBLOCK) }
}

/// Reads one byte from `fd` into a stack buffer; returns what `read(2)` returned.
#[inline]
pub(crate) fn read_one(fd: RawFd) -> isize {
    let mut byte = 0u8;
    // SAFETY: the buffer is one valid, writable byte on our stack for the whole call; an
    // invalid `fd` only makes the kernel return an error.
    unsafe { libc::read(fd, std::ptr::from_mut(&mut byte).cast(), 1) }
}

/// `openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC)` then `close`; returns whether the open
/// succeeded.
#[inline]
pub(crate) fn open_close(path: &CStr) -> bool {
    // SAFETY: `path` is a valid NUL-terminated string for the duration of the call.
    let fd = unsafe {
        libc::openat(
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::O_RDONLY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return false;
    }
    // SAFETY: `fd` was just returned by openat and is owned by no one else; it is closed once.
    unsafe { libc::close(fd) };
    true
}

/// Loads the smallest possible seccomp filter, `[ret ALLOW]`, on the calling thread (after
/// setting `no_new_privs`, which the kernel requires). It allows everything; what it costs is
/// the price of having any filter at all.
pub(crate) fn load_allow_all_filter() -> io::Result<()> {
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integer arguments only and touches no memory of ours.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut program = [libc::sock_filter {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k: SECCOMP_RET_ALLOW,
    }];
    let prog = libc::sock_fprog {
        len: 1,
        filter: program.as_mut_ptr(),
    };
    // SAFETY: `prog` points at `program`, both live on our stack past the call; the kernel
    // copies the instructions and does not keep the pointer.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            SECCOMP_SET_MODE_FILTER,
            0 as libc::c_ulong,
            std::ptr::from_ref(&prog),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The CPUs the calling thread may run on.
pub(crate) fn affinity() -> io::Result<libc::cpu_set_t> {
    // SAFETY: cpu_set_t is a plain bit array for which all zeroes is a valid (empty) value.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid, writable cpu_set_t of the size passed.
    let rc = unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) };
    if rc == 0 {
        Ok(set)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sets the CPUs the calling thread may run on (a set [`affinity`] returned).
pub(crate) fn set_affinity(set: &libc::cpu_set_t) -> io::Result<()> {
    // SAFETY: `set` is a valid cpu_set_t of the size passed, read by the kernel during the call.
    let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(set), set) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Pins the calling thread to CPU `cpu`, so that configurations measured in turn share one
/// CPU (and its caches and frequency). Call it before loading a filter.
pub(crate) fn pin_to_cpu(cpu: usize) -> io::Result<()> {
    // SAFETY: cpu_set_t is a plain bit array for which all zeroes is a valid (empty) value.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    // SAFETY: CPU_SET writes one bit inside `set`; `cpu` is below CPU_SETSIZE (checked above).
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size passed, read by the kernel during the call.
    let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `PTRACE_SECCOMP_GET_FILTER` from `<linux/ptrace.h>`.
const PTRACE_SECCOMP_GET_FILTER: libc::c_uint = 0x420c;

/// The newest seccomp filter of process `pid` (a child of this process), read with
/// `PTRACE_SECCOMP_GET_FILTER` (needs `CAP_SYS_ADMIN`): attaches, waits for the stop, reads
/// the program and detaches.
pub(crate) fn read_filter(pid: libc::pid_t) -> io::Result<Vec<extrasafe::BpfInstruction>> {
    // SAFETY: PTRACE_ATTACH takes integers only.
    if unsafe { libc::ptrace(libc::PTRACE_ATTACH, pid, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut status = 0;
    // SAFETY: waits for the child just attached; `status` is ours.
    if unsafe { libc::waitpid(pid, &mut status, libc::__WALL) } != pid {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: with a NULL buffer the kernel only returns the number of instructions.
    let len = unsafe {
        libc::ptrace(
            PTRACE_SECCOMP_GET_FILTER as _,
            pid,
            0usize,
            std::ptr::null_mut::<libc::sock_filter>(),
        )
    };
    let result = if len < 0 {
        Err(io::Error::last_os_error())
    } else {
        let mut buf = vec![
            libc::sock_filter {
                code: 0,
                jt: 0,
                jf: 0,
                k: 0
            };
            usize::try_from(len).unwrap_or(0)
        ];
        // SAFETY: `buf` holds the `len` instructions the kernel said the filter has.
        let got = unsafe {
            libc::ptrace(
                PTRACE_SECCOMP_GET_FILTER as _,
                pid,
                0usize,
                buf.as_mut_ptr(),
            )
        };
        if got == len {
            Ok(buf
                .iter()
                .map(|f| extrasafe::BpfInstruction {
                    code: f.code,
                    jt: f.jt,
                    jf: f.jf,
                    k: f.k,
                })
                .collect())
        } else {
            Err(io::Error::last_os_error())
        }
    };
    // SAFETY: PTRACE_DETACH takes integers only.
    unsafe { libc::ptrace(libc::PTRACE_DETACH, pid, 0, 0) };
    result
}
