//! [`SafetyContext::debug_denials`]: each denied syscall reported once on stderr, with the
//! builtin methods that would allow it, and still denied with the context's errno.
//!
//! The filter is the context's own, except that what it would fail with the errno goes to a
//! listener (`SECCOMP_RET_USER_NOTIF`). A supervisor thread, started before the filter is
//! loaded and so not restricted by it, receives each such call, writes one line the first
//! time it sees the syscall, and answers with the errno: it never lets a call run
//! (`SECCOMP_USER_NOTIF_FLAG_CONTINUE` is not used here). What the answer is never depends
//! on the arguments; the line does (it names the methods that allow *this* call).
//!
//! While a sandboxed thread waits for it, the supervisor takes no lock and allocates nothing
//! (the waiting thread may hold the allocator's lock, or the lock of Rust's `stderr`): every
//! line is put together from parts made before the filter was loaded, in a buffer on the
//! stack, and written with `write(2)` itself.
//!
//! If the supervisor stops (its listener closed by the sandboxed code, say), the kernel
//! answers the calls it would have been asked about with `ENOSYS`: still denied.

use std::os::fd::{AsFd, IntoRawFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

use crate::context::{DenialSupervisor, LoadWithSupervisor};
use crate::filter::CompiledFilter;
use crate::report::{DefaultAction, SeccompReport, SeccompScope};
use crate::syscalls::Sysno;
use crate::{ExtraSafeError, SafetyContext};

use super::catalog::{Rules, Selection, METHODS};
use super::sys;

impl SafetyContext {
    /// A debugging aid (feature `trace`; off unless called): every syscall this context
    /// denies is reported on stderr, once per syscall name, with the builtin RuleSet methods
    /// that would allow that call, and then still fails with the context's errno (EPERM, or
    /// the [`with_errno`](SafetyContext::with_errno) value):
    ///
    /// ```text
    /// extrasafe denied openat: returned EPERM (RuleSets that would allow it: SystemIO::allow_open_readonly, SystemIO::allow_open)
    /// ```
    ///
    /// A syscall that no builtin method allows says so and names the [`Sysno`] to enable.
    /// The [`EnforcementReport`](crate::EnforcementReport) says that the mode is on
    /// ([`SeccompReport::debug_denials`]). See the crate docs, "Telling a denial from an
    /// ordinary error", for the other ways.
    ///
    /// ```
    /// use extrasafe::{builtins::SystemIO, SafetyContext};
    /// let opened = SafetyContext::new()
    ///     .enable(SystemIO::nothing().allow_stderr())?
    ///     .debug_denials()
    ///     .run(|| std::fs::File::open("/etc/hostname").map_err(|e| e.raw_os_error()))?;
    /// // Denied as without debug_denials; stderr got the line above, once.
    /// assert_eq!(opened.unwrap_err(), Some(libc::EPERM));
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    ///
    /// Only applying the context reports: [`compile`](SafetyContext::compile) and
    /// [`explain`](SafetyContext::explain) are as without it (a [`CompiledFilter`] has no
    /// supervisor, and fails denials with the errno silently).
    ///
    /// # How, and what it costs
    /// The denials go to a supervisor thread of this process, started when the context is
    /// applied and not restricted by its filter; it answers each of them with the errno,
    /// never letting one run, and ends when no thread uses the filter any more. Threads and
    /// processes the sandboxed thread starts are served by it too. A denied call costs two
    /// context switches instead of none, and the supervisor shares the process's memory:
    /// use it while writing a context, not in production.
    ///
    /// The supervisor's listener is kept from the code it supervises: under this filter, an
    /// `ioctl` of the seccomp listener's kind fails with the errno on every descriptor, even
    /// where the context allows every `ioctl`, and so does loading a further filter on all
    /// threads (`SECCOMP_FILTER_FLAG_TSYNC`, which would put the supervisor under the
    /// filter it serves); a further filter on the sandboxed thread itself is the context's
    /// to allow ([`NestedSandboxes`](crate::builtins::NestedSandboxes)), but it cannot have
    /// a listener of its own: a thread has one at most.
    ///
    /// A process the sandboxed code forks (without `exec`, which closes the listener) shares
    /// the supervisor of this process and holds a copy of its listener: if it outlives this
    /// process, its denied calls wait for an answer nobody gives. Wait for such children
    /// before the program exits, or leave `debug_denials` off for code that forks workers.
    ///
    /// If the supervisor cannot go on (the sandboxed code closed its listener, or a filter
    /// the applying thread had already, which the supervisor inherits, denies it `poll` or
    /// `ioctl`), it says so on stderr, and the kernel answers the calls it would have been
    /// asked about with `ENOSYS` instead of the errno: still denied. (Such a filter denying
    /// it `write` only loses the lines.)
    ///
    /// # Errors
    /// Applying the context fails with [`ExtraSafeError::DebugDenialsUnavailable`], before
    /// anything is enforced, when it is applied to all threads (the filter would restrict the
    /// supervisor too: apply it to the current thread, or use `run`, `spawn` or
    /// `extrasafe!`), when its default action is not an errno, for a `landlock_only`
    /// context, and where the kernel lacks seccomp user notification (Linux 5.8 or later is
    /// needed); and, after the context's Landlock rules (if any) were enforced, when the
    /// filter cannot be loaded with a listener (a thread has one listener at most: under
    /// [`trace_closure`](super::trace_closure) or another `debug_denials` context, say).
    /// It never falls back to a filter that does not report, nor to no filter.
    pub fn debug_denials(self) -> SafetyContext {
        self.with_denial_supervisor(DenialSupervisor { prepare })
    }
}

/// The listener fd, handed from the sandboxed thread to the supervisor without a syscall.
const FD_PENDING: i32 = -1;
const FD_FAILED: i32 = -2;

/// Ends the reasons given once the supervisor has started, when Landlock may be enforced.
const LANDLOCK_NOTE: &str = "; the context's Landlock rules, if it has any, are enforced";

/// How many methods a line names at most.
const MAX_NAMED: usize = 4;

/// Written once if the supervisor stops while the filter is in use.
const STOPPED: &[u8] = b"extrasafe: the supervisor of debug_denials stopped; denied syscalls \
                         now fail with ENOSYS and are no longer reported\n";

/// A method that may allow a denied call.
struct Candidate {
    label: Box<[u8]>,
    rules: Rules,
}

/// Everything the supervisor writes, made before the filter is loaded.
struct Reports {
    /// By syscall number (the last slot: any other number):
    /// `extrasafe denied openat: returned EPERM (`.
    heads: Vec<Box<[u8]>>,
    /// By syscall number: the end of the line when no method allows the call.
    unallowed: Vec<Box<[u8]>>,
    /// Whether the syscall was reported already, by syscall number.
    reported: Vec<bool>,
    candidates: Vec<Candidate>,
}

impl Reports {
    fn new(errno: u32) -> Reports {
        let returned = match crate::report::errno_name(errno) {
            Some(name) => name.to_string(),
            None => format!("errno {errno}"),
        };
        let known = usize::try_from(Sysno::MAX_ID).unwrap_or(0) + 1;
        let mut heads = Vec::with_capacity(known + 1);
        let mut unallowed = Vec::with_capacity(known + 1);
        for nr in 0..=known {
            let sysno = i32::try_from(nr).ok().and_then(Sysno::from_id);
            let (name, tail) = match sysno {
                Some(s) => (
                    s.name().to_string(),
                    format!(
                        "no builtin RuleSet allows it: enable Sysno::{} or a RuleSet of your \
                         own if the code needs it)\n",
                        s.name()
                    ),
                ),
                None if nr < known => (
                    format!("syscall {nr}"),
                    "no builtin RuleSet allows it)\n".to_string(),
                ),
                None => (
                    format!("a syscall numbered above {}", Sysno::MAX_ID),
                    "no builtin RuleSet allows it)\n".to_string(),
                ),
            };
            heads.push(
                format!("extrasafe denied {name}: returned {returned} (")
                    .into_bytes()
                    .into_boxed_slice(),
            );
            unallowed.push(tail.into_bytes().into_boxed_slice());
        }
        // Every method, `NestedSandboxes` too: unlike a suggestion, which must not offer it
        // for every `prctl`, a line names the methods that allow the very call denied.
        let candidates = METHODS
            .iter()
            .enumerate()
            .map(|(i, method)| Candidate {
                label: method.label().into_bytes().into_boxed_slice(),
                rules: Selection {
                    methods: [i].into(),
                    syscalls: std::collections::BTreeSet::new(),
                }
                .rules(),
            })
            .collect();
        Reports {
            heads,
            unallowed,
            reported: vec![false; known + 1],
            candidates,
        }
    }

    /// The slot of syscall number `nr`.
    fn slot(&self, nr: i32) -> usize {
        let last = self.heads.len() - 1;
        usize::try_from(nr).map_or(last, |i| i.min(last))
    }

    /// The line for a denied call of `nr` with argument registers `args`, if it is the
    /// first of its syscall, in `buf`; its length. Allocates nothing.
    fn line(&mut self, nr: i32, args: &[u64; 6], buf: &mut [u8]) -> Option<usize> {
        let slot = self.slot(nr);
        if std::mem::replace(&mut self.reported[slot], true) {
            return None;
        }
        let mut out = Cursor { buf, len: 0 };
        out.push(&self.heads[slot]);
        let allowing = |c: &&Candidate| -> bool {
            let Some(sysno) = Sysno::from_id(nr) else {
                return false;
            };
            let args = [
                (0, args[0]),
                (1, args[1]),
                (2, args[2]),
                (3, args[3]),
                (4, args[4]),
                (5, args[5]),
            ];
            c.rules.allows(sysno, &args)
        };
        let count = self.candidates.iter().filter(allowing).count();
        if count == 0 {
            out.push(&self.unallowed[slot]);
            return Some(out.len);
        }
        out.push(if count == 1 {
            b"RuleSet that would allow it: "
        } else {
            b"RuleSets that would allow it: "
        });
        for (i, c) in self.candidates.iter().filter(allowing).enumerate() {
            if i == MAX_NAMED {
                out.push(", …".as_bytes());
                break;
            }
            if i > 0 {
                out.push(b", ");
            }
            out.push(&c.label);
        }
        out.push(b")\n");
        Some(out.len)
    }
}

/// Appends to a fixed buffer; what does not fit is left out.
struct Cursor<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl Cursor<'_> {
    fn push(&mut self, bytes: &[u8]) {
        let room = self.buf.len() - self.len;
        let n = bytes.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }
}

/// Makes the parts of every line, starts the supervisor, and returns what loads the filter.
fn prepare(filter: &CompiledFilter) -> Result<LoadWithSupervisor, ExtraSafeError> {
    let unavailable = |reason: String| ExtraSafeError::DebugDenialsUnavailable { reason };
    sys::check_kernel().map_err(|reason| {
        unavailable(format!(
            "the supervisor needs seccomp user notification, as tracing does: {reason}; \
             nothing was enforced"
        ))
    })?;
    let DefaultAction::Errno(errno) = filter.summary.default_action else {
        return Err(unavailable(
            "the default action is not an errno; nothing was enforced".into(),
        ));
    };
    let answer = i32::try_from(errno).map_err(|_| ExtraSafeError::InvalidErrno { errno })?;
    let program = crate::filter::sock_filters(filter.instructions());
    let report = filter.seccomp_report(SeccompScope::CurrentThread);
    let mut reports = Reports::new(errno);
    let ready = Arc::new(AtomicBool::new(false));
    let slot = Handover(Arc::new(AtomicI32::new(FD_PENDING)));
    let (ready_for_supervisor, slot_for_supervisor) = (Arc::clone(&ready), Arc::clone(&slot.0));
    std::thread::Builder::new()
        .name("extrasafe-denials".into())
        .spawn(move || {
            supervise(
                &ready_for_supervisor,
                &slot_for_supervisor,
                answer,
                &mut reports,
            );
        })
        .map_err(|source| ExtraSafeError::ThreadSpawn { source })?;
    Ok(Box::new(move || load(&program, report, &ready, slot)))
}

/// The listener's slot; dropped before a listener was put in it (the context failed to
/// apply after the supervisor started), it tells the supervisor to end.
struct Handover(Arc<AtomicI32>);

impl Drop for Handover {
    fn drop(&mut self) {
        let _ = self
            .0
            .compare_exchange(FD_PENDING, FD_FAILED, Ordering::AcqRel, Ordering::Acquire);
    }
}

/// On the sandboxed thread: loads the filter with a listener and hands it to the supervisor.
fn load(
    program: &[crate::sys::SockFilter],
    report: SeccompReport,
    ready: &AtomicBool,
    slot: Handover,
) -> Result<SeccompReport, ExtraSafeError> {
    let unavailable = |reason: String| ExtraSafeError::DebugDenialsUnavailable { reason };
    // Not before the supervisor's start-up (which allocates) is over: a denied call made
    // while it runs could hold a lock the supervisor needs.
    while !ready.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
    // From loading the filter until the supervisor can see the listener, a signal handler
    // making a denied call would wait for an answer nobody can give: asynchronous signals
    // wait until the listener is handed over (as in `trace_closure`).
    let mask = sys::block_all_signals().map_err(|e| {
        unavailable(format!(
            "cannot block signals while loading the filter: {e}; the seccomp filter was not \
             loaded{LANDLOCK_NOTE}"
        ))
    })?;
    let listener = crate::sys::set_no_new_privs().and_then(|()| sys::install(program));
    match listener {
        Ok(fd) => slot.0.store(fd.into_raw_fd(), Ordering::Release),
        Err(e) => {
            let _ = sys::restore_signal_mask(mask);
            return Err(unavailable(format!(
                "the kernel refused the filter with a listener: {e} (a thread has at most one \
                 listener: trace_closure or another debug_denials context may be in place, or \
                 a filter already loaded denies seccomp()); the seccomp filter was not \
                 loaded{LANDLOCK_NOTE}"
            )));
        }
    }
    sys::restore_signal_mask(mask).map_err(|e| {
        unavailable(format!(
            "the filter is loaded, but the signal mask could not be restored: {e}{LANDLOCK_NOTE}"
        ))
    })?;
    Ok(report)
}

/// The supervisor: waits for the listener, then reports and fails every notified call
/// until no thread uses the filter. Takes no lock and allocates nothing once the listener
/// is there.
fn supervise(ready: &AtomicBool, slot: &AtomicI32, errno: i32, reports: &mut Reports) {
    ready.store(true, Ordering::Release);
    let fd = loop {
        match slot.load(Ordering::Acquire) {
            // Not `sleep`: under a filter already in place that denies it, std's sleep
            // panics; a denied sched_yield is only a shorter wait.
            FD_PENDING => std::thread::yield_now(),
            FD_FAILED => return,
            fd => break sys::take_listener(fd),
        }
    };
    let mut buf = [0u8; 512];
    let mut errors_in_a_row = 0u32;
    loop {
        let step = sys::wait(fd.as_fd()).and_then(|ready| match ready {
            sys::Ready::Gone => Ok(false),
            sys::Ready::Again => Ok(true),
            sys::Ready::Notification => {
                let n = match sys::receive(fd.as_fd()) {
                    Ok(n) => n,
                    // The thread went away, or a signal interrupted us.
                    Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::EINTR)) => {
                        return Ok(true)
                    }
                    Err(e) => return Err(e),
                };
                // Reported before it is answered: a program that exits on the error still
                // shows the line.
                if let Some(len) = reports.line(n.nr, &n.args, &mut buf) {
                    sys::write_stderr(&buf[..len]);
                }
                match sys::fail_syscall(fd.as_fd(), n.id, errno) {
                    Ok(()) => Ok(true),
                    Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(true),
                    Err(e) => Err(e),
                }
            }
        });
        match step {
            Ok(true) => errors_in_a_row = 0,
            Ok(false) => return,
            Err(e) if matches!(e.raw_os_error(), Some(libc::EBADF | libc::ENOTTY)) => {
                // The listener was closed under us (the sandboxed code may close any of its
                // descriptors): its number may be another file's now, not ours to close.
                let _ = fd.into_raw_fd();
                sys::write_stderr(STOPPED);
                return;
            }
            Err(_) => {
                // Giving up leaves the sandboxed threads with ENOSYS instead of the errno:
                // keep serving, unless the listener is plainly broken.
                errors_in_a_row += 1;
                if errors_in_a_row > 1000 {
                    sys::write_stderr(STOPPED);
                    return; // dropping the listener: the kernel answers ENOSYS from now on
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(reports: &mut Reports, sysno: Sysno, args: [u64; 6]) -> Option<String> {
        let mut buf = [0u8; 512];
        reports
            .line(sysno.id(), &args, &mut buf)
            .map(|len| String::from_utf8_lossy(&buf[..len]).into_owned())
    }

    #[test]
    fn a_line_names_the_methods_that_allow_the_call_once_per_syscall() {
        let mut reports = Reports::new(1);
        let ro = [
            libc::AT_FDCWD as u64,
            0x1000,
            libc::O_RDONLY as u64,
            0,
            0,
            0,
        ];
        let line = line_of(&mut reports, Sysno::openat, ro).expect("the first openat");
        assert!(
            line.starts_with("extrasafe denied openat: returned EPERM (RuleSet"),
            "{line}"
        );
        assert!(line.contains("SystemIO::allow_open_readonly"), "{line}");
        assert!(line.ends_with(")\n"), "{line}");
        assert_eq!(line_of(&mut reports, Sysno::openat, ro), None);
        // Another syscall gets its own line.
        assert!(line_of(&mut reports, Sysno::read, [0; 6]).is_some());
    }

    #[test]
    fn a_write_open_is_not_said_to_be_allowed_by_the_read_only_method() {
        let mut reports = Reports::new(13);
        let wr = [0, 0x1000, (libc::O_WRONLY | libc::O_CREAT) as u64, 0, 0, 0];
        let line = line_of(&mut reports, Sysno::openat, wr).expect("the first openat");
        assert!(line.contains("returned EACCES"), "{line}");
        assert!(!line.contains("allow_open_readonly"), "{line}");
        assert!(line.contains("SystemIO::allow_open"), "{line}");
    }

    #[test]
    fn a_syscall_no_method_allows_says_so() {
        let mut reports = Reports::new(4095);
        let line = line_of(&mut reports, Sysno::reboot, [0; 6]).expect("the first reboot");
        assert_eq!(
            line,
            "extrasafe denied reboot: returned errno 4095 (no builtin RuleSet allows it: \
             enable Sysno::reboot or a RuleSet of your own if the code needs it)\n"
        );
    }

    #[test]
    fn a_long_line_is_cut_to_the_buffer() {
        let mut reports = Reports::new(1);
        let mut buf = [0u8; 16];
        assert_eq!(
            reports.line(Sysno::openat.id(), &[0; 6], &mut buf),
            Some(16)
        );
    }
}
