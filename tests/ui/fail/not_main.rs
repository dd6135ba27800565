fn sandbox() -> extrasafe::SafetyContext {
    extrasafe::SafetyContext::new()
}

#[extrasafe::main(sandbox)]
fn serve() {}

fn main() {
    serve();
}
