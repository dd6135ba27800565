//! [`BasicCapabilities`]: what every Rust program needs to run at all.

use crate::rules::RuleSet;
use crate::syscalls::Sysno;

/// Memory management, signal masks and handlers, futexes, and exiting: the syscalls the Rust
/// runtime and libc use all the time. A [`SafetyContext`](crate::SafetyContext) always adds
/// it when compiled.
///
/// Syscalls: brk, mmap, mremap, munmap, madvise, mlock, mlock2, mlockall, mprotect, munlock,
/// munlockall, sigaltstack, rt_sigaction, rt_sigprocmask, rt_sigreturn, futex,
/// get_robust_list, set_robust_list, readlink (readlinkat on aarch64), getpid, gettid,
/// uname, getrandom, sched_getaffinity, sched_setaffinity, sched_yield, rseq, exit,
/// exit_group.
///
/// To narrow one of these (mmap and mprotect without `PROT_EXEC`, say), enable a RuleSet
/// that allows it with conditions: the conditions then replace the unconditional basic rule,
/// and [`SafetyContext::explain`](crate::SafetyContext::explain) says so.
///
/// ```
/// use extrasafe::{builtins::BasicCapabilities, RuleSet};
/// assert!(BasicCapabilities.simple_rules().contains(&extrasafe::syscalls::Sysno::futex));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct BasicCapabilities;

/// The syscalls of [`BasicCapabilities`].
pub(crate) const BASIC_SYSCALLS: &[Sysno] = &[
    Sysno::brk,
    Sysno::mmap,
    // glibc's realloc moves large (mmapped) blocks with it: without it, growing a large Vec
    // fails over to copying, and kills a process whose default action kills.
    Sysno::mremap,
    Sysno::munmap,
    Sysno::madvise,
    Sysno::mlock,
    Sysno::mlock2,
    Sysno::mlockall,
    Sysno::mprotect,
    Sysno::munlock,
    Sysno::munlockall,
    Sysno::sigaltstack,
    Sysno::rt_sigaction,
    Sysno::rt_sigprocmask,
    Sysno::rt_sigreturn,
    Sysno::futex,
    Sysno::get_robust_list,
    Sysno::set_robust_list,
    #[cfg(target_arch = "x86_64")]
    Sysno::readlink,
    #[cfg(not(target_arch = "x86_64"))]
    Sysno::readlinkat,
    Sysno::getpid,
    Sysno::gettid,
    Sysno::uname,
    Sysno::getrandom,
    Sysno::sched_getaffinity,
    Sysno::sched_setaffinity,
    Sysno::sched_yield,
    Sysno::rseq,
    Sysno::exit,
    Sysno::exit_group,
];

impl RuleSet for BasicCapabilities {
    fn simple_rules(&self) -> Vec<Sysno> {
        BASIC_SYSCALLS.to_vec()
    }

    fn name(&self) -> &'static str {
        "BasicCapabilities"
    }
}
