//! Item 6: worker processes. A warm call on a reused worker against a plain round trip on a
//! socket to a child process, a call in `FreshPerCall` mode (the start of the next process
//! included), starting a pool of 4, and the throughput of a pool of 2 parsing 1 KiB JSON
//! documents against parsing them in this process.
//!
//! The bench binary is its own worker: the functions below are registered with
//! `#[extrasafe::worker]`, and the `--echo` mode of the binary is the plain child.

use std::hint::black_box;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use extrasafe::worker::{WorkerMode, WorkerOptions, WorkerPool};
use extrasafe::SafetyContext;
use serde::{Deserialize, Serialize};

use crate::setup::Step;

/// The size of the warm call's input and output, and of the echo's message.
pub(crate) const SMALL: usize = 100;

/// How many documents one throughput sample parses.
const DOCUMENTS: usize = 200;

fn nothing() -> SafetyContext {
    SafetyContext::new()
}

/// Returns its input: the warm call.
#[extrasafe::worker(nothing)]
fn echo(bytes: Vec<u8>) -> Vec<u8> {
    bytes
}

/// A record of the throughput workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Record {
    id: u64,
    name: String,
    email: String,
    tags: Vec<String>,
    scores: Vec<f64>,
    active: bool,
    note: String,
}

/// Parses one untrusted JSON document: the throughput workload.
#[extrasafe::worker(nothing)]
fn parse_record(json: String) -> Result<Record, String> {
    serde_json::from_str(&json).map_err(|e| e.to_string())
}

/// A JSON document of about 1 KiB.
pub(crate) fn document(i: usize) -> String {
    let record = Record {
        id: i as u64,
        name: format!("user number {i}"),
        email: format!("user{i}@example.org"),
        tags: (0..8).map(|t| format!("tag-{t}-{i}")).collect(),
        scores: (0..20).map(|s| (s * i) as f64 / 7.0).collect(),
        active: i % 2 == 0,
        note: "lorem ipsum dolor sit amet ".repeat(16),
    };
    serde_json::to_string(&record).expect("a record serializes")
}

/// `--echo`: the plain child of the baseline. Reads messages of [`SMALL`] bytes from stdin
/// (a socket) and writes each back, until end of file.
pub(crate) fn echo_child() -> ! {
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut buf = [0u8; SMALL];
    while stdin.read_exact(&mut buf).is_ok() {
        if stdout
            .write_all(&buf)
            .and_then(|()| stdout.flush())
            .is_err()
        {
            break;
        }
    }
    std::process::exit(0)
}

/// The child of the baseline, and the parent's end of its socket.
struct EchoChild {
    child: Child,
    stream: UnixStream,
}

impl EchoChild {
    fn start() -> Result<EchoChild, String> {
        let (mine, theirs) = UnixStream::pair().map_err(|e| format!("socketpair: {e}"))?;
        let theirs_out = theirs.try_clone().map_err(|e| format!("dup: {e}"))?;
        let child = Command::new("/proc/self/exe")
            .arg("--echo")
            .stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
            .stdout(Stdio::from(std::os::fd::OwnedFd::from(theirs_out)))
            .spawn()
            .map_err(|e| format!("spawn the echo child: {e}"))?;
        Ok(EchoChild {
            child,
            stream: mine,
        })
    }

    fn round_trip(&mut self) -> Result<Duration, String> {
        let msg = [7u8; SMALL];
        let mut back = [0u8; SMALL];
        let start = Instant::now();
        self.stream
            .write_all(&msg)
            .and_then(|()| self.stream.read_exact(&mut back))
            .map_err(|e| format!("echo: {e}"))?;
        let elapsed = start.elapsed();
        black_box(back);
        Ok(elapsed)
    }
}

impl Drop for EchoChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn quiet() -> WorkerOptions {
    WorkerOptions::new().timeout(Duration::from_secs(30))
}

/// The rows, in the order of the table.
pub(crate) mod row {
    /// The plain round trip (baseline of the warm call).
    pub(crate) const PIPE: usize = 0;
    /// A warm call on a reused worker.
    pub(crate) const WARM: usize = 1;
    /// One call in `FreshPerCall` mode, the next process's start included.
    pub(crate) const FRESH: usize = 2;
    /// Starting a pool of 4 workers until all are sandboxed.
    pub(crate) const START4: usize = 3;
    /// Parsing [`super::DOCUMENTS`] documents in this process (2 threads).
    pub(crate) const IN_PROCESS: usize = 4;
    /// The same through a pool of 2 (2 calling threads).
    pub(crate) const POOL2: usize = 5;
}

/// The steps of item 6 (each measures one sample).
pub(crate) fn steps() -> Result<Vec<Step>, String> {
    let echo_child = std::cell::RefCell::new(EchoChild::start()?);
    let warm = WorkerPool::start(echo, quiet()).map_err(|e| e.to_string())?;
    let fresh = WorkerPool::start(echo, quiet().mode(WorkerMode::FreshPerCall))
        .map_err(|e| e.to_string())?;
    let parsers = WorkerPool::start(parse_record, quiet().workers(2)).map_err(|e| e.to_string())?;
    let documents: Vec<String> = (0..DOCUMENTS).map(document).collect();
    let docs_for_pool = documents.clone();
    // Each call checks its result, so that a failing worker is an error, not a fast row.
    Ok(vec![
        Step {
            label: "plain round trip: 100 bytes to a child process and back (socket)",
            measure: Box::new(move || echo_child.borrow_mut().round_trip()),
        },
        Step {
            label: "warm call on a reused worker: 100 bytes in, 100 out",
            measure: Box::new(move || {
                let input = vec![7u8; SMALL];
                let start = Instant::now();
                let out = warm.call(input).map_err(|e| e.to_string())?;
                let elapsed = start.elapsed();
                if out.len() != SMALL {
                    return Err("the echo worker answered the wrong length".into());
                }
                Ok(elapsed)
            }),
        },
        Step {
            label: "FreshPerCall: a call right after another (waits for its new process to start)",
            measure: Box::new(move || {
                // The first call takes the worker started ahead of it; the timed one, right
                // after, waits for the process started when the first ended.
                fresh.call(vec![1u8; SMALL]).map_err(|e| e.to_string())?;
                let start = Instant::now();
                let out = fresh.call(vec![1u8; SMALL]).map_err(|e| e.to_string())?;
                let elapsed = start.elapsed();
                black_box(out);
                Ok(elapsed)
            }),
        },
        Step {
            label: "start a pool of 4 workers (until all 4 are sandboxed)",
            measure: Box::new(|| {
                let start = Instant::now();
                let pool =
                    WorkerPool::start(echo, quiet().workers(4)).map_err(|e| e.to_string())?;
                let elapsed = start.elapsed();
                drop(pool);
                Ok(elapsed)
            }),
        },
        Step {
            label: "200 JSON documents of 1 KiB: parsed in this process (2 threads)",
            measure: Box::new(move || {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for half in documents.chunks(DOCUMENTS / 2) {
                        s.spawn(move || {
                            for d in half {
                                black_box(parse_record.call_in_process(d.clone()))
                                    .expect("a document parses");
                            }
                        });
                    }
                });
                Ok(start.elapsed())
            }),
        },
        Step {
            label: "200 JSON documents of 1 KiB: parsed by a pool of 2 workers (2 calling threads)",
            measure: Box::new(move || {
                let start = Instant::now();
                let failed = std::thread::scope(|s| {
                    let handles: Vec<_> = docs_for_pool
                        .chunks(DOCUMENTS / 2)
                        .map(|half| {
                            let pool = &parsers;
                            s.spawn(move || {
                                half.iter()
                                    .filter(|d| !matches!(pool.call((*d).clone()), Ok(Ok(_))))
                                    .count()
                            })
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().unwrap_or(1))
                        .sum::<usize>()
                });
                let elapsed = start.elapsed();
                if failed > 0 {
                    return Err(format!("{failed} documents were not parsed by the pool"));
                }
                Ok(elapsed)
            }),
        },
    ])
}
