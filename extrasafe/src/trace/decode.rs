//! Readable names for the arguments RuleSets look at: socket families and types, ioctl
//! requests, open flags, clone flags, fcntl commands and prctl options.

use crate::syscalls::Sysno;

/// Pseudo argument index for `clone3`'s `exit_signal` (read from `struct clone_args`).
pub const CLONE3_EXIT_SIGNAL: u8 = 6;

/// Stands for "the caller's own process id" in the first argument of kill, tgkill,
/// rt_sigqueueinfo and rt_tgsigqueueinfo: the pid differs from run to run, the meaning does
/// not (and [`Signals::allow_to_self`](crate::builtins::signals::Signals::allow_to_self)
/// checks exactly that).
pub const SELF_PID: u64 = u64::MAX - 1;

/// The arguments shown (and kept exactly) for `sysno`, by index, with their label.
pub fn shown_args(sysno: Sysno) -> &'static [(u8, &'static str)] {
    match sysno {
        Sysno::socket | Sysno::socketpair => &[(0, "family"), (1, "type"), (2, "protocol")],
        Sysno::ioctl => &[(1, "request")],
        #[cfg(target_arch = "x86_64")]
        Sysno::open => &[(1, "flags")],
        Sysno::openat => &[(2, "flags")],
        Sysno::clone => &[(0, "flags")],
        Sysno::clone3 => &[(0, "flags"), (CLONE3_EXIT_SIGNAL, "exit_signal")],
        Sysno::fcntl => &[(1, "cmd")],
        Sysno::prctl => &[(0, "option")],
        Sysno::kill | Sysno::tgkill | Sysno::rt_sigqueueinfo | Sysno::rt_tgsigqueueinfo => {
            &[(0, "pid")]
        }
        _ => &[],
    }
}

/// `value` of argument `idx` of `sysno`, readable.
pub fn describe(sysno: Sysno, idx: u8, value: u64) -> String {
    match (sysno, idx) {
        (Sysno::socket | Sysno::socketpair, 0) => family(value),
        (Sysno::socket | Sysno::socketpair, 1) => socket_type(value),
        (Sysno::ioctl, 1) => ioctl_request(value),
        (Sysno::openat, 2) => open_flags(value),
        #[cfg(target_arch = "x86_64")]
        (Sysno::open, 1) => open_flags(value),
        (Sysno::clone | Sysno::clone3, 0) => clone_flags(value),
        (Sysno::clone3, CLONE3_EXIT_SIGNAL) => signal_name(value),
        (Sysno::fcntl, 1) => fcntl_cmd(value),
        (Sysno::prctl, 0) => prctl_option(value),
        (_, 0) if value == SELF_PID => "self".to_string(),
        _ => value.to_string(),
    }
}

fn family(value: u64) -> String {
    let table: &[(u64, &str)] = &[
        (libc::AF_UNIX as u64, "AF_UNIX"),
        (libc::AF_INET as u64, "AF_INET"),
        (libc::AF_INET6 as u64, "AF_INET6"),
        (libc::AF_NETLINK as u64, "AF_NETLINK"),
        (libc::AF_PACKET as u64, "AF_PACKET"),
        (libc::AF_VSOCK as u64, "AF_VSOCK"),
        (libc::AF_ALG as u64, "AF_ALG"),
    ];
    lookup(value, table)
}

fn lookup(value: u64, table: &[(u64, &str)]) -> String {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map_or_else(|| value.to_string(), |(_, n)| (*n).to_string())
}

fn socket_type(value: u64) -> String {
    let base = value & 0xf;
    let table: &[(u64, &str)] = &[
        (libc::SOCK_STREAM as u64, "SOCK_STREAM"),
        (libc::SOCK_DGRAM as u64, "SOCK_DGRAM"),
        (libc::SOCK_RAW as u64, "SOCK_RAW"),
        (libc::SOCK_SEQPACKET as u64, "SOCK_SEQPACKET"),
    ];
    let mut parts = vec![lookup(base, table)];
    let flags = [
        (libc::SOCK_NONBLOCK as u64, "SOCK_NONBLOCK"),
        (libc::SOCK_CLOEXEC as u64, "SOCK_CLOEXEC"),
    ];
    bits(value & !0xf, &flags, &mut parts);
    parts.join("|")
}

/// Appends the names of the bits of `value` found in `flags`, and the rest in hex.
fn bits(value: u64, flags: &[(u64, &str)], parts: &mut Vec<String>) {
    let mut rest = value;
    for &(bit, name) in flags {
        if bit != 0 && rest & bit == bit {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
}

// The request type is `c_ulong` on glibc and `c_int` on musl: the casts are needed there.
#[allow(clippy::unnecessary_cast)]
fn ioctl_request(value: u64) -> String {
    let table: &[(u64, &str)] = &[
        (libc::TCGETS as u64, "TCGETS"),
        (libc::TCSETS as u64, "TCSETS"),
        (libc::TCSETSW as u64, "TCSETSW"),
        (libc::TCSETSF as u64, "TCSETSF"),
        (libc::TIOCGWINSZ as u64, "TIOCGWINSZ"),
        (libc::TIOCSWINSZ as u64, "TIOCSWINSZ"),
        (libc::TIOCGPGRP as u64, "TIOCGPGRP"),
        (libc::TIOCSPGRP as u64, "TIOCSPGRP"),
        (libc::TIOCSTI as u64, "TIOCSTI"),
        (libc::FIONREAD as u64, "FIONREAD"),
        (libc::FIONBIO as u64, "FIONBIO"),
        (libc::FIOCLEX as u64, "FIOCLEX"),
        (libc::FIONCLEX as u64, "FIONCLEX"),
    ];
    match table.iter().find(|(v, _)| *v == value) {
        Some((_, n)) => (*n).to_string(),
        None => format!("{value:#x}"),
    }
}

/// `O_LARGEFILE` as the kernel sees it (glibc defines it as 0 on x86_64).
#[cfg(target_arch = "x86_64")]
const KERNEL_O_LARGEFILE: u64 = 0o100000;
#[cfg(not(target_arch = "x86_64"))]
const KERNEL_O_LARGEFILE: u64 = libc::O_LARGEFILE as u64;
/// `__O_TMPFILE` (`O_TMPFILE` is it with `O_DIRECTORY`).
const O_TMPFILE_BIT: u64 = 0o2000_0000;

fn open_flags(value: u64) -> String {
    let mode = match value & libc::O_ACCMODE as u64 {
        m if m == libc::O_WRONLY as u64 => "O_WRONLY",
        m if m == libc::O_RDWR as u64 => "O_RDWR",
        m if m == libc::O_RDONLY as u64 => "O_RDONLY",
        _ => "O_ACCMODE",
    };
    let mut parts = vec![mode.to_string()];
    let flags = [
        (libc::O_CREAT as u64, "O_CREAT"),
        (libc::O_EXCL as u64, "O_EXCL"),
        (libc::O_NOCTTY as u64, "O_NOCTTY"),
        (libc::O_TRUNC as u64, "O_TRUNC"),
        (libc::O_APPEND as u64, "O_APPEND"),
        (libc::O_NONBLOCK as u64, "O_NONBLOCK"),
        (libc::O_DSYNC as u64, "O_DSYNC"),
        (libc::O_DIRECT as u64, "O_DIRECT"),
        (KERNEL_O_LARGEFILE, "O_LARGEFILE"),
        (libc::O_DIRECTORY as u64, "O_DIRECTORY"),
        (libc::O_NOFOLLOW as u64, "O_NOFOLLOW"),
        (libc::O_NOATIME as u64, "O_NOATIME"),
        (libc::O_CLOEXEC as u64, "O_CLOEXEC"),
        (libc::O_PATH as u64, "O_PATH"),
        (O_TMPFILE_BIT, "__O_TMPFILE"),
        // O_SYNC is __O_SYNC | O_DSYNC: what is left of it after O_DSYNC.
        ((libc::O_SYNC & !libc::O_DSYNC) as u64, "__O_SYNC"),
    ];
    bits(value & !(libc::O_ACCMODE as u64), &flags, &mut parts);
    parts.join("|")
}

fn clone_flags(value: u64) -> String {
    let flags: &[(u64, &str)] = &[
        (0x100, "CLONE_VM"),
        (0x200, "CLONE_FS"),
        (0x400, "CLONE_FILES"),
        (0x800, "CLONE_SIGHAND"),
        (0x1000, "CLONE_PIDFD"),
        (0x2000, "CLONE_PTRACE"),
        (0x4000, "CLONE_VFORK"),
        (0x8000, "CLONE_PARENT"),
        (0x10000, "CLONE_THREAD"),
        (0x20000, "CLONE_NEWNS"),
        (0x40000, "CLONE_SYSVSEM"),
        (0x80000, "CLONE_SETTLS"),
        (0x100000, "CLONE_PARENT_SETTID"),
        (0x200000, "CLONE_CHILD_CLEARTID"),
        (0x400000, "CLONE_DETACHED"),
        (0x800000, "CLONE_UNTRACED"),
        (0x1000000, "CLONE_CHILD_SETTID"),
        (0x2000000, "CLONE_NEWCGROUP"),
        (0x4000000, "CLONE_NEWUTS"),
        (0x8000000, "CLONE_NEWIPC"),
        (0x10000000, "CLONE_NEWUSER"),
        (0x20000000, "CLONE_NEWPID"),
        (0x40000000, "CLONE_NEWNET"),
        (0x80000000, "CLONE_IO"),
    ];
    let mut parts = Vec::new();
    bits(value & !0xff, flags, &mut parts);
    if value & 0xff != 0 {
        parts.push(signal_name(value & 0xff));
    }
    if parts.is_empty() {
        "0".to_string()
    } else {
        parts.join("|")
    }
}

fn signal_name(value: u64) -> String {
    let table: &[(u64, &str)] = &[
        (0, "0"),
        (libc::SIGCHLD as u64, "SIGCHLD"),
        (libc::SIGUSR1 as u64, "SIGUSR1"),
        (libc::SIGUSR2 as u64, "SIGUSR2"),
    ];
    lookup(value, table)
}

fn fcntl_cmd(value: u64) -> String {
    let table: &[(u64, &str)] = &[
        (libc::F_DUPFD as u64, "F_DUPFD"),
        (libc::F_GETFD as u64, "F_GETFD"),
        (libc::F_SETFD as u64, "F_SETFD"),
        (libc::F_GETFL as u64, "F_GETFL"),
        (libc::F_SETFL as u64, "F_SETFL"),
        (libc::F_GETLK as u64, "F_GETLK"),
        (libc::F_SETLK as u64, "F_SETLK"),
        (libc::F_SETLKW as u64, "F_SETLKW"),
        (libc::F_OFD_GETLK as u64, "F_OFD_GETLK"),
        (libc::F_OFD_SETLK as u64, "F_OFD_SETLK"),
        (libc::F_OFD_SETLKW as u64, "F_OFD_SETLKW"),
        (libc::F_DUPFD_CLOEXEC as u64, "F_DUPFD_CLOEXEC"),
        (libc::F_SETPIPE_SZ as u64, "F_SETPIPE_SZ"),
        (libc::F_GETPIPE_SZ as u64, "F_GETPIPE_SZ"),
        (libc::F_ADD_SEALS as u64, "F_ADD_SEALS"),
        (libc::F_GET_SEALS as u64, "F_GET_SEALS"),
    ];
    lookup(value, table)
}

fn prctl_option(value: u64) -> String {
    let table: &[(u64, &str)] = &[
        (libc::PR_SET_PDEATHSIG as u64, "PR_SET_PDEATHSIG"),
        (libc::PR_GET_DUMPABLE as u64, "PR_GET_DUMPABLE"),
        (libc::PR_SET_DUMPABLE as u64, "PR_SET_DUMPABLE"),
        (libc::PR_SET_NAME as u64, "PR_SET_NAME"),
        (libc::PR_GET_NAME as u64, "PR_GET_NAME"),
        (libc::PR_SET_SECCOMP as u64, "PR_SET_SECCOMP"),
        (libc::PR_CAPBSET_READ as u64, "PR_CAPBSET_READ"),
        (libc::PR_SET_NO_NEW_PRIVS as u64, "PR_SET_NO_NEW_PRIVS"),
        (libc::PR_GET_NO_NEW_PRIVS as u64, "PR_GET_NO_NEW_PRIVS"),
        (0x5356_4d41, "PR_SET_VMA"),
    ];
    lookup(value, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            describe(Sysno::openat, 2, (libc::O_RDONLY | libc::O_CLOEXEC) as u64),
            "O_RDONLY|O_CLOEXEC"
        );
        assert_eq!(
            describe(
                Sysno::socket,
                1,
                (libc::SOCK_STREAM | libc::SOCK_CLOEXEC) as u64
            ),
            "SOCK_STREAM|SOCK_CLOEXEC"
        );
        assert_eq!(describe(Sysno::socket, 0, 1), "AF_UNIX");
        assert_eq!(
            describe(Sysno::clone, 0, 0x4111),
            "CLONE_VM|CLONE_VFORK|SIGCHLD"
        );
        assert_eq!(describe(Sysno::fcntl, 1, 1030), "F_DUPFD_CLOEXEC");
        assert_eq!(describe(Sysno::kill, 0, SELF_PID), "self");
        assert_eq!(describe(Sysno::ioctl, 1, 0xdead), "0xdead");
    }
}
