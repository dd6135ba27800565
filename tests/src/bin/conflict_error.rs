//! A context function whose context has a conflict (a conditional and an unconditional rule
//! on `write`): the program must print 0.5.1's message, then the help line, and exit with
//! status 1 without running the body. Run by `tests/main_attr.rs`.

use extrasafe::builtins::{Networking, SystemIO};
use extrasafe::{ExtraSafeError, SafetyContext};

fn sandbox() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout())?
        .enable(Networking::nothing().allow_running_tcp_servers())
}

#[extrasafe::main(sandbox)]
fn main() {
    println!("{}", extrasafe_tests::BODY_RAN);
}
