fn sandbox() -> u32 {
    0
}

#[extrasafe::main(sandbox)]
fn main() {}
