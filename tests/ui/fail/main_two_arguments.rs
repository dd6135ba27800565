use std::fs::File;

use extrasafe::SafetyContext;

fn setup() -> (SafetyContext, File) {
    (SafetyContext::new(), File::open("/dev/null").unwrap())
}

#[extrasafe::main(setup)]
fn main(config: File, log: File) {
    let _ = (config, log);
}
