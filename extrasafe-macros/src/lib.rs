//! Procedural macros for extrasafe: `#[extrasafe::main]` and `extrasafe!`.
//!
//! Depend on `extrasafe` (its `macros` feature is on by default) and use them as
//! `#[extrasafe::main]` and `extrasafe::extrasafe!`; their documentation, with examples, is
//! there. This crate only turns tokens into calls to extrasafe's hidden `__private` module.
//!
//! Each macro is a one-line shim into the `expand` module, which works on `proc_macro2`
//! tokens (so the logic is unit-tested) in stages: `ast` parses, `valid` checks, and `expand`
//! generates, or re-emits the user's code beside one `compile_error!` per mistake.

mod ast;
mod expand;
mod valid;
mod worker;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// `#[extrasafe::main(ctx_fn)]`: sandboxes the whole program before the body of `main`.
///
/// Defined in `extrasafe-macros` and re-exported as `extrasafe::main`, whose documentation
/// (with examples) is the reference; depend on `extrasafe`, not on this crate.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::main(args.into(), item.into()).into()
}

/// `#[extrasafe::worker(ctx_fn)]`: makes a `fn(I) -> O` a function that sandboxed worker
/// processes run.
///
/// Defined in `extrasafe-macros` and re-exported as `extrasafe::worker` (feature `worker`),
/// whose documentation (with examples) is the reference; depend on `extrasafe`.
#[proc_macro_attribute]
pub fn worker(args: TokenStream, item: TokenStream) -> TokenStream {
    worker::worker(args.into(), item.into()).into()
}

/// `extrasafe!(ctx, { .. })`: runs a block on a fresh sandboxed thread.
///
/// Defined in `extrasafe-macros` and re-exported as `extrasafe::extrasafe!`, whose
/// documentation (with examples) is the reference; depend on `extrasafe`, not on this crate.
#[proc_macro]
pub fn extrasafe(input: TokenStream) -> TokenStream {
    expand::block(input.into()).into()
}
