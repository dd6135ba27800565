//! What the macros of `extrasafe-macros` expand to. Not public API: names and signatures may
//! change in any release.

use std::any::Any;
use std::fmt::Display;

use crate::{ExtraSafeError, SafetyContext};

/// What the function named in `#[extrasafe::main(ctx_fn)]` may return.
#[diagnostic::on_unimplemented(
    message = "the function named in `#[extrasafe::main(..)]` returns `{Self}`, not a SafetyContext",
    label = "this must return `SafetyContext` or `Result<SafetyContext, E>` with `E: Display`",
    note = "write a function such as `fn sandbox() -> Result<SafetyContext, ExtraSafeError>` and name it: `#[extrasafe::main(sandbox)]`",
    note = "a function that returns `(SafetyContext, T)` (or a `Result` of it) hands main a value: write `fn main(value: T)`"
)]
pub trait MainContext {
    /// The context, or the error to print (with the help line of an [`ExtraSafeError`]).
    fn into_main_context(self) -> Result<SafetyContext, String>;
}

impl MainContext for SafetyContext {
    fn into_main_context(self) -> Result<SafetyContext, String> {
        Ok(self)
    }
}

impl<E: Display + 'static> MainContext for Result<SafetyContext, E> {
    fn into_main_context(self) -> Result<SafetyContext, String> {
        self.map_err(|e| {
            let help = (&e as &dyn Any)
                .downcast_ref::<ExtraSafeError>()
                .and_then(ExtraSafeError::help);
            with_help(e.to_string(), help)
        })
    }
}

/// `message`, then `help` (if any) on a line of its own, as `#[extrasafe::main]` prints them.
fn with_help(message: String, help: Option<String>) -> String {
    match help {
        Some(help) => format!("{message}\nextrasafe: help: {help}"),
        None => message,
    }
}

/// What the function named in `#[extrasafe::main(ctx_fn)]` may return when `main` takes an
/// argument of type `R`: the context and the value `main` receives.
#[diagnostic::on_unimplemented(
    message = "`main` takes `{R}`, but the function named in `#[extrasafe::main(..)]` returns `{Self}`",
    label = "this must return `(SafetyContext, {R})` or `Result<(SafetyContext, {R}), E>` with `E: Display`",
    note = "the context function hands main its argument: `fn setup() -> Result<(SafetyContext, {R}), ExtraSafeError>` and `fn main(value: {R})`"
)]
pub trait MainResources<R> {
    /// The context and the value, or the error to print.
    fn into_main_resources(self) -> Result<(SafetyContext, R), String>;
}

impl<R> MainResources<R> for (SafetyContext, R) {
    fn into_main_resources(self) -> Result<(SafetyContext, R), String> {
        Ok(self)
    }
}

impl<R, E: Display + 'static> MainResources<R> for Result<(SafetyContext, R), E> {
    fn into_main_resources(self) -> Result<(SafetyContext, R), String> {
        self.map_err(|e| {
            let help = (&e as &dyn Any)
                .downcast_ref::<ExtraSafeError>()
                .and_then(ExtraSafeError::help);
            with_help(e.to_string(), help)
        })
    }
}

/// Builds the context with `ctx_fn` and applies it to every thread of the process (at the
/// top of `main`, the only thread); a context that isolates the process continues in an
/// isolated child first (`SafetyContext::apply_isolated`). On failure, prints the error and exits with status 1:
/// the body of `main` never runs unsandboxed.
pub fn enter_main<C: MainContext>(ctx_fn: impl FnOnce() -> C) {
    match ctx_fn().into_main_context() {
        Ok(ctx) => apply_main(ctx),
        Err(e) => exit_unbuilt(&e),
    }
}

/// As [`enter_main`], for a `main` that takes an argument: `ctx_fn` returns the context and
/// that value, which is returned once the context is applied. With a context that isolates
/// the process, the value was made before the fork and is returned in the isolated process
/// (its descriptors are open there only if the isolation keeps them: `keep_fd`).
pub fn enter_main_with<R, C, F>(ctx_fn: F) -> R
where
    C: MainResources<R>,
    F: FnOnce() -> C,
{
    match ctx_fn().into_main_resources() {
        Ok((ctx, value)) => {
            apply_main(ctx);
            value
        }
        Err(e) => exit_unbuilt(&e),
    }
}

/// The context function failed: prints why and exits with status 1.
fn exit_unbuilt(e: &str) -> ! {
    eprintln!("extrasafe: could not build the context for main: {e}");
    std::process::exit(1);
}

/// Applies `main`'s context, or prints why it could not and exits with status 1.
fn apply_main(ctx: SafetyContext) {
    if let Err(e) = ctx.apply_isolated() {
        let help = e.help();
        eprintln!(
            "extrasafe: could not sandbox main: {}",
            with_help(e.to_string(), help)
        );
        std::process::exit(1);
    }
}

/// What the first argument of `extrasafe!(ctx, { .. })` may be.
#[diagnostic::on_unimplemented(
    message = "the first argument of `extrasafe!` is `{Self}`, not a SafetyContext",
    label = "expected `SafetyContext` or `Result<SafetyContext, ExtraSafeError>`"
)]
pub trait BlockContext {
    /// The context, or why it could not be built.
    fn into_block_context(self) -> Result<SafetyContext, ExtraSafeError>;
}

impl BlockContext for SafetyContext {
    fn into_block_context(self) -> Result<SafetyContext, ExtraSafeError> {
        Ok(self)
    }
}

impl BlockContext for Result<SafetyContext, ExtraSafeError> {
    fn into_block_context(self) -> Result<SafetyContext, ExtraSafeError> {
        self
    }
}

/// `extrasafe!(ctx, { .. })`: runs the block on a fresh sandboxed thread.
///
/// # Errors
/// As [`SafetyContext::run`].
pub fn run<C, T, F>(ctx: C, f: F) -> Result<T, ExtraSafeError>
where
    C: BlockContext,
    F: FnOnce() -> T + Send,
    T: Send,
{
    ctx.into_block_context()?.run(f)
}

/// `extrasafe!(ctx, timeout = d, { .. })` (feature `macro-return`).
///
/// # Errors
/// As [`SafetyContext::run_with_timeout`].
#[cfg(feature = "macro-return")]
pub fn run_with_timeout<C, T, F>(
    ctx: C,
    timeout: std::time::Duration,
    f: F,
) -> Result<T, ExtraSafeError>
where
    C: BlockContext,
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    ctx.into_block_context()?.run_with_timeout(timeout, f)
}

/// Satisfied only with the `macro-return` feature, which the timeout form needs.
#[cfg(not(feature = "macro-return"))]
#[diagnostic::on_unimplemented(
    message = "`extrasafe!(ctx, timeout = .., {{ .. }})` needs the `macro-return` feature of extrasafe",
    label = "the timeout form is used here",
    note = "enable it in Cargo.toml: extrasafe = {{ version = \"..\", features = [\"macro-return\"] }}"
)]
pub trait TimeoutNeedsMacroReturn {}

/// `extrasafe!(ctx, timeout = d, { .. })` without the `macro-return` feature: does not
/// compile, with a message saying which feature to enable.
///
/// # Errors
/// Never returns: it cannot be called.
#[cfg(not(feature = "macro-return"))]
pub fn run_with_timeout<C, T, F>(
    _ctx: C,
    _timeout: std::time::Duration,
    _f: F,
) -> Result<T, ExtraSafeError>
where
    C: BlockContext + TimeoutNeedsMacroReturn,
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    unreachable!("TimeoutNeedsMacroReturn has no implementations")
}

/// What the function named in `#[extrasafe::worker(ctx_fn)]` may return.
#[cfg(feature = "worker")]
#[diagnostic::on_unimplemented(
    message = "the function named in `#[extrasafe::worker(..)]` returns `{Self}`, not a SafetyContext",
    label = "this must return `SafetyContext` or `Result<SafetyContext, E>` with `E: Display`",
    note = "write a function such as `fn sandbox() -> Result<SafetyContext, ExtraSafeError>` and name it: `#[extrasafe::worker(sandbox)]`"
)]
pub trait WorkerContext {
    /// The context, or the error the worker reports (with the help line of an
    /// [`ExtraSafeError`]).
    fn into_worker_context(self) -> Result<SafetyContext, String>;
}

#[cfg(feature = "worker")]
impl<C: MainContext> WorkerContext for C {
    fn into_worker_context(self) -> Result<SafetyContext, String> {
        self.into_main_context()
            .map_err(|e| match e.split_once("\nextrasafe: help: ") {
                Some((message, help)) => format!("{message} (help: {help})"),
                None => e,
            })
    }
}

/// The constructor `#[extrasafe::worker]` registers: becomes the worker for `entry` if this
/// process was started as one, else returns at once.
#[cfg(feature = "worker")]
pub fn worker_ctor<I, O>(entry: &crate::worker::WorkerFn<I, O>)
where
    I: serde::de::DeserializeOwned,
    O: serde::Serialize,
{
    // Nothing may unwind out of a constructor.
    let _ = std::panic::catch_unwind(|| crate::worker::enter_worker(entry));
}

/// Registers a worker function's constructor: a function in the program's `.init_array`,
/// which the C runtime calls before `main` (and before the test harness's `main`), so that a
/// re-executed program becomes the worker before any of its own code runs.
///
/// `$ctor` is the name of the constructor function to define; it calls
/// `__private::worker_ctor(&$entry)`, which returns at once unless the process was started
/// as a worker for `$entry`.
#[doc(hidden)]
#[cfg(feature = "worker")]
#[macro_export]
macro_rules! __worker_ctor {
    ($entry:ident, $ctor:ident) => {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        extern "C" fn $ctor() {
            $crate::__private::worker_ctor(&$entry);
        }
        const _: () = {
            // SAFETY (of the section): `.init_array` holds pointers to `extern "C"`
            // functions taking no arguments that the C runtime calls once at start-up;
            // this is one, and it neither unwinds (worker_ctor catches every panic) nor
            // returns into a half-initialised state (it returns at once, or never).
            #[used]
            #[link_section = ".init_array"]
            static CONSTRUCTOR: extern "C" fn() = $ctor;
        };
    };
}
