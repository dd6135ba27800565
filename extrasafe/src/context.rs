//! [`SafetyContext`]: the policy model, and the place it is applied from.

use std::collections::BTreeMap;
use std::fmt;

use crate::builtins::BasicCapabilities;
use crate::error::ExtraSafeError;
use crate::filter::{self, CompiledFilter, Decision};
use crate::report::{DefaultAction, EnforcementReport};
use crate::rules::{RuleSet, SeccompRule};
use crate::syscalls::Sysno;

/// What one syscall is allowed by, in the policy model.
#[derive(Debug, Clone, Default)]
struct Entry {
    /// RuleSets that allow it with any arguments, in the order they were enabled.
    simple: Vec<&'static str>,
    /// Rules (with the RuleSet that gave them) that allow it under conditions.
    conditional: Vec<(&'static str, SeccompRule)>,
    /// A RuleSet's own narrowing ([`RuleSet::narrowing_rules`]): conditional rules that give
    /// way to an unconditional one instead of conflicting with it.
    narrowing: Vec<(&'static str, SeccompRule)>,
}

impl Entry {
    /// The rules that decide when nothing allows the syscall outright: the conditional
    /// rules and the narrowing, OR-ed.
    /// "This process" in them ([`crate::rules::SELF_PID`]) is the calling process.
    fn rules(&self) -> Vec<(&'static str, SeccompRule)> {
        self.conditional
            .iter()
            .chain(&self.narrowing)
            .map(|(name, rule)| {
                let mut rule = rule.clone();
                crate::rules::resolve_self_pid(&mut rule);
                (*name, rule)
            })
            .collect()
    }
}

/// A policy being built: the RuleSets enabled so far, merged per syscall, and what happens
/// to everything else.
///
/// Build it with [`enable`](SafetyContext::enable), inspect it with
/// [`explain`](SafetyContext::explain), and apply it to the current thread, to every thread,
/// or compile it once with [`compile`](SafetyContext::compile) and load it many times.
///
/// [`BasicCapabilities`] (memory, signals, futexes, exit) is always added when the context is
/// compiled, except for the syscalls an enabled RuleSet allows under conditions: those
/// conditions then narrow the basics instead of conflicting with them.
///
/// ```
/// use extrasafe::{builtins::{Networking, SystemIO}, SafetyContext};
///
/// let ctx = SafetyContext::new()
///     .enable(SystemIO::nothing().allow_metadata())?
///     .enable(Networking::nothing().allow_running_tcp_servers())?;
/// // The RuleSets and conditions behind each allowed syscall:
/// assert!(ctx.explain()?.to_string().contains("accept4"));
/// let report = ctx.enforce_on_current_thread()?; // or apply_to_current_thread(), as in 0.5.1
/// eprintln!("{report}");
///
/// // A syscall allowed with conditions by one RuleSet and without by another is an error:
/// let conflict = SafetyContext::new()
///     .enable(SystemIO::nothing().allow_stdout())? // write, if the fd is 1
///     .enable(Networking::nothing().allow_running_tcp_servers()); // write, any fd
/// assert!(conflict.unwrap_err().to_string().contains("RuleSet `SystemIO`"));
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a SafetyContext does nothing until it is applied"]
pub struct SafetyContext {
    rules: BTreeMap<Sysno, Entry>,
    rulesets: Vec<&'static str>,
    default_action: DefaultAction,
    invalid_errno: Option<u32>,
    /// No seccomp filter: Landlock only (0.5.1's `landlock_only`).
    landlock_only: bool,
    #[cfg(feature = "landlock")]
    landlock: crate::landlock::Plan,
    /// Run the process in new namespaces (`isolate_process`).
    #[cfg(feature = "isolate")]
    isolation: Option<crate::isolate::config::IsolationConfig>,
    /// The seccomp filter, once compiled, with the process it was compiled in ("this
    /// process" in the rules is that pid): shared by the clones of this context, and
    /// forgotten (a new, empty cell) by every method that changes the context.
    compiled: std::sync::Arc<std::sync::OnceLock<(u32, CompiledFilter)>>,
    /// Report each denied syscall on stderr (`debug_denials`, feature `trace`).
    #[cfg(feature = "trace")]
    denial_supervisor: Option<DenialSupervisor>,
}

/// How a context made with `debug_denials` loads its filter: with a listener, served by a
/// supervisor thread that reports each denial and answers it with the context's errno. The
/// machinery belongs to `trace` (which knows what allows each syscall), above this layer:
/// `debug_denials` hands it in here.
#[cfg(feature = "trace")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct DenialSupervisor {
    /// Checks that the kernel can notify a listener and starts the supervisor, before
    /// anything is enforced; returns what loads the filter on the calling thread.
    pub(crate) prepare: fn(&CompiledFilter) -> Result<LoadWithSupervisor, ExtraSafeError>,
}

/// Loads a filter on the calling thread, with its listener handed to a supervisor already
/// running.
#[cfg(feature = "trace")]
pub(crate) type LoadWithSupervisor =
    Box<dyn FnOnce() -> Result<crate::report::SeccompReport, ExtraSafeError>>;

/// The label of the condition that keeps TCP Fast Open from getting around Landlock's
/// connect rules.
#[cfg(feature = "landlock")]
const NO_FAST_OPEN: &str = "Landlock connect rules (no TCP Fast Open)";

/// TCP Fast Open (`sendto`/`sendmsg` with `MSG_FASTOPEN`) connects without `connect(2)`, and
/// some kernels' Landlock does not check it against its connect rules (the ABI number does
/// not say which). Where the
/// context restricts connect ports, every rule allowing those calls also requires the flag to
/// be clear; an unconditional rule becomes this one condition. `explain()` shows it.
#[cfg(feature = "landlock")]
fn forbid_fast_open(merged: &mut BTreeMap<Sysno, Entry>) {
    use crate::rules::SeccompArgumentFilter;
    const MSG_FASTOPEN: u64 = 0x2000_0000;
    let no_fast_open =
        |arg: u8| SeccompArgumentFilter::new32(arg, crate::Comparator::MaskedEq(MSG_FASTOPEN), 0);
    for (sysno, flags_arg) in [
        (Sysno::sendto, 3),
        (Sysno::sendmsg, 2),
        (Sysno::sendmmsg, 3),
    ] {
        let Some(entry) = merged.get_mut(&sysno) else {
            continue;
        };
        if entry.simple.is_empty() {
            for (_, rule) in entry.conditional.iter_mut().chain(&mut entry.narrowing) {
                rule.argument_filters.push(no_fast_open(flags_arg));
            }
        } else {
            entry.simple.clear();
            entry.narrowing.clear();
            entry.conditional = vec![(
                NO_FAST_OPEN,
                SeccompRule::new(sysno).and_condition(no_fast_open(flags_arg)),
            )];
        }
    }
}

/// Allowed outright, or under the rules `conditional` gives.
fn decision_of(
    conditional_only: bool,
    conditional: impl FnOnce() -> Vec<(&'static str, SeccompRule)>,
) -> Decision {
    if conditional_only {
        Decision::AllowIf(conditional())
    } else {
        Decision::Allow
    }
}

/// The label of seccomp rules implied by Landlock rights.
#[cfg(feature = "landlock")]
pub(crate) const IMPLIED: &str = "Landlock (implied)";

impl Default for SafetyContext {
    fn default() -> Self {
        SafetyContext::new()
    }
}

impl SafetyContext {
    /// An empty context: nothing allowed yet, denied syscalls fail with EPERM.
    pub fn new() -> SafetyContext {
        SafetyContext {
            rules: BTreeMap::new(),
            rulesets: Vec::new(),
            default_action: DefaultAction::default(),
            invalid_errno: None,
            landlock_only: false,
            #[cfg(feature = "landlock")]
            landlock: crate::landlock::Plan::default(),
            #[cfg(feature = "isolate")]
            isolation: None,
            compiled: std::sync::Arc::default(),
            #[cfg(feature = "trace")]
            denial_supervisor: None,
        }
    }

    /// Forgets the compiled filter: the first thing every method that changes the context
    /// does (a debug build also checks, on each use, that the kept filter is the one the
    /// context compiles to).
    fn changed(&mut self) {
        self.compiled = std::sync::Arc::default();
    }

    /// Sets how the filter is loaded when denials are reported (`debug_denials`).
    #[cfg(feature = "trace")]
    pub(crate) fn with_denial_supervisor(mut self, supervisor: DenialSupervisor) -> SafetyContext {
        self.changed();
        self.denial_supervisor = Some(supervisor);
        self
    }

    /// Makes the context isolate the whole process in new namespaces before its Landlock and
    /// seccomp rules are applied (feature `isolate`; see [`crate::isolate`] for what the
    /// process gets, and the process model).
    ///
    /// Such a context is applied with `#[extrasafe::main]` (or
    /// [`apply_isolated`](SafetyContext::apply_isolated) at the top of `main`); the
    /// `apply_to_*` methods refuse it with [`IsolateError::NeedsProcessIsolation`](crate::IsolateError::NeedsProcessIsolation)
    /// rather than run unisolated. Landlock paths are then paths inside the new root.
    ///
    /// Only descriptors 0, 1 and 2 and those listed with
    /// [`IsolationConfig::keep_fd`](crate::isolate::IsolationConfig::keep_fd) stay open in the
    /// isolated process: an object made before (a listener bound in the context function,
    /// say) must have its descriptor kept, or must not be used afterwards.
    ///
    /// ```no_run
    /// use extrasafe::builtins::SystemIO;
    /// use extrasafe::isolate::IsolationConfig;
    /// use extrasafe::{ExtraSafeError, SafetyContext};
    ///
    /// fn sandbox() -> Result<SafetyContext, ExtraSafeError> {
    ///     Ok(SafetyContext::new()
    ///         .enable(SystemIO::nothing().allow_stdout().allow_stderr())?
    ///         .isolate_process(IsolationConfig::new().hostname("worker")))
    /// }
    ///
    /// #[extrasafe::main(sandbox)]
    /// fn main() {
    ///     // PID 2 of a new PID namespace (under extrasafe's init), on a fresh root,
    ///     // without capabilities.
    ///     println!("isolated");
    /// }
    /// ```
    #[cfg(feature = "isolate")]
    pub fn isolate_process(
        mut self,
        config: crate::isolate::config::IsolationConfig,
    ) -> SafetyContext {
        self.changed();
        self.isolation = Some(config);
        self
    }

    /// Applies a context to all threads: without the `isolate` feature, this is
    /// [`apply_to_all_threads`](SafetyContext::apply_to_all_threads).
    ///
    /// # Errors
    /// Those of [`apply_to_all_threads`](SafetyContext::apply_to_all_threads).
    #[cfg(not(feature = "isolate"))]
    pub fn apply_isolated(self) -> Result<EnforcementReport, ExtraSafeError> {
        self.apply(true)
    }

    /// The isolation the context asks for, taken out of it (for
    /// [`apply_isolated`](SafetyContext::apply_isolated), in [`crate::isolate`]).
    #[cfg(feature = "isolate")]
    pub(crate) fn take_isolation(&mut self) -> Option<crate::isolate::config::IsolationConfig> {
        self.changed();
        self.isolation.take()
    }

    /// Compiles the context's seccomp filter, unless it loads none, to fail before anything
    /// is enforced.
    #[cfg(feature = "isolate")]
    pub(crate) fn check_seccomp_compiles(&self) -> Result<(), ExtraSafeError> {
        // Isolated processes apply to all threads, which `debug_denials` refuses: say so
        // before the process forks.
        #[cfg(feature = "trace")]
        if self.denial_supervisor.is_some() {
            self.check_denial_reports(true)?;
        }
        if !self.landlock_only {
            self.compile_seccomp()?;
        }
        Ok(())
    }

    /// Applies only the context's Landlock rules: no seccomp filter is loaded.
    ///
    /// A context that restricts TCP connect ports cannot be applied this way
    /// ([`ExtraSafeError::ConnectRulesNeedSeccomp`]): TCP Fast Open connects past the
    /// connect rules, and only the seccomp filter closes that (see
    /// [`Landlock`](crate::Landlock)).
    ///
    /// ```
    /// use extrasafe::{Landlock, SafetyContext};
    /// let report = SafetyContext::new()
    ///     .landlock_only()
    ///     .enable(Landlock::new().read_only("/usr"))?
    ///     .enforce_on_current_thread()?;
    /// assert!(report.seccomp.is_none());
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    #[cfg(feature = "landlock")]
    pub fn landlock_only(mut self) -> SafetyContext {
        self.changed();
        self.landlock_only = true;
        self
    }

    /// Opts into best-effort Landlock: where the running kernel cannot enforce a right the
    /// context restricts, enforce the rest instead of failing. The
    /// [`EnforcementReport`]'s `landlock` field says what was not enforced; check it. The
    /// seccomp syscalls those rights imply stay allowed: a dropped `connect_tcp` right leaves
    /// `connect` to any port, a kernel without Landlock leaves the implied file syscalls on
    /// every path.
    #[cfg(feature = "landlock")]
    pub fn landlock_best_effort(mut self) -> SafetyContext {
        self.changed();
        self.landlock.mode = crate::landlock::Mode::BestEffort;
        self
    }

    /// Skips Landlock rules whose path does not exist (instead of failing), and lists them in
    /// the [`EnforcementReport`]. Useful for paths that differ between distributions.
    #[cfg(feature = "landlock")]
    pub fn skip_missing_paths(mut self) -> SafetyContext {
        self.changed();
        self.landlock.skip_missing = true;
        self
    }

    /// Denied syscalls fail with `errno` instead of EPERM.
    ///
    /// `errno` must be between 1 and 4095: 0 would make a denied call look successful, and
    /// the kernel cannot return more. An invalid value makes the next
    /// [`enable`](SafetyContext::enable), `compile`, `explain` or `apply*` fail with
    /// [`ExtraSafeError::InvalidErrno`].
    ///
    /// ```
    /// use extrasafe::{builtins::SystemIO, SafetyContext, ExtraSafeError};
    /// let err = SafetyContext::new().with_errno(0).enable(SystemIO::nothing()).unwrap_err();
    /// assert!(matches!(err, ExtraSafeError::InvalidErrno { errno: 0 }));
    /// ```
    pub fn with_errno(mut self, errno: u32) -> SafetyContext {
        self.changed();
        if (1..=4095).contains(&errno) {
            self.default_action = DefaultAction::Errno(errno);
            self.invalid_errno = None;
        } else {
            self.invalid_errno = Some(errno);
        }
        self
    }

    /// Chooses what happens to syscalls no rule allows (see [`DefaultAction`]).
    pub fn with_default_action(mut self, action: DefaultAction) -> SafetyContext {
        self.changed();
        match action {
            DefaultAction::Errno(errno) => return self.with_errno(errno),
            other => {
                self.default_action = other;
                self.invalid_errno = None;
            }
        }
        self
    }

    /// Adds the syscalls and rules of `policy`.
    ///
    /// A RuleSet's own narrowing ([`RuleSet::narrowing_rules`]) never conflicts: where a
    /// syscall is also allowed outright, in either enable order, the unconditional rule wins
    /// and [`explain`](SafetyContext::explain) says that the narrowing gave way.
    ///
    /// # Errors
    /// [`ExtraSafeError::ConditionalNoEffectError`] if a syscall ends up allowed both with
    /// conditions ([`RuleSet::conditional_rules`]) and without (by this RuleSet and one
    /// enabled earlier, or by this RuleSet alone), naming both RuleSets, as in 0.5.1; [`ExtraSafeError::InvalidCondition`] if a condition cannot be
    /// compiled faithfully; [`ExtraSafeError::InvalidErrno`] after an invalid `with_errno`.
    pub fn enable<R: RuleSet>(mut self, policy: R) -> Result<SafetyContext, ExtraSafeError> {
        self.changed();
        self.check_errno()?;
        let name = policy.name();
        #[cfg(feature = "landlock")]
        self.landlock.add(&policy);
        let simple = policy.simple_rules();
        let mut conditional: Vec<(Sysno, Vec<SeccompRule>)> =
            policy.conditional_rules().into_iter().collect();
        conditional.sort_by_key(|(s, _)| *s);
        let mut narrowing_lists: Vec<(Sysno, Vec<SeccompRule>)> =
            policy.narrowing_rules().into_iter().collect();
        narrowing_lists.sort_by_key(|(s, _)| *s);
        let is_narrowing = |sysno: Sysno, rule: &SeccompRule| {
            narrowing_lists
                .iter()
                .any(|(s, rules)| *s == sysno && rules.contains(rule))
        };

        let mut unconditional: Vec<Sysno> = simple;
        let mut conditioned: Vec<(Sysno, SeccompRule)> = Vec::new();
        let mut narrowing: Vec<(Sysno, SeccompRule)> = Vec::new();
        let lists = conditional
            .iter()
            .map(|(sysno, rules)| (*sysno, rules, false))
            .chain(
                narrowing_lists
                    .iter()
                    .map(|(sysno, rules)| (*sysno, rules, true)),
            );
        for (sysno, rules, from_narrowing) in lists {
            for rule in rules {
                // A rule that both lists hold is narrowing; it is taken from that list.
                if !from_narrowing && is_narrowing(sysno, rule) {
                    continue;
                }
                if rule.syscall != sysno {
                    return Err(ExtraSafeError::InvalidCondition {
                        ruleset: name,
                        syscall: rule.syscall,
                        reason: format!(
                            "is listed under `{sysno}` in {}: list each rule under its own \
                             syscall",
                            if from_narrowing {
                                "narrowing_rules"
                            } else {
                                "conditional_rules"
                            }
                        ),
                    });
                }
                // Check now, so that a mistake is reported where it was made.
                filter::expand_rule(rule, name)?;
                if rule.argument_filters.is_empty() {
                    unconditional.push(sysno);
                } else if from_narrowing {
                    narrowing.push((sysno, rule.clone()));
                } else {
                    conditioned.push((sysno, rule.clone()));
                }
            }
        }

        for &sysno in &unconditional {
            if let Some((by, _)) = self.rules.get(&sysno).and_then(|e| e.conditional.first()) {
                return Err(ExtraSafeError::ConditionalNoEffectError(sysno, by, name));
            }
            if conditioned.iter().any(|(s, _)| *s == sysno) {
                return Err(ExtraSafeError::ConditionalNoEffectError(sysno, name, name));
            }
        }
        for (sysno, _) in &conditioned {
            if let Some(by) = self.rules.get(sysno).and_then(|e| e.simple.first()) {
                return Err(ExtraSafeError::ConditionalNoEffectError(*sysno, name, by));
            }
        }

        for sysno in unconditional {
            let entry = self.rules.entry(sysno).or_default();
            if !entry.simple.contains(&name) {
                entry.simple.push(name);
            }
        }
        for (sysno, rule) in conditioned {
            let entry = self.rules.entry(sysno).or_default();
            if !entry
                .conditional
                .iter()
                .any(|(n, r)| *n == name && *r == rule)
            {
                entry.conditional.push((name, rule));
            }
        }
        for (sysno, rule) in narrowing {
            let entry = self.rules.entry(sysno).or_default();
            if !entry
                .narrowing
                .iter()
                .any(|(n, r)| *n == name && *r == rule)
            {
                entry.narrowing.push((name, rule));
            }
        }
        if !self.rulesets.contains(&name) {
            self.rulesets.push(name);
        }
        Ok(self)
    }

    fn check_errno(&self) -> Result<(), ExtraSafeError> {
        match self.invalid_errno {
            Some(errno) => Err(ExtraSafeError::InvalidErrno { errno }),
            None => Ok(()),
        }
    }

    /// The policy model with the rules implied by Landlock merged in (see
    /// [`crate::landlock`]).
    fn merged(&self) -> Result<BTreeMap<Sysno, Entry>, ExtraSafeError> {
        self.check_errno()?;
        #[allow(unused_mut)]
        let mut merged = self.rules.clone();
        #[cfg(feature = "landlock")]
        if !self.landlock.is_empty() {
            let implied = self.landlock.implied();
            for sysno in implied.simple {
                match merged.get_mut(&sysno) {
                    None => {
                        merged.insert(
                            sysno,
                            Entry {
                                simple: vec![IMPLIED],
                                ..Entry::default()
                            },
                        );
                    }
                    // An implied unconditional rule would make explicit conditions moot:
                    // say so rather than silently widen (or break the Landlock grant).
                    Some(e) if e.simple.is_empty() => {
                        if let Some((by, _)) = e.conditional.first() {
                            return Err(ExtraSafeError::ConditionalNoEffectError(
                                sysno, by, IMPLIED,
                            ));
                        }
                        // Only a RuleSet's own narrowing: it gives way.
                        e.simple.push(IMPLIED);
                    }
                    Some(_) => {}
                }
            }
            for (sysno, rules) in implied.conditional {
                let entry = merged.entry(sysno).or_default();
                if entry.simple.is_empty() {
                    entry
                        .conditional
                        .extend(rules.into_iter().map(|r| (IMPLIED, r)));
                }
            }
        }
        #[cfg(feature = "landlock")]
        if self.landlock.restricts_connect() {
            forbid_fast_open(&mut merged);
        }
        let has_landlock = {
            #[cfg(feature = "landlock")]
            {
                !self.landlock.is_empty()
            }
            #[cfg(not(feature = "landlock"))]
            {
                false
            }
        };
        if self.rules.is_empty() && !has_landlock {
            return Err(ExtraSafeError::NoRulesEnabled);
        }
        Ok(merged)
    }

    /// The final decision per syscall, with [`BasicCapabilities`] merged in.
    fn decisions(&self) -> Result<BTreeMap<Sysno, Decision>, ExtraSafeError> {
        let mut out = BTreeMap::new();
        #[cfg(feature = "landlock")]
        let landlock = !self.landlock.is_empty();
        #[cfg(not(feature = "landlock"))]
        let landlock = false;
        if landlock {
            for (sysno, entry) in self.merged()? {
                out.insert(
                    sysno,
                    decision_of(entry.simple.is_empty(), || entry.rules()),
                );
            }
        } else {
            // Without Landlock nothing is implied: read the rules in place (merged() would
            // clone them all only to hand them over).
            self.check_errno()?;
            if self.rules.is_empty() {
                return Err(ExtraSafeError::NoRulesEnabled);
            }
            for (&sysno, entry) in &self.rules {
                out.insert(
                    sysno,
                    decision_of(entry.simple.is_empty(), || entry.rules()),
                );
            }
        }
        for sysno in BasicCapabilities.simple_rules() {
            out.entry(sysno).or_insert(Decision::Allow);
        }
        Ok(out)
    }

    /// Compiles the context into a seccomp program that can be loaded many times, exported
    /// ([`CompiledFilter::to_bytes`]) or inspected.
    ///
    /// A [`CompiledFilter`] is the seccomp layer only. A context with Landlock rules or
    /// process isolation cannot be compiled: loading its program alone would allow the
    /// syscalls its Landlock rights imply without the Landlock rules that confine them, or
    /// run unisolated. Apply such a context with `apply_*` (or `apply_isolated`).
    ///
    /// # Errors
    /// [`ExtraSafeError::NotSeccompOnly`] for a context with Landlock rules or isolation,
    /// [`ExtraSafeError::NoRulesEnabled`] for an empty context,
    /// [`ExtraSafeError::InvalidErrno`], or [`ExtraSafeError::SeccompError`] if the program
    /// would exceed the kernel's 4096 instructions.
    pub fn compile(&self) -> Result<CompiledFilter, ExtraSafeError> {
        #[cfg(feature = "landlock")]
        if !self.landlock.is_empty() {
            return Err(ExtraSafeError::NotSeccompOnly { layer: "Landlock" });
        }
        #[cfg(feature = "isolate")]
        if self.isolation.is_some() {
            return Err(ExtraSafeError::NotSeccompOnly {
                layer: "process isolation",
            });
        }
        self.compile_seccomp()
    }

    /// The seccomp layer of any context, Landlock or not, for the differential tests.
    #[cfg(test)]
    pub(crate) fn compile_seccomp_for_tests(&self) -> Result<CompiledFilter, ExtraSafeError> {
        self.compile_seccomp()
    }

    /// What the context's Landlock plan implies for seccomp, and whether it restricts
    /// connect ports, for the differential tests.
    #[cfg(test)]
    pub(crate) fn implied_for_tests(&self) -> (Option<crate::differential::Implied>, bool) {
        #[cfg(feature = "landlock")]
        if !self.landlock.is_empty() {
            let implied = self.landlock.implied();
            return (
                Some((implied.simple, implied.conditional)),
                self.landlock.restricts_connect(),
            );
        }
        (None, false)
    }

    /// The seccomp layer alone, for the `apply*` methods, which apply the other layers too.
    fn compile_seccomp(&self) -> Result<CompiledFilter, ExtraSafeError> {
        let pid = std::process::id();
        if let Some(kept) = self
            .compiled
            .get()
            .filter(|(of, _)| *of == pid)
            .map(|(_, f)| f)
        {
            #[cfg(debug_assertions)]
            {
                let fresh = self.compile_seccomp_fresh()?;
                assert!(
                    fresh.instructions() == kept.instructions() && fresh.summary == kept.summary,
                    "the compiled filter kept in the context is stale: a method changed the context without forgetting it"
                );
            }
            return Ok(kept.clone());
        }
        let compiled = self.compile_seccomp_fresh()?;
        // Kept for this process only (a forked or isolated child compiles its own).
        let _ = self.compiled.set((pid, compiled.clone()));
        Ok(compiled)
    }

    fn compile_seccomp_fresh(&self) -> Result<CompiledFilter, ExtraSafeError> {
        let decisions = self.decisions()?;
        let mut compiled = filter::compile(&decisions, self.default_action)?;
        compiled.summary.allowed_by = self.allowed_by(&decisions)?;
        Ok(compiled)
    }

    /// How many of the allowed syscalls (all but `clone3`) each RuleSet brought: each counts
    /// once, under the first enabled RuleSet that allows it (with or without conditions);
    /// then those only Landlock's rights imply; then [`BasicCapabilities`], which is added
    /// for what no enabled RuleSet allows (or, if it was enabled, at its place in the order).
    /// RuleSets that brought none are left out.
    fn allowed_by(
        &self,
        decisions: &BTreeMap<Sysno, Decision>,
    ) -> Result<Vec<(&'static str, usize)>, ExtraSafeError> {
        let basic = BasicCapabilities.name();
        let mut order = self.rulesets.clone();
        #[cfg(feature = "landlock")]
        let implied = if self.landlock.is_empty() {
            BTreeMap::new()
        } else {
            order.push(IMPLIED);
            self.merged()?
        };
        if !order.contains(&basic) {
            order.push(basic);
        }
        let position = |name: &str| order.iter().position(|o| *o == name);
        let mut counts = vec![0_usize; order.len()];
        for &sysno in decisions.keys().filter(|&&s| s != Sysno::clone3) {
            let by = self.rules.get(&sysno).and_then(|entry| {
                entry
                    .simple
                    .iter()
                    .copied()
                    .chain(entry.conditional.iter().map(|(name, _)| *name))
                    .chain(entry.narrowing.iter().map(|(name, _)| *name))
                    .filter_map(position)
                    .min()
            });
            #[cfg(feature = "landlock")]
            let by = by.or_else(|| implied.contains_key(&sysno).then(|| position(IMPLIED))?);
            let index = by
                .or_else(|| position(basic))
                .expect("BasicCapabilities is in the order");
            counts[index] += 1;
        }
        Ok(order
            .into_iter()
            .zip(counts)
            .filter(|&(_, count)| count > 0)
            .collect())
    }

    /// Applies the context to the calling thread: its Landlock rules, then its seccomp
    /// filter. Threads and processes it creates afterwards inherit both; other threads are
    /// unaffected. Filters stack: a thread already restricted stays restricted by every
    /// filter it had, and gets this one too.
    ///
    /// This is 0.5.1's signature; [`enforce_on_current_thread`](SafetyContext::enforce_on_current_thread)
    /// does the same and returns the [`EnforcementReport`].
    ///
    /// ```
    /// use extrasafe::{builtins::SystemIO, ExtraSafeError, SafetyContext};
    ///
    /// fn sandbox() -> Result<(), ExtraSafeError> {
    ///     SafetyContext::new()
    ///         .enable(SystemIO::nothing().allow_stdout())?
    ///         .apply_to_current_thread()
    /// }
    /// # std::thread::spawn(|| sandbox().unwrap()).join().unwrap();
    /// ```
    ///
    /// # Errors
    /// As [`compile`](SafetyContext::compile) (but a context with Landlock rules is applied,
    /// not refused), [`ExtraSafeError::SeccompError`] if the kernel refuses the filter, and
    /// the Landlock errors ([`ExtraSafeError::LandlockUnsupported`],
    /// [`ExtraSafeError::LandlockPath`], …).
    pub fn apply_to_current_thread(self) -> Result<(), ExtraSafeError> {
        self.apply(false).map(drop)
    }

    /// Applies the context to every thread of the process at once: the seccomp filter with
    /// TSYNC (either every thread gets it or none does); Landlock rules only where the
    /// kernel can restrict all threads (ABI 8) or the process has a single thread.
    ///
    /// This is 0.5.1's signature; [`enforce_on_all_threads`](SafetyContext::enforce_on_all_threads)
    /// does the same and returns the [`EnforcementReport`].
    ///
    /// # Errors
    /// As [`apply_to_current_thread`](SafetyContext::apply_to_current_thread),
    /// [`ExtraSafeError::ThreadSyncFailed`] if one thread cannot take the filter (then no
    /// thread does), [`ExtraSafeError::LandlockNoThreadSync`] for Landlock rules in a
    /// multithreaded process on a kernel without ABI 8.
    pub fn apply_to_all_threads(self) -> Result<(), ExtraSafeError> {
        self.apply(true).map(drop)
    }

    /// Applies the context to the calling thread, as
    /// [`apply_to_current_thread`](SafetyContext::apply_to_current_thread), and returns what
    /// each layer enforced: the seccomp filter (scope, default action, syscalls allowed,
    /// program length) and Landlock (fully, partially or not enforced, the kernel's ABI, the
    /// rights left out under best effort). Its `Display` is one line for your logs.
    ///
    /// ```
    /// use extrasafe::{builtins::SystemIO, SafetyContext, SeccompScope};
    /// # std::thread::spawn(|| {
    /// let report = SafetyContext::new()
    ///     .enable(SystemIO::nothing().allow_stdout())?
    ///     .enforce_on_current_thread()?;
    /// assert_eq!(report.seccomp.as_ref().map(|s| s.scope), Some(SeccompScope::CurrentThread));
    /// println!("sandboxed: {report}");
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// # }).join().unwrap().unwrap();
    /// ```
    ///
    /// # Errors
    /// As [`apply_to_current_thread`](SafetyContext::apply_to_current_thread).
    pub fn enforce_on_current_thread(self) -> Result<EnforcementReport, ExtraSafeError> {
        self.apply(false)
    }

    /// Applies the context to every thread, as
    /// [`apply_to_all_threads`](SafetyContext::apply_to_all_threads), and returns what each
    /// layer enforced (see [`enforce_on_current_thread`](SafetyContext::enforce_on_current_thread)).
    ///
    /// # Errors
    /// As [`apply_to_all_threads`](SafetyContext::apply_to_all_threads).
    pub fn enforce_on_all_threads(self) -> Result<EnforcementReport, ExtraSafeError> {
        self.apply(true)
    }

    /// Landlock first (its syscalls must still be allowed), then seccomp. Everything that can
    /// fail without the kernel (compiling the filter) is done before anything is enforced.
    pub(crate) fn apply(self, all_threads: bool) -> Result<EnforcementReport, ExtraSafeError> {
        #[cfg(feature = "isolate")]
        if self.isolation.is_some() {
            return Err(crate::IsolateError::NeedsProcessIsolation.into());
        }
        let filter = if self.landlock_only {
            self.check_errno()?;
            #[cfg(feature = "landlock")]
            if self.landlock.restricts_connect() {
                return Err(ExtraSafeError::ConnectRulesNeedSeccomp);
            }
            None
        } else {
            #[cfg(feature = "trace")]
            if self.denial_supervisor.is_some() {
                self.check_denial_reports(all_threads)?;
                let decisions = self.decisions()?;
                let mut compiled =
                    filter::compile_notifying_denials(&decisions, self.default_action)?;
                compiled.summary.allowed_by = self.allowed_by(&decisions)?;
                Some(compiled)
            } else {
                Some(self.compile_seccomp()?)
            }
            #[cfg(not(feature = "trace"))]
            Some(self.compile_seccomp()?)
        };
        #[cfg(feature = "trace")]
        let supervised = match (&self.denial_supervisor, &filter) {
            (Some(supervisor), Some(filter)) => Some((supervisor.prepare)(filter)?),
            (Some(_), None) => {
                return Err(ExtraSafeError::DebugDenialsUnavailable {
                    reason: "a landlock_only context has no seccomp filter whose denials could \
                             be reported (Landlock denials are EACCES and EXDEV from the \
                             kernel); drop debug_denials or landlock_only"
                        .into(),
                })
            }
            (None, _) => None,
        };
        #[cfg(feature = "landlock")]
        let landlock = if self.landlock.is_empty() {
            if self.landlock_only {
                return Err(ExtraSafeError::NoRulesEnabled);
            }
            None
        } else {
            Some(crate::landlock::enforce(&self.landlock, all_threads)?)
        };
        #[cfg(not(feature = "landlock"))]
        let landlock = None;
        #[cfg(feature = "trace")]
        if let Some(load) = supervised {
            return Ok(EnforcementReport {
                seccomp: Some(load()?),
                landlock,
                isolation: None,
            });
        }
        let seccomp = match filter {
            Some(filter) if all_threads => filter.enforce_on_all_threads()?.seccomp,
            Some(filter) => filter.enforce_on_current_thread()?.seccomp,
            None => None,
        };
        Ok(EnforcementReport {
            seccomp,
            landlock,
            isolation: None,
        })
    }

    /// What a context with `debug_denials` cannot be applied with, checked before anything
    /// is enforced.
    #[cfg(feature = "trace")]
    fn check_denial_reports(&self, all_threads: bool) -> Result<(), ExtraSafeError> {
        let reason = if all_threads {
            "it applies to the calling thread only (apply_to_current_thread, \
             enforce_on_current_thread, run, spawn, extrasafe!): on all threads the filter \
             would restrict the supervisor thread that answers the denials too"
                .to_string()
        } else {
            match self.default_action {
                DefaultAction::Errno(_) => return Ok(()),
                other => format!(
                    "it reports syscalls that fail with an errno, and this context's default \
                     action is to {other}; with Trap, a SIGSYS handler sees each denial, and \
                     KillProcess and Log are written to the kernel's audit log"
                ),
            }
        };
        Err(ExtraSafeError::DebugDenialsUnavailable { reason })
    }

    /// Lists, per syscall, which RuleSet allowed it and under which conditions.
    ///
    /// ```
    /// use extrasafe::{builtins::SystemIO, SafetyContext};
    /// let explanation = SafetyContext::new().enable(SystemIO::nothing().allow_stdout())?.explain()?;
    /// let text = explanation.to_string();
    /// assert!(text.contains("write"));
    /// assert!(text.contains("arg0 == 1"));
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    ///
    /// # Errors
    /// As [`compile`](SafetyContext::compile), except that nothing is compiled.
    pub fn explain(&self) -> Result<Explanation, ExtraSafeError> {
        let decisions = self.decisions()?;
        let merged = self.merged()?;
        let mut syscalls = Vec::new();
        for &sysno in decisions.keys() {
            let verdict = if sysno == Sysno::clone3 {
                Verdict::Enosys {
                    reason: "clone3 passes its flags behind a pointer seccomp cannot read; \
                             libc falls back to clone, which is checked",
                }
            } else {
                match merged.get(&sysno) {
                    Some(entry) if entry.simple.is_empty() => Verdict::AllowedIf {
                        rules: entry.rules(),
                    },
                    Some(entry) => Verdict::Allowed {
                        by: entry.simple.clone(),
                    },
                    None => Verdict::Allowed {
                        by: vec![BasicCapabilities.name()],
                    },
                }
            };
            syscalls.push(SyscallExplanation {
                syscall: sysno,
                verdict,
            });
        }
        if !decisions.contains_key(&Sysno::clone3) {
            syscalls.push(SyscallExplanation {
                syscall: Sysno::clone3,
                verdict: Verdict::Enosys {
                    reason: "always: libc then uses clone, which the filter can check",
                },
            });
        }
        let gave_way = merged
            .iter()
            .filter(|(_, e)| !e.simple.is_empty() && !e.narrowing.is_empty())
            .map(|(&sysno, e)| (sysno, e.narrowing.clone()))
            .collect();
        let narrowed = BasicCapabilities
            .simple_rules()
            .into_iter()
            .filter(|s| self.rules.get(s).is_some_and(|e| e.simple.is_empty()))
            .collect();
        #[cfg(feature = "landlock")]
        let landlock = self.landlock.describe();
        #[cfg(not(feature = "landlock"))]
        let landlock = Vec::new();
        Ok(Explanation {
            syscalls,
            default_action: self.default_action,
            narrowed_basics: narrowed,
            narrowing_gave_way: gave_way,
            rulesets: self.rulesets.clone(),
            landlock,
            seccomp: !self.landlock_only,
        })
    }
}

/// How one syscall is treated by a context.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Allowed with any arguments, by these RuleSets.
    Allowed {
        /// The RuleSets that allowed it.
        by: Vec<&'static str>,
    },
    /// Allowed when one of these rules (with the RuleSet that gave it) matches.
    AllowedIf {
        /// The rules, each with the RuleSet that gave it.
        rules: Vec<(&'static str, SeccompRule)>,
    },
    /// Answered with `ENOSYS` whatever the policy says.
    Enosys {
        /// Why.
        reason: &'static str,
    },
}

/// One line of an [`Explanation`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyscallExplanation {
    /// The syscall.
    pub syscall: Sysno,
    /// What the filter does with it.
    pub verdict: Verdict,
}

/// The answer of [`SafetyContext::explain`]: per syscall, what allowed it. Its `Display` is a
/// readable table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// Every syscall the filter treats specially, in syscall-number order.
    pub syscalls: Vec<SyscallExplanation>,
    /// What happens to every other syscall.
    pub default_action: DefaultAction,
    /// Syscalls of [`BasicCapabilities`] that an enabled RuleSet narrowed with conditions.
    pub narrowed_basics: Vec<Sysno>,
    /// Syscalls allowed outright where a RuleSet's own narrowing
    /// ([`RuleSet::narrowing_rules`]) gave way, with the narrowing rules (and the RuleSet
    /// of each) that gave way, in syscall-number order.
    pub narrowing_gave_way: Vec<(Sysno, Vec<(&'static str, SeccompRule)>)>,
    /// The Landlock rules, one line each (path or port, rights, RuleSet).
    pub landlock: Vec<String>,
    /// Whether a seccomp filter is loaded (false after `landlock_only`).
    pub seccomp: bool,
    /// The RuleSets enabled, in order.
    pub rulesets: Vec<&'static str>,
}

impl Explanation {
    /// The entry for `syscall`, if the filter treats it specially.
    #[must_use]
    pub fn get(&self, syscall: Sysno) -> Option<&Verdict> {
        self.syscalls
            .iter()
            .find(|e| e.syscall == syscall)
            .map(|e| &e.verdict)
    }

    /// The narrowing rules that gave way to an unconditional rule for `syscall` (see
    /// [`RuleSet::narrowing_rules`]), with the RuleSet of each; empty if none did.
    ///
    /// ```
    /// use extrasafe::{builtins::danger_zone::Threads, SafetyContext};
    /// use extrasafe::syscalls::Sysno;
    /// // Threads allows prctl for PR_SET_NAME only; a RuleSet allowing all of prctl wins.
    /// let ctx = SafetyContext::new().enable(Threads::nothing().allow_create())?.enable(Sysno::prctl)?;
    /// let explanation = ctx.explain()?;
    /// assert_eq!(explanation.narrowing_gave_way(Sysno::prctl)[0].0, "Threads");
    /// assert!(explanation.narrowing_gave_way(Sysno::clone).is_empty());
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    #[must_use]
    pub fn narrowing_gave_way(&self, syscall: Sysno) -> &[(&'static str, SeccompRule)] {
        self.narrowing_gave_way
            .iter()
            .find(|(s, _)| *s == syscall)
            .map_or(&[], |(_, rules)| rules.as_slice())
    }
}

/// `Threads (arg0 == 15), ForkAndExec (arg0 == 17 or arg0 == 4369)`: each RuleSet's
/// narrowing, its rules' conditions OR-ed.
fn describe_narrowing(rules: &[(&'static str, SeccompRule)]) -> String {
    let mut by: Vec<(&str, Vec<String>)> = Vec::new();
    for (name, rule) in rules {
        let conds: Vec<String> = rule
            .argument_filters
            .iter()
            .map(ToString::to_string)
            .collect();
        let conds = conds.join(" && ");
        match by.iter_mut().find(|(n, _)| n == name) {
            Some((_, list)) => list.push(conds),
            None => by.push((name, vec![conds])),
        }
    }
    by.iter()
        .map(|(name, conds)| format!("{name} ({})", conds.join(" or ")))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "RuleSets: {}", self.rulesets.join(", "))?;
        let width = self
            .syscalls
            .iter()
            .map(|e| e.syscall.name().len())
            .max()
            .unwrap_or(0);
        for e in &self.syscalls {
            let name = e.syscall.name();
            match &e.verdict {
                Verdict::Allowed { by } => {
                    write!(f, "{name:<width$}  allowed by {}", by.join(", "))?;
                    let gave_way = self.narrowing_gave_way(e.syscall);
                    if !gave_way.is_empty() {
                        write!(
                            f,
                            "; the narrowing of {} gave way to it",
                            describe_narrowing(gave_way)
                        )?;
                    }
                    writeln!(f)?;
                }
                Verdict::AllowedIf { rules } => {
                    for (i, (by, rule)) in rules.iter().enumerate() {
                        let conds: Vec<String> = rule
                            .argument_filters
                            .iter()
                            .map(ToString::to_string)
                            .collect();
                        let lead = if i == 0 { name } else { "" };
                        let word = if i == 0 { "allowed if" } else { "      or" };
                        writeln!(f, "{lead:<width$}  {word} {} ({by})", conds.join(" && "))?;
                    }
                }
                Verdict::Enosys { reason } => writeln!(f, "{name:<width$}  ENOSYS: {reason}")?,
            }
        }
        for line in &self.landlock {
            writeln!(f, "landlock: {line}")?;
        }
        if !self.seccomp {
            writeln!(f, "(landlock only: the seccomp rules above are not loaded)")?;
        }
        if !self.narrowed_basics.is_empty() {
            let names: Vec<&str> = self.narrowed_basics.iter().map(Sysno::name).collect();
            writeln!(
                f,
                "BasicCapabilities narrowed by conditions for: {}",
                names.join(", ")
            )?;
        }
        writeln!(
            f,
            "syscalls newer than {} (number > {}): ENOSYS",
            Sysno::ALL.last().map_or("?", Sysno::name),
            Sysno::MAX_ID
        )?;
        writeln!(
            f,
            "foreign architectures and x32 syscalls: kill the process"
        )?;
        write!(f, "every other syscall: {}", self.default_action)
    }
}
