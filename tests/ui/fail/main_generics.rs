fn sandbox() -> extrasafe::SafetyContext {
    extrasafe::SafetyContext::new()
}

#[extrasafe::main(sandbox)]
fn main<T: Default>() {
    let _ = T::default();
}
