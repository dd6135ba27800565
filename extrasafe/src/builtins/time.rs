//! [`Time`]: reading clocks.

use std::collections::BTreeSet;

use crate::rules::RuleSet;
use crate::syscalls::Sysno;

/// Reading clocks. On most machines the vDSO answers `clock_gettime` without a syscall; on
/// some virtual machines the call reaches the kernel and needs this RuleSet.
///
/// ```no_run
/// use extrasafe::{builtins::Time, SafetyContext};
/// SafetyContext::new().enable(Time::nothing().allow_gettime())?.apply_to_current_thread()?;
/// let _now = std::time::SystemTime::now();
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Time {
    allowed: BTreeSet<Sysno>,
}

impl Time {
    /// Allows nothing.
    pub fn nothing() -> Time {
        Time::default()
    }

    /// Everything the methods below allow: reading clocks
    /// ([`allow_gettime`](Time::allow_gettime)). Setting clocks is never allowed.
    pub fn everything() -> Time {
        Time::nothing().allow_gettime()
    }

    /// Reading clocks: clock_gettime, clock_getres, gettimeofday (and time on x86_64).
    pub fn allow_gettime(mut self) -> Time {
        self.allowed.extend([
            Sysno::clock_gettime,
            Sysno::clock_getres,
            Sysno::gettimeofday,
            #[cfg(target_arch = "x86_64")]
            Sysno::time,
        ]);
        self
    }
}

impl RuleSet for Time {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn name(&self) -> &'static str {
        "Time"
    }
}
