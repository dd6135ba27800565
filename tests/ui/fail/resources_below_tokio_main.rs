use std::fs::File;

use extrasafe::{ExtraSafeError, SafetyContext};

fn setup() -> Result<(SafetyContext, File), ExtraSafeError> {
    Ok((SafetyContext::new(), File::open("/dev/null").unwrap()))
}

#[tokio::main]
#[extrasafe::main(setup)]
async fn main(config: File) {
    let _ = config;
}
