//! The pool's side of one worker process: starting it, the handshake, one call with a
//! deadline, and ending it.

use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::error::WorkerError;
use super::protocol::{self, FrameError, FrameReader, PanicReport, TOKEN_LEN};
use super::sys;
use super::{Marker, WorkerOptions, WorkerOutput, MARKER};
use crate::error::PanicLocation;
use crate::isolate::sys as proc_sys;

/// How much of a worker's stderr is kept for error messages.
const STDERR_TAIL: usize = 4096;

/// How long the first read of a reply waits by itself, before the pool waits with poll
/// (forwarding stderr, minding the deadline).
const FIRST_WAIT_US: i64 = 2_000;

/// The most of a worker's stderr read in one go.
const STDERR_READ: usize = 64 * 1024;

/// The most of a worker's stderr forwarded per call (the rest is counted, not shown).
const STDERR_FORWARD: usize = 64 * 1024;

/// `bytes` with every control character but newline and tab replaced by `?`: a worker's
/// output cannot move the cursor, set a terminal's title or clipboard, or erase lines.
pub(crate) fn harmless(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| {
            if (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f {
                b'?'
            } else {
                b
            }
        })
        .collect()
}

/// One worker process, started, perhaps not yet ready.
#[derive(Debug)]
pub(crate) struct Process {
    worker: &'static str,
    child: Child,
    channel: OwnedFd,
    stderr: OwnedFd,
    forward_stderr: bool,
    tail: Vec<u8>,
    /// Bytes of stderr forwarded, and dropped, in this call.
    forwarded: usize,
    dropped: usize,
    /// The enforcement report, once the worker said it is ready.
    pub(crate) report: Option<String>,
    /// Whether the process has been reaped.
    reaped: bool,
    /// Whether the last call's input never reached the worker (it had closed its channel).
    undelivered: bool,
    /// The buffer replies are read into.
    scratch: Vec<u8>,
}

/// What ended a wait for a frame.
enum Wait {
    Frame(u8, Vec<u8>),
    /// The worker closed its channel (it exited, or closed it and went on).
    Closed {
        mid_frame: bool,
    },
    TimedOut,
    TooLarge(FrameError),
    /// More bytes than the frame came: the worker speaks out of turn.
    Extra,
}

impl Process {
    /// Starts `/proc/self/exe` as the worker `name` (the calling thread must outlive it:
    /// the worker dies with it).
    pub(crate) fn spawn(
        name: &'static str,
        options: &WorkerOptions,
    ) -> Result<Process, WorkerError> {
        let start = |source| WorkerError::Start {
            worker: name,
            source,
        };
        let (mine, theirs) = sys::socket_pair().map_err(start)?;
        let mut token = [0u8; TOKEN_LEN];
        proc_sys::random_bytes(&mut token).map_err(start)?;
        // Queued before the worker exists: it checks the token without waiting.
        let sent = sys::send_some(&mine, &token).map_err(start)?;
        if sent != TOKEN_LEN {
            return Err(start(std::io::Error::other(
                "the start token did not fit the socket",
            )));
        }
        let (stderr_read, stderr_write) = proc_sys::pipe().map_err(start)?;
        let marker = Marker {
            parent: std::process::id(),
            token,
            max_input: options.max_input as u64,
            memory: options.memory_limit,
            cpu_seconds: options.cpu_time_limit.map(|d| d.as_secs().max(1)),
            mode: options.mode,
            name,
        };
        let mut cmd = Command::new("/proc/self/exe");
        if let Some(arg0) = std::env::args_os().next() {
            cmd.arg0(arg0);
        }
        // The channel is the worker's stdin (it moves it away and puts /dev/null there): no
        // code runs between fork and exec, so the program is not forked but spawned
        // (posix_spawn), however large it is.
        cmd.env_clear()
            .env(MARKER, marker.format())
            .stdin(Stdio::from(theirs))
            .stdout(match options.stdout {
                WorkerOutput::Inherit => Stdio::inherit(),
                WorkerOutput::Null => Stdio::null(),
            })
            .stderr(Stdio::from(stderr_write));
        let child = cmd.spawn().map_err(start)?;
        drop(cmd);
        // The channel blocks, for a first read that waits a moment without poll (a quick
        // reply costs no more than a read); every other read and send does not wait.
        sys::set_receive_timeout(&mine, FIRST_WAIT_US).map_err(start)?;
        sys::set_nonblocking(&stderr_read, true).map_err(start)?;
        Ok(Process {
            worker: name,
            child,
            channel: mine,
            stderr: stderr_read,
            forward_stderr: options.stderr == WorkerOutput::Inherit,
            tail: Vec::new(),
            forwarded: 0,
            dropped: 0,
            report: None,
            reaped: false,
            undelivered: false,
            scratch: vec![0u8; 16 * 1024],
        })
    }

    /// The worker process's id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the last call's input never reached the worker, because it had ended (or
    /// closed its channel) while it waited for a call.
    pub(crate) fn undelivered(&self) -> bool {
        self.undelivered
    }

    /// Waits until the worker says its sandbox holds (or why it could not apply it).
    pub(crate) fn handshake(&mut self, timeout: Duration) -> Result<(), WorkerError> {
        if self.report.is_some() {
            return Ok(());
        }
        let deadline = Instant::now() + timeout;
        let worker = self.worker;
        let setup = move |message: String| WorkerError::Setup { worker, message };
        match self.wait_frame(Some(deadline), 1 << 20) {
            Ok(Wait::Frame(protocol::READY, report)) => {
                self.report = Some(Process::text(&report));
                Ok(())
            }
            Ok(Wait::Frame(protocol::SETUP_FAILED, why)) => {
                let why = Process::text(&why);
                self.kill_and_reap();
                Err(setup(why))
            }
            Ok(Wait::Frame(kind, _)) => {
                self.kill_and_reap();
                Err(setup(format!(
                    "it sent a frame of kind {kind} instead of its report"
                )))
            }
            Ok(Wait::TimedOut) => {
                self.kill_and_reap();
                Err(setup(format!(
                    "it did not report its sandbox within {timeout:?}; it was killed"
                )))
            }
            Ok(Wait::TooLarge(_)) => {
                self.kill_and_reap();
                Err(setup("its report was too long".to_string()))
            }
            Ok(Wait::Extra) => {
                self.kill_and_reap();
                Err(setup("it sent more than its report".to_string()))
            }
            Ok(Wait::Closed { .. }) => {
                // It ended before it was ready: nothing was asked of it yet.
                self.undelivered = true;
                let end = self.reap();
                let stderr = self.stderr_text();
                let how = match end {
                    Some((code, None)) => format!("it exited with status {code}"),
                    Some((_, Some(signal))) => {
                        format!("it was killed by {}", super::error::signal_name(signal))
                    }
                    None => "it closed its channel".to_string(),
                };
                let mut message = format!("{how} before it was ready");
                if !stderr.trim().is_empty() {
                    message.push_str(&format!("; its stderr ended with: {}", stderr.trim_end()));
                }
                Err(setup(message))
            }
            Err(e) => {
                self.kill_and_reap();
                Err(e)
            }
        }
    }

    /// One call: sends `input` (serialized), and returns the serialized output. On an error
    /// other than [`WorkerError::Serialization`], the process is gone (killed and reaped).
    pub(crate) fn call(
        &mut self,
        input: &[u8],
        options: &WorkerOptions,
    ) -> Result<Vec<u8>, WorkerError> {
        let worker = self.worker;
        self.new_stderr_budget();
        let started = Instant::now();
        let deadline = options.timeout.map(|t| started + t);
        let frame = protocol::frame(protocol::CALL, input);
        let mut sent = 0;
        while sent < frame.len() {
            match sys::send_some(&self.channel, &frame[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    let ready = self.wait(false, true, deadline)?;
                    if ready.is_none() {
                        return Err(self.timed_out(options));
                    }
                }
                // The worker had closed its channel (it died while it waited for a call):
                // nothing of this call reached it.
                Err(e)
                    if sent == 0
                        && matches!(e.raw_os_error(), Some(libc::EPIPE | libc::ECONNRESET)) =>
                {
                    self.undelivered = true;
                    return Err(self.died(options));
                }
                // The worker died during the call: say how.
                Err(_) => return Err(self.died(options)),
            }
        }
        match self.wait_frame(deadline, options.max_output)? {
            Wait::Frame(protocol::OUTPUT, output) => Ok(output),
            Wait::Frame(protocol::PANICKED, report) => {
                let report: Result<PanicReport, _> = postcard::from_bytes(&report);
                self.kill_and_reap();
                match report {
                    Ok((message, location)) => Err(WorkerError::Panicked {
                        worker,
                        message: Process::text(message.as_bytes()),
                        location: location.map(|(file, line, column)| {
                            PanicLocation::new(Process::text(file.as_bytes()), line, column)
                        }),
                    }),
                    Err(e) => Err(WorkerError::MalformedReply {
                        worker,
                        reason: format!("a panic report that does not deserialize: {e}"),
                    }),
                }
            }
            Wait::Frame(protocol::SERDE_FAILED, why) => Err(WorkerError::Serialization {
                worker,
                message: Process::text(&why),
            }),
            Wait::Frame(kind, _) => {
                self.kill_and_reap();
                Err(WorkerError::MalformedReply {
                    worker,
                    reason: format!("a frame of unknown kind {kind}"),
                })
            }
            Wait::Closed { mid_frame: true } => {
                // A death mid-frame is a death; a live worker that closed its channel
                // mid-frame sent a malformed reply.
                match self.died(options) {
                    WorkerError::Crashed {
                        signal: libc::SIGKILL,
                        ..
                    } => Err(WorkerError::MalformedReply {
                        worker,
                        reason: "the channel was closed in the middle of a frame".to_string(),
                    }),
                    other => Err(other),
                }
            }
            Wait::Closed { mid_frame: false } => Err(self.died(options)),
            Wait::TimedOut => Err(self.timed_out(options)),
            Wait::Extra => {
                self.kill_and_reap();
                Err(WorkerError::MalformedReply {
                    worker,
                    reason: "bytes after the reply".to_string(),
                })
            }
            Wait::TooLarge(FrameError::TooLarge { len, limit }) => {
                self.kill_and_reap();
                Err(WorkerError::ReplyTooLarge { worker, len, limit })
            }
        }
    }

    fn timed_out(&mut self, options: &WorkerOptions) -> WorkerError {
        let pid = self.pid();
        self.kill_and_reap();
        WorkerError::Timeout {
            worker: self.worker,
            limit: options.timeout.unwrap_or_default(),
            pid,
        }
    }

    /// The worker closed its channel: kills it if it still runs, reaps it, and names how it
    /// ended.
    fn died(&mut self, options: &WorkerOptions) -> WorkerError {
        let worker = self.worker;
        let end = self.reap();
        let stderr = self.stderr_text();
        match end {
            Some((_, Some(libc::SIGXCPU))) if options.cpu_time_limit.is_some() => {
                WorkerError::CpuLimit {
                    worker,
                    limit: options.cpu_time_limit.unwrap_or_default(),
                }
            }
            Some((_, Some(libc::SIGABRT)))
                if options.memory_limit.is_some() && stderr.contains("memory allocation of") =>
            {
                WorkerError::MemoryLimit {
                    worker,
                    limit: options.memory_limit.unwrap_or_default(),
                    stderr,
                }
            }
            Some((_, Some(signal))) => WorkerError::Crashed {
                worker,
                signal,
                stderr,
            },
            Some((code, None)) => WorkerError::Exited {
                worker,
                code,
                stderr,
            },
            None => WorkerError::Io {
                worker,
                source: std::io::Error::other("the worker process could not be waited for"),
            },
        }
    }

    /// Waits for one whole frame of at most `limit` bytes, forwarding stderr meanwhile.
    fn wait_frame(&mut self, deadline: Option<Instant>, limit: usize) -> Result<Wait, WorkerError> {
        let mut reader = FrameReader::new(limit);
        let mut buf = std::mem::take(&mut self.scratch);
        let waited = self.fill_frame(&mut reader, &mut buf, deadline);
        self.scratch = buf;
        waited
    }

    fn fill_frame(
        &mut self,
        reader: &mut FrameReader,
        buf: &mut [u8],
        deadline: Option<Instant>,
    ) -> Result<Wait, WorkerError> {
        // A quick reply is read by a read that waits a moment (no poll); after that, or when
        // the deadline is nearer, the pool waits with poll.
        let quick = match deadline {
            None => true,
            Some(d) => {
                d.saturating_duration_since(Instant::now())
                    > Duration::from_micros(FIRST_WAIT_US as u64)
            }
        };
        let mut first = quick;
        let mut ready = quick;
        loop {
            if !ready {
                if self.wait(true, false, deadline)?.is_none() {
                    return Ok(Wait::TimedOut);
                }
                ready = true;
            }
            // Until the header is in, read what is there (header and payload in one read);
            // after it, no more than the frame needs.
            let want = if reader.started() && reader.wanted() < buf.len() {
                reader.wanted()
            } else {
                buf.len()
            };
            let got = if std::mem::take(&mut first) {
                sys::recv_wait(&self.channel, &mut buf[..want])
            } else {
                sys::recv_now(&self.channel, &mut buf[..want])
            };
            match got {
                Ok(0) => {
                    return Ok(Wait::Closed {
                        mid_frame: reader.started(),
                    })
                }
                Ok(n) => {
                    let mut chunk = &buf[..n];
                    while !chunk.is_empty() {
                        let take = chunk.len().min(reader.wanted());
                        if let Err(e) = reader.push(&chunk[..take]) {
                            return Ok(Wait::TooLarge(e));
                        }
                        chunk = &chunk[take..];
                        if let Some((kind, payload)) = reader.finish() {
                            if !chunk.is_empty() {
                                return Ok(Wait::Extra);
                            }
                            return Ok(Wait::Frame(kind, payload));
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => ready = false,
                Err(e) if e.raw_os_error() == Some(libc::ECONNRESET) => {
                    return Ok(Wait::Closed {
                        mid_frame: reader.started(),
                    })
                }
                Err(source) => {
                    return Err(WorkerError::Io {
                        worker: self.worker,
                        source,
                    })
                }
            }
        }
    }

    /// Waits until the channel is readable (or writable), forwarding stderr meanwhile:
    /// `None` once `deadline` has passed.
    fn wait(
        &mut self,
        read: bool,
        write: bool,
        deadline: Option<Instant>,
    ) -> Result<Option<()>, WorkerError> {
        let mut stderr_open = true;
        loop {
            let timeout_ms = match deadline {
                None => -1,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(None);
                    }
                    // Rounded up, so that the wait does not end just before the deadline.
                    left.as_millis().saturating_add(1).min(i32::MAX as u128) as i32
                }
            };
            let mut fds = vec![(self.channel.as_raw_fd(), read, write)];
            if stderr_open {
                fds.push((self.stderr.as_raw_fd(), true, false));
            }
            let ready = sys::wait_ready(&fds, timeout_ms).map_err(|source| WorkerError::Io {
                worker: self.worker,
                source,
            })?;
            if stderr_open && ready[1].readable && !self.drain_stderr() {
                stderr_open = false;
            }
            if ready[0].readable || ready[0].writable {
                return Ok(Some(()));
            }
        }
    }

    /// Reads what the worker wrote to stderr (at most [`STDERR_READ`] bytes per call, so
    /// that a worker writing without end cannot hold the caller past its deadline),
    /// forwards it (if asked, up to [`STDERR_FORWARD`] bytes per call, control characters
    /// made harmless) and keeps its tail: `false` once the pipe is closed.
    fn drain_stderr(&mut self) -> bool {
        let mut buf = [0u8; 8192];
        let mut read = 0;
        while read < STDERR_READ {
            match sys::read_some(&self.stderr, &mut buf) {
                Ok(0) => return false,
                Ok(n) => {
                    read += n;
                    let text = &buf[..n];
                    if self.forward_stderr {
                        let room = STDERR_FORWARD.saturating_sub(self.forwarded);
                        let shown = &text[..n.min(room)];
                        if !shown.is_empty() {
                            let _ = std::io::stderr().write_all(&harmless(shown));
                        }
                        self.forwarded += shown.len();
                        self.dropped += n - shown.len();
                    }
                    self.tail.extend_from_slice(text);
                    if self.tail.len() > STDERR_TAIL {
                        let cut = self.tail.len() - STDERR_TAIL;
                        self.tail.drain(..cut);
                    }
                }
                Err(_) => return true,
            }
        }
        true
    }

    /// Starts a call's stderr budget; says what the last call's overflow dropped.
    fn new_stderr_budget(&mut self) {
        if self.dropped > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "extrasafe: worker {}: {} bytes of its stderr were not shown (more than {} in one call)",
                self.worker,
                self.dropped,
                STDERR_FORWARD
            );
        }
        self.forwarded = 0;
        self.dropped = 0;
    }

    /// The stderr the worker wrote (its last 4 KiB), control characters made harmless.
    fn stderr_text(&mut self) -> String {
        // A worker that has ended left at most a pipe's buffer (64 KiB) behind.
        for _ in 0..4 {
            if !self.drain_stderr() {
                break;
            }
        }
        String::from_utf8_lossy(&harmless(&self.tail)).into_owned()
    }

    /// Text from the worker, control characters made harmless.
    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(&harmless(bytes)).into_owned()
    }

    /// Kills the process (if it still runs: it is never reaped before, so its pid is still
    /// ours) and reaps it.
    pub(crate) fn kill_and_reap(&mut self) {
        if !self.reaped {
            self.kill();
            let _ = self.reap();
        }
    }

    /// Kills the worker and every process it started that stayed in its process group (a
    /// worker makes itself a session and group of its own as it starts: if it has not yet,
    /// the group does not exist and the worker alone is killed). Only before it is reaped:
    /// its pid (and so its group's id) is still ours then.
    fn kill(&mut self) {
        if !self.reaped {
            let _ = sys::kill_group(self.child.id() as libc::pid_t, libc::SIGKILL);
            let _ = self.child.kill();
        }
    }

    /// Reaps the process, killing it first if it has not ended within a moment (a worker
    /// that closed its channel and went on), and kills what it started (its process group)
    /// once it has ended: its exit code or its signal.
    fn reap(&mut self) -> Option<(i32, Option<i32>)> {
        if self.reaped {
            return None;
        }
        let pid = self.child.id() as libc::pid_t;
        let deadline = Instant::now() + Duration::from_millis(100);
        loop {
            match sys::has_ended(pid) {
                Ok(true) => break,
                Ok(false) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_micros(200));
                }
                Ok(false) => {
                    self.kill();
                    break;
                }
                Err(_) => break,
            }
        }
        // The worker has ended (or was just killed) and is not reaped: its pid, and so its
        // group's id, cannot have been reused.
        let _ = sys::kill_group(pid, libc::SIGKILL);
        let status = self.child.wait().ok();
        self.reaped = true;
        status.map(|s| (s.code().unwrap_or(-1), s.signal()))
    }

    /// Ends a worker that is done: closes the channel (a worker exits at end of file), and
    /// kills and reaps it.
    pub(crate) fn finish(mut self) {
        self.kill_and_reap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill_and_reap();
    }
}
