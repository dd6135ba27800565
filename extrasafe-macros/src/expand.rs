//! Expansion: the code each macro generates, and what it generates on error.
//!
//! Generated code names extrasafe's runtime as `<crate>::__private::..` (`::extrasafe` unless
//! `crate = ".."` says otherwise), and keeps the user's tokens with their spans, so that a
//! mistake in the user's code is reported there.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use crate::ast::{self, BlockInput, MainArgs, MainFn};
use crate::valid::{self, BlockPlan, MainPlan};

/// `#[extrasafe::main(args)] item`.
pub(crate) fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    let fun: MainFn = match syn::parse2(item.clone()) {
        Ok(fun) => fun,
        Err(_) => {
            let error = syn::Error::new(
                ast::item_start(item.clone()),
                "#[extrasafe::main] goes on `fn main`",
            );
            let mut out = item;
            out.extend(error.into_compile_error());
            return out;
        }
    };
    let args = syn::parse2::<MainArgs>(args);
    match valid::main(args, &fun) {
        Ok(plan) => expand_main(plan),
        Err(error) => main_fallback(&fun, &error),
    }
}

/// Sandboxes the process as the first thing `main` does, before any other thread exists.
fn expand_main(plan: MainPlan) -> TokenStream {
    let MainPlan {
        krate,
        ctx_fn,
        fun,
        runtime,
        resources,
    } = plan;
    let MainFn {
        attrs,
        vis,
        sig,
        body,
    } = fun;
    // The whole call is spanned at the context function, so that rustc reports a wrong
    // return type there rather than at the attribute.
    let span = ctx_fn.span();
    let krate = respan(krate.to_token_stream(), span);
    let enter_with = |pat: &dyn ToTokens, attrs: &[syn::Attribute], ty: &syn::Type| {
        quote_spanned! {span=>
            #(#attrs)*
            let #pat: #ty = #krate::__private::enter_main_with::<#ty, _, _>(#ctx_fn);
        }
    };
    let mut outer = sig.clone();
    outer.inputs = syn::punctuated::Punctuated::new();
    if runtime.is_empty() {
        // A synchronous main: either the user's, or the one #[tokio::main] generated when it
        // was written above us, whose body builds the runtime. Either way, no thread exists
        // yet when the first statement runs. Its argument becomes the first statement's
        // binding.
        let enter = match &resources {
            None => quote_spanned! {span=> #krate::__private::enter_main(#ctx_fn); },
            Some(arg) => enter_with(&arg.pat, &arg.attrs, &arg.ty),
        };
        let body = prepend_statements(&body, enter);
        return quote! { #(#attrs)* #vis #outer #body };
    }
    // An `async fn main` with #[tokio::main] still attached (we were written above it): an
    // inner async function takes the body, the argument and tokio's attribute, and main
    // sandboxes the process before calling it, and so before tokio builds its runtime.
    outer.asyncness = None;
    let mut inner = sig;
    inner.ident = Ident::new("__extrasafe_main", Span::call_site());
    let inner_name = &inner.ident;
    let (enter, call) = match &resources {
        None => (
            quote_spanned! {span=> #krate::__private::enter_main(#ctx_fn); },
            quote! { #inner_name() },
        ),
        Some(arg) => {
            let value = Ident::new("__extrasafe_value", Span::mixed_site());
            (
                enter_with(&value, &[], &arg.ty),
                quote! { #inner_name(#value) },
            )
        }
    };
    quote! {
        #(#attrs)*
        #vis #outer {
            #(#runtime)*
            #inner #body
            #enter
            #call
        }
    }
}

/// `tokens` with every span set to `span` (paths keep resolving as before: only where
/// diagnostics point changes).
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(g) = &tree {
                let mut group = Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tree = TokenTree::Group(group);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// `body` with `statements` inserted at its start, after any inner attributes (`#![..]`).
fn prepend_statements(body: &Group, statements: TokenStream) -> Group {
    let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut split = 0;
    while let [TokenTree::Punct(hash), TokenTree::Punct(bang), TokenTree::Group(attr), ..] =
        &tokens[split..]
    {
        if hash.as_char() == '#' && bang.as_char() == '!' && attr.delimiter() == Delimiter::Bracket
        {
            split += 3;
        } else {
            break;
        }
    }
    let mut stream: TokenStream = tokens[..split].iter().cloned().collect();
    stream.extend(statements);
    stream.extend(tokens[split..].iter().cloned());
    let mut group = Group::new(Delimiter::Brace, stream);
    group.set_span(body.span());
    group
}

/// On a mistake: the error, and the user's function kept compiling on its own (nested in a
/// plain `fn main() {}` when it is `main`, so that an `async fn main` or one with arguments
/// gives no second error), so that one mistake gives one diagnostic.
fn main_fallback(fun: &MainFn, error: &syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    if fun.sig.ident != "main" {
        return quote! { #errors #fun };
    }
    let attrs = fun.attrs.iter().filter(|a| !valid::is_runtime_attr(a));
    let sig = &fun.sig;
    let body = &fun.body;
    quote! {
        #errors
        fn main() {
            #[allow(dead_code)]
            #(#attrs)* #sig #body
        }
    }
}

impl ToTokens for MainFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for attr in &self.attrs {
            attr.to_tokens(tokens);
        }
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.body.to_tokens(tokens);
    }
}

/// `extrasafe!(input)`.
pub(crate) fn block(input: TokenStream) -> TokenStream {
    let plan = syn::parse2::<BlockInput>(input).and_then(valid::block);
    match plan {
        Ok(plan) => expand_block(plan),
        // In expression position: rustc takes the expression's type as unknown, so the error
        // is the only diagnostic.
        Err(error) => {
            let errors = error.to_compile_error();
            quote! { { #errors } }
        }
    }
}

/// Runs the block as a closure on a fresh sandboxed thread. The closure is spanned at the
/// user's block, so that a borrow or `Send` error in it is reported there.
fn expand_block(plan: BlockPlan) -> TokenStream {
    let BlockPlan {
        krate,
        ctx,
        timeout,
        move_kw,
        body,
    } = plan;
    let span = body.span();
    match timeout {
        None => {
            let closure = quote_spanned! {span=> #move_kw || #body };
            quote! { #krate::__private::run(#ctx, #closure) }
        }
        Some(timeout) => {
            // The thread may outlive the call: the closure owns what it uses.
            let closure = quote_spanned! {span=> move || #body };
            quote! { #krate::__private::run_with_timeout(#ctx, #timeout, #closure) }
        }
    }
}
