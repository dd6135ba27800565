fn sandbox() -> extrasafe::SafetyContext {
    extrasafe::SafetyContext::new()
}

#[extrasafe::main(sandbox)]
fn main(args: Vec<String>) {
    let _ = args;
}
