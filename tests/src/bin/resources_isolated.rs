//! The resources form with a context that isolates the process: the value is made before
//! the fork, and its descriptor stays open in the isolated process because the isolation
//! keeps it (`keep_fd`). Run by `tests/main_attr.rs`.

use std::fs::File;
use std::os::fd::AsRawFd;

use extrasafe::builtins::SystemIO;
use extrasafe::isolate::IsolationConfig;
use extrasafe::SafetyContext;

fn setup() -> Result<(SafetyContext, File), Box<dyn std::error::Error>> {
    let config = extrasafe_tests::open_config()?;
    let ctx = SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_file_read(&config)
                .allow_stdout()
                .allow_close(),
        )?
        .isolate_process(IsolationConfig::new().keep_fd(config.as_raw_fd()));
    Ok((ctx, config))
}

#[extrasafe::main(setup)]
fn main(config: File) {
    println!("{}", extrasafe_tests::BODY_RAN);
    println!("pid {}", std::process::id());
    extrasafe_tests::read_config_then_try_the_rest(config);
}
