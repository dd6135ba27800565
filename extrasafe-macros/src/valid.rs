//! Checks: what the parsed input means. Every independent mistake is collected, so that one
//! compilation reports them all, each at its own token.

use proc_macro2::{Group, Span};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, FnArg, Lit, PatType, Path, Token};

use crate::ast::{BlockInput, MainArg, MainArgs, MainFn, Opt};

/// Independent mistakes, combined into one error.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn add(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// `value` if no mistake was found.
    pub(crate) fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}

/// The message for a missing context function.
pub(crate) const MISSING_CTX_FN: &str =
    "#[extrasafe::main] needs the function that builds the context: #[extrasafe::main(my_context)]";

/// `#[extrasafe::main]` once checked: what to expand.
pub(crate) struct MainPlan {
    /// The path of the extrasafe crate (`::extrasafe` unless `crate = ".."`).
    pub(crate) krate: Path,
    /// The function (or closure) that builds the context.
    pub(crate) ctx_fn: Expr,
    /// The function, without the runtime attributes.
    pub(crate) fun: MainFn,
    /// `#[tokio::main(..)]` attributes found on an `async fn main` (extrasafe's attribute
    /// was written above tokio's).
    pub(crate) runtime: Vec<Attribute>,
    /// `main`'s argument, if it takes one: the value the context function returns beside
    /// the context. `fun`'s signature still has it.
    pub(crate) resources: Option<PatType>,
}

/// The message for a second argument of `main`.
pub(crate) const SECOND_ARGUMENT: &str = "`main` takes at most one argument: the value the context function returns beside the context, as in `fn setup() -> Result<(SafetyContext, T), E>` and `fn main(value: T)`; for several values, return a tuple or a struct (command-line arguments: std::env::args())";

/// Whether `attr` is `#[tokio::main]` or `#[::tokio::main]`, with or without arguments.
pub(crate) fn is_runtime_attr(attr: &Attribute) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments == ["tokio", "main"]
}

/// Checks the arguments and the function of `#[extrasafe::main]`. `args` is the result of
/// parsing the arguments, so that a syntax error there is reported together with the
/// mistakes in the function.
pub(crate) fn main(args: syn::Result<MainArgs>, fun: &MainFn) -> syn::Result<MainPlan> {
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
                            errors.add(
                                expr.span(),
                                "#[extrasafe::main] takes one function that builds the context; this is a second one",
                            );
                        } else {
                            check_ctx_fn(&expr, &mut errors);
                            ctx_fn = Some(expr);
                        }
                    }
                    MainArg::Option(opt) if opt.key == "crate" => {
                        set_crate(&mut krate, &opt, "#[extrasafe::main]", &mut errors);
                    }
                    MainArg::Option(opt) => {
                        let message = if ["flavor", "worker_threads", "start_paused"]
                            .iter()
                            .any(|k| opt.key == k)
                        {
                            format!(
                                "`{}` is an option of #[tokio::main], not of #[extrasafe::main]: write #[tokio::main({} = ..)]",
                                opt.key, opt.key
                            )
                        } else {
                            format!(
                                "unknown option `{}`: #[extrasafe::main] takes the function that builds the context and `crate = \"path\"`",
                                opt.key
                            )
                        };
                        errors.add(opt.key.span(), message);
                    }
                }
            }
            if ctx_fn.is_none() {
                errors.add(Span::call_site(), MISSING_CTX_FN);
            }
        }
    }

    let sig = &fun.sig;
    if sig.ident != "main" {
        errors.add(
            sig.ident.span(),
            "#[extrasafe::main] goes on `fn main` only: to sandbox another function, apply a SafetyContext in it or wrap its body in extrasafe!(ctx, { .. })",
        );
    }
    let mut resources = None;
    for (i, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(receiver) => errors.add(
                receiver.span(),
                "`main` cannot take `self`: its one argument, if any, is the value the context function returns beside the context (`fn main(value: T)`)",
            ),
            FnArg::Typed(_) if i > 0 => {
                errors.add(input.span(), SECOND_ARGUMENT);
                break;
            }
            FnArg::Typed(arg) => resources = Some(arg.clone()),
        }
    }
    if let Some(variadic) = &sig.variadic {
        errors.add(
            variadic.span(),
            "`main` takes no variadic arguments: read command-line arguments with std::env::args()",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        let span = if sig.generics.params.is_empty() {
            sig.generics.where_clause.span()
        } else {
            sig.generics.span()
        };
        errors.add(
            span,
            "`main` cannot have generic parameters or a where clause",
        );
    }
    let (runtime, attrs): (Vec<Attribute>, Vec<Attribute>) =
        fun.attrs.iter().cloned().partition(is_runtime_attr);
    if let Some(asyncness) = &sig.asyncness {
        if runtime.is_empty() {
            match &resources {
                // Also what #[tokio::main] written above hands on, after its own error.
                Some(arg) => errors.add(
                    arg.span(),
                    "an `async fn main` that takes the context function's value needs #[tokio::main] written below #[extrasafe::main]: tokio refuses arguments on `main`, so it cannot come first",
                ),
                None => errors.add(
                    asyncness.span(),
                    "`async fn main` needs a runtime: put #[tokio::main] above or below #[extrasafe::main]",
                ),
            }
        }
    }
    if let (None, Some(arg)) = (&sig.asyncness, &resources) {
        if expanded_by_tokio_main(&fun.body.stream()) {
            // tokio reported the argument and expanded anyway; say which order works.
            errors.add(
                arg.span(),
                "#[tokio::main] written above #[extrasafe::main] refuses main's argument: write #[extrasafe::main(..)] above #[tokio::main], which then receives the value in the async main",
            );
        }
    }
    // A synchronous main keeps its attributes where they are: a #[tokio::main] on it is
    // tokio's to report.
    let (runtime, attrs) = if sig.asyncness.is_some() {
        (runtime, attrs)
    } else {
        (Vec::new(), fun.attrs.clone())
    };
    let krate = krate.unwrap_or_else(|| syn::parse_quote!(::extrasafe));
    let plan = ctx_fn.map(|ctx_fn| MainPlan {
        krate,
        ctx_fn,
        fun: MainFn {
            attrs,
            ..fun.clone()
        },
        runtime,
        resources,
    });
    let plan = errors.finish(plan)?;
    Ok(plan.expect("a missing context function is an error above"))
}

/// Whether `body` is the body of the synchronous main that `#[tokio::main]` generates (it
/// builds a runtime with tokio's own `expect` message).
fn expanded_by_tokio_main(body: &proc_macro2::TokenStream) -> bool {
    body.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Literal(lit) => {
            lit.to_string() == "\"Failed building the Runtime\""
        }
        proc_macro2::TokenTree::Group(g) => expanded_by_tokio_main(&g.stream()),
        _ => false,
    })
}

/// The context function must be named (a path) or written out (a closure): any other
/// expression is a value, but `#[extrasafe::main]` calls it.
pub(crate) fn check_ctx_fn(expr: &Expr, errors: &mut Errors) {
    if !matches!(expr, Expr::Path(_) | Expr::Closure(_)) {
        errors.add(
            expr.span(),
            "expected the name of the function that builds the context (or a closure): #[extrasafe::main(my_context)] calls it before main's body",
        );
    }
}

/// Records `crate = "path"`, once.
pub(crate) fn set_crate(
    krate: &mut Option<Path>,
    opt: &Opt,
    macro_name: &str,
    errors: &mut Errors,
) {
    if krate.is_some() {
        errors.add(opt.key.span(), "`crate` is given twice");
        return;
    }
    match &opt.value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => match lit.parse::<Path>() {
            Ok(path) => *krate = Some(path),
            Err(_) => errors.add(
                lit.span(),
                format!(
                    "`crate` must be the path of the extrasafe crate, such as \"my_extrasafe\" or \"::extrasafe\", found \"{}\"",
                    lit.value()
                ),
            ),
        },
        other => errors.add(
            other.span(),
            format!(
                "`crate` takes a string literal: {macro_name} with crate = \"my_extrasafe\" (found `{}`)",
                other.to_token_stream()
            ),
        ),
    }
}

/// `extrasafe!` once checked: what to expand.
pub(crate) struct BlockPlan {
    pub(crate) krate: Path,
    pub(crate) ctx: Expr,
    pub(crate) timeout: Option<Expr>,
    pub(crate) move_kw: Option<Token![move]>,
    pub(crate) body: Group,
}

/// Checks the options of `extrasafe!`.
pub(crate) fn block(input: BlockInput) -> syn::Result<BlockPlan> {
    let mut errors = Errors::default();
    let mut krate = None;
    let mut timeout = None;
    for opt in input.options {
        if opt.key == "crate" {
            set_crate(&mut krate, &opt, "extrasafe!", &mut errors);
        } else if opt.key == "timeout" {
            if timeout.is_some() {
                errors.add(opt.key.span(), "`timeout` is given twice");
            } else {
                timeout = Some(opt.value);
            }
        } else {
            errors.add(
                opt.key.span(),
                format!(
                    "unknown option `{}`: extrasafe! takes `timeout = <Duration>` and `crate = \"path\"`",
                    opt.key
                ),
            );
        }
    }
    errors.finish(BlockPlan {
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::extrasafe)),
        ctx: input.ctx,
        timeout,
        move_kw: input.move_kw,
        body: input.body,
    })
}
