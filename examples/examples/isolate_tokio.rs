//! A tokio program isolated from the first line of `main`: `#[extrasafe::main]` with a
//! context made with `isolate_process` moves the program into new namespaces before tokio
//! starts its runtime, so every runtime thread lives there, restricted by seccomp too.
//!
//! The program continues as PID 2 of a new PID namespace (under extrasafe's minimal init),
//! on a fresh tmpfs root, in a network namespace of its own (only a loopback), without
//! capabilities; the process that was started supervises it, forwards Ctrl-C, and exits
//! with its status.
//!
//! Run it with `cargo run --example isolate_tokio` (needs user namespaces).

use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::Networking;
use extrasafe::isolate::{IsolationConfig, Rlimit};
use extrasafe::SafetyContext;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn sandbox() -> Result<SafetyContext, Box<dyn std::error::Error>> {
    Ok(SafetyContext::new()
        // tokio's workers and blocking threads.
        .enable(Threads::nothing().allow_create())?
        // A server and a client on the isolated loopback (and tokio's event loop).
        .enable(
            Networking::nothing()
                .allow_start_tcp_servers()
                .yes_really()
                .allow_running_tcp_servers()
                .allow_start_tcp_clients(),
        )?
        .isolate_process(
            IsolationConfig::new()
                .hostname("tokio-box")
                .rootfs_size_mib(8)
                .rlimit(Rlimit::OpenFiles, 256),
        ))
}

#[extrasafe::main(sandbox)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A new PID namespace: extrasafe's init is PID 1, the program PID 2.
    assert_eq!(std::process::id(), 2);
    println!("isolated: pid {}", std::process::id());

    // The loopback of the new network namespace works; nothing of the host's is reachable.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await?;
        let mut buf = [0u8; 5];
        stream.read_exact(&mut buf).await?;
        stream.write_all(&buf).await?;
        Ok::<_, std::io::Error>(())
    });
    let mut client = TcpStream::connect(addr).await?;
    client.write_all(b"hello").await?;
    let mut echo = [0u8; 5];
    client.read_exact(&mut echo).await?;
    server.await??;
    println!(
        "echo over the isolated loopback ({addr}): {}",
        String::from_utf8_lossy(&echo)
    );

    // Seccomp still holds inside: no files.
    let denied = std::fs::File::open("/proc/self/status").unwrap_err();
    assert_eq!(denied.raw_os_error(), Some(1));
    println!("denied: opening a file: {denied}");
    Ok(())
}
