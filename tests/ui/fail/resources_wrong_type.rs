use std::fs::File;

use extrasafe::{ExtraSafeError, SafetyContext};

fn setup() -> Result<(SafetyContext, File), ExtraSafeError> {
    Ok((SafetyContext::new(), File::open("/dev/null").unwrap()))
}

#[extrasafe::main(setup)]
fn main(config: String) {
    let _ = config;
}
