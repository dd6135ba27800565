//! Watch a program's syscalls and suggest the extrasafe context that covers them.
//!
//! The `extrasafe-trace` binary runs a program under ptrace, following its threads, forks
//! and execs, records every syscall (with the arguments RuleSets look at: socket family and
//! type, ioctl request, open flags, clone flags, fcntl command, prctl option), and proposes
//! the smallest combination of extrasafe's builtin RuleSets and methods it finds (a greedy
//! set cover) that allows what it saw:
//!
//! ```text
//! extrasafe-trace [--rust | --json] [--thread NAME]... [-o FILE] -- PROGRAM [ARGS...]
//! extrasafe-trace --check FILTER CALL...
//! ```
//!
//! The second form prints what a compiled filter (the bytes of
//! [`CompiledFilter::to_bytes`](extrasafe::CompiledFilter::to_bytes)) decides for each CALL,
//! such as `write(1, 0, 5)`, without loading it: see [`check`].
//!
//! This library is what the binary is made of: [`trace`] records a [`Trace`],
//! [`suggest()`] turns the syscalls of some of its threads into a
//! [`Suggestion`], and [`output`] prints both.
//!
//! The suggestion engine (the catalog of builtin methods, the set cover, the alternatives)
//! is [`extrasafe::trace`]'s, the same one `extrasafe::trace::trace_closure` uses in-process.
//! Which syscalls each builtin method allows is not copied anywhere: it is read from
//! the RuleSets themselves (`simple_rules` and `conditional_rules`), conditions included, and
//! the final suggestion is checked against [`SafetyContext::explain`](extrasafe::SafetyContext::explain).

pub mod check;
pub mod i386;
pub mod output;
mod sys;
pub mod tracer;

/// The suggestion engine lives in extrasafe itself (feature `trace`), shared with the
/// in-process [`extrasafe::trace::trace_closure`].
pub use extrasafe::trace::{catalog, decode, suggest, ArgPolicy, Suggestion};

pub use crate::tracer::{run_sandboxed, trace, Exit, Trace, TraceError};
