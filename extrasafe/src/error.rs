//! The one error type of extrasafe.

use std::fmt;
use std::io;
use std::path::PathBuf;

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
    /// The filter could not be compiled (too long) or loaded (the kernel refused it).
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
    /// A systemd syscall group name (in a `SystemCallFilter=` string, say) that systemd does
    /// not have; see [`SyscallGroup`](crate::profiles::systemd::SyscallGroup).
    #[non_exhaustive]
    UnknownSyscallGroup {
        /// The name as given.
        name: String,
    },
    /// A `SystemCallFilter=` string that extrasafe cannot read faithfully; see
    /// [`SystemCallFilter`](crate::profiles::systemd::SystemCallFilter).
    #[non_exhaustive]
    InvalidSystemCallFilter {
        /// The entry at fault, as given (the whole string if it is empty).
        entry: String,
        /// What is wrong with it and what to do.
        reason: String,
    },
    /// A pledge string names a promise that extrasafe does not know
    /// (see [`profiles::pledge`](crate::profiles::pledge)).
    #[non_exhaustive]
    UnknownPromise {
        /// The promise as given.
        promise: String,
        /// The promises extrasafe knows, separated by spaces.
        valid: &'static str,
    },
    /// An `unveil` permission string holds a character other than `r`, `w`, `x` and `c`
    /// (see [`profiles::pledge`](crate::profiles::pledge)).
    #[non_exhaustive]
    InvalidUnveilPermission {
        /// The path the permissions were for.
        path: PathBuf,
        /// The permission string as given.
        permissions: String,
        /// The permission characters extrasafe knows.
        valid: &'static str,
    },
    /// Applying to all threads failed because one thread could not take the filter (it has
    /// an incompatible filter of its own); no thread was changed.
    ThreadSyncFailed {
        /// The id of the thread that could not be synchronised.
        tid: i32,
    },
    /// The running kernel cannot enforce a Landlock right the context restricts, and best
    /// effort was not chosen: nothing was applied.
    LandlockUnsupported {
        /// The right, as the kernel names it (`truncate`, `bind_tcp`, `signal`, …).
        right: &'static str,
        /// The Landlock ABI that introduced it.
        needs_abi: i32,
        /// The running kernel's Landlock ABI (0: Landlock unavailable).
        kernel_abi: i32,
    },
    /// A path of a Landlock rule does not exist or cannot be opened.
    LandlockPath {
        /// The path as given.
        path: PathBuf,
        /// The RuleSet that granted rights on it.
        ruleset: &'static str,
        /// Why it could not be opened.
        source: io::Error,
    },
    /// Applying to all threads with Landlock rules needs Landlock ABI 8 (Linux 7.0) when the
    /// process has more than one thread.
    LandlockNoThreadSync,
    /// The Landlock layer failed.
    LandlockError(LandlockFailure),
    /// [`SafetyContext::compile`](crate::SafetyContext::compile) was called on a context
    /// with another layer (Landlock rules, process isolation) that a
    /// [`CompiledFilter`](crate::CompiledFilter) cannot carry.
    NotSeccompOnly {
        /// The layer that would be lost: `"Landlock"` or `"process isolation"`.
        layer: &'static str,
    },
    /// The closure run in a sandboxed thread panicked; the panic did not reach the caller.
    Panicked {
        /// The panic message.
        message: String,
    },
    /// No thread could be created for the sandboxed closure.
    ThreadSpawn {
        /// Why.
        source: io::Error,
    },
    /// A sandboxed thread of an [`Orchestrator`](crate::Orchestrator) could not apply its
    /// context: no thread ran its closure and the parent was not restricted.
    OrchestrationFailed {
        /// The child's error, as text.
        reason: String,
    },
    /// This sandboxed thread never ran: its [`Orchestrator`](crate::Orchestrator) failed or
    /// was dropped before `start`.
    Aborted,
    /// The sandboxed closure did not finish in time; it runs on in its thread, still
    /// sandboxed, and its result will be dropped.
    Timeout,
    /// Kept for 0.5.1 source compatibility; never returned: rules for the same path from
    /// several RuleSets are merged (their rights add up).
    DuplicatePath(PathBuf, &'static str, &'static str),
    /// Kept for 0.5.1 source compatibility; never returned: a missing path is
    /// [`ExtraSafeError::LandlockPath`], which also names the RuleSet.
    PathDoesNotExist(PathBuf),
    /// Kept for 0.5.1 source compatibility; never returned: the syscalls Landlock rights need
    /// are merged with seccomp rules without conflicts.
    LandlockSeccompConflict(&'static str, &'static str),
    /// Process isolation failed; the isolated code did not run.
    Isolation(IsolateError),
    /// `extrasafe::trace::trace_closure` (feature `trace`) cannot trace here: the kernel is
    /// too old or lacks seccomp user notification, or the tracing filter cannot be loaded.
    /// The closure did not run.
    #[non_exhaustive]
    TraceUnavailable {
        /// What is missing and what to do.
        reason: String,
    },
}

/// A failure in the Landlock layer: which step failed and the cause.
#[derive(Debug)]
pub struct LandlockFailure {
    step: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl LandlockFailure {
    #[cfg_attr(not(feature = "landlock"), allow(dead_code))]
    pub(crate) fn new(
        step: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> LandlockFailure {
        LandlockFailure {
            step,
            source: Box::new(source),
        }
    }

    /// The step that failed, e.g. `"create the ruleset"`.
    #[must_use]
    pub fn step(&self) -> &'static str {
        self.step
    }
}

impl fmt::Display for LandlockFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "landlock: could not {}", self.step)
    }
}

impl std::error::Error for LandlockFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
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
            ExtraSafeError::ConditionalNoEffectError(sysno, conditional, simple)
                if *simple == "Landlock (implied)" =>
            {
                write!(
                    f,
                    "syscall `{sysno}` is allowed with conditions by RuleSet `{conditional}`, but \
                     the context's Landlock rights need it on any descriptor (write access \
                     needs `write`, for one), so the conditions would have no effect: drop \
                     them from `{conditional}` (Landlock still decides which files)"
                )
            }
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
            ExtraSafeError::UnknownPromise { promise, valid } => write!(
                f,
                "unknown pledge promise `{}`: the promises extrasafe knows are: {valid} \
                 (OpenBSD promises with no Linux equivalent, such as `audio` or `pf`, are \
                 rejected, as by jart's Linux port)",
                promise.escape_debug()
            ),
            ExtraSafeError::InvalidUnveilPermission { path, permissions, valid } => write!(
                f,
                "unveil `{}`: invalid permissions `{}`: use only the characters `{valid}` \
                 (r: read, w: write, x: execute, c: create and remove; \"\" hides the path)",
                path.display(),
                permissions.escape_debug()
            ),
            ExtraSafeError::LandlockUnsupported { right, needs_abi, kernel_abi: 0 } => write!(
                f,
                "landlock is not available on this kernel (disabled or not built in), so `{right}` \
                 (Landlock ABI {needs_abi}) cannot be enforced: enable Landlock (lsm=landlock), \
                 or accept an unenforced policy with SafetyContext::landlock_best_effort()"
            ),
            ExtraSafeError::LandlockUnsupported { right, needs_abi, kernel_abi } => write!(
                f,
                "landlock: the running kernel (ABI {kernel_abi}) cannot enforce `{right}`, which \
                 needs ABI {needs_abi}: use a newer kernel, or accept less with \
                 SafetyContext::landlock_best_effort() (the EnforcementReport then lists it)"
            ),
            ExtraSafeError::LandlockPath { path, ruleset, source } => write!(
                f,
                "landlock: RuleSet `{ruleset}` grants access to `{}`, which cannot be opened \
                 ({source}): create it first, fix the path, or call \
                 SafetyContext::skip_missing_paths()",
                path.display()
            ),
            ExtraSafeError::LandlockNoThreadSync => f.write_str(
                "landlock: this kernel cannot restrict all threads at once (needs Landlock ABI 8) \
                 and the process has several threads: apply before starting threads, or apply \
                 in each thread with apply_to_current_thread",
            ),
            ExtraSafeError::LandlockError(e) => write!(f, "{e}"),
            ExtraSafeError::NotSeccompOnly { layer } => write!(
                f,
                "compile() builds only the seccomp filter, but this context also has {layer}, \
                 which a CompiledFilter cannot carry (its program alone would allow what the \
                 other layer confines): apply the context with apply_to_current_thread, \
                 apply_to_all_threads or apply_isolated instead"
            ),
            ExtraSafeError::Panicked { message } => {
                write!(f, "the sandboxed closure panicked: {message}")
            }
            ExtraSafeError::ThreadSpawn { source } => {
                write!(f, "could not start a thread for the sandboxed closure: {source}")
            }
            ExtraSafeError::TraceUnavailable { reason } => {
                write!(f, "cannot trace the closure: {reason}")
            }
            ExtraSafeError::OrchestrationFailed { reason } => write!(
                f,
                "a sandboxed thread could not apply its context ({reason}): no thread ran, and \
                 the parent was not restricted"
            ),
            ExtraSafeError::Aborted => f.write_str(
                "this sandboxed thread never ran: its Orchestrator was dropped or failed before \
                 start",
            ),
            ExtraSafeError::Timeout => f.write_str(
                "the sandboxed closure did not finish in time; it runs on, sandboxed, and its \
                 result will be dropped",
            ),
            ExtraSafeError::DuplicatePath(path, a, b) => write!(
                f,
                "landlock: RuleSets `{a}` and `{b}` both have rules for `{}`",
                path.display()
            ),
            ExtraSafeError::PathDoesNotExist(path) => {
                write!(f, "landlock: `{}` does not exist", path.display())
            }
            ExtraSafeError::LandlockSeccompConflict(a, b) => write!(
                f,
                "RuleSets `{a}` and `{b}` conflict between their Landlock and seccomp rules"
            ),
            ExtraSafeError::UnknownSyscallGroup { name } => write!(
                f,
                "unknown systemd syscall group `{name}`: the groups are {}",
                crate::profiles::systemd::group_names()
            ),
            ExtraSafeError::InvalidSystemCallFilter { entry, reason } if entry.is_empty() => {
                write!(f, "SystemCallFilter: the filter {reason}")
            }
            ExtraSafeError::InvalidSystemCallFilter { entry, reason } => {
                write!(f, "SystemCallFilter: `{entry}` {reason}")
            }
            ExtraSafeError::Isolation(e) => write!(f, "{e}"),
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
            ExtraSafeError::LandlockPath { source, .. } => Some(source),
            ExtraSafeError::LandlockError(e) => Some(&*e.source),
            ExtraSafeError::ThreadSpawn { source } => Some(source),
            ExtraSafeError::Isolation(e) => e.source(),
            _ => None,
        }
    }
}

/// Why process isolation ([`Isolate`](crate::isolate::Isolate), or a context made with
/// `SafetyContext::isolate_process`) failed. Whenever it is returned, the isolated code
/// did not run.
#[derive(Debug)]
#[non_exhaustive]
pub enum IsolateError {
    /// The channel the isolated process reports its result on could not be made.
    MemFd(io::Error),
    /// The program could not be re-executed, or waited for.
    Command(io::Error),
    /// A bind mount's source cannot be opened.
    BindmountConfig(io::Error),
    /// The kernel refused a new user namespace. `cause` names the setting responsible when
    /// one is found, and what to do.
    UserNamespacesUnavailable {
        /// The setting that forbids it and how to change it, or what else to check.
        cause: String,
        /// The error of `unshare(CLONE_NEWUSER)` (or of the first step that needed it).
        source: io::Error,
    },
    /// A bind mount destination would not stay inside the new root, or is reserved.
    InvalidBindDestination {
        /// The destination as given.
        destination: PathBuf,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// Namespaces can only be entered while the process has a single thread.
    NotSingleThreaded {
        /// How many threads the process had.
        threads: usize,
    },
    /// `Isolate::run(name, ..)` was called, but `Isolate::main_hook(name, ..)` never ran
    /// in this program, so the re-executed program would not enter the isolate.
    NoMainHook {
        /// The isolate's name.
        name: String,
    },
    /// A step of setting up the isolated process failed (in the isolated process).
    Setup {
        /// The step, e.g. "mount /proc".
        step: String,
        /// The error, as text (it crossed a process boundary).
        reason: String,
    },
    /// The context isolates the process (`isolate_process`): it must be applied with
    /// `SafetyContext::apply_isolated` or `#[extrasafe::main]`, not to a thread.
    NeedsProcessIsolation,
}

impl fmt::Display for IsolateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IsolateError::MemFd(e) => {
                write!(f, "isolate: could not create the result channel: {e}")
            }
            IsolateError::Command(e) => {
                write!(f, "isolate: could not re-execute the program: {e}")
            }
            IsolateError::BindmountConfig(e) => write!(f, "isolate: bind mount: {e}"),
            IsolateError::UserNamespacesUnavailable { cause, source } => write!(
                f,
                "isolate: user namespaces are not available ({source}): {cause}"
            ),
            IsolateError::InvalidBindDestination {
                destination,
                reason,
            } => write!(
                f,
                "isolate: bind mount destination `{}` {reason}; nothing was mounted",
                destination.display()
            ),
            IsolateError::NotSingleThreaded { threads } => write!(
                f,
                "isolate: the process has {threads} threads, but namespaces can only be \
                 entered by a single-threaded process: isolate at the top of main (before any \
                 runtime starts threads), or use Isolate::run, which re-executes the program"
            ),
            IsolateError::NoMainHook { name } => write!(
                f,
                "isolate `{name}`: Isolate::main_hook(\"{name}\", ..) did not run in this \
                 program: call it at the top of main, before Isolate::run"
            ),
            IsolateError::Setup { step, reason } => {
                write!(
                    f,
                    "isolate: could not {step}: {reason}; the code was not run"
                )
            }
            IsolateError::NeedsProcessIsolation => f.write_str(
                "this context isolates the process: apply it with #[extrasafe::main] or \
                 SafetyContext::apply_isolated at the top of main, not to a thread",
            ),
        }
    }
}

impl std::error::Error for IsolateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IsolateError::MemFd(e)
            | IsolateError::Command(e)
            | IsolateError::BindmountConfig(e) => Some(e),
            IsolateError::UserNamespacesUnavailable { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<IsolateError> for ExtraSafeError {
    fn from(e: IsolateError) -> Self {
        ExtraSafeError::Isolation(e)
    }
}
