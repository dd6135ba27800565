//! Sandboxed worker processes (feature `worker`): a typed function call across a process
//! boundary, for untrusted input.
//!
//! A sandboxed thread ([`extrasafe!`](crate::extrasafe!), [`SafetyContext::run`]) restricts
//! the syscalls of the code it runs, but it shares the address space of the whole program:
//! code in it that corrupts memory (a bug in `unsafe` code, a malicious dependency) can
//! write into the stacks and heap of the program's other, unrestricted threads and make them
//! do what the filter forbids, and a block that never returns or allocates without bound
//! takes the program with it. A **worker** is a separate process, as Chromium's utility
//! processes and OpenSSH's privilege-separated child are: its memory is its own, and a
//! worker that crashes, hangs or runs out of memory is killed and replaced while the
//! program goes on.
//!
//! A worker function is a plain `fn(Input) -> Output` marked with
//! [`#[extrasafe::worker(ctx_fn)]`](macro@crate::worker), where `ctx_fn` builds the
//! [`SafetyContext`] the worker runs under (as for `#[extrasafe::main]`). The attribute
//! turns the function into a [`WorkerFn`] constant; a [`WorkerPool`] runs it in worker
//! processes. Input and output are any types that `serde` serializes (with
//! [postcard](https://docs.rs/postcard), a compact binary format).
//!
//! ```
//! use extrasafe::worker::{WorkerOptions, WorkerPool};
//! use extrasafe::SafetyContext;
//!
//! /// The sandbox of the parser: no files, no network, no exec. Memory, threads' basics and
//! /// exit are always allowed (BasicCapabilities).
//! fn parser_sandbox() -> SafetyContext {
//!     SafetyContext::new()
//! }
//!
//! #[extrasafe::worker(parser_sandbox)]
//! fn count_words(text: String) -> usize {
//!     assert!(std::fs::File::open("/etc/hostname").is_err()); // no files in here
//!     text.split_whitespace().count()
//! }
//!
//! fn main() -> Result<(), extrasafe::worker::WorkerError> {
//!     let pool = WorkerPool::start(count_words, WorkerOptions::new().workers(2))?;
//!     assert_eq!(pool.call("untrusted input, parsed elsewhere".to_string())?, 4);
//!     Ok(())
//! }
//! ```
//!
//! # What a worker is
//!
//! - A process started from the program itself: [`WorkerPool::start`] re-executes
//!   `/proc/self/exe` (the program's own file, even if it was replaced on disk since), so it
//!   is safe to start from a multithreaded program, from a tokio runtime and from tests.
//!   The attribute registers a constructor that the C runtime calls before `main` (and
//!   before a test harness's `main`): in a process started as a worker, it becomes the
//!   worker there, and `main` never runs. It recognises that it was started as one by a
//!   variable in its environment *and* its channel on stdin: a unix socket made by its
//!   parent (as the kernel says, `SO_PEERCRED`) holding a random token that only the pool
//!   put there. Setting the environment of the program, or the environment and stdin, is
//!   not enough to make it a worker; its stdin is only looked at (`MSG_PEEK`), never read,
//!   unless it is one.
//! - Sandboxed **before it reads its first request**: it closes every descriptor but 0, 1,
//!   2 and its channel; sets its limits; builds its context with `ctx_fn` *in the worker*
//!   (a descriptor the context allows, such as a file opened by `ctx_fn`, is the worker's);
//!   adds the worker's own rules (reading and writing its channel, writing its stderr,
//!   signalling itself, and Landlock's signal and abstract unix socket scopes); and applies
//!   it to itself. It then sends the
//!   [`EnforcementReport`](crate::EnforcementReport), which [`WorkerPool::report`] returns.
//!   If any of that fails, the worker says why and exits, and [`WorkerPool::start`] fails
//!   with [`WorkerError::Setup`]: no unsandboxed worker ever runs.
//! - It is started with `posix_spawn` (no `fork` of the program's memory), arms its
//!   parent-death signal first thing and stops if the pool is gone already. Its stdin is
//!   `/dev/null`, its stdout `/dev/null` unless [`WorkerOptions::stdout`]
//!   says otherwise, and its stderr a pipe that the pool reads during calls and forwards to
//!   the program's stderr (or drops, [`WorkerOptions::stderr`]); its environment is empty;
//!   it dies with the program (`PR_SET_PDEATHSIG`, tied to a thread the pool keeps for
//!   starting its workers); the pool kills its workers when it is dropped; `no_new_privs` is
//!   set; no core files.
//! - It cannot trace or signal its parent, or read or write its memory: the Landlock domain
//!   of its sandbox makes `ptrace`, `process_vm_writev` and `/proc/<pid>/mem` fail for every
//!   process outside it, and its signal scope makes `kill` fail. Landlock with scopes
//!   (ABI 6, Linux 6.12) is therefore required: on an older kernel the pool does not start.
//! - Its replies are untrusted input: a reply longer than [`WorkerOptions::max_output`] is
//!   refused before anything of it is allocated; a reply that does not deserialize, nests
//!   more than 128 levels deep or holds more than 8 values per byte is
//!   [`WorkerError::MalformedReply`]; either way the worker is killed. Its stderr is read in
//!   bounded steps (a worker writing without end cannot hold a call past its timeout),
//!   forwarded up to 64 KiB per call, and its control characters (and those of panic
//!   messages) are replaced by `?`: it cannot drive the terminal.
//! - It leads a session and process group of its own (no controlling terminal, so no
//!   `TIOCSTI`), and the pool kills the whole group: what it started dies with it. It starts
//!   with no signal blocked, and with the highest OOM score, so that the kernel's OOM
//!   killer takes a worker before the program.
//! - A context made with [`SafetyContext::isolate_process`] also isolates the worker: it
//!   enters new user, PID, mount, IPC, UTS, cgroup and network namespaces on a root of its
//!   own (see [`isolate`](crate::isolate)), and serves calls as PID 2 there, under an init
//!   of ours; the process the pool started supervises it, and is what the pool kills.
//!   Where user namespaces are unavailable, such a pool does not start.
//! - A thread that exists before the sandbox is applied (started by the context function,
//!   or by code that runs before `main`) would run unsandboxed: such a worker does not
//!   start ([`WorkerError::Setup`]).
//!
//! # Calls and limits
//!
//! A worker serves one call at a time; a pool of [`WorkerOptions::workers`] prestarted
//! workers serves as many at once, and further calls wait in line (first come, first
//! served). [`WorkerPool::call`] blocks; [`WorkerPool::call_async`] returns a future (for
//! tokio or any executor; it runs the call on a thread of its own).
//!
//! Each call returns the function's value or a [`WorkerError`] that names what happened:
//! a panic, a signal (`SIGSEGV`, `abort()`), an exit, the timeout (the worker is killed),
//! the memory limit, the CPU time limit, a reply too large or malformed. After any of them
//! the worker is gone and the pool starts another: the next call works.
//!
//! | limit | how it holds |
//! |---|---|
//! | [`timeout`](WorkerOptions::timeout) (per call; default 30 s) | the pool kills the worker (`SIGKILL`) and reaps it |
//! | [`memory_limit`](WorkerOptions::memory_limit) | `RLIMIT_AS` of the worker: an allocation past it fails, and Rust aborts |
//! | [`cpu_time_limit`](WorkerOptions::cpu_time_limit) | `RLIMIT_CPU` for the worker's whole life (`SIGXCPU`) |
//! | [`max_output`](WorkerOptions::max_output) (default 16 MiB) | the reply's announced length, checked before reading it |
//! | [`max_input`](WorkerOptions::max_input) (default 16 MiB) | checked before sending |
//!
//! # Reuse or one process per input
//!
//! - [`WorkerMode::Reuse`] (the default): a worker serves call after call, until it fails.
//!   Fast (a call costs a round trip on a socket), but what one input did to the worker
//!   (memory it corrupted, state it left in statics, a thread it started) is there for the
//!   next input: an attacker who controls one input may read or change the results of later
//!   ones handled by the same worker. The CPU time limit counts the worker's whole life.
//! - [`WorkerMode::FreshPerCall`]: every call gets a new process, which exits after it;
//!   nothing of one input is left for the next. The pool keeps fresh workers started ahead
//!   (starting one costs about a millisecond), so a call rarely waits for one.
//!
//! # What each mode protects against
//!
//! | | thread sandbox (`extrasafe!`, `run`) | worker process | isolation (`isolate_process`, `Isolate`) |
//! |---|---|---|---|
//! | syscalls the code may make (seccomp), files and ports (Landlock) | yes | yes | yes |
//! | memory corruption in the sandboxed code reaching the rest of the program | **no**: one address space | yes | yes |
//! | runaway code: hangs, unbounded memory, CPU | no (a thread cannot be killed) | yes: timeout, memory and CPU limits | rlimits |
//! | what the process can see: other processes, the host's files, network | no | only with a context that isolates it ([`SafetyContext::isolate_process`]) | yes: new namespaces, a root of its own |
//!
//! Untrusted input belongs in a worker; a thread sandbox is for code you trust that should
//! not be able to do more than it needs (a library, a plugin you wrote).
//!
//! # Current limitations
//!
//! - A reply is deserialized within 128 levels of nesting and 8 values per byte, but what
//!   it decodes into may be larger than the reply itself: a value of one byte (`None`, an
//!   empty `Vec`) may stand for a large one (`Option<[u64; 32]>` takes 264 bytes). Bound
//!   [`max_output`](WorkerOptions::max_output) with the output type in mind.
//! - A worker whose context allows `setsid` or `setpgid` and `fork` can start processes
//!   outside its process group, which the pool's kill does not reach.
//! - Dropping the future of [`WorkerPool::call_async`] does not cancel the call: it runs to
//!   its end (or its timeout) and the result is dropped.

mod child;
mod decode;
mod error;
mod pool;
mod process;
mod protocol;
mod sys;

use std::fmt;
use std::time::Duration;

use crate::context::SafetyContext;

pub use error::WorkerError;
pub use pool::{WorkerCall, WorkerPool};

/// A function that worker processes run: made by
/// [`#[extrasafe::worker(ctx_fn)]`](macro@crate::worker) from a `fn(I) -> O`, run by a
/// [`WorkerPool`].
///
/// It is a constant with the function's name; [`call_in_process`](WorkerFn::call_in_process)
/// calls the function itself, here, without a worker or a sandbox (for tests and
/// comparisons; never for untrusted input).
pub struct WorkerFn<I, O> {
    name: &'static str,
    context: fn() -> Result<SafetyContext, String>,
    func: fn(I) -> O,
}

impl<I, O> Clone for WorkerFn<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, O> Copy for WorkerFn<I, O> {}

impl<I, O> fmt::Debug for WorkerFn<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerFn")
            .field("name", &self.name)
            .finish()
    }
}

impl<I, O> WorkerFn<I, O> {
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        context: fn() -> Result<SafetyContext, String>,
        func: fn(I) -> O,
    ) -> WorkerFn<I, O> {
        WorkerFn {
            name,
            context,
            func,
        }
    }

    /// The function's path, `module::name`: how errors and the worker name it.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Calls the function in this process, on this thread: **no worker, no sandbox**.
    pub fn call_in_process(&self, input: I) -> O {
        (self.func)(input)
    }
}

/// Whether a worker serves many calls or one (see [Reuse or one process per
/// input](self#reuse-or-one-process-per-input)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WorkerMode {
    /// A worker serves call after call until one fails. The default.
    #[default]
    Reuse,
    /// Every call runs in a new process, which exits after it.
    FreshPerCall,
}

/// Where a worker's stdout or stderr goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkerOutput {
    /// Nowhere (`/dev/null` for stdout; stderr is read and dropped, its tail kept for
    /// errors).
    Null,
    /// The program's own (stderr: forwarded by the pool during calls).
    Inherit,
}

/// How a [`WorkerPool`] runs its workers.
///
/// ```
/// use std::time::Duration;
/// use extrasafe::worker::{WorkerMode, WorkerOptions};
///
/// let options = WorkerOptions::new()
///     .workers(4)
///     .mode(WorkerMode::FreshPerCall)
///     .timeout(Duration::from_secs(2))
///     .memory_limit(256 << 20)
///     .max_output(1 << 20);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub(crate) workers: usize,
    pub(crate) mode: WorkerMode,
    pub(crate) timeout: Option<Duration>,
    pub(crate) start_timeout: Duration,
    pub(crate) memory_limit: Option<u64>,
    pub(crate) cpu_time_limit: Option<Duration>,
    pub(crate) max_input: usize,
    pub(crate) max_output: usize,
    pub(crate) stdout: WorkerOutput,
    pub(crate) stderr: WorkerOutput,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions::new()
    }
}

impl WorkerOptions {
    /// One worker, reused; a 30 s timeout per call; no memory or CPU limit; 16 MiB for
    /// input and output; stdout to `/dev/null`, stderr forwarded.
    pub fn new() -> WorkerOptions {
        WorkerOptions {
            workers: 1,
            mode: WorkerMode::Reuse,
            timeout: Some(Duration::from_secs(30)),
            start_timeout: Duration::from_secs(10),
            memory_limit: None,
            cpu_time_limit: None,
            max_input: 16 << 20,
            max_output: 16 << 20,
            stdout: WorkerOutput::Null,
            stderr: WorkerOutput::Inherit,
        }
    }

    /// How many workers run at once (at least 1).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// Reuse workers, or one process per call.
    pub fn mode(mut self, mode: WorkerMode) -> Self {
        self.mode = mode;
        self
    }

    /// How long a call may take before its worker is killed.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// No time limit per call: a worker that never answers is waited for forever.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// How long a new worker may take to apply its sandbox and say so (default 10 s).
    pub fn start_timeout(mut self, limit: Duration) -> Self {
        self.start_timeout = limit;
        self
    }

    /// The address space a worker may use, in bytes (`RLIMIT_AS`; the program's own code
    /// and libraries count, so leave room: tens of MiB at least).
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// The CPU time a worker may use in its life (`RLIMIT_CPU`, whole seconds, at least 1).
    pub fn cpu_time_limit(mut self, limit: Duration) -> Self {
        self.cpu_time_limit = Some(limit);
        self
    }

    /// The longest serialized input sent to a worker, in bytes.
    pub fn max_input(mut self, bytes: usize) -> Self {
        self.max_input = bytes.min(u32::MAX as usize);
        self
    }

    /// The longest reply taken from a worker, in bytes.
    pub fn max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes.min(u32::MAX as usize);
        self
    }

    /// Where workers' stdout goes (default: nowhere).
    pub fn stdout(mut self, output: WorkerOutput) -> Self {
        self.stdout = output;
        self
    }

    /// Where workers' stderr goes (default: the program's).
    pub fn stderr(mut self, output: WorkerOutput) -> Self {
        self.stderr = output;
        self
    }
}

/// The environment variable that tells a re-executed program which worker to be:
/// `<parent pid>:<token, hex>:<max input>:<memory limit or ->:<cpu seconds or ->:<R or
/// F>:<name>`. The channel is the worker's stdin; the marker is believed only with the token
/// queued on it.
pub(crate) const MARKER: &str = "__EXTRASAFE_WORKER";

/// A [`MARKER`], parsed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Marker<'a> {
    pub(crate) parent: u32,
    pub(crate) token: [u8; protocol::TOKEN_LEN],
    pub(crate) max_input: u64,
    pub(crate) memory: Option<u64>,
    pub(crate) cpu_seconds: Option<u64>,
    pub(crate) mode: WorkerMode,
    pub(crate) name: &'a str,
}

impl<'a> Marker<'a> {
    pub(crate) fn format(&self) -> String {
        let token: String = self.token.iter().map(|b| format!("{b:02x}")).collect();
        let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
        let mode = match self.mode {
            WorkerMode::Reuse => "R",
            WorkerMode::FreshPerCall => "F",
        };
        format!(
            "{}:{token}:{}:{}:{}:{mode}:{}",
            self.parent,
            self.max_input,
            opt(self.memory),
            opt(self.cpu_seconds),
            self.name
        )
    }

    /// `None` unless `text` has the form [`Marker::format`] writes.
    pub(crate) fn parse(text: &'a str) -> Option<Marker<'a>> {
        let mut parts = text.splitn(7, ':');
        let parent = parts.next()?.parse().ok()?;
        let hex = parts.next()?.as_bytes();
        let max_input = parts.next()?.parse().ok()?;
        let opt = |s: &str| -> Option<Option<u64>> {
            if s == "-" {
                Some(None)
            } else {
                s.parse().ok().map(Some)
            }
        };
        let memory = opt(parts.next()?)?;
        let cpu_seconds = opt(parts.next()?)?;
        let mode = match parts.next()? {
            "R" => WorkerMode::Reuse,
            "F" => WorkerMode::FreshPerCall,
            _ => return None,
        };
        let name = parts.next()?;
        if hex.len() != 2 * protocol::TOKEN_LEN {
            return None;
        }
        let mut token = [0u8; protocol::TOKEN_LEN];
        for (byte, pair) in token.iter_mut().zip(hex.chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(Marker {
            parent,
            token,
            max_input,
            memory,
            cpu_seconds,
            mode,
            name,
        })
    }
}

/// What `#[extrasafe::worker]`'s constructor calls.
pub(crate) fn enter_worker<I, O>(entry: &WorkerFn<I, O>)
where
    I: serde::de::DeserializeOwned,
    O: serde::Serialize,
{
    child::enter(entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_reads_back_as_written_and_nothing_else_parses() {
        let marker = Marker {
            parent: 5,
            token: [0xab; protocol::TOKEN_LEN],
            max_input: 1 << 20,
            memory: Some(64 << 20),
            cpu_seconds: None,
            mode: WorkerMode::FreshPerCall,
            name: "my_crate::parse:odd",
        };
        let text = marker.format();
        assert_eq!(Marker::parse(&text), Some(marker));
        for bad in [
            "",
            "5",
            "x:ab:1:-:-:R:f",
            "5:abab:1:-:-:R:f",
            "5:abababababababababababababababab:1:-:-:Q:f",
            "5:zzababababababababababababababab:1:-:-:R:f",
            "5:abababababababababababababababab:1:x:-:R:f",
        ] {
            assert_eq!(Marker::parse(bad), None, "{bad}");
        }
    }
}
