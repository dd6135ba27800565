//! Several sandboxed threads, each with only what its job needs, started together with an
//! `Orchestrator`: a "network" thread that serves TCP connections and a "database" thread
//! that owns the data file, talking over channels, while the main thread keeps almost nothing.
//! No thread runs its closure until every thread, main included, is restricted.
//!
//! Run it with `cargo run --example orchestra`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;

use extrasafe::builtins::{Networking, SystemIO};
use extrasafe::{Orchestrator, SafetyContext};

/// A request from the network thread to the database thread, with where to send the answer.
struct Query {
    line: String,
    reply: mpsc::Sender<String>,
}

const CONNECTIONS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Before any sandbox: the resources each thread will use.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let log_path = std::env::temp_dir().join(format!("extrasafe-orchestra-{}", std::process::id()));
    let mut log = std::fs::File::create(&log_path)?;
    std::fs::remove_file(&log_path)?; // the open descriptor is all the database needs
    let (queries, incoming) = mpsc::channel::<Query>();

    // The outside world: a client, unsandboxed, that waits until the server answers.
    let client = std::thread::spawn(move || -> std::io::Result<Vec<String>> {
        let requests = ["SET colour blue", "GET colour", "GET size"];
        let mut answers = Vec::new();
        for request in requests {
            let mut stream = TcpStream::connect(addr)?;
            writeln!(stream, "{request}")?;
            let mut answer = String::new();
            BufReader::new(stream).read_line(&mut answer)?;
            answers.push(format!("{request} -> {}", answer.trim()));
        }
        Ok(answers)
    });

    let mut threads = Orchestrator::new();

    // The network thread: accept, read and write on the listener it was given; no files, no
    // new sockets, no outgoing connections.
    let network = threads.spawn(
        SafetyContext::new().enable(Networking::nothing().allow_running_tcp_servers())?,
        move || -> std::io::Result<usize> {
            assert!(
                std::fs::File::open("/etc/hostname").is_err(),
                "no files here"
            );
            for stream in listener.incoming().take(CONNECTIONS) {
                let mut stream = stream?;
                let mut line = String::new();
                BufReader::new(&stream).read_line(&mut line)?;
                let (reply, answer) = mpsc::channel();
                queries
                    .send(Query { line, reply })
                    .expect("the database outlives the network thread");
                let answer = answer.recv().expect("the database answers every query");
                writeln!(stream, "{answer}")?;
            }
            Ok(CONNECTIONS)
        },
    )?;

    // The database thread: writes to its one file descriptor; no network, no other file.
    let database = threads.spawn(
        SafetyContext::new().enable(SystemIO::nothing().allow_file_write(&log))?,
        move || -> std::io::Result<usize> {
            assert!(
                TcpStream::connect(addr).is_err(),
                "no network for the database"
            );
            let mut data = HashMap::new();
            let mut served = 0;
            for Query { line, reply } in incoming {
                let words: Vec<&str> = line.split_whitespace().collect();
                let answer = match words.as_slice() {
                    ["SET", key, value] => {
                        writeln!(log, "{key}={value}")?;
                        data.insert(key.to_string(), value.to_string());
                        "OK".to_string()
                    }
                    ["GET", key] => data
                        .get(*key)
                        .cloned()
                        .unwrap_or_else(|| "NOT FOUND".to_string()),
                    _ => "ERROR".to_string(),
                };
                let _ = reply.send(answer);
                served += 1;
            }
            Ok(served)
        },
    )?;

    // Main keeps only stdout; the threads start once this is applied.
    let report = threads.start(SafetyContext::new().enable(SystemIO::nothing().allow_stdout())?)?;
    println!("main: {report}");

    let served = network.join()??;
    let queries_answered = database.join()??;
    let answers = client.join().expect("the client does not panic")?;
    for answer in &answers {
        println!("client: {answer}");
    }
    println!("network served {served} connections; database answered {queries_answered} queries");
    assert_eq!(answers[1], "GET colour -> blue");
    assert_eq!(answers[2], "GET size -> NOT FOUND");
    assert!(
        std::fs::File::open("/etc/hostname").is_err(),
        "main keeps no files either"
    );
    Ok(())
}
