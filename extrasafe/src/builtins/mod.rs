//! RuleSets for what programs commonly do, named for what they let a program do.
//!
//! Each builtin starts from `nothing()` and grows with `allow_*` methods; each method's docs
//! list the syscalls it allows. Methods that grant something easy to misuse return a
//! [`YesReally`] that must be acknowledged with [`YesReally::yes_really`].
//!
//! | RuleSet | what it lets a program do |
//! |---|---|
//! | [`BasicCapabilities`] | memory, signal masks, futexes, exit: always added |
//! | [`SystemIO`] | files and standard streams |
//! | [`Networking`] | sockets: TCP, UDP, unix; servers and clients |
//! | [`Time`] | read clocks |
//! | [`pipes::Pipes`] | create pipes |
//! | [`danger_zone::Threads`] | create threads, sleep |
//! | [`danger_zone::ForkAndExec`] | create processes and run programs |
//! | [`process::Identity`] | read user and group ids |
//! | [`process::ResourceLimits`] | read (and set) resource limits |
//! | [`process::SystemInfo`] | read system information: sysinfo, getrusage, times |
//! | [`signals::Signals`] | signal this process (and children, with Landlock), wait for signals |
//! | [`events::Events`] | epoll, poll, eventfd and inotify, without networking |
//! | [`events::Timers`] | timerfd, POSIX timers, interval timers |
//! | [`memory::Memory`] | narrow mmap/mprotect: no executable memory, or W^X |
//! | [`NestedSandboxes`] | let sandboxed code apply a narrower context (`extrasafe!` in a sandboxed `main`) |
//!
//! # Simple mode: everything, or everything except
//!
//! A program adopting extrasafe step by step can start wide and narrow later:
//!
//! - `everything()` on a builtin allows what all its methods allow together, without the
//!   [`YesReally`] confirmations (calling `everything()` is explicit enough; the one
//!   exception is `SystemIO::everything`, which leaves out unrestricted `ioctl`). The
//!   `everything()`s combine with each other:
//!   [`SystemIO::everything`], [`Networking::everything`], [`Time::everything`],
//!   [`danger_zone::Threads::everything`], [`process::Identity::everything`],
//!   [`process::ResourceLimits::everything`], [`signals::Signals::everything`],
//!   [`events::Events::everything`], [`events::Timers::everything`]. The unit-struct builtins
//!   ([`BasicCapabilities`], [`pipes::Pipes`], [`danger_zone::ForkAndExec`],
//!   [`process::SystemInfo`]) are already everything they can be; [`memory::Memory`] only
//!   narrows other RuleSets.
//! - "Everything except" is a systemd-style deny-list,
//!   [`SystemCallFilter`](crate::profiles::systemd::SystemCallFilter): every syscall of the
//!   architecture except the listed syscalls and
//!   [systemd groups](crate::profiles::systemd::SyscallGroup). It takes away what a program
//!   surely does not need (mounting, loading modules, tracing, rebooting) before the program
//!   is ready for an allow-list.
//!
//! ```
//! use extrasafe::builtins::{danger_zone::Threads, SystemIO, Time};
//! use extrasafe::profiles::systemd::SystemCallFilter;
//! use extrasafe::SafetyContext;
//!
//! // Step 1: everything except what no ordinary program needs.
//! let step1 = SafetyContext::new()
//!     .enable(SystemCallFilter::parse("~@privileged @mount @module @debug @reboot @swap")?)?;
//! # drop(step1);
//! // Step 2: whole builtins.
//! let step2 = SafetyContext::new()
//!     .enable(SystemIO::everything())?
//!     .enable(extrasafe::builtins::Networking::everything())?
//!     .enable(Time::everything())?
//!     .enable(Threads::everything())?;
//! # drop(step2);
//! // Step 3: only the methods the program uses.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A deny-list allows its syscalls without conditions, so it cannot be combined with
//! RuleSets that allow some of them under conditions (that is a
//! [`ConditionalNoEffectError`](crate::ExtraSafeError::ConditionalNoEffectError)); use it on
//! its own, or with Landlock rules.

pub mod basic;
pub mod danger_zone;
pub mod events;
pub mod memory;
pub mod nested;
pub mod network;
pub mod pipes;
pub mod process;
pub mod signals;
pub mod systemio;
pub mod time;

pub use self::basic::BasicCapabilities;
pub use self::nested::NestedSandboxes;
pub use self::network::Networking;
pub use self::systemio::SystemIO;
pub use self::time::Time;

use std::collections::HashMap;

use crate::rules::{SeccompArgumentFilter, SeccompRule};
use crate::syscalls::Sysno;

/// A RuleSet (or anything else) that grants something dangerous: call
/// [`yes_really`](YesReally::yes_really) to say you mean it.
///
/// ```
/// use extrasafe::builtins::SystemIO;
/// let io: SystemIO = SystemIO::nothing().allow_open().yes_really();
/// # let _ = io;
/// ```
#[must_use = "call .yes_really() to confirm"]
pub struct YesReally<T> {
    inner: T,
}

impl<T> YesReally<T> {
    /// Confirms the dangerous grant and returns the value.
    pub fn yes_really(self) -> T {
        self.inner
    }

    /// Wraps a value that needs confirmation.
    pub fn new(inner: T) -> YesReally<T> {
        YesReally { inner }
    }
}

/// Conditional rules keyed by syscall, as `RuleSet::conditional_rules` returns them.
pub(crate) type Conditional = HashMap<Sysno, Vec<SeccompRule>>;

/// Adds one rule per value: `syscall` allowed when `arg` equals one of `values`.
pub(crate) fn allow_values(rules: &mut Conditional, syscall: Sysno, arg: u8, values: &[u64]) {
    for &value in values {
        let rule = SeccompRule::new(syscall).and_condition(SeccompArgumentFilter::new64(
            arg,
            crate::Comparator::Eq,
            value,
        ));
        push_rule(rules, rule);
    }
}

/// Adds `rule` unless an equal one is there already.
pub(crate) fn push_rule(rules: &mut Conditional, rule: SeccompRule) {
    let list = rules.entry(rule.syscall).or_default();
    if !list.contains(&rule) {
        list.push(rule);
    }
}

/// Socket types with every combination of `SOCK_NONBLOCK` and `SOCK_CLOEXEC`, each compared
/// for equality.
pub(crate) fn socket_types(bases: &[libc::c_int]) -> Vec<u64> {
    let flags = [
        0,
        libc::SOCK_NONBLOCK,
        libc::SOCK_CLOEXEC,
        libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
    ];
    bases
        .iter()
        .flat_map(|&b| {
            flags
                .iter()
                .map(move |&f| u64::from((b | f).unsigned_abs()))
        })
        .collect()
}

/// Adds rules allowing `syscall(domain, type, protocol, ..)` for each domain, each type (with
/// the `SOCK_NONBLOCK`/`SOCK_CLOEXEC` combinations) and each protocol, compared for equality.
/// `protocols` lists the values that mean the named protocol (0, the default, and its own
/// number), so that other protocols of the same family and type (MPTCP and SCTP for
/// `SOCK_STREAM`, UDP-Lite for `SOCK_DGRAM`) stay denied.
pub(crate) fn allow_sockets(
    rules: &mut Conditional,
    syscall: Sysno,
    domains: &[libc::c_int],
    bases: &[libc::c_int],
    protocols: &[libc::c_int],
) {
    for &domain in domains {
        for ty in socket_types(bases) {
            for &protocol in protocols {
                let rule = SeccompRule::new(syscall)
                    .and_condition(SeccompArgumentFilter::new64(
                        0,
                        crate::Comparator::Eq,
                        u64::from(domain.unsigned_abs()),
                    ))
                    .and_condition(SeccompArgumentFilter::new64(1, crate::Comparator::Eq, ty))
                    .and_condition(SeccompArgumentFilter::new64(
                        2,
                        crate::Comparator::Eq,
                        u64::from(protocol.unsigned_abs()),
                    ));
                push_rule(rules, rule);
            }
        }
    }
}

/// Adds what glibc's `fdopendir` (and so `std::fs::read_dir`) does to a directory descriptor:
/// `fcntl(F_GETFL)`, and `fcntl(F_SETFD, FD_CLOEXEC)` exactly.
pub(crate) fn allow_fdopendir(rules: &mut Conditional) {
    allow_values(
        rules,
        Sysno::fcntl,
        1,
        &[u64::from(libc::F_GETFL.unsigned_abs())],
    );
    let set_cloexec = SeccompRule::new(Sysno::fcntl)
        .and_condition(SeccompArgumentFilter::new64(
            1,
            crate::Comparator::Eq,
            u64::from(libc::F_SETFD.unsigned_abs()),
        ))
        .and_condition(SeccompArgumentFilter::new64(
            2,
            crate::Comparator::Eq,
            u64::from(libc::FD_CLOEXEC.unsigned_abs()),
        ));
    push_rule(rules, set_cloexec);
}

/// `custom` without the syscalls that `allowed` already allows outright: within one RuleSet,
/// a method that allows a syscall for everything wins over one that allows it under
/// conditions (two *different* RuleSets doing so are a conflict).
pub(crate) fn conditions_not_covered(
    custom: &Conditional,
    allowed: &std::collections::BTreeSet<Sysno>,
) -> HashMap<Sysno, Vec<SeccompRule>> {
    custom
        .iter()
        .filter(|(sysno, _)| !allowed.contains(sysno))
        .map(|(sysno, rules)| (*sysno, rules.clone()))
        .collect()
}
