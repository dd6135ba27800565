//! systemd's syscall filter groups (`@system-service`, `@file-system`, …) as RuleSets, and a
//! parser for `SystemCallFilter=` lines.
//!
//! A service hardened with `SystemCallFilter=@system-service` in its unit file can say the
//! same thing to extrasafe, and keep it when it runs outside systemd:
//!
//! ```
//! use extrasafe::profiles::systemd::{SyscallGroup, SystemCallFilter};
//! use extrasafe::syscalls::Sysno;
//! use extrasafe::SafetyContext;
//!
//! let dir = std::env::temp_dir().join(format!("systemd-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//!
//! let filter = SystemCallFilter::parse("@system-service ~@privileged ~@resources")?;
//! assert!(filter.syscalls().contains(&Sysno::openat));
//! assert!(!filter.syscalls().contains(&Sysno::chroot));
//! SafetyContext::new().enable(filter)?.apply_to_current_thread()?;
//!
//! // Files, sockets and processes work as for a systemd service...
//! std::fs::write(dir.join("state"), "ok")?;
//! assert_eq!(std::fs::read_to_string(dir.join("state"))?, "ok");
//! std::fs::remove_dir_all(&dir)?;
//! // ...and what @privileged holds fails with EPERM.
//! let err = std::os::unix::fs::chroot("/").unwrap_err();
//! assert_eq!(err.raw_os_error(), Some(libc::EPERM));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The groups
//!
//! Each [`SyscallGroup`] is a RuleSet allowing its syscalls with any arguments. Membership is
//! systemd's, transcribed from `syscall_filter_sets[]` in systemd's `src/shared/seccomp-util.c`
//! (a mid-2025 revision, with `open_tree` in `@file-system` and `open_tree_attr`,
//! `file_getattr` and `file_setattr`; `@known` from systemd's `syscall-list.txt`).
//!
//! | Group | systemd's help string | What it contains |
//! |---|---|---|
//! | `@default` | System calls that are always permitted | memory mapping, `execve`, exit, futexes, reading ids, clocks, sleeping, `getrandom`, `rseq`; includes `@sandbox` |
//! | `@aio` | Asynchronous IO | `io_setup` and the other `io_*` calls, `io_uring_*` |
//! | `@basic-io` | Basic IO | `read`, `write` and their `p`/`v` forms, `lseek`, `dup*`, `close`, `close_range` |
//! | `@chown` | Change ownership of files and directories | `chown`, `fchown`, `fchownat`, `lchown` |
//! | `@clock` | Change the system time | `adjtimex`, `clock_adjtime`, `clock_settime`, `settimeofday` |
//! | `@cpu-emulation` | System calls for CPU emulation functionality | `modify_ldt` (x86_64; the rest are other architectures') |
//! | `@debug` | Debugging, performance monitoring and tracing functionality | `ptrace`, `perf_event_open`, `pidfd_getfd`, `lookup_dcookie` |
//! | `@file-system` | File system operations | opening, `stat`, directories, links, renames, permissions, xattrs, `inotify`, `fcntl`, `close` |
//! | `@io-event` | Event loop system calls | `epoll_*`, `poll`, `ppoll`, `select`, `pselect6`, `eventfd*` |
//! | `@ipc` | SysV IPC, POSIX Message Queues or other IPC | `msg*`, `sem*`, `shm*`, `mq_*`, `pipe*`, `memfd_create`, `process_vm_*` |
//! | `@keyring` | Kernel keyring access | `add_key`, `keyctl`, `request_key` |
//! | `@memlock` | Memory locking control | `mlock*`, `munlock*` |
//! | `@module` | Loading and unloading of kernel modules | `init_module`, `finit_module`, `delete_module` |
//! | `@mount` | Mounting and unmounting of file systems | `mount`, `umount2`, `chroot`, `pivot_root`, the new mount API (`fsopen`, `fsmount`, …) |
//! | `@network-io` | Network or Unix socket IO, should not be needed if not network facing | `socket`, `bind`, `listen`, `accept*`, `connect`, `send*`, `recv*`, socket options |
//! | `@obsolete` | Unusual, obsolete or unimplemented system calls | `_sysctl`, `uselib`, `create_module`, … (mostly numbers the kernel answers with `ENOSYS`) |
//! | `@pkey` | System calls used for memory protection keys | `pkey_alloc`, `pkey_free`, `pkey_mprotect` |
//! | `@privileged` | All system calls which need super-user capabilities | `bpf`, `capset`, `chroot`, `setuid` and friends, `sethostname`, `quotactl`, …; includes `@chown`, `@clock`, `@module`, `@raw-io`, `@reboot`, `@swap` |
//! | `@process` | Process control, execution, namespacing operations | `clone`, `fork`, `execveat`, `kill`, `wait4`, `waitid`, `unshare`, `setns`, `prctl`, `pidfd_*` |
//! | `@raw-io` | Raw I/O port access | `ioperm`, `iopl` (x86_64) |
//! | `@reboot` | Reboot and reboot preparation/kexec | `reboot`, `kexec_load`, `kexec_file_load` |
//! | `@resources` | Alter resource settings | `setrlimit`, `setpriority`, `sched_set*`, NUMA policy calls |
//! | `@sandbox` | Sandbox functionality | `seccomp`, `landlock_*` |
//! | `@setuid` | Operations for changing user/group credentials | `setuid`, `setgid`, `setres*id`, `setre*id`, `setgroups` |
//! | `@signal` | Process signal handling | `rt_sig*` (handlers, masks, waiting), `sigaltstack`, `signalfd*` |
//! | `@swap` | Enable/disable swap devices | `swapon`, `swapoff` |
//! | `@sync` | Synchronize files and memory to storage | `fsync`, `fdatasync`, `sync`, `syncfs`, `msync`, `sync_file_range` |
//! | `@system-service` | General system service operations | what a typical service needs: includes `@aio`, `@basic-io`, `@chown`, `@default`, `@file-system`, `@io-event`, `@ipc`, `@keyring`, `@memlock`, `@network-io`, `@process`, `@resources`, `@setuid`, `@signal`, `@sync`, `@timer`, plus `ioctl`, `madvise`, `mremap`, `uname`, `splice`, `sched_get*`, … |
//! | `@timer` | Schedule operations by time | `timer_*`, `timerfd_*`, `setitimer`, `getitimer`, `alarm`, `times` |
//! | `@known` | All known syscalls declared in the kernel | every syscall name systemd's list knows, for every architecture; includes `@obsolete` |
//!
//! [`SyscallGroup::names`] gives a group's entries exactly as systemd lists them, and
//! [`SyscallGroup::syscalls`] the syscalls it allows here, after expansion.
//!
//! **Architectures.** systemd's lists name syscalls of every architecture (`mmap2`,
//! `fstatat64`, `*_time64`, `socketcall`, …), because systemd also filters the 32-bit ABIs.
//! A name this architecture does not have (no [`Sysno`] for it) is left out, as systemd
//! leaves out what libseccomp cannot resolve for an architecture. A name that has a number
//! here but no implementation (on x86_64, `_sysctl`, `uselib`, `get_thread_area` and a few
//! more: the kernel always answers `ENOSYS`) is kept, as systemd keeps it.
//!
//! **Combining.** A group allows its syscalls with any arguments; enabling it next to a
//! RuleSet that allows one of them only under conditions is a
//! [`ConditionalNoEffectError`](crate::ExtraSafeError::ConditionalNoEffectError), as for any
//! two RuleSets. Groups combine freely with each other.
//!
//! # `SystemCallFilter=` lines
//!
//! [`SystemCallFilter::parse`] reads the value of one or more `SystemCallFilter=`
//! assignments, with systemd's semantics (`systemd.exec(5)` and `load-fragment.c`):
//!
//! - Entries are separated by whitespace; an entry is a group (`@file-system`) or a syscall
//!   name (`ioctl`).
//! - Each line is one assignment; a `SystemCallFilter=` prefix is accepted, so lines can be
//!   pasted from a unit file. Blank lines and lines starting with `#` are skipped. An empty
//!   assignment (`SystemCallFilter=` alone) resets the filter, as in systemd.
//! - A line starting with `~` is inverted as a whole: `~@mount @swap` means neither.
//! - The *first* assignment decides the kind of filter. If it is not inverted, the filter is
//!   an **allow-list**: it allows `@default` (as systemd adds it implicitly for units: "Accept
//!   default syscalls if we are on an allow-list") plus the entries, and later inverted
//!   entries remove syscalls from it. If it is inverted, the filter is a **deny-list**:
//!   everything is allowed except the entries, and later non-inverted entries remove
//!   syscalls from the denied set. Assignments apply in order, as in systemd.
//! - extrasafe extension: `~` may also start an entry in the middle of a line, which removes
//!   (inverts) that entry only: `@system-service ~@privileged` is the two systemd lines
//!   `SystemCallFilter=@system-service` and `SystemCallFilter=~@privileged`. After such an
//!   entry every entry of the line must have its own `~` (`@system-service ~@privileged
//!   @mount` is an error: systemd would read it differently, so it is ambiguous).
//! - A group systemd does not have is an error
//!   ([`ExtraSafeError::UnknownSyscallGroup`], which lists the groups); so is a syscall
//!   name no architecture has ([`ExtraSafeError::UnknownSyscall`]). systemd would log and
//!   skip both; a sandbox should not quietly allow or deny less than was written.
//! - A syscall name of another architecture (`mmap2`, `socketcall`: one that systemd's
//!   lists know) is ignored, as systemd ignores it.
//! - systemd's per-entry errno (`~mount:EPERM`) is an error
//!   ([`ExtraSafeError::InvalidSystemCallFilter`]): everything denied fails with the
//!   context's errno ([`SafetyContext::with_errno`](crate::SafetyContext::with_errno)).
//!
//! A deny-list cannot be written as an allow-list without a list of everything: extrasafe
//! uses every syscall of this architecture ([`Sysno::ALL`]), minus the denied ones. Unlike
//! systemd's deny-lists, a syscall newer than extrasafe's table still fails (with `ENOSYS`,
//! as in every extrasafe filter), and `clone3` fails with `ENOSYS` so that libc falls back to
//! `clone`. The same "everything except" is available without a string:
//! [`SystemCallFilter::everything_except`].
//!
//! ```
//! use extrasafe::profiles::systemd::{SyscallGroup, SystemCallFilter};
//! use extrasafe::syscalls::Sysno;
//!
//! // A deny-list: everything but mounting and ptrace.
//! let filter = SystemCallFilter::parse("~@mount ptrace")?;
//! assert!(!filter.is_allow_list());
//! assert!(!filter.syscalls().contains(&Sysno::mount));
//! assert!(filter.syscalls().contains(&Sysno::socket));
//!
//! // Several assignments, as in a unit file.
//! let unit = "SystemCallFilter=@system-service\nSystemCallFilter=~@resources ~@privileged";
//! let filter = SystemCallFilter::parse(unit)?;
//! assert!(filter.is_allow_list());
//! assert!(!filter.syscalls().contains(&Sysno::setrlimit));
//!
//! // Mistakes are errors, not silent gaps.
//! assert!(SystemCallFilter::parse("@sytem-service").is_err());
//! assert!(SystemCallFilter::parse("@system-service ~@privileged @mount").is_err());
//! # Ok::<(), extrasafe::ExtraSafeError>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::error::ExtraSafeError;
use crate::rules::RuleSet;
use crate::syscalls::Sysno;

/// One of systemd's syscall filter groups.
///
/// A RuleSet allowing the group's syscalls (nested groups expanded, names this architecture
/// does not have left out) with any arguments; its [`RuleSet::name`] is the group's name,
/// `@system-service` say. See the [module docs](self) for what each group holds.
///
/// ```
/// use extrasafe::profiles::systemd::SyscallGroup;
/// use extrasafe::syscalls::Sysno;
///
/// let group = SyscallGroup::from_name("@io-event").expect("systemd has @io-event");
/// assert_eq!(group, SyscallGroup::IoEvent);
/// assert_eq!(group.help(), "Event loop system calls");
/// assert!(group.syscalls().contains(&Sysno::epoll_ctl));
/// // @system-service includes @io-event.
/// assert!(SyscallGroup::SystemService.includes().contains(&SyscallGroup::IoEvent));
/// assert!(SyscallGroup::SystemService.syscalls().contains(&Sysno::epoll_ctl));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SyscallGroup {
    /// `@default`: System calls that are always permitted.
    Default,
    /// `@aio`: Asynchronous IO.
    Aio,
    /// `@basic-io`: Basic IO.
    BasicIo,
    /// `@chown`: Change ownership of files and directories.
    Chown,
    /// `@clock`: Change the system time.
    Clock,
    /// `@cpu-emulation`: System calls for CPU emulation functionality.
    CpuEmulation,
    /// `@debug`: Debugging, performance monitoring and tracing functionality.
    Debug,
    /// `@file-system`: File system operations.
    FileSystem,
    /// `@io-event`: Event loop system calls.
    IoEvent,
    /// `@ipc`: SysV IPC, POSIX Message Queues or other IPC.
    Ipc,
    /// `@keyring`: Kernel keyring access.
    Keyring,
    /// `@memlock`: Memory locking control.
    Memlock,
    /// `@module`: Loading and unloading of kernel modules.
    Module,
    /// `@mount`: Mounting and unmounting of file systems.
    Mount,
    /// `@network-io`: Network or Unix socket IO, should not be needed if not network facing.
    NetworkIo,
    /// `@obsolete`: Unusual, obsolete or unimplemented system calls.
    Obsolete,
    /// `@pkey`: System calls used for memory protection keys.
    Pkey,
    /// `@privileged`: All system calls which need super-user capabilities.
    Privileged,
    /// `@process`: Process control, execution, namespacing operations.
    Process,
    /// `@raw-io`: Raw I/O port access.
    RawIo,
    /// `@reboot`: Reboot and reboot preparation/kexec.
    Reboot,
    /// `@resources`: Alter resource settings.
    Resources,
    /// `@sandbox`: Sandbox functionality.
    Sandbox,
    /// `@setuid`: Operations for changing user/group credentials.
    Setuid,
    /// `@signal`: Process signal handling.
    Signal,
    /// `@swap`: Enable/disable swap devices.
    Swap,
    /// `@sync`: Synchronize files and memory to storage.
    Sync,
    /// `@system-service`: General system service operations.
    SystemService,
    /// `@timer`: Schedule operations by time.
    Timer,
    /// `@known`: All known syscalls declared in the kernel.
    Known,
}

/// One row of systemd's `syscall_filter_sets[]`.
struct GroupData {
    name: &'static str,
    help: &'static str,
    includes: &'static [SyscallGroup],
    names: &'static [&'static str],
}

impl SyscallGroup {
    /// Every group, in systemd's order.
    pub const ALL: &'static [SyscallGroup] = &[
        SyscallGroup::Default,
        SyscallGroup::Aio,
        SyscallGroup::BasicIo,
        SyscallGroup::Chown,
        SyscallGroup::Clock,
        SyscallGroup::CpuEmulation,
        SyscallGroup::Debug,
        SyscallGroup::FileSystem,
        SyscallGroup::IoEvent,
        SyscallGroup::Ipc,
        SyscallGroup::Keyring,
        SyscallGroup::Memlock,
        SyscallGroup::Module,
        SyscallGroup::Mount,
        SyscallGroup::NetworkIo,
        SyscallGroup::Obsolete,
        SyscallGroup::Pkey,
        SyscallGroup::Privileged,
        SyscallGroup::Process,
        SyscallGroup::RawIo,
        SyscallGroup::Reboot,
        SyscallGroup::Resources,
        SyscallGroup::Sandbox,
        SyscallGroup::Setuid,
        SyscallGroup::Signal,
        SyscallGroup::Swap,
        SyscallGroup::Sync,
        SyscallGroup::SystemService,
        SyscallGroup::Timer,
        SyscallGroup::Known,
    ];

    fn data(self) -> &'static GroupData {
        // GROUPS is in the order of the variants (a test checks it).
        &GROUPS[self as usize]
    }

    /// The group's name as systemd spells it, with its `@`: `"@system-service"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.data().name
    }

    /// systemd's help string for the group, verbatim: `"General system service operations"`.
    #[must_use]
    pub fn help(self) -> &'static str {
        self.data().help
    }

    /// The groups this group includes directly (`@default` includes `@sandbox`).
    #[must_use]
    pub fn includes(self) -> &'static [SyscallGroup] {
        self.data().includes
    }

    /// The group's own syscall names, exactly as systemd lists them (in its order, and
    /// including names of other architectures); the included groups are not expanded.
    #[must_use]
    pub fn names(self) -> &'static [&'static str] {
        self.data().names
    }

    /// The syscalls the group allows on this architecture: its own names and those of the
    /// groups it includes (recursively), left out when this architecture has no such
    /// syscall. Sorted by number, without duplicates.
    #[must_use]
    pub fn syscalls(self) -> Vec<Sysno> {
        let mut out = BTreeSet::new();
        self.expand_into(&mut out, &mut BTreeSet::new());
        out.into_iter().collect()
    }

    fn expand_into(self, out: &mut BTreeSet<Sysno>, seen: &mut BTreeSet<SyscallGroup>) {
        if !seen.insert(self) {
            return;
        }
        out.extend(self.names().iter().filter_map(|n| Sysno::from_name(n)));
        for group in self.includes() {
            group.expand_into(out, seen);
        }
    }

    /// The group named `name`, written as systemd writes it (`"@io-event"`), or `None` if
    /// systemd has no such group.
    #[must_use]
    pub fn from_name(name: &str) -> Option<SyscallGroup> {
        SyscallGroup::ALL.iter().copied().find(|g| g.name() == name)
    }
}

impl fmt::Display for SyscallGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SyscallGroup {
    type Err = ExtraSafeError;

    /// Like [`SyscallGroup::from_name`], with [`ExtraSafeError::UnknownSyscallGroup`] for a
    /// name systemd does not have.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SyscallGroup::from_name(s).ok_or_else(|| ExtraSafeError::UnknownSyscallGroup {
            name: s.to_string(),
            groups: group_names(),
        })
    }
}

impl RuleSet for SyscallGroup {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.syscalls()
    }

    fn name(&self) -> &'static str {
        SyscallGroup::name(*self)
    }
}

/// Whether some group lists `name`: systemd knows it as a syscall, if perhaps of another
/// architecture.
fn listed_by_systemd(name: &str) -> bool {
    GROUPS.iter().any(|g| g.names.contains(&name))
}

/// The names of every group, for error messages: `@default, @aio, …`.
fn group_names() -> String {
    let names: Vec<&str> = SyscallGroup::ALL.iter().map(|g| g.name()).collect();
    names.join(", ")
}

/// A RuleSet built from systemd `SystemCallFilter=` assignments: an allow-list, or
/// everything except a deny-list. Its [`RuleSet::name`] is `"SystemCallFilter"`.
///
/// See the [module docs](self#systemcallfilter-lines) for the syntax and semantics.
///
/// ```
/// use extrasafe::profiles::systemd::{SyscallGroup, SystemCallFilter};
/// use std::collections::BTreeSet;
///
/// let filter: SystemCallFilter = "@system-service ~@privileged".parse()?;
/// let service: BTreeSet<_> = SyscallGroup::SystemService.syscalls().into_iter().collect();
/// let privileged: BTreeSet<_> = SyscallGroup::Privileged.syscalls().into_iter().collect();
/// let expected: Vec<_> = service.difference(&privileged).copied().collect();
/// assert_eq!(filter.syscalls(), expected);
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct SystemCallFilter {
    allowed: BTreeSet<Sysno>,
    allow_list: bool,
}

/// What the first assignment made the filter: the set it holds means allowed or denied.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Allow,
    Deny,
}

impl SystemCallFilter {
    /// Reads `SystemCallFilter=` assignments, one per line (see the
    /// [module docs](self#systemcallfilter-lines)).
    ///
    /// # Errors
    /// [`ExtraSafeError::UnknownSyscallGroup`] for a group systemd does not have;
    /// [`ExtraSafeError::UnknownSyscall`] for a syscall name no architecture has;
    /// [`ExtraSafeError::InvalidSystemCallFilter`] for an empty filter, a per-entry errno
    /// (`name:EPERM`), a lone `~`, or a bare entry after a `~` entry in the middle of a line.
    pub fn parse(spec: &str) -> Result<SystemCallFilter, ExtraSafeError> {
        let mut kind: Option<Kind> = None;
        let mut set: BTreeSet<Sysno> = BTreeSet::new();
        for raw in spec.lines() {
            let line = raw.trim();
            if line.starts_with('#') {
                continue;
            }
            let (line, assignment) = match line.strip_prefix("SystemCallFilter=") {
                Some(rest) => (rest.trim(), true),
                None => (line, false),
            };
            if line.is_empty() {
                if assignment {
                    // systemd: "Empty assignment resets the list".
                    kind = None;
                    set.clear();
                }
                continue;
            }
            let (line_inverted, body) = match line.strip_prefix('~') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            if line_inverted && body.trim().is_empty() {
                return Err(ExtraSafeError::InvalidSystemCallFilter {
                    entry: line.to_string(),
                    reason: "lists nothing to deny (systemd would then allow everything): \
                             name the groups or syscalls to deny after the `~`"
                        .to_string(),
                });
            }
            let kind = *kind.get_or_insert_with(|| {
                if line_inverted {
                    Kind::Deny
                } else {
                    set.extend(SyscallGroup::Default.syscalls());
                    Kind::Allow
                }
            });
            let mut removing_from: Option<&str> = None;
            for word in body.split_whitespace() {
                let (inverted, name) = match word.strip_prefix('~') {
                    Some(name) => {
                        if !line_inverted && removing_from.is_none() {
                            removing_from = Some(word);
                        }
                        (true, name)
                    }
                    None if line_inverted => (true, word),
                    None => {
                        if let Some(first) = removing_from {
                            return Err(ExtraSafeError::InvalidSystemCallFilter {
                                entry: word.to_string(),
                                reason: format!(
                                    "follows `{first}` in the same line without a `~` of its \
                                     own, so it is unclear whether it is allowed or removed: \
                                     write `~{word}` to remove it, or move it before `{first}` \
                                     to allow it"
                                ),
                            });
                        }
                        (false, word)
                    }
                };
                let syscalls = resolve(name)?;
                // systemd adds an entry to the set when exactly one of "inverted" and
                // "allow-list" holds, and removes it otherwise.
                if inverted == (kind == Kind::Deny) {
                    set.extend(syscalls);
                } else {
                    for s in syscalls {
                        set.remove(&s);
                    }
                }
            }
        }
        match kind {
            None => Err(ExtraSafeError::InvalidSystemCallFilter {
                entry: String::new(),
                reason: "is empty (or ends with an empty `SystemCallFilter=`, which resets \
                         it): list the groups or syscalls to allow, or start with `~` to list \
                         the ones to deny"
                    .to_string(),
            }),
            Some(Kind::Allow) => Ok(SystemCallFilter {
                allowed: set,
                allow_list: true,
            }),
            Some(Kind::Deny) => Ok(SystemCallFilter::everything_except(set)),
        }
    }

    /// Every syscall of this architecture except `denied`: the deny-list form of
    /// [`parse`](SystemCallFilter::parse) (`~…`), without a string. For programs adopting
    /// extrasafe step by step.
    ///
    /// ```
    /// use extrasafe::profiles::systemd::{SyscallGroup, SystemCallFilter};
    /// use extrasafe::syscalls::Sysno;
    ///
    /// let denied = SyscallGroup::Privileged.syscalls().into_iter().chain([Sysno::ptrace]);
    /// let filter = SystemCallFilter::everything_except(denied);
    /// assert_eq!(filter, SystemCallFilter::parse("~@privileged ptrace")?);
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    pub fn everything_except(denied: impl IntoIterator<Item = Sysno>) -> SystemCallFilter {
        let denied: BTreeSet<Sysno> = denied.into_iter().collect();
        SystemCallFilter {
            allowed: Sysno::iter().filter(|s| !denied.contains(s)).collect(),
            allow_list: false,
        }
    }

    /// The syscalls the filter allows, sorted by number.
    #[must_use]
    pub fn syscalls(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    /// Whether the first assignment was an allow-list (allowing `@default` and what it
    /// lists); `false` for a deny-list (everything except what it lists).
    #[must_use]
    pub fn is_allow_list(&self) -> bool {
        self.allow_list
    }
}

/// The syscalls an entry stands for on this architecture: a group (expanded), a syscall, or
/// nothing for a syscall of another architecture.
fn resolve(name: &str) -> Result<Vec<Sysno>, ExtraSafeError> {
    if name.is_empty() {
        return Err(ExtraSafeError::InvalidSystemCallFilter {
            entry: "~".to_string(),
            reason: "has no name after the `~`: write `~name` without a space".to_string(),
        });
    }
    if name.contains(':') {
        return Err(ExtraSafeError::InvalidSystemCallFilter {
            entry: name.to_string(),
            reason: "has a per-entry errno, which extrasafe cannot express: remove it, and \
                     choose the errno of every denied syscall with SafetyContext::with_errno"
                .to_string(),
        });
    }
    if name.starts_with('@') {
        return name.parse::<SyscallGroup>().map(SyscallGroup::syscalls);
    }
    if let Some(sysno) = Sysno::from_name(name) {
        return Ok(vec![sysno]);
    }
    if listed_by_systemd(name) {
        // Another architecture's syscall: systemd ignores what libseccomp cannot resolve
        // for the architecture, and so does extrasafe.
        return Ok(Vec::new());
    }
    Err(ExtraSafeError::UnknownSyscall {
        name: name.to_string(),
    })
}

impl FromStr for SystemCallFilter {
    type Err = ExtraSafeError;

    /// [`SystemCallFilter::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SystemCallFilter::parse(s)
    }
}

impl RuleSet for SystemCallFilter {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.syscalls()
    }

    fn name(&self) -> &'static str {
        "SystemCallFilter"
    }
}

/// systemd's `syscall_filter_sets[]`, in the order of [`SyscallGroup`]'s variants.
const GROUPS: &[GroupData] = &[
    GroupData {
        name: "@default",
        help: "System calls that are always permitted",
        includes: &[SyscallGroup::Sandbox],
        names: DEFAULT,
    },
    GroupData {
        name: "@aio",
        help: "Asynchronous IO",
        includes: &[],
        names: AIO,
    },
    GroupData {
        name: "@basic-io",
        help: "Basic IO",
        includes: &[],
        names: BASIC_IO,
    },
    GroupData {
        name: "@chown",
        help: "Change ownership of files and directories",
        includes: &[],
        names: CHOWN,
    },
    GroupData {
        name: "@clock",
        help: "Change the system time",
        includes: &[],
        names: CLOCK,
    },
    GroupData {
        name: "@cpu-emulation",
        help: "System calls for CPU emulation functionality",
        includes: &[],
        names: CPU_EMULATION,
    },
    GroupData {
        name: "@debug",
        help: "Debugging, performance monitoring and tracing functionality",
        includes: &[],
        names: DEBUG,
    },
    GroupData {
        name: "@file-system",
        help: "File system operations",
        includes: &[],
        names: FILE_SYSTEM,
    },
    GroupData {
        name: "@io-event",
        help: "Event loop system calls",
        includes: &[],
        names: IO_EVENT,
    },
    GroupData {
        name: "@ipc",
        help: "SysV IPC, POSIX Message Queues or other IPC",
        includes: &[],
        names: IPC,
    },
    GroupData {
        name: "@keyring",
        help: "Kernel keyring access",
        includes: &[],
        names: KEYRING,
    },
    GroupData {
        name: "@memlock",
        help: "Memory locking control",
        includes: &[],
        names: MEMLOCK,
    },
    GroupData {
        name: "@module",
        help: "Loading and unloading of kernel modules",
        includes: &[],
        names: MODULE,
    },
    GroupData {
        name: "@mount",
        help: "Mounting and unmounting of file systems",
        includes: &[],
        names: MOUNT,
    },
    GroupData {
        name: "@network-io",
        help: "Network or Unix socket IO, should not be needed if not network facing",
        includes: &[],
        names: NETWORK_IO,
    },
    GroupData {
        name: "@obsolete",
        help: "Unusual, obsolete or unimplemented system calls",
        includes: &[],
        names: OBSOLETE,
    },
    GroupData {
        name: "@pkey",
        help: "System calls used for memory protection keys",
        includes: &[],
        names: PKEY,
    },
    GroupData {
        name: "@privileged",
        help: "All system calls which need super-user capabilities",
        includes: &[
            SyscallGroup::Chown,
            SyscallGroup::Clock,
            SyscallGroup::Module,
            SyscallGroup::RawIo,
            SyscallGroup::Reboot,
            SyscallGroup::Swap,
        ],
        names: PRIVILEGED,
    },
    GroupData {
        name: "@process",
        help: "Process control, execution, namespacing operations",
        includes: &[],
        names: PROCESS,
    },
    GroupData {
        name: "@raw-io",
        help: "Raw I/O port access",
        includes: &[],
        names: RAW_IO,
    },
    GroupData {
        name: "@reboot",
        help: "Reboot and reboot preparation/kexec",
        includes: &[],
        names: REBOOT,
    },
    GroupData {
        name: "@resources",
        help: "Alter resource settings",
        includes: &[],
        names: RESOURCES,
    },
    GroupData {
        name: "@sandbox",
        help: "Sandbox functionality",
        includes: &[],
        names: SANDBOX,
    },
    GroupData {
        name: "@setuid",
        help: "Operations for changing user/group credentials",
        includes: &[],
        names: SETUID,
    },
    GroupData {
        name: "@signal",
        help: "Process signal handling",
        includes: &[],
        names: SIGNAL,
    },
    GroupData {
        name: "@swap",
        help: "Enable/disable swap devices",
        includes: &[],
        names: SWAP,
    },
    GroupData {
        name: "@sync",
        help: "Synchronize files and memory to storage",
        includes: &[],
        names: SYNC,
    },
    GroupData {
        name: "@system-service",
        help: "General system service operations",
        includes: &[
            SyscallGroup::Aio,
            SyscallGroup::BasicIo,
            SyscallGroup::Chown,
            SyscallGroup::Default,
            SyscallGroup::FileSystem,
            SyscallGroup::IoEvent,
            SyscallGroup::Ipc,
            SyscallGroup::Keyring,
            SyscallGroup::Memlock,
            SyscallGroup::NetworkIo,
            SyscallGroup::Process,
            SyscallGroup::Resources,
            SyscallGroup::Setuid,
            SyscallGroup::Signal,
            SyscallGroup::Sync,
            SyscallGroup::Timer,
        ],
        names: SYSTEM_SERVICE,
    },
    GroupData {
        name: "@timer",
        help: "Schedule operations by time",
        includes: &[],
        names: TIMER,
    },
    GroupData {
        name: "@known",
        help: "All known syscalls declared in the kernel",
        includes: &[SyscallGroup::Obsolete],
        names: KNOWN,
    },
];

/// The direct entries of `@default`, in systemd's order.
const DEFAULT: &[&str] = &[
    "arch_prctl",
    "brk",
    "cacheflush",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "execve",
    "exit",
    "exit_group",
    "futex",
    "futex_time64",
    "futex_waitv",
    "get_robust_list",
    "get_thread_area",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "getsid",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "lsm_get_self_attr",
    "lsm_list_modules",
    "membarrier",
    "mmap",
    "mmap2",
    "mprotect",
    "mseal",
    "munmap",
    "nanosleep",
    "pause",
    "prlimit64",
    "restart_syscall",
    "riscv_flush_icache",
    "riscv_hwprobe",
    "rseq",
    "rt_sigreturn",
    "sched_getaffinity",
    "sched_yield",
    "set_robust_list",
    "set_thread_area",
    "set_tid_address",
    "set_tls",
    "sigreturn",
    "time",
    "ugetrlimit",
    "uretprobe",
];
/// The direct entries of `@aio`, in systemd's order.
const AIO: &[&str] = &[
    "io_cancel",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "io_setup",
    "io_submit",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
];
/// The direct entries of `@basic-io`, in systemd's order.
const BASIC_IO: &[&str] = &[
    "_llseek",
    "close",
    "close_range",
    "dup",
    "dup2",
    "dup3",
    "llseek",
    "lseek",
    "pread64",
    "preadv",
    "preadv2",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readv",
    "write",
    "writev",
];
/// The direct entries of `@chown`, in systemd's order.
const CHOWN: &[&str] = &[
    "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32",
];
/// The direct entries of `@clock`, in systemd's order.
const CLOCK: &[&str] = &[
    "adjtimex",
    "clock_adjtime",
    "clock_adjtime64",
    "clock_settime",
    "clock_settime64",
    "settimeofday",
];
/// The direct entries of `@cpu-emulation`, in systemd's order.
const CPU_EMULATION: &[&str] = &[
    "modify_ldt",
    "subpage_prot",
    "switch_endian",
    "vm86",
    "vm86old",
];
/// The direct entries of `@debug`, in systemd's order.
const DEBUG: &[&str] = &[
    "lookup_dcookie",
    "perf_event_open",
    "pidfd_getfd",
    "ptrace",
    "rtas",
    "s390_runtime_instr",
    "sys_debug_setcontext",
];
/// The direct entries of `@file-system`, in systemd's order.
const FILE_SYSTEM: &[&str] = &[
    "access",
    "chdir",
    "chmod",
    "close",
    "creat",
    "faccessat",
    "faccessat2",
    "fallocate",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "fcntl",
    "fcntl64",
    "fgetxattr",
    "file_getattr",
    "file_setattr",
    "flistxattr",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstat64",
    "fstatat",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "ftruncate",
    "ftruncate64",
    "futimesat",
    "getcwd",
    "getdents",
    "getdents64",
    "getxattr",
    "getxattrat",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "lgetxattr",
    "link",
    "linkat",
    "listmount",
    "listxattr",
    "listxattrat",
    "llistxattr",
    "lremovexattr",
    "lsetxattr",
    "lstat",
    "lstat64",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "newfstat",
    "newfstatat",
    "oldfstat",
    "oldlstat",
    "oldstat",
    "open",
    "open_tree",
    "openat",
    "openat2",
    "readlink",
    "readlinkat",
    "removexattr",
    "removexattrat",
    "rename",
    "renameat",
    "renameat2",
    "rmdir",
    "setxattr",
    "setxattrat",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statmount",
    "statx",
    "symlink",
    "symlinkat",
    "truncate",
    "truncate64",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
];
/// The direct entries of `@io-event`, in systemd's order.
const IO_EVENT: &[&str] = &[
    "_newselect",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "poll",
    "ppoll",
    "ppoll_time64",
    "pselect6",
    "pselect6_time64",
    "select",
];
/// The direct entries of `@ipc`, in systemd's order.
const IPC: &[&str] = &[
    "ipc",
    "memfd_create",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "pipe",
    "pipe2",
    "process_madvise",
    "process_vm_readv",
    "process_vm_writev",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
];
/// The direct entries of `@keyring`, in systemd's order.
const KEYRING: &[&str] = &["add_key", "keyctl", "request_key"];
/// The direct entries of `@memlock`, in systemd's order.
const MEMLOCK: &[&str] = &["mlock", "mlock2", "mlockall", "munlock", "munlockall"];
/// The direct entries of `@module`, in systemd's order.
const MODULE: &[&str] = &["delete_module", "finit_module", "init_module"];
/// The direct entries of `@mount`, in systemd's order.
const MOUNT: &[&str] = &[
    "chroot",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "mount",
    "mount_setattr",
    "move_mount",
    "open_tree_attr",
    "pivot_root",
    "umount",
    "umount2",
];
/// The direct entries of `@network-io`, in systemd's order.
const NETWORK_IO: &[&str] = &[
    "accept",
    "accept4",
    "bind",
    "connect",
    "getpeername",
    "getsockname",
    "getsockopt",
    "listen",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "send",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setsockopt",
    "shutdown",
    "socket",
    "socketcall",
    "socketpair",
];
/// The direct entries of `@obsolete`, in systemd's order.
const OBSOLETE: &[&str] = &[
    "_sysctl",
    "afs_syscall",
    "bdflush",
    "break",
    "create_module",
    "ftime",
    "get_kernel_syms",
    "getpmsg",
    "gtty",
    "idle",
    "lock",
    "mpx",
    "prof",
    "profil",
    "putpmsg",
    "query_module",
    "security",
    "sgetmask",
    "ssetmask",
    "stime",
    "stty",
    "sysfs",
    "tuxcall",
    "ulimit",
    "uselib",
    "ustat",
    "vserver",
];
/// The direct entries of `@pkey`, in systemd's order.
const PKEY: &[&str] = &["pkey_alloc", "pkey_free", "pkey_mprotect"];
/// The direct entries of `@privileged`, in systemd's order.
const PRIVILEGED: &[&str] = &[
    "_sysctl",
    "acct",
    "bpf",
    "capset",
    "chroot",
    "fanotify_init",
    "fanotify_mark",
    "nfsservctl",
    "open_by_handle_at",
    "pivot_root",
    "quotactl",
    "quotactl_fd",
    "setdomainname",
    "setfsuid",
    "setfsuid32",
    "setgroups",
    "setgroups32",
    "sethostname",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setuid",
    "setuid32",
    "vhangup",
];
/// The direct entries of `@process`, in systemd's order.
const PROCESS: &[&str] = &[
    "capget",
    "clone",
    "clone3",
    "execveat",
    "fork",
    "getrusage",
    "kill",
    "pidfd_open",
    "pidfd_send_signal",
    "prctl",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "setns",
    "swapcontext",
    "tgkill",
    "times",
    "tkill",
    "unshare",
    "vfork",
    "wait4",
    "waitid",
    "waitpid",
];
/// The direct entries of `@raw-io`, in systemd's order.
const RAW_IO: &[&str] = &[
    "ioperm",
    "iopl",
    "pciconfig_iobase",
    "pciconfig_read",
    "pciconfig_write",
    "s390_pci_mmio_read",
    "s390_pci_mmio_write",
];
/// The direct entries of `@reboot`, in systemd's order.
const REBOOT: &[&str] = &["kexec_file_load", "kexec_load", "reboot"];
/// The direct entries of `@resources`, in systemd's order.
const RESOURCES: &[&str] = &[
    "ioprio_set",
    "mbind",
    "migrate_pages",
    "move_pages",
    "nice",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "set_mempolicy",
    "set_mempolicy_home_node",
    "setpriority",
    "setrlimit",
];
/// The direct entries of `@sandbox`, in systemd's order.
const SANDBOX: &[&str] = &[
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "seccomp",
];
/// The direct entries of `@setuid`, in systemd's order.
const SETUID: &[&str] = &[
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setuid",
    "setuid32",
];
/// The direct entries of `@signal`, in systemd's order.
const SIGNAL: &[&str] = &[
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "sigaction",
    "sigaltstack",
    "signal",
    "signalfd",
    "signalfd4",
    "sigpending",
    "sigprocmask",
    "sigsuspend",
];
/// The direct entries of `@swap`, in systemd's order.
const SWAP: &[&str] = &["swapoff", "swapon"];
/// The direct entries of `@sync`, in systemd's order.
const SYNC: &[&str] = &[
    "fdatasync",
    "fsync",
    "msync",
    "sync",
    "sync_file_range",
    "sync_file_range2",
    "syncfs",
];
/// The direct entries of `@system-service`, in systemd's order.
const SYSTEM_SERVICE: &[&str] = &[
    "arm_fadvise64_64",
    "capget",
    "capset",
    "copy_file_range",
    "fadvise64",
    "fadvise64_64",
    "flock",
    "get_mempolicy",
    "getcpu",
    "getpriority",
    "ioctl",
    "ioprio_get",
    "kcmp",
    "madvise",
    "mremap",
    "name_to_handle_at",
    "oldolduname",
    "olduname",
    "personality",
    "readahead",
    "readdir",
    "remap_file_pages",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getattr",
    "sched_getparam",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_yield",
    "sendfile",
    "sendfile64",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setpgid",
    "setsid",
    "splice",
    "sysinfo",
    "tee",
    "umask",
    "uname",
    "userfaultfd",
    "vmsplice",
];
/// The direct entries of `@timer`, in systemd's order.
const TIMER: &[&str] = &[
    "alarm",
    "getitimer",
    "setitimer",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
];
/// The direct entries of `@known`, in systemd's order.
const KNOWN: &[&str] = &[
    "_llseek",
    "_newselect",
    "accept",
    "accept4",
    "access",
    "acct",
    "add_key",
    "adjtimex",
    "alarm",
    "arc_gettls",
    "arc_settls",
    "arc_usr_cmpxchg",
    "arch_prctl",
    "arm_fadvise64_64",
    "atomic_barrier",
    "atomic_cmpxchg_32",
    "bind",
    "bpf",
    "brk",
    "cachectl",
    "cacheflush",
    "cachestat",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "chroot",
    "clock_adjtime",
    "clock_adjtime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "clock_settime",
    "clock_settime64",
    "clone",
    "clone3",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "delete_module",
    "dipc",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "exec_with_loader",
    "execv",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fanotify_init",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "finit_module",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsconfig",
    "fsetxattr",
    "fsmount",
    "fsopen",
    "fspick",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futex",
    "futex_requeue",
    "futex_time64",
    "futex_wait",
    "futex_waitv",
    "futex_wake",
    "futimesat",
    "get_mempolicy",
    "get_robust_list",
    "get_thread_area",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getdomainname",
    "getdtablesize",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "gethostname",
    "getitimer",
    "getpagesize",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "getxattr",
    "getxattrat",
    "getxgid",
    "getxpid",
    "getxuid",
    "init_module",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "io_setup",
    "io_submit",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "ioctl",
    "ioperm",
    "iopl",
    "ioprio_get",
    "ioprio_set",
    "ipc",
    "kcmp",
    "kern_features",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listmount",
    "listxattr",
    "listxattrat",
    "llistxattr",
    "llseek",
    "lookup_dcookie",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lsm_get_self_attr",
    "lsm_list_modules",
    "lsm_set_self_attr",
    "lstat",
    "lstat64",
    "madvise",
    "map_shadow_stack",
    "mbind",
    "membarrier",
    "memfd_create",
    "memfd_secret",
    "memory_ordering",
    "migrate_pages",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mmap2",
    "modify_ldt",
    "mount",
    "mount_setattr",
    "move_mount",
    "move_pages",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "mremap",
    "mseal",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "multiplexer",
    "munlock",
    "munlockall",
    "munmap",
    "name_to_handle_at",
    "nanosleep",
    "newfstatat",
    "nice",
    "old_adjtimex",
    "oldfstat",
    "oldlstat",
    "oldolduname",
    "oldstat",
    "oldumount",
    "olduname",
    "open",
    "open_by_handle_at",
    "open_tree",
    "openat",
    "openat2",
    "or1k_atomic",
    "osf_fstat",
    "osf_fstatfs",
    "osf_fstatfs64",
    "osf_getdirentries",
    "osf_getdomainname",
    "osf_getitimer",
    "osf_getrusage",
    "osf_getsysinfo",
    "osf_gettimeofday",
    "osf_lstat",
    "osf_mount",
    "osf_proplist_syscall",
    "osf_select",
    "osf_set_program_attributes",
    "osf_setitimer",
    "osf_setsysinfo",
    "osf_settimeofday",
    "osf_shmat",
    "osf_sigprocmask",
    "osf_sigstack",
    "osf_stat",
    "osf_statfs",
    "osf_statfs64",
    "osf_swapon",
    "osf_syscall",
    "osf_sysinfo",
    "osf_usleep_thread",
    "osf_utimes",
    "osf_utsname",
    "osf_wait4",
    "pause",
    "pciconfig_iobase",
    "pciconfig_read",
    "pciconfig_write",
    "perf_event_open",
    "perfctr",
    "personality",
    "pidfd_getfd",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pivot_root",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "ppoll_time64",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_madvise",
    "process_mrelease",
    "process_vm_readv",
    "process_vm_writev",
    "pselect6",
    "pselect6_time64",
    "ptrace",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "quotactl",
    "quotactl_fd",
    "read",
    "readahead",
    "readdir",
    "readlink",
    "readlinkat",
    "readv",
    "reboot",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "removexattrat",
    "rename",
    "renameat",
    "renameat2",
    "request_key",
    "restart_syscall",
    "riscv_flush_icache",
    "riscv_hwprobe",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "rtas",
    "s390_guarded_storage",
    "s390_pci_mmio_read",
    "s390_pci_mmio_write",
    "s390_runtime_instr",
    "s390_sthyi",
    "sched_get_affinity",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_set_affinity",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "set_mempolicy",
    "set_mempolicy_home_node",
    "set_robust_list",
    "set_thread_area",
    "set_tid_address",
    "setdomainname",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "sethae",
    "sethostname",
    "setitimer",
    "setns",
    "setpgid",
    "setpgrp",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "setsid",
    "setsockopt",
    "settimeofday",
    "setuid",
    "setuid32",
    "setxattr",
    "setxattrat",
    "sgetmask",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaction",
    "sigaltstack",
    "signal",
    "signalfd",
    "signalfd4",
    "sigpending",
    "sigprocmask",
    "sigreturn",
    "sigsuspend",
    "socket",
    "socketcall",
    "socketpair",
    "splice",
    "spu_create",
    "spu_run",
    "ssetmask",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statmount",
    "statx",
    "stime",
    "subpage_prot",
    "swapcontext",
    "swapoff",
    "swapon",
    "switch_endian",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "sync_file_range2",
    "syncfs",
    "sys_debug_setcontext",
    "syscall",
    "sysfs",
    "sysinfo",
    "syslog",
    "sysmips",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
    "tkill",
    "truncate",
    "truncate64",
    "ugetrlimit",
    "umask",
    "umount",
    "umount2",
    "uname",
    "unlink",
    "unlinkat",
    "unshare",
    "uretprobe",
    "userfaultfd",
    "ustat",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "utrap_install",
    "vfork",
    "vhangup",
    "vm86",
    "vm86old",
    "vmsplice",
    "wait4",
    "waitid",
    "waitpid",
    "write",
    "writev",
];
