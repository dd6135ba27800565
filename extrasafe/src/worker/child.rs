//! The worker's side: what a re-executed program does when its constructor finds that it
//! was started as a worker, before `main` (which never runs in a worker).

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Mutex;

use ::landlock::{BitFlags, Scope};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::protocol::{self, PanicReport, TOKEN_LEN};
use super::sys;
use super::{Marker, WorkerFn, WorkerMode, MARKER};
use crate::isolate::sys as proc_sys;
use crate::report::LandlockStatus;
use crate::rules::{Comparator, RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::runtime::panic_message;
use crate::syscalls::Sysno;

/// The rules every worker gets beside its context: reading and writing its channel, writing
/// its stderr (a pipe the pool reads: Rust's message of a failed allocation goes there),
/// signalling itself (`abort()` raises `SIGABRT`), and the Landlock scopes that keep it
/// from signalling (or connecting to the abstract sockets of) any process outside its
/// sandbox. The Landlock domain they create also keeps it from tracing its parent or any
/// other process, or reading or writing their memory.
pub(crate) struct WorkerChannel {
    pub(crate) fd: RawFd,
    pub(crate) pid: u32,
}

impl RuleSet for WorkerChannel {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn narrowing_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let arg0_is = |sysno, value: u32| {
            SeccompRule::new(sysno).and_condition(SeccompArgumentFilter::new32(
                0,
                Comparator::Eq,
                value,
            ))
        };
        let fd = self.fd as u32;
        HashMap::from([
            (Sysno::read, vec![arg0_is(Sysno::read, fd)]),
            (
                Sysno::write,
                vec![arg0_is(Sysno::write, fd), arg0_is(Sysno::write, 2)],
            ),
            (Sysno::tgkill, vec![arg0_is(Sysno::tgkill, self.pid)]),
        ])
    }

    fn name(&self) -> &'static str {
        "WorkerChannel"
    }

    fn landlock_scopes(&self) -> BitFlags<Scope> {
        Scope::Signal | Scope::AbstractUnixSocket
    }
}

/// Where the worker's function last panicked (the worker is single-threaded until the
/// function starts threads; a panic on another thread is not the call's).
static LAST_PANIC_AT: Mutex<Option<(String, u32, u32)>> = Mutex::new(None);

/// The constructor's work: returns at once unless this process was started as a worker for
/// `entry` (the marker names it and the start token is queued on its channel); otherwise
/// serves calls and exits, never returning.
pub(crate) fn enter<I, O>(entry: &WorkerFn<I, O>)
where
    I: DeserializeOwned,
    O: Serialize,
{
    let Some(value) = std::env::var_os(MARKER) else {
        return;
    };
    let Some(marker) = value.to_str().and_then(Marker::parse) else {
        return;
    };
    // The channel comes on stdin: a unix stream socket whose other end the parent made
    // (its peer is the parent process, as the socket itself says) and on which the token
    // is queued. The token is only looked at: a program that is not a worker reads its
    // stdin untouched.
    if marker.name != entry.name
        || marker.parent as libc::pid_t != sys::parent_pid()
        || !sys::is_unix_stream(0)
        || sys::peer_pid(0) != Some(marker.parent as libc::pid_t)
    {
        return;
    }
    let mut token = [0u8; TOKEN_LEN];
    if !sys::peek_queued(0, &mut token) || token != marker.token || !sys::take_queued(0, &mut token)
    {
        return;
    }
    std::env::remove_var(MARKER);
    // From here on this process is the worker: `main` never runs.
    let code = std::panic::catch_unwind(|| serve(entry, &marker)).unwrap_or(101);
    proc_sys::exit_now(code)
}

/// Applies the sandbox, reports it, and serves calls until the pool closes the channel.
fn serve<I, O>(entry: &WorkerFn<I, O>, marker: &Marker<'_>) -> i32
where
    I: DeserializeOwned,
    O: Serialize,
{
    // Die with the pool; if it is gone already (this process was reparented), stop here.
    if proc_sys::set_parent_death_signal(libc::SIGKILL).is_err()
        || sys::parent_pid() != marker.parent as libc::pid_t
    {
        return 1;
    }
    // A session and process group of its own: no controlling terminal (so no TIOCSTI into
    // the caller's shell), and the pool's kill reaches whatever it starts. No signal
    // blocked (the spawning thread's mask is not ours); the kernel's OOM killer picks the
    // worker first.
    if proc_sys::setsid().is_err() || sys::unblock_all_signals().is_err() {
        return 1;
    }
    let _ = std::fs::write("/proc/self/oom_score_adj", "1000");
    let Ok(channel) = sys::move_off_stdin() else {
        return 1;
    };
    let fd = channel.as_raw_fd();
    let channel = File::from(channel);
    // Requests are read through a buffer (a header and its payload in one read); replies
    // are written whole.
    let mut requests = std::io::BufReader::with_capacity(16 * 1024, &channel);
    let mut replies = &channel;
    let setup = setup(entry, marker, fd);
    let (kind, payload) = match &setup {
        Ok(report) => (protocol::READY, report.as_bytes()),
        Err(why) => (protocol::SETUP_FAILED, why.as_bytes()),
    };
    if replies.write_all(&protocol::frame(kind, payload)).is_err() || setup.is_err() {
        return 1;
    }
    loop {
        let mut header = [0u8; protocol::HEADER];
        match requests.read_exact(&mut header) {
            Ok(()) => {}
            // The pool closed the channel: done.
            Err(_) => return 0,
        }
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as u64;
        if header[4] != protocol::CALL || len > marker.max_input {
            return 2;
        }
        let mut input = vec![0u8; len as usize];
        if requests.read_exact(&mut input).is_err() {
            return 0;
        }
        let (kind, payload, more) = call(entry, &input);
        if replies.write_all(&protocol::frame(kind, &payload)).is_err() {
            return 0;
        }
        if !more {
            return 101;
        }
        if marker.mode == WorkerMode::FreshPerCall {
            return 0;
        }
    }
}

/// Runs one call: the reply frame's kind and payload, and whether the worker may go on.
fn call<I, O>(entry: &WorkerFn<I, O>, input: &[u8]) -> (u8, Vec<u8>, bool)
where
    I: DeserializeOwned,
    O: Serialize,
{
    let input: I = match postcard::from_bytes(input) {
        Ok(input) => input,
        Err(e) => {
            let why = format!("the worker could not deserialize its input: {e}");
            return (protocol::SERDE_FAILED, why.into_bytes(), true);
        }
    };
    let func = entry.func;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| func(input))) {
        Ok(output) => match postcard::to_allocvec(&output) {
            Ok(bytes) => (protocol::OUTPUT, bytes, true),
            Err(e) => {
                let why = format!("the worker could not serialize its output: {e}");
                (protocol::SERDE_FAILED, why.into_bytes(), true)
            }
        },
        Err(payload) => {
            let report: PanicReport = (
                panic_message(&*payload),
                LAST_PANIC_AT.lock().map(|mut at| at.take()).unwrap_or(None),
            );
            // Serializing two strings and integers into a Vec cannot fail.
            let bytes = postcard::to_allocvec(&report).unwrap_or_default();
            (protocol::PANICKED, bytes, false)
        }
    }
}

/// Everything before the first request: descriptors, limits, the context and the worker's
/// own rules. The enforcement report, or why the sandbox could not be applied.
fn setup<I, O>(entry: &WorkerFn<I, O>, marker: &Marker<'_>, fd: RawFd) -> Result<String, String> {
    proc_sys::close_fds_except(&[fd])
        .map_err(|e| format!("could not close the descriptors it inherited: {e}"))?;
    // No core files of crashing workers.
    proc_sys::set_rlimit(libc::RLIMIT_CORE, 0)
        .map_err(|e| format!("could not set RLIMIT_CORE: {e}"))?;
    if let Some(bytes) = marker.memory {
        proc_sys::set_rlimit(libc::RLIMIT_AS, bytes).map_err(|e| {
            format!("could not set the memory limit (RLIMIT_AS) to {bytes} bytes: {e}")
        })?;
    }
    if let Some(seconds) = marker.cpu_seconds {
        set_cpu_limit(seconds)
            .map_err(|e| format!("could not set the CPU time limit (RLIMIT_CPU): {e}"))?;
    }
    std::panic::set_hook(Box::new(|info| {
        if let Some(at) = info.location() {
            if let Ok(mut last) = LAST_PANIC_AT.lock() {
                *last = Some((at.file().to_string(), at.line(), at.column()));
            }
        }
    }));
    let context = entry.context;
    let ctx = std::panic::catch_unwind(context).map_err(|payload| {
        format!(
            "the context function panicked: {}",
            panic_message(&*payload)
        )
    })??;
    // The sandbox is applied to this thread: a thread started before (by the context
    // function, or by code of the program that runs before main) would run unsandboxed.
    match proc_sys::thread_count() {
        Ok(1) => {}
        Ok(n) => {
            return Err(format!(
                "the worker has {n} threads before its sandbox is applied (the context \
                 function, or code that runs before main, started threads): the others would \
                 run unsandboxed; start threads in the worker function instead"
            ))
        }
        Err(e) => return Err(format!("could not count the worker's threads: {e}")),
    }
    let mut ctx = ctx;
    // A context that isolates the process: the worker enters new namespaces first (keeping
    // its channel), and goes on as the isolated process (PID 2 of a new PID namespace, under
    // an init of ours); this process stays as its supervisor, and ends like it.
    let isolation = match ctx.take_isolation() {
        None => None,
        Some(mut config) => {
            config.keep_fds.push(fd);
            // Fail before the namespaces if the rules cannot compile (the pid is the
            // isolated process's, known only inside).
            ctx.clone()
                .enable(WorkerChannel { fd, pid: 0 })
                .and_then(|with_channel| with_channel.check_seccomp_compiles())
                .map_err(|e| with_help(&e))?;
            Some(
                crate::isolate::isolate_main(&config)
                    .map_err(|e| with_help(&crate::ExtraSafeError::from(e)))?,
            )
        }
    };
    let ctx = ctx
        .enable(WorkerChannel {
            fd,
            // Its own pid, in its PID namespace (after isolation).
            pid: std::process::id(),
        })
        .map_err(|e| with_help(&e))?;
    let mut report = ctx.enforce_on_current_thread().map_err(|e| with_help(&e))?;
    report.isolation = isolation;
    match &report.landlock {
        Some(landlock)
            if landlock.status != LandlockStatus::NotEnforced
                && landlock.scopes.contains(&"signal") => {}
        _ => {
            return Err(format!(
                "the kernel could not enforce the Landlock scopes that keep a worker from \
                 signalling its parent (Landlock ABI 6, Linux 6.12; this kernel's ABI is {}); \
                 no worker runs without them",
                crate::sys::landlock_abi()
            ))
        }
    }
    Ok(report.to_string())
}

/// RLIMIT_CPU: `SIGXCPU` at `seconds`, `SIGKILL` a second later.
fn set_cpu_limit(seconds: u64) -> std::io::Result<()> {
    proc_sys::set_rlimit_pair(libc::RLIMIT_CPU, seconds, seconds.saturating_add(1))
}

fn with_help(e: &crate::ExtraSafeError) -> String {
    match e.help() {
        Some(help) => format!("{e} (help: {help})"),
        None => e.to_string(),
    }
}
