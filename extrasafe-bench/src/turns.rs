//! Taking turns: several threads, each with its own (irreversible) sandbox, measure one after
//! the other, batch by batch, so that every configuration sees the same moments of a noisy
//! machine. Waiting uses a mutex and a condition variable (futex), which every context here
//! allows.

use std::sync::{Condvar, Mutex, PoisonError};

/// The turn counter shared by `n` threads.
pub(crate) struct Turns {
    next: Mutex<usize>,
    changed: Condvar,
    n: usize,
}

impl Turns {
    /// Turns for `n` threads, numbered `0..n`.
    pub(crate) fn new(n: usize) -> Turns {
        Turns {
            next: Mutex::new(0),
            changed: Condvar::new(),
            n,
        }
    }

    /// Waits until it is thread `who`'s go in turn `turn`.
    pub(crate) fn wait(&self, who: usize, turn: usize) {
        let ticket = turn * self.n + who;
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        while *next < ticket {
            next = self
                .changed
                .wait(next)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Ends the current go and hands over to the next thread.
    pub(crate) fn pass(&self) {
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        *next += 1;
        self.changed.notify_all();
    }
}

/// The CPU that measuring threads are pinned to: the last one.
pub(crate) fn measuring_cpu() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get() - 1)
}
