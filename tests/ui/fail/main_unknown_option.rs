fn sandbox() -> extrasafe::SafetyContext {
    extrasafe::SafetyContext::new()
}

#[extrasafe::main(sandbox, flavor = "multi_thread")]
fn main() {}
