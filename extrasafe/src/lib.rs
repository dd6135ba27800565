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
//! flags, clone3, io_uring, stacking a permissive filter) each have a test.

#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(not(target_os = "linux"))]
compile_error!("extrasafe works on Linux only: seccomp and Landlock are Linux features");

pub mod builtins;
mod context;
pub mod error;
mod filter;
#[cfg(feature = "landlock")]
pub mod landlock;
mod report;
mod rules;
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
