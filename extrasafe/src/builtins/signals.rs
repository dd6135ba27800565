//! [`Signals`]: sending and waiting for signals.

use std::collections::{BTreeSet, HashMap};

use super::{allow_values, Conditional};
use crate::rules::{RuleSet, SeccompRule};
use crate::syscalls::Sysno;

/// Sending signals to this process and its children, and waiting for signals.
///
/// Seccomp sees only the pid a signal is sent to, so "this process" is checked exactly (the
/// pid of the process that applies the context), while "children" cannot be told apart from other
/// processes by seccomp: [`allow_to_children`](Signals::allow_to_children) also asks Landlock
/// (ABI 6) to keep signals inside the sandbox, which the children share.
///
/// ```
/// use extrasafe::{builtins::signals::Signals, SafetyContext};
/// SafetyContext::new().enable(Signals::nothing().allow_to_self())?.apply_to_current_thread()?;
/// // kill(own pid, 0) works; kill(1, 0) does not.
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Signals {
    allowed: BTreeSet<Sysno>,
    custom: Conditional,
    #[cfg(feature = "landlock")]
    scope_signals: bool,
}

impl Signals {
    /// Allows nothing.
    pub fn nothing() -> Signals {
        Signals::default()
    }

    /// Everything the methods below allow: sending signals to this process and (with
    /// Landlock's signal scope, see `allow_to_children`, feature `landlock`) to its
    /// children, and waiting for signals. Calling it is the confirmation `allow_to_children`
    /// otherwise asks for; like it, it needs Landlock ABI 6 unless the context opts into best
    /// effort. Without the `landlock` feature, signals go to this process only.
    pub fn everything() -> Signals {
        let signals = Signals::nothing().allow_to_self().allow_wait();
        #[cfg(feature = "landlock")]
        let signals = signals.allow_to_children().yes_really();
        signals
    }

    /// Sending signals to this process and its threads: kill, tgkill, rt_sigqueueinfo and
    /// rt_tgsigqueueinfo with this process's pid: the pid of the process that applies the
    /// context (a context built before a `fork`, or before `isolate_process`, names the
    /// process that applies it). A [`CompiledFilter`](crate::CompiledFilter) keeps the pid
    /// of the process that compiled it.
    pub fn allow_to_self(mut self) -> Signals {
        // "This process" is resolved when the context is compiled, in the process that
        // applies it.
        let pid = crate::rules::SELF_PID;
        for sysno in [
            Sysno::kill,
            Sysno::tgkill,
            Sysno::rt_sigqueueinfo,
            Sysno::rt_tgsigqueueinfo,
        ] {
            allow_values(&mut self.custom, sysno, 0, &[pid]);
        }
        self
    }

    /// Sending signals to child processes: kill with any pid, limited by Landlock's signal
    /// scope (ABI 6) to processes in the same sandbox, which children started after applying
    /// are. On a kernel below ABI 6 applying fails, unless best effort was chosen: then kill
    /// could reach any process of the same user, hence [`YesReally`](super::YesReally). Only with the
    /// `landlock` feature, since seccomp alone cannot tell children from other processes.
    /// Replaces [`allow_to_self`](Signals::allow_to_self)'s rule on `kill`.
    #[cfg(feature = "landlock")]
    pub fn allow_to_children(mut self) -> super::YesReally<Signals> {
        self.custom.remove(&Sysno::kill);
        self.allowed.insert(Sysno::kill);
        self.scope_signals = true;
        super::YesReally::new(self)
    }

    /// Waiting for and inspecting signals: rt_sigsuspend, rt_sigpending, rt_sigtimedwait,
    /// pause (x86_64), signalfd4 (and signalfd on x86_64). Handlers and masks are in
    /// [`BasicCapabilities`](crate::builtins::BasicCapabilities).
    pub fn allow_wait(mut self) -> Signals {
        self.allowed.extend([
            Sysno::rt_sigsuspend,
            Sysno::rt_sigpending,
            Sysno::rt_sigtimedwait,
            #[cfg(target_arch = "x86_64")]
            Sysno::pause,
            #[cfg(target_arch = "x86_64")]
            Sysno::signalfd,
            Sysno::signalfd4,
        ]);
        self
    }
}

impl RuleSet for Signals {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        super::conditions_not_covered(&self.custom, &self.allowed)
    }

    fn name(&self) -> &'static str {
        "Signals"
    }

    #[cfg(feature = "landlock")]
    fn landlock_scopes(&self) -> ::landlock::BitFlags<::landlock::Scope> {
        if self.scope_signals {
            ::landlock::Scope::Signal.into()
        } else {
            ::landlock::BitFlags::empty()
        }
    }
}
