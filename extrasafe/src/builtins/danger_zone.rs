//! RuleSets that can undermine a sandbox if used carelessly: threads and processes.

use std::collections::{BTreeSet, HashMap};

use super::{allow_values, Conditional, YesReally};
use crate::rules::{RuleSet, SeccompRule};
use crate::syscalls::Sysno;

/// The `clone(2)` flags glibc's `pthread_create` passes: `CLONE_VM | CLONE_FS | CLONE_FILES |
/// CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
/// CLONE_CHILD_CLEARTID`.
pub const GLIBC_THREAD_FLAGS: u64 = 0x003d_0f00;
/// The `clone(2)` flags musl's `pthread_create` passes: glibc's plus `CLONE_DETACHED`.
pub const MUSL_THREAD_FLAGS: u64 = 0x007d_0f00;
/// The `clone(2)` flags of `fork()` in glibc: `CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID |
/// SIGCHLD`.
pub const GLIBC_FORK_FLAGS: u64 = 0x0120_0011;
/// The `clone(2)` flags of `fork()` in musl on aarch64 (x86_64 musl calls `fork(2)`): `SIGCHLD`.
pub const PLAIN_FORK_FLAGS: u64 = 0x11;
/// The `clone(2)` flags of `posix_spawn` (and so `std::process::Command`) in glibc and musl:
/// `CLONE_VM | CLONE_VFORK | SIGCHLD`.
pub const SPAWN_FLAGS: u64 = 0x4111;

/// `PR_SET_NAME`, which sets a thread's name.
const PR_SET_NAME: u64 = 15;

/// Creating threads and sleeping.
///
/// [`allow_create`](Threads::allow_create) allows `clone(2)` only with the exact flags glibc
/// and musl use for threads, so a sandboxed thread cannot create namespaces or processes.
/// `clone3` always fails with `ENOSYS` (its flags cannot be checked), and libc falls back to
/// `clone`.
///
/// 0.5.1 allowed `clone` outright and had no `prctl`: the conditions on both are the
/// RuleSet's own narrowing ([`RuleSet::narrowing_rules`]) and give way to a RuleSet that
/// allows the syscall outright (`explain()` says so), so combinations 0.5.1 accepted still
/// work.
///
/// ```no_run
/// use extrasafe::{builtins::danger_zone::Threads, SafetyContext};
/// SafetyContext::new().enable(Threads::nothing().allow_create())?.apply_to_current_thread()?;
/// std::thread::spawn(|| 1 + 1).join().unwrap();
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Threads {
    allowed: BTreeSet<Sysno>,
    custom: Conditional,
}

impl Threads {
    /// Allows nothing.
    pub fn nothing() -> Threads {
        Threads::default()
    }

    /// Everything the methods below allow: creating threads (`clone` with thread flags only)
    /// and sleeping. Calling it is the confirmation [`allow_sleep`](Threads::allow_sleep)
    /// otherwise asks for.
    pub fn everything() -> Threads {
        Threads::nothing().allow_create().allow_sleep().yes_really()
    }

    /// Creating threads: clone with glibc's or musl's thread flags
    /// ([`GLIBC_THREAD_FLAGS`], [`MUSL_THREAD_FLAGS`]) and `prctl(PR_SET_NAME)` for named
    /// threads. The memory and signal calls of thread start-up and exit (mmap, mprotect,
    /// munmap, madvise, sigaltstack, rt_sigprocmask, set_robust_list, rseq, futex, exit) come
    /// from [`BasicCapabilities`](crate::builtins::BasicCapabilities), which every context
    /// has, so a RuleSet that narrows them (mmap without `PROT_EXEC`, say) keeps working
    /// with threads.
    pub fn allow_create(mut self) -> Threads {
        allow_values(
            &mut self.custom,
            Sysno::clone,
            0,
            &[GLIBC_THREAD_FLAGS, MUSL_THREAD_FLAGS],
        );
        allow_values(&mut self.custom, Sysno::prctl, 0, &[PR_SET_NAME]);
        self
    }

    /// Sleeping: clock_nanosleep, nanosleep. A sleeping sandboxed thread can time things,
    /// which helps side-channel attacks.
    pub fn allow_sleep(mut self) -> YesReally<Threads> {
        self.allowed
            .extend([Sysno::clock_nanosleep, Sysno::nanosleep]);
        YesReally::new(self)
    }
}

impl RuleSet for Threads {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        self.custom.clone()
    }

    /// All of its conditions: 0.5.1's `Threads` had none.
    fn narrowing_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        self.custom.clone()
    }

    fn name(&self) -> &'static str {
        "Threads"
    }
}

/// Creating processes and running programs: fork, vfork (x86_64), execve, execveat, wait4,
/// waitid, and clone with exactly the flags of `fork()` ([`GLIBC_FORK_FLAGS`],
/// [`PLAIN_FORK_FLAGS`]) and `posix_spawn` ([`SPAWN_FLAGS`]): no namespaces, no threads.
/// `clone3` fails with `ENOSYS` and libc falls back to `clone`.
///
/// 0.5.1 allowed `clone` outright: the flag conditions are the RuleSet's own narrowing
/// ([`RuleSet::narrowing_rules`]) and give way to a RuleSet that allows `clone` outright.
/// With [`Threads`] the two sets of flags are OR-ed.
///
/// The filter survives `execve`: the new program runs under it and needs what its own
/// start-up uses (opening and mapping its libraries, for one), so this usually comes with a
/// generous [`SystemIO`](crate::builtins::SystemIO).
///
/// ```
/// use extrasafe::{builtins::danger_zone::ForkAndExec, RuleSet};
/// assert!(ForkAndExec.simple_rules().contains(&extrasafe::syscalls::Sysno::execve));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ForkAndExec;

impl RuleSet for ForkAndExec {
    fn simple_rules(&self) -> Vec<Sysno> {
        vec![
            #[cfg(target_arch = "x86_64")]
            Sysno::fork,
            #[cfg(target_arch = "x86_64")]
            Sysno::vfork,
            Sysno::execve,
            Sysno::execveat,
            Sysno::wait4,
            Sysno::waitid,
        ]
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let mut rules = Conditional::new();
        allow_values(
            &mut rules,
            Sysno::clone,
            0,
            &[GLIBC_FORK_FLAGS, PLAIN_FORK_FLAGS, SPAWN_FLAGS],
        );
        rules
    }

    /// All of its conditions: 0.5.1's `ForkAndExec` had none.
    fn narrowing_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        self.conditional_rules()
    }

    fn name(&self) -> &'static str {
        "ForkAndExec"
    }
}
