//! Watch a program's syscalls and suggest the extrasafe context that covers them.
//!
//! The `extrasafe-trace` binary runs a program under ptrace, following its threads, forks
//! and execs, records every syscall (with the arguments RuleSets look at: socket family and
//! type, ioctl request, open flags, clone flags, fcntl command, prctl option), and proposes
//! the smallest combination of extrasafe's builtin RuleSets and methods it finds (a greedy
//! set cover) that allows what it saw:
//!
//! ```text
//! extrasafe-trace [--rust | --json] [--thread NAME]... [-o FILE] -- PROGRAM [ARGS...]
//! ```
//!
//! This library is what the binary is made of: [`trace`] records a [`Trace`],
//! [`suggest()`] turns the syscalls of some of its threads into a
//! [`Suggestion`], and [`output`] prints both.
//!
//! Which syscalls each builtin method allows is not copied into this crate: it is read from
//! the RuleSets themselves (`simple_rules` and `conditional_rules`), conditions included, and
//! the final suggestion is checked against [`SafetyContext::explain`](extrasafe::SafetyContext::explain).

pub mod catalog;
pub mod decode;
pub mod output;
pub mod suggest;
mod sys;
pub mod tracer;

pub use crate::suggest::{suggest, Suggestion};
pub use crate::tracer::{run_sandboxed, trace, ArgPolicy, Exit, Trace, TraceError};

use extrasafe::syscalls::Sysno;
use extrasafe::{Comparator, SeccompArgumentFilter};

/// `value` as the kernel reads argument `idx` of `sysno`: its low 32 bits for an `int`.
pub(crate) fn mask_to_width(sysno: Sysno, idx: u8, value: u64) -> u64 {
    // extrasafe's own table of argument widths, generated from the kernel's prototypes (the
    // same table its filter uses); this crate is versioned with it.
    let widths = extrasafe::syscalls::__arg_widths_for_tests(sysno);
    match widths.and_then(|w| w.get(usize::from(idx)).copied()) {
        Some(32) => value & 0xffff_ffff,
        _ => value,
    }
}

/// Whether `cond` holds for `value` of its argument of `sysno`, as the compiled filter would
/// decide: on the low 32 bits for a 32-bit argument. [`decode::SELF_PID`] stands for this
/// process's pid.
pub(crate) fn condition_holds(sysno: Sysno, cond: &SeccompArgumentFilter, value: u64) -> bool {
    let value = if value == decode::SELF_PID {
        u64::from(std::process::id())
    } else {
        value
    };
    let value = mask_to_width(sysno, cond.arg_idx, value);
    let want = mask_to_width(sysno, cond.arg_idx, cond.value);
    match cond.comparator() {
        Comparator::Eq => value == want,
        Comparator::Ne => value != want,
        Comparator::Ge => value >= want,
        Comparator::Gt => value > want,
        Comparator::Le => value <= want,
        Comparator::Lt => value < want,
        Comparator::MaskedEq(mask) => value & mask_to_width(sysno, cond.arg_idx, mask) == want,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_compare_like_the_filter() {
        let fd1 = SeccompArgumentFilter::new64(0, Comparator::Eq, 1);
        assert!(condition_holds(Sysno::write, &fd1, 1));
        // write's fd is an int: the upper half is ignored, as in the compiled filter.
        assert!(condition_holds(Sysno::write, &fd1, 0xffff_ffff_0000_0001));
        assert!(!condition_holds(Sysno::write, &fd1, 2));
        let ro = SeccompArgumentFilter::new32(2, Comparator::MaskedEq(0o3), 0);
        assert!(condition_holds(Sysno::openat, &ro, 0o2_000_000));
        assert!(!condition_holds(Sysno::openat, &ro, 0o2));
        let me = SeccompArgumentFilter::new64(0, Comparator::Eq, u64::from(std::process::id()));
        assert!(condition_holds(Sysno::kill, &me, decode::SELF_PID));
    }
}
