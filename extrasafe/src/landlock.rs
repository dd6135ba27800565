//! Landlock: which files, directories and TCP ports a sandboxed program may use, and whether
//! it may reach outside its sandbox with signals and abstract unix sockets.
//!
//! Seccomp decides which syscalls a program may make; Landlock decides *on what*. A RuleSet
//! grants Landlock rights with [`RuleSet::landlock_rules`] (paths),
//! [`RuleSet::landlock_ports`] (TCP ports) and [`RuleSet::landlock_scopes`]; [`Landlock`] is a RuleSet
//! made of nothing else, and [`SystemIO`](crate::builtins::SystemIO)'s path methods add rules
//! too.
//!
//! # What is restricted
//!
//! As soon as a context has one path rule, *every* filesystem right of Landlock ABI 1 to 5 is
//! restricted: what no rule grants is denied everywhere. Port rules restrict TCP bind or
//! connect (whichever the rules use) to the listed ports. Scopes deny signals and abstract unix
//! socket connections to processes outside the sandbox.
//!
//! Port rules cover TCP only, and there are two ways around them. `listen` on a socket that
//! was never bound gets an ephemeral port whatever the bind rules say (up to at least Linux
//! 6.18, ABI 7). TCP Fast Open (`sendto`/`sendmsg` with `MSG_FASTOPEN` on a fresh socket)
//! connects without `connect`: kernels whose Landlock does not check it
//! (landlock-lsm/linux#41) let it past the connect rules, and the ABI number does not tell
//! them apart from kernels that check it (6.18 here answers `EACCES`). extrasafe closes the
//! second in its seccomp filter: where a context restricts connect ports, `sendto`,
//! `sendmsg` and `sendmmsg` are allowed only without `MSG_FASTOPEN`, however a RuleSet
//! allows them (`explain()` shows it), and
//! [`SafetyContext::landlock_only`](crate::SafetyContext::landlock_only), which loads no
//! filter, refuses connect rules. The first remains: a context with bind rules that also
//! allows `listen` can listen on an ephemeral port.
//!
//! | ABI | Linux | rights |
//! |---|---|---|
//! | 1 | 5.13 | execute, read file, read dir, write file, remove file/dir, make reg/dir/sym/sock/fifo/char/block |
//! | 2 | 5.19 | refer (rename and link across directories) |
//! | 3 | 6.2 | truncate |
//! | 4 | 6.7 | TCP bind and connect ports |
//! | 5 | 6.10 | ioctl on devices |
//! | 6 | 6.12 | scopes: abstract unix sockets, signals |
//! | 8 | 7.0 | restricting all threads at once |
//!
//! # Failing closed
//!
//! By default, applying a context fails with [`ExtraSafeError::LandlockUnsupported`] if the
//! running kernel cannot enforce one of the rights the context restricts, naming the right and
//! the kernel's ABI: nothing is applied.
//! [`SafetyContext::landlock_best_effort`](crate::SafetyContext::landlock_best_effort) accepts
//! less; the
//! [`EnforcementReport`](crate::EnforcementReport) then says what was and was not enforced.
//!
//! A path that does not exist or cannot be opened is an error naming the path and the RuleSet
//! ([`ExtraSafeError::LandlockPath`]);
//! [`SafetyContext::skip_missing_paths`](crate::SafetyContext::skip_missing_paths) skips missing paths and reports them.
//!
//! # The seccomp side
//!
//! Landlock rights imply the syscalls that use them: any path rule implies `close` and the
//! `stat` family (`fstat`, `newfstatat`, `statx`, and `stat`/`lstat` on x86_64) — Landlock does
//! not restrict metadata, so the program can learn whether any path exists, its size, owner
//! and times; `ReadFile` implies `openat` without write flags, `read` and `lseek`; `WriteFile`
//! implies `openat` with write flags and the write family; `BindTcp` implies creating TCP
//! sockets, `bind` and `listen`; `ConnectTcp` implies `connect`; and so on (see
//! [`SafetyContext::explain`](crate::SafetyContext::explain)). The implied `bind`, `connect`
//! and `setsockopt` are unconditional: Landlock checks TCP ports only, so on a unix socket
//! the program already holds they reach any path (before ABI 9, which adds `resolve_unix`).
//! Implied conditions (the open flags, say) are OR-ed with the conditions of your RuleSets, so
//! `allow_open_readonly` and a write grant combine; your unconditional rules cover implied
//! ones. An implied *unconditional* syscall where one of your RuleSets has conditions (a write
//! grant needs `write` on any descriptor; `allow_stdout` allows it on fd 1 only) is a
//! [`ConditionalNoEffectError`](ExtraSafeError::ConditionalNoEffectError) naming your RuleSet,
//! raised when the context is compiled: the conditions would have no effect. `ioctl` is never
//! implied (`IoctlDev` needs [`SystemIO::allow_ioctl`](crate::builtins::SystemIO::allow_ioctl)
//! or a RuleSet of yours).
//!
//! Under best effort, the syscalls implied by a right the kernel cannot enforce stay allowed
//! (the right is listed in the report's `not_enforced`): with the port rights dropped, say,
//! `bind` and `connect` reach any port.

use std::collections::BTreeMap;
use std::path::Path;

pub use landlock::{
    make_bitflags, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, PathBeneath,
    PathFd, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope, ABI,
};
use landlock::{NetPort, RestrictSelfAttr, RulesetStatus};

use crate::builtins::{allow_sockets, push_rule, Conditional};
use crate::error::{ExtraSafeError, LandlockFailure};
use crate::report::{LandlockReport, LandlockStatus};
pub use crate::rights::{access, LandlockRule, PortRule};
use crate::rules::{RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::syscalls::Sysno;
use crate::{sys, Comparator};

/// The landlock crate's error type, as 0.5.1 re-exported it.
pub type LandlockError = landlock::RulesetError;

/// A RuleSet of Landlock rights only: paths, TCP ports and scopes.
///
/// ```
/// use extrasafe::{access, Landlock, SafetyContext};
/// let dir = std::env::temp_dir().join(format!("extrasafe-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("data"), "hello")?;
///
/// let report = SafetyContext::new()
///     .enable(Landlock::new().allow_path(&dir, access::read_path()).no_signals_out())?
///     .enforce_on_current_thread()?;
/// assert!(report.landlock.is_some());
/// assert_eq!(std::fs::read_to_string(dir.join("data"))?, "hello"); // beneath the rule
/// assert!(std::fs::read_to_string("/etc/passwd").is_err());        // elsewhere: denied
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Landlock {
    name: &'static str,
    paths: Vec<LandlockRule>,
    ports: Vec<PortRule>,
    scopes: BitFlags<Scope>,
}

impl Default for Landlock {
    fn default() -> Self {
        Landlock::new()
    }
}

impl Landlock {
    /// No rights yet; named `Landlock` in errors and explanations.
    pub fn new() -> Landlock {
        Landlock::named("Landlock")
    }

    /// No rights yet, with the name used in errors and explanations.
    pub fn named(name: &'static str) -> Landlock {
        Landlock {
            name,
            paths: Vec::new(),
            ports: Vec::new(),
            scopes: BitFlags::empty(),
        }
    }

    /// Grants `rights` beneath `path`. On a file, rights that only make sense on directories
    /// (listing, creating, removing entries) are left out.
    pub fn allow_path<P: AsRef<Path>>(mut self, path: P, rights: BitFlags<AccessFs>) -> Landlock {
        self.paths.push(LandlockRule::new(path, rights));
        self
    }

    /// Reading files and listing directories beneath `path`.
    pub fn read_only<P: AsRef<Path>>(self, path: P) -> Landlock {
        self.allow_path(path, access::read_path())
    }

    /// Everything on files and directories beneath `path` except executing, device ioctls
    /// and making devices: read, write, truncate, create and remove files, directories,
    /// symlinks, sockets and fifos, and rename or link across directories.
    pub fn read_write<P: AsRef<Path>>(self, path: P) -> Landlock {
        let rights = AccessFs::ReadFile
            | AccessFs::ReadDir
            | AccessFs::WriteFile
            | AccessFs::Truncate
            | AccessFs::MakeReg
            | AccessFs::MakeDir
            | AccessFs::MakeSym
            | AccessFs::MakeSock
            | AccessFs::MakeFifo
            | AccessFs::RemoveFile
            | AccessFs::RemoveDir
            | AccessFs::Refer;
        self.allow_path(path, rights)
    }

    /// Executing (and reading) the files beneath `path`.
    pub fn execute<P: AsRef<Path>>(self, path: P) -> Landlock {
        self.allow_path(path, AccessFs::Execute | AccessFs::ReadFile)
    }

    /// Binding TCP port `port` (and no other: the context then restricts TCP bind).
    pub fn bind_tcp(mut self, port: u16) -> Landlock {
        self.ports
            .push(PortRule::new(port, AccessNet::BindTcp.into()));
        self
    }

    /// Connecting to these TCP ports (and no others: the context then restricts TCP connect).
    pub fn connect_tcp<I: IntoIterator<Item = u16>>(mut self, ports: I) -> Landlock {
        self.ports.extend(
            ports
                .into_iter()
                .map(|p| PortRule::new(p, AccessNet::ConnectTcp.into())),
        );
        self
    }

    /// No signals to processes outside the sandbox (Landlock ABI 6).
    pub fn no_signals_out(mut self) -> Landlock {
        self.scopes |= Scope::Signal;
        self
    }

    /// No connections to abstract unix sockets created outside the sandbox (Landlock ABI 6).
    pub fn no_abstract_unix_out(mut self) -> Landlock {
        self.scopes |= Scope::AbstractUnixSocket;
        self
    }
}

impl RuleSet for Landlock {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn landlock_rules(&self) -> Vec<LandlockRule> {
        self.paths.clone()
    }

    fn landlock_ports(&self) -> Vec<PortRule> {
        self.ports.clone()
    }

    fn landlock_scopes(&self) -> BitFlags<Scope> {
        self.scopes
    }
}

/// What to do when the kernel cannot enforce a right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// Fail, apply nothing.
    #[default]
    FailClosed,
    /// Enforce what the kernel can, report the rest.
    BestEffort,
}

/// The Landlock part of a context.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub(crate) paths: Vec<(LandlockRule, &'static str)>,
    pub(crate) ports: Vec<(PortRule, &'static str)>,
    pub(crate) scopes: BitFlags<Scope>,
    pub(crate) scope_rulesets: Vec<&'static str>,
    pub(crate) mode: Mode,
    pub(crate) skip_missing: bool,
}

impl Plan {
    /// Adds what `policy` grants.
    pub(crate) fn add<R: RuleSet>(&mut self, policy: &R) {
        let name = policy.name();
        for rule in policy.landlock_rules() {
            if !self.paths.iter().any(|(r, n)| *r == rule && *n == name) {
                self.paths.push((rule, name));
            }
        }
        for port in policy.landlock_ports() {
            if !self.ports.iter().any(|(p, n)| *p == port && *n == name) {
                self.ports.push((port, name));
            }
        }
        let scopes = policy.landlock_scopes();
        if !scopes.is_empty() {
            self.scopes |= scopes;
            if !self.scope_rulesets.contains(&name) {
                self.scope_rulesets.push(name);
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.ports.is_empty() && self.scopes.is_empty()
    }

    fn fs_used(&self) -> BitFlags<AccessFs> {
        self.paths
            .iter()
            .fold(BitFlags::empty(), |acc, (r, _)| acc | r.access_rules)
    }

    /// Whether the context restricts TCP connect to listed ports.
    pub(crate) fn restricts_connect(&self) -> bool {
        self.net_used().contains(AccessNet::ConnectTcp)
    }

    fn net_used(&self) -> BitFlags<AccessNet> {
        self.ports
            .iter()
            .fold(BitFlags::empty(), |acc, (p, _)| acc | p.access)
    }

    /// The filesystem rights the context restricts: all rights of ABI 1 to 5 once there is a
    /// path rule, plus any newer right a rule grants.
    fn fs_handled(&self) -> BitFlags<AccessFs> {
        if self.paths.is_empty() {
            BitFlags::empty()
        } else {
            AccessFs::from_all(ABI::V5) | self.fs_used()
        }
    }

    /// Human-readable lines for [`Explanation`](crate::Explanation).
    pub(crate) fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (rule, by) in &self.paths {
            out.push(format!(
                "{}: {} ({by})",
                rule.path.display(),
                rights_list(rule.access_rules)
            ));
        }
        for (port, by) in &self.ports {
            out.push(format!(
                "tcp port {}: {} ({by})",
                port.port,
                net_list(port.access)
            ));
        }
        if !self.scopes.is_empty() {
            out.push(format!(
                "scoped: {} ({})",
                scope_list(self.scopes),
                self.scope_rulesets.join(", ")
            ));
        }
        out
    }

    /// The seccomp rules the granted rights need (see the module docs).
    pub(crate) fn implied(&self) -> Implied {
        let fs = self.fs_used();
        let net = self.net_used();
        let mut simple: Vec<Sysno> = Vec::new();
        let mut cond = Conditional::new();
        if !fs.is_empty() {
            simple.extend([
                Sysno::close,
                Sysno::fstat,
                Sysno::newfstatat,
                Sysno::statx,
                #[cfg(target_arch = "x86_64")]
                Sysno::stat,
                #[cfg(target_arch = "x86_64")]
                Sysno::lstat,
            ]);
            // open: the flags some granted right can use (Landlock then checks the right
            // on the file). `O_CREAT` on an existing file creates nothing, and `O_TRUNC` does
            // not truncate a file the open creates: `File::create` (both flags) needs
            // `WriteFile | Truncate` on an existing file and `MakeReg | WriteFile` on a new one.
            let mut forbidden = crate::builtins::systemio::OPEN_MODIFYING_FLAGS;
            if fs.contains(AccessFs::WriteFile) {
                forbidden &= !libc::O_ACCMODE.unsigned_abs();
            }
            if fs.intersects(AccessFs::MakeReg | AccessFs::WriteFile) {
                forbidden &= !libc::O_CREAT.unsigned_abs();
            }
            if fs.contains(AccessFs::MakeReg | AccessFs::WriteFile) {
                forbidden &= !crate::builtins::systemio::O_TMPFILE_BIT;
            }
            if fs.intersects(AccessFs::MakeReg | AccessFs::Truncate) {
                forbidden &= !libc::O_TRUNC.unsigned_abs();
            }
            let opens = [
                #[cfg(target_arch = "x86_64")]
                (Sysno::open, 1),
                (Sysno::openat, 2),
            ];
            for (sysno, arg) in opens {
                let rule = SeccompRule::new(sysno).and_condition(SeccompArgumentFilter::new32(
                    arg,
                    Comparator::MaskedEq(u64::from(forbidden)),
                    0,
                ));
                push_rule(&mut cond, rule);
            }
        }
        if fs.intersects(AccessFs::ReadFile | AccessFs::Execute) {
            simple.extend([
                Sysno::read,
                Sysno::readv,
                Sysno::pread64,
                Sysno::preadv,
                Sysno::preadv2,
                Sysno::lseek,
            ]);
        }
        if fs.contains(AccessFs::ReadDir) {
            simple.extend([
                Sysno::getdents64,
                #[cfg(target_arch = "x86_64")]
                Sysno::getdents,
            ]);
            // glibc's fdopendir (std::fs::read_dir) checks and sets the descriptor's flags.
            crate::builtins::allow_fdopendir(&mut cond);
        }
        if fs.contains(AccessFs::WriteFile) {
            simple.extend([
                Sysno::write,
                Sysno::writev,
                Sysno::pwrite64,
                Sysno::pwritev,
                Sysno::pwritev2,
                Sysno::fsync,
                Sysno::fdatasync,
                Sysno::lseek,
            ]);
        }
        if fs.contains(AccessFs::Truncate) {
            simple.extend([Sysno::truncate, Sysno::ftruncate]);
        }
        if fs.contains(AccessFs::MakeDir) {
            simple.extend([
                #[cfg(target_arch = "x86_64")]
                Sysno::mkdir,
                Sysno::mkdirat,
            ]);
        }
        if fs.contains(AccessFs::RemoveFile) {
            #[cfg(target_arch = "x86_64")]
            simple.push(Sysno::unlink);
            crate::builtins::allow_values(&mut cond, Sysno::unlinkat, 2, &[0]);
        }
        if fs.contains(AccessFs::RemoveDir) {
            #[cfg(target_arch = "x86_64")]
            simple.push(Sysno::rmdir);
            crate::builtins::allow_values(
                &mut cond,
                Sysno::unlinkat,
                2,
                &[u64::from(libc::AT_REMOVEDIR.unsigned_abs())],
            );
        }
        if fs.contains(AccessFs::MakeSym) {
            simple.extend([
                #[cfg(target_arch = "x86_64")]
                Sysno::symlink,
                Sysno::symlinkat,
            ]);
        }
        // mknod makes fifos and devices; sockets are made by bind, which a port or
        // networking rule allows, so MakeSock alone implies no syscall of its own.
        if fs.intersects(AccessFs::MakeFifo | AccessFs::MakeChar | AccessFs::MakeBlock) {
            simple.extend([
                #[cfg(target_arch = "x86_64")]
                Sysno::mknod,
                Sysno::mknodat,
            ]);
        }
        // Renaming and hard-linking move or duplicate ordinary entries: implied by Refer, or
        // by the right to make regular files or directories (with a remove right for rename),
        // not by the rights for special files (a socket or device right alone implies none).
        let ordinary = AccessFs::MakeReg | AccessFs::MakeDir;
        let removes = AccessFs::RemoveFile | AccessFs::RemoveDir;
        if fs.contains(AccessFs::Refer) || (fs.intersects(ordinary) && fs.intersects(removes)) {
            simple.extend([
                #[cfg(target_arch = "x86_64")]
                Sysno::rename,
                Sysno::renameat,
                Sysno::renameat2,
            ]);
        }
        if fs.contains(AccessFs::Refer) || fs.contains(AccessFs::MakeReg) {
            simple.extend([
                #[cfg(target_arch = "x86_64")]
                Sysno::link,
                Sysno::linkat,
            ]);
        }
        if fs.contains(AccessFs::Execute) {
            simple.extend([Sysno::execve, Sysno::execveat]);
        }
        if !net.is_empty() {
            allow_sockets(
                &mut cond,
                Sysno::socket,
                &[libc::AF_INET, libc::AF_INET6],
                &[libc::SOCK_STREAM],
                &[0, libc::IPPROTO_TCP],
            );
            simple.extend([Sysno::setsockopt, Sysno::getsockname, Sysno::close]);
        }
        if net.contains(AccessNet::BindTcp) {
            simple.extend([Sysno::bind, Sysno::listen]);
        }
        if net.contains(AccessNet::ConnectTcp) {
            simple.push(Sysno::connect);
        }
        simple.sort_unstable();
        simple.dedup();
        Implied {
            simple,
            conditional: cond.into_iter().collect(),
        }
    }
}

/// Seccomp rules implied by Landlock rights.
pub(crate) struct Implied {
    pub(crate) simple: Vec<Sysno>,
    pub(crate) conditional: BTreeMap<Sysno, Vec<SeccompRule>>,
}

/// The lowest Landlock ABI that knows `right`.
fn fs_min_abi(right: AccessFs) -> i32 {
    (1..=10)
        .find(|&n| AccessFs::from_all(ABI::from(n)).contains(right))
        .unwrap_or(i32::MAX)
}

fn net_min_abi(right: AccessNet) -> i32 {
    (1..=10)
        .find(|&n| AccessNet::from_all(ABI::from(n)).contains(right))
        .unwrap_or(i32::MAX)
}

fn scope_min_abi(scope: Scope) -> i32 {
    (1..=10)
        .find(|&n| Scope::from_all(ABI::from(n)).contains(scope))
        .unwrap_or(i32::MAX)
}

/// The name of a filesystem right, as in the kernel's `LANDLOCK_ACCESS_FS_*` (lower case).
pub(crate) fn fs_name(right: AccessFs) -> &'static str {
    match right {
        AccessFs::Execute => "execute",
        AccessFs::WriteFile => "write_file",
        AccessFs::ReadFile => "read_file",
        AccessFs::ReadDir => "read_dir",
        AccessFs::RemoveDir => "remove_dir",
        AccessFs::RemoveFile => "remove_file",
        AccessFs::MakeChar => "make_char",
        AccessFs::MakeDir => "make_dir",
        AccessFs::MakeReg => "make_reg",
        AccessFs::MakeSock => "make_sock",
        AccessFs::MakeFifo => "make_fifo",
        AccessFs::MakeBlock => "make_block",
        AccessFs::MakeSym => "make_sym",
        AccessFs::Refer => "refer",
        AccessFs::Truncate => "truncate",
        AccessFs::IoctlDev => "ioctl_dev",
        AccessFs::ResolveUnix => "resolve_unix",
        _ => "an unknown filesystem right",
    }
}

fn net_name(right: AccessNet) -> &'static str {
    match right {
        AccessNet::BindTcp => "bind_tcp",
        AccessNet::ConnectTcp => "connect_tcp",
        AccessNet::BindUdp => "bind_udp",
        AccessNet::ConnectSendUdp => "connect_send_udp",
        _ => "an unknown network right",
    }
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::AbstractUnixSocket => "abstract_unix_socket",
        Scope::Signal => "signal",
        _ => "an unknown scope",
    }
}

fn rights_list(rights: BitFlags<AccessFs>) -> String {
    rights.iter().map(fs_name).collect::<Vec<_>>().join(", ")
}

fn net_list(rights: BitFlags<AccessNet>) -> String {
    rights.iter().map(net_name).collect::<Vec<_>>().join(", ")
}

fn scope_list(scopes: BitFlags<Scope>) -> String {
    scopes.iter().map(scope_name).collect::<Vec<_>>().join(", ")
}

fn failure(step: &'static str) -> impl Fn(landlock::RulesetError) -> ExtraSafeError {
    move |e| ExtraSafeError::LandlockError(LandlockFailure::new(step, e))
}

/// How many threads the process has.
fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(usize::MAX, Iterator::count)
}

/// The highest Landlock ABI extrasafe may use in this process (see [`__cap_landlock_abi`]).
static ABI_CAP: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(i32::MAX);

/// Makes extrasafe treat the running kernel as if its Landlock ABI were at most `max`, for
/// testing how a policy behaves on older kernels. It can only lower what extrasafe uses,
/// never raise it. Not part of the API.
#[doc(hidden)]
pub fn __cap_landlock_abi(max: i32) {
    ABI_CAP.fetch_min(max, std::sync::atomic::Ordering::SeqCst);
}

/// Applies the plan to the calling thread (or to all threads), before seccomp.
pub(crate) fn enforce(plan: &Plan, all_threads: bool) -> Result<LandlockReport, ExtraSafeError> {
    let kernel_abi = sys::landlock_abi().min(ABI_CAP.load(std::sync::atomic::Ordering::SeqCst));
    let mut not_enforced: Vec<&'static str> = Vec::new();
    let mut fs = plan.fs_handled();
    let mut net = plan.net_used();
    let mut scopes = plan.scopes;

    // Every right the context restricts must be enforceable, or (best effort) is dropped
    // and reported.
    let mut unsupported: Vec<(&'static str, i32)> = Vec::new();
    for right in fs.iter() {
        if fs_min_abi(right) > kernel_abi {
            unsupported.push((fs_name(right), fs_min_abi(right)));
            fs.remove(right);
        }
    }
    for right in net.iter() {
        if net_min_abi(right) > kernel_abi {
            unsupported.push((net_name(right), net_min_abi(right)));
            net.remove(right);
        }
    }
    for scope in scopes.iter() {
        if scope_min_abi(scope) > kernel_abi {
            unsupported.push((scope_name(scope), scope_min_abi(scope)));
            scopes.remove(scope);
        }
    }
    if let Some(&(right, needs_abi)) = unsupported.first() {
        if plan.mode == Mode::FailClosed {
            return Err(ExtraSafeError::LandlockUnsupported {
                right,
                needs_abi,
                kernel_abi,
            });
        }
        not_enforced.extend(unsupported.iter().map(|(r, _)| *r));
    }

    let threads_ok = all_threads && kernel_abi >= 8;
    if all_threads && !threads_ok && thread_count() > 1 {
        return Err(ExtraSafeError::LandlockNoThreadSync);
    }

    let mut report = LandlockReport {
        status: LandlockStatus::NotEnforced,
        kernel_abi,
        paths: 0,
        ports: 0,
        scopes: scopes.iter().map(scope_name).collect(),
        not_enforced,
        skipped_paths: Vec::new(),
    };
    if fs.is_empty() && net.is_empty() && scopes.is_empty() {
        // Nothing the kernel can enforce (best effort only: fail-closed returned above).
        report.scopes.clear();
        return Ok(report);
    }

    let mut ruleset = Ruleset::default().set_compatibility(CompatLevel::HardRequirement);
    if !fs.is_empty() {
        ruleset = ruleset
            .handle_access(fs)
            .map_err(failure("handle the filesystem rights"))?;
    }
    if !net.is_empty() {
        ruleset = ruleset
            .handle_access(net)
            .map_err(failure("handle the network rights"))?;
    }
    if !scopes.is_empty() {
        ruleset = ruleset.scope(scopes).map_err(failure("set the scopes"))?;
    }
    let mut created = ruleset.create().map_err(failure("create the ruleset"))?;

    let file_rights = AccessFs::from_file(ABI::from(kernel_abi));
    for (rule, ruleset_name) in &plan.paths {
        let path_error = |source: std::io::Error| ExtraSafeError::LandlockPath {
            path: rule.path.clone(),
            ruleset: ruleset_name,
            source,
        };
        let meta = match std::fs::metadata(&rule.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && plan.skip_missing => {
                report.skipped_paths.push(rule.path.clone());
                continue;
            }
            Err(e) => return Err(path_error(e)),
        };
        let mut rights = rule.access_rules & fs;
        if !meta.is_dir() {
            rights &= file_rights;
        }
        if rights.is_empty() {
            continue;
        }
        let fd = PathFd::new(&rule.path)
            .map_err(|e| path_error(std::io::Error::other(e.to_string())))?;
        created = created
            .add_rule(PathBeneath::new(fd, rights))
            .map_err(failure("add a path rule"))?;
        report.paths += 1;
    }
    for (port, _) in &plan.ports {
        let rights = port.access & net;
        if rights.is_empty() {
            continue;
        }
        created = created
            .add_rule(NetPort::new(port.port, rights))
            .map_err(failure("add a port rule"))?;
        report.ports += 1;
    }
    if threads_ok {
        created = created
            .all_threads(true)
            .map_err(failure("restrict all threads"))?;
    }
    let status = created
        .restrict_self()
        .map_err(failure("enforce the ruleset (landlock_restrict_self)"))?;
    report.status = match status.ruleset {
        _ if plan.mode == Mode::FailClosed && status.ruleset != RulesetStatus::FullyEnforced => {
            return Err(ExtraSafeError::LandlockError(LandlockFailure::new(
                "enforce every right (the kernel enforced less than asked)",
                std::io::Error::other(format!("{:?}", status.ruleset)),
            )));
        }
        RulesetStatus::FullyEnforced if report.not_enforced.is_empty() => {
            LandlockStatus::FullyEnforced
        }
        RulesetStatus::FullyEnforced | RulesetStatus::PartiallyEnforced => {
            LandlockStatus::PartiallyEnforced
        }
        RulesetStatus::NotEnforced => LandlockStatus::NotEnforced,
    };
    Ok(report)
}
