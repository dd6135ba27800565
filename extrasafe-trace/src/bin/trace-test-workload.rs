//! A small Rust program for the tests to trace: a named thread that reads a file, a socket
//! pair, a pipe, a child process, and output on stdout.

use std::io::{Read, Write};

fn main() {
    let path = std::env::args_os()
        .nth(1)
        .unwrap_or_else(|| "/etc/hostname".into());
    let worker = std::thread::Builder::new()
        .name("worker".into())
        .spawn(move || std::fs::read(&path).map(|b| b.len()))
        .expect("spawn the worker");
    let (mut a, mut b) = std::os::unix::net::UnixStream::pair().expect("socketpair");
    a.write_all(b"ping").expect("write to the socket");
    let mut buf = [0u8; 4];
    b.read_exact(&mut buf).expect("read from the socket");
    let status = std::process::Command::new("true")
        .status()
        .expect("run true");
    let read = worker
        .join()
        .expect("join the worker")
        .expect("read the file");
    println!(
        "workload: {} bytes read, socket said {}, true {}",
        read,
        String::from_utf8_lossy(&buf),
        if status.success() {
            "succeeded"
        } else {
            "failed"
        }
    );
}
