//! RuleSets about the process itself: its user ids and its resource limits.

use std::collections::{BTreeSet, HashMap};

use super::{push_rule, Conditional, YesReally};
use crate::rules::{RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::syscalls::Sysno;
use crate::Comparator;

/// Reading who the process runs as.
///
/// ```
/// use extrasafe::{builtins::process::Identity, RuleSet};
/// assert_eq!(Identity::nothing().allow_get_ids().simple_rules().len(), 7);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Identity {
    allowed: BTreeSet<Sysno>,
}

impl Identity {
    /// Allows nothing.
    pub fn nothing() -> Identity {
        Identity::default()
    }

    /// Everything the methods below allow: reading user and group ids. Changing them is
    /// never allowed.
    pub fn everything() -> Identity {
        Identity::nothing().allow_get_ids()
    }

    /// Reading user and group ids: getuid, geteuid, getgid, getegid, getresuid, getresgid,
    /// getgroups.
    pub fn allow_get_ids(mut self) -> Identity {
        self.allowed.extend([
            Sysno::getuid,
            Sysno::geteuid,
            Sysno::getgid,
            Sysno::getegid,
            Sysno::getresuid,
            Sysno::getresgid,
            Sysno::getgroups,
        ]);
        self
    }
}

impl RuleSet for Identity {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn name(&self) -> &'static str {
        "Identity"
    }
}

/// Reading, and if confirmed setting, resource limits.
///
/// ```
/// use extrasafe::{builtins::process::ResourceLimits, RuleSet};
/// let limits = ResourceLimits::nothing().allow_get();
/// assert!(limits.conditional_rules().contains_key(&extrasafe::syscalls::Sysno::prlimit64));
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ResourceLimits {
    allowed: BTreeSet<Sysno>,
    custom: Conditional,
}

impl ResourceLimits {
    /// Allows nothing.
    pub fn nothing() -> ResourceLimits {
        ResourceLimits::default()
    }

    /// Everything the methods below allow: reading and setting the limits of this and other
    /// processes ([`allow_set`](ResourceLimits::allow_set), which includes reading). Calling
    /// it is the confirmation `allow_set` otherwise asks for.
    pub fn everything() -> ResourceLimits {
        ResourceLimits::nothing().allow_set().yes_really()
    }

    /// Reading this process's limits: `prlimit64(0, resource, NULL, old)` (what
    /// `getrlimit` does) and getrlimit (x86_64). Other processes' limits and setting limits
    /// stay denied.
    pub fn allow_get(mut self) -> ResourceLimits {
        if self.allowed.contains(&Sysno::prlimit64) {
            // allow_set already allows more.
            return self;
        }
        let rule = SeccompRule::new(Sysno::prlimit64)
            .and_condition(SeccompArgumentFilter::new32(0, Comparator::Eq, 0))
            .and_condition(SeccompArgumentFilter::new64(2, Comparator::Eq, 0));
        push_rule(&mut self.custom, rule);
        #[cfg(target_arch = "x86_64")]
        self.allowed.insert(Sysno::getrlimit);
        self
    }

    /// Reading and setting the limits of this and other processes: prlimit64 with any
    /// arguments, getrlimit and setrlimit. Replaces [`allow_get`](ResourceLimits::allow_get).
    pub fn allow_set(mut self) -> YesReally<ResourceLimits> {
        self.custom.remove(&Sysno::prlimit64);
        self.allowed.extend([
            Sysno::prlimit64,
            #[cfg(target_arch = "x86_64")]
            Sysno::getrlimit,
            Sysno::setrlimit,
        ]);
        YesReally::new(self)
    }
}

impl RuleSet for ResourceLimits {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        self.custom.clone()
    }

    fn name(&self) -> &'static str {
        "ResourceLimits"
    }
}

/// Reading information about the system and the process's own use of it: sysinfo,
/// getrusage, times, getcpu, uname (also in the basics).
///
/// ```
/// use extrasafe::{builtins::process::SystemInfo, RuleSet};
/// assert!(SystemInfo.simple_rules().contains(&extrasafe::syscalls::Sysno::sysinfo));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemInfo;

impl RuleSet for SystemInfo {
    fn simple_rules(&self) -> Vec<Sysno> {
        vec![
            Sysno::sysinfo,
            Sysno::getrusage,
            Sysno::times,
            Sysno::getcpu,
            Sysno::uname,
        ]
    }

    fn name(&self) -> &'static str {
        "SystemInfo"
    }
}
