//! [`NestedSandboxes`]: letting sandboxed code sandbox itself (or new threads) further.

use std::collections::HashMap;

use super::{push_rule, Conditional};
use crate::rules::{RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::syscalls::Sysno;
use crate::Comparator;

/// `prctl(PR_SET_NO_NEW_PRIVS, 1, ..)`.
const PR_SET_NO_NEW_PRIVS: u64 = 38;
/// `seccomp(SECCOMP_SET_MODE_FILTER, ..)`.
const SECCOMP_SET_MODE_FILTER: u64 = 1;

/// What applying a further, narrower seccomp context needs, for code that is already
/// sandboxed: `extrasafe!` blocks or [`SafetyContext::run`](crate::SafetyContext::run) in a
/// program sandboxed by `#[extrasafe::main]`, say.
///
/// Syscalls: `prctl(PR_SET_NO_NEW_PRIVS, 1)` and `seccomp(SECCOMP_SET_MODE_FILTER)` with no
/// flags — what 0.5.1 needed too. Not `SECCOMP_FILTER_FLAG_TSYNC`: from a sandboxed thread
/// it would push the thread's whole filter chain onto the program's unsandboxed threads, so
/// `apply_to_all_threads` fails here (a `SeccompError`). A program sandboxed as a whole that
/// must narrow every thread again can allow `seccomp` with that flag in a RuleSet of its own,
/// in a context applied to all threads. Compiling a context needs no syscall
/// (extrasafe generates the program in memory). Neither can widen what the outer filter
/// allows: filters only stack. Nested *Landlock* rules also need to open their paths and are
/// not covered.
/// Starting the new thread needs [`Threads::allow_create`](crate::builtins::danger_zone::Threads::allow_create).
///
/// ```
/// use extrasafe::builtins::{danger_zone::Threads, BasicCapabilities, NestedSandboxes};
/// use extrasafe::SafetyContext;
///
/// SafetyContext::new()
///     .enable(NestedSandboxes)?
///     .enable(Threads::nothing().allow_create())?
///     .apply_to_current_thread()?;
/// // Already sandboxed, and still able to run a block in a narrower sandbox:
/// let n = SafetyContext::new().enable(BasicCapabilities)?.run(|| 6 * 7)?;
/// assert_eq!(n, 42);
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NestedSandboxes;

impl RuleSet for NestedSandboxes {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let mut rules = Conditional::new();
        push_rule(
            &mut rules,
            SeccompRule::new(Sysno::prctl)
                .and_condition(SeccompArgumentFilter::new64(
                    0,
                    Comparator::Eq,
                    PR_SET_NO_NEW_PRIVS,
                ))
                .and_condition(SeccompArgumentFilter::new64(1, Comparator::Eq, 1)),
        );
        // Flags 0 only: with SECCOMP_FILTER_FLAG_TSYNC, a sandboxed thread would push its
        // whole filter chain onto the program's unsandboxed threads.
        push_rule(
            &mut rules,
            SeccompRule::new(Sysno::seccomp)
                .and_condition(SeccompArgumentFilter::new64(
                    0,
                    Comparator::Eq,
                    SECCOMP_SET_MODE_FILTER,
                ))
                .and_condition(SeccompArgumentFilter::new64(1, Comparator::Eq, 0)),
        );
        rules
    }

    fn name(&self) -> &'static str {
        "NestedSandboxes"
    }
}
