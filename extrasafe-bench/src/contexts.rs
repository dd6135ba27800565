//! The policies measured, each written once for extrasafe (this workspace) and once for
//! extrasafe 0.5.1, so that the two versions enforce the same thing.

use std::fs::File;
use std::path::Path;

use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::{Networking, SystemIO, Time};
use extrasafe::syscalls::Sysno;
use extrasafe::{ExtraSafeError, Landlock, SafetyContext};

use extrasafe051 as old;

/// The "typical" context: a program that reads files and serves already-open TCP sockets.
/// Every measured syscall (getppid, read, openat, close) is allowed without conditions.
pub(crate) fn typical() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_open()
                .yes_really()
                .allow_read()
                .allow_close()
                .allow_metadata(),
        )?
        .enable(Networking::nothing().allow_running_tcp_servers())?
        .enable(Time::nothing().allow_gettime())?
        .enable(Threads::nothing().allow_create())?
        .enable(Sysno::getppid)
}

/// [`typical`] in extrasafe 0.5.1.
pub(crate) fn typical_051() -> Result<old::SafetyContext, old::ExtraSafeError> {
    use old::builtins::danger_zone::Threads;
    use old::builtins::{Networking, SystemIO, Time};
    old::SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_open()
                .yes_really()
                .allow_read()
                .allow_close()
                .allow_metadata(),
        )?
        .enable(Networking::nothing().allow_running_tcp_servers())?
        .enable(Time::nothing().allow_gettime())?
        .enable(Threads::nothing().allow_create())?
        .enable(old::syscalls::Sysno::getppid)
}

/// The same program, narrowed with argument conditions on the measured syscalls: `openat`
/// only without modifying flags, `read` only on the one open file. `getppid` takes no
/// arguments (extrasafe refuses a condition on it), so it stays unconditional. Networking's
/// unconditional `read`, and 0.5.1's unconditional `allow_metadata` (its `allow_open_readonly`
/// puts conditions on the stat calls), would conflict with the conditions, so both are left
/// out.
pub(crate) fn conditional(file: &File) -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_open_readonly()
                .allow_file_read(file)
                .allow_close(),
        )?
        .enable(Time::nothing().allow_gettime())?
        .enable(Threads::nothing().allow_create())?
        .enable(Sysno::getppid)
}

/// [`conditional`] in extrasafe 0.5.1.
pub(crate) fn conditional_051(file: &File) -> Result<old::SafetyContext, old::ExtraSafeError> {
    use old::builtins::danger_zone::Threads;
    use old::builtins::{SystemIO, Time};
    old::SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_open_readonly()
                .allow_file_read(file)
                .allow_close(),
        )?
        .enable(Time::nothing().allow_gettime())?
        .enable(Threads::nothing().allow_create())?
        .enable(old::syscalls::Sysno::getppid)
}

/// Ten directories that exist on every Debian-like system, for the Landlock setup cost.
pub(crate) const TEN_PATHS: [&str; 10] = [
    "/usr/bin",
    "/usr/lib",
    "/usr/share",
    "/usr/include",
    "/etc",
    "/lib",
    "/bin",
    "/sbin",
    "/var/lib",
    "/tmp",
];

/// Landlock only, read-only access beneath [`TEN_PATHS`].
pub(crate) fn landlock_ten() -> Result<SafetyContext, ExtraSafeError> {
    let mut ll = Landlock::new();
    for p in TEN_PATHS {
        ll = ll.read_only(p);
    }
    SafetyContext::new().landlock_only().enable(ll)
}

/// The typical context plus read-only access beneath [`TEN_PATHS`].
pub(crate) fn typical_landlock_ten() -> Result<SafetyContext, ExtraSafeError> {
    let mut ll = Landlock::new();
    for p in TEN_PATHS {
        ll = ll.read_only(p);
    }
    typical()?.enable(ll)
}

/// The search workload's context: reading files and listing directories, nothing else (no
/// writes but to stderr, no network, no new processes). With `root`, Landlock also limits
/// reads to the tree beneath it.
pub(crate) fn search(root: Option<&Path>) -> Result<SafetyContext, ExtraSafeError> {
    let ctx = SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_open_readonly()
                .allow_read()
                .allow_close()
                .allow_metadata()
                .allow_stderr(),
        )?
        .enable(Time::nothing().allow_gettime())?;
    match root {
        Some(root) => ctx.enable(Landlock::new().read_only(root)),
        None => Ok(ctx),
    }
}

/// The serve workload's context: serving TCP connections that the listener accepts, on a
/// single-threaded tokio runtime; no files, no new sockets, no new processes.
pub(crate) fn serve() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new()
        .enable(Networking::nothing().allow_running_tcp_servers())?
        .enable(Time::nothing().allow_gettime())
}
