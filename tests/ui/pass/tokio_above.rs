// Above #[tokio::main] (with options), main returning a Result.
use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::Networking;
use extrasafe::{ExtraSafeError, SafetyContext};

fn sandbox() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(Threads::nothing().allow_create())?
        .enable(Networking::nothing().allow_running_tcp_servers())
}

#[extrasafe::main(sandbox)]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), tokio::task::JoinError> {
    let denied = tokio::spawn(async { std::net::TcpListener::bind("127.0.0.1:0").is_err() }).await?;
    assert!(denied);
    Ok(())
}
