//! OpenBSD's `pledge(2)` promises as a RuleSet, and `unveil(2)` permissions as Landlock rules.
//!
//! A program written for OpenBSD, or a person who thinks in its terms, can say what it needs
//! as a pledge string:
//!
//! ```
//! use extrasafe::profiles::pledge::Pledge;
//! use extrasafe::SafetyContext;
//!
//! let path = std::env::temp_dir().join(format!("pledge-doc-{}", std::process::id()));
//! std::fs::write(&path, "hello")?;
//!
//! SafetyContext::new()
//!     .enable(Pledge::new("stdio rpath")?)?
//!     .apply_to_current_thread()?;
//!
//! // Reading files and writing to open descriptors works...
//! assert_eq!(std::fs::read_to_string(&path)?, "hello");
//! println!("read it");
//! // ...opening a file for writing does not: that needs `wpath`.
//! let err = std::fs::OpenOptions::new().write(true).open(&path).unwrap_err();
//! assert_eq!(err.raw_os_error(), Some(libc::EPERM));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Promises are separated by spaces, tabs, carriage returns or line feeds and matched without
//! regard to ASCII case, as by jart's port; repeating one is harmless. An unknown promise is
//! [`ExtraSafeError::UnknownPromise`], whose message lists the valid ones.
//!
//! # Where the mapping comes from
//!
//! OpenBSD's man page says what each promise *means*; which Linux syscalls (and which of their
//! arguments) that takes follows Justine Tunney's Linux port of pledge (cosmopolitan's
//! `pledge-linux.c`, late 2025), with the changes listed under "Differences" below.
//! A syscall is allowed if any pledged promise allows it; a promise that allows a syscall
//! outright makes the argument checks of other promises on it moot.
//!
//! # The promises
//!
//! Argument checks compare enumerated values (commands, requests, options, socket families
//! and types, clone flags) for equality; masks are used only on bit sets (open flags, modes,
//! `mmap` protections and flags).
//!
//! | Promise | Meaning (OpenBSD) | Syscalls here |
//! |---|---|---|
//! | *(none)* | `""`: only `_exit` | nothing beyond what every extrasafe context keeps (see "The floor" below) |
//! | `stdio` | libc stdio, computation on open descriptors | I/O on open descriptors, pipes, polling, clocks and timers, signals, ids, memory, futexes (listed in full below); checked: `mmap`/`mprotect` (no `PROT_EXEC`), `fcntl`, `ioctl`, `prctl`, `clone` (threads only), `sendto` (no address), `kill`/`tgkill` (itself), `prlimit64` (read only), `seccomp` (add a filter) |
//! | `rpath` | read paths and `struct stat` | `chdir`, `getcwd`, `stat` family, `access`/`faccessat*`, `readlink*`, `statfs`, `fstatfs`, `getdents*`; `open`/`openat` read-only |
//! | `wpath` | open files for writing | `getcwd`, `stat` family, `access`/`faccessat*`, `readlinkat`, `truncate`; `open`/`openat` for writing or truncating; `chmod`, `fchmod`, `fchmodat` without setuid, setgid or sticky bits |
//! | `cpath` | create and remove files and directories | `mkdir*`, `rmdir`, `unlink*`, `rename*`, `link*`, `symlink*`; `open`/`openat` with `O_CREAT` or `O_TMPFILE`, `creat` (with `wpath`), modes without setuid, setgid or sticky bits |
//! | `dpath` | create special files | `mknod`, `mknodat` |
//! | `tmppath` | work in `/tmp` | `lstat`, `unlink`, `unlinkat`: a placeholder on Linux, with no path check; add [`Pledge::unveil`]`("/tmp", "rwc")` for the OpenBSD meaning |
//! | `flock` | file locks | `flock`; `fcntl` `F_GETLK`, `F_SETLK`, `F_SETLKW`, `F_OFD_GETLK`, `F_OFD_SETLK`, `F_OFD_SETLKW` |
//! | `fattr` | change modes and times | `chmod`, `fchmod`, `fchmodat` without setuid, setgid or sticky bits; `utime`, `utimes`, `futimesat`, `utimensat` |
//! | `chown` | change owners | `chown`, `lchown`, `fchown`, `fchownat` |
//! | `inet` | IPv4 and IPv6 sockets | `bind`, `listen`, `connect`, `accept*`, `sendto`, `getsockname`, `getpeername`; `socket` `AF_INET`/`AF_INET6` with `SOCK_STREAM` (protocol 0 or TCP) or `SOCK_DGRAM` (0, UDP or ICMP), optionally `SOCK_NONBLOCK`/`SOCK_CLOEXEC`; `getsockopt`/`setsockopt` (the options below); `ioctl` `SIOCATMARK` |
//! | `anet` | (jart's) IPv4 and IPv6 servers | as `inet`, without `connect`, `SOCK_STREAM` only |
//! | `unix` | unix sockets | as `inet`, but `socket` `AF_UNIX` with `SOCK_STREAM` or `SOCK_DGRAM` (protocol 0), and no `ioctl` |
//! | `dns` | DNS lookups | `socket` (as `inet`), `bind`, `connect`, `sendto`, `recvfrom`, `sendmsg`, `recvmsg`, `read`, `close`, `newfstatat`; `setsockopt` (the options below); `openat` read-only, any path (unveil `/etc/resolv.conf` to narrow it) |
//! | `netlink` | (jart's) routing sockets | `socket` `AF_NETLINK`, `SOCK_DGRAM` or `SOCK_RAW` (optionally `SOCK_CLOEXEC`), `NETLINK_ROUTE` |
//! | `tty` | terminal ioctls | `ioctl` `TCGETS`, `TCSETS`, `TCSETSW`, `TCSETSF`, `TIOCGWINSZ`, `TIOCSWINSZ`, `TIOCGPGRP`, `TIOCSPGRP`, `TCFLSH`, `TCXONC`, `TCSBRK`, `TIOCSBRK` |
//! | `sendfd` | send descriptors | `sendmsg`, `sendmmsg` |
//! | `recvfd` | receive descriptors | `recvmsg`, `recvmmsg` |
//! | `proc` | fork, signal others, priorities | `fork`, `vfork`, `kill`, `tgkill`, `tkill`, `sched_setaffinity`, `setsid`, `setpgid`, `prlimit64`, `setrlimit`, `{get,set}priority`, `ioprio_{get,set}`, `sched_{get,set}{scheduler,param}`, `sched_get_priority_{min,max}`; `clone` with exactly the flags libc uses for `fork`, `posix_spawn` and threads |
//! | `exec` | run programs | `execve`, `execveat` (the program keeps the filter: a dynamic one also needs `rpath` and `prot_exec`) |
//! | `prot_exec` | executable mappings | `mprotect`; `mmap` without `MAP_LOCKED`, `MAP_NONBLOCK` or `MAP_HUGETLB` |
//! | `settime` | set the clock | `settimeofday`, `clock_adjtime` |
//! | `id` | change credentials | `set{,re,res,fs}uid`, `set{,re,res,fs}gid`, `setgroups`, `prlimit64`, `setrlimit`, `{get,set}priority` |
//! | `unveil` | call `unveil` | `landlock_create_ruleset`, `landlock_add_rule`, `landlock_restrict_self` |
//! | `vminfo` | VM statistics | `sched_yield`: a placeholder on Linux (read `/proc/meminfo` with `rpath`) |
//!
//! Syscalls only x86_64 has (`open`, `stat`, `mkdir`, `fork`, `pipe`, `poll`, …) are allowed
//! there and left out on aarch64, where libc uses their `*at` or newer forms.
//!
//! **`stdio` in full.** Allowed outright: `read`, `readv`, `pread64`, `preadv`, `preadv2`,
//! `write`, `writev`, `pwrite64`, `pwritev`, `pwritev2`, `close`, `close_range`, `dup`,
//! `dup2`, `dup3`, `lseek`, `fstat`, `fsync`, `fdatasync`, `ftruncate`, `fchdir`,
//! `sendfile`, `splice`, `tee`, `vmsplice`, `copy_file_range`, `sync_file_range`,
//! `fadvise64`; `pipe`, `pipe2`, `poll`, `ppoll`, `select`, `pselect6`, `epoll_create`,
//! `epoll_create1`, `epoll_ctl`, `epoll_wait`, `epoll_pwait`, `epoll_pwait2`, `eventfd`,
//! `eventfd2`, `signalfd`, `signalfd4`, `timerfd_create`, `timerfd_settime`,
//! `timerfd_gettime`; `clock_gettime`, `clock_getres`, `gettimeofday`, `nanosleep`,
//! `clock_nanosleep`, `getitimer`, `setitimer`, `alarm`, `pause`; `rt_sigaction`,
//! `rt_sigprocmask`, `rt_sigreturn`, `rt_sigsuspend`, `rt_sigpending`, `rt_sigtimedwait`,
//! `sigaltstack`, `restart_syscall`; `getpid`, `gettid`, `getppid`, `getuid`,
//! `geteuid`, `getgid`, `getegid`, `getresuid`, `getresgid`, `getgroups`, `getpgid`,
//! `getpgrp`, `getsid`, `getrlimit`, `getrusage`, `times`, `umask`, `uname`, `sysinfo`,
//! `getrandom`, `getcpu`; `brk`, `munmap`, `mremap`, `madvise`, `msync`, `mincore`, `mlock`,
//! `mlock2`, `munlock`, `membarrier`, `arch_prctl`; `futex`,
//! `set_robust_list`, `get_robust_list`, `set_tid_address`, `rseq`; `sched_yield`,
//! `sched_getaffinity`; `recvfrom`, `shutdown`, `socketpair`, `wait4`,
//! `exit`, `exit_group`. Allowed when:
//! - `mmap`: prot ⊆ `PROT_READ | PROT_WRITE`, flags without `MAP_LOCKED` or `MAP_NONBLOCK`
//!   (this rule holds whatever the promises, see "The floor");
//! - `mprotect`: prot ⊆ `PROT_READ | PROT_WRITE` (likewise);
//! - `fcntl`: `F_DUPFD`, `F_GETFD`, `F_SETFD`, `F_GETFL`, `F_SETFL`, `F_DUPFD_CLOEXEC`;
//! - `ioctl`: `FIONREAD`, `FIONBIO`, `FIOCLEX`, `FIONCLEX`;
//! - `prctl`: `PR_SET_NAME`, `PR_GET_NAME`, `PR_GET_SECCOMP`, `PR_SET_SECCOMP`,
//!   `PR_CAPBSET_READ`, `PR_CAPBSET_DROP`, `PR_SET_NO_NEW_PRIVS`;
//! - `clone`: exactly glibc's or musl's thread flags ([`GLIBC_THREAD_FLAGS`],
//!   [`MUSL_THREAD_FLAGS`]);
//! - `sendto`: a NULL address (a connected socket);
//! - `kill`, `tgkill`: the pid of the process that applies the pledge (resolved when the
//!   context is compiled, so after a `fork` or under `isolate_process` too);
//! - `prlimit64`: a NULL new limit (reading only);
//! - `sched_setaffinity`: pid 0, the calling thread (`proc` allows any pid);
//! - `seccomp`: `SECCOMP_SET_MODE_FILTER` with no flags (adding a filter to the calling
//!   thread, which can only take more away, as `prctl(PR_SET_SECCOMP)` does; not
//!   `SECCOMP_FILTER_FLAG_TSYNC`, with which a pledged thread could push its filter chain
//!   onto the program's other threads).
//!
//! **Socket options** (`inet`, `anet`, `unix`; `dns` for `setsockopt`), each level paired
//! with its own options as jart's standalone port pairs them: `SOL_SOCKET` with `SO_TYPE`,
//! `SO_ERROR`, `SO_BROADCAST`, `SO_REUSEADDR`, `SO_REUSEPORT`, `SO_KEEPALIVE`,
//! `SO_RCVTIMEO`, `SO_SNDTIMEO`; `IPPROTO_TCP` with `TCP_NODELAY`, `TCP_CORK`,
//! `TCP_QUICKACK`, `TCP_KEEPIDLE`, `TCP_KEEPINTVL`, `TCP_FASTOPEN`, `TCP_FASTOPEN_CONNECT`;
//! `IPPROTO_IP` with `IP_RECVTTL`, `IP_RECVERR`; `IPPROTO_IPV6` with `IPV6_V6ONLY`.
//!
//! **Opening files.** As on OpenBSD, an `open` needs every promise its flags use: `rpath` to
//! open read-only, `wpath` to open for writing (`O_WRONLY` or `O_RDWR`) or with `O_TRUNC`,
//! `cpath` to pass `O_CREAT` or `O_TMPFILE`. So `File::create` needs `wpath cpath`,
//! `OpenOptions::new().read(true).create(true)` needs `rpath cpath`, and a read-only open with
//! `O_TRUNC` is never allowed. A created file's mode may not have the setuid, setgid or
//! sticky bit.
//!
//! # Promises OpenBSD has and Linux does not
//!
//! `audio`, `bpf`, `disklabel`, `drm`, `error`, `getpw`, `mcast`, `pf`, `ps`, `route`, `tape`,
//! `video`, `vmm` and `wroute` control OpenBSD devices, sysctls or behaviour that Linux does
//! not have. jart's port rejects them (`EINVAL`), and so does extrasafe: they are
//! [`ExtraSafeError::UnknownPromise`], not silently accepted. For `error` (fail with `ENOSYS`
//! instead of killing), use [`SafetyContext::with_errno`](crate::SafetyContext::with_errno):
//! extrasafe's filters fail denied calls with `EPERM` by default, as jart's port does in its
//! default mode. For `getpw`, use `rpath` and unveil `/etc`.
//!
//! # Differences from OpenBSD and from jart's port
//!
//! - **The floor.** Every extrasafe context allows
//!   [`BasicCapabilities`](crate::builtins::BasicCapabilities) (memory, signal masks and
//!   handlers, futexes, `getpid`, `gettid`, `uname`, `getrandom`, `readlink`, affinity,
//!   `sched_yield`, `rseq`, `exit`, `exit_group`) so the Rust runtime can run; a pledge
//!   cannot take those away, so `""` and promise sets without `stdio` allow them too, where
//!   OpenBSD allows only `_exit`. A pledge always narrows the two that matter most: `mmap`
//!   and `mprotect` are allowed only without `PROT_EXEC` unless `prot_exec` is pledged.
//! - **Always `ENOSYS`.** Every extrasafe filter answers `clone3` (its flags sit behind a
//!   pointer seccomp cannot read) and every syscall newer than extrasafe's table with
//!   `ENOSYS`, so that libc falls back to `clone` and older calls, which the filter checks;
//!   jart's port does the same. `openat2` and `memfd_create`, which jart's port answers with
//!   `ENOSYS`, are in no promise here and fail with `EPERM` (the context's default); libc
//!   never needs them to open or create files.
//! - **`cpath`.** jart's filter lets `cpath` allow any `open` without `O_CREAT` (a
//!   fall-through in its rule), so `cpath` alone could open files for writing; here opens
//!   need every promise their flags use, as on OpenBSD (see "Opening files").
//! - **`proc` and `clone`.** jart's port allows `clone` under `proc` unless it has
//!   `CLONE_NEWNS`, `CLONE_PTRACE` or `CLONE_UNTRACED`, which leaves other namespace flags
//!   (`CLONE_NEWUSER`, `CLONE_NEWPID`, …); here `clone` flags are compared for equality with
//!   what libc uses for threads, `fork` and `posix_spawn`, so no namespace can be created.
//! - **Socket options** are paired level by level (jart's standalone port) rather than
//!   checked level and option independently (cosmopolitan), which would allow, say,
//!   `IPPROTO_IPV6` with option 4.
//! - **`kill`/`tgkill` under `stdio`** compare with the pid of the process that calls
//!   [`SafetyContext::enable`](crate::SafetyContext::enable), as jart's port compares with
//!   the pid at install time: a forked child cannot signal itself that way.
//! - **No `execpromises`.** A seccomp filter survives `execve`, so a program run under a
//!   pledge keeps it (jart's port has the same limit).
//! - **One pledge per context.** On OpenBSD a second `pledge()` can only take promises away;
//!   two `Pledge`s enabled in one context add up instead (as any two RuleSets do), and may
//!   conflict where one checks arguments the other does not: put every promise in one pledge
//!   string. To narrow a pledge later, as a second `pledge()` would, apply the narrower
//!   context to the thread: compiling needs no syscall, and loading needs only
//!   `prctl(PR_SET_NO_NEW_PRIVS)` and `seccomp(SECCOMP_SET_MODE_FILTER)`, which `stdio`
//!   allows (jart's port allows `prctl(PR_SET_SECCOMP)`, the same thing). Filters
//!   stack, so the result is the intersection.
//! - **Combining.** `Pledge` is one RuleSet named `Pledge`. Enabling it next to another
//!   RuleSet that allows one of its syscalls the other way (with conditions where the pledge
//!   has none, or the reverse) is a
//!   [`ConditionalNoEffectError`](ExtraSafeError::ConditionalNoEffectError), as for any two
//!   RuleSets.
//!
//! # Unveil
//!
//! With the `landlock` feature, [`Pledge::unveil`] makes a path visible with OpenBSD's
//! `unveil(2)` permissions. The first unveiled path hides every other one: Landlock then
//! restricts the whole filesystem, and a path not beneath an unveiled one cannot be opened,
//! listed, created or removed (`EACCES`), however the promises allow the syscall.
//!
//! | Permission | Landlock rights | granted only if the pledge has |
//! |---|---|---|
//! | `r` | `ReadFile`, `ReadDir` | `rpath` (`ReadFile` also with `dns`) |
//! | `w` | `WriteFile`, `Truncate` | `wpath` |
//! | `x` | `Execute`, `ReadFile` (the dynamic loader and interpreters read what they run) | `exec` |
//! | `c` | `MakeReg`, `MakeDir`, `MakeSym`, `RemoveFile`, `RemoveDir`, `Refer` (rename and link across directories) | `cpath` (`RemoveFile` also with `tmppath`) |
//! | `c` | `MakeSock` | `unix` (binding a socket path) or `dpath` |
//! | `c` | `MakeFifo`, `MakeChar`, `MakeBlock` | `dpath` |
//! | `r` or `w` | `IoctlDev` (ioctl on devices; which requests is up to the promises, `tty` say) | any |
//! | `""` | none: the path is hidden (as it is anyway, unless beneath another unveiled path) | |
//!
//! As on OpenBSD, a call needs both the promise and the permission: a permission whose
//! promise is not pledged grants nothing. (Landlock rights imply the syscalls that use them,
//! see [`crate::landlock`]; granting only what the promises back keeps an unveil from allowing
//! syscalls the pledge does not, such as `execve` without `exec`. Any granted right still
//! brings read-only `openat`, which Landlock confines to the paths unveiled for reading, and
//! the `stat` family and `close`, which Landlock does not restrict: an unveil without `rpath`
//! lets the program `stat` any path.)
//!
//! Landlock differs from unveil where it cannot do better: rights add up down the tree, so an
//! unveil beneath an unveiled directory can add permissions but not remove them (OpenBSD uses
//! the most specific path); a path must exist when the context is applied (an error naming it,
//! or skipped with
//! [`SafetyContext::skip_missing_paths`](crate::SafetyContext::skip_missing_paths)), so a file
//! that does not exist yet is unveiled through its directory; and a denied access fails with
//! `EACCES` (OpenBSD says `ENOENT` for hidden paths).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use crate::builtins::danger_zone::{
    GLIBC_FORK_FLAGS, GLIBC_THREAD_FLAGS, MUSL_THREAD_FLAGS, PLAIN_FORK_FLAGS, SPAWN_FLAGS,
};
use crate::builtins::systemio::O_TMPFILE_BIT;
use crate::builtins::{allow_sockets, allow_values, push_rule, Conditional};
use crate::error::ExtraSafeError;
use crate::rules::{Comparator, RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::syscalls::Sysno;

/// The promises extrasafe knows, as [`ExtraSafeError::UnknownPromise`] lists them.
pub const VALID_PROMISES: &str = "stdio rpath wpath cpath dpath flock fattr inet unix dns tty \
                                  recvfd proc exec id unveil sendfd settime prot_exec vminfo \
                                  tmppath chown anet netlink";

/// One pledge promise (see the [module docs](self) for what each allows).
///
/// ```
/// use extrasafe::profiles::pledge::Promise;
/// assert_eq!("prot_exec".parse::<Promise>()?, Promise::ProtExec);
/// assert_eq!(Promise::ProtExec.to_string(), "prot_exec");
/// assert!("audio".parse::<Promise>().is_err());
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Promise {
    /// `stdio`: libc stdio and computation on open descriptors.
    Stdio,
    /// `rpath`: read paths and open files read-only.
    Rpath,
    /// `wpath`: open files for writing.
    Wpath,
    /// `cpath`: create and remove files and directories.
    Cpath,
    /// `dpath`: create special files (`mknod`).
    Dpath,
    /// `flock`: file locks.
    Flock,
    /// `fattr`: change modes and times of files.
    Fattr,
    /// `inet`: IPv4 and IPv6 sockets.
    Inet,
    /// `unix`: unix sockets.
    Unix,
    /// `dns`: DNS lookups.
    Dns,
    /// `tty`: terminal ioctls.
    Tty,
    /// `recvfd`: receive descriptors (`recvmsg`).
    Recvfd,
    /// `proc`: fork, signal other processes, priorities.
    Proc,
    /// `exec`: run programs.
    Exec,
    /// `id`: change user and group ids.
    Id,
    /// `unveil`: create Landlock rulesets.
    Unveil,
    /// `sendfd`: send descriptors (`sendmsg`).
    Sendfd,
    /// `settime`: set the clock.
    Settime,
    /// `prot_exec`: executable mappings.
    ProtExec,
    /// `vminfo`: a placeholder on Linux (`sched_yield`).
    Vminfo,
    /// `tmppath`: a placeholder on Linux (`lstat`, `unlink`, `unlinkat`).
    Tmppath,
    /// `chown`: change file owners.
    Chown,
    /// `anet` (jart's): IPv4 and IPv6 servers, without `connect`.
    Anet,
    /// `netlink` (jart's): route netlink sockets.
    Netlink,
}

impl Promise {
    /// Every promise, in the order of jart's port (then `netlink`).
    pub const ALL: &'static [Promise] = &[
        Promise::Stdio,
        Promise::Rpath,
        Promise::Wpath,
        Promise::Cpath,
        Promise::Dpath,
        Promise::Flock,
        Promise::Fattr,
        Promise::Inet,
        Promise::Unix,
        Promise::Dns,
        Promise::Tty,
        Promise::Recvfd,
        Promise::Proc,
        Promise::Exec,
        Promise::Id,
        Promise::Unveil,
        Promise::Sendfd,
        Promise::Settime,
        Promise::ProtExec,
        Promise::Vminfo,
        Promise::Tmppath,
        Promise::Chown,
        Promise::Anet,
        Promise::Netlink,
    ];

    /// The promise's name in a pledge string.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Promise::Stdio => "stdio",
            Promise::Rpath => "rpath",
            Promise::Wpath => "wpath",
            Promise::Cpath => "cpath",
            Promise::Dpath => "dpath",
            Promise::Flock => "flock",
            Promise::Fattr => "fattr",
            Promise::Inet => "inet",
            Promise::Unix => "unix",
            Promise::Dns => "dns",
            Promise::Tty => "tty",
            Promise::Recvfd => "recvfd",
            Promise::Proc => "proc",
            Promise::Exec => "exec",
            Promise::Id => "id",
            Promise::Unveil => "unveil",
            Promise::Sendfd => "sendfd",
            Promise::Settime => "settime",
            Promise::ProtExec => "prot_exec",
            Promise::Vminfo => "vminfo",
            Promise::Tmppath => "tmppath",
            Promise::Chown => "chown",
            Promise::Anet => "anet",
            Promise::Netlink => "netlink",
        }
    }

    /// The promise named `name`, without regard to ASCII case; `None` if there is none.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Promise> {
        Promise::ALL
            .iter()
            .copied()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Promise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Promise {
    type Err = ExtraSafeError;

    fn from_str(s: &str) -> Result<Promise, ExtraSafeError> {
        Promise::from_name(s).ok_or_else(|| unknown(s))
    }
}

fn unknown(promise: &str) -> ExtraSafeError {
    ExtraSafeError::UnknownPromise {
        promise: promise.to_string(),
        valid: VALID_PROMISES,
    }
}

/// A set of pledge promises as a RuleSet (named `Pledge`), with optional unveiled paths.
///
/// See the [module docs](self) for what each promise allows.
///
/// ```
/// use extrasafe::profiles::pledge::{Pledge, Promise};
/// let pledge = Pledge::new("stdio RPATH\tinet  stdio")?;
/// assert!(pledge.has(Promise::Rpath));
/// assert_eq!(pledge.to_string(), "stdio rpath inet");
///
/// let err = Pledge::new("stdio audio").unwrap_err().to_string();
/// assert!(err.contains("`audio`") && err.contains("prot_exec"), "{err}");
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Pledge {
    promises: BTreeSet<Promise>,
    #[cfg(feature = "landlock")]
    unveiled: Vec<(std::path::PathBuf, u8)>,
}

impl Pledge {
    /// The promises of `promises`, a pledge string such as `"stdio rpath inet"`.
    ///
    /// # Errors
    /// [`ExtraSafeError::UnknownPromise`] for the first word that is not a promise, listing
    /// the valid ones.
    pub fn new(promises: &str) -> Result<Pledge, ExtraSafeError> {
        let mut set = BTreeSet::new();
        for word in promises
            .split([' ', '\t', '\r', '\n'])
            .filter(|w| !w.is_empty())
        {
            set.insert(word.parse::<Promise>()?);
        }
        Ok(Pledge::from_promises(set))
    }

    /// A pledge of these promises.
    pub fn from_promises<I: IntoIterator<Item = Promise>>(promises: I) -> Pledge {
        Pledge {
            promises: promises.into_iter().collect(),
            #[cfg(feature = "landlock")]
            unveiled: Vec::new(),
        }
    }

    /// Whether the pledge has `promise`.
    #[must_use]
    pub fn has(&self, promise: Promise) -> bool {
        self.promises.contains(&promise)
    }

    /// The promises, in the order of [`Promise::ALL`].
    pub fn promises(&self) -> impl Iterator<Item = Promise> + '_ {
        self.promises.iter().copied()
    }

    /// Makes `path` (and everything beneath it) visible with OpenBSD `unveil(2)`
    /// permissions: any of `r`, `w`, `x` and `c`, or `""` for none. See the
    /// [module docs](self#unveil) for the Landlock rights each grants.
    ///
    /// ```
    /// use extrasafe::profiles::pledge::Pledge;
    /// use extrasafe::SafetyContext;
    ///
    /// let dir = std::env::temp_dir().join(format!("unveil-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("data"), "visible")?;
    ///
    /// let pledge = Pledge::new("stdio rpath")?.unveil(&dir, "r")?;
    /// SafetyContext::new().enable(pledge)?.apply_to_current_thread()?;
    /// assert_eq!(std::fs::read_to_string(dir.join("data"))?, "visible");
    /// let hidden = std::fs::read_to_string("/etc/passwd").unwrap_err();
    /// assert_eq!(hidden.raw_os_error(), Some(libc::EACCES));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ExtraSafeError::InvalidUnveilPermission`] if `permissions` holds another character.
    #[cfg(feature = "landlock")]
    pub fn unveil<P: AsRef<std::path::Path>>(
        mut self,
        path: P,
        permissions: &str,
    ) -> Result<Pledge, ExtraSafeError> {
        let mut bits = 0u8;
        for c in permissions.chars() {
            bits |= match c {
                'r' => UNVEIL_R,
                'w' => UNVEIL_W,
                'x' => UNVEIL_X,
                'c' => UNVEIL_C,
                _ => {
                    return Err(ExtraSafeError::InvalidUnveilPermission {
                        path: path.as_ref().to_path_buf(),
                        permissions: permissions.to_string(),
                        valid: "rwxc",
                    })
                }
            };
        }
        self.unveiled.push((path.as_ref().to_path_buf(), bits));
        Ok(self)
    }

    /// The Landlock rights the permissions `bits` grant under this pledge.
    #[cfg(feature = "landlock")]
    fn unveil_rights(&self, bits: u8) -> crate::BitFlags<crate::AccessFs> {
        use crate::AccessFs as A;
        let mut rights = crate::BitFlags::<A>::empty();
        let has = |p| self.has(p);
        if bits & UNVEIL_R != 0 {
            if has(Promise::Rpath) || has(Promise::Dns) {
                rights |= A::ReadFile;
            }
            if has(Promise::Rpath) {
                rights |= A::ReadDir;
            }
        }
        if bits & UNVEIL_W != 0 && has(Promise::Wpath) {
            rights |= A::WriteFile | A::Truncate;
        }
        if bits & UNVEIL_X != 0 && has(Promise::Exec) {
            rights |= A::Execute | A::ReadFile;
        }
        if bits & UNVEIL_C != 0 {
            if has(Promise::Cpath) {
                rights |=
                    A::MakeReg | A::MakeDir | A::MakeSym | A::RemoveFile | A::RemoveDir | A::Refer;
            }
            if has(Promise::Tmppath) {
                rights |= A::RemoveFile;
            }
            if has(Promise::Unix) || has(Promise::Dpath) {
                rights |= A::MakeSock;
            }
            if has(Promise::Dpath) {
                rights |= A::MakeFifo | A::MakeChar | A::MakeBlock;
            }
        }
        if bits & (UNVEIL_R | UNVEIL_W) != 0 {
            rights |= A::IoctlDev;
        }
        rights
    }

    /// The seccomp rules of the promises, unconditional ones first.
    fn rules(&self) -> Rules {
        let mut r = Rules::default();
        for &p in &self.promises {
            self.add_promise(p, &mut r);
        }
        self.add_opens(&mut r);
        self.add_memory(&mut r);
        // A promise that allows a syscall outright makes other promises' conditions moot.
        let simple = r.simple.clone();
        r.cond.retain(|s, _| !simple.contains(s));
        r
    }

    fn add_promise(&self, promise: Promise, r: &mut Rules) {
        match promise {
            Promise::Stdio => {
                r.allow(STDIO);
                r.values(Sysno::fcntl, 1, FCNTL_STDIO);
                r.values(Sysno::ioctl, 1, IOCTL_STDIO);
                r.values(Sysno::prctl, 0, PRCTL_STDIO);
                r.values(Sysno::clone, 0, &[GLIBC_THREAD_FLAGS, MUSL_THREAD_FLAGS]);
                // sendto without an address: send on a connected socket.
                r.values(Sysno::sendto, 4, &[0]);
                // prlimit64 without a new limit: read only.
                r.values(Sysno::prlimit64, 2, &[0]);
                // The calling thread's CPUs only (pid 0); `proc` allows any pid. This
                // narrows BasicCapabilities' sched_setaffinity.
                r.values(Sysno::sched_setaffinity, 0, &[0]);
                // Resolved to the applying process's pid when the context is compiled.
                let pid = crate::rules::SELF_PID;
                r.values(Sysno::kill, 0, &[pid]);
                r.values(Sysno::tgkill, 0, &[pid]);
                // Adding a filter to the calling thread, which can only take more away: what
                // prctl(PR_SET_SECCOMP) does. Not with SECCOMP_FILTER_FLAG_TSYNC: a pledged
                // thread would push its filter chain onto the other threads.
                r.allow_if(
                    Sysno::seccomp,
                    &[
                        (0, (Comparator::Eq, SECCOMP_SET_MODE_FILTER)),
                        (1, (Comparator::Eq, 0)),
                    ],
                );
            }
            Promise::Rpath => r.allow(RPATH),
            Promise::Wpath => {
                r.allow(WPATH);
                no_special_bits(r);
            }
            Promise::Cpath => r.allow(CPATH),
            Promise::Dpath => r.allow(DPATH),
            Promise::Tmppath => r.allow(TMPPATH),
            Promise::Flock => {
                r.allow(&[Sysno::flock]);
                r.values(Sysno::fcntl, 1, FCNTL_LOCK);
            }
            Promise::Fattr => {
                r.allow(FATTR);
                no_special_bits(r);
            }
            Promise::Chown => r.allow(CHOWN),
            Promise::Inet => {
                r.allow(INET);
                inet_sockets(r, &[libc::SOCK_STREAM, libc::SOCK_DGRAM]);
                r.values(Sysno::ioctl, 1, &[SIOCATMARK]);
                sockopts(r, Sysno::getsockopt);
                sockopts(r, Sysno::setsockopt);
            }
            Promise::Anet => {
                r.allow(ANET);
                inet_sockets(r, &[libc::SOCK_STREAM]);
                r.values(Sysno::ioctl, 1, &[SIOCATMARK]);
                sockopts(r, Sysno::getsockopt);
                sockopts(r, Sysno::setsockopt);
            }
            Promise::Unix => {
                r.allow(UNIX);
                allow_sockets(
                    &mut r.cond,
                    Sysno::socket,
                    &[libc::AF_UNIX],
                    &[libc::SOCK_STREAM, libc::SOCK_DGRAM],
                    &[0],
                );
                sockopts(r, Sysno::getsockopt);
                sockopts(r, Sysno::setsockopt);
            }
            Promise::Dns => {
                r.allow(DNS);
                inet_sockets(r, &[libc::SOCK_STREAM, libc::SOCK_DGRAM]);
                sockopts(r, Sysno::setsockopt);
            }
            Promise::Netlink => {
                for ty in [libc::SOCK_DGRAM, libc::SOCK_RAW] {
                    for flags in [0, libc::SOCK_CLOEXEC] {
                        r.allow_if(
                            Sysno::socket,
                            &[
                                (0, int(libc::AF_NETLINK)),
                                (1, int(ty | flags)),
                                (2, int(libc::NETLINK_ROUTE)),
                            ],
                        );
                    }
                }
            }
            Promise::Tty => r.values(Sysno::ioctl, 1, IOCTL_TTY),
            Promise::Recvfd => r.allow(&[Sysno::recvmsg, Sysno::recvmmsg]),
            Promise::Sendfd => r.allow(&[Sysno::sendmsg, Sysno::sendmmsg]),
            Promise::Proc => {
                r.allow(PROC);
                r.values(
                    Sysno::clone,
                    0,
                    &[
                        GLIBC_FORK_FLAGS,
                        PLAIN_FORK_FLAGS,
                        SPAWN_FLAGS,
                        GLIBC_THREAD_FLAGS,
                        MUSL_THREAD_FLAGS,
                    ],
                );
            }
            Promise::Exec => r.allow(&[Sysno::execve, Sysno::execveat]),
            Promise::ProtExec => {
                r.allow(&[Sysno::mprotect]);
                r.allow_if(
                    Sysno::mmap,
                    &[(3, mask(MAP_LOCKED | MAP_NONBLOCK | MAP_HUGETLB, 0))],
                );
            }
            Promise::Settime => r.allow(&[Sysno::settimeofday, Sysno::clock_adjtime]),
            Promise::Id => r.allow(ID),
            Promise::Unveil => r.allow(&[
                Sysno::landlock_create_ruleset,
                Sysno::landlock_add_rule,
                Sysno::landlock_restrict_self,
            ]),
            Promise::Vminfo => r.allow(&[Sysno::sched_yield]),
        }
    }

    /// `open`, `openat` and `creat`: each flag needs its promise (see the module docs).
    fn add_opens(&self, r: &mut Rules) {
        let (read, write, create) = (
            self.has(Promise::Rpath),
            self.has(Promise::Wpath),
            self.has(Promise::Cpath),
        );
        let mut accmodes = Vec::new();
        if read {
            accmodes.push(libc::O_RDONLY);
        }
        if write {
            accmodes.extend([libc::O_WRONLY, libc::O_RDWR]);
        }
        // (flags under OPEN_FLAGS_CHECKED, whether the mode is checked)
        let mut combos: Vec<(u32, bool)> = Vec::new();
        for accmode in accmodes {
            let writes = accmode != libc::O_RDONLY;
            let truncs: &[i32] = if writes { &[0, libc::O_TRUNC] } else { &[0] };
            for &trunc in truncs {
                let base = (accmode | trunc).unsigned_abs();
                combos.push((base, false));
                if create {
                    combos.push((base | libc::O_CREAT.unsigned_abs(), true));
                    if writes {
                        combos.push((base | O_TMPFILE_BIT, true));
                    }
                }
            }
        }
        let opens = [
            #[cfg(target_arch = "x86_64")]
            (Sysno::open, 1, 2),
            (Sysno::openat, 2, 3),
        ];
        for (sysno, flags_arg, mode_arg) in opens {
            for &(flags, check_mode) in &combos {
                let mut conds = vec![(flags_arg, mask(OPEN_FLAGS_CHECKED, u64::from(flags)))];
                if check_mode {
                    conds.push((mode_arg, mask(SPECIAL_BITS, 0)));
                }
                r.allow_if(sysno, &conds);
            }
        }
        if self.has(Promise::Dns) && !read {
            // jart's port: dns opens read-only (for /etc/resolv.conf), with openat only.
            r.allow_if(Sysno::openat, &[(2, mask(OPEN_FLAGS_CHECKED, 0))]);
        }
        #[cfg(target_arch = "x86_64")]
        if create && write {
            r.allow_if(Sysno::creat, &[(1, mask(SPECIAL_BITS, 0))]);
        }
    }

    /// `mmap` and `mprotect` without `PROT_EXEC`, whatever the promises: this narrows
    /// BasicCapabilities. `prot_exec` adds the executable forms.
    fn add_memory(&self, r: &mut Rules) {
        let rw = u64::from((libc::PROT_READ | libc::PROT_WRITE).unsigned_abs());
        r.allow_if(
            Sysno::mmap,
            &[(2, mask(!rw, 0)), (3, mask(MAP_LOCKED | MAP_NONBLOCK, 0))],
        );
        r.allow_if(Sysno::mprotect, &[(2, mask(!rw, 0))]);
    }
}

impl fmt::Display for Pledge {
    /// The pledge string, promises in the order of [`Promise::ALL`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.promises.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(p.name())?;
        }
        Ok(())
    }
}

impl FromStr for Pledge {
    type Err = ExtraSafeError;

    fn from_str(s: &str) -> Result<Pledge, ExtraSafeError> {
        Pledge::new(s)
    }
}

impl RuleSet for Pledge {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.rules().simple.into_iter().collect()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        self.rules().cond
    }

    fn name(&self) -> &'static str {
        "Pledge"
    }

    #[cfg(feature = "landlock")]
    fn landlock_rules(&self) -> Vec<crate::LandlockRule> {
        self.unveiled
            .iter()
            .map(|(path, bits)| crate::LandlockRule::new(path, self.unveil_rights(*bits)))
            .collect()
    }
}

#[cfg(feature = "landlock")]
const UNVEIL_R: u8 = 1;
#[cfg(feature = "landlock")]
const UNVEIL_W: u8 = 2;
#[cfg(feature = "landlock")]
const UNVEIL_X: u8 = 4;
#[cfg(feature = "landlock")]
const UNVEIL_C: u8 = 8;

/// The rules being built: syscalls allowed outright, and conditional rules.
#[derive(Default)]
struct Rules {
    simple: BTreeSet<Sysno>,
    cond: Conditional,
}

impl Rules {
    fn allow(&mut self, syscalls: &[Sysno]) {
        self.simple.extend(syscalls.iter().copied());
    }

    fn values(&mut self, syscall: Sysno, arg: u8, values: &[u64]) {
        allow_values(&mut self.cond, syscall, arg, values);
    }

    fn allow_if(&mut self, syscall: Sysno, conds: &[(u8, (Comparator, u64))]) {
        let mut rule = SeccompRule::new(syscall);
        for &(arg, (op, value)) in conds {
            // The width of each argument comes from extrasafe's table.
            rule = rule.and_condition(SeccompArgumentFilter::new64(arg, op, value));
        }
        push_rule(&mut self.cond, rule);
    }
}

/// `arg & m == value`.
fn mask(m: u64, value: u64) -> (Comparator, u64) {
    (Comparator::MaskedEq(m), value)
}

/// `arg == value` for an `int` value.
fn int(value: libc::c_int) -> (Comparator, u64) {
    (Comparator::Eq, u64::from(value.unsigned_abs()))
}

/// `socket(AF_INET or AF_INET6, type, protocol)`: stream sockets with protocol 0 or TCP,
/// datagram sockets with 0, UDP or ICMP (ping sockets), as jart's `inet`.
fn inet_sockets(r: &mut Rules, types: &[libc::c_int]) {
    let domains = [libc::AF_INET, libc::AF_INET6];
    for &ty in types {
        let protocols: &[libc::c_int] = if ty == libc::SOCK_STREAM {
            &[0, libc::IPPROTO_TCP]
        } else {
            &[0, libc::IPPROTO_UDP, libc::IPPROTO_ICMP]
        };
        allow_sockets(&mut r.cond, Sysno::socket, &domains, &[ty], protocols);
    }
}

/// `getsockopt` or `setsockopt` with the (level, option) pairs of [`SOCKOPTS`].
fn sockopts(r: &mut Rules, syscall: Sysno) {
    for &(level, option) in SOCKOPTS {
        r.allow_if(syscall, &[(1, int(level)), (2, int(option))]);
    }
}

/// chmod, fchmod, fchmodat without setuid, setgid or sticky bits.
fn no_special_bits(r: &mut Rules) {
    #[cfg(target_arch = "x86_64")]
    r.allow_if(Sysno::chmod, &[(1, mask(SPECIAL_BITS, 0))]);
    r.allow_if(Sysno::fchmod, &[(1, mask(SPECIAL_BITS, 0))]);
    r.allow_if(Sysno::fchmodat, &[(2, mask(SPECIAL_BITS, 0))]);
}

/// `S_ISUID | S_ISGID | S_ISVTX`.
const SPECIAL_BITS: u64 = 0o7000;
/// The open flags whose combination the promises decide.
const OPEN_FLAGS_CHECKED: u64 =
    (libc::O_ACCMODE | libc::O_CREAT | libc::O_TRUNC) as u64 | O_TMPFILE_BIT as u64;
const MAP_LOCKED: u64 = 0x2000;
const MAP_NONBLOCK: u64 = 0x1_0000;
const MAP_HUGETLB: u64 = 0x4_0000;
const SIOCATMARK: u64 = 0x8905;
const SECCOMP_SET_MODE_FILTER: u64 = 1;

const FCNTL_STDIO: &[u64] = &[
    libc::F_DUPFD as u64,
    libc::F_GETFD as u64,
    libc::F_SETFD as u64,
    libc::F_GETFL as u64,
    libc::F_SETFL as u64,
    libc::F_DUPFD_CLOEXEC as u64,
];
const FCNTL_LOCK: &[u64] = &[
    libc::F_GETLK as u64,
    libc::F_SETLK as u64,
    libc::F_SETLKW as u64,
    libc::F_OFD_GETLK as u64,
    libc::F_OFD_SETLK as u64,
    libc::F_OFD_SETLKW as u64,
];
/// FIONREAD, FIONBIO, FIOCLEX, FIONCLEX.
const IOCTL_STDIO: &[u64] = &[0x541b, 0x5421, 0x5451, 0x5450];
/// TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCSPGRP, TIOCGPGRP, TIOCSWINSZ, TCFLSH,
/// TCXONC, TCSBRK, TIOCSBRK.
const IOCTL_TTY: &[u64] = &[
    0x5401, 0x5402, 0x5403, 0x5404, 0x5413, 0x5410, 0x540f, 0x5414, 0x540b, 0x540a, 0x5409, 0x5427,
];
/// PR_SET_NAME, PR_GET_NAME, PR_GET_SECCOMP, PR_SET_SECCOMP, PR_CAPBSET_READ,
/// PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS.
const PRCTL_STDIO: &[u64] = &[15, 16, 21, 22, 23, 24, 38];

const SOCKOPTS: &[(libc::c_int, libc::c_int)] = &[
    (libc::SOL_SOCKET, libc::SO_TYPE),
    (libc::SOL_SOCKET, libc::SO_ERROR),
    (libc::SOL_SOCKET, libc::SO_BROADCAST),
    (libc::SOL_SOCKET, libc::SO_REUSEPORT),
    (libc::SOL_SOCKET, libc::SO_REUSEADDR),
    (libc::SOL_SOCKET, libc::SO_KEEPALIVE),
    (libc::SOL_SOCKET, libc::SO_RCVTIMEO),
    (libc::SOL_SOCKET, libc::SO_SNDTIMEO),
    (libc::IPPROTO_TCP, libc::TCP_QUICKACK),
    (libc::IPPROTO_TCP, libc::TCP_CORK),
    (libc::IPPROTO_TCP, libc::TCP_NODELAY),
    (libc::IPPROTO_TCP, libc::TCP_KEEPIDLE),
    (libc::IPPROTO_TCP, libc::TCP_KEEPINTVL),
    (libc::IPPROTO_TCP, libc::TCP_FASTOPEN),
    (libc::IPPROTO_TCP, libc::TCP_FASTOPEN_CONNECT),
    (libc::IPPROTO_IP, libc::IP_RECVTTL),
    (libc::IPPROTO_IP, libc::IP_RECVERR),
    (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY),
];

const STDIO: &[Sysno] = &[
    // signals
    Sysno::rt_sigreturn,
    Sysno::restart_syscall,
    Sysno::rt_sigaction,
    Sysno::sigaltstack,
    Sysno::rt_sigprocmask,
    Sysno::rt_sigsuspend,
    Sysno::rt_sigpending,
    Sysno::rt_sigtimedwait,
    // exit and scheduling
    Sysno::exit,
    Sysno::exit_group,
    Sysno::sched_yield,
    Sysno::sched_getaffinity,
    Sysno::getcpu,
    // time
    Sysno::clock_getres,
    Sysno::clock_gettime,
    Sysno::clock_nanosleep,
    Sysno::gettimeofday,
    Sysno::nanosleep,
    Sysno::getitimer,
    Sysno::setitimer,
    Sysno::timerfd_create,
    Sysno::timerfd_settime,
    Sysno::timerfd_gettime,
    #[cfg(target_arch = "x86_64")]
    Sysno::alarm,
    #[cfg(target_arch = "x86_64")]
    Sysno::pause,
    // descriptors and I/O
    Sysno::close_range,
    Sysno::close,
    Sysno::write,
    Sysno::writev,
    Sysno::pwrite64,
    Sysno::pwritev,
    Sysno::pwritev2,
    Sysno::read,
    Sysno::readv,
    Sysno::pread64,
    Sysno::preadv,
    Sysno::preadv2,
    Sysno::dup,
    #[cfg(target_arch = "x86_64")]
    Sysno::dup2,
    Sysno::dup3,
    Sysno::fchdir,
    Sysno::fstat,
    Sysno::fsync,
    Sysno::fdatasync,
    Sysno::ftruncate,
    Sysno::lseek,
    Sysno::copy_file_range,
    Sysno::sendfile,
    Sysno::vmsplice,
    Sysno::splice,
    Sysno::tee,
    Sysno::sync_file_range,
    Sysno::fadvise64,
    // identity and limits
    Sysno::getrandom,
    Sysno::getgroups,
    Sysno::getpgid,
    #[cfg(target_arch = "x86_64")]
    Sysno::getpgrp,
    Sysno::getpid,
    Sysno::gettid,
    Sysno::getuid,
    Sysno::getgid,
    Sysno::getsid,
    Sysno::getppid,
    Sysno::geteuid,
    Sysno::getegid,
    Sysno::getrlimit,
    Sysno::getresgid,
    Sysno::getresuid,
    Sysno::getrusage,
    Sysno::times,
    Sysno::umask,
    Sysno::uname,
    Sysno::sysinfo,
    // memory (mmap and mprotect: see add_memory)
    Sysno::brk,
    Sysno::msync,
    Sysno::mlock,
    Sysno::mlock2,
    Sysno::munlock,
    Sysno::mremap,
    Sysno::munmap,
    Sysno::mincore,
    Sysno::madvise,
    Sysno::membarrier,
    #[cfg(target_arch = "x86_64")]
    Sysno::arch_prctl,
    // threads
    Sysno::set_tid_address,
    Sysno::futex,
    Sysno::set_robust_list,
    Sysno::get_robust_list,
    Sysno::rseq,
    // pipes and polling
    #[cfg(target_arch = "x86_64")]
    Sysno::pipe,
    Sysno::pipe2,
    #[cfg(target_arch = "x86_64")]
    Sysno::poll,
    Sysno::ppoll,
    #[cfg(target_arch = "x86_64")]
    Sysno::select,
    Sysno::pselect6,
    #[cfg(target_arch = "x86_64")]
    Sysno::epoll_create,
    Sysno::epoll_create1,
    Sysno::epoll_ctl,
    #[cfg(target_arch = "x86_64")]
    Sysno::epoll_wait,
    Sysno::epoll_pwait,
    Sysno::epoll_pwait2,
    #[cfg(target_arch = "x86_64")]
    Sysno::eventfd,
    Sysno::eventfd2,
    #[cfg(target_arch = "x86_64")]
    Sysno::signalfd,
    Sysno::signalfd4,
    // sockets and processes
    Sysno::recvfrom,
    Sysno::shutdown,
    Sysno::socketpair,
    Sysno::wait4,
];

const RPATH: &[Sysno] = &[
    Sysno::chdir,
    Sysno::getcwd,
    #[cfg(target_arch = "x86_64")]
    Sysno::stat,
    #[cfg(target_arch = "x86_64")]
    Sysno::lstat,
    Sysno::fstat,
    Sysno::newfstatat,
    Sysno::statx,
    #[cfg(target_arch = "x86_64")]
    Sysno::access,
    Sysno::faccessat,
    Sysno::faccessat2,
    #[cfg(target_arch = "x86_64")]
    Sysno::readlink,
    Sysno::readlinkat,
    Sysno::statfs,
    Sysno::fstatfs,
    Sysno::getdents64,
    #[cfg(target_arch = "x86_64")]
    Sysno::getdents,
];

const WPATH: &[Sysno] = &[
    Sysno::getcwd,
    #[cfg(target_arch = "x86_64")]
    Sysno::stat,
    #[cfg(target_arch = "x86_64")]
    Sysno::lstat,
    Sysno::fstat,
    Sysno::newfstatat,
    Sysno::statx,
    #[cfg(target_arch = "x86_64")]
    Sysno::access,
    Sysno::truncate,
    Sysno::faccessat,
    Sysno::faccessat2,
    Sysno::readlinkat,
];

const CPATH: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::rename,
    Sysno::renameat,
    Sysno::renameat2,
    #[cfg(target_arch = "x86_64")]
    Sysno::link,
    Sysno::linkat,
    #[cfg(target_arch = "x86_64")]
    Sysno::symlink,
    Sysno::symlinkat,
    #[cfg(target_arch = "x86_64")]
    Sysno::rmdir,
    #[cfg(target_arch = "x86_64")]
    Sysno::unlink,
    Sysno::unlinkat,
    #[cfg(target_arch = "x86_64")]
    Sysno::mkdir,
    Sysno::mkdirat,
];

const DPATH: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::mknod,
    Sysno::mknodat,
];

const TMPPATH: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::lstat,
    #[cfg(target_arch = "x86_64")]
    Sysno::unlink,
    Sysno::unlinkat,
];

const FATTR: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::utime,
    #[cfg(target_arch = "x86_64")]
    Sysno::utimes,
    #[cfg(target_arch = "x86_64")]
    Sysno::futimesat,
    Sysno::utimensat,
];

const CHOWN: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::chown,
    Sysno::fchown,
    #[cfg(target_arch = "x86_64")]
    Sysno::lchown,
    Sysno::fchownat,
];

const INET: &[Sysno] = &[
    Sysno::listen,
    Sysno::bind,
    Sysno::sendto,
    Sysno::connect,
    Sysno::accept,
    Sysno::accept4,
    Sysno::getpeername,
    Sysno::getsockname,
];

const ANET: &[Sysno] = &[
    Sysno::listen,
    Sysno::bind,
    Sysno::sendto,
    Sysno::accept,
    Sysno::accept4,
    Sysno::getpeername,
    Sysno::getsockname,
];

const UNIX: &[Sysno] = INET;

const DNS: &[Sysno] = &[
    Sysno::bind,
    Sysno::sendto,
    Sysno::connect,
    Sysno::recvfrom,
    Sysno::newfstatat,
    Sysno::read,
    Sysno::close,
    Sysno::recvmsg,
    Sysno::sendmsg,
];

const PROC: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::fork,
    #[cfg(target_arch = "x86_64")]
    Sysno::vfork,
    Sysno::kill,
    Sysno::tgkill,
    Sysno::setsid,
    Sysno::setpgid,
    Sysno::prlimit64,
    Sysno::setrlimit,
    Sysno::getpriority,
    Sysno::setpriority,
    Sysno::ioprio_get,
    Sysno::ioprio_set,
    Sysno::sched_getscheduler,
    Sysno::sched_setscheduler,
    Sysno::sched_get_priority_min,
    Sysno::sched_get_priority_max,
    Sysno::sched_getparam,
    Sysno::sched_setparam,
    // Any thread, or the CPUs of any process, of the user: not under stdio (as in jart's
    // port).
    Sysno::tkill,
    Sysno::sched_setaffinity,
];

const ID: &[Sysno] = &[
    Sysno::setuid,
    Sysno::setreuid,
    Sysno::setresuid,
    Sysno::setgid,
    Sysno::setregid,
    Sysno::setresgid,
    Sysno::setgroups,
    Sysno::prlimit64,
    Sysno::setrlimit,
    Sysno::getpriority,
    Sysno::setpriority,
    Sysno::setfsuid,
    Sysno::setfsgid,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SafetyContext;

    #[test]
    fn valid_promises_lists_every_promise_once() {
        let names: Vec<&str> = VALID_PROMISES.split_whitespace().collect();
        let all: Vec<&str> = Promise::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, all);
    }

    #[test]
    fn every_promise_together_compiles_within_the_kernels_limit() {
        let all = Pledge::from_promises(Promise::ALL.iter().copied());
        let filter = SafetyContext::new()
            .enable(all)
            .expect("every promise enables")
            .compile()
            .expect("compiles");
        assert!(filter.instructions().len() < 4096);
    }

    #[test]
    fn each_promise_alone_and_with_stdio_enables_and_compiles() {
        for &p in Promise::ALL {
            for set in [vec![p], vec![Promise::Stdio, p]] {
                let pledge = Pledge::from_promises(set);
                let name = pledge.to_string();
                SafetyContext::new()
                    .enable(pledge)
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
                    .compile()
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
    }

    #[test]
    fn no_syscall_is_both_simple_and_conditional() {
        let all = Pledge::from_promises(Promise::ALL.iter().copied());
        let simple = all.simple_rules();
        for sysno in all.conditional_rules().keys() {
            assert!(!simple.contains(sysno), "{sysno}");
        }
    }
}
