//! A context that builds but cannot be applied (an invalid errno): the program must print the
//! error and exit with status 1 without running the body. Run by `tests/main_attr.rs`.

#[extrasafe::main(|| extrasafe::SafetyContext::new().with_errno(0))]
fn main() {
    println!("{}", extrasafe_tests::BODY_RAN);
}
