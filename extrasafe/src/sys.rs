//! The only place where extrasafe talks to the kernel without a safe wrapper.

#![allow(unsafe_code)]

use std::io;

/// `SECCOMP_SET_MODE_FILTER` from `<linux/seccomp.h>`.
const SECCOMP_SET_MODE_FILTER: libc::c_uint = 1;
/// `SECCOMP_FILTER_FLAG_TSYNC` from `<linux/seccomp.h>`.
const SECCOMP_FILTER_FLAG_TSYNC: libc::c_ulong = 1;

/// One classic BPF instruction, laid out as the kernel's `struct sock_filter`.
pub(crate) type SockFilter = libc::sock_filter;

/// Sets `no_new_privs` on the calling thread, which the kernel requires before an
/// unprivileged thread may load a seccomp filter, and which keeps execve from gaining
/// privileges (setuid, file capabilities) the filter could not account for.
pub(crate) fn set_no_new_privs() -> io::Result<()> {
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integer arguments only and touches no memory of ours.
    let rc = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// How loading a filter failed.
pub(crate) enum LoadError {
    /// `seccomp(2)` failed with this error.
    Os(io::Error),
    /// With TSYNC: this thread could not be synchronised; nothing was loaded.
    ThreadSync(i32),
}

/// Loads `program` as a seccomp filter on the calling thread, or on every thread of the
/// process when `all_threads` is set (atomically: all or none).
pub(crate) fn load_filter(program: &[SockFilter], all_threads: bool) -> Result<(), LoadError> {
    let len = u16::try_from(program.len())
        .map_err(|_| LoadError::Os(io::Error::from_raw_os_error(libc::EINVAL)))?;
    let prog = libc::sock_fprog {
        len,
        filter: program.as_ptr().cast_mut(),
    };
    let flags = if all_threads {
        SECCOMP_FILTER_FLAG_TSYNC
    } else {
        0
    };
    // SAFETY: `prog` points at `program`, which outlives the call; the kernel copies the
    // instructions and never writes through the pointer.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            SECCOMP_SET_MODE_FILTER,
            flags,
            std::ptr::from_ref(&prog),
        )
    };
    match rc {
        0 => Ok(()),
        tid if tid > 0 => Err(LoadError::ThreadSync(
            i32::try_from(tid).unwrap_or(i32::MAX),
        )),
        _ => Err(LoadError::Os(io::Error::last_os_error())),
    }
}

/// `LANDLOCK_CREATE_RULESET_VERSION` from `<linux/landlock.h>`.
#[cfg(feature = "landlock")]
const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;

/// The running kernel's Landlock ABI version, or 0 if Landlock is unavailable (not built in,
/// disabled, or refused by a seccomp filter).
#[cfg(feature = "landlock")]
pub(crate) fn landlock_abi() -> i32 {
    // SAFETY: with a NULL attribute pointer, size 0 and the VERSION flag, the kernel reads no
    // memory and only returns the ABI version (or an error).
    let rc = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    i32::try_from(rc).map_or(0, |v| v.max(0))
}
