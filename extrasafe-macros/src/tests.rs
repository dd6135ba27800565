//! The macros' logic on plain tokens: what they expand to, and their messages.

use proc_macro2::{TokenStream, TokenTree};

use crate::expand;

fn tokens(s: &str) -> TokenStream {
    s.parse().expect("test input tokenizes")
}

fn main_attr(args: &str, item: &str) -> TokenStream {
    expand::main(tokens(args), tokens(item))
}

fn block(input: &str) -> TokenStream {
    expand::block(tokens(input))
}

/// The output with all whitespace removed, for comparing shapes.
fn squash(out: &TokenStream) -> String {
    out.to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The messages of the `compile_error!`s in `out`, in order.
fn errors(out: &TokenStream) -> Vec<String> {
    fn walk(stream: TokenStream, found: &mut Vec<String>) {
        let trees: Vec<TokenTree> = stream.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            if let TokenTree::Ident(ident) = tree {
                if ident == "compile_error" {
                    if let Some(TokenTree::Group(g)) = trees.get(i + 2) {
                        let lit: syn::LitStr =
                            syn::parse2(g.stream()).expect("compile_error! holds a string");
                        found.push(lit.value());
                    }
                }
            }
            if let TokenTree::Group(g) = tree {
                walk(g.stream(), found);
            }
        }
    }
    let mut found = Vec::new();
    walk(out.clone(), &mut found);
    found
}

#[test]
fn sync_main_enters_the_sandbox_first() {
    let out = main_attr("my_ctx", "fn main() { println!(\"hi\"); }");
    assert!(errors(&out).is_empty(), "{out}");
    assert_eq!(
        squash(&out),
        "fnmain(){::extrasafe::__private::enter_main(my_ctx);println!(\"hi\");}"
    );
}

#[test]
fn result_main_keeps_its_return_type_and_attributes() {
    let out = main_attr(
        "ctx",
        "#[allow(unused)] pub fn main() -> Result<(), Box<dyn Error>> { #![allow(dead_code)] Ok(()) }",
    );
    assert_eq!(
        squash(&out),
        "#[allow(unused)]pubfnmain()->Result<(),Box<dynError>>{#![allow(dead_code)]::extrasafe::__private::enter_main(ctx);Ok(())}"
    );
}

#[test]
fn a_closure_is_a_context_function_too() {
    let out = main_attr("|| make(1)", "fn main() {}");
    assert!(errors(&out).is_empty(), "{out}");
    assert!(squash(&out).contains("enter_main(||make(1));"), "{out}");
}

#[test]
fn crate_option_renames_the_runtime_path() {
    let out = main_attr("ctx, crate = \"my_es\"", "fn main() {}");
    assert_eq!(squash(&out), "fnmain(){my_es::__private::enter_main(ctx);}");
    let out = main_attr("crate = \"::a::b\", ctx", "fn main() {}");
    assert_eq!(
        squash(&out),
        "fnmain(){::a::b::__private::enter_main(ctx);}"
    );
}

#[test]
fn above_tokio_main_the_runtime_moves_into_an_inner_function() {
    let out = main_attr(
        "ctx",
        "#[doc = \"d\"] #[tokio::main(flavor = \"multi_thread\")] async fn main() -> io::Result<()> { work().await }",
    );
    assert!(errors(&out).is_empty(), "{out}");
    assert_eq!(
        squash(&out),
        "#[doc=\"d\"]fnmain()->io::Result<()>{\
         #[tokio::main(flavor=\"multi_thread\")]asyncfn__extrasafe_main()->io::Result<()>{work().await}\
         ::extrasafe::__private::enter_main(ctx);__extrasafe_main()}"
    );
    let out = main_attr("ctx", "#[::tokio::main] async fn main() {}");
    assert!(errors(&out).is_empty(), "{out}");
    assert!(squash(&out).starts_with("fnmain(){#[::tokio::main]asyncfn__extrasafe_main"));
}

#[test]
fn below_tokio_main_the_generated_sync_main_gets_the_first_statement() {
    // What #[tokio::main] hands on: a synchronous main that builds the runtime.
    let out = main_attr(
        "ctx",
        "fn main() { let body = async { 1 }; { return Builder::new_multi_thread().build().unwrap().block_on(body); } }",
    );
    assert!(
        squash(&out).starts_with("fnmain(){::extrasafe::__private::enter_main(ctx);letbody"),
        "{out}"
    );
}

#[test]
fn main_argument_is_bound_to_the_context_functions_value() {
    let out = main_attr("setup", "fn main(res: Res) { use_it(res); }");
    assert!(errors(&out).is_empty(), "{out}");
    assert_eq!(
        squash(&out),
        "fnmain(){letres:Res=::extrasafe::__private::enter_main_with::<Res,_,_>(setup);use_it(res);}"
    );
    // Any irrefutable pattern, its attributes, a Result return type and inner attributes.
    let out = main_attr(
        "setup",
        "fn main(#[allow(unused)] (a, mut b): (A, B)) -> Result<(), E> { #![allow(x)] Ok(()) }",
    );
    assert!(errors(&out).is_empty(), "{out}");
    assert_eq!(
        squash(&out),
        "fnmain()->Result<(),E>{#![allow(x)]#[allow(unused)]let(a,mutb):(A,B)=\
         ::extrasafe::__private::enter_main_with::<(A,B),_,_>(setup);Ok(())}"
    );
}

#[test]
fn above_tokio_main_the_argument_goes_to_the_inner_function() {
    let out = main_attr(
        "setup",
        "#[tokio::main] async fn main(res: Res) { res.go().await }",
    );
    assert!(errors(&out).is_empty(), "{out}");
    assert_eq!(
        squash(&out),
        "fnmain(){#[tokio::main]asyncfn__extrasafe_main(res:Res){res.go().await}\
         let__extrasafe_value:Res=::extrasafe::__private::enter_main_with::<Res,_,_>(setup);\
         __extrasafe_main(__extrasafe_value)}"
    );
}

#[test]
fn main_argument_mistakes() {
    let out = main_attr("setup", "fn main(a: A, b: B, c: C) {}");
    assert_eq!(errors(&out), [crate::valid::SECOND_ARGUMENT]);
    let out = main_attr("setup", "fn main(self) {}");
    assert_eq!(errors(&out).len(), 1);
    assert!(errors(&out)[0].starts_with("`main` cannot take `self`"));
    // What #[tokio::main] written above hands on after refusing the argument (it also
    // reports it): the order that works.
    let out = main_attr(
        "setup",
        "fn main(res: Res) { let body = async { 1 }; return Builder::new_multi_thread().build()\
         .expect(\"Failed building the Runtime\").block_on(body); }",
    );
    assert_eq!(errors(&out).len(), 1, "{out}");
    assert!(
        errors(&out)[0].starts_with("#[tokio::main] written above #[extrasafe::main] refuses"),
        "{out}"
    );
    // An async main without any runtime: one error saying which order works.
    let out = main_attr("setup", "async fn main(res: Res) {}");
    assert_eq!(errors(&out).len(), 1);
    assert!(
        errors(&out)[0].contains("needs #[tokio::main] written below #[extrasafe::main]"),
        "{out}"
    );
}

#[test]
fn missing_context_function() {
    let out = main_attr("", "fn main() {}");
    assert_eq!(errors(&out), [crate::valid::MISSING_CTX_FN]);
    let out = main_attr("crate = \"x\"", "fn main() {}");
    assert_eq!(errors(&out), [crate::valid::MISSING_CTX_FN]);
}

#[test]
fn async_main_without_a_runtime() {
    let out = main_attr("ctx", "async fn main() {}");
    assert_eq!(
        errors(&out),
        ["`async fn main` needs a runtime: put #[tokio::main] above or below #[extrasafe::main]"]
    );
    // The fallback keeps the function compiling on its own, nested in a plain main.
    assert!(
        squash(&out).ends_with("fnmain(){#[allow(dead_code)]asyncfnmain(){}}"),
        "{out}"
    );
}

#[test]
fn independent_mistakes_are_reported_together() {
    let out = main_attr(
        "ctx, other, flavor = \"x\", bogus = 1, crate = 5",
        "#[tokio::main] async fn main<T>(n: u32) {}",
    );
    let found = errors(&out);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found[0].contains("this is a second one"));
    assert!(found[1].starts_with("`flavor` is an option of #[tokio::main]"));
    assert!(found[2].starts_with("unknown option `bogus`"));
    assert!(found[3].starts_with("`crate` takes a string literal"));
    assert!(found[4].starts_with("`main` cannot have generic parameters"));
    // tokio's attribute is dropped from the fallback: it would report the argument.
    assert!(
        squash(&out).ends_with("fnmain(){#[allow(dead_code)]asyncfnmain<T>(n:u32){}}"),
        "{out}"
    );
}

#[test]
fn context_function_must_be_a_path_or_closure() {
    let out = main_attr("make_ctx()", "fn main() {}");
    assert_eq!(errors(&out).len(), 1);
    assert!(errors(&out)[0].starts_with("expected the name of the function"));
}

#[test]
fn bad_crate_path() {
    let out = main_attr("ctx, crate = \"not a path\"", "fn main() {}");
    assert_eq!(errors(&out).len(), 1);
    assert!(errors(&out)[0].contains("found \"not a path\""));
    let out = main_attr("ctx, crate = \"a\", crate = \"b\"", "fn main() {}");
    assert_eq!(errors(&out), ["`crate` is given twice"]);
}

#[test]
fn only_on_fn_main() {
    let out = main_attr("ctx", "fn run() {}");
    assert_eq!(errors(&out).len(), 1);
    assert!(errors(&out)[0].starts_with("#[extrasafe::main] goes on `fn main` only"));
    // Not `main`: re-emitted as it was, without a stub main.
    assert!(squash(&out).ends_with("fnrun(){}"), "{out}");
    let out = main_attr("ctx", "#[derive(Debug)] pub struct S;");
    assert_eq!(errors(&out), ["#[extrasafe::main] goes on `fn main`"]);
    assert!(
        squash(&out).starts_with("#[derive(Debug)]pubstructS;"),
        "{out}"
    );
}

#[test]
fn block_runs_a_borrowing_closure() {
    let out = block("ctx(), { v.len() }");
    assert_eq!(
        squash(&out),
        "::extrasafe::__private::run(ctx(),||{v.len()})"
    );
    let out = block("ctx, move { v.len() },");
    assert_eq!(
        squash(&out),
        "::extrasafe::__private::run(ctx,move||{v.len()})"
    );
}

#[test]
fn block_with_timeout_moves() {
    let out = block("ctx, timeout = Duration::from_secs(1), crate = \"es\", { 1 }");
    assert_eq!(
        squash(&out),
        "es::__private::run_with_timeout(ctx,Duration::from_secs(1),move||{1})"
    );
}

#[test]
fn block_form_errors() {
    let cases = [
        (
            "",
            "extrasafe! needs a context and a block: extrasafe!(ctx, { .. })",
        ),
        (
            "ctx",
            "extrasafe! needs a block after the context: extrasafe!(ctx, { .. })",
        ),
        (
            "ctx,",
            "extrasafe! needs a block after the context: extrasafe!(ctx, { .. })",
        ),
        (
            "ctx { 1 }",
            "expected `,` after the context: extrasafe!(ctx, { .. })",
        ),
        (
            "ctx, 1 + 2",
            "expected a block `{ .. }` or an option `timeout = ..`: extrasafe!(ctx, { .. })",
        ),
        (
            "ctx, timeout = d { 1 }",
            "expected `,` after the option `timeout`: extrasafe!(ctx, { .. })",
        ),
        (
            "ctx, { 1 } x",
            "unexpected tokens after the block: extrasafe!(ctx, { .. })",
        ),
        (
            "ctx, { 1 }, { 2 }",
            "unexpected tokens after the block: extrasafe!(ctx, { .. })",
        ),
    ];
    for (input, message) in cases {
        assert_eq!(errors(&block(input)), [message], "input: {input}");
    }
}

#[test]
fn block_option_errors_are_collected() {
    let out = block("ctx, retries = 3, timeout = a, timeout = b, crate = x, { 1 }");
    let found = errors(&out);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].starts_with("unknown option `retries`"));
    assert_eq!(found[1], "`timeout` is given twice");
    assert!(found[2].starts_with("`crate` takes a string literal: extrasafe! with"));
}

// ----- no panic on any tokens -----------------------------------------------------------

mod no_panic {
    use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span};
    use proptest::prelude::*;

    use super::*;

    const IDENTS: &[&str] = &[
        "main",
        "fn",
        "async",
        "move",
        "crate",
        "timeout",
        "ctx",
        "pub",
        "tokio",
        "extrasafe",
        "self",
        "return",
        "let",
        "x",
        "_",
        "impl",
        "dyn",
        "where",
        "unsafe",
        "const",
    ];
    const PUNCTS: &[char] = &[
        '=', ',', '#', '!', ':', '<', '>', '|', '&', '-', '.', ';', '+', '*', '/', '?', '@', '^',
        '%', '~', '$',
    ];

    fn config(cases: u32) -> ProptestConfig {
        ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    fn leaf() -> impl Strategy<Value = TokenTree> {
        prop_oneof![
            4 => (0..IDENTS.len()).prop_map(|i| TokenTree::Ident(Ident::new(IDENTS[i], Span::call_site()))),
            1 => "[a-zA-Z_][a-zA-Z0-9_]{0,6}".prop_filter("not a lone `_`", |s| s != "_")
                .prop_map(|s| TokenTree::Ident(Ident::new(&s, Span::call_site()))),
            4 => (0..PUNCTS.len(), any::<bool>()).prop_map(|(i, joint)| {
                let spacing = if joint { Spacing::Joint } else { Spacing::Alone };
                TokenTree::Punct(Punct::new(PUNCTS[i], spacing))
            }),
            2 => prop_oneof![
                ".{0,8}".prop_map(|s| Literal::string(&s)),
                any::<u32>().prop_map(Literal::u32_suffixed),
                any::<i64>().prop_map(Literal::i64_unsuffixed),
                any::<char>().prop_map(Literal::character),
                proptest::collection::vec(any::<u8>(), 0..6).prop_map(|b| Literal::byte_string(&b)),
                (0.0..1e9f64).prop_map(Literal::f64_unsuffixed),
            ]
            .prop_map(TokenTree::Literal),
        ]
    }

    fn delimiter() -> impl Strategy<Value = Delimiter> {
        prop_oneof![
            Just(Delimiter::Parenthesis),
            Just(Delimiter::Brace),
            Just(Delimiter::Bracket),
            Just(Delimiter::None),
        ]
    }

    fn trees() -> impl Strategy<Value = Vec<TokenTree>> {
        let tree = leaf().prop_recursive(3, 24, 6, |inner| {
            (delimiter(), proptest::collection::vec(inner, 0..6))
                .prop_map(|(d, v)| TokenTree::Group(Group::new(d, v.into_iter().collect())))
        });
        proptest::collection::vec(tree, 0..12)
    }

    /// A valid input with one random edit: a token deleted, a random one inserted or put
    /// in place of one, two swapped, or one doubled.
    fn mutated(valid: &'static [&'static str]) -> impl Strategy<Value = Vec<TokenTree>> {
        (
            0..valid.len(),
            0..5u8,
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            trees(),
        )
            .prop_map(move |(v, edit, a, b, extra)| {
                let mut list: Vec<TokenTree> = tokens(valid[v]).into_iter().collect();
                let n = list.len().max(1);
                let (i, j) = (a.index(n).min(list.len()), b.index(n).min(list.len()));
                let extra = extra.into_iter().next();
                match (edit, extra) {
                    (0, _) if i < list.len() => {
                        list.remove(i);
                    }
                    (1, Some(t)) => list.insert(i, t),
                    (2, Some(t)) if i < list.len() => list[i] = t,
                    (3, _) if i < list.len() && j < list.len() => list.swap(i, j),
                    (_, _) if i < list.len() => list.insert(i, list[i].clone()),
                    _ => {}
                }
                list
            })
    }

    const VALID_ARGS: &[&str] = &[
        "setup",
        "ctx, crate = \"es\"",
        "|| make(1)",
        "crate = \"x\", ctx",
    ];
    const VALID_ITEMS: &[&str] = &[
        "fn main() {}",
        "async fn main() {}",
        "#[tokio::main] async fn main() -> io::Result<()> { work().await }",
        "pub fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    ];
    const VALID_BLOCKS: &[&str] = &[
        "ctx, { 1 + 1 }",
        "ctx(), move { v.len() },",
        "ctx, timeout = Duration::from_secs(1), crate = \"es\", { 1 }",
    ];

    fn stream(list: Vec<TokenTree>) -> TokenStream {
        list.into_iter().collect()
    }

    /// The token trees of `stream`, looking through invisible (`Delimiter::None`) groups as
    /// syn does.
    fn visible(stream: &TokenStream) -> Vec<TokenTree> {
        stream
            .clone()
            .into_iter()
            .flat_map(|t| match &t {
                TokenTree::Group(g) if g.delimiter() == Delimiter::None => visible(&g.stream()),
                _ => vec![t],
            })
            .collect()
    }

    /// Whether the text of `stream` tokenizes again: not always so for random tokens (a
    /// joint `/` before `/` prints as a comment), which rustc would never hand a macro.
    fn round_trips(stream: &TokenStream) -> bool {
        stream.to_string().parse::<TokenStream>().is_ok()
    }

    /// The output is well-formed: it re-tokenizes when the input did, each `compile_error!`
    /// says something, and without one it is the code `parse` expects when the user's own
    /// code parses (bodies are passed on unparsed, for rustc to report at the user's tokens).
    fn check_output(
        inputs: &[&TokenStream],
        user_code_parses: bool,
        out: &TokenStream,
        parses: impl Fn(TokenStream) -> bool,
    ) -> Vec<String> {
        let text = out.to_string();
        if inputs.iter().all(|i| round_trips(i)) {
            assert!(round_trips(out), "output does not re-tokenize: {text}");
        }
        let found = errors(out);
        for e in &found {
            assert!(!e.trim().is_empty(), "empty compile_error in {text}");
        }
        if found.is_empty() && user_code_parses {
            assert!(
                parses(out.clone()),
                "output without errors does not parse: {text}"
            );
        }
        found
    }

    fn check_main(args: TokenStream, item: TokenStream) {
        let no_main = !visible(&item)
            .iter()
            .any(|t| matches!(t, TokenTree::Ident(i) if i == "main"));
        let no_args = args.is_empty();
        let out = expand::main(args.clone(), item.clone());
        let user_code_parses = syn::parse2::<syn::ItemFn>(item.clone()).is_ok()
            && syn::parse::Parser::parse2(
                syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
                args.clone(),
            )
            .is_ok();
        let found = check_output(&[&args, &item], user_code_parses, &out, |o| {
            syn::parse2::<syn::File>(o).is_ok()
        });
        if no_main || no_args {
            assert!(
                !found.is_empty(),
                "no error for args `{args}` and item `{item}`: {out}"
            );
        }
    }

    fn check_block(input: TokenStream) {
        let no_block = !visible(&input)
            .iter()
            .any(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace));
        let out = expand::block(input.clone());
        let user_code_parses = syn::parse::Parser::parse2(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            input.clone(),
        )
        .is_ok();
        let found = check_output(&[&input], user_code_parses, &out, |o| {
            syn::parse2::<syn::Expr>(o).is_ok()
        });
        if no_block {
            assert!(!found.is_empty(), "no error for `{input}`: {out}");
        }
    }

    proptest! {
        #![proptest_config(config(1000))]

        #[test]
        fn main_on_random_tokens(args in trees(), item in trees()) {
            check_main(stream(args), stream(item));
        }

        #[test]
        fn main_on_mutated_inputs(args in mutated(VALID_ARGS), item in mutated(VALID_ITEMS)) {
            check_main(stream(args), stream(item));
        }

        #[test]
        fn main_with_a_random_context(args in trees()) {
            check_main(stream(args), tokens("fn main() {}"));
        }

        #[test]
        fn block_on_random_tokens(input in trees()) {
            check_block(stream(input));
        }

        #[test]
        fn block_on_mutated_inputs(input in mutated(VALID_BLOCKS)) {
            check_block(stream(input));
        }
    }

    #[test]
    fn the_valid_inputs_expand_without_errors() {
        for args in VALID_ARGS {
            let out = main_attr(args, "fn main() {}");
            assert!(errors(&out).is_empty(), "{args}: {out}");
        }
        for input in VALID_BLOCKS {
            assert!(errors(&block(input)).is_empty(), "{input}");
        }
    }
}

/// A user of tokio or serde compiles syn once: the macros are on the syn major version that
/// tokio-macros uses (read from the workspace's Cargo.lock, whose tokio is the one users get).
#[test]
fn the_macros_use_the_same_syn_as_tokio_macros() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("the workspace has a Cargo.lock");
    let syn_of = |package: &str| -> Vec<String> {
        let start = lock
            .find(&format!("[[package]]\nname = \"{package}\"\n"))
            .unwrap_or_else(|| panic!("{package} is in Cargo.lock"));
        let entry = &lock[start + 1..];
        let entry = &entry[..entry.find("[[package]]").unwrap_or(entry.len())];
        entry
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("\"syn"))
            .map(|l| l.trim_matches(|c| c == '"' || c == ',').to_owned())
            .collect()
    };
    let ours = syn_of("extrasafe-macros");
    let tokio = syn_of("tokio-macros");
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(
        ours, tokio,
        "extrasafe-macros and tokio-macros use different syn versions"
    );
}
