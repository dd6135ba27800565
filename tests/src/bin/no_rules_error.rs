//! An empty context: applying it fails with `NoRulesEnabled`, and the program must print
//! 0.5.1's message, then the help line, and exit with status 1 without running the body.
//! Run by `tests/main_attr.rs`.

#[extrasafe::main(extrasafe::SafetyContext::new)]
fn main() {
    println!("{}", extrasafe_tests::BODY_RAN);
}
