//! Running code on a fresh sandboxed thread: [`SafetyContext::run`], [`SafetyContext::spawn`],
//! and [`Orchestrator`] for several sandboxed threads started together.
//!
//! Sandboxed closures always run on a new OS thread made for them, never on a pool thread
//! that would be reused: a seccomp filter or Landlock ruleset cannot be removed from a thread.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::sync::{Arc, Condvar, Mutex, Once};
use std::thread;

use crate::context::SafetyContext;
use crate::error::{ExtraSafeError, PanicLocation};
use crate::report::EnforcementReport;

/// The name of the threads extrasafe creates.
const THREAD_NAME: &str = "extrasafe-sandbox";

/// The text of a panic payload (`panic!` with a message gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a payload that is not a string".to_string()
    }
}

thread_local! {
    /// Whether this thread runs a sandboxed closure, whose panic's location is kept.
    static KEEP_LOCATION: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic of this thread happened, while `KEEP_LOCATION` is set.
    static LAST_LOCATION: RefCell<Option<PanicLocation>> = const { RefCell::new(None) };
}

/// Installs, once per process, a panic hook that records where a sandboxed closure panicked
/// (a caught panic's payload does not say) and then calls the hook it replaced, so the
/// program's own hook (or Rust's default message) still runs.
fn install_location_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if KEEP_LOCATION.try_with(Cell::get).unwrap_or(false) {
                if let Some(at) = info.location() {
                    let location = PanicLocation::new(at.file(), at.line(), at.column());
                    let _ = LAST_LOCATION.try_with(|last| *last.borrow_mut() = Some(location));
                }
            }
            previous(info);
        }));
    });
}

/// Runs `f`, catching a panic as [`ExtraSafeError::Panicked`] with its message and where it
/// happened.
fn catch_panic<T, F: FnOnce() -> T>(f: F) -> Result<T, ExtraSafeError> {
    KEEP_LOCATION.with(|keep| keep.set(true));
    LAST_LOCATION.with(|last| last.borrow_mut().take());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    KEEP_LOCATION.with(|keep| keep.set(false));
    result.map_err(|payload| ExtraSafeError::Panicked {
        message: panic_message(&*payload),
        location: LAST_LOCATION.with(|last| last.borrow_mut().take()),
    })
}

fn spawn_error(e: std::io::Error) -> ExtraSafeError {
    ExtraSafeError::ThreadSpawn { source: e }
}

/// Applies `ctx` to the calling thread, then runs `f` there, catching a panic.
fn apply_then_run<T, F: FnOnce() -> T>(ctx: SafetyContext, f: F) -> Result<T, ExtraSafeError> {
    install_location_hook();
    ctx.enforce_on_current_thread()?;
    catch_panic(f)
}

impl SafetyContext {
    /// Runs `f` on a new OS thread restricted by this context, waits for it, and returns its
    /// value.
    ///
    /// The thread is made for `f` alone and ends with it. If applying the context fails, `f`
    /// never runs and the error comes back. If `f` panics, the panic stays in the sandboxed
    /// thread and comes back as [`ExtraSafeError::Panicked`] with its message and where it
    /// happened (file, line, column: the first `run`, `spawn` or `extrasafe!` installs a panic
    /// hook that records it, then calls the hook that was set before). `f` may borrow
    /// from the caller: the thread is joined before `run` returns.
    ///
    /// What this protects against: the sandboxed thread's *syscalls*. It shares the address
    /// space and the file descriptor table with the rest of the program: code in `f` that
    /// corrupts memory (or uses `unsafe` on purpose) can reach other threads' memory and
    /// make them do what the filter forbids, and a descriptor the program opens later, on
    /// any thread, is reachable through the syscalls the context allows on every descriptor
    /// (`SystemIO::allow_read`, say; prefer `allow_file_read(&file)`). For untrusted input
    /// that may exploit memory bugs, use a worker process (`#[extrasafe::worker]`, feature
    /// `worker`; see [What each mode protects
    /// against](crate#what-each-mode-protects-against)).
    ///
    /// ```
    /// use extrasafe::{builtins::BasicCapabilities, SafetyContext};
    /// let untrusted = String::from("42");
    /// let parsed = SafetyContext::new()
    ///     .enable(BasicCapabilities)?
    ///     .run(|| untrusted.trim().parse::<u32>())?;
    /// assert_eq!(parsed, Ok(42));
    /// // The calling thread is not restricted:
    /// assert!(std::fs::metadata("/").is_ok());
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    ///
    /// # Errors
    /// What applying the context can return, [`ExtraSafeError::Panicked`] if `f` panicked,
    /// [`ExtraSafeError::ThreadSpawn`] if no thread could be created.
    pub fn run<T, F>(self, f: F) -> Result<T, ExtraSafeError>
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        let (tx, rx) = channel::<T>();
        thread::scope(|scope| {
            let handle = thread::Builder::new()
                .name(THREAD_NAME.to_string())
                .spawn_scoped(scope, move || tx.send(apply_then_run(self, f)))
                .map_err(spawn_error)?;
            let joined = handle.join();
            rx.take(joined)
        })
    }

    /// Like [`run`](SafetyContext::run), but gives up waiting after `timeout`: then the result
    /// is [`ExtraSafeError::Timeout`] while the thread runs on, still sandboxed, and its result
    /// is dropped when it finishes. `f` must own what it uses, since it may outlive the call.
    /// (Feature `macro-return`.)
    ///
    /// ```
    /// use std::time::Duration;
    /// use extrasafe::{builtins::{danger_zone::Threads, SystemIO}, ExtraSafeError, SafetyContext};
    /// let ctx = || SafetyContext::new().enable(Threads::nothing().allow_sleep().yes_really());
    /// let quick = ctx()?.run_with_timeout(Duration::from_secs(5), || 1)?;
    /// assert_eq!(quick, 1);
    /// let slow = ctx()?.run_with_timeout(Duration::from_millis(10), || {
    ///     std::thread::sleep(Duration::from_millis(500));
    /// });
    /// assert!(matches!(slow, Err(ExtraSafeError::Timeout)));
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    ///
    /// # Errors
    /// As [`run`](SafetyContext::run), and [`ExtraSafeError::Timeout`].
    #[cfg(feature = "macro-return")]
    pub fn run_with_timeout<T, F>(
        self,
        timeout: std::time::Duration,
        f: F,
    ) -> Result<T, ExtraSafeError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let handle = thread::Builder::new()
            .name(THREAD_NAME.to_string())
            .spawn(move || {
                // The receiver may be gone after a timeout: the result is then dropped.
                let _ = tx.send(apply_then_run(self, f));
            })
            .map_err(spawn_error)?;
        match rx.recv_timeout(timeout) {
            Ok(result) => {
                // The thread has sent its result and is ending.
                let _ = handle.join();
                result
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => Err(ExtraSafeError::Timeout),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => Err(lost(handle.join())),
        }
    }

    /// Starts `f` on a new OS thread restricted by this context and returns at once; join the
    /// handle for its value (errors as for [`run`](SafetyContext::run)).
    ///
    /// ```
    /// use extrasafe::{builtins::BasicCapabilities, SafetyContext};
    /// let handle = SafetyContext::new().enable(BasicCapabilities)?.spawn(|| 6 * 7)?;
    /// assert_eq!(handle.join()?, 42);
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    ///
    /// # Errors
    /// [`ExtraSafeError::ThreadSpawn`] if no thread could be created.
    pub fn spawn<T, F>(self, f: F) -> Result<SandboxHandle<T>, ExtraSafeError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = channel::<T>();
        let handle = thread::Builder::new()
            .name(THREAD_NAME.to_string())
            .spawn(move || tx.send(apply_then_run(self, f)))
            .map_err(spawn_error)?;
        Ok(SandboxHandle { handle, rx })
    }
}

/// The error for a sandboxed thread that ended without handing back a result: a panic in
/// extrasafe itself (the closure's panics are caught), with its message if there is one.
fn lost<R>(joined: thread::Result<R>) -> ExtraSafeError {
    let message = match joined {
        Err(payload) => panic_message(&*payload),
        Ok(_) => "the sandboxed thread ended without a result".to_string(),
    };
    ExtraSafeError::Panicked {
        message,
        location: None,
    }
}

/// How a sandboxed thread hands its result back. Without `macro-return`, as the thread's
/// return value; with it, over a crossbeam channel (whose use inside the sandbox needs only
/// what [`BasicCapabilities`](crate::builtins::BasicCapabilities) allows: futex and
/// sched_yield).
#[cfg(not(feature = "macro-return"))]
mod transport {
    use super::{lost, thread, ExtraSafeError};

    pub(super) struct Tx<T>(std::marker::PhantomData<T>);
    pub(super) struct Rx<T>(std::marker::PhantomData<T>);

    impl<T> Tx<T> {
        pub(super) fn send(self, result: Result<T, ExtraSafeError>) -> Result<T, ExtraSafeError> {
            result
        }
    }

    impl<T> Rx<T> {
        pub(super) fn take(
            self,
            joined: thread::Result<Result<T, ExtraSafeError>>,
        ) -> Result<T, ExtraSafeError> {
            joined.unwrap_or_else(|payload| Err(lost::<()>(Err(payload))))
        }
    }

    pub(super) type Delivered<T> = Result<T, ExtraSafeError>;

    pub(super) fn channel<T>() -> (Tx<T>, Rx<T>) {
        (Tx(std::marker::PhantomData), Rx(std::marker::PhantomData))
    }
}

#[cfg(feature = "macro-return")]
mod transport {
    use super::{lost, thread, ExtraSafeError};

    pub(super) struct Tx<T>(crossbeam_channel::Sender<Result<T, ExtraSafeError>>);
    pub(super) struct Rx<T>(crossbeam_channel::Receiver<Result<T, ExtraSafeError>>);

    impl<T> Tx<T> {
        pub(super) fn send(self, result: Result<T, ExtraSafeError>) -> Delivered<T> {
            // The receiver lives until the thread is joined, and the channel has room for the
            // one result: this cannot fail.
            let _ = self.0.send(result);
            std::marker::PhantomData
        }
    }

    impl<T> Rx<T> {
        pub(super) fn take(
            self,
            joined: thread::Result<Delivered<T>>,
        ) -> Result<T, ExtraSafeError> {
            match self.0.try_recv() {
                Ok(result) => result,
                Err(_) => Err(lost(joined)),
            }
        }
    }

    /// What the thread returns: nothing, the result went over the channel.
    pub(super) type Delivered<T> = std::marker::PhantomData<fn() -> T>;

    pub(super) fn channel<T>() -> (Tx<T>, Rx<T>) {
        let (tx, rx) = crossbeam_channel::bounded(1);
        (Tx(tx), Rx(rx))
    }
}

use transport::{channel, Delivered, Rx};

/// A sandboxed thread started with [`SafetyContext::spawn`] or [`Orchestrator::spawn`].
pub struct SandboxHandle<T> {
    handle: thread::JoinHandle<Delivered<T>>,
    rx: Rx<T>,
}

impl<T> std::fmt::Debug for SandboxHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("thread", &self.handle.thread())
            .finish_non_exhaustive()
    }
}

impl<T> SandboxHandle<T> {
    /// Waits for the thread and returns its value.
    ///
    /// # Errors
    /// What applying its context returned, [`ExtraSafeError::Panicked`] if the closure
    /// panicked, [`ExtraSafeError::Aborted`] if its [`Orchestrator`] never released it.
    pub fn join(self) -> Result<T, ExtraSafeError> {
        let joined = self.handle.join();
        self.rx.take(joined)
    }

    /// Whether the thread has finished.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

/// Where a group of sandboxed threads stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GateState {
    /// Children apply their contexts and wait.
    Waiting,
    /// The parent is restricted: children may run.
    Open,
    /// The parent failed or gave up: children end without running.
    Aborted,
}

#[derive(Debug)]
struct Gate {
    state: Mutex<(GateState, usize, Option<String>)>,
    changed: Condvar,
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, (GateState, usize, Option<String>)> {
        // A poisoned lock only means a thread panicked while holding it; the state is a plain
        // value and stays meaningful.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Starts several sandboxed threads, each with its own context, that begin their work only
/// once the parent thread has restricted itself.
///
/// Each [`spawn`](Orchestrator::spawn)ed thread applies its context at once and then waits.
/// [`start`](Orchestrator::start) waits until every child is restricted (or failed to be),
/// applies the parent's own context to the calling thread, and only then lets the children
/// run. If any child or the parent fails to apply, no child runs its closure and `start`
/// returns the error. Dropping an orchestrator without starting it aborts the children.
///
/// ```
/// use extrasafe::builtins::{BasicCapabilities, SystemIO};
/// use extrasafe::{Orchestrator, SafetyContext};
///
/// let basics = || SafetyContext::new().enable(BasicCapabilities);
/// let (tx, rx) = std::sync::mpsc::channel::<u32>();
/// let mut threads = Orchestrator::new();
/// let producer = threads.spawn(basics()?, move || tx.send(42).unwrap())?;
/// let consumer = threads.spawn(basics()?, move || rx.recv().unwrap())?;
/// // The parent keeps almost nothing; the children start only after this.
/// threads.start(SafetyContext::new().enable(SystemIO::nothing().allow_stderr())?)?;
/// producer.join()?;
/// assert_eq!(consumer.join()?, 42);
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug)]
pub struct Orchestrator {
    gate: Arc<Gate>,
    children: usize,
    started: bool,
}

impl Default for Orchestrator {
    fn default() -> Self {
        Orchestrator::new()
    }
}

impl Orchestrator {
    /// No threads yet.
    #[must_use]
    pub fn new() -> Orchestrator {
        Orchestrator {
            gate: Arc::new(Gate {
                state: Mutex::new((GateState::Waiting, 0, None)),
                changed: Condvar::new(),
            }),
            children: 0,
            started: false,
        }
    }

    /// Starts a thread that applies `ctx`, then waits for [`start`](Orchestrator::start)
    /// before running `f`.
    ///
    /// # Errors
    /// [`ExtraSafeError::ThreadSpawn`] if no thread could be created.
    pub fn spawn<T, F>(
        &mut self,
        ctx: SafetyContext,
        f: F,
    ) -> Result<SandboxHandle<T>, ExtraSafeError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let gate = Arc::clone(&self.gate);
        let (tx, rx) = channel::<T>();
        let handle = thread::Builder::new()
            .name(THREAD_NAME.to_string())
            .spawn(move || {
                install_location_hook();
                let applied = ctx.enforce_on_current_thread();
                let mut state = gate.lock();
                state.1 += 1;
                if let Err(e) = &applied {
                    state.2.get_or_insert_with(|| e.to_string());
                }
                gate.changed.notify_all();
                if let Err(e) = applied {
                    drop(state);
                    return tx.send(Err(e));
                }
                while state.0 == GateState::Waiting {
                    state = gate
                        .changed
                        .wait(state)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                let go = state.0 == GateState::Open;
                drop(state);
                if !go {
                    return tx.send(Err(ExtraSafeError::Aborted));
                }
                tx.send(catch_panic(f))
            })
            .map_err(spawn_error)?;
        self.children += 1;
        Ok(SandboxHandle { handle, rx })
    }

    /// Waits until every child is restricted, applies `own` to the calling thread, then lets
    /// the children run.
    ///
    /// # Errors
    /// [`ExtraSafeError::OrchestrationFailed`] if a child could not apply its context, or
    /// what applying `own` returned; in both cases no child runs its closure.
    pub fn start(mut self, own: SafetyContext) -> Result<EnforcementReport, ExtraSafeError> {
        self.started = true;
        let mut state = self.gate.lock();
        while state.1 < self.children {
            state = self
                .gate
                .changed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if let Some(reason) = state.2.clone() {
            state.0 = GateState::Aborted;
            self.gate.changed.notify_all();
            return Err(ExtraSafeError::OrchestrationFailed { reason });
        }
        drop(state);
        let applied = own.enforce_on_current_thread();
        let mut state = self.gate.lock();
        state.0 = if applied.is_ok() {
            GateState::Open
        } else {
            GateState::Aborted
        };
        self.gate.changed.notify_all();
        applied
    }
}

impl Drop for Orchestrator {
    fn drop(&mut self) {
        if !self.started {
            let mut state = self.gate.lock();
            state.0 = GateState::Aborted;
            self.gate.changed.notify_all();
        }
    }
}
