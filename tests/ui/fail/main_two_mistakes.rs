// Two independent mistakes: both reported, each at its own token, in one compilation.
#[extrasafe::main(sandbox, bogus = 1)]
fn main(argc: i32, argv: i32) {
    let _ = (argc, argv);
}

fn sandbox() -> extrasafe::SafetyContext {
    extrasafe::SafetyContext::new()
}
