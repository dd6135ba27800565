//! `#[extrasafe::worker(ctx_fn)]`: parsing (with the `main` attribute's grammar), checks and
//! expansion of a worker function.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, FnArg, Path, ReturnType, Type};

use crate::ast::{self, MainArg, MainArgs, MainFn};
use crate::valid::{self, Errors};

/// The message for a missing context function.
pub(crate) const MISSING_CTX_FN: &str = "#[extrasafe::worker] needs the function that builds the worker's context: #[extrasafe::worker(my_context)]";

/// `#[extrasafe::worker(args)] item`.
pub(crate) fn worker(args: TokenStream, item: TokenStream) -> TokenStream {
    let fun: MainFn = match syn::parse2(item.clone()) {
        Ok(fun) => fun,
        Err(_) => {
            let error = syn::Error::new(
                ast::item_start(item.clone()),
                "#[extrasafe::worker] goes on a function `fn name(input: I) -> O`",
            );
            let mut out = item;
            out.extend(error.into_compile_error());
            return out;
        }
    };
    let args = syn::parse2::<MainArgs>(args);
    match check(args, &fun) {
        Ok((krate, ctx_fn, input)) => expand(krate, ctx_fn, input, fun),
        Err(error) => {
            let mut out = fun_tokens(&fun);
            out.extend(error.into_compile_error());
            out
        }
    }
}

fn fun_tokens(fun: &MainFn) -> TokenStream {
    let MainFn {
        attrs,
        vis,
        sig,
        body,
    } = fun;
    quote! { #(#attrs)* #vis #sig #body }
}

/// Checks the arguments and the function: the crate path, the context function and the
/// input's type.
fn check(args: syn::Result<MainArgs>, fun: &MainFn) -> syn::Result<(Path, Expr, syn::PatType)> {
    let mut errors = Errors::default();
    let mut krate = None;
    let mut ctx_fn: Option<Expr> = None;
    match args {
        Err(e) => errors.push(e),
        Ok(args) => {
            for arg in args.args {
                match arg {
                    MainArg::Context(expr) => {
                        if ctx_fn.is_some() {
                            errors.push(syn::Error::new(
                                expr.span(),
                                "#[extrasafe::worker] takes one function that builds the context; this is a second one",
                            ));
                        } else {
                            if !matches!(expr, Expr::Path(_) | Expr::Closure(_)) {
                                errors.push(syn::Error::new(
                                    expr.span(),
                                    "expected the name of the function that builds the worker's context (or a closure): #[extrasafe::worker(my_context)] calls it in the worker, before the first input",
                                ));
                            }
                            ctx_fn = Some(expr);
                        }
                    }
                    MainArg::Option(opt) if opt.key == "crate" => {
                        valid::set_crate(&mut krate, &opt, "#[extrasafe::worker]", &mut errors);
                    }
                    MainArg::Option(opt) => errors.push(syn::Error::new(
                        opt.key.span(),
                        format!(
                            "unknown option `{}`: #[extrasafe::worker] takes the function that builds the context and `crate = \"path\"`; the pool's options are WorkerOptions",
                            opt.key
                        ),
                    )),
                }
            }
            if ctx_fn.is_none() {
                errors.push(syn::Error::new(Span::call_site(), MISSING_CTX_FN));
            }
        }
    }
    let sig = &fun.sig;
    if let Some(asyncness) = &sig.asyncness {
        errors.push(syn::Error::new(
            asyncness.span(),
            "a worker function cannot be async: it runs in its own process; to await a call, use WorkerPool::call_async",
        ));
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        errors.push(syn::Error::new(
            unsafety.span(),
            "a worker function cannot be `unsafe`",
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new(
            constness.span(),
            "a worker function cannot be `const`",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new(
            abi.span(),
            "a worker function cannot have an `extern` ABI",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            "a worker function cannot be generic: the worker is started for one input type and one output type",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new(
            variadic.span(),
            "a worker function cannot be variadic",
        ));
    }
    let mut input = None;
    for (i, arg) in sig.inputs.iter().enumerate() {
        match arg {
            FnArg::Receiver(receiver) => errors.push(syn::Error::new(
                receiver.span(),
                "a worker function cannot take `self`: it takes one input, `fn name(input: I) -> O`",
            )),
            FnArg::Typed(_) if i > 0 => {
                errors.push(syn::Error::new(
                    arg.span(),
                    "a worker function takes one input: for several values, take a tuple or a struct, `fn name((a, b): (A, B)) -> O`",
                ));
                break;
            }
            FnArg::Typed(typed) => {
                if let Type::Reference(reference) = &*typed.ty {
                    errors.push(syn::Error::new(
                        reference.span(),
                        "a worker function takes its input by value: it is deserialized in the worker (take `String` for `&str`, `Vec<u8>` for `&[u8]`)",
                    ));
                }
                input = Some(typed.clone());
            }
        }
    }
    if sig.inputs.is_empty() {
        errors.push(syn::Error::new(
            sig.paren_token.span.join(),
            "a worker function takes one input, `fn name(input: I) -> O` (for none, take `()`)",
        ));
    }
    let krate = krate.unwrap_or_else(|| syn::parse_quote!(::extrasafe));
    match (errors.finish(()), ctx_fn, input) {
        (Ok(()), Some(ctx_fn), Some(input)) => Ok((krate, ctx_fn, input)),
        (Err(e), _, _) => Err(e),
        // Each missing part was reported above; this is never reached.
        (Ok(()), _, _) => Err(syn::Error::new(Span::call_site(), MISSING_CTX_FN)),
    }
}

/// The constant that replaces the function, the function under a hidden name, and the
/// constructor that makes a re-executed program the worker.
fn expand(krate: Path, ctx_fn: Expr, input: syn::PatType, fun: MainFn) -> TokenStream {
    let MainFn {
        attrs,
        vis,
        sig,
        body,
    } = fun;
    let name = &sig.ident;
    let impl_name = format_ident!("__extrasafe_worker_{}", name);
    let ctor_name = format_ident!("__extrasafe_worker_ctor_{}", name);
    let (docs, others): (Vec<_>, Vec<_>) =
        attrs.into_iter().partition(|a| a.path().is_ident("doc"));
    let in_ty = &input.ty;
    let out_ty = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    let pat = &input.pat;
    let span = ctx_fn.span();
    let context = quote_spanned! {span=>
        || #krate::__private::WorkerContext::into_worker_context((#ctx_fn)())
    };
    quote! {
        #(#docs)*
        #[allow(non_upper_case_globals)]
        #vis const #name: #krate::worker::WorkerFn<#in_ty, #out_ty> =
            #krate::worker::WorkerFn::__new(
                ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name)),
                #context,
                #impl_name,
            );
        #[doc(hidden)]
        #[allow(non_snake_case)]
        #(#others)*
        fn #impl_name(#pat: #in_ty) -> #out_ty #body
        #krate::__worker_ctor!(#name, #ctor_name);
    }
}
