// Above #[tokio::main]: the inner async main receives the value; a plain tuple return.
use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::Networking;
use extrasafe::SafetyContext;

fn setup() -> (SafetyContext, std::net::TcpListener) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let ctx = SafetyContext::new()
        .enable(Threads::nothing().allow_create())
        .and_then(|c| c.enable(Networking::nothing().allow_running_tcp_servers()))
        .unwrap();
    (ctx, listener)
}

#[extrasafe::main(setup)]
#[tokio::main(flavor = "current_thread")]
async fn main(listener: std::net::TcpListener) {
    assert!(listener.local_addr().is_ok());
    assert!(std::net::TcpListener::bind("127.0.0.1:0").is_err());
}
