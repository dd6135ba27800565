//! The README's first example: a program that opens its configuration file, then locks
//! itself down so that it can read that file and write to stdout, and nothing else.
//!
//! Run it from the repository root with `cargo run --example open_then_lock_down` (or give
//! it another file to read: `cargo run --example open_then_lock_down -- /etc/hostname`).

use std::fs::File;
use std::io::Read;
use std::net::TcpStream;
use std::process::Command;

use extrasafe::builtins::SystemIO;
use extrasafe::SafetyContext;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Open what the program needs, while it still may.
    let path = std::env::args()
        .nth(1)
        .unwrap_or("examples/app.conf".into());
    let mut config = File::open(path)?;

    // 2. Lock down: read that one file (by its descriptor), write to stdout, nothing else.
    let report = SafetyContext::new()
        .enable(SystemIO::nothing().allow_file_read(&config).allow_stdout())?
        .enforce_on_all_threads()?;
    println!("{report}");

    // 3. Use what was opened.
    let mut text = String::new();
    config.read_to_string(&mut text)?;
    print!("{text}");

    // Everything else fails with EPERM.
    let passwd = File::open("/etc/passwd").map(drop);
    let connect = TcpStream::connect("127.0.0.1:80").map(drop);
    let exec = Command::new("/bin/true").status().map(drop);
    for (what, result) in [
        ("open /etc/passwd", passwd),
        ("connect", connect),
        ("exec", exec),
    ] {
        println!("{what}: {}", result.expect_err("the sandbox denies it"));
    }
    Ok(())
}
