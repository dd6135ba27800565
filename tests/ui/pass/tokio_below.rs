// Below #[tokio::main] (path with a leading `::`), on a current-thread runtime.
use extrasafe::builtins::Networking;
use extrasafe::{ExtraSafeError, SafetyContext};

fn sandbox() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new().enable(Networking::nothing().allow_running_tcp_servers())
}

#[::tokio::main(flavor = "current_thread")]
#[extrasafe::main(sandbox)]
async fn main() {
    tokio::task::yield_now().await;
    assert!(std::net::TcpListener::bind("127.0.0.1:0").is_err());
}
