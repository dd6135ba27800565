//! A program that may read only what a TLS client needs, its own data directory, and the name
//! resolution files: Landlock says which files, seccomp which syscalls.
//!
//! Run it with `cargo run --example landlock_files`.

use std::net::ToSocketAddrs;

use extrasafe::builtins::SystemIO;
use extrasafe::{Landlock, SafetyContext};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::env::temp_dir().join(format!("extrasafe-example-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    std::fs::write(data.join("settings.toml"), "greeting = \"hello\"\n")?;

    let report = SafetyContext::new()
        // Certificate stores and name resolution files, wherever this distribution keeps them.
        // (No allow_stdout: the write access below needs `write` on any descriptor, which
        // covers stdout; Landlock decides which files can be opened for writing.)
        .enable(SystemIO::nothing().allow_ssl_files().allow_dns_files())?
        // The program's own data, read-write.
        .enable(Landlock::named("DataDir").read_write(&data))?
        .enforce_on_current_thread()?;
    println!("enforced: {report}\n");

    let settings = std::fs::read_to_string(data.join("settings.toml"))?;
    println!("kept: reading {}: {}", data.display(), settings.trim());
    std::fs::write(data.join("state"), "1")?;
    println!("kept: writing in {}", data.display());

    let bundle = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ]
    .into_iter()
    .find_map(|p| std::fs::read_to_string(p).ok());
    match bundle {
        Some(pem) => println!(
            "kept: reading the CA bundle: {} certificates",
            pem.matches("BEGIN CERTIFICATE").count()
        ),
        None => println!("(no CA bundle on this machine)"),
    }
    let localhost: Vec<_> = ("localhost", 443).to_socket_addrs()?.collect();
    println!("kept: resolving localhost through /etc/hosts: {localhost:?}");

    for path in ["/etc/shadow", "/etc/passwd"] {
        match std::fs::read(path) {
            Err(e) => println!("gave up: reading {path}: {e}"),
            Ok(_) => return Err(format!("{path} should not be readable").into()),
        }
    }
    match std::fs::write(std::env::temp_dir().join("elsewhere"), "x") {
        Err(e) => println!("gave up: writing outside the data directory: {e}"),
        Ok(()) => return Err("writing outside the data directory should fail".into()),
    }
    Ok(())
}
