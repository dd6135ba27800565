//! extrasafe makes a Rust program, one thread of it, or one block of it, give up the
//! syscalls it does not need.
//!
//! You say what the program may do with [`RuleSet`]s (the [`builtins`], a [`Sysno`](syscalls::Sysno),
//! or your own), collect them in a [`SafetyContext`], and apply it: to the current thread, to
//! every thread, or compile it once and load it in many threads. Everything else fails with
//! `EPERM` (or the errno or action you choose).
//!
//! # Example
//!
//! ```
//! use extrasafe::builtins::{Networking, SystemIO};
//! use extrasafe::SafetyContext;
//!
//! let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! let report = SafetyContext::new()
//!     .enable(Networking::nothing().allow_running_tcp_servers())?
//!     .enable(SystemIO::nothing().allow_metadata())?
//!     .apply_to_current_thread()?;
//! println!("{report}");
//!
//! // Serving (and so writing to stdout) still works; opening files does not.
//! assert!(std::fs::File::open("/etc/passwd").is_err());
//! # drop(listener);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What the filter does
//!
//! - A syscall no rule allows fails with `EPERM` ([`SafetyContext::with_errno`] and
//!   [`SafetyContext::with_default_action`] change that).
//! - `clone3`, and any syscall newer than extrasafe's table, fail with `ENOSYS`, so that libc
//!   falls back to an older call the filter can check.
//! - A syscall from a foreign architecture (i386 `int 0x80` on x86_64) or with an x32 number
//!   kills the whole process.
//! - `no_new_privs` is always set.
//! - An argument the kernel reads as 32 bits (an `int`) is compared on its low 32 bits only,
//!   so junk in the upper half of a register neither allows nor denies; the width of each
//!   argument comes from a table generated from the kernel's own prototypes.
//! - Enumerated arguments (socket family and type, ioctl request, fcntl command, prctl
//!   option, clone flags) are compared for equality in the builtins.
//! - A syscall allowed with conditions by one RuleSet and without by another is an error
//!   naming both ([`ExtraSafeError::ConditionalNoEffectError`]), never a silently wider filter.
//! - Filters stack: applying a second context can only take more away.
//!
//! [`SafetyContext::explain`] shows, per syscall, which RuleSet allowed it and under which
//! conditions; [`CompiledFilter::to_bytes`] exports the BPF program.
//!
//! # Landlock
//!
//! With the `landlock` feature (on by default), RuleSets can also say *which* files,
//! directories and TCP ports the program may use, and keep it from signalling or reaching
//! abstract unix sockets outside its sandbox ([`Landlock`], [`SystemIO`](builtins::SystemIO)'s
//! path methods, or [`RuleSet::landlock_rules`] in your own RuleSet). Landlock is applied
//! before seccomp, and the syscalls its rights need are implied in the seccomp filter.
//!
//! | ABI | Linux | adds |
//! |---|---|---|
//! | 1 | 5.13 | execute, read file, read dir, write file, remove file/dir, make reg/dir/sym/sock/fifo/char/block |
//! | 2 | 5.19 | refer: rename and link across directories |
//! | 3 | 6.2 | truncate |
//! | 4 | 6.7 | TCP bind and connect per port |
//! | 5 | 6.10 | ioctl on devices |
//! | 6 | 6.12 | scopes: abstract unix sockets, signals |
//! | 8 | 7.0 | restricting all threads at once |
//!
//! **Fail closed by default**: if the running kernel cannot enforce a right the context
//! restricts, applying fails with [`ExtraSafeError::LandlockUnsupported`], naming the right and
//! the kernel's ABI, and nothing is applied. [`SafetyContext::landlock_best_effort`] opts into
//! enforcing what the kernel can; the [`EnforcementReport`]'s `landlock` field then says
//! fully, partially or not enforced, and which rights were not. A path that does not exist is
//! an error naming it and the RuleSet ([`SafetyContext::skip_missing_paths`] opts out).
//! `apply_to_all_threads` with Landlock rules needs Landlock ABI 8, unless the calling thread
//! is the only one ([`ExtraSafeError::LandlockNoThreadSync`]). See [`landlock`] for details.
//!
//! ```
//! # #[cfg(feature = "landlock")] {
//! use extrasafe::builtins::SystemIO;
//! use extrasafe::SafetyContext;
//!
//! let report = SafetyContext::new()
//!     .enable(SystemIO::nothing().allow_dns_files().allow_ssl_files().allow_stdout())?
//!     .apply_to_current_thread()?;
//! println!("{report}"); // landlock: fully enforced (kernel ABI 7), 8 path rules, ...
//! assert!(std::fs::read("/etc/hosts").is_ok());
//! assert!(std::fs::read("/etc/passwd").is_err());
//! # }
//! # Ok::<(), extrasafe::ExtraSafeError>(())
//! ```
//!
//! # Compatibility with 0.5
//!
//! The names of extrasafe 0.5.1 keep working. The seccompiler types it re-exported are
//! deprecated aliases of extrasafe's own types. See CHANGELOG.md for where the builtins became
//! stricter and why.
//!
//! # Test strategy
//!
//! Every builtin is tested with real std calls in a child process: what it allows succeeds,
//! what it does not fails with the documented errno. The known ways around a seccomp filter
//! (i386 syscalls, x32 numbers, high bits in syscall numbers and arguments, clone namespace
//! flags, clone3, io_uring, stacking a permissive filter) each have a test. Every Landlock
//! right has an allowed and a denied case on the running kernel, and older kernels are
//! simulated (Landlock answered with `ENOSYS` by a seccomp filter, or a capped ABI) to check
//! that the default fails closed and that best effort reports what it did.

#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(not(target_os = "linux"))]
compile_error!("extrasafe works on Linux only: seccomp and Landlock are Linux features");

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
pub mod builtins;
mod context;
pub mod error;
mod filter;
#[cfg(feature = "landlock")]
pub mod landlock;
mod report;
mod rules;
mod runtime;
mod sys;
pub mod syscalls;

pub use crate::context::{Explanation, SafetyContext, SyscallExplanation, Verdict};
pub use crate::error::{ExtraSafeError, LandlockFailure, SeccompError};
pub use crate::filter::{BpfInstruction, CompiledFilter};
#[cfg(feature = "landlock")]
pub use crate::landlock::{
    access, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, Landlock,
    LandlockError, LandlockRule, PathBeneath, PathFd, PortRule, Ruleset, RulesetAttr,
    RulesetCreatedAttr, Scope, ABI,
};
pub use crate::report::{
    DefaultAction, EnforcementReport, LandlockReport, LandlockStatus, SeccompReport, SeccompScope,
};
pub use crate::rules::{Comparator, RuleSet, SeccompArgumentFilter, SeccompRule};
pub use crate::runtime::{Orchestrator, SandboxHandle};

/// Deprecated: extrasafe no longer uses seccompiler; this is [`CompiledFilter`].
#[deprecated(
    since = "0.6.0",
    note = "extrasafe compiles with libseccomp now: use `CompiledFilter`"
)]
pub type SeccompilerFilter = CompiledFilter;
/// Deprecated: extrasafe no longer uses seccompiler; this is [`SeccompRule`].
#[deprecated(since = "0.6.0", note = "use `SeccompRule`")]
pub type SeccompilerRule = SeccompRule;
/// Deprecated: extrasafe no longer uses seccompiler; this is [`SeccompArgumentFilter`].
#[deprecated(since = "0.6.0", note = "use `SeccompArgumentFilter`")]
pub type SeccompilerArgumentFilter = SeccompArgumentFilter;
/// Deprecated: extrasafe no longer uses seccompiler; this is [`SeccompError`].
#[deprecated(since = "0.6.0", note = "use `SeccompError`")]
pub type SeccompilerError = SeccompError;
/// Deprecated: extrasafe no longer uses seccompiler; this is [`Comparator`].
#[deprecated(since = "0.6.0", note = "use `Comparator`")]
pub type SeccompilerComparator = Comparator;

/// The code blocks of README.md, compiled as doctests so the tour stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
