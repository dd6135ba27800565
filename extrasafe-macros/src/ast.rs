//! Parsing: the typed input of each macro, read as lightly as possible.
//!
//! Bodies are kept as unparsed token trees, so that a mistake inside them is reported by
//! rustc at the user's own tokens, and so that the macros keep working (and the editor keeps
//! completing) while the body does not parse yet.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Ident, Signature, Token, Visibility};

/// One argument of `#[extrasafe::main(..)]`.
pub(crate) enum MainArg {
    /// An expression: the function (or closure) that builds the context.
    Context(Expr),
    /// `name = value`, a known option (`crate`) or not.
    Option(Opt),
}

/// `name = value` in the arguments of either macro.
pub(crate) struct Opt {
    /// The name; keywords (`crate`) are allowed.
    pub(crate) key: Ident,
    /// The value, not interpreted yet.
    pub(crate) value: Expr,
}

/// Whether `name =` (and not `name ==`) comes next.
fn peek_option(input: ParseStream<'_>) -> bool {
    input.peek(Ident::peek_any) && input.peek2(Token![=]) && !input.peek2(Token![==])
}

impl Opt {
    /// Parses `name = value`, the value stopping before a `{` (the block of `extrasafe!`).
    fn parse_before_block(input: ParseStream<'_>) -> syn::Result<Opt> {
        let key = input.call(Ident::parse_any)?;
        input.parse::<Token![=]>()?;
        let value = input.call(Expr::parse_without_eager_brace)?;
        Ok(Opt { key, value })
    }
}

impl Parse for MainArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<MainArg> {
        if peek_option(input) {
            let key = input.call(Ident::parse_any)?;
            input.parse::<Token![=]>()?;
            let value = input.parse()?;
            Ok(MainArg::Option(Opt { key, value }))
        } else {
            Ok(MainArg::Context(input.parse()?))
        }
    }
}

/// The arguments of `#[extrasafe::main(..)]`, in the order written.
pub(crate) struct MainArgs {
    pub(crate) args: Punctuated<MainArg, Token![,]>,
}

impl Parse for MainArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<MainArgs> {
        Ok(MainArgs {
            args: Punctuated::parse_terminated(input)?,
        })
    }
}

/// A function under `#[extrasafe::main]`: attributes, visibility and signature parsed, the
/// body left as one brace-delimited group.
#[derive(Clone)]
pub(crate) struct MainFn {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: Group,
}

impl Parse for MainFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<MainFn> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body = match input.parse::<TokenTree>()? {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => g,
            other => return Err(syn::Error::new(other.span(), "expected the function body")),
        };
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the function body"));
        }
        Ok(MainFn {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// Where an item that is not a function starts, after its attributes and visibility (its
/// `struct`, `mod`, ... keyword), for an error spanned there.
pub(crate) fn item_start(item: TokenStream) -> Span {
    let parsed = syn::parse::Parser::parse2(
        |input: ParseStream<'_>| {
            input.call(Attribute::parse_outer)?;
            input.parse::<Visibility>()?;
            let span = input.span();
            input.parse::<TokenStream>()?;
            Ok(span)
        },
        item,
    );
    parsed.unwrap_or_else(|_| Span::call_site())
}

/// The input of `extrasafe!(ctx, [options,] [move] { .. })`.
pub(crate) struct BlockInput {
    /// The context expression.
    pub(crate) ctx: Expr,
    /// `name = value` options between the context and the block.
    pub(crate) options: Vec<Opt>,
    /// `move` before the block.
    pub(crate) move_kw: Option<Token![move]>,
    /// The block, unparsed.
    pub(crate) body: Group,
}

/// How `extrasafe!` is written, for the messages about its form.
pub(crate) const BLOCK_FORM: &str = "extrasafe!(ctx, { .. })";

impl Parse for BlockInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<BlockInput> {
        if input.is_empty() {
            return Err(syn::Error::new(
                input.span(),
                format!("extrasafe! needs a context and a block: {BLOCK_FORM}"),
            ));
        }
        // A `{` ends the context expression: `extrasafe!(ctx { .. })` is a missing comma,
        // not a struct literal.
        let ctx = input.call(Expr::parse_without_eager_brace)?;
        let mut options: Vec<Opt> = Vec::new();
        loop {
            match options.last() {
                None => expect_comma(input, "the context")?,
                Some(opt) => expect_comma(input, &format!("the option `{}`", opt.key))?,
            }
            if !peek_option(input) {
                break;
            }
            options.push(input.call(Opt::parse_before_block)?);
        }
        let move_kw = input.parse::<Option<Token![move]>>()?;
        let body = match input.parse::<TokenTree>() {
            Ok(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g,
            Ok(other) => {
                return Err(syn::Error::new(
                    other.span(),
                    format!(
                        "expected a block `{{ .. }}` or an option `timeout = ..`: {BLOCK_FORM}"
                    ),
                ))
            }
            Err(_) => {
                return Err(syn::Error::new(
                    input.span(),
                    format!("extrasafe! needs a block after the context: {BLOCK_FORM}"),
                ))
            }
        };
        input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(input.error(format!("unexpected tokens after the block: {BLOCK_FORM}")));
        }
        Ok(BlockInput {
            ctx,
            options,
            move_kw,
            body,
        })
    }
}

/// Parses the `,` after `what`, with a message saying where it is missing.
fn expect_comma(input: ParseStream<'_>, what: &str) -> syn::Result<()> {
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        return Ok(());
    }
    if input.is_empty() {
        // (`input.error` would add "unexpected end of input" in front.)
        return Err(syn::Error::new(
            input.span(),
            format!("extrasafe! needs a block after {what}: {BLOCK_FORM}"),
        ));
    }
    Err(input.error(format!("expected `,` after {what}: {BLOCK_FORM}")))
}
