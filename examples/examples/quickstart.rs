//! A program that sandboxes itself.
//!
//! It opens a file and a listening socket while it still may, gives up everything else, and
//! then shows that what it kept still works and that what it gave up fails with EPERM.
//!
//! Run it with `cargo run --example quickstart`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use extrasafe::builtins::{Networking, SystemIO};
use extrasafe::SafetyContext;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Before the sandbox: open what the program will need.
    let mut config =
        std::fs::File::open("/etc/hostname").or_else(|_| std::fs::File::open("/etc/os-release"))?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let mut client = TcpStream::connect(addr)?;

    // Serving sockets means reading and writing any open descriptor (so the file opened
    // above and stdout keep working); metadata lets std size its read buffer.
    let ctx = SafetyContext::new()
        .enable(Networking::nothing().allow_running_tcp_servers())?
        .enable(SystemIO::nothing().allow_metadata())?;
    println!("policy:\n{}\n", ctx.explain()?);
    let report = ctx.enforce_on_current_thread()?;
    println!("enforced: {report}\n");

    // What it kept still works.
    let mut text = String::new();
    config.read_to_string(&mut text)?;
    println!("kept: reading the file opened before: {} bytes", text.len());
    let (mut conn, _) = listener.accept()?;
    client.write_all(b"ping")?;
    let mut buf = [0u8; 4];
    conn.read_exact(&mut buf)?;
    println!(
        "kept: serving the socket opened before: received {:?}",
        std::str::from_utf8(&buf)?
    );

    // What it gave up now fails with EPERM.
    let open = std::fs::File::open("/etc/passwd").map(drop);
    report_denied("opening /etc/passwd", &open)?;
    let connect = TcpStream::connect(addr).map(drop);
    report_denied("opening a new connection", &connect)?;
    let spawn = std::process::Command::new("/bin/true").status().map(drop);
    report_denied("running /bin/true", &spawn)?;
    Ok(())
}

fn report_denied(
    what: &str,
    result: &std::io::Result<()>,
) -> Result<(), Box<dyn std::error::Error>> {
    match result {
        Err(e) if e.raw_os_error() == Some(1) => {
            println!("gave up: {what}: {e}");
            Ok(())
        }
        Err(e) => Err(format!("{what} failed, but not with EPERM: {e}").into()),
        Ok(()) => Err(format!("{what} should have been denied").into()),
    }
}
