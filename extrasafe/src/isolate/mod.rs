//! Process isolation in new namespaces (feature `isolate`, on by default).
//!
//! Seccomp and Landlock restrict what a process may *ask*; isolation decides what it can even
//! *see*. Isolated code runs in new user, PID, mount, IPC, UTS, cgroup and (by default)
//! network namespaces, on a root of its own, with:
//!
//! - an init of ours as PID 1 of the PID namespace, so that the isolated code, PID 2, is not
//!   the namespace's init (see [The init](#the-init));
//! - a fresh, size-limited tmpfs as `/`, holding `/proc` (of the new PID namespace: no host
//!   process is visible), a minimal `/dev` (`null`, `zero`, `full`, `random`, `urandom`),
//!   a `/tmp`, and the bind mounts the configuration asks for, **read-only** (and `nodev`)
//!   unless asked read-write (remounted, so that read-only really holds; see
//!   [What read-only means](#what-read-only-means)). Destinations that could leave the new
//!   root (`..`, a symbolic link on the way) are rejected; `..` before anything is mounted.
//! - a network namespace with only a working loopback (unless `new_network(false)`);
//! - a session of its own (no controlling terminal, so no input injection into the caller's
//!   tty);
//! - no capabilities: bounding, ambient, effective, permitted and inheritable sets empty,
//!   securebits locked so that no exec regains any, and `no_new_privs` — unless the
//!   configuration keeps some ([`IsolationConfig::keep_capability`]; see
//!   [Keeping capabilities](#keeping-capabilities));
//! - only file descriptors 0, 1 and 2, plus those passed on purpose;
//! - only the environment variables passed on purpose;
//! - the resource limits asked for ([`Rlimit`]), the hostname (`extrasafe` by default);
//! - death with its supervisor (`PR_SET_PDEATHSIG`).
//!
//! The user namespace maps one id: the caller's own user and group become
//! [`IsolationConfig::user`] (0, root, by default) inside; root may instead have the isolated
//! process run as another host user ([`IsolationConfig::host_user`]).
//!
//! **Supplementary groups** are dropped where the kernel allows it: by a caller with
//! `CAP_SETGID` on the host (root), before it enters the user namespace, so that the
//! isolated process (and the supervisor) belong to no other group. An unprivileged caller
//! cannot drop them, in the new user namespace neither: it must write `deny` to its
//! `setgroups` file before it may map its group, which freezes the list. The isolated process
//! then keeps the caller's groups (inside they show as the overflow gid, 65534, but still
//! grant what they grant on the host: files of those groups in the binds stay readable or
//! writable as the host's permissions say). The
//! [`IsolationReport`](crate::IsolationReport) lists them in `supplementary_groups`. Start
//! the program without them (`setpriv --clear-groups`, a service's
//! `SupplementaryGroups=`) where that matters.
//!
//! # What read-only means
//!
//! A read-only bind (the default of [`IsolationConfig::bind`] and
//! [`Isolate::add_bind_mount`]) and every mount below its source are remounted read-only,
//! `nosuid` and `nodev`, keeping the flags the host's mount has (a remount in a user
//! namespace may add flags, never clear those the kernel locked):
//!
//! - no file or directory in it can be written, created, removed or renamed (`EROFS`);
//! - no device node in it opens, for reading or writing (`EACCES`): a read-only mount alone
//!   would still let a disk or `/dev/mem` be opened for writing. This holds for a bind of a
//!   `/dev`-like directory and for a bind of a device node itself. To pass a device on (a
//!   GPU's render node, `/dev/kvm`), bind it with [`IsolationConfig::bind_writable`], which
//!   keeps the host's mount flags: it opens as the host's permissions allow;
//! - **sockets and fifos are not protected**: `connect(2)` to a unix socket in a read-only
//!   bind, and writing to a fifo in it, work, as the kernel's semantics are (a read-only
//!   mount protects the contents of a file system, not the processes behind its sockets and
//!   fifos). Do not bind directories with sockets the isolated code must not reach (the
//!   host's `/run`, `/var/run`, `/tmp`), or keep it from connecting: leave unix sockets out
//!   of the context's seccomp policy ([`Networking`](crate::builtins::Networking) allows
//!   them only when asked), or use Landlock's `resolve_unix` right where the kernel has it
//!   (ABI 9). Landlock's scoping (ABI 6) covers abstract unix sockets only, which a new
//!   network namespace (the default) already separates from the host's.
//!
//! # Two ways in
//!
//! **The whole program**: a context made with
//! [`SafetyContext::isolate_process`], applied by
//! `#[extrasafe::main]` (or [`SafetyContext::apply_isolated`]
//! at the top of `main`). While the program still has one thread, it enters the namespaces
//! and forks; the child builds the new root and forks again, to stay there as the init: the
//! program continues in the init's child, isolated, with the context's Landlock and seccomp
//! rules applied there; the first parent becomes the **supervisor**. The supervisor drops
//! its capabilities, restricts itself with seccomp to waiting and signalling, forwards
//! SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM and SIGWINCH (through the
//! init) to the isolated process, waits for it, and exits with its exit code (or dies by the
//! same signal). With `#[tokio::main]`, the runtime starts in the isolated process.
//!
//! ```text
//!  your program ── main starts (one thread) ── unshare(user, pid, ipc, uts, cgroup, net)
//!                                                   │ fork
//!        supervisor (seccomp: wait, kill) ◀─────────┴──────▶ PID 1: new mount ns, new root
//!        forwards signals, exits like the                       │ fork
//!        isolated process                init (seccomp) ◀───────┴──────▶ PID 2: caps dropped,
//!                                        forwards, reaps                 Landlock + seccomp,
//!                                                                        main body
//! ```
//!
//! **One function, later, from a running (even multithreaded) program**: [`Isolate`],
//! extrasafe 0.5.1's API. [`Isolate::run`] re-executes the program (no fork without exec in
//! a threaded process) with only the environment it is given, and the isolated function's
//! death with the calling thread armed;
//! [`Isolate::main_hook`], at the top of `main` (the re-executed program is single-threaded
//! there), recognises the isolate by its name (and the re-execution by a random token that
//! only `run` hands over, so that setting the environment of the program does not make it
//! run an isolated function instead of `main`), builds it, and runs its function in an
//! isolated child like the one above, while the re-executed process supervises. The caller
//! gets the exit code, the terminating signal, or the panic message, told apart
//! ([`IsolateStatus`]), the captured or inherited output, and the bytes the function returned.
//!
//! ```no_run
//! use extrasafe::isolate::{Isolate, IsolateStatus, RunOptions};
//!
//! fn count_files() -> Vec<u8> {
//!     // Runs isolated: sees only its own root.
//!     let n = std::fs::read_dir("/data").map(|d| d.count()).unwrap_or(0);
//!     n.to_string().into_bytes()
//! }
//!
//! fn isolates(name: &'static str) -> Isolate {
//!     Isolate::new_with_payload(name, count_files).add_bind_mount("/usr/share/doc", "/data")
//! }
//!
//! fn main() -> Result<(), extrasafe::isolate::IsolateError> {
//!     Isolate::main_hook("count", isolates);
//!     let out = Isolate::run_with("count", &RunOptions::new())?;
//!     assert_eq!(out.status, IsolateStatus::Exited(0));
//!     println!("{} files", String::from_utf8_lossy(&out.payload.unwrap_or_default()));
//!     Ok(())
//! }
//! ```
//!
//! In the whole-program mode, the [`EnforcementReport`] that
//! [`SafetyContext::apply_isolated`] returns in the
//! isolated child says what isolation enforced, in its `isolation` field
//! ([`IsolationReport`](crate::IsolationReport)):
//! `isolation: new user, pid, mount, ipc, uts, cgroup, net namespaces; 64 MiB tmpfs root;
//! 2 binds (1 writable); capabilities: none`.
//!
//! # The init
//!
//! The first process of a PID namespace is special to the kernel: signals it has no handler
//! for are not delivered to it (not even `SIGKILL` from inside the namespace, nor the
//! `SIGABRT` of `abort()`), and the namespace's orphans become its children. So the
//! isolated code does not run as PID 1 but as PID 2, under a minimal init of ours, as in
//! bubblewrap and tini; `raise(SIGKILL)`, `abort()` and a SIGTERM without a handler end it
//! as they end any process, and [`Isolate::run`] reports them as
//! [`IsolateStatus::Signaled`]. The init runs no user code, and
//!
//! - forwards SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM and SIGWINCH to
//!   the isolated process (the supervisor forwards the same signals to the init: sent to the
//!   process the caller started, they reach the isolated code, from PID 1);
//! - reaps every process of the namespace that ends, so orphans leave no zombies;
//! - when the isolated process ends, passes on exactly how (exit code or signal) to the
//!   supervisor, and exits; the kernel then kills whatever is left in the namespace;
//! - holds nothing the isolated code does not: it closes every descriptor but 0–2, drops
//!   every capability (including those the configuration keeps for the isolated process),
//!   is not dumpable (so the isolated code, which runs as the same user, can neither trace
//!   it nor read its memory), and restricts itself with seccomp to waiting, sending signals
//!   to the isolated process and writing to stderr. It sees the same new root.
//!
//! The isolated process is the leader of a session and a process group of its own. Its
//! parent is PID 1; with [`Rlimit::Processes`] the init and the supervisor count against
//! the limit, as processes of the same user.
//!
//! # Keeping capabilities
//!
//! [`IsolationConfig::keep_capability`] keeps a [`Capability`] in the isolated process: in
//! its bounding, permitted and effective sets, while every other capability is dropped from
//! all sets as usual. The supervisor keeps none, whatever the configuration.
//!
//! - A kept capability is one of the process's **own user namespace**: it acts on what that
//!   namespace owns (its network, mount, PID, IPC and UTS namespaces, the files of the one
//!   mapped user and group), not on the host. `CAP_NET_ADMIN` configures the isolated
//!   network namespace (with `new_network(false)`, the host's network is not its to
//!   configure); `CAP_SYS_CHROOT` allows `chroot(2)` inside the new root.
//! - It does **not survive `execve`**: the inheritable and ambient sets stay empty (raising
//!   ambient capabilities is locked off), and the securebits give root no capabilities on
//!   exec. A program the isolated process executes has none; its bounding set still holds
//!   the kept ones. `no_new_privs` keeps any exec from granting more than the process had.
//! - Seccomp and Landlock still apply: a kept capability only matters for the syscalls the
//!   context allows.
//! - Keep as few as possible. `CAP_SYS_ADMIN` in particular lets the process remount the
//!   read-only bind mounts read-write, unmount what was mounted for it, and mount new file
//!   systems; with `CAP_SETPCAP` it can put kept capabilities into its inheritable set and
//!   pass them on to a program with file capabilities.
//!
//! # When user namespaces are unavailable
//!
//! Some systems forbid them (`user.max_user_namespaces=0`, Debian's
//! `kernel.unprivileged_userns_clone=0`, Ubuntu's AppArmor restriction, container seccomp
//! profiles). Then isolation fails with [`IsolateError::UserNamespacesUnavailable`], which
//! names the setting and the fix. The code is never run unisolated.
//!
//! # Current limitations
//!
//! - Signals other than those listed under [The init](#the-init) that are sent to the
//!   supervisor do not reach the isolated process (SIGKILL and SIGSTOP cannot be forwarded;
//!   SIGKILL kills the supervisor, and with it the isolated process).
//! - No `/dev/pts`, `/dev/shm` or `/sys`.
//! - The returned payload is at most 16 MiB.
//! - The new root is built in the private mount namespace over `/tmp`, which must exist.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use crate::context::SafetyContext;
use crate::error::ExtraSafeError;
pub use crate::error::IsolateError;
use crate::report::EnforcementReport;

mod capability;
pub(crate) mod config;
mod init;
mod result;
mod setup;
pub(crate) mod sys;

pub use capability::Capability;
pub use config::{IsolationConfig, Rlimit};

use result::Report;
use setup::Role;
use sys::ChildEnd;

/// Applying a context that isolates the process (the rest of its API is in [`SafetyContext`]'s
/// own module).
impl SafetyContext {
    /// Applies a context: if it isolates the process ([`isolate_process`](SafetyContext::isolate_process)),
    /// enters the namespaces first and continues in the isolated child, where the Landlock
    /// and seccomp rules are then applied to all threads; the calling process becomes the
    /// child's supervisor and never returns from this call (it exits like the child).
    /// Without isolation, this is [`apply_to_all_threads`](SafetyContext::apply_to_all_threads).
    ///
    /// Call it at the top of `main`, while the program has a single thread
    /// (`#[extrasafe::main]` does). In the isolated child, the returned report's
    /// [`isolation`](EnforcementReport::isolation) says what isolation enforced.
    ///
    /// # Errors
    /// Only from before the process forks (the child never returns an error: if its setup
    /// or the rules fail there, it prints why and exits with status 1):
    /// [`IsolateError::NotSingleThreaded`](crate::IsolateError::NotSingleThreaded),
    /// [`IsolateError::UserNamespacesUnavailable`](crate::IsolateError::UserNamespacesUnavailable),
    /// an invalid configuration, or an error of [`compile`](SafetyContext::compile). After an
    /// error the process may be in a new user namespace: exit, do not run the code.
    pub fn apply_isolated(self) -> Result<EnforcementReport, ExtraSafeError> {
        let mut ctx = self;
        if let Some(config) = ctx.take_isolation() {
            ctx.check_seccomp_compiles()?;
            let isolation = isolate_main(&config)?;
            return match ctx.apply(true) {
                Ok(report) => Ok(EnforcementReport {
                    isolation: Some(isolation),
                    ..report
                }),
                Err(e) => {
                    eprintln!("extrasafe: could not sandbox the isolated process: {e}");
                    std::process::exit(1)
                }
            };
        }
        ctx.apply(true)
    }
}

/// At the top of `main`, in a single-threaded program: isolates the process. Returns only
/// in the isolated child; the calling process becomes its supervisor and exits like it.
/// Errors are returned only from before the fork. The child gets what isolation enforced.
pub(crate) fn isolate_main(
    config: &IsolationConfig,
) -> Result<crate::IsolationReport, IsolateError> {
    match setup::enter(config, &config.keep_fds)? {
        Role::Child {
            setup,
            slot,
            kept_groups,
        } => {
            drop(slot);
            if let Err(e) = setup {
                eprintln!("extrasafe: {e}");
                sys::exit_now(1);
            }
            let mut report = config.report();
            report.supplementary_groups = kept_groups;
            Ok(report)
        }
        Role::Supervisor {
            pid,
            slot,
            end,
            _alive,
        } => {
            drop(slot);
            match setup::supervise(pid, &end) {
                Ok(end) => setup::exit_like(end),
                Err(e) => {
                    let _ = sys::kill(pid, libc::SIGKILL);
                    eprintln!("extrasafe: isolate: the supervisor failed: {e}");
                    sys::exit_now(1)
                }
            }
        }
    }
}

/// The function an [`Isolate`] runs.
#[derive(Clone, Copy)]
enum IsolatedFn {
    Unit(fn()),
    Bytes(fn() -> Vec<u8>),
}

/// A function to run in an isolated process, with its [`IsolationConfig`] (extrasafe 0.5.1's
/// API, kept source compatible, now hardened).
///
/// Give each isolate a name, build it in a function `fn(&'static str) -> Isolate`, and
/// call [`Isolate::main_hook`] with both at the top of `main`. Then [`Isolate::run`] or
/// [`Isolate::run_with`], from anywhere in the program, runs the function isolated and
/// returns how it ended. See the [module documentation](self) for what the function gets.
#[must_use]
pub struct Isolate {
    name: &'static str,
    func: IsolatedFn,
    config: IsolationConfig,
}

impl std::fmt::Debug for Isolate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Isolate")
            .field("name", &self.name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// How an isolated function ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IsolateStatus {
    /// The process exited with this code: 0 when the function returned, or the code it
    /// passed to `std::process::exit`.
    Exited(i32),
    /// A signal killed the process.
    Signaled(i32),
    /// The function panicked, with this message.
    Panicked {
        /// The panic message.
        message: String,
    },
}

impl IsolateStatus {
    /// True if and only if the function returned normally (exit code 0).
    #[must_use]
    pub fn success(&self) -> bool {
        *self == IsolateStatus::Exited(0)
    }
}

/// What [`Isolate::run_with`] returns.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IsolateOutput {
    /// How the function ended.
    pub status: IsolateStatus,
    /// What it wrote to stdout (empty when output is inherited).
    pub stdout: Vec<u8>,
    /// What it wrote to stderr (empty when output is inherited).
    pub stderr: Vec<u8>,
    /// The bytes the function returned ([`Isolate::new_with_payload`]); `None` if it did not
    /// return.
    pub payload: Option<Vec<u8>>,
}

/// Options of one [`Isolate::run_with`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct RunOptions<'a> {
    envs: Vec<(OsString, OsString)>,
    inherit_output: bool,
    fds: Vec<BorrowedFd<'a>>,
}

impl<'a> RunOptions<'a> {
    /// No environment, output captured, no descriptors beyond 0–2.
    pub fn new() -> RunOptions<'a> {
        RunOptions::default()
    }

    /// Passes an environment variable to the isolated function.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Lets the isolated function write to this program's stdout and stderr (and read its
    /// stdin) instead of capturing its output.
    pub fn inherit_output(mut self) -> Self {
        self.inherit_output = true;
        self
    }

    /// Passes a descriptor: the isolated function finds it open under the same number.
    pub fn pass_fd(mut self, fd: BorrowedFd<'a>) -> Self {
        self.fds.push(fd);
        self
    }
}

/// The environment variable that tells a re-executed program which isolate to enter:
/// `<result fd>:<token fd>:<token, hex>:<fds to keep, comma-separated>:<name>`.
///
/// Anybody who starts the program can set it, so it is believed only with its token: random
/// bytes, made for one run, that [`run_inner`] also hands over in a sealed memory file
/// inherited as `<token fd>`. A program started by someone else, with the variable set but
/// without that descriptor, ignores it and runs its `main`.
const MARKER: &str = "__EXTRASAFE_ISOLATE";

/// The length of the token that authenticates the [`MARKER`], in bytes.
const TOKEN_LEN: usize = 16;

/// A [`MARKER`] as read from the environment, not yet authenticated.
#[derive(Debug, PartialEq, Eq)]
struct Marker<'a> {
    result_fd: RawFd,
    token_fd: RawFd,
    token: [u8; TOKEN_LEN],
    keep: Vec<RawFd>,
    name: &'a str,
}

impl<'a> Marker<'a> {
    fn format(
        result_fd: RawFd,
        token_fd: RawFd,
        token: &[u8],
        keep: &[RawFd],
        name: &str,
    ) -> String {
        let token: String = token.iter().map(|b| format!("{b:02x}")).collect();
        let keep: Vec<String> = keep.iter().map(ToString::to_string).collect();
        format!("{result_fd}:{token_fd}:{token}:{}:{name}", keep.join(","))
    }

    /// `None` unless `text` has the form [`Marker::format`] writes.
    fn parse(text: &'a str) -> Option<Marker<'a>> {
        let mut parts = text.splitn(5, ':');
        let result_fd = parts.next()?.parse().ok()?;
        let token_fd = parts.next()?.parse().ok()?;
        let hex = parts.next()?.as_bytes();
        let keep = parts.next()?;
        let name = parts.next()?;
        if hex.len() != 2 * TOKEN_LEN {
            return None;
        }
        let mut token = [0u8; TOKEN_LEN];
        for (byte, pair) in token.iter_mut().zip(hex.chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        let keep = if keep.is_empty() {
            Vec::new()
        } else {
            keep.split(',')
                .map(|fd| fd.parse().ok())
                .collect::<Option<Vec<RawFd>>>()?
        };
        Some(Marker {
            result_fd,
            token_fd,
            token,
            keep,
            name,
        })
    }

    /// True if and only if the token descriptor is a sealed memory file (made by
    /// [`run_inner`]) holding this marker's token. Changes nothing, whatever it names.
    fn is_authentic(&self) -> bool {
        if self.token_fd == self.result_fd {
            return false;
        }
        sys::read_sealed(self.token_fd, TOKEN_LEN).is_some_and(|held| {
            // In constant time, out of habit: the comparison leaks nothing worth having.
            held.iter()
                .zip(&self.token)
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
        })
    }
}

type Builder = fn(&'static str) -> Isolate;

/// The isolates whose `main_hook` ran in this program.
static HOOKS: Mutex<Vec<(&'static str, Builder)>> = Mutex::new(Vec::new());

impl Isolate {
    /// An isolate called `name` that runs `func`.
    pub fn new(name: &'static str, func: fn()) -> Isolate {
        Isolate {
            name,
            func: IsolatedFn::Unit(func),
            config: IsolationConfig::new(),
        }
    }

    /// An isolate called `name` that runs `func` and hands the bytes it returns to the
    /// caller ([`IsolateOutput::payload`], at most 16 MiB).
    pub fn new_with_payload(name: &'static str, func: fn() -> Vec<u8>) -> Isolate {
        Isolate {
            name,
            func: IsolatedFn::Bytes(func),
            config: IsolationConfig::new(),
        }
    }

    /// Binds `src` to `dst` in the new root, **read-only** (0.5.1 bound read-write: use
    /// [`add_bind_mount_writable`](Isolate::add_bind_mount_writable) for that). See
    /// [`IsolationConfig::bind`].
    pub fn add_bind_mount(mut self, src: impl AsRef<Path>, dst: impl AsRef<Path>) -> Isolate {
        self.config = self.config.bind(src, dst);
        self
    }

    /// Binds `src` to `dst` in the new root, read-write.
    pub fn add_bind_mount_writable(
        mut self,
        src: impl AsRef<Path>,
        dst: impl AsRef<Path>,
    ) -> Isolate {
        self.config = self.config.bind_writable(src, dst);
        self
    }

    /// Checks the configuration as the re-executed program does before it changes anything:
    /// bind destinations are absolute, below the new root, free of `.` and `..` and not
    /// under `/proc`, and bind sources exist. Nothing is started. [`Isolate::run`] reports
    /// the same errors; this finds them without running.
    ///
    /// ```
    /// use extrasafe::isolate::{Isolate, IsolateError};
    /// fn work() {}
    /// let isolate = Isolate::new("work", work).add_bind_mount("/usr", "/");
    /// assert!(matches!(isolate.validate(), Err(IsolateError::InvalidBindDestination { .. })));
    /// assert!(Isolate::new("work", work).add_bind_mount("/usr", "/usr").validate().is_ok());
    /// ```
    ///
    /// # Errors
    /// [`IsolateError::InvalidBindDestination`], [`IsolateError::BindmountConfig`], or
    /// [`IsolateError::Setup`] for a hostname longer than 64 bytes.
    pub fn validate(&self) -> Result<(), IsolateError> {
        setup::validate(&self.config)
    }

    /// The size limit of the new root, in MiB (default 64).
    pub fn set_rootfs_size(mut self, mib: u32) -> Isolate {
        self.config = self.config.rootfs_size_mib(mib);
        self
    }

    /// Whether the function gets a network namespace of its own (default: yes).
    pub fn new_network(mut self, new_network: bool) -> Isolate {
        self.config = self.config.new_network(new_network);
        self
    }

    /// Changes the rest of the configuration.
    ///
    /// ```
    /// use extrasafe::isolate::{Isolate, Rlimit};
    /// let isolate = Isolate::new("job", || ())
    ///     .configure(|c| c.hostname("job").rlimit(Rlimit::Processes, 8));
    /// # drop(isolate);
    /// ```
    pub fn configure(mut self, f: impl FnOnce(IsolationConfig) -> IsolationConfig) -> Isolate {
        self.config = f(self.config);
        self
    }

    /// Call at the top of `main`, once per isolate, with its name and the function that
    /// builds it. In the program as started it only registers the isolate; in a program
    /// re-executed by [`Isolate::run`] for this name, it runs the isolated function and
    /// exits, never returning.
    ///
    /// The re-executed program is recognised by a variable in its environment, which is
    /// believed only together with a random token, made for the run, that `run` also hands
    /// over in an inherited, sealed memory file. Whoever can set only the environment of
    /// the program cannot make it run an isolated function instead of `main`: without the
    /// token the variable is removed and ignored (as are the descriptors it names), and the
    /// hook returns.
    ///
    /// The re-executed program must reach the hook while it has a single thread: call it
    /// before starting threads or runtimes.
    pub fn main_hook(name: &'static str, builder: fn(&'static str) -> Isolate) {
        {
            let mut hooks = HOOKS
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !hooks.iter().any(|(n, _)| *n == name) {
                hooks.push((name, builder));
            }
        }
        let Some(marker) = std::env::var_os(MARKER) else {
            return;
        };
        let marker = marker.to_string_lossy().into_owned();
        let Some(marker) = Marker::parse(&marker) else {
            // Not made by `run`: whoever set it cannot choose what this program runs.
            std::env::remove_var(MARKER);
            return;
        };
        if marker.name != name {
            return;
        }
        std::env::remove_var(MARKER);
        if !marker.is_authentic() {
            // Set by someone else than `run` (which hands the token over only in the memory
            // file): the program runs its `main`, and nothing it inherited was touched.
            return;
        }
        // Ours: close it (a sealed memory file, checked above).
        drop(sys::take_inherited_fd(marker.token_fd));
        let keep = marker.keep;
        let Ok(result) = sys::take_inherited_fd(marker.result_fd) else {
            eprintln!("extrasafe: isolate: the result channel was not inherited");
            sys::exit_now(1);
        };
        let mut result = std::fs::File::from(result);
        let isolate = builder(name);
        let mut config = isolate.config.clone();
        // The variables the caller passed (the program was started with only them), then
        // the configuration's.
        let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
        env.append(&mut config.env);
        config.env = env;
        config.keep_fds.extend(&keep);

        let fail = |result: &mut std::fs::File, e: &IsolateError| -> ! {
            use std::io::Write;
            let _ = result.write_all(&encode_setup_error(e));
            sys::exit_now(1)
        };
        match setup::enter(&config, &config.keep_fds) {
            Err(e) => fail(&mut result, &e),
            Ok(Role::Child {
                mut slot, setup, ..
            }) => {
                // close_range closed it (or the process ends below): never close it again.
                std::mem::forget(result);
                if let Err(e) = setup {
                    let (step, reason) = match e {
                        IsolateError::Setup { step, reason } => (step, reason),
                        other => ("enter the isolate".to_string(), other.to_string()),
                    };
                    slot.put(&Report::SetupFailed(step, reason));
                    sys::exit_now(1);
                }
                let func = isolate.func;
                let outcome = std::panic::catch_unwind(move || match func {
                    IsolatedFn::Unit(f) => {
                        f();
                        Vec::new()
                    }
                    IsolatedFn::Bytes(f) => f(),
                });
                match outcome {
                    Ok(bytes) => {
                        slot.put(&Report::Returned(bytes));
                        std::process::exit(0)
                    }
                    Err(panic) => {
                        let message = panic
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "a panic with a non-string payload".into());
                        slot.put(&Report::Panicked(message));
                        std::process::exit(101)
                    }
                }
            }
            Ok(Role::Supervisor {
                pid,
                slot,
                end,
                _alive,
            }) => {
                use std::io::Write;
                let end = match setup::supervise(pid, &end) {
                    Ok(end) => end,
                    Err(e) => {
                        let _ = sys::kill(pid, libc::SIGKILL);
                        fail(
                            &mut result,
                            &IsolateError::Setup {
                                step: "supervise the isolated process".into(),
                                reason: e.to_string(),
                            },
                        )
                    }
                };
                let (tag, code) = match end {
                    ChildEnd::Exited(c) => (b'E', c),
                    ChildEnd::Signaled(s) => (b'S', s),
                };
                let mut msg = vec![tag];
                msg.extend_from_slice(&code.to_le_bytes());
                msg.extend_from_slice(&slot.raw());
                let _ = result.write_all(&msg);
                drop(result);
                setup::exit_like(end)
            }
        }
    }

    /// Runs the isolate `name` (0.5.1's API): re-executes this program with only `envs` as
    /// its environment, captures its output, and returns it with the process's exit status
    /// (a panic shows as exit code 101; [`run_with`](Isolate::run_with) tells it apart).
    ///
    /// # Errors
    /// As [`run_with`](Isolate::run_with).
    pub fn run(name: &str, envs: &HashMap<String, String>) -> Result<Output, IsolateError> {
        let mut options = RunOptions::new();
        for (k, v) in envs {
            options = options.env(k, v);
        }
        let (output, _) = run_inner(name, &options)?;
        Ok(output)
    }

    /// Runs the isolate `name` and reports how its function ended, its output, and the
    /// bytes it returned. Blocks until the isolated process ends; may be called from any
    /// thread of a running program.
    ///
    /// # Errors
    /// [`IsolateError::NoMainHook`] if `main_hook` did not run for `name`;
    /// [`IsolateError::InvalidBindDestination`] or [`IsolateError::BindmountConfig`] for a
    /// bad configuration (found by the re-executed program before it changes anything; the
    /// function does not run); [`IsolateError::UserNamespacesUnavailable`];
    /// [`IsolateError::Setup`] if a setup step failed in the isolated process (the function
    /// did not run); [`IsolateError::Command`] or [`IsolateError::MemFd`] if the program
    /// could not be started.
    pub fn run_with(name: &str, options: &RunOptions<'_>) -> Result<IsolateOutput, IsolateError> {
        run_inner(name, options).map(|(_, output)| output)
    }
}

/// How the re-executed program reports that it could not enter the isolate, on the result
/// channel: a tag, then the error's fields. The configuration errors keep their variant.
fn encode_setup_error(e: &IsolateError) -> Vec<u8> {
    let mut msg = Vec::new();
    match e {
        IsolateError::InvalidBindDestination {
            destination,
            reason,
        } => {
            let index = setup::BIND_REASONS
                .iter()
                .position(|r| r == reason)
                .and_then(|i| u8::try_from(i).ok());
            if let Some(index) = index {
                msg.push(b'B');
                msg.push(index);
                msg.extend_from_slice(destination.as_os_str().as_bytes());
                return msg;
            }
        }
        IsolateError::BindmountConfig(e) => {
            msg.push(b'C');
            msg.push(match e.kind() {
                std::io::ErrorKind::NotFound => 1,
                std::io::ErrorKind::PermissionDenied => 2,
                _ => 0,
            });
            msg.extend_from_slice(e.to_string().as_bytes());
            return msg;
        }
        IsolateError::UserNamespacesUnavailable { cause, source } => {
            msg.push(b'U');
            msg.extend_from_slice(&source.raw_os_error().unwrap_or(0).to_le_bytes());
            msg.extend_from_slice(cause.as_bytes());
            return msg;
        }
        _ => {}
    }
    let (step, reason) = match e {
        IsolateError::Setup { step, reason } => (step.clone(), reason.clone()),
        other => ("enter the isolate".to_string(), other.to_string()),
    };
    msg.push(b'F');
    msg.extend_from_slice(format!("{step}\n{reason}").as_bytes());
    msg
}

/// The error [`encode_setup_error`] wrote (`report` starts with its tag).
fn decode_setup_error(report: &[u8]) -> IsolateError {
    let body = &report[1..];
    match report[0] {
        b'B' if !body.is_empty() => {
            if let Some(reason) = setup::BIND_REASONS.get(usize::from(body[0])) {
                return IsolateError::InvalidBindDestination {
                    destination: PathBuf::from(OsStr::from_bytes(&body[1..])),
                    reason,
                };
            }
        }
        b'C' if !body.is_empty() => {
            let kind = match body[0] {
                1 => std::io::ErrorKind::NotFound,
                2 => std::io::ErrorKind::PermissionDenied,
                _ => std::io::ErrorKind::Other,
            };
            let text = String::from_utf8_lossy(&body[1..]).into_owned();
            return IsolateError::BindmountConfig(std::io::Error::new(kind, text));
        }
        b'U' if body.len() >= 4 => {
            let errno = i32::from_le_bytes(body[..4].try_into().expect("four bytes"));
            return IsolateError::UserNamespacesUnavailable {
                cause: String::from_utf8_lossy(&body[4..]).into_owned(),
                source: std::io::Error::from_raw_os_error(errno),
            };
        }
        _ => {}
    }
    let text = String::from_utf8_lossy(body);
    let (step, reason) = text.split_once('\n').unwrap_or((&text, ""));
    IsolateError::Setup {
        step: step.to_string(),
        reason: reason.to_string(),
    }
}

fn run_inner(
    name: &str,
    options: &RunOptions<'_>,
) -> Result<(Output, IsolateOutput), IsolateError> {
    // The builder runs in the re-executed program only, as in 0.5.1: it may read the
    // variables given to this run, which this process does not have. That program checks
    // the configuration before it changes anything and reports a bad one as its error.
    let registered = HOOKS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .any(|(n, _)| *n == name);
    if !registered {
        return Err(IsolateError::NoMainHook {
            name: name.to_string(),
        });
    }

    let (result_r, result_w) = sys::pipe().map_err(IsolateError::MemFd)?;
    // The token that makes the re-executed program believe the marker: in the environment,
    // and in a sealed memory file that only this run passes on.
    let mut token = [0u8; TOKEN_LEN];
    sys::random_bytes(&mut token).map_err(IsolateError::MemFd)?;
    let token_fd =
        sys::sealed_memfd(c"extrasafe-isolate-token", &token).map_err(IsolateError::MemFd)?;
    let exe = std::env::current_exe().map_err(IsolateError::Command)?;
    let keep: Vec<RawFd> = options.fds.iter().map(AsRawFd::as_raw_fd).collect();
    let mut cmd = Command::new(exe);
    cmd.args(std::env::args_os().skip(1))
        .env_clear()
        .envs(options.envs.iter().map(|(k, v)| (k, v)))
        .env(
            MARKER,
            Marker::format(
                result_w.as_raw_fd(),
                token_fd.as_raw_fd(),
                &token,
                &keep,
                name,
            ),
        );
    if options.inherit_output {
        cmd.stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
    } else {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
    }
    let mut keep_fds = keep;
    keep_fds.push(result_w.as_raw_fd());
    keep_fds.push(token_fd.as_raw_fd());
    sys::prepare_isolated_command(
        &mut cmd,
        libc::pid_t::try_from(std::process::id()).unwrap_or(0),
        keep_fds,
    );
    let child = cmd.spawn().map_err(IsolateError::Command)?;
    drop(result_w);
    drop(token_fd);
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::fs::File::from(result_r)
            .read_to_end(&mut buf)
            .map(|_| buf)
    });
    let output = child.wait_with_output().map_err(IsolateError::Command)?;
    let report = reader
        .join()
        .map_err(|_| IsolateError::Command(std::io::Error::other("the result reader panicked")))?
        .map_err(IsolateError::MemFd)?;

    let (end, record) = match report.first() {
        Some(b'F' | b'B' | b'C' | b'U') => return Err(decode_setup_error(&report)),
        Some(tag @ (b'E' | b'S')) if report.len() >= 5 => {
            let code = i32::from_le_bytes(report[1..5].try_into().expect("four bytes"));
            let end = if *tag == b'E' {
                ChildEnd::Exited(code)
            } else {
                ChildEnd::Signaled(code)
            };
            (end, Report::decode(&report[5..]))
        }
        _ => {
            return Err(IsolateError::Setup {
                step: format!("enter isolate `{name}`"),
                reason: format!(
                    "the re-executed program ended ({}) without entering it: does it call \
                     Isolate::main_hook(\"{name}\", ..) at the top of main, before starting \
                     threads?",
                    output.status
                ),
            })
        }
    };
    let mut payload = None;
    let status = match record {
        Some(Report::SetupFailed(step, reason)) => {
            return Err(IsolateError::Setup { step, reason })
        }
        Some(Report::Panicked(message)) => IsolateStatus::Panicked { message },
        Some(Report::Returned(bytes)) => {
            payload = Some(bytes);
            status_of(end)
        }
        None => status_of(end),
    };
    let isolated = IsolateOutput {
        status,
        stdout: output.stdout.clone(),
        stderr: output.stderr.clone(),
        payload,
    };
    Ok((output, isolated))
}

fn status_of(end: ChildEnd) -> IsolateStatus {
    match end {
        ChildEnd::Exited(c) => IsolateStatus::Exited(c),
        ChildEnd::Signaled(s) => IsolateStatus::Signaled(s),
    }
}

#[cfg(test)]
mod tests {
    use super::{Capability, IsolationConfig, Marker, Rlimit, TOKEN_LEN};

    #[test]
    fn a_marker_reads_back_as_written_and_nothing_else_parses() {
        let token: Vec<u8> = (0..16).map(|i| i * 17).collect();
        let text = Marker::format(5, 6, &token, &[7, 9], "name:with:colons");
        let marker = Marker::parse(&text).expect("a marker format wrote");
        assert_eq!(
            marker,
            Marker {
                result_fd: 5,
                token_fd: 6,
                token: token.clone().try_into().expect("16 bytes"),
                keep: vec![7, 9],
                name: "name:with:colons",
            }
        );
        assert_eq!(
            Marker::parse(&Marker::format(3, 4, &token, &[], "x")).map(|m| m.keep),
            Some(Vec::new())
        );
        let zeros = "0".repeat(2 * TOKEN_LEN);
        for forged in [
            "3::hello".to_string(),
            format!("3:4:{}::hello", "0".repeat(2 * TOKEN_LEN - 2)),
            format!("3:4:{}zz::hello", "0".repeat(2 * TOKEN_LEN - 2)),
            format!("3:4:{zeros}:x:hello"),
            format!("3:x:{zeros}::hello"),
            format!("3:4:{zeros}::"),
            String::new(),
        ] {
            if forged.ends_with("::") {
                // The empty name is a name (no isolate has it).
                assert_eq!(Marker::parse(&forged).map(|m| m.name), Some(""));
            } else {
                assert_eq!(Marker::parse(&forged), None, "{forged:?}");
            }
        }
        // A token descriptor that is no sealed memory file (here: none) is not believed.
        assert!(!Marker::parse(&format!("3:1000:{zeros}::hello"))
            .expect("well formed")
            .is_authentic());
    }

    #[test]
    fn kept_capabilities_are_sorted_deduplicated_and_reported() {
        let config = IsolationConfig::new()
            .keep_capability(Capability::SysChroot)
            .keep_capability(Capability::NetAdmin)
            .keep_capability(Capability::SysChroot);
        assert_eq!(
            config.capabilities,
            [Capability::NetAdmin, Capability::SysChroot]
        );
        assert_eq!(config.kept_capabilities(), (1 << 12) | (1 << 18));
        assert_eq!(IsolationConfig::new().kept_capabilities(), 0);

        let report = config
            .new_network(false)
            .rootfs_size_mib(8)
            .bind("/usr", "/usr")
            .bind("/etc", "/etc")
            .bind_writable("/tmp", "/data")
            .rlimit(Rlimit::OpenFiles, 32)
            .rlimit(Rlimit::Processes, 4)
            .report();
        assert_eq!(
            report.namespaces,
            ["user", "pid", "mount", "ipc", "uts", "cgroup"]
        );
        assert_eq!(
            (
                report.rootfs_mib,
                report.read_only_binds,
                report.writable_binds
            ),
            (8, 2, 1)
        );
        assert_eq!(report.capabilities, ["CAP_NET_ADMIN", "CAP_SYS_CHROOT"]);
        assert_eq!(report.rlimits, [("RLIMIT_NOFILE", 32), ("RLIMIT_NPROC", 4)]);
        assert_eq!(
            IsolationConfig::new().report().to_string(),
            "isolation: new user, pid, mount, ipc, uts, cgroup, net namespaces; 64 MiB tmpfs \
             root; 0 binds (0 writable); capabilities: none"
        );
    }
}
