//! The one error type of extrasafe.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::syscalls::Sysno;

/// Where a panic happened, as Rust prints it: `file:line:column`.
///
/// ```
/// use extrasafe::PanicLocation;
/// let location = PanicLocation::new("src/main.rs", 12, 5);
/// assert_eq!(location.to_string(), "src/main.rs:12:5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PanicLocation {
    /// The source file, as the compiler named it (relative to the crate's workspace).
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

impl PanicLocation {
    /// A location in `file` at `line` and `column`.
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> PanicLocation {
        PanicLocation {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for PanicLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Everything that can go wrong while building or applying a [`SafetyContext`](crate::SafetyContext).
///
/// The variants extrasafe 0.5.1 had ([`ConditionalNoEffectError`](Self::ConditionalNoEffectError),
/// [`SeccompError`](Self::SeccompError), [`NoRulesEnabled`](Self::NoRulesEnabled),
/// [`DuplicatePath`](Self::DuplicatePath), [`PathDoesNotExist`](Self::PathDoesNotExist),
/// [`LandlockSeccompConflict`](Self::LandlockSeccompConflict),
/// [`LandlockNoThreadSync`](Self::LandlockNoThreadSync) and
/// [`LandlockError`](Self::LandlockError)) keep 0.5.1's `Display` text word for word, so that
/// programs matching on it keep working; what to do about them is in
/// [`help`](ExtraSafeError::help). The other messages are lower-case, name the RuleSet,
/// syscall or value involved, and say what to do themselves.
/// The variants do not depend on cargo features.
///
/// ```
/// use extrasafe::builtins::{Networking, SystemIO};
/// use extrasafe::SafetyContext;
///
/// let err = SafetyContext::new()
///     .enable(SystemIO::nothing().allow_stdout())? // write, if the fd is 1
///     .enable(Networking::nothing().allow_running_tcp_servers()) // write, any fd
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "A conditional rule on syscall `write` from RuleSet `SystemIO` would be overridden \
///      by a simple rule from RuleSet `Networking`."
/// );
/// assert!(err.help().unwrap().contains("remove `write` from one of them"));
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ExtraSafeError {
    /// A syscall is allowed with conditions by one RuleSet (the first name) and without any by
    /// another (the second name; the same name when one RuleSet does both), so the
    /// conditions would have no effect. The second name is `"Landlock (implied)"` when the
    /// unconditional rule is one the context's Landlock rights imply (see
    /// [`crate::landlock`]).
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
        /// The groups systemd has, as the message lists them (`@default, @aio, …`).
        groups: String,
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
    /// [`SafetyContext::landlock_only`](crate::SafetyContext::landlock_only) with rules that
    /// restrict TCP connect ports: TCP Fast Open connects past them, and only extrasafe's
    /// seccomp filter, which `landlock_only` leaves out, can forbid it.
    ConnectRulesNeedSeccomp,
    /// [`SafetyContext::compile`](crate::SafetyContext::compile) was called on a context
    /// with another layer (Landlock rules, process isolation) that a
    /// [`CompiledFilter`](crate::CompiledFilter) cannot carry.
    NotSeccompOnly {
        /// The layer that would be lost: `"Landlock"` or `"process isolation"`.
        layer: &'static str,
    },
    /// The closure run in a sandboxed thread panicked; the panic did not reach the caller.
    ///
    /// ```
    /// use extrasafe::{builtins::BasicCapabilities, ExtraSafeError, SafetyContext};
    /// let err = SafetyContext::new()
    ///     .enable(BasicCapabilities)?
    ///     .run(|| panic!("bad input at byte {}", 7))
    ///     .unwrap_err();
    /// let ExtraSafeError::Panicked { message, location } = &err else { panic!("{err}") };
    /// assert_eq!(message, "bad input at byte 7");
    /// let location = location.as_ref().expect("extrasafe's panic hook saw it");
    /// assert!(location.file.ends_with(".rs"));
    /// assert!(err.to_string().starts_with("the sandboxed closure panicked at "));
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    Panicked {
        /// The panic message (the payload's text: `panic!`'s formatted message, or a
        /// placeholder for a payload that is not a string).
        message: String,
        /// Where the panic happened, as the panic hook saw it: `None` if a panic hook set
        /// after the first sandboxed run replaced extrasafe's (which chains to the hook it
        /// found), or if the panic was resumed with `resume_unwind` (no hook runs).
        location: Option<PanicLocation>,
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
    /// A context made with `SafetyContext::debug_denials` (feature `trace`) cannot be applied
    /// with its denial reports: applied to all threads, with a default action other than an
    /// errno, Landlock only, on a kernel without seccomp user notification, or its listener
    /// could not be set up. Nothing of the context was enforced, except where `reason` says
    /// that Landlock was.
    #[non_exhaustive]
    DebugDenialsUnavailable {
        /// Why, and what to do.
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
            // The texts of the variants 0.5.1 had are 0.5.1's, word for word (programs match
            // on them); what to do is in `help()`.
            ExtraSafeError::ConditionalNoEffectError(sysno, conditional, simple) => write!(
                f,
                "A conditional rule on syscall `{sysno}` from RuleSet `{conditional}` would be \
                 overridden by a simple rule from RuleSet `{simple}`."
            ),
            ExtraSafeError::SeccompError(e) => write!(f, "A seccomp error occured {e:?}"),
            ExtraSafeError::NoRulesEnabled => f.write_str("No rules were enabled in the SafetyContext"),
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
            ExtraSafeError::LandlockNoThreadSync => {
                f.write_str("Landlock does not support syncing to all threads")
            }
            ExtraSafeError::LandlockError(e) => write!(f, "A Landlock error occurred: {e:?}"),
            ExtraSafeError::ConnectRulesNeedSeccomp => f.write_str(
                "landlock_only: the context restricts TCP connect ports, but TCP Fast Open \
                 (sendto or sendmsg with MSG_FASTOPEN) connects without connect(2) and \
                 Landlock does not check it; only extrasafe's seccomp filter, which \
                 landlock_only leaves out, forbids it: drop landlock_only and enable the \
                 RuleSets the program needs, or drop the connect rules",
            ),
            ExtraSafeError::NotSeccompOnly { layer } => write!(
                f,
                "compile() builds only the seccomp filter, but this context also has {layer}, \
                 which a CompiledFilter cannot carry (its program alone would allow what the \
                 other layer confines): apply the context with apply_to_current_thread, \
                 apply_to_all_threads or apply_isolated instead"
            ),
            ExtraSafeError::Panicked {
                message,
                location: Some(location),
            } => write!(f, "the sandboxed closure panicked at {location}: {message}"),
            ExtraSafeError::Panicked {
                message,
                location: None,
            } => write!(f, "the sandboxed closure panicked: {message}"),
            ExtraSafeError::ThreadSpawn { source } => {
                write!(f, "could not start a thread for the sandboxed closure: {source}")
            }
            ExtraSafeError::TraceUnavailable { reason } => {
                write!(f, "cannot trace the closure: {reason}")
            }
            ExtraSafeError::DebugDenialsUnavailable { reason } => {
                write!(f, "cannot report denials (debug_denials): {reason}")
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
                "The same path ({path:?}) was used in two different landlock rules. Rulesets \
                 '{a}' and '{b}'"
            ),
            ExtraSafeError::PathDoesNotExist(path) => write!(
                f,
                "Path provided to extrasafe in a landlock rule does not exist or the process \
                 does not have permission to access it: {path:?}"
            ),
            ExtraSafeError::LandlockSeccompConflict(a, b) => write!(
                f,
                "A seccomp rule and a landlock rule are in conflict. See RuleSets {a} and {b}"
            ),
            ExtraSafeError::UnknownSyscallGroup { name, groups } => write!(
                f,
                "unknown systemd syscall group `{name}`: the groups are {groups}"
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

impl ExtraSafeError {
    /// What to do about the error, for the variants whose message (0.5.1's, kept word for
    /// word) does not say: `Some` for [`ConditionalNoEffectError`](Self::ConditionalNoEffectError),
    /// [`NoRulesEnabled`](Self::NoRulesEnabled), [`PathDoesNotExist`](Self::PathDoesNotExist)
    /// and [`LandlockNoThreadSync`](Self::LandlockNoThreadSync). `None` for the others:
    /// the messages of the variants added since 0.5.1 say what to do themselves, and
    /// [`SeccompError`](Self::SeccompError) and [`LandlockError`](Self::LandlockError) carry
    /// the failing step and the system's error ([`source`](std::error::Error::source)).
    ///
    /// `#[extrasafe::main]` prints it on a line of its own after the message.
    ///
    /// ```
    /// use extrasafe::{ExtraSafeError, SafetyContext};
    ///
    /// let err = SafetyContext::new().compile().unwrap_err();
    /// assert_eq!(err.to_string(), "No rules were enabled in the SafetyContext");
    /// assert_eq!(
    ///     err.help().as_deref(),
    ///     Some("enable at least one RuleSet with SafetyContext::enable before applying")
    /// );
    /// assert!(ExtraSafeError::InvalidErrno { errno: 0 }.help().is_none());
    /// ```
    #[must_use]
    pub fn help(&self) -> Option<String> {
        match self {
            ExtraSafeError::ConditionalNoEffectError(sysno, conditional, simple)
                if *simple == "Landlock (implied)" =>
            {
                Some(format!(
                    "the context's Landlock rights need `{sysno}` on any descriptor (write \
                     access needs `write`, for one), so the conditions of RuleSet \
                     `{conditional}` on it would have no effect: drop them from \
                     `{conditional}` (Landlock still decides which files)"
                ))
            }
            ExtraSafeError::ConditionalNoEffectError(sysno, conditional, simple)
                if conditional == simple =>
            {
                Some(format!(
                    "RuleSet `{conditional}` allows `{sysno}` both with conditions and without, \
                     so the conditions would have no effect: drop the method (or rule) that \
                     adds the conditions, or the one that allows `{sysno}` outright"
                ))
            }
            ExtraSafeError::ConditionalNoEffectError(sysno, conditional, simple) => Some(format!(
                "`{sysno}` is allowed with conditions by RuleSet `{conditional}` but \
                 unconditionally by RuleSet `{simple}`, so the conditions would have no effect: \
                 remove `{sysno}` from one of them"
            )),
            ExtraSafeError::NoRulesEnabled => Some(
                "enable at least one RuleSet with SafetyContext::enable before applying".into(),
            ),
            ExtraSafeError::PathDoesNotExist(_) => Some(
                "create the path first, fix it, or call SafetyContext::skip_missing_paths()".into(),
            ),
            ExtraSafeError::LandlockNoThreadSync => Some(
                "this kernel cannot restrict all threads at once (needs Landlock ABI 8) and the \
                 process has several threads: apply before starting threads, or apply in each \
                 thread with apply_to_current_thread"
                    .into(),
            ),
            _ => None,
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

#[cfg(test)]
mod tests {
    //! The `Display` texts of the variants 0.5.1 had must be 0.5.1's, character for
    //! character: the expected strings are 0.5.1's `src/error.rs` format strings with the
    //! arguments filled in by hand.

    use super::*;

    #[test]
    fn conditional_no_effect_is_0_5_1_text() {
        let err = ExtraSafeError::ConditionalNoEffectError(Sysno::write, "SystemIO", "JustWrite");
        assert_eq!(
            err.to_string(),
            "A conditional rule on syscall `write` from RuleSet `SystemIO` would be overridden by a simple rule from RuleSet `JustWrite`."
        );
        let help = err.help().expect("advice");
        assert!(help.contains("remove `write` from one of them"), "{help}");
        assert!(
            help.contains("`SystemIO`") && help.contains("`JustWrite`"),
            "{help}"
        );
    }

    #[test]
    fn conditional_no_effect_within_one_ruleset_is_0_5_1_text() {
        let err = ExtraSafeError::ConditionalNoEffectError(Sysno::read, "SystemIO", "SystemIO");
        assert_eq!(
            err.to_string(),
            "A conditional rule on syscall `read` from RuleSet `SystemIO` would be overridden by a simple rule from RuleSet `SystemIO`."
        );
        let help = err.help().expect("advice");
        assert!(
            help.contains("RuleSet `SystemIO` allows `read` both"),
            "{help}"
        );
    }

    #[test]
    fn conditional_no_effect_with_implied_landlock_rules_keeps_the_sentence() {
        let err = ExtraSafeError::ConditionalNoEffectError(
            Sysno::write,
            "SystemIO",
            "Landlock (implied)",
        );
        assert_eq!(
            err.to_string(),
            "A conditional rule on syscall `write` from RuleSet `SystemIO` would be overridden by a simple rule from RuleSet `Landlock (implied)`."
        );
        let help = err.help().expect("advice");
        assert!(help.contains("Landlock rights need `write`"), "{help}");
        assert!(help.contains("drop them from `SystemIO`"), "{help}");
    }

    #[test]
    fn seccomp_error_is_0_5_1_prefix_with_debug() {
        let inner = SeccompError::new("load the filter", io::Error::from_raw_os_error(22));
        let expected = format!("A seccomp error occured {inner:?}");
        let err = ExtraSafeError::SeccompError(inner);
        assert_eq!(err.to_string(), expected);
        assert!(err
            .to_string()
            .starts_with("A seccomp error occured SeccompError {"));
        assert!(err.to_string().contains("load the filter"));
        assert!(err.help().is_none());
    }

    #[test]
    fn no_rules_enabled_is_0_5_1_text() {
        let err = ExtraSafeError::NoRulesEnabled;
        assert_eq!(
            err.to_string(),
            "No rules were enabled in the SafetyContext"
        );
        assert_eq!(
            err.help().as_deref(),
            Some("enable at least one RuleSet with SafetyContext::enable before applying")
        );
    }

    #[test]
    fn duplicate_path_is_0_5_1_text() {
        let err = ExtraSafeError::DuplicatePath(PathBuf::from("/etc"), "A", "B");
        assert_eq!(
            err.to_string(),
            "The same path (\"/etc\") was used in two different landlock rules. Rulesets 'A' and 'B'"
        );
    }

    #[test]
    fn path_does_not_exist_is_0_5_1_text() {
        let err = ExtraSafeError::PathDoesNotExist(PathBuf::from("/nope"));
        assert_eq!(
            err.to_string(),
            "Path provided to extrasafe in a landlock rule does not exist or the process does not have permission to access it: \"/nope\""
        );
        assert!(err.help().is_some_and(|h| h.contains("skip_missing_paths")));
    }

    #[test]
    fn landlock_seccomp_conflict_is_0_5_1_text() {
        let err = ExtraSafeError::LandlockSeccompConflict("A", "B");
        assert_eq!(
            err.to_string(),
            "A seccomp rule and a landlock rule are in conflict. See RuleSets A and B"
        );
    }

    #[test]
    fn landlock_no_thread_sync_is_0_5_1_text() {
        let err = ExtraSafeError::LandlockNoThreadSync;
        assert_eq!(
            err.to_string(),
            "Landlock does not support syncing to all threads"
        );
        let help = err.help().expect("advice");
        assert!(
            help.contains("ABI 8") && help.contains("apply_to_current_thread"),
            "{help}"
        );
    }

    #[test]
    fn landlock_error_is_0_5_1_prefix_with_debug() {
        let inner = LandlockFailure::new("create the ruleset", io::Error::from_raw_os_error(38));
        let expected = format!("A Landlock error occurred: {inner:?}");
        let err = ExtraSafeError::LandlockError(inner);
        assert_eq!(err.to_string(), expected);
        assert!(err.to_string().contains("create the ruleset"));
        assert!(err.help().is_none());
    }

    #[test]
    fn new_variants_name_the_fix_in_their_own_text() {
        let err = ExtraSafeError::InvalidErrno { errno: 0 };
        assert!(err.to_string().contains("between 1 and 4095"));
        assert!(err.help().is_none());
        let err = ExtraSafeError::NotSeccompOnly { layer: "Landlock" };
        assert!(err.to_string().contains("apply the context with"));
        assert!(err.help().is_none());
    }
}
