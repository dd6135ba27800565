//! A context function that returns an error: the program must print it and exit with status 1
//! without running the body. Run by `tests/main_attr.rs`.

fn refuse() -> Result<extrasafe::SafetyContext, String> {
    Err("no policy for this host (test marker)".to_string())
}

#[extrasafe::main(refuse)]
fn main() {
    println!("{}", extrasafe_tests::BODY_RAN);
}
