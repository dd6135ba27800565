#[extrasafe::main]
fn main() {}
