//! Running a program under ptrace and recording its syscalls, per thread.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{CString, OsStr, OsString};
use std::fmt;
use std::io::{self, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use extrasafe::syscalls::Sysno;
use extrasafe::trace::Recorder;
pub use extrasafe::trace::{ArgPolicy, Args, SyscallRecord};

use crate::sys;

/// One thread (or single-threaded process) of the traced program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadRecord {
    /// Its thread id.
    pub tid: i32,
    /// The process (thread group) it belongs to.
    pub pid: i32,
    /// The thread that created it (by clone, fork or vfork), if it was traced.
    pub parent: Option<i32>,
    /// The names it had (`/proc/PID/task/TID/comm`), in order, without repeats.
    pub names: Vec<String>,
    /// Its syscalls by number.
    pub syscalls: BTreeMap<u64, SyscallRecord>,
    /// Its i386 (`int 0x80`) syscalls by i386 number, with how often each was made. Every
    /// extrasafe filter kills the process on these, so no suggestion covers them.
    pub i386: BTreeMap<u64, u64>,
}

impl ThreadRecord {
    /// The last name the thread had.
    pub fn name(&self) -> &str {
        self.names.last().map_or("?", String::as_str)
    }
}

/// How the traced program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this status.
    Code(i32),
    /// A signal killed it.
    Signal(i32),
}

impl Exit {
    /// The status a shell would report: the exit code, or 128 + the signal.
    pub fn shell_status(self) -> i32 {
        match self {
            Exit::Code(c) => c,
            Exit::Signal(s) => 128 + s,
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exited with status {c}"),
            Exit::Signal(s) => write!(f, "killed by signal {s}"),
        }
    }
}

/// Everything recorded in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The command, as given.
    pub command: Vec<String>,
    /// The pid of the program started.
    pub root: i32,
    /// How it ended.
    pub exit: Exit,
    /// Every thread seen, in the order they were first seen.
    pub threads: Vec<ThreadRecord>,
}

/// Why a program could not be traced.
#[derive(Debug)]
#[non_exhaustive]
pub enum TraceError {
    /// The program is not a path to a file and is not found in `PATH`.
    NotFound {
        /// The program as given.
        program: String,
    },
    /// The program was found but `execve` failed.
    CannotStart {
        /// The program as given.
        program: String,
        /// What `execve` said.
        error: io::Error,
    },
    /// The command line was empty or held a NUL byte.
    InvalidCommand {
        /// What is wrong.
        reason: String,
    },
    /// A ptrace or process operation failed.
    Os {
        /// What was being done.
        what: &'static str,
        /// The error.
        error: io::Error,
    },
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceError::NotFound { program } => write!(
                f,
                "cannot start `{program}`: no such program (not a file, and not found in PATH)"
            ),
            TraceError::CannotStart { program, error } => {
                write!(f, "cannot start `{program}`: {error}")
            }
            TraceError::InvalidCommand { reason } => write!(f, "invalid command: {reason}"),
            TraceError::Os { what, error } => write!(
                f,
                "cannot {what}: {error} (ptrace needs a kernel that allows it: check \
                 /proc/sys/kernel/yama/ptrace_scope and seccomp filters around this process)"
            ),
        }
    }
}

impl std::error::Error for TraceError {}

impl TraceError {
    /// The exit status that fits: 127 for a program not found, 126 for one that cannot be
    /// run, 125 for a failure of the tracer itself.
    pub fn exit_status(&self) -> i32 {
        match self {
            TraceError::NotFound { .. } => 127,
            TraceError::CannotStart { error, .. } if error.raw_os_error() == Some(libc::ENOENT) => {
                127
            }
            TraceError::CannotStart { .. } => 126,
            TraceError::InvalidCommand { .. } | TraceError::Os { .. } => 125,
        }
    }
}

fn os(what: &'static str) -> impl FnOnce(io::Error) -> TraceError {
    move |error| TraceError::Os { what, error }
}

/// Resolves `program` as `execvp` would: a name with a slash is a path, others are looked up
/// in `PATH`.
fn resolve(program: &OsStr) -> Option<PathBuf> {
    if program.as_bytes().contains(&b'/') {
        return Some(PathBuf::from(program));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/bin:/bin"));
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn cstring(s: &OsStr) -> Result<CString, TraceError> {
    CString::new(s.as_bytes()).map_err(|_| TraceError::InvalidCommand {
        reason: format!("{} holds a NUL byte", s.to_string_lossy()),
    })
}

/// Runs `command` (program and arguments) under ptrace, following its threads, forks and
/// execs, and records every syscall from its `execve` on. The program's standard streams are
/// this process's; its exit status is in the result.
///
/// # Errors
/// [`TraceError::NotFound`] or [`TraceError::CannotStart`] if the program cannot be run,
/// [`TraceError::Os`] if tracing fails.
pub fn trace(command: &[OsString], policy: &ArgPolicy) -> Result<Trace, TraceError> {
    let Some(program) = command.first() else {
        return Err(TraceError::InvalidCommand {
            reason: "no program given".into(),
        });
    };
    let shown = program.to_string_lossy().into_owned();
    let path = resolve(program).ok_or_else(|| TraceError::NotFound {
        program: shown.clone(),
    })?;
    let path = cstring(path.as_os_str())?;
    let argv = command
        .iter()
        .map(|a| cstring(a))
        .collect::<Result<Vec<_>, _>>()?;
    let envp = environment()?;

    let stopped = sys::spawn_stopped(&path, &argv, &envp).map_err(os("start the program"))?;
    let options = libc::PTRACE_O_TRACESYSGOOD
        | libc::PTRACE_O_TRACECLONE
        | libc::PTRACE_O_TRACEFORK
        | libc::PTRACE_O_TRACEVFORK
        | libc::PTRACE_O_TRACEEXEC
        | libc::PTRACE_O_TRACEEXIT
        | libc::PTRACE_O_EXITKILL;
    if let Err(e) = sys::seize(stopped.pid, options) {
        // Do not leave a stopped child behind.
        let _ = sys::kill(stopped.pid, libc::SIGKILL);
        let _ = sys::wait_any();
        return Err(os("trace the program (PTRACE_SEIZE)")(e));
    }
    sys::kill(stopped.pid, libc::SIGCONT).map_err(os("continue the program"))?;

    let mut tracer = Tracer {
        recorder: Recorder::new(policy),
        threads: Vec::new(),
        live: HashMap::new(),
        started: false,
        root: stopped.pid,
        exit: None,
        renaming: HashMap::new(),
    };
    tracer.run()?;

    let mut exec_error = Vec::new();
    let mut pipe = std::fs::File::from(stopped.exec_error);
    pipe.read_to_end(&mut exec_error)
        .map_err(os("read the exec status"))?;
    if exec_error.len() >= 4 {
        let errno =
            i32::from_ne_bytes([exec_error[0], exec_error[1], exec_error[2], exec_error[3]]);
        return Err(TraceError::CannotStart {
            program: shown,
            error: io::Error::from_raw_os_error(errno),
        });
    }
    let exit = tracer.exit.ok_or_else(|| TraceError::Os {
        what: "see the program exit",
        error: io::Error::other("no exit status"),
    })?;
    Ok(Trace {
        command: command
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        root: stopped.pid,
        exit,
        threads: tracer.threads,
    })
}

struct Tracer<'p> {
    recorder: Recorder<'p>,
    threads: Vec<ThreadRecord>,
    /// Live thread id → index in `threads`.
    live: HashMap<i32, usize>,
    /// Whether the root has reached its `execve` (earlier syscalls are the tracer's own).
    started: bool,
    root: i32,
    exit: Option<Exit>,
    /// Threads in a `prctl(PR_SET_NAME)` call: re-read the name at its exit.
    renaming: HashMap<i32, bool>,
}

fn read_comm(tid: i32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{tid}/task/{tid}/comm"))
        .ok()
        .map(|s| s.trim_end_matches('\n').to_string())
}

fn read_tgid(tid: i32) -> Option<i32> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}

impl Tracer<'_> {
    fn run(&mut self) -> Result<(), TraceError> {
        while let Some((tid, status)) = sys::wait_any().map_err(os("wait for the program"))? {
            if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
                if tid == self.root {
                    self.exit = Some(if libc::WIFEXITED(status) {
                        Exit::Code(libc::WEXITSTATUS(status))
                    } else {
                        Exit::Signal(libc::WTERMSIG(status))
                    });
                }
                self.live.remove(&tid);
                continue;
            }
            if !libc::WIFSTOPPED(status) {
                continue;
            }
            let index = self.thread(tid);
            let sig = libc::WSTOPSIG(status);
            let event = (status >> 16) & 0xffff;
            let mut inject = 0;
            if event == libc::PTRACE_EVENT_STOP {
                // The first stop of a new tracee, or a group stop (job control is not
                // honoured: the tracee goes on).
            } else if sig == libc::SIGTRAP | 0x80 {
                match sys::syscall_info(tid) {
                    Ok(info) if info.op == sys::OP_ENTRY => self.entry(index, tid, &info),
                    Ok(info) if info.op == sys::OP_EXIT => {
                        if self.renaming.remove(&tid).is_some() {
                            self.refresh_name(index, tid);
                        }
                    }
                    Ok(_) => {}
                    Err(e) if e.raw_os_error() == Some(libc::ESRCH) => continue,
                    Err(e) => return Err(os("read a syscall (PTRACE_GET_SYSCALL_INFO)")(e)),
                }
            } else if sig == libc::SIGTRAP && event != 0 {
                match event {
                    libc::PTRACE_EVENT_FORK
                    | libc::PTRACE_EVENT_VFORK
                    | libc::PTRACE_EVENT_CLONE => {
                        if let Ok(child) = sys::event_message(tid) {
                            let child_index = self.thread(child as i32);
                            self.threads[child_index].parent = Some(tid);
                        }
                    }
                    libc::PTRACE_EVENT_EXEC | libc::PTRACE_EVENT_EXIT => {
                        self.refresh_name(index, tid);
                    }
                    _ => {}
                }
            } else {
                inject = sig;
            }
            match sys::restart_syscall(tid, inject) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
                Err(e) => return Err(os("resume the program (PTRACE_SYSCALL)")(e)),
            }
        }
        Ok(())
    }

    /// The index of the live thread `tid`, recording it if it is new.
    fn thread(&mut self, tid: i32) -> usize {
        if let Some(&i) = self.live.get(&tid) {
            return i;
        }
        let record = ThreadRecord {
            tid,
            pid: read_tgid(tid).unwrap_or(tid),
            parent: None,
            names: read_comm(tid).into_iter().collect(),
            syscalls: BTreeMap::new(),
            i386: BTreeMap::new(),
        };
        self.threads.push(record);
        let i = self.threads.len() - 1;
        self.live.insert(tid, i);
        i
    }

    fn refresh_name(&mut self, index: usize, tid: i32) {
        if let Some(name) = read_comm(tid) {
            let t = &mut self.threads[index];
            if t.names.last() != Some(&name) {
                t.names.push(name);
            }
            if let Some(pid) = read_tgid(tid) {
                t.pid = pid;
            }
        }
    }

    fn entry(&mut self, index: usize, tid: i32, info: &sys::SyscallStop) {
        if info.arch == crate::i386::AUDIT_ARCH_I386 && self.started {
            // Not an x86_64 number: recorded apart, under its i386 name.
            *self.threads[index].i386.entry(info.nr).or_default() += 1;
            return;
        }
        let sysno = i32::try_from(info.nr).ok().and_then(Sysno::from_id);
        if !self.started {
            if tid == self.root && sysno == Some(Sysno::execve) {
                self.started = true;
                // The name so far is the tracer's own (the child before its exec).
                self.threads[index].names.clear();
            } else {
                return;
            }
        }
        let pid = self.threads[index].pid;
        let args = match sysno {
            Some(s) => self.args(s, tid, pid, &info.args),
            None => Vec::new(),
        };
        if sysno == Some(Sysno::prctl) && info.args[0] == libc::PR_SET_NAME as u64 {
            self.renaming.insert(tid, true);
        }
        let record = self.threads[index].syscalls.entry(info.nr).or_default();
        record.count += 1;
        *record.calls.entry(args).or_default() += 1;
    }

    fn args(&mut self, sysno: Sysno, tid: i32, pid: i32, raw: &[u64; 6]) -> Args {
        let clone_args = if sysno == Sysno::clone3 {
            // struct clone_args: flags at offset 0, exit_signal at 32.
            let mut buf = [0u8; 40];
            sys::read_memory(tid, raw[0], &mut buf).ok().map(|()| {
                let word = |at: usize| {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(&buf[at..at + 8]);
                    u64::from_ne_bytes(w)
                };
                (word(0), word(32))
            })
        } else {
            None
        };
        self.recorder.args(sysno, raw, clone_args, pid)
    }
}

impl Trace {
    /// Every name a thread had, once each, in the order first seen.
    pub fn thread_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for n in self.threads.iter().flat_map(|t| &t.names) {
            if !out.contains(&n.as_str()) {
                out.push(n);
            }
        }
        out
    }

    /// The threads `--thread` selects: those that had one of `names` (a name longer than
    /// the kernel's 15 bytes matches its truncation), and every thread and process they
    /// created, transitively. All threads if `names` is empty.
    pub fn select(&self, names: &[String]) -> Vec<&ThreadRecord> {
        if names.is_empty() {
            return self.threads.iter().collect();
        }
        let matches = |t: &ThreadRecord| {
            t.names.iter().any(|n| {
                names.iter().any(|want| {
                    n == want
                        || (want.len() > 15 && want.as_bytes().get(..15) == Some(n.as_bytes()))
                })
            })
        };
        let mut selected: Vec<bool> = self.threads.iter().map(matches).collect();
        // Descendants: threads are recorded after their creators, but a child may be seen
        // before its creator's event; iterate to a fixed point.
        loop {
            let mut changed = false;
            for (i, t) in self.threads.iter().enumerate() {
                if selected[i] {
                    continue;
                }
                let parent_selected = t.parent.is_some_and(|p| {
                    self.threads
                        .iter()
                        .enumerate()
                        .any(|(j, u)| u.tid == p && selected[j])
                });
                if parent_selected {
                    selected[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.threads
            .iter()
            .zip(selected)
            .filter_map(|(t, s)| s.then_some(t))
            .collect()
    }
}

/// The syscalls of `threads` added up.
pub fn totals(threads: &[&ThreadRecord]) -> BTreeMap<u64, SyscallRecord> {
    let mut out: BTreeMap<u64, SyscallRecord> = BTreeMap::new();
    for t in threads {
        for (nr, rec) in &t.syscalls {
            let total = out.entry(*nr).or_default();
            total.count += rec.count;
            for (args, n) in &rec.calls {
                *total.calls.entry(args.clone()).or_default() += n;
            }
        }
    }
    out
}

/// The i386 (`int 0x80`) syscalls of `threads` added up: i386 number and count.
pub fn i386_totals(threads: &[&ThreadRecord]) -> BTreeMap<u64, u64> {
    let mut out: BTreeMap<u64, u64> = BTreeMap::new();
    for t in threads {
        for (nr, n) in &t.i386 {
            *out.entry(*nr).or_default() += n;
        }
    }
    out
}

/// Runs `command` in a child process that first calls `prepare` (to apply a context, say)
/// and then `execve`s the program directly, so that nothing else runs between the two; waits
/// for it. This process must have a single thread: the child runs `prepare` after `fork`,
/// and may allocate only because no other thread can hold a lock then.
///
/// # Errors
/// [`TraceError::NotFound`], [`TraceError::InvalidCommand`], or [`TraceError::Os`] if this
/// process has more than one thread or `fork` fails.
pub fn run_sandboxed(
    command: &[OsString],
    prepare: &dyn Fn() -> Result<(), String>,
) -> Result<Exit, TraceError> {
    let threads = std::fs::read_dir("/proc/self/task")
        .map_err(os("count this process's threads"))?
        .count();
    if threads != 1 {
        return Err(TraceError::Os {
            what: "run a sandboxed child",
            error: io::Error::other(format!(
                "this process has {threads} threads; fork-then-prepare needs exactly one"
            )),
        });
    }
    let Some(program) = command.first() else {
        return Err(TraceError::InvalidCommand {
            reason: "no program given".into(),
        });
    };
    let path = resolve(program).ok_or_else(|| TraceError::NotFound {
        program: program.to_string_lossy().into_owned(),
    })?;
    let path = cstring(path.as_os_str())?;
    let argv = command
        .iter()
        .map(|a| cstring(a))
        .collect::<Result<Vec<_>, _>>()?;
    let envp = environment()?;
    let status = sys::fork_prepare_exec(prepare, &path, &argv, &envp)
        .map_err(os("run a sandboxed child"))?;
    Ok(if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else {
        Exit::Signal(libc::WTERMSIG(status))
    })
}

fn environment() -> Result<Vec<CString>, TraceError> {
    std::env::vars_os()
        .map(|(k, v)| {
            let mut kv = k.into_vec();
            kv.push(b'=');
            kv.extend(v.into_vec());
            cstring(OsStr::from_bytes(&kv))
        })
        .collect()
}
