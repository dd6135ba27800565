//! The resources form above `#[tokio::main]`: the inner async main receives the value, and
//! the runtime is sandboxed. Run by `tests/main_attr.rs`.

use std::fs::File;

use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::Networking;
use extrasafe::SafetyContext;

/// What a tokio runtime needs (see `extrasafe_tests::tokio_context`), without opening files.
fn setup() -> Result<(SafetyContext, File), Box<dyn std::error::Error>> {
    let config = extrasafe_tests::open_config()?;
    let ctx = SafetyContext::new()
        .enable(Threads::nothing().allow_create())?
        .enable(Networking::nothing().allow_running_tcp_servers())?;
    Ok((ctx, config))
}

#[extrasafe::main(setup)]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main(config: File) {
    println!("{}", extrasafe_tests::BODY_RAN);
    tokio::task::spawn_blocking(move || extrasafe_tests::read_config_then_try_the_rest(config))
        .await
        .expect("the check runs on the blocking pool");
}
