//! The one error type of extrasafe.

use std::fmt;
use std::io;

use crate::syscalls::Sysno;

/// Everything that can go wrong while building or applying a [`SafetyContext`](crate::SafetyContext).
///
/// Messages are lower-case, name the RuleSet, syscall or value involved, and say what to do.
/// The variants do not depend on cargo features.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExtraSafeError {
    /// A syscall is allowed with conditions by one RuleSet (the first name) and without any by
    /// another (the second name), so the conditions would have no effect.
    ConditionalNoEffectError(Sysno, &'static str, &'static str),
    /// libseccomp or the kernel refused the filter.
    SeccompError(SeccompError),
    /// The context allows nothing beyond the implicit basics: enable at least one RuleSet.
    NoRulesEnabled,
    /// `with_errno` was given 0 (which would make denied calls look successful) or a value
    /// above 4095 (which the kernel cannot return as an errno).
    InvalidErrno {
        /// The rejected value.
        errno: u32,
    },
    /// A condition of a RuleSet cannot be compiled faithfully.
    InvalidCondition {
        /// The RuleSet that holds the condition.
        ruleset: &'static str,
        /// The syscall the condition is on.
        syscall: Sysno,
        /// Why it cannot be compiled and what to do.
        reason: String,
    },
    /// A syscall name that this architecture does not have.
    UnknownSyscall {
        /// The name as given.
        name: String,
    },
    /// Applying to all threads failed because one thread could not take the filter (it has
    /// an incompatible filter of its own); no thread was changed.
    ThreadSyncFailed {
        /// The id of the thread that could not be synchronised.
        tid: i32,
    },
}

/// A failure in the seccomp layer: which step failed and the cause.
#[derive(Debug)]
pub struct SeccompError {
    pub(crate) step: &'static str,
    pub(crate) source: io::Error,
}

impl SeccompError {
    pub(crate) fn new(step: &'static str, source: io::Error) -> SeccompError {
        SeccompError { step, source }
    }

    /// The step that failed, e.g. `"load the filter (seccomp(2))"`.
    #[must_use]
    pub fn step(&self) -> &'static str {
        self.step
    }
}

impl fmt::Display for SeccompError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seccomp: could not {}", self.step)
    }
}

impl std::error::Error for SeccompError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<SeccompError> for ExtraSafeError {
    fn from(e: SeccompError) -> Self {
        ExtraSafeError::SeccompError(e)
    }
}

impl fmt::Display for ExtraSafeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtraSafeError::ConditionalNoEffectError(sysno, conditional, simple) => write!(
                f,
                "syscall `{sysno}` is allowed with conditions by RuleSet `{conditional}` but \
                 unconditionally by RuleSet `{simple}`, so the conditions would have no effect: \
                 remove `{sysno}` from one of them"
            ),
            ExtraSafeError::SeccompError(e) => write!(f, "{e}"),
            ExtraSafeError::NoRulesEnabled => f.write_str(
                "no RuleSet was enabled: enable at least one with SafetyContext::enable \
                 before applying",
            ),
            ExtraSafeError::InvalidErrno { errno } => write!(
                f,
                "with_errno({errno}): the errno must be between 1 and 4095 \
                 (0 would make denied calls look successful)"
            ),
            ExtraSafeError::InvalidCondition { ruleset, syscall, reason } => {
                write!(f, "RuleSet `{ruleset}`: a condition on `{syscall}` {reason}")
            }
            ExtraSafeError::UnknownSyscall { name } => write!(
                f,
                "unknown syscall `{name}` on {}: check the spelling against extrasafe::syscalls::Sysno",
                std::env::consts::ARCH
            ),
            ExtraSafeError::ThreadSyncFailed { tid } => write!(
                f,
                "could not apply the filter to all threads: thread {tid} has a seccomp filter \
                 that is not an ancestor of this one; apply it per thread instead"
            ),
        }
    }
}

impl std::error::Error for ExtraSafeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Display already includes the step; the cause is the underlying OS error.
            ExtraSafeError::SeccompError(e) => Some(&e.source),
            _ => None,
        }
    }
}
