//! [`IsolationConfig`]: what isolating a process gives it. Plain data with its builder,
//! below [`SafetyContext`](crate::SafetyContext), which holds one; the rest of
//! [`crate::isolate`] carries it out.

use std::ffi::OsString;
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};

use super::capability::Capability;

/// One bind mount of an [`IsolationConfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BindMount {
    pub(crate) source: PathBuf,
    pub(crate) destination: PathBuf,
    pub(crate) writable: bool,
}

/// A resource limit the isolated process gets ([`IsolationConfig::rlimit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rlimit {
    /// Processes (and threads) of the isolated user (`RLIMIT_NPROC`).
    Processes,
    /// Open file descriptors (`RLIMIT_NOFILE`).
    OpenFiles,
    /// Virtual memory, in bytes (`RLIMIT_AS`).
    AddressSpace,
    /// CPU time, in seconds (`RLIMIT_CPU`).
    CpuSeconds,
    /// The size of a file it writes, in bytes (`RLIMIT_FSIZE`).
    FileSize,
}

/// How to isolate a process: what its new root holds, who it is, what it keeps.
///
/// The defaults: a 64 MiB root, a new network namespace, hostname `extrasafe`, user and
/// group 0 inside, no bind mounts, no environment, no descriptors beyond 0–2, no limits,
/// no capabilities.
///
/// ```
/// use extrasafe::isolate::{Capability, IsolationConfig, Rlimit};
/// let config = IsolationConfig::new()
///     .bind("/usr", "/usr")                    // read-only
///     .bind_writable("/var/lib/app", "/data")  // read-write
///     .rootfs_size_mib(16)
///     .hostname("sandbox")
///     .env("LANG", "C.UTF-8")
///     .rlimit(Rlimit::Processes, 64)
///     .keep_capability(Capability::NetAdmin); // configure its own network namespace
/// # drop(config);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct IsolationConfig {
    pub(crate) binds: Vec<BindMount>,
    pub(crate) rootfs_mib: u32,
    pub(crate) new_network: bool,
    pub(crate) hostname: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) host_ids: Option<(u32, u32)>,
    pub(crate) env: Vec<(OsString, OsString)>,
    pub(crate) keep_fds: Vec<RawFd>,
    pub(crate) rlimits: Vec<(Rlimit, u64)>,
    /// Kept capabilities, in number order, without repetition.
    pub(crate) capabilities: Vec<Capability>,
}

impl Default for IsolationConfig {
    fn default() -> Self {
        IsolationConfig::new()
    }
}

impl IsolationConfig {
    /// The defaults (see the type's documentation).
    pub fn new() -> IsolationConfig {
        IsolationConfig {
            binds: Vec::new(),
            rootfs_mib: 64,
            new_network: true,
            hostname: "extrasafe".into(),
            uid: 0,
            gid: 0,
            host_ids: None,
            env: Vec::new(),
            keep_fds: Vec::new(),
            rlimits: Vec::new(),
            capabilities: Vec::new(),
        }
    }

    fn add_bind(mut self, source: &Path, destination: &Path, writable: bool) -> Self {
        self.binds.push(BindMount {
            source: source.to_path_buf(),
            destination: destination.to_path_buf(),
            writable,
        });
        self
    }

    /// Makes the host's `source` (a file or a directory, with what is mounted below it)
    /// visible at `destination` in the new root, read-only and `nodev`: no device node in it
    /// opens, but unix sockets and fifos in it are still reachable (see
    /// [What read-only means](crate::isolate#what-read-only-means)).
    ///
    /// `destination` is absolute, as seen inside; it must not contain `..` or `.`, be `/`,
    /// or lie under `/proc`, and no component of it may be a symbolic link (which the new
    /// root holds only if an earlier bind mount brought one). Such destinations are
    /// rejected before anything is mounted (a symbolic link: before this bind is mounted).
    pub fn bind(self, source: impl AsRef<Path>, destination: impl AsRef<Path>) -> Self {
        self.add_bind(source.as_ref(), destination.as_ref(), false)
    }

    /// As [`bind`](IsolationConfig::bind), read-write, with the host's mount flags: device
    /// nodes in it open as the host's permissions allow (the way to pass a device on).
    pub fn bind_writable(self, source: impl AsRef<Path>, destination: impl AsRef<Path>) -> Self {
        self.add_bind(source.as_ref(), destination.as_ref(), true)
    }

    /// The size limit of the new root (a tmpfs, also holding `/tmp`), in MiB; writing beyond
    /// it fails with `ENOSPC`.
    pub fn rootfs_size_mib(mut self, mib: u32) -> Self {
        self.rootfs_mib = mib.max(1);
        self
    }

    /// Whether the isolated process gets a network namespace of its own, with only a
    /// loopback interface (default: yes). With `false` it shares the caller's network.
    pub fn new_network(mut self, new_network: bool) -> Self {
        self.new_network = new_network;
        self
    }

    /// The hostname inside (at most 64 bytes).
    pub fn hostname(mut self, hostname: &str) -> Self {
        self.hostname = hostname.to_string();
        self
    }

    /// The user and group ids the isolated process has inside (default 0 and 0: root of its
    /// namespace, without capabilities). They map to the caller's own ids on the host.
    pub fn user(mut self, uid: u32, gid: u32) -> Self {
        self.uid = uid;
        self.gid = gid;
        self
    }

    /// Only for a caller that is root on the host: the isolated process (and, for
    /// `isolate_process`, its supervisor) runs as this host user and group, without
    /// supplementary groups, instead of as root. Its files are then owned by that user, and
    /// limits per user ([`Rlimit::Processes`]) hold, which they do not for host root.
    pub fn host_user(mut self, uid: u32, gid: u32) -> Self {
        self.host_ids = Some((uid, gid));
        self
    }

    /// Adds an environment variable; the isolated process gets only these.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Keeps descriptor `fd` open in the isolated process (0, 1 and 2 always are; every
    /// other one is closed before the isolated code runs).
    pub fn keep_fd(mut self, fd: RawFd) -> Self {
        self.keep_fds.push(fd);
        self
    }

    /// Sets a resource limit (soft and hard) of the isolated process.
    pub fn rlimit(mut self, resource: Rlimit, value: u64) -> Self {
        self.rlimits.retain(|(r, _)| *r != resource);
        self.rlimits.push((resource, value));
        self
    }

    /// Keeps `cap` in the isolated process (not in its supervisor): it stays in the
    /// bounding, permitted and effective sets, while all other capabilities are dropped.
    /// The inheritable and ambient sets stay empty, so a kept capability does **not
    /// survive `execve`**. It is a capability of the process's own user namespace, acting
    /// only on what that namespace owns; see the
    /// [module documentation](crate::isolate#keeping-capabilities) before keeping one.
    ///
    /// If the running kernel does not know `cap`, the isolated process's setup fails (and
    /// its code does not run).
    pub fn keep_capability(mut self, cap: Capability) -> Self {
        if let Err(at) = self.capabilities.binary_search(&cap) {
            self.capabilities.insert(at, cap);
        }
        self
    }

    /// The capability set the isolated process keeps, as a bit mask.
    pub(crate) fn kept_capabilities(&self) -> u64 {
        self.capabilities.iter().fold(0, |mask, c| mask | c.bit())
    }

    /// What isolating with this configuration enforces (once the setup succeeded).
    pub(crate) fn report(&self) -> crate::IsolationReport {
        let mut namespaces = vec!["user", "pid", "mount", "ipc", "uts", "cgroup"];
        if self.new_network {
            namespaces.push("net");
        }
        let writable = self.binds.iter().filter(|b| b.writable).count();
        crate::IsolationReport {
            namespaces,
            rootfs_mib: self.rootfs_mib,
            read_only_binds: self.binds.len() - writable,
            writable_binds: writable,
            capabilities: self.capabilities.iter().map(|c| c.name()).collect(),
            supplementary_groups: Vec::new(),
            rlimits: self
                .rlimits
                .iter()
                .map(|&(r, v)| (r.resource_name(), v))
                .collect(),
        }
    }
}
