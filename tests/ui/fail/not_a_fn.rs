fn sandbox() -> extrasafe::SafetyContext {
    extrasafe::SafetyContext::new()
}

#[extrasafe::main(sandbox)]
struct Server;

fn main() {
    let _ = Server;
}
