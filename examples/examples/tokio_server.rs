//! A tokio TCP server sandboxed from the first line of `main` with `#[extrasafe::main]`: every
//! runtime thread (workers and the blocking pool) is restricted before tokio starts them.
//!
//! The context function runs before the sandbox, so it is also where the program takes what
//! it will need and may not take later: here, the listening socket. The sandbox then allows
//! serving it, and (for the in-process client that stands for the outside world) TCP
//! connections; not binding other ports, opening files or running programs.
//!
//! Run it with `cargo run --example tokio_server`.

use std::sync::Mutex;

use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::Networking;
use extrasafe::SafetyContext;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The listener bound before the sandbox, handed from `sandbox` to `main`.
static LISTENER: Mutex<Option<std::net::TcpListener>> = Mutex::new(None);

const REQUESTS: usize = 3;

fn sandbox() -> Result<SafetyContext, Box<dyn std::error::Error>> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    *LISTENER.lock()? = Some(listener);
    Ok(SafetyContext::new()
        // tokio's workers and blocking threads.
        .enable(Threads::nothing().allow_create())?
        // Serving (epoll, eventfd, accept, read, write, which tokio's event loop uses too),
        // and the client's connections.
        .enable(
            Networking::nothing()
                .allow_running_tcp_servers()
                .allow_start_tcp_clients(),
        )?)
}

async fn handle(stream: TcpStream) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut request = String::new();
    BufReader::new(read).read_line(&mut request).await?;
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let body = format!("hello from the sandbox, you asked for {path}\n");
    let response = format!(
        "HTTP/1.0 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    write.write_all(response.as_bytes()).await
}

async fn client(addr: std::net::SocketAddr, n: usize) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(format!("GET /page/{n} HTTP/1.0\r\n\r\n").as_bytes())
        .await?;
    let mut lines = BufReader::new(stream).lines();
    let mut last = String::new();
    while let Some(line) = lines.next_line().await? {
        last = line;
    }
    Ok(last)
}

#[extrasafe::main(sandbox)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let std_listener = LISTENER
        .lock()?
        .take()
        .ok_or("sandbox() binds the listener")?;
    let listener = TcpListener::from_std(std_listener)?;
    let addr = listener.local_addr()?;
    println!("serving on {addr}, sandboxed");

    // What the sandbox took away, checked on a runtime worker.
    tokio::spawn(async {
        let denied = |what: &str, r: std::io::Result<()>| match r {
            Err(e) if e.raw_os_error() == Some(1) => println!("denied: {what}: {e}"),
            other => panic!("{what} should fail with EPERM, got {other:?}"),
        };
        denied(
            "binding another port",
            std::net::TcpListener::bind("127.0.0.1:0").map(drop),
        );
        denied(
            "reading /etc/passwd",
            std::fs::read("/etc/passwd").map(drop),
        );
        denied(
            "running /bin/true",
            std::process::Command::new("/bin/true").status().map(drop),
        );
    })
    .await?;

    let clients: Vec<_> = (0..REQUESTS)
        .map(|n| tokio::spawn(client(addr, n)))
        .collect();
    for _ in 0..REQUESTS {
        let (stream, peer) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(e) = handle(stream).await {
                eprintln!("{peer}: {e}");
            }
        });
    }
    for client in clients {
        println!("client got: {}", client.await??);
    }
    Ok(())
}
