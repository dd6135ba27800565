//! What the macros of `extrasafe-macros` expand to. Not public API: names and signatures may
//! change in any release.

use std::any::Any;
use std::fmt::Display;

use crate::{ExtraSafeError, SafetyContext};

/// What the function named in `#[extrasafe::main(ctx_fn)]` may return.
#[diagnostic::on_unimplemented(
    message = "the function named in `#[extrasafe::main(..)]` returns `{Self}`, not a SafetyContext",
    label = "this must return `SafetyContext` or `Result<SafetyContext, E>` with `E: Display`",
    note = "write a function such as `fn sandbox() -> Result<SafetyContext, ExtraSafeError>` and name it: `#[extrasafe::main(sandbox)]`"
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

/// Builds the context with `ctx_fn` and applies it to every thread of the process (at the
/// top of `main`, the only thread); a context that isolates the process continues in an
/// isolated child first (`SafetyContext::apply_isolated`). On failure, prints the error and exits with status 1:
/// the body of `main` never runs unsandboxed.
pub fn enter_main<C: MainContext>(ctx_fn: impl FnOnce() -> C) {
    let ctx = match ctx_fn().into_main_context() {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("extrasafe: could not build the context for main: {e}");
            std::process::exit(1);
        }
    };
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
