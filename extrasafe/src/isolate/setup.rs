//! Entering the namespaces, building the new root, and supervising: the machinery shared by
//! [`Isolate`](super::Isolate) and `SafetyContext::isolate_process`.

use std::ffi::{CString, OsStr};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use super::config::{IsolationConfig, Rlimit};
use super::init::{self, EndCell};
use super::result::{ResultSlot, RESULT_CAPACITY};
use super::sys::{self, ChildEnd, Fork, SharedMemory};
use crate::error::IsolateError;

/// A failed step of the setup.
#[derive(Debug)]
pub(crate) struct StepError {
    pub(crate) step: String,
    pub(crate) source: io::Error,
}

impl StepError {
    fn into_isolate_error(self) -> IsolateError {
        IsolateError::Setup {
            step: self.step,
            reason: self.source.to_string(),
        }
    }
}

impl From<io::Error> for StepError {
    fn from(source: io::Error) -> Self {
        StepError {
            step: "build a path".into(),
            source,
        }
    }
}

trait Step<T> {
    fn step(self, step: impl Into<String>) -> Result<T, StepError>;
}

impl<T> Step<T> for io::Result<T> {
    fn step(self, step: impl Into<String>) -> Result<T, StepError> {
        self.map_err(|source| StepError {
            step: step.into(),
            source,
        })
    }
}

/// Fails unless the process has one thread.
pub(crate) fn ensure_single_threaded() -> Result<(), IsolateError> {
    let threads = sys::thread_count().map_err(IsolateError::Command)?;
    if threads == 1 {
        Ok(())
    } else {
        Err(IsolateError::NotSingleThreaded { threads })
    }
}

/// Explains why the kernel refused a user namespace (or the capabilities in it).
pub(crate) fn userns_unavailable(source: io::Error) -> IsolateError {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    let cause = if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        "the sysctl user.max_user_namespaces is 0: raise it (sysctl -w \
         user.max_user_namespaces=15000)"
            .to_string()
    } else if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        "the sysctl kernel.unprivileged_userns_clone is 0 (Debian): set it to 1 (sysctl -w \
         kernel.unprivileged_userns_clone=1)"
            .to_string()
    } else if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1")
    {
        "AppArmor restricts unprivileged user namespaces \
         (kernel.apparmor_restrict_unprivileged_userns=1, Ubuntu 23.10+): give the program an \
         AppArmor profile that allows `userns,`, or set the sysctl to 0"
            .to_string()
    } else if source.raw_os_error() == Some(libc::EINVAL) {
        "the process has several threads, or is in a chroot: isolate at the top of main".to_string()
    } else if source.raw_os_error() == Some(libc::EPERM) {
        "a seccomp filter, a container runtime or a security module forbids it: allow \
         unshare(CLONE_NEWUSER) (in Docker: --security-opt seccomp=unconfined, or run on the \
         host)"
            .to_string()
    } else {
        "check that the kernel has CONFIG_USER_NS and that the user namespace limits are not \
         reached"
            .to_string()
    };
    IsolateError::UserNamespacesUnavailable { cause, source }
}

/// Why a bind destination is rejected ([`IsolateError::InvalidBindDestination`]'s
/// `reason`); the re-executed program reports one by its index.
pub(crate) const BIND_REASONS: [&str; 5] = [
    "is not absolute: write it as seen inside the isolate, from /",
    "contains `..`, which could lead out of the new root",
    "contains `.`: give a plain path",
    "is the new root itself: bind below it",
    "is under /proc, which belongs to the new PID namespace",
];

/// Checks the configuration as far as can be done before anything is changed: bind
/// destinations (absolute, no `..`, not `/`, not under `/proc`), and bind sources exist.
pub(crate) fn validate(config: &IsolationConfig) -> Result<(), IsolateError> {
    for bind in &config.binds {
        let dst = &bind.destination;
        let invalid = |reason| IsolateError::InvalidBindDestination {
            destination: dst.clone(),
            reason,
        };
        if !dst.is_absolute() {
            return Err(invalid(BIND_REASONS[0]));
        }
        let mut normal = 0;
        for c in dst.components() {
            match c {
                Component::RootDir => {}
                Component::Normal(_) => normal += 1,
                Component::ParentDir => return Err(invalid(BIND_REASONS[1])),
                Component::CurDir | Component::Prefix(_) => return Err(invalid(BIND_REASONS[2])),
            }
        }
        if normal == 0 {
            return Err(invalid(BIND_REASONS[3]));
        }
        if dst.starts_with("/proc") {
            return Err(invalid(BIND_REASONS[4]));
        }
        std::fs::metadata(&bind.source).map_err(|e| {
            IsolateError::BindmountConfig(io::Error::new(
                e.kind(),
                format!("source `{}` cannot be used: {e}", bind.source.display()),
            ))
        })?;
    }
    if config.hostname.len() > 64 {
        return Err(IsolateError::Setup {
            step: "set the hostname".into(),
            reason: "a hostname has at most 64 bytes".into(),
        });
    }
    Ok(())
}

/// The namespaces entered after the user namespace.
fn namespace_flags(config: &IsolationConfig) -> libc::c_int {
    let mut flags =
        libc::CLONE_NEWPID | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS | libc::CLONE_NEWCGROUP;
    if config.new_network {
        flags |= libc::CLONE_NEWNET;
    }
    flags
}

/// Writes the id maps of the (new) user namespace the calling process is in: its own
/// effective ids become the configured ids inside.
/// `host` are the process's effective ids from before it entered the namespace (inside it,
/// unmapped ids read as the overflow id).
fn write_id_maps(config: &IsolationConfig, (euid, egid): (u32, u32)) -> Result<(), IsolateError> {
    let write = |path: &str, text: String| -> io::Result<()> {
        let mut f = OpenOptions::new().write(true).open(path)?;
        f.write_all(text.as_bytes())
    };
    write("/proc/self/setgroups", "deny".into())
        .and_then(|()| write("/proc/self/gid_map", format!("{} {egid} 1\n", config.gid)))
        .and_then(|()| write("/proc/self/uid_map", format!("{} {euid} 1\n", config.uid)))
        .map_err(|e| {
            let restricted =
                std::fs::read_to_string("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
                    .is_ok_and(|v| v.trim() == "1");
            if restricted {
                userns_unavailable(e)
            } else {
                IsolateError::Setup {
                    step: format!(
                        "map user {euid} and group {egid} to {} and {} in the new user namespace",
                        config.uid, config.gid
                    ),
                    reason: e.to_string(),
                }
            }
        })
}

/// Before the user namespace is entered: drops the supplementary groups where the kernel
/// allows it (with `CAP_SETGID` on the host: root), and returns those that are kept (host
/// ids; empty when dropped).
///
/// Without `CAP_SETGID` they cannot be dropped, neither here nor in the new user namespace:
/// an unprivileged process must write `deny` to its `setgroups` file before it may map its
/// group, which freezes the list. The isolated process then keeps them: the files of those
/// groups stay open to it (inside, the groups show as the overflow gid, 65534).
fn drop_groups() -> Result<Vec<u32>, IsolateError> {
    let failed = |e: io::Error| IsolateError::Setup {
        step: "drop the supplementary groups".into(),
        reason: e.to_string(),
    };
    match sys::drop_supplementary_groups() {
        Ok(()) => Ok(Vec::new()),
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
            sys::supplementary_groups().map_err(failed)
        }
        Err(e) => Err(failed(e)),
    }
}

/// Which process this is.
pub(crate) enum Role {
    /// The isolated process, which runs the user code (PID 2 of its PID namespace, or the
    /// PID 1 to be if the setup failed before the init could start): the setup ran
    /// (successfully or not).
    Child {
        slot: ResultSlot,
        setup: Result<(), IsolateError>,
        /// The host's supplementary groups the process still has (see [`drop_groups`]).
        kept_groups: Vec<u32>,
    },
    /// The supervisor of the isolated process (the parent of its init).
    Supervisor {
        /// The init's (host) pid.
        pid: libc::pid_t,
        slot: ResultSlot,
        /// Where the init says how the isolated process ended.
        end: EndCell,
        /// Closed when the supervisor exits, which the child checks for while it starts.
        _alive: OwnedFd,
    },
}

/// From a single-threaded process that is not yet isolated: enters a new user namespace
/// (after switching to the configured host ids, if any), writes its id maps, enters the
/// other namespaces and forks. The child (PID 1 of the new PID namespace) builds the new
/// root and forks again: it stays there as the init ([`init::run`], never returning), and
/// its child (PID 2) drops its privileges and returns to run the user code. The first
/// parent becomes the supervisor.
pub(crate) fn enter(config: &IsolationConfig, keep_fds: &[RawFd]) -> Result<Role, IsolateError> {
    ensure_single_threaded()?;
    validate(config)?;
    if let Some((uid, gid)) = config.host_ids {
        sys::switch_host_ids(uid, gid).map_err(|e| IsolateError::Setup {
            step: format!("switch to host user {uid} and group {gid}"),
            reason: format!("{e} (only root can run isolated code as another user)"),
        })?;
        // Changing ids made the process non-dumpable, which gives its /proc files to host
        // root: it could not write its own id maps.
        sys::set_dumpable(true).map_err(|e| IsolateError::Setup {
            step: "make the process dumpable after switching ids".into(),
            reason: e.to_string(),
        })?;
    }
    let kept_groups = drop_groups()?;
    let host_ids = sys::effective_ids();
    sys::unshare(libc::CLONE_NEWUSER).map_err(userns_unavailable)?;
    write_id_maps(config, host_ids)?;
    sys::unshare(namespace_flags(config)).map_err(|e| IsolateError::Setup {
        step: "create the pid, ipc, uts, cgroup and network namespaces".into(),
        reason: e.to_string(),
    })?;
    let mut slot = ResultSlot(SharedMemory::new(RESULT_CAPACITY).map_err(IsolateError::MemFd)?);
    let end = EndCell::new().map_err(IsolateError::MemFd)?;
    let (alive_r, alive_w) = sys::pipe().map_err(IsolateError::MemFd)?;
    let old_mask = sys::block_signals(&init::WAITED_FOR).map_err(IsolateError::Command)?;
    let forked = sys::fork_single_threaded().map_err(IsolateError::Command);
    if forked.is_err() {
        let _ = sys::restore_signal_mask(&old_mask);
    }
    match forked? {
        Fork::Parent(pid) => {
            drop(alive_r);
            Ok(Role::Supervisor {
                pid,
                slot,
                end,
                _alive: alive_w,
            })
        }
        Fork::Child => {
            drop(alive_w);
            let setup = (|| {
                sys::set_parent_death_signal(libc::SIGKILL).step("set the parent-death signal")?;
                if sys::pipe_hung_up(&alive_r).step("check the supervisor")? {
                    sys::exit_now(1);
                }
                drop(alive_r);
                build_root(config)?;
                start_init(end, &mut slot)?;
                // PID 2 from here on.
                sys::restore_signal_mask(&old_mask).step("restore the signal mask")?;
                finish_isolated(config, keep_fds)
            })()
            .map_err(StepError::into_isolate_error);
            Ok(Role::Child {
                slot,
                setup,
                kept_groups,
            })
        }
    }
}

/// In PID 1 of the new PID namespace, once the new root is built: forks the process that
/// will run the user code. PID 1 becomes the init and never returns; the child (PID 2)
/// returns with the parent-death signal armed. The init's signals ([`init::WAITED_FOR`])
/// are blocked, as they are from before the first fork on.
///
/// The child goes on only once the init has restricted itself (a byte on a pipe, written
/// after the init's seccomp filter is loaded): until then the init may still be dumpable,
/// and a process of the same user could attach to it.
fn start_init(end: EndCell, slot: &mut ResultSlot) -> Result<(), StepError> {
    let (ready_r, ready_w) = sys::pipe().step("make the init's ready pipe")?;
    match sys::fork_single_threaded().step("start the isolated process under its init")? {
        Fork::Parent(child) => {
            drop(ready_r);
            init::run(child, end, slot, ready_w)
        }
        Fork::Child => {
            drop(ready_w);
            // Only the init and the supervisor share the cell: the user code cannot write it.
            drop(end);
            // The init ends only after its child, or with the whole namespace; the signal
            // keeps "dies with its supervisor" true for this process too.
            sys::set_parent_death_signal(libc::SIGKILL).step("set the parent-death signal")?;
            let mut ready = [0u8; 1];
            let got = File::from(ready_r).read_exact(&mut ready);
            if got.is_err() || ready != *init::READY {
                // The init failed to restrict itself (it kills this process, too).
                sys::exit_now(1);
            }
            Ok(())
        }
    }
}

/// A `CString` of a path (paths of this module never hold NUL bytes: they are built here or
/// were checked by `validate`).
fn c(path: impl AsRef<OsStr>) -> io::Result<CString> {
    CString::new(path.as_ref().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path holds a NUL byte"))
}

/// `/proc/self/fd/N` of a descriptor, as a C string.
fn fd_path(fd: &impl AsRawFd) -> CString {
    CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd())).expect("no NUL in a number")
}

/// Opens `path` with `O_PATH` (no access rights; it may be a directory or a file).
fn open_path(path: &Path, nofollow: bool) -> io::Result<File> {
    let mut flags = libc::O_PATH | libc::O_CLOEXEC;
    if nofollow {
        flags |= libc::O_NOFOLLOW;
    }
    OpenOptions::new().read(true).custom_flags(flags).open(path)
}

/// What to make at the end of a destination that does not exist.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Make {
    Nothing,
    Dir,
    File,
}

/// Opens `relative` beneath the directory `root`, one component at a time without following
/// symbolic links, creating missing directories (and the last component as `last`).
/// A symbolic link anywhere on the way is an error: it could lead out of the new root.
fn open_beneath(root: &File, relative: &Path, last: Make) -> Result<File, StepError> {
    let what = || format!("reach `/{}` in the new root", relative.display());
    let components: Vec<&OsStr> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    let mut dir = root.try_clone().step(what())?;
    for (i, name) in components.iter().enumerate() {
        let is_last = i + 1 == components.len();
        let path = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd())).join(name);
        let next = match open_path(&path, true) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match (is_last, last) {
                    (true, Make::Nothing) => return Err(e).step(what()),
                    (true, Make::File) => {
                        OpenOptions::new()
                            .write(true)
                            .create_new(true)
                            .mode(0o644)
                            .custom_flags(libc::O_NOFOLLOW)
                            .open(&path)
                            .step(what())?;
                    }
                    _ => std::fs::create_dir(&path).step(what())?,
                }
                open_path(&path, true).step(what())?
            }
            Err(e) => return Err(e).step(what()),
        };
        let meta = next.metadata().step(what())?;
        if meta.file_type().is_symlink() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "`{}` is a symbolic link, which could lead out of the new root",
                    Path::new(name).display()
                ),
            ))
            .step(what());
        }
        if !is_last && !meta.is_dir() {
            return Err(io::Error::from_raw_os_error(libc::ENOTDIR)).step(what());
        }
        dir = next;
    }
    Ok(dir)
}

/// The mount flags (`MS_*`) matching the `ST_*` flags of a mount, which a remount in a user
/// namespace must keep (the kernel locks them).
fn locked_flags(st: u64) -> libc::c_ulong {
    let mut flags = 0;
    for (st_flag, ms_flag) in [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ] {
        #[allow(clippy::unnecessary_cast)]
        if st & (st_flag as u64) != 0 {
            flags |= ms_flag;
        }
    }
    flags
}

/// Makes the mount `fd` is on read-only, `nosuid` and `nodev`, keeping its other flags.
///
/// `nodev` because a read-only mount does not keep device nodes from being opened for
/// writing (a disk, `/dev/mem`): through a read-only bind no device opens at all. Adding
/// flags is what a remount in a user namespace may do; the flags the kernel locked (those of
/// the host's mount) are kept.
fn remount_read_only(fd: &File, what: &str) -> Result<(), StepError> {
    let flags = sys::mount_flags_of(fd).step(what)?;
    sys::mount(
        None,
        &fd_path(fd),
        None,
        libc::MS_REMOUNT
            | libc::MS_BIND
            | libc::MS_RDONLY
            | libc::MS_NOSUID
            | libc::MS_NODEV
            | locked_flags(flags),
        None,
    )
    .step(what)
}

/// The mount points below `prefix` (absolute, in the current view), from mountinfo.
fn submounts_below(prefix: &Path) -> io::Result<Vec<PathBuf>> {
    let info = std::fs::read_to_string("/proc/self/mountinfo")?;
    let mut out = Vec::new();
    for line in info.lines() {
        let Some(point) = line.split(' ').nth(4) else {
            continue;
        };
        // mountinfo escapes space, tab, newline and backslash as octal.
        let point = unescape_octal(point);
        let point = PathBuf::from(OsStr::from_bytes(&point));
        if point != prefix && point.starts_with(prefix) {
            out.push(point);
        }
    }
    Ok(out)
}

fn unescape_octal(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 4 <= b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 4], 8) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Where the new root is built before `pivot_root` (in the private mount namespace only).
const STAGING: &str = "/tmp";

/// In the isolated child (PID 1 of its namespace, all capabilities in its user namespace):
/// builds the new root, enters it, sets the hostname and the loopback interface up, and
/// starts a new session (for the init and, as it makes its own, the user code).
fn build_root(config: &IsolationConfig) -> Result<(), StepError> {
    sys::unshare(libc::CLONE_NEWNS).step("create the mount namespace")?;
    sys::mount(
        None,
        c("/")?.as_c_str(),
        None,
        libc::MS_REC | libc::MS_PRIVATE,
        None,
    )
    .step("make all mounts private")?;

    // Open every source before the staging directory is covered.
    let mut sources = Vec::new();
    for bind in &config.binds {
        let what = format!("open bind source `{}`", bind.source.display());
        let f = open_path(&bind.source, false).step(what.clone())?;
        let is_dir = f.metadata().step(what)?.is_dir();
        sources.push((f, is_dir));
    }
    let devices: Vec<(&str, File)> = ["null", "zero", "full", "random", "urandom"]
        .into_iter()
        .map(|d| {
            let p = format!("/dev/{d}");
            open_path(Path::new(&p), false)
                .map(|f| (d, f))
                .step(format!("open {p}"))
        })
        .collect::<Result<_, _>>()?;

    // The new root: a size-limited tmpfs.
    let staging = c(STAGING)?;
    sys::mount(
        Some(c("tmpfs")?.as_c_str()),
        &staging,
        Some(c("tmpfs")?.as_c_str()),
        libc::MS_NOSUID | libc::MS_NODEV,
        Some(c(format!("size={}m,mode=0755", config.rootfs_mib))?.as_c_str()),
    )
    .step(format!(
        "mount the new root (tmpfs of {} MiB)",
        config.rootfs_mib
    ))?;
    let root = open_path(Path::new(STAGING), true).step("open the new root")?;

    // /proc for the new PID namespace.
    let proc_dir = open_beneath(&root, Path::new("proc"), Make::Dir)?;
    sys::mount(
        Some(c("proc")?.as_c_str()),
        &fd_path(&proc_dir),
        Some(c("proc")?.as_c_str()),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        None,
    )
    .step("mount /proc")?;
    drop(proc_dir);

    // A minimal /dev: a small tmpfs with the host's harmless devices bound onto files.
    let dev_dir = open_beneath(&root, Path::new("dev"), Make::Dir)?;
    sys::mount(
        Some(c("tmpfs")?.as_c_str()),
        &fd_path(&dev_dir),
        Some(c("tmpfs")?.as_c_str()),
        libc::MS_NOSUID | libc::MS_NOEXEC,
        Some(c("size=64k,mode=0755")?.as_c_str()),
    )
    .step("mount /dev")?;
    drop(dev_dir);
    for (name, host) in &devices {
        let node = open_beneath(&root, &Path::new("dev").join(name), Make::File)?;
        sys::mount(
            Some(&fd_path(host)),
            &fd_path(&node),
            None,
            libc::MS_BIND,
            None,
        )
        .step(format!("bind /dev/{name}"))?;
    }
    let dev = PathBuf::from(STAGING).join("dev");
    for (link, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        std::os::unix::fs::symlink(target, dev.join(link)).step(format!("create /dev/{link}"))?;
    }
    let dev_dir = open_beneath(&root, Path::new("dev"), Make::Nothing)?;
    remount_read_only(&dev_dir, "make /dev read-only")?;
    drop(dev_dir);

    // /tmp, sharing the root's size limit.
    let tmp = open_beneath(&root, Path::new("tmp"), Make::Dir)?;
    drop(tmp);
    std::fs::set_permissions(
        PathBuf::from(STAGING).join("tmp"),
        std::fs::Permissions::from_mode(0o1777),
    )
    .step("make /tmp writable by all")?;

    // The bind mounts, read-only unless asked otherwise.
    for (bind, (source, is_dir)) in config.binds.iter().zip(&sources) {
        let relative = bind
            .destination
            .strip_prefix("/")
            .expect("validate checked that destinations are absolute");
        let make = if *is_dir { Make::Dir } else { Make::File };
        let what = format!(
            "bind `{}` to `{}`",
            bind.source.display(),
            bind.destination.display()
        );
        let target = open_beneath(&root, relative, make)?;
        sys::mount(
            Some(&fd_path(source)),
            &fd_path(&target),
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        )
        .step(what.clone())?;
        drop(target);
        if !bind.writable {
            // MS_RDONLY is ignored by a bind: remount the new mount, found again through the
            // tree (the old descriptor points below it), and every mount under it.
            let mounted = open_beneath(&root, relative, Make::Nothing)?;
            remount_read_only(
                &mounted,
                &format!("make `{}` read-only", bind.destination.display()),
            )?;
            let below = submounts_below(&Path::new(STAGING).join(relative))
                .step("read /proc/self/mountinfo")?;
            for point in below {
                let rel = point
                    .strip_prefix(STAGING)
                    .expect("listed below the staging root");
                let sub = open_beneath(&root, rel, Make::Nothing)?;
                remount_read_only(&sub, &format!("make `/{}` read-only", rel.display()))?;
            }
        }
    }
    drop(sources);
    drop(devices);
    drop(root);

    // Enter the new root; the old one is detached and unreachable.
    std::env::set_current_dir(STAGING).step("enter the new root")?;
    let dot = c(".")?;
    sys::pivot_root(&dot, &dot).step("pivot_root into the new root")?;
    sys::umount2(&dot, libc::MNT_DETACH).step("detach the old root")?;
    std::env::set_current_dir("/").step("enter the new root")?;

    sys::set_hostname(config.hostname.as_bytes()).step("set the hostname")?;
    if config.new_network {
        sys::loopback_up().step("bring up the loopback interface")?;
    }
    sys::setsid().step("start a new session for the init")?;
    Ok(())
}

/// In the process that runs the user code (PID 2, all capabilities in its user namespace):
/// gives up everything user code must not have (every capability but those the
/// configuration keeps), after setting its limits (only now, so that the init does not
/// count against a process limit it never has to meet).
fn finish_isolated(config: &IsolationConfig, keep_fds: &[RawFd]) -> Result<(), StepError> {
    // A session of its own, as a process that started one (the init's is no use to it).
    sys::setsid().step("start a new session")?;
    for &(resource, value) in &config.rlimits {
        sys::set_rlimit(resource.raw(), value)
            .step(format!("set the limit on {}", resource.name()))?;
    }

    // The environment: exactly what the config passes.
    let vars: Vec<_> = std::env::vars_os().map(|(k, _)| k).collect();
    for k in vars {
        std::env::remove_var(k);
    }
    for (k, v) in &config.env {
        std::env::set_var(k, v);
    }

    sys::close_fds_except(keep_fds).step("close inherited descriptors")?;

    sys::lock_securebits().step("lock the securebits")?;
    let keep = config.kept_capabilities();
    let what = if keep == 0 {
        "drop all capabilities".to_string()
    } else {
        let names: Vec<&str> = config.capabilities.iter().map(|c| c.name()).collect();
        format!("drop all capabilities but {}", names.join(", "))
    };
    sys::drop_capabilities_except(keep).step(what)?;
    crate::sys::set_no_new_privs().step("set no_new_privs")?;
    Ok(())
}

/// The supervisor of the init `pid`: restricts itself to waiting and signalling, forwards
/// the signals of [`init::FORWARDED`] to the init (which passes them on), and returns how the
/// isolated process ended: as the init reported in `end`, or, if the init itself was killed
/// (or could not report), as the init ended.
pub(crate) fn supervise(pid: libc::pid_t, end: &EndCell) -> io::Result<ChildEnd> {
    // Nothing to give up in the namespaces but the capabilities (all of them, whatever the
    // configuration keeps for the child); the seccomp filter keeps the supervisor to
    // waiting, signalling, writing what it reports, and exiting.
    sys::drop_all_capabilities()?;
    restrict_supervisor().map_err(io::Error::other)?;
    loop {
        let signal = sys::wait_for_signal(&init::WAITED_FOR)?;
        if signal == libc::SIGCHLD {
            match sys::try_wait(pid)? {
                Some(ChildEnd::Exited(code)) => {
                    return Ok(end.take().unwrap_or(ChildEnd::Exited(code)))
                }
                Some(killed) => return Ok(killed),
                None => {}
            }
        } else {
            // The child may have ended already: then SIGCHLD follows.
            let _ = sys::kill(pid, signal);
        }
    }
}

/// The supervisor's own seccomp filter.
fn restrict_supervisor() -> Result<(), crate::ExtraSafeError> {
    use crate::syscalls::Sysno;
    let mut ctx = crate::SafetyContext::new();
    for sysno in [
        Sysno::wait4,
        Sysno::waitid,
        Sysno::kill,
        Sysno::tgkill,
        Sysno::rt_sigtimedwait,
        Sysno::rt_sigprocmask,
        Sysno::rt_sigaction,
        Sysno::write,
        Sysno::close,
        Sysno::munmap,
    ] {
        ctx = ctx.enable(sysno)?;
    }
    ctx.apply_to_current_thread().map(drop)
}

/// Exits the way the child ended.
pub(crate) fn exit_like(end: ChildEnd) -> ! {
    match end {
        ChildEnd::Exited(code) => {
            let _ = io::stdout().flush();
            sys::exit_now(code)
        }
        ChildEnd::Signaled(signal) => sys::die_by_signal(signal),
    }
}

/// The limit's resource number and name.
impl Rlimit {
    fn raw(self) -> libc::__rlimit_resource_t {
        match self {
            Rlimit::Processes => libc::RLIMIT_NPROC,
            Rlimit::OpenFiles => libc::RLIMIT_NOFILE,
            Rlimit::AddressSpace => libc::RLIMIT_AS,
            Rlimit::CpuSeconds => libc::RLIMIT_CPU,
            Rlimit::FileSize => libc::RLIMIT_FSIZE,
        }
    }

    /// The kernel's name of the resource.
    pub(crate) fn resource_name(self) -> &'static str {
        match self {
            Rlimit::Processes => "RLIMIT_NPROC",
            Rlimit::OpenFiles => "RLIMIT_NOFILE",
            Rlimit::AddressSpace => "RLIMIT_AS",
            Rlimit::CpuSeconds => "RLIMIT_CPU",
            Rlimit::FileSize => "RLIMIT_FSIZE",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Rlimit::Processes => "processes (RLIMIT_NPROC)",
            Rlimit::OpenFiles => "open files (RLIMIT_NOFILE)",
            Rlimit::AddressSpace => "address space (RLIMIT_AS)",
            Rlimit::CpuSeconds => "CPU time (RLIMIT_CPU)",
            Rlimit::FileSize => "file size (RLIMIT_FSIZE)",
        }
    }
}
