//! The init of the new PID namespace: PID 1, which runs no user code.
//!
//! The first process of a PID namespace is special: the kernel does not deliver it signals
//! it has no handler for (not even `SIGKILL` from inside, nor `abort()`'s `SIGABRT`), and
//! orphans of the namespace become its children. User code running as PID 1 would ignore
//! `raise(SIGKILL)`, survive SIGTERM without a handler, and leave zombies. So the isolated
//! process forks once more after the new root is built: the child (PID 2) goes on to run
//! the user code, and PID 1 becomes this init, as in bubblewrap and tini. It
//!
//! - gives up what it still holds: every descriptor but 0–2, every capability, its
//!   dumpability (so the user code cannot trace it or read its memory), and every syscall
//!   but waiting, signalling its child, writing to stderr and closing (its own seccomp
//!   filter); its child waits for it to be done (a byte on a pipe) before it goes on, so
//!   the user code never finds it still dumpable;
//! - forwards the signals in [`FORWARDED`] to its child;
//! - reaps every process that ends in the namespace;
//! - when its child ends, writes how it ended to an [`EndCell`] shared with the supervisor
//!   and exits (with the child's exit code, or 128 + the signal that killed it: PID 1
//!   cannot kill itself with a signal). The kernel then kills what is left in the namespace.

use super::result::{Report, ResultSlot};
use super::sys::{self, ChildEnd, SharedMemory};
use crate::rules::{RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::syscalls::Sysno;
use std::collections::HashMap;
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

/// The signals the supervisor and the init pass on to the isolated process (when one of
/// them is sent to the supervisor, or to the init).
pub(crate) const FORWARDED: [libc::c_int; 8] = [
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGTERM,
    libc::SIGWINCH,
];

/// The signals the supervisor and the init wait for: [`FORWARDED`] and `SIGCHLD`. They are
/// blocked from before the first fork on, in the supervisor, the init and the isolated
/// process until its setup has restored its signal mask.
pub(crate) const WAITED_FOR: [libc::c_int; 9] = [
    libc::SIGCHLD,
    FORWARDED[0],
    FORWARDED[1],
    FORWARDED[2],
    FORWARDED[3],
    FORWARDED[4],
    FORWARDED[5],
    FORWARDED[6],
    FORWARDED[7],
];

/// What the init writes on its ready pipe once it has restricted itself.
pub(crate) const READY: &[u8; 1] = b"R";

const MAGIC: &[u8; 4] = b"XSE1";
const CELL: usize = 12;

/// Memory shared by the supervisor and the init (unmapped in the isolated process before
/// any user code runs) where the init writes how the isolated process ended: the one thing
/// the init's own exit status cannot say, since PID 1 of a namespace cannot die by most
/// signals.
pub(crate) struct EndCell(SharedMemory);

impl EndCell {
    /// A new, empty cell, to be made before the process forks.
    pub(crate) fn new() -> std::io::Result<EndCell> {
        SharedMemory::new(CELL).map(EndCell)
    }

    fn put(&mut self, end: ChildEnd) {
        let (kind, value) = match end {
            ChildEnd::Exited(code) => (b'E', code),
            ChildEnd::Signaled(signal) => (b'S', signal),
        };
        let mut bytes = [0u8; CELL];
        bytes[..4].copy_from_slice(MAGIC);
        bytes[4] = kind;
        bytes[8..].copy_from_slice(&value.to_le_bytes());
        self.0.write(0, &bytes);
    }

    /// How the isolated process ended, if the init said so; read once the init has ended.
    pub(crate) fn take(&self) -> Option<ChildEnd> {
        let bytes = self.0.read(0, CELL);
        if bytes.len() < CELL || &bytes[..4] != MAGIC {
            return None;
        }
        let value = i32::from_le_bytes(bytes[8..].try_into().ok()?);
        match bytes[4] {
            b'E' => Some(ChildEnd::Exited(value)),
            b'S' => Some(ChildEnd::Signaled(value)),
            _ => None,
        }
    }
}

/// What the init may do once restricted (besides the basics every context has): wait,
/// wait for signals, write to stderr, and send signals to its child only.
struct InitRules {
    child: libc::pid_t,
}

impl RuleSet for InitRules {
    fn simple_rules(&self) -> Vec<Sysno> {
        // close: the ready pipe, once written.
        vec![
            Sysno::wait4,
            Sysno::rt_sigtimedwait,
            Sysno::write,
            Sysno::close,
        ]
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let pid = u64::try_from(self.child).unwrap_or(u64::MAX);
        let rule = SeccompRule::new(Sysno::kill).and_condition(SeccompArgumentFilter::new64(
            0,
            crate::Comparator::Eq,
            pid,
        ));
        HashMap::from([(Sysno::kill, vec![rule])])
    }

    fn name(&self) -> &'static str {
        "the isolate's init"
    }
}

/// Gives up what the init does not need: descriptors, capabilities, dumpability, syscalls.
fn restrict(child: libc::pid_t, ready: RawFd) -> Result<(), (&'static str, String)> {
    sys::close_fds_except(&[ready]).map_err(|e| ("close the init's descriptors", e.to_string()))?;
    sys::drop_all_capabilities().map_err(|e| ("drop the init's capabilities", e.to_string()))?;
    sys::set_dumpable(false).map_err(|e| ("make the init non-dumpable", e.to_string()))?;
    crate::SafetyContext::new()
        .enable(InitRules { child })
        .and_then(crate::SafetyContext::apply_to_current_thread)
        .map(drop)
        .map_err(|e| ("restrict the init with seccomp", e.to_string()))
}

/// PID 1 of the new PID namespace, with `child` (PID 2) just forked to run the user code:
/// restricts itself, forwards signals, reaps, and exits when `child` has ended, having
/// written how it ended to `cell`. [`WAITED_FOR`] must be blocked.
///
/// If the init cannot restrict itself, it kills `child` (which is still waiting for the
/// ready byte: no user code has run), reports the failed step in `slot` and on stderr, and
/// exits with status 1.
///
/// Once restricted, it writes [`READY`] to `ready`: the child waits for it before it goes on
/// to the user code, so that the user code never meets an init that is still dumpable.
pub(crate) fn run(
    child: libc::pid_t,
    mut cell: EndCell,
    slot: &mut ResultSlot,
    ready: OwnedFd,
) -> ! {
    let restricted = restrict(child, ready.as_raw_fd()).and_then(|()| {
        let mut ready = std::fs::File::from(ready);
        let written = ready.write_all(READY);
        drop(ready);
        written.map_err(|e| ("tell the isolated process the init is ready", e.to_string()))
    });
    if let Err((step, reason)) = restricted {
        let _ = sys::kill(child, libc::SIGKILL);
        let _ = sys::wait(child);
        eprintln!("extrasafe: isolate: {step}: {reason}");
        slot.put(&Report::SetupFailed(step.to_string(), reason));
        sys::exit_now(1);
    }
    loop {
        let signal = match sys::wait_for_signal(&WAITED_FOR) {
            Ok(signal) => signal,
            Err(_) => fail(
                child,
                b"extrasafe: isolate: the init could not wait for signals\n",
            ),
        };
        if signal != libc::SIGCHLD {
            // The child may have ended already: SIGCHLD is then pending.
            let _ = sys::kill(child, signal);
            continue;
        }
        // One pending SIGCHLD may stand for several ended processes: reap until none is left.
        loop {
            match sys::try_wait_any(-1) {
                Ok(Some((pid, end))) if pid == child => {
                    cell.put(end);
                    sys::exit_now(match end {
                        ChildEnd::Exited(code) => code,
                        ChildEnd::Signaled(signal) => 128 + signal,
                    })
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                // The child is not reaped yet, so there is one: no error can happen here.
                Err(_) => fail(child, b"extrasafe: isolate: the init could not reap\n"),
            }
        }
    }
}

/// Ends the namespace after an error the init cannot recover from.
fn fail(child: libc::pid_t, message: &[u8]) -> ! {
    sys::write_stderr(message);
    let _ = sys::kill(child, libc::SIGKILL);
    sys::exit_now(1)
}
