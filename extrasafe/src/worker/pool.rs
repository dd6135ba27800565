//! A pool of worker processes: prestarted workers, a first-come-first-served line of calls,
//! replacement of workers that failed, and the future of an asynchronous call.

use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::thread;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::WorkerError;
use super::process::Process;
use super::{WorkerFn, WorkerMode, WorkerOptions};

/// A pool of sandboxed worker processes running one [`WorkerFn`].
///
/// Cloning a pool gives another handle to the same workers (it is `Send` and `Sync`); the
/// workers are killed when the last handle is dropped. See the [module documentation](super)
/// for what a worker is and what holds.
///
/// ```
/// use std::time::Duration;
/// use extrasafe::worker::{WorkerError, WorkerOptions, WorkerPool};
/// use extrasafe::SafetyContext;
///
/// fn nothing_but_memory() -> SafetyContext {
///     SafetyContext::new()
/// }
///
/// #[extrasafe::worker(nothing_but_memory)]
/// fn checksum(data: Vec<u8>) -> u32 {
///     if data.is_empty() {
///         loop {} // a bug that hangs
///     }
///     data.iter().map(|&b| u32::from(b)).sum()
/// }
///
/// let pool = WorkerPool::start(
///     checksum,
///     WorkerOptions::new().timeout(Duration::from_millis(200)),
/// )?;
/// assert_eq!(pool.call(vec![1, 2, 3])?, 6);
/// let hung = pool.call(Vec::new()).unwrap_err();
/// assert!(matches!(hung, WorkerError::Timeout { .. }), "{hung}");
/// assert_eq!(pool.call(vec![4])?, 4); // a new worker took its place
/// # Ok::<(), WorkerError>(())
/// ```
pub struct WorkerPool<I, O> {
    inner: Arc<Inner>,
    entry: WorkerFn<I, O>,
}

impl<I, O> Clone for WorkerPool<I, O> {
    fn clone(&self) -> Self {
        WorkerPool {
            inner: Arc::clone(&self.inner),
            entry: self.entry,
        }
    }
}

impl<I, O> std::fmt::Debug for WorkerPool<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerPool")
            .field("worker", &self.entry.name)
            .field("options", &self.inner.options)
            .finish()
    }
}

/// A worker waiting for a call: started, perhaps not yet ready; or the error of a start
/// that failed, handed to the next call.
enum Slot {
    Worker(Box<Process>),
    Failed(WorkerError),
}

struct State {
    idle: VecDeque<Slot>,
    /// The ticket of the next call to arrive, and of the call whose turn it is.
    next_ticket: u64,
    serving: u64,
    /// The workers alive: idle, busy, or being started.
    pids: Vec<u32>,
    /// How many calls wait for their turn.
    waiting: usize,
}

struct Inner {
    name: &'static str,
    options: WorkerOptions,
    state: Mutex<State>,
    turn: Condvar,
    report: String,
    /// Asks the spawner thread for a new worker, or to end an old one.
    spawner: Mutex<Option<mpsc::Sender<Job>>>,
    spawner_thread: Mutex<Option<thread::JoinHandle<()>>>,
}

enum Job {
    /// Start a worker and put it in the pool.
    Start,
    /// End a worker that is done (reap it off the caller's path).
    Finish(Box<Process>),
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn request(&self, job: Job) {
        let sent = self
            .spawner
            .lock()
            .map(|spawner| spawner.as_ref().is_some_and(|s| s.send(job).is_ok()))
            .unwrap_or(false);
        if !sent {
            // The spawner is gone: whoever waits gets an error, not a hang.
            self.give_back(Slot::Failed(WorkerError::Io {
                worker: self.name,
                source: std::io::Error::other("the pool's spawner thread is gone"),
            }));
        }
    }

    fn give_back(&self, slot: Slot) {
        let mut state = self.lock();
        state.idle.push_back(slot);
        let waiting = state.waiting > 0;
        drop(state);
        if waiting {
            self.turn.notify_all();
        }
    }

    fn forget_pid(&self, pid: u32) {
        self.lock().pids.retain(|&p| p != pid);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The idle workers are killed and reaped here; ending the spawner thread (its job
        // channel closed) kills any it started since, by their parent-death signal.
        let idle: Vec<Slot> = self.lock().idle.drain(..).collect();
        drop(idle);
        if let Ok(mut spawner) = self.spawner.lock() {
            spawner.take();
        }
        if let Some(handle) = self.spawner_thread.lock().ok().and_then(|mut h| h.take()) {
            // The last handle may be the spawner's own, for a moment: it cannot join itself.
            if handle.thread().id() != thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}

impl<I, O> WorkerPool<I, O>
where
    I: Serialize,
    O: DeserializeOwned,
{
    /// Starts the pool's workers and waits until each has applied its sandbox.
    ///
    /// # Errors
    /// [`WorkerError::Setup`] if a worker's context could not be built or applied (the
    /// message is the context's error), or the kernel cannot enforce what a worker needs;
    /// [`WorkerError::Start`] if no process could be started. No worker is left running.
    pub fn start(
        entry: WorkerFn<I, O>,
        options: WorkerOptions,
    ) -> Result<WorkerPool<I, O>, WorkerError> {
        let name = entry.name;
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (first_tx, first_rx) = mpsc::channel::<Result<Box<Process>, WorkerError>>();
        let n = options.workers;
        let spawn_options = options.clone();
        // The thread that starts every worker of the pool: a worker dies with the thread
        // that started it (its parent-death signal is tied to that thread), so that thread
        // must live as long as the pool.
        let weak: Arc<Mutex<Weak<Inner>>> = Arc::new(Mutex::new(Weak::new()));
        let weak_for_thread = Arc::clone(&weak);
        let handle = thread::Builder::new()
            .name("extrasafe-workers".to_string())
            .spawn(move || {
                for _ in 0..n {
                    let _ = first_tx.send(Process::spawn(name, &spawn_options).map(Box::new));
                }
                drop(first_tx);
                spawner(name, &spawn_options, job_rx, &weak_for_thread);
            })
            .map_err(|source| WorkerError::Start {
                worker: name,
                source,
            })?;
        let mut workers = Vec::with_capacity(n);
        let mut failure = None;
        for started in first_rx.iter().take(n) {
            match started {
                Ok(process) => workers.push(process),
                Err(e) => failure = failure.or(Some(e)),
            }
        }
        let mut report = String::new();
        if failure.is_none() {
            for process in &mut workers {
                if let Err(e) = process.handshake(options.start_timeout) {
                    failure = Some(e);
                    break;
                }
            }
        }
        if let Some(report_of_first) = workers.first().and_then(|p| p.report.clone()) {
            report = report_of_first;
        }
        if let Some(e) = failure {
            drop(workers);
            drop(jobs);
            let _ = handle.join();
            return Err(e);
        }
        let pids = workers.iter().map(|p| p.pid()).collect();
        let inner = Arc::new(Inner {
            name,
            options,
            state: Mutex::new(State {
                idle: workers.into_iter().map(Slot::Worker).collect(),
                next_ticket: 0,
                serving: 0,
                pids,
                waiting: 0,
            }),
            turn: Condvar::new(),
            report,
            spawner: Mutex::new(Some(jobs)),
            spawner_thread: Mutex::new(Some(handle)),
        });
        *weak.lock().unwrap_or_else(|p| p.into_inner()) = Arc::downgrade(&inner);
        Ok(WorkerPool { inner, entry })
    }

    /// Calls the function with `input` in a worker, waiting for a free worker first.
    ///
    /// # Errors
    /// A [`WorkerError`] naming what happened to the call; the pool replaces a worker that
    /// failed, so the next call has a working one.
    pub fn call(&self, input: I) -> Result<O, WorkerError> {
        let inner = &self.inner;
        let name = inner.name;
        let bytes = postcard::to_allocvec(&input).map_err(|e| WorkerError::Serialization {
            worker: name,
            message: format!("the input could not be serialized: {e}"),
        })?;
        if bytes.len() > inner.options.max_input {
            return Err(WorkerError::InputTooLarge {
                worker: name,
                len: bytes.len(),
                limit: inner.options.max_input,
            });
        }
        let mut starts_lost = 0;
        loop {
            let mut process = match self.take_turn() {
                Slot::Worker(process) => process,
                Slot::Failed(e) => {
                    inner.request(Job::Start);
                    return Err(e);
                }
            };
            if let Err(e) = process.handshake(inner.options.start_timeout) {
                inner.forget_pid(process.pid());
                inner.request(Job::Start);
                // A worker that died (was killed) while it started never saw this call:
                // another is tried, twice at most (a worker that cannot start at all
                // fails the call with why).
                if process.undelivered() && starts_lost < 2 {
                    starts_lost += 1;
                    continue;
                }
                return Err(e);
            }
            let result = process.call(&bytes, &inner.options).and_then(|output| {
                super::decode::from_bytes(&output).map_err(|e| WorkerError::MalformedReply {
                    worker: name,
                    reason: format!("an output that does not deserialize: {e}"),
                })
            });
            // A worker is kept after a call that worked, or one whose input or output did
            // not (de)serialize in the worker; after anything else (a reply here that does
            // not deserialize included: the worker may be compromised) it is ended and
            // replaced.
            let keep = matches!(result, Ok(_) | Err(WorkerError::Serialization { .. }))
                && inner.options.mode == WorkerMode::Reuse;
            let undelivered = process.undelivered();
            if keep {
                inner.give_back(Slot::Worker(process));
            } else {
                inner.forget_pid(process.pid());
                inner.request(Job::Start);
                inner.request(Job::Finish(process));
            }
            // A worker that had died while it waited never saw this call: the call waits
            // for another worker instead of failing.
            if !undelivered {
                return result;
            }
        }
    }

    /// Waits for this call's turn and a free worker.
    fn take_turn(&self) -> Slot {
        let inner = &self.inner;
        let mut state = inner.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        loop {
            if state.serving == ticket {
                if let Some(slot) = state.idle.pop_front() {
                    state.serving += 1;
                    let waiting = state.waiting > 0;
                    drop(state);
                    if waiting {
                        // The next ticket may be served now.
                        inner.turn.notify_all();
                    }
                    return slot;
                }
            }
            state.waiting += 1;
            state = inner
                .turn
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state.waiting -= 1;
        }
    }

    /// [`call`](WorkerPool::call) as a future, for async code: the call runs on a thread of
    /// its own and wakes the task when it is done. Needs no particular runtime.
    ///
    /// ```
    /// # use extrasafe::worker::{WorkerOptions, WorkerPool};
    /// # use extrasafe::SafetyContext;
    /// # fn sandbox() -> SafetyContext { SafetyContext::new() }
    /// #[extrasafe::worker(sandbox)]
    /// fn double(x: u64) -> u64 {
    ///     x * 2
    /// }
    ///
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     use std::task::{Context, Poll, Wake, Waker};
    /// #     struct T(std::thread::Thread);
    /// #     impl Wake for T { fn wake(self: std::sync::Arc<Self>) { self.0.unpark() } }
    /// #     let waker = Waker::from(std::sync::Arc::new(T(std::thread::current())));
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop {
    /// #         if let Poll::Ready(v) = f.as_mut().poll(&mut Context::from_waker(&waker)) { return v; }
    /// #         std::thread::park();
    /// #     }
    /// # }
    /// let pool = WorkerPool::start(double, WorkerOptions::new())?;
    /// let doubled = block_on(pool.call_async(21))?; // or `.await` in async code
    /// assert_eq!(doubled, 42);
    /// # Ok::<(), extrasafe::worker::WorkerError>(())
    /// ```
    pub fn call_async(&self, input: I) -> WorkerCall<O>
    where
        I: Send + 'static,
        O: Send + 'static,
    {
        let shared = Arc::new(Mutex::new(CallState {
            result: None,
            waker: None,
        }));
        let pool = self.clone();
        let done = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name("extrasafe-worker-call".to_string())
            .spawn(move || {
                let result = pool.call(input);
                complete(&done, result);
            });
        if let Err(source) = spawned {
            complete(
                &shared,
                Err(WorkerError::Io {
                    worker: self.inner.name,
                    source,
                }),
            );
        }
        WorkerCall {
            shared,
            _output: PhantomData,
        }
    }
}

impl<I, O> WorkerPool<I, O> {
    /// What the workers' sandbox enforced, as the first worker reported it
    /// ([`EnforcementReport`](crate::EnforcementReport)'s text).
    pub fn report(&self) -> &str {
        &self.inner.report
    }

    /// The process ids of the pool's live workers (idle, busy, or starting).
    pub fn pids(&self) -> Vec<u32> {
        self.inner.lock().pids.clone()
    }

    /// The worker function's name.
    pub fn name(&self) -> &'static str {
        self.inner.name
    }
}

/// The spawner thread's loop: starts replacements and ends finished workers until the pool
/// is dropped.
fn spawner(
    name: &'static str,
    options: &WorkerOptions,
    jobs: mpsc::Receiver<Job>,
    pool: &Mutex<Weak<Inner>>,
) {
    for job in jobs {
        match job {
            Job::Finish(process) => process.finish(),
            Job::Start => {
                let started = Process::spawn(name, options);
                let Some(inner) = pool.lock().ok().and_then(|weak| weak.upgrade()) else {
                    return;
                };
                match started {
                    Ok(process) => {
                        inner.lock().pids.push(process.pid());
                        inner.give_back(Slot::Worker(Box::new(process)));
                    }
                    Err(e) => inner.give_back(Slot::Failed(e)),
                }
            }
        }
    }
}

struct CallState<O> {
    result: Option<Result<O, WorkerError>>,
    waker: Option<Waker>,
}

fn complete<O>(shared: &Mutex<CallState<O>>, result: Result<O, WorkerError>) {
    let waker = {
        let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
        state.result = Some(result);
        state.waker.take()
    };
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// The future of [`WorkerPool::call_async`]: the function's value or a [`WorkerError`].
#[must_use = "a future does nothing unless awaited (the call runs anyway)"]
pub struct WorkerCall<O> {
    shared: Arc<Mutex<CallState<O>>>,
    _output: PhantomData<O>,
}

impl<O> std::fmt::Debug for WorkerCall<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerCall").finish_non_exhaustive()
    }
}

impl<O> Future for WorkerCall<O> {
    type Output = Result<O, WorkerError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        match state.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
