//! What can go wrong with a worker call, or with starting a pool.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::error::PanicLocation;

/// Why a worker call (or starting a [`WorkerPool`](super::WorkerPool)) failed.
///
/// Every call returns its function's value or one of these: a worker that dies, hangs,
/// panics or answers garbage is one error, and the pool replaces it. Each names the worker
/// function (`worker`, its path as `module::name`).
#[derive(Debug)]
#[non_exhaustive]
pub enum WorkerError {
    /// The worker process could not be started.
    Start {
        /// The worker function.
        worker: &'static str,
        /// Why.
        source: io::Error,
    },
    /// The worker did not get as far as serving calls: its context could not be built or
    /// applied (the message is the context's error, with its help), or it died or did not
    /// answer before that. No call ran.
    Setup {
        /// The worker function.
        worker: &'static str,
        /// What the worker reported, or what happened to it.
        message: String,
    },
    /// The call took longer than the pool's timeout: the worker was killed (and reaped).
    Timeout {
        /// The worker function.
        worker: &'static str,
        /// The timeout.
        limit: Duration,
        /// The worker process that was killed.
        pid: u32,
    },
    /// The function panicked in the worker (which then exits).
    Panicked {
        /// The worker function.
        worker: &'static str,
        /// The panic message.
        message: String,
        /// Where, as the worker's panic hook saw it.
        location: Option<PanicLocation>,
    },
    /// A signal killed the worker during the call (`SIGSEGV`, `SIGABRT` from `abort()`,
    /// `SIGSYS` of a filter that kills, `SIGKILL`, …).
    Crashed {
        /// The worker function.
        worker: &'static str,
        /// The signal.
        signal: i32,
        /// The last lines the worker wrote to stderr (at most 4 KiB).
        stderr: String,
    },
    /// The worker exited during the call (the function called `std::process::exit`).
    Exited {
        /// The worker function.
        worker: &'static str,
        /// Its exit code.
        code: i32,
        /// The last lines the worker wrote to stderr (at most 4 KiB).
        stderr: String,
    },
    /// The worker ran out of the memory its limit allows (an allocation failed and the
    /// process aborted).
    MemoryLimit {
        /// The worker function.
        worker: &'static str,
        /// The limit, in bytes of address space.
        limit: u64,
        /// The last lines the worker wrote to stderr (at most 4 KiB).
        stderr: String,
    },
    /// The worker used up its CPU time (`SIGXCPU` of its limit).
    CpuLimit {
        /// The worker function.
        worker: &'static str,
        /// The limit, for the worker process's whole life.
        limit: Duration,
    },
    /// The worker's reply was longer than the pool allows (the worker was killed: no more
    /// of it was read).
    ReplyTooLarge {
        /// The worker function.
        worker: &'static str,
        /// The length the reply announced, in bytes.
        len: u64,
        /// The limit.
        limit: usize,
    },
    /// The input, once serialized, is longer than the pool allows; it was not sent.
    InputTooLarge {
        /// The worker function.
        worker: &'static str,
        /// Its length, in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The worker's reply was not a reply: bytes that are not a frame, a frame of an unknown
    /// kind, an output that does not deserialize as the function's output type, or a
    /// channel closed in the middle of a frame. The worker was killed.
    MalformedReply {
        /// The worker function.
        worker: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The input could not be serialized (here), or the worker could not deserialize it or
    /// serialize the function's output (the worker stays).
    Serialization {
        /// The worker function.
        worker: &'static str,
        /// What the serializer said.
        message: String,
    },
    /// Talking to the worker failed in a way that is none of the above.
    Io {
        /// The worker function.
        worker: &'static str,
        /// Why.
        source: io::Error,
    },
}

fn stderr_tail(f: &mut fmt::Formatter<'_>, stderr: &str) -> fmt::Result {
    let stderr = stderr.trim_end();
    if stderr.is_empty() {
        Ok(())
    } else {
        write!(f, "; its stderr ended with: {stderr}")
    }
}

/// The name of a signal (`SIGSEGV`), or its number.
pub(crate) fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGUSR2 => "SIGUSR2",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        libc::SIGSYS => "SIGSYS",
        _ => return format!("signal {signal}"),
    };
    name.to_string()
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Start { worker, source } => {
                write!(f, "could not start a worker process for {worker}: {source}")
            }
            WorkerError::Setup { worker, message } => {
                write!(f, "the worker for {worker} could not be sandboxed, so it was not used: {message}")
            }
            WorkerError::Timeout { worker, limit, pid } => write!(
                f,
                "the call to worker {worker} took longer than {limit:?}: worker process {pid} was killed (raise the pool's timeout if the input is legitimately slow)"
            ),
            WorkerError::Panicked {
                worker,
                message,
                location: Some(location),
            } => write!(f, "worker {worker} panicked at {location}: {message}"),
            WorkerError::Panicked {
                worker,
                message,
                location: None,
            } => write!(f, "worker {worker} panicked: {message}"),
            WorkerError::Crashed {
                worker,
                signal,
                stderr,
            } => {
                write!(
                    f,
                    "worker {worker} was killed by {} during the call",
                    signal_name(*signal)
                )?;
                if *signal == libc::SIGSYS {
                    write!(f, " (a syscall its context does not allow, with a filter that kills)")?;
                }
                stderr_tail(f, stderr)
            }
            WorkerError::Exited {
                worker,
                code,
                stderr,
            } => {
                write!(f, "worker {worker} exited with status {code} during the call")?;
                stderr_tail(f, stderr)
            }
            WorkerError::MemoryLimit {
                worker,
                limit,
                stderr,
            } => {
                write!(
                    f,
                    "worker {worker} ran out of memory: an allocation went past its limit of {limit} bytes (WorkerOptions::memory_limit)"
                )?;
                stderr_tail(f, stderr)
            }
            WorkerError::CpuLimit { worker, limit } => write!(
                f,
                "worker {worker} used up its CPU time limit of {limit:?} (WorkerOptions::cpu_time_limit) and was killed"
            ),
            WorkerError::ReplyTooLarge { worker, len, limit } => write!(
                f,
                "worker {worker} sent a reply of {len} bytes, more than the limit of {limit} (WorkerOptions::max_output); it was killed"
            ),
            WorkerError::InputTooLarge { worker, len, limit } => write!(
                f,
                "the input for worker {worker} is {len} bytes serialized, more than the limit of {limit} (WorkerOptions::max_input); it was not sent"
            ),
            WorkerError::MalformedReply { worker, reason } => {
                write!(f, "worker {worker} sent a malformed reply ({reason}); it was killed")
            }
            WorkerError::Serialization { worker, message } => {
                write!(f, "serialization for worker {worker} failed: {message}")
            }
            WorkerError::Io { worker, source } => {
                write!(f, "talking to worker {worker} failed: {source}")
            }
        }
    }
}

impl std::error::Error for WorkerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WorkerError::Start { source, .. } | WorkerError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
