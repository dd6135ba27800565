//! Which syscalls does this code make, and which RuleSets cover them? (feature `trace`)
//!
//! [`trace_closure`] runs a closure on a fresh thread, records every syscall it makes (and
//! the threads and processes it starts make), and returns the closure's value with a
//! [`TraceReport`]: the syscalls with their counts and the arguments RuleSets look at, and a
//! [`Suggestion`]: the smallest combination of builtin RuleSets and methods it finds (a
//! greedy set cover) that allows them, what each allows beyond that, what stays uncovered,
//! and pledge promises and systemd groups as alternatives. It is meant for tests: trace the
//! code once, then check that the context you wrote (or the suggested one) lets it run.
//!
//! ```
//! # fn main() -> Result<(), extrasafe::ExtraSafeError> {
//! use std::io::Read;
//! use extrasafe::syscalls::Sysno;
//!
//! let (text, report) = extrasafe::trace::trace_closure(|| {
//!     let mut s = String::new();
//!     std::fs::File::open("/proc/self/comm")?.read_to_string(&mut s)?;
//!     Ok::<_, std::io::Error>(s)
//! })?;
//! assert!(text.is_ok());
//! assert!(report.saw(Sysno::read));
//! println!("{report}"); // a table, then the suggested context
//! // The suggested context, ready to use (or `report.suggestion.rust()` to paste):
//! let ctx = report.suggestion.context(None)?;
//! let again = ctx.run(|| std::fs::read_to_string("/proc/self/comm"))?;
//! assert!(again.is_ok());
//! # Ok(())
//! # }
//! ```
//!
//! # How
//!
//! The traced thread loads a seccomp filter that hands every syscall to a *listener*
//! (`SECCOMP_RET_USER_NOTIF`); a supervisor thread, started before the filter and so not
//! restricted by it, receives each notification, notes the syscall number and the argument
//! registers, and lets the syscall run unchanged (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`). It
//! only observes: nothing is decided on the arguments and no pointer is read. While a traced
//! thread waits for it, the supervisor takes no lock and allocates nothing (the traced
//! thread may hold the allocator's lock): it writes into a table made beforehand. The
//! report is built once every traced thread has ended.
//!
//! Between loading the filter and handing the listener to the supervisor, the traced thread
//! could make no syscall that anyone answers; so every asynchronous signal is blocked on it
//! from before the filter is loaded until the listener is handed over (glibc's internal
//! signals too): a signal arriving then is handled right after, when its handler's syscalls
//! are answered. (The synchronous ones, a fault or a SIGSYS of a filter already in place,
//! stay deliverable: their handlers run on the thread's own act, before the filter is there.)
//!
//! As under every extrasafe filter, `clone3` is answered with `ENOSYS` (libc then calls
//! `clone`, whose flags the filter can check), and a foreign architecture or an x32 syscall
//! number kills the process.
//!
//! Needs Linux 5.8 or later; older kernels get [`ExtraSafeError::TraceUnavailable`], never
//! an empty report. `trace_closure` returns when every thread and process the closure
//! started has ended too: join the threads it spawns. Calls are counted per distinct set of
//! relevant arguments in a table of 16384 entries; beyond that they are only counted
//! ([`TraceReport::lost`]).
//!
//! # Denials, reported
//!
//! [`SafetyContext::debug_denials`](crate::SafetyContext::debug_denials) uses the same
//! machinery the other way round: the context's filter hands what it denies to a supervisor,
//! which reports each syscall once on stderr with the builtin methods that would allow it,
//! and answers with the context's errno (never letting the call run).
//!
//! # The engine
//!
//! The same engine serves the `extrasafe-trace` command, which runs a program under ptrace:
//! [`catalog`] lists the builtin methods (what each allows is read from the RuleSets
//! themselves), [`suggest()`] makes the suggestion and checks it with
//! [`SafetyContext::explain`](crate::SafetyContext::explain), [`report`] prints it.

pub mod catalog;
pub mod decode;
mod denials;
mod record;
pub mod report;
pub mod suggest;
mod sys;

use std::collections::BTreeMap;
use std::os::fd::{AsFd, IntoRawFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

pub use self::record::{ArgPolicy, Args, Recorder, SyscallRecord};
pub use self::report::TraceReport;
pub use self::suggest::{suggest, Suggestion};

use crate::syscalls::Sysno;
use crate::{Comparator, ExtraSafeError, SeccompArgumentFilter};

/// `value` as the kernel reads argument `idx` of `sysno`: its low 32 bits for an `int`.
pub(crate) fn mask_to_width(sysno: Sysno, idx: u8, value: u64) -> u64 {
    let width = sysno
        .arg_widths()
        .and_then(|w| w.get(usize::from(idx)).copied());
    match width {
        Some(crate::syscalls::ArgWidth::Bits32) => value & 0xffff_ffff,
        _ => value,
    }
}

/// Whether `cond` holds for `value` of its argument of `sysno`, as the compiled filter would
/// decide: on the low 32 bits for a 32-bit argument. [`decode::SELF_PID`] stands for this
/// process's pid.
pub(crate) fn condition_holds(sysno: Sysno, cond: &SeccompArgumentFilter, value: u64) -> bool {
    let value = if value == decode::SELF_PID {
        u64::from(std::process::id())
    } else {
        value
    };
    let value = mask_to_width(sysno, cond.arg_idx, value);
    let want = mask_to_width(sysno, cond.arg_idx, cond.value);
    match cond.comparator() {
        Comparator::Eq => value == want,
        Comparator::Ne => value != want,
        Comparator::Ge => value >= want,
        Comparator::Gt => value > want,
        Comparator::Le => value <= want,
        Comparator::Lt => value < want,
        Comparator::MaskedEq(mask) => value & mask_to_width(sysno, cond.arg_idx, mask) == want,
    }
}

/// Distinct calls the supervisor can keep apart (a power of two).
const TABLE_SIZE: usize = 1 << 14;
/// The table is full at three quarters, so that probing stays short.
const TABLE_FULL: usize = TABLE_SIZE / 4 * 3;

#[derive(Clone, Copy, Default)]
struct Entry {
    used: bool,
    nr: i32,
    args: [u64; 6],
    count: u64,
}

/// What the supervisor writes: made before the traced thread starts, never grown.
struct Table {
    entries: Vec<Entry>,
    used: usize,
    /// Which argument registers are kept, by syscall number (bit i for argument i).
    masks: Vec<u8>,
    /// Calls that found no room, by syscall number (the last slot: any other number).
    lost: Vec<u64>,
}

impl Table {
    fn new(policy: &ArgPolicy) -> Table {
        let len = usize::try_from(Sysno::MAX_ID).unwrap_or(0) + 1;
        let mut masks = vec![0u8; len];
        for sysno in Sysno::iter() {
            if let Ok(i) = usize::try_from(sysno.id()) {
                if i < len {
                    masks[i] = policy.register_mask(sysno);
                }
            }
        }
        Table {
            entries: vec![Entry::default(); TABLE_SIZE],
            used: 0,
            masks,
            lost: vec![0; len + 1],
        }
    }

    /// Counts one call. Allocates nothing.
    fn record(&mut self, nr: i32, raw: &[u64; 6]) {
        let mask = usize::try_from(nr)
            .ok()
            .and_then(|i| self.masks.get(i).copied())
            .unwrap_or(0);
        let mut args = [0u64; 6];
        for (i, (kept, value)) in args.iter_mut().zip(raw).enumerate() {
            if mask & (1 << i) != 0 {
                *kept = *value;
            }
        }
        // FNV-1a over the number and the kept arguments.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for word in std::iter::once(u64::from(nr.unsigned_abs())).chain(args) {
            hash = (hash ^ word).wrapping_mul(0x0100_0000_01b3);
        }
        let mut slot = (hash as usize) & (TABLE_SIZE - 1);
        loop {
            let e = &mut self.entries[slot];
            if e.used && e.nr == nr && e.args == args {
                e.count += 1;
                return;
            }
            if !e.used {
                if self.used >= TABLE_FULL {
                    break;
                }
                *e = Entry {
                    used: true,
                    nr,
                    args,
                    count: 1,
                };
                self.used += 1;
                return;
            }
            slot = (slot + 1) & (TABLE_SIZE - 1);
        }
        let last = self.lost.len() - 1;
        let i = usize::try_from(nr).map_or(last, |i| i.min(last));
        self.lost[i] += 1;
    }
}

/// The listener fd, handed from the traced thread to the supervisor without a syscall.
const FD_PENDING: i32 = -1;
const FD_FAILED: i32 = -2;

/// The supervisor: waits for the listener, then lets every notified syscall run, counting it
/// while the closure runs, until no thread uses the filter. Allocates nothing and
/// takes no lock once the listener is there.
fn supervise(
    ready: &AtomicBool,
    fd_slot: &AtomicI32,
    started: &AtomicBool,
    done: &AtomicBool,
    table: &mut Table,
) -> Option<std::io::Error> {
    // From here on the supervisor's own start-up (which allocates) is over: the traced
    // thread waits for this before its first trapped syscall.
    ready.store(true, Ordering::Release);
    let fd = loop {
        match fd_slot.load(Ordering::Acquire) {
            FD_PENDING => std::thread::sleep(Duration::from_micros(20)),
            FD_FAILED => return None,
            fd => break sys::take_listener(fd),
        }
    };
    let fd = fd.as_fd();
    let mut first_error = None;
    let mut errors_in_a_row = 0u32;
    loop {
        let step = sys::wait(fd).and_then(|ready| match ready {
            sys::Ready::Gone => Ok(false),
            sys::Ready::Again => Ok(true),
            sys::Ready::Notification => {
                let n = match sys::receive(fd) {
                    Ok(n) => n,
                    // The thread went away, or a signal interrupted us.
                    Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::EINTR)) => {
                        return Ok(true)
                    }
                    Err(e) => return Err(e),
                };
                if started.load(Ordering::SeqCst) && !done.load(Ordering::SeqCst) {
                    table.record(n.nr, &n.args);
                }
                match sys::continue_syscall(fd, n.id) {
                    Ok(()) => Ok(true),
                    Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(true),
                    Err(e) => Err(e),
                }
            }
        });
        match step {
            Ok(true) => errors_in_a_row = 0,
            Ok(false) => return first_error,
            Err(e) => {
                // Giving up would leave the traced threads without answers: keep serving,
                // unless the listener is plainly broken.
                errors_in_a_row += 1;
                if errors_in_a_row > 1000 {
                    return first_error.or(Some(e));
                }
                first_error.get_or_insert(e);
            }
        }
    }
}

/// Runs `f` on a fresh thread while recording its syscalls, and returns its value with a
/// [`TraceReport`] (the syscalls, and the suggested context). See the [module
/// docs](self).
///
/// The syscalls counted are those from the start of `f` to its end, in its thread and in
/// every thread and process it starts; `trace_closure` returns once all of them have ended.
/// If `f` panics, the panic goes on in the caller (after tracing has ended).
///
/// # Errors
/// [`ExtraSafeError::TraceUnavailable`] if this kernel cannot trace in-process (older than
/// Linux 5.8, seccomp user notification not available, or a seccomp filter already in place
/// that forbids loading one), then `f` did not run; [`ExtraSafeError::ThreadSpawn`] if a
/// thread cannot be started; an [`ExtraSafeError`] from building the suggestion (a bug).
pub fn trace_closure<T, F>(f: F) -> Result<(T, TraceReport), ExtraSafeError>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let unavailable = |reason: String| ExtraSafeError::TraceUnavailable { reason };
    sys::check_kernel().map_err(unavailable)?;
    let policy = suggest::arg_policy();
    let program = crate::filter::sock_filters(&crate::filter::trace_program());
    let mut table = Table::new(&policy);
    let fd_slot = AtomicI32::new(FD_PENDING);
    let done = AtomicBool::new(false);
    let ready = AtomicBool::new(false);
    let started = AtomicBool::new(false);

    let (outcome, supervisor_error) = std::thread::scope(|s| {
        let supervisor = std::thread::Builder::new()
            .name("extrasafe-trace-supervisor".into())
            .spawn_scoped(s, || {
                supervise(&ready, &fd_slot, &started, &done, &mut table)
            })
            .map_err(|source| ExtraSafeError::ThreadSpawn { source })?;
        let traced = std::thread::Builder::new()
            .name("extrasafe-traced".into())
            .spawn_scoped(s, || {
                // Not before the supervisor has started: its start-up allocates, and a traced
                // syscall made while it does could wait on a lock the supervisor needs.
                while !ready.load(Ordering::Acquire) {
                    std::thread::yield_now();
                }
                // From before the filter is loaded until the supervisor can see the listener,
                // every asynchronous signal is blocked on this thread: a handler run in between would make
                // syscalls that wait for an answer nobody can give yet (a stall). A signal
                // that arrives then is delivered once the mask is restored, and its handler's
                // syscalls are answered.
                #[cfg(test)]
                window::TID.store(sys::testing::gettid(), Ordering::SeqCst);
                let mask = sys::block_all_signals()
                    .inspect_err(|_| fd_slot.store(FD_FAILED, Ordering::Release))?;
                let listener = crate::sys::set_no_new_privs().and_then(|()| sys::install(&program));
                match listener {
                    Ok(fd) => {
                        #[cfg(test)]
                        window::reached();
                        fd_slot.store(fd.into_raw_fd(), Ordering::Release);
                    }
                    Err(e) => {
                        fd_slot.store(FD_FAILED, Ordering::Release);
                        let _ = sys::restore_signal_mask(mask);
                        return Err(e);
                    }
                }
                // Traced (the supervisor has the listener now), but not counted: `f` has
                // not started.
                sys::restore_signal_mask(mask)?;
                started.store(true, Ordering::SeqCst);
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
                done.store(true, Ordering::SeqCst);
                Ok(out)
            });
        let traced = match traced {
            Ok(t) => t,
            Err(source) => {
                fd_slot.store(FD_FAILED, Ordering::Release);
                let _ = supervisor.join();
                return Err(ExtraSafeError::ThreadSpawn { source });
            }
        };
        let outcome = traced.join();
        let supervisor_error = supervisor.join();
        Ok((outcome, supervisor_error))
    })?;

    let value = match outcome {
        Ok(Ok(Ok(value))) => value,
        Ok(Ok(Err(payload))) | Err(payload) => std::panic::resume_unwind(payload),
        Ok(Err(e)) => {
            return Err(unavailable(format!(
                "cannot load the tracing filter: {e} (a seccomp filter already in place may \
                 forbid seccomp(), or another listener exists)"
            )))
        }
    };
    match supervisor_error {
        Ok(None) => {}
        Ok(Some(e)) => {
            return Err(unavailable(format!(
                "the supervisor could not follow the traced thread: {e}"
            )))
        }
        Err(payload) => std::panic::resume_unwind(payload),
    }
    let (syscalls, lost) = build(&policy, &table);
    let suggestion = suggest(&syscalls)?;
    Ok((
        value,
        TraceReport {
            syscalls,
            lost,
            suggestion,
        },
    ))
}

/// Test support: a hook in the traced thread at the worst moment for a signal, after the
/// filter is loaded and before the listener is handed over.
#[cfg(test)]
mod window {
    use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};

    /// 0: no hook; 1: armed; 2: the traced thread is in the window; 3: the test is done.
    pub(super) static STATE: AtomicU8 = AtomicU8::new(0);
    /// The traced thread's id.
    pub(super) static TID: AtomicI32 = AtomicI32::new(0);

    /// If armed: says the window is reached, and stays in it (without a syscall, which
    /// would stall) until the test has sent its signal.
    pub(super) fn reached() {
        if STATE
            .compare_exchange(1, 2, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            while STATE.load(Ordering::SeqCst) != 3 {
                std::hint::spin_loop();
            }
        }
    }
}

/// The records of what the supervisor counted.
fn build(policy: &ArgPolicy, table: &Table) -> (BTreeMap<u64, SyscallRecord>, u64) {
    let pid = i32::try_from(std::process::id()).unwrap_or(0);
    let mut recorder = Recorder::new(policy);
    let mut out: BTreeMap<u64, SyscallRecord> = BTreeMap::new();
    for e in table.entries.iter().filter(|e| e.used) {
        let nr = u64::from(e.nr.unsigned_abs());
        let args = Sysno::from_id(e.nr)
            .map(|s| recorder.args(s, &e.args, None, pid))
            .unwrap_or_default();
        let rec = out.entry(nr).or_default();
        rec.count += e.count;
        *rec.calls.entry(args).or_default() += e.count;
    }
    let mut lost = 0;
    for (nr, &n) in table.lost.iter().enumerate().filter(|(_, n)| **n > 0) {
        lost += n;
        if nr + 1 == table.lost.len() {
            continue; // numbers beyond extrasafe's table: counted in `lost` only
        }
        let rec = out.entry(nr as u64).or_default();
        rec.count += n;
        if rec.calls.is_empty() {
            // Seen, arguments unknown: the suggestion must still account for it.
            rec.calls.insert(Vec::new(), n);
        }
    }
    (out, lost)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_compare_like_the_filter() {
        let fd1 = SeccompArgumentFilter::new64(0, Comparator::Eq, 1);
        assert!(condition_holds(Sysno::write, &fd1, 1));
        // write's fd is an int: the upper half is ignored, as in the compiled filter.
        assert!(condition_holds(Sysno::write, &fd1, 0xffff_ffff_0000_0001));
        assert!(!condition_holds(Sysno::write, &fd1, 2));
        let ro = SeccompArgumentFilter::new32(2, Comparator::MaskedEq(0o3), 0);
        assert!(condition_holds(Sysno::openat, &ro, 0o2_000_000));
        assert!(!condition_holds(Sysno::openat, &ro, 0o2));
        let me = SeccompArgumentFilter::new64(0, Comparator::Eq, u64::from(std::process::id()));
        assert!(condition_holds(Sysno::kill, &me, decode::SELF_PID));
    }

    #[test]
    fn the_table_keeps_relevant_arguments_apart_and_counts_the_rest() {
        let policy = suggest::arg_policy();
        let mut table = Table::new(&policy);
        let openat = Sysno::openat.id();
        let ro = libc::O_RDONLY as u64;
        let rw = libc::O_RDWR as u64;
        // The path pointer (argument 1) is not kept: two reads-only opens are one entry.
        table.record(openat, &[0, 0x1000, ro, 0, 0, 0]);
        table.record(openat, &[0, 0x2000, ro, 0, 0, 0]);
        table.record(openat, &[0, 0x3000, rw, 0, 0, 0]);
        assert_eq!(table.used, 2);
        let (syscalls, lost) = build(&policy, &table);
        assert_eq!(lost, 0);
        let rec = &syscalls[&(openat as u64)];
        assert_eq!(rec.count, 3);
        assert_eq!(rec.calls.len(), 2);
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;
    use std::process::Command;

    const CHILD: &str = "EXTRASAFE_TRACE_WINDOW_CHILD";
    const NAME: &str = "trace::window_tests::a_signal_in_the_window_before_the_listener_is_handed_over_does_not_stall";

    /// In a process of its own: a signal whose handler makes a syscall, sent to the traced
    /// thread after its filter is loaded and before the supervisor has the listener. Were it
    /// handled there, the handler's syscall would wait for an answer forever; it is handled
    /// once the listener is handed over, and tracing ends.
    #[test]
    fn a_signal_in_the_window_before_the_listener_is_handed_over_does_not_stall() {
        if std::env::var_os(CHILD).is_some() {
            child();
        }
        let out = Command::new(std::env::current_exe().unwrap())
            .args([NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(86),
            "stdout: {stdout}\nstderr: {stderr}"
        );
        assert!(
            stdout.contains("signal handled once in the traced thread, tracing ended"),
            "{stdout}"
        );
    }

    fn child() -> ! {
        use std::sync::mpsc;
        use std::time::Duration;
        sys::testing::handle_sigusr1();
        window::STATE.store(1, Ordering::SeqCst);
        let sender = std::thread::spawn(|| {
            while window::STATE.load(Ordering::SeqCst) != 2 {
                std::thread::sleep(Duration::from_millis(1));
            }
            sys::testing::send_sigusr1(window::TID.load(Ordering::SeqCst));
            // Give a handler that could run in the window the time to run (and stall).
            std::thread::sleep(Duration::from_millis(200));
            window::STATE.store(3, Ordering::SeqCst);
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let traced = trace_closure(|| 7).map(|(v, report)| (v, report.saw(Sysno::getppid)));
            let _ = tx.send(traced);
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Ok((7, counted))) => {
                sender.join().unwrap();
                let handled = sys::testing::HANDLED.load(Ordering::SeqCst);
                if handled != 1 {
                    eprintln!("the handler ran {handled} times");
                    std::process::exit(1);
                }
                if counted {
                    eprintln!("the handler's getppid was counted as the closure's");
                    std::process::exit(1);
                }
                println!("signal handled once in the traced thread, tracing ended");
                std::process::exit(86);
            }
            Ok(other) => {
                eprintln!("trace_closure: {other:?}");
                std::process::exit(1);
            }
            Err(_) => {
                eprintln!("stalled: trace_closure did not return within 20 s");
                std::process::exit(3);
            }
        }
    }

    const TRAP_CHILD: &str = "EXTRASAFE_TRACE_TRAP_CHILD";
    const TRAP_NAME: &str =
        "trace::window_tests::under_an_outer_trap_filter_the_programs_sigsys_handler_still_runs";

    /// In a process of its own, under a filter whose default action is `Trap` and which
    /// denies `prctl` and `seccomp`, with the program's own SIGSYS handler: tracing cannot
    /// start (an error, not a crash) and the handler runs. (SIGSYS is left unblocked while
    /// the traced thread loads its filter because a blocked forced signal may have its
    /// handler reset; on the kernel this was written on, the old mask did not crash here, so
    /// this test guards the outcome, not that kernel detail.)
    #[test]
    fn under_an_outer_trap_filter_the_programs_sigsys_handler_still_runs() {
        if std::env::var_os(TRAP_CHILD).is_some() {
            trap_child();
        }
        let out = Command::new(std::env::current_exe().unwrap())
            .args([TRAP_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env(TRAP_CHILD, "1")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(86),
            "{:?}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn trap_child() -> ! {
        use crate::builtins::danger_zone::Threads;
        sys::testing::handle_sigsys();
        let ctx = crate::SafetyContext::new()
            .with_default_action(crate::DefaultAction::Trap)
            .enable(Threads::nothing().allow_create())
            .and_then(|c| c.enable(Sysno::uname));
        if ctx
            .and_then(crate::SafetyContext::apply_to_current_thread)
            .is_err()
        {
            std::process::exit(2);
        }
        // From here on a denied syscall (write, prctl, seccomp) only runs the handler, so
        // the outcome is told by the exit code.
        let traced = trace_closure(|| 1);
        let handled = sys::testing::SIGSYS_HANDLED.load(Ordering::SeqCst);
        let code = match traced {
            Err(ExtraSafeError::TraceUnavailable { .. }) if handled > 0 => 86,
            Err(_) => 3,
            Ok(_) => 4,
        };
        std::process::exit(code)
    }
}
