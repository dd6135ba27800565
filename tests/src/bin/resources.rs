//! `#[extrasafe::main]` handing `main` what the context function opened: the file is
//! readable in `main`, nothing else is. Run by `tests/main_attr.rs`.

use std::fs::File;

use extrasafe::builtins::SystemIO;
use extrasafe::SafetyContext;

fn setup() -> Result<(SafetyContext, File), Box<dyn std::error::Error>> {
    let config = extrasafe_tests::open_config()?;
    let ctx = SafetyContext::new().enable(
        SystemIO::nothing()
            .allow_file_read(&config)
            .allow_stdout()
            .allow_close(),
    )?;
    Ok((ctx, config))
}

#[extrasafe::main(setup)]
fn main(config: File) {
    println!("{}", extrasafe_tests::BODY_RAN);
    extrasafe_tests::read_config_then_try_the_rest(config);
}
