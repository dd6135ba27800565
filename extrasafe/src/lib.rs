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
//!     .enforce_on_current_thread()?;
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
//! # What each mode protects against
//!
//! | | thread sandbox: [`extrasafe!`], [`SafetyContext::run`], `#[extrasafe::main]` | worker process: `worker` (feature `worker`) | isolation: `isolate` |
//! |---|---|---|---|
//! | syscalls the code may make (seccomp); files, ports (Landlock) | yes | yes | yes |
//! | memory corruption in the sandboxed code reaching the rest of the program | **no**: one address space | yes: its own process | yes |
//! | runaway code: hangs, unbounded memory, CPU | no: a thread cannot be killed | yes: timeout, memory and CPU limits | rlimits |
//! | what the code can see: processes, the host's files, network | no | only with a context that isolates it | yes: new namespaces |
//!
//! A thread sandbox restricts what code you trust may ask the kernel for. It does not
//! contain code that corrupts memory (a bug in `unsafe` code, a malicious dependency): every
//! thread of a process can write every other thread's stack and heap, and so make an
//! unrestricted thread do what the filter forbids. (`#[extrasafe::main]` and
//! [`SafetyContext::apply_to_all_threads`] restrict every thread, so there is no
//! unrestricted one left; a block under `extrasafe!` is not contained that way.) Untrusted
//! input belongs in a worker process: a separate address space, limits that kill, and a
//! pool that replaces what failed.
//!
//! # Telling a denial from an ordinary error
//!
//! A denied syscall fails with `EPERM`, which in a log looks like any permission problem
//! ("Operation not permitted (os error 1)"). Four ways to tell them apart:
//!
//! - **A distinctive errno**: [`SafetyContext::with_errno`] makes denials fail with an errno
//!   the code would not otherwise get from the calls it makes, such as
//!   `ENOTRECOVERABLE` ("State not recoverable (os error 131)"). Not `ENOSYS` (libc takes it
//!   for "use an older call") nor `EINTR` or `EAGAIN` (which code retries).
//! - **[`DefaultAction::Log`]**: what no rule allows is *allowed*, and written to the kernel's
//!   audit log (`dmesg`, or `ausearch -m SECCOMP` with auditd: `type=SECCOMP ... syscall=257`,
//!   the number of `openat` on x86_64). For finding out what a program needs, never for
//!   enforcing. [`DefaultAction::KillProcess`] is logged there too.
//! - **[`DefaultAction::Trap`]**: a denied call sends `SIGSYS` to the thread; a handler
//!   (`sigaction` with `SA_SIGINFO`) reads the syscall number in `si_syscall` and decides
//!   what the call returns. Without a handler the process dies of "Bad system call".
//! - **`SafetyContext::debug_denials()`** (feature `trace`): each denied syscall is
//!   reported on stderr once, with the builtin methods that would allow the call, and still
//!   fails with the context's errno:
//!   `extrasafe denied openat: returned EPERM (RuleSets that would allow it:
//!   SystemIO::allow_open_readonly, SystemIO::allow_open)`. A debugging aid: off unless
//!   asked for, for the current thread only.
//!
//! ```
//! use extrasafe::builtins::SystemIO;
//! use extrasafe::{DefaultAction, SafetyContext};
//!
//! let distinct = SafetyContext::new()
//!     .with_errno(libc::ENOTRECOVERABLE as u32)
//!     .enable(SystemIO::nothing().allow_stderr())?
//!     .run(|| std::fs::File::open("/etc/hostname").map_err(|e| e.raw_os_error()))?;
//! assert_eq!(distinct.unwrap_err(), Some(libc::ENOTRECOVERABLE));
//!
//! // Allowed, and logged by the kernel (`dmesg`): for finding out, not for enforcing.
//! let logged = SafetyContext::new()
//!     .with_default_action(DefaultAction::Log)
//!     .enable(SystemIO::nothing().allow_stderr())?
//!     .run(|| std::fs::metadata("/"))?;
//! assert!(logged.is_ok());
//!
//! #[cfg(feature = "trace")]
//! {
//!     // On stderr, once: extrasafe denied openat: returned EPERM (RuleSets that would …)
//!     let reported = SafetyContext::new()
//!         .enable(SystemIO::nothing().allow_stderr())?
//!         .debug_denials()
//!         .run(|| std::fs::File::open("/etc/hostname").map_err(|e| e.raw_os_error()))?;
//!     assert_eq!(reported.unwrap_err(), Some(libc::EPERM));
//! }
//! # Ok::<(), extrasafe::ExtraSafeError>(())
//! ```
//!
//! # Landlock
//!
//! With the `landlock` feature (on by default), RuleSets can also say *which* files,
//! directories and TCP ports the program may use, and keep it from signalling or reaching
//! abstract unix sockets outside its sandbox (`Landlock`, [`SystemIO`](builtins::SystemIO)'s
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
//!     .enforce_on_current_thread()?;
//! println!("{report}"); // landlock: fully enforced (kernel ABI 7), 8 path rules, ...
//! assert!(std::fs::read("/etc/hosts").is_ok());
//! assert!(std::fs::read("/etc/passwd").is_err());
//! # }
//! # Ok::<(), extrasafe::ExtraSafeError>(())
//! ```
//!
//! # Process isolation
//!
//! With the `isolate` feature (on by default), code can also be moved into new user, PID,
//! mount, IPC, UTS, cgroup and network namespaces, on a fresh root of its own, without
//! capabilities unless it keeps some (see [`isolate`] for everything it gets). Seccomp and Landlock restrict what
//! a process may *ask*; isolation decides what it can even *see*.
//!
//! The process model:
//!
//! - **The whole program** ([`SafetyContext::isolate_process`], applied by
//!   [`#[extrasafe::main]`](main) or [`SafetyContext::apply_isolated`]): at the top of `main`,
//!   while it has one thread, the process enters the namespaces and forks. The program goes
//!   on in a child, PID 2 of the new PID namespace under a minimal init of ours (PID 1, which
//!   reaps and forwards signals), where the context's Landlock and seccomp rules are
//!   applied; with `#[tokio::main]` the runtime starts there. The parent only supervises: it
//!   drops its capabilities, restricts itself with seccomp to waiting and signalling,
//!   forwards SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM and SIGWINCH, and
//!   exits with the child's exit code (or dies by the signal that killed it). If the parent
//!   dies, the child is killed.
//! - **One function, later** ([`isolate::Isolate`], 0.5.1's API): from any thread of a
//!   running program, [`Isolate::run`](isolate::Isolate::run) re-executes the program (a
//!   multithreaded process must not fork without exec); at the top of the re-executed
//!   `main`, [`Isolate::main_hook`](isolate::Isolate::main_hook) enters the namespaces as
//!   above and runs the function in the isolated child, and the caller gets back the exit
//!   code, the signal or the panic, the output, and the bytes the function returned.
//!
//! Where user namespaces are unavailable, isolation fails with an error naming the setting
//! responsible and the fix; the code never runs unisolated.
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
mod bpf;
pub mod builtins;
mod context;
#[cfg(test)]
mod differential;
pub mod error;
pub mod eval;
mod filter;
#[cfg(feature = "isolate")]
pub mod isolate;
#[cfg(feature = "landlock")]
pub mod landlock;
pub mod profiles;
mod report;
#[cfg(feature = "landlock")]
mod rights;
mod rules;
mod runtime;
mod sys;
pub mod syscalls;
#[cfg(feature = "trace")]
pub mod trace;
#[cfg(feature = "worker")]
pub mod worker;

pub use crate::bpf::BpfInstruction;
pub use crate::context::{Explanation, SafetyContext, SyscallExplanation, Verdict};
pub use crate::error::{
    ExtraSafeError, IsolateError, LandlockFailure, PanicLocation, SeccompError,
};
pub use crate::filter::CompiledFilter;
#[cfg(feature = "landlock")]
pub use crate::landlock::{
    access, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, Landlock,
    LandlockError, LandlockRule, PathBeneath, PathFd, PortRule, Ruleset, RulesetAttr,
    RulesetCreatedAttr, Scope, ABI,
};
pub use crate::report::{
    DefaultAction, EnforcementReport, IsolationReport, LandlockReport, LandlockStatus,
    SeccompReport, SeccompScope,
};
pub use crate::rules::{Comparator, RuleSet, SeccompArgumentFilter, SeccompRule};
pub use crate::runtime::{Orchestrator, SandboxHandle};

/// Sandboxes the whole program before the body of `main` runs.
///
/// `#[extrasafe::main(my_context)]` on `fn main` makes its first statement build the context
/// with `my_context()` and apply it to every thread of the process
/// ([`SafetyContext::apply_to_all_threads`]), which at that point is the only thread.
/// `my_context` is the name of a function (or a closure) that returns a [`SafetyContext`] or
/// a `Result<SafetyContext, E>` with `E: Display`. If it returns an error, or the context
/// cannot be applied, the program prints the error to stderr and exits with status 1: the
/// body never runs unsandboxed.
///
/// ```
/// use extrasafe::builtins::SystemIO;
/// use extrasafe::{ExtraSafeError, SafetyContext};
///
/// fn sandbox() -> Result<SafetyContext, ExtraSafeError> {
///     SafetyContext::new().enable(SystemIO::nothing().allow_stdout().allow_stderr())
/// }
///
/// #[extrasafe::main(sandbox)]
/// fn main() {
///     println!("sandboxed from the first line on");
///     assert!(std::fs::File::open("/etc/hostname").is_err());
/// }
/// ```
///
/// A context made with [`SafetyContext::isolate_process`] first moves the program into new
/// namespaces: the body runs in an isolated child process (PID 2 of a new PID namespace,
/// under a minimal init, with the context applied there) while the process that was started supervises it and
/// exits like it (see [`isolate`] and `examples/isolate_tokio.rs`).
///
/// `main` may return a `Result`, as usual. It has no generic parameters and must be called
/// `main`: to sandbox part of a program, use [`extrasafe!`] or [`SafetyContext::run`].
///
/// # Open first, then lock down: handing `main` what the context function opened
///
/// `main` may take one argument: the context function then returns the context together
/// with that value, as `(SafetyContext, T)` or `Result<(SafetyContext, T), E>`, and `main`
/// receives the value once the context is applied. The usual use is a file opened before the
/// sandbox and allowed by descriptor
/// ([`SystemIO::allow_file_read`](builtins::SystemIO::allow_file_read),
/// [`allow_file_write`](builtins::SystemIO::allow_file_write)); for several values, return a
/// tuple or a struct (`main`'s argument may be any irrefutable pattern).
///
/// ```no_run
/// use std::fs::File;
/// use std::io::Read;
///
/// use extrasafe::builtins::SystemIO;
/// use extrasafe::SafetyContext;
///
/// fn setup() -> Result<(SafetyContext, File), Box<dyn std::error::Error>> {
///     let config = File::open("/etc/myapp.conf")?; // before the sandbox
///     let ctx = SafetyContext::new()
///         .enable(SystemIO::nothing().allow_file_read(&config).allow_stdout())?;
///     Ok((ctx, config))
/// }
///
/// #[extrasafe::main(setup)]
/// fn main(mut config: File) -> std::io::Result<()> {
///     let mut text = String::new();
///     config.read_to_string(&mut text)?; // this one file, and nothing else
///     println!("{text}");
///     assert!(File::open("/etc/passwd").is_err());
///     Ok(())
/// }
/// ```
///
/// With tokio, write `#[extrasafe::main]` above `#[tokio::main]`: the async `main` receives
/// the value. Written below, it cannot: tokio refuses arguments on `main` (both macros then
/// say so). With a context that isolates the process
/// ([`SafetyContext::isolate_process`]), the value is made before the isolated process is
/// forked, so it is in its memory, but only descriptors 0–2 stay open there: keep the
/// value's descriptors with [`IsolationConfig::keep_fd`](isolate::IsolationConfig::keep_fd)
/// (for a `File`, `keep_fd(file.as_raw_fd())`), or it holds closed descriptors.
///
/// # With tokio
///
/// Write it above or below `#[tokio::main]` (any flavor; the attribute written as
/// `tokio::main` or `::tokio::main`): in both orders the context is
/// applied before tokio builds its runtime, so every worker and blocking-pool thread is
/// restricted too. The context must then allow what the runtime itself does: creating threads
/// ([`Threads::allow_create`](builtins::danger_zone::Threads::allow_create)) and waiting for
/// and waking its event loop (epoll and eventfd, reads and writes: the "running" methods of
/// [`Networking`](builtins::Networking) allow them). `examples/tokio_server.rs` is a
/// complete server.
///
/// ```ignore
/// #[extrasafe::main(sandbox)]
/// #[tokio::main]
/// async fn main() -> std::io::Result<()> {
///     // every thread of the runtime is sandboxed
/// }
/// ```
///
/// # A renamed dependency
///
/// The expansion names `::extrasafe`. If extrasafe is a dependency under another name, say
/// so: `#[my_extrasafe::main(sandbox, crate = "my_extrasafe")]`.
#[cfg(feature = "macros")]
#[doc(inline)]
pub use extrasafe_macros::main;

/// Runs a block on a fresh thread restricted by a context, and returns the block's value.
///
/// `extrasafe!(ctx, { .. })` is [`SafetyContext::run`] with the block as the closure: the
/// block runs on a new OS thread that applies `ctx` first, while the caller waits, itself
/// unrestricted. The value is `Result<T, ExtraSafeError>`, `T` being the block's value: an
/// error if the context could not be applied (then the block never ran), or
/// [`ExtraSafeError::Panicked`] with the panic's message if the block panicked. `ctx` may be
/// a [`SafetyContext`] or a `Result<SafetyContext, ExtraSafeError>`, so a context built
/// with `enable` needs no `?`.
///
/// The block is a closure: it may borrow from the surrounding code, and `?` and `return`
/// inside it leave the block, not the enclosing function, so the block's own errors come
/// back inside `Ok`.
///
/// What this protects against is the block's syscalls: as with
/// [`SafetyContext::run`], the block's thread shares memory and descriptors with the rest of
/// the program, so memory corruption in it can reach the unrestricted threads, and a
/// descriptor the program opens later is reachable through the syscalls the context allows
/// on every descriptor. For untrusted input, use a worker process instead
/// (`#[extrasafe::worker]` and `worker::WorkerPool`, feature `worker`): its own address
/// space, a timeout that kills, memory and CPU limits; see [What each mode protects
/// against](crate#what-each-mode-protects-against).
///
/// In a program that is sandboxed already (by [`#[extrasafe::main]`](main), say), the outer
/// context must allow what this needs: creating a thread
/// ([`Threads::allow_create`](builtins::danger_zone::Threads::allow_create)), and loading
/// the filter ([`NestedSandboxes`](builtins::NestedSandboxes): `prctl` and `seccomp`,
/// nothing else; compiling needs no syscall). Without them the
/// block never runs and the error says which step failed.
///
/// ```
/// use extrasafe::builtins::BasicCapabilities;
/// use extrasafe::{extrasafe, SafetyContext};
///
/// let untrusted = String::from("12,7,30");
/// let parsed: Result<Result<Vec<u32>, std::num::ParseIntError>, _> =
///     extrasafe!(SafetyContext::new().enable(BasicCapabilities), {
///         // No files, no network, no processes in here.
///         assert!(std::fs::File::open("/etc/hostname").is_err());
///         untrusted.split(',').map(str::parse).collect()
///     });
/// assert_eq!(parsed?, Ok(vec![12, 7, 30]));
/// // The caller is not restricted.
/// assert!(std::fs::File::open("/etc/hostname").is_ok());
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
///
/// # Forms
///
/// - `extrasafe!(ctx, move { .. })`: the block takes ownership of what it uses.
/// - `extrasafe!(ctx, timeout = duration, { .. })` (feature `macro-return`): as
///   `SafetyContext::run_with_timeout`; after `duration` the value is
///   [`ExtraSafeError::Timeout`] while the thread runs on, still sandboxed. The block owns
///   what it uses (it is a `move` closure), since it may outlive the call.
/// - `crate = "my_extrasafe"` (before the block) if extrasafe is a dependency under another
///   name.
///
/// ```
/// # #[cfg(feature = "macro-return")] {
/// use std::time::Duration;
/// use extrasafe::builtins::danger_zone::Threads;
/// use extrasafe::{extrasafe, ExtraSafeError, SafetyContext};
///
/// let ctx = || SafetyContext::new().enable(Threads::nothing().allow_sleep().yes_really());
/// let slow = extrasafe!(ctx(), timeout = Duration::from_millis(10), {
///     std::thread::sleep(Duration::from_secs(1));
/// });
/// assert!(matches!(slow, Err(ExtraSafeError::Timeout)));
/// # }
/// ```
#[cfg(feature = "macros")]
#[doc(inline)]
pub use extrasafe_macros::extrasafe;

/// Makes a plain `fn(Input) -> Output` a function that sandboxed worker processes run
/// (feature `worker`): `#[extrasafe::worker(ctx_fn)]`.
///
/// `ctx_fn` names the function (or closure) that builds the worker's [`SafetyContext`], as
/// for [`#[extrasafe::main]`](macro@main): it returns a `SafetyContext` or a
/// `Result<SafetyContext, E>` with `E: Display`, and runs **in the worker**, before the
/// worker reads its first input. The function takes one argument and returns one value;
/// both are serialized (`serde::Serialize` and `serde::de::DeserializeOwned`).
///
/// The attribute replaces the function with a constant of the same name, a
/// [`worker::WorkerFn`], which a [`worker::WorkerPool`] runs; see the [`worker`](mod@worker) module for
/// what a worker is and what its limits are.
///
/// ```
/// use extrasafe::worker::{WorkerOptions, WorkerPool};
/// use extrasafe::SafetyContext;
///
/// fn no_files() -> SafetyContext {
///     SafetyContext::new()
/// }
///
/// /// Parses a port number from untrusted text.
/// #[extrasafe::worker(no_files)]
/// pub fn parse_port(text: String) -> Result<u16, String> {
///     text.trim().parse().map_err(|e| format!("{e}"))
/// }
///
/// let pool = WorkerPool::start(parse_port, WorkerOptions::new())?;
/// assert_eq!(pool.call(" 8080\n".to_string())?, Ok(8080));
/// assert!(pool.call("eighty".to_string())?.is_err());
/// // The function itself, here and unsandboxed (for tests):
/// assert_eq!(parse_port.call_in_process("443".to_string()), Ok(443));
/// # Ok::<(), extrasafe::worker::WorkerError>(())
/// ```
///
/// As with `#[extrasafe::main]`, `crate = ".."` names a renamed extrasafe dependency.
#[cfg(all(feature = "worker", feature = "macros"))]
#[doc(inline)]
pub use extrasafe_macros::worker;

/// Deprecated: extrasafe no longer uses seccompiler; this is [`CompiledFilter`].
#[deprecated(
    since = "0.6.0",
    note = "extrasafe compiles its filters itself now: use `CompiledFilter`"
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
#[cfg(all(doctest, feature = "macros", feature = "landlock", feature = "worker"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
