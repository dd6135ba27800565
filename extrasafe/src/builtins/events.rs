//! Event loops, timers and file notifications, each on its own.

use std::collections::BTreeSet;

use crate::rules::RuleSet;
use crate::syscalls::Sysno;

/// Waiting for events without any networking: epoll, eventfd and inotify, each on its own.
///
/// ```
/// use extrasafe::{builtins::events::Events, RuleSet, SafetyContext};
/// let (a, b) = std::os::unix::net::UnixStream::pair()?;
/// SafetyContext::new().enable(Events::nothing().allow_epoll().allow_eventfd())?.apply_to_current_thread()?;
/// // epoll_create1 works now; socket creation does not.
/// assert!(std::net::TcpListener::bind("127.0.0.1:0").is_err());
/// # drop((a, b));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Events {
    allowed: BTreeSet<Sysno>,
}

impl Events {
    /// Allows nothing.
    pub fn nothing() -> Events {
        Events::default()
    }

    /// Every method below.
    pub fn everything() -> Events {
        Events::nothing()
            .allow_epoll()
            .allow_eventfd()
            .allow_inotify()
            .allow_poll()
    }

    /// epoll: epoll_create (x86_64), epoll_create1, epoll_ctl, epoll_wait (x86_64),
    /// epoll_pwait, epoll_pwait2.
    pub fn allow_epoll(mut self) -> Events {
        self.allowed.extend([
            #[cfg(target_arch = "x86_64")]
            Sysno::epoll_create,
            Sysno::epoll_create1,
            Sysno::epoll_ctl,
            #[cfg(target_arch = "x86_64")]
            Sysno::epoll_wait,
            Sysno::epoll_pwait,
            Sysno::epoll_pwait2,
        ]);
        self
    }

    /// poll and select: poll, select (x86_64), ppoll, pselect6.
    pub fn allow_poll(mut self) -> Events {
        self.allowed.extend([
            #[cfg(target_arch = "x86_64")]
            Sysno::poll,
            #[cfg(target_arch = "x86_64")]
            Sysno::select,
            Sysno::ppoll,
            Sysno::pselect6,
        ]);
        self
    }

    /// Creating event descriptors: eventfd (x86_64), eventfd2. Reading and writing them needs
    /// [`SystemIO`](crate::builtins::SystemIO)'s read and write (or a file-descriptor rule).
    pub fn allow_eventfd(mut self) -> Events {
        self.allowed.extend([
            #[cfg(target_arch = "x86_64")]
            Sysno::eventfd,
            Sysno::eventfd2,
        ]);
        self
    }

    /// Watching files for changes: inotify_init (x86_64), inotify_init1, inotify_add_watch,
    /// inotify_rm_watch. Watching a path reveals changes to it: combine with Landlock.
    pub fn allow_inotify(mut self) -> Events {
        self.allowed.extend([
            #[cfg(target_arch = "x86_64")]
            Sysno::inotify_init,
            Sysno::inotify_init1,
            Sysno::inotify_add_watch,
            Sysno::inotify_rm_watch,
        ]);
        self
    }
}

impl RuleSet for Events {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn name(&self) -> &'static str {
        "Events"
    }
}

/// Timers: timer descriptors, POSIX timers and interval timers.
///
/// ```
/// use extrasafe::{builtins::events::Timers, RuleSet};
/// assert!(Timers::nothing().allow_timerfd().simple_rules().contains(&extrasafe::syscalls::Sysno::timerfd_create));
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Timers {
    allowed: BTreeSet<Sysno>,
}

impl Timers {
    /// Allows nothing.
    pub fn nothing() -> Timers {
        Timers::default()
    }

    /// Every method below.
    pub fn everything() -> Timers {
        Timers::nothing()
            .allow_timerfd()
            .allow_posix_timers()
            .allow_interval_timers()
    }

    /// Timer descriptors: timerfd_create, timerfd_settime, timerfd_gettime. Reading the
    /// expirations needs `read`.
    pub fn allow_timerfd(mut self) -> Timers {
        self.allowed.extend([
            Sysno::timerfd_create,
            Sysno::timerfd_settime,
            Sysno::timerfd_gettime,
        ]);
        self
    }

    /// POSIX timers, which signal the process: timer_create, timer_settime, timer_gettime,
    /// timer_getoverrun, timer_delete.
    pub fn allow_posix_timers(mut self) -> Timers {
        self.allowed.extend([
            Sysno::timer_create,
            Sysno::timer_settime,
            Sysno::timer_gettime,
            Sysno::timer_getoverrun,
            Sysno::timer_delete,
        ]);
        self
    }

    /// Interval timers and alarms, which signal the process: setitimer, getitimer, alarm
    /// (x86_64).
    pub fn allow_interval_timers(mut self) -> Timers {
        self.allowed.extend([
            Sysno::setitimer,
            Sysno::getitimer,
            #[cfg(target_arch = "x86_64")]
            Sysno::alarm,
        ]);
        self
    }
}

impl RuleSet for Timers {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn name(&self) -> &'static str {
        "Timers"
    }
}
