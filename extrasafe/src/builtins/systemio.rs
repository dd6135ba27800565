//! [`SystemIO`]: files, directories and the standard streams.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::os::fd::AsRawFd;

use super::{allow_values, push_rule, Conditional, YesReally};
use crate::rules::{RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::syscalls::Sysno;
use crate::Comparator;

const IO_READ: &[Sysno] = &[
    Sysno::read,
    Sysno::readv,
    Sysno::preadv,
    Sysno::preadv2,
    Sysno::pread64,
    Sysno::lseek,
];
const IO_WRITE: &[Sysno] = &[
    Sysno::write,
    Sysno::writev,
    Sysno::pwritev,
    Sysno::pwritev2,
    Sysno::pwrite64,
    Sysno::fsync,
    Sysno::fdatasync,
    Sysno::lseek,
];
const IO_OPEN: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::open,
    Sysno::openat,
    Sysno::openat2,
];
const IO_METADATA: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::stat,
    Sysno::fstat,
    Sysno::newfstatat,
    #[cfg(target_arch = "x86_64")]
    Sysno::lstat,
    Sysno::statx,
    #[cfg(target_arch = "x86_64")]
    Sysno::getdents,
    Sysno::getdents64,
    Sysno::getcwd,
];
const IO_CLOSE: &[Sysno] = &[Sysno::close, Sysno::close_range];
const IO_UNLINK: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::unlink,
    Sysno::unlinkat,
];

/// `__O_TMPFILE`, the bit that makes `O_TMPFILE` (which is `__O_TMPFILE | O_DIRECTORY`) on
/// x86_64 and aarch64.
pub(crate) const O_TMPFILE_BIT: u32 = 0o2000_0000;

/// Open flags that let an `open` change a file or a directory: write access (`O_WRONLY`,
/// `O_RDWR` and their combination), creation, truncation, and anonymous temporary files.
pub(crate) const OPEN_MODIFYING_FLAGS: u32 =
    (libc::O_ACCMODE | libc::O_CREAT | libc::O_TRUNC).unsigned_abs() | O_TMPFILE_BIT;

/// Working with files and the standard streams.
///
/// Without Landlock (see the `landlock` feature), a program allowed to open files may open
/// any file its user can; the methods that allow that return [`YesReally`].
///
/// The conditions 0.5.1's methods had (`allow_stdin`'s fd 0 on `read`, `allow_stdout`'s and
/// `allow_stderr`'s fd 1 and 2 on `write`, `allow_file_read`'s and `allow_file_write`'s
/// descriptor, `allow_open_readonly`'s flags) conflict with an unconditional rule for the
/// same syscall, as in 0.5.1, even from this RuleSet: `allow_stdout().allow_write()` is a
/// [`ConditionalNoEffectError`](crate::ExtraSafeError::ConditionalNoEffectError) on `write`.
/// The conditions added since (`writev` on fd 1 and 2, the rest of the write family on
/// `allow_file_write`'s descriptor, `allow_dup`'s and `allow_rmdir`'s `fcntl` and
/// `unlinkat`) are the RuleSet's own narrowing ([`RuleSet::narrowing_rules`]): they give way
/// to an unconditional rule for the syscall, from this RuleSet or another.
///
/// ```
/// use extrasafe::{builtins::SystemIO, syscalls::Sysno, ExtraSafeError, SafetyContext};
/// let err = SafetyContext::new().enable(SystemIO::nothing().allow_read().allow_stdin()).unwrap_err();
/// assert!(matches!(err, ExtraSafeError::ConditionalNoEffectError(Sysno::read, "SystemIO", "SystemIO")));
/// // writev on fd 1 is narrowing: a RuleSet allowing all of writev wins.
/// SafetyContext::new().enable(SystemIO::nothing().allow_stdout())?.enable(Sysno::writev)?;
/// # Ok::<(), ExtraSafeError>(())
/// ```
///
/// ```no_run
/// use extrasafe::{builtins::SystemIO, SafetyContext};
/// SafetyContext::new()
///     .enable(SystemIO::nothing().allow_open_readonly().allow_read().allow_close().allow_metadata())?
///     .apply_to_current_thread()?;
/// let _config = std::fs::read_to_string("/etc/hostname");
/// assert!(std::fs::write("/tmp/x", "nope").is_err());
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SystemIO {
    allowed: BTreeSet<Sysno>,
    /// Conditions 0.5.1 had: they conflict with an unconditional rule.
    custom: Conditional,
    /// Conditions added since 0.5.1: they give way to an unconditional rule.
    narrowing: Conditional,
    #[cfg(feature = "landlock")]
    landlock: Vec<crate::rights::LandlockRule>,
}

impl SystemIO {
    /// Allows nothing.
    pub fn nothing() -> SystemIO {
        SystemIO::default()
    }

    /// Everything below except `ioctl`: read, write, open (any flags), metadata, close,
    /// unlink, dup, rename, link, truncate, flock, mkdir and rmdir. For programs adopting
    /// extrasafe step by step. `ioctl` is left out because any ioctl includes terminal
    /// injection (`TIOCSTI`), and so that `everything()` combines with
    /// [`Networking::everything`](crate::builtins::Networking::everything), which allows the
    /// socket ioctls; add [`allow_ioctl`](SystemIO::allow_ioctl) if you need all of them.
    pub fn everything() -> SystemIO {
        SystemIO::nothing()
            .allow_read()
            .allow_write()
            .allow_open()
            .yes_really()
            .allow_metadata()
            .allow_unlink()
            .allow_close()
            .allow_dup()
            .allow_rename()
            .allow_link()
            .allow_truncate()
            .allow_flock()
            .allow_mkdir()
            .allow_rmdir()
    }

    /// Reading from any open file descriptor: read, readv, preadv, preadv2, pread64, lseek.
    pub fn allow_read(mut self) -> SystemIO {
        self.allowed.extend(IO_READ);
        self
    }

    /// Writing to any open file descriptor: write, writev, pwritev, pwritev2, pwrite64, fsync,
    /// fdatasync, lseek.
    pub fn allow_write(mut self) -> SystemIO {
        self.allowed.extend(IO_WRITE);
        self
    }

    /// Removing files (and, through `unlinkat(AT_REMOVEDIR)`, empty directories): unlink
    /// (x86_64), unlinkat.
    pub fn allow_unlink(mut self) -> SystemIO {
        self.allowed.extend(IO_UNLINK);
        self
    }

    /// Opening any file with any flags: open (x86_64), openat, openat2.
    pub fn allow_open(mut self) -> YesReally<SystemIO> {
        self.allowed.extend(IO_OPEN);
        YesReally::new(self)
    }

    /// Opening files for reading only: open (x86_64) and openat, when the flags hold none of
    /// `O_WRONLY`, `O_RDWR`, `O_CREAT`, `O_TRUNC` and `O_TMPFILE`. Such an open cannot change
    /// a file or create one. (`openat2` passes its flags behind a pointer and stays denied.)
    pub fn allow_open_readonly(mut self) -> SystemIO {
        #[cfg(target_arch = "x86_64")]
        push_rule(&mut self.custom, no_modifying_flags(Sysno::open, 1));
        push_rule(&mut self.custom, no_modifying_flags(Sysno::openat, 2));
        self
    }

    /// Reading metadata and directory listings: stat, lstat, getdents (x86_64), fstat,
    /// newfstatat, statx, getdents64, getcwd.
    pub fn allow_metadata(mut self) -> SystemIO {
        self.allowed.extend(IO_METADATA);
        self
    }

    /// Any ioctl and fcntl on any file descriptor: ioctl, fcntl (as in 0.5.1). This includes
    /// terminal ioctls such as `TIOCSTI`; prefer a RuleSet that allows the requests you need.
    pub fn allow_ioctl(mut self) -> SystemIO {
        self.allowed.extend([Sysno::ioctl, Sysno::fcntl]);
        self
    }

    /// Closing file descriptors: close, close_range.
    pub fn allow_close(mut self) -> SystemIO {
        self.allowed.extend(IO_CLOSE);
        self
    }

    /// Reading standard input: read on fd 0.
    pub fn allow_stdin(mut self) -> SystemIO {
        allow_values(&mut self.custom, Sysno::read, 0, &[0]);
        self
    }

    /// Writing to standard output: write and writev on fd 1 (`writev` is narrowing, see
    /// [`SystemIO`]).
    pub fn allow_stdout(mut self) -> SystemIO {
        allow_values(&mut self.custom, Sysno::write, 0, &[1]);
        allow_values(&mut self.narrowing, Sysno::writev, 0, &[1]);
        self
    }

    /// Writing to standard error: write and writev on fd 2 (`writev` is narrowing, see
    /// [`SystemIO`]).
    pub fn allow_stderr(mut self) -> SystemIO {
        allow_values(&mut self.custom, Sysno::write, 0, &[2]);
        allow_values(&mut self.narrowing, Sysno::writev, 0, &[2]);
        self
    }

    /// Reading from this already-open file only: read, readv, preadv, preadv2, pread64 and
    /// lseek on its descriptor, and (as in 0.5.1) the metadata syscalls with it as first
    /// argument: fstat, newfstatat, statx, getdents64 (and stat, lstat, getdents on
    /// x86_64), getcwd.
    ///
    /// `newfstatat` and `statx` also take a path, which seccomp cannot read: with this
    /// descriptor as their directory argument, an absolute path reads the metadata (not the
    /// contents) of any file the user may see. Restrict paths with Landlock where that
    /// matters. (`stat`, `lstat` and `getcwd` take a pointer first, so their condition
    /// never holds: they stay denied.)
    pub fn allow_file_read(mut self, file: &File) -> SystemIO {
        let fd = u64::from(file.as_raw_fd().unsigned_abs());
        for &sysno in IO_READ.iter().chain(IO_METADATA) {
            allow_values(&mut self.custom, sysno, 0, &[fd]);
        }
        self
    }

    /// Writing to this already-open file only: write, writev, pwritev, pwritev2, pwrite64,
    /// fsync, fdatasync and lseek on its descriptor (all but `write` are narrowing, see
    /// [`SystemIO`]).
    pub fn allow_file_write(mut self, file: &File) -> SystemIO {
        let fd = u64::from(file.as_raw_fd().unsigned_abs());
        for &sysno in IO_WRITE {
            let list = if sysno == Sysno::write {
                &mut self.custom
            } else {
                &mut self.narrowing
            };
            allow_values(list, sysno, 0, &[fd]);
        }
        self
    }

    /// Duplicating file descriptors: dup, dup2 (x86_64), dup3, and fcntl with `F_DUPFD` or
    /// `F_DUPFD_CLOEXEC` only (what std's `File::try_clone` uses).
    pub fn allow_dup(mut self) -> SystemIO {
        self.allowed.extend([
            Sysno::dup,
            #[cfg(target_arch = "x86_64")]
            Sysno::dup2,
            Sysno::dup3,
        ]);
        allow_values(
            &mut self.narrowing,
            Sysno::fcntl,
            1,
            &[
                u64::from(libc::F_DUPFD.unsigned_abs()),
                u64::from(libc::F_DUPFD_CLOEXEC.unsigned_abs()),
            ],
        );
        self
    }

    /// Renaming and moving files: rename (x86_64), renameat, renameat2.
    pub fn allow_rename(mut self) -> SystemIO {
        self.allowed.extend([
            #[cfg(target_arch = "x86_64")]
            Sysno::rename,
            Sysno::renameat,
            Sysno::renameat2,
        ]);
        self
    }

    /// Creating hard and symbolic links: link, symlink (x86_64), linkat, symlinkat.
    pub fn allow_link(mut self) -> SystemIO {
        self.allowed.extend([
            #[cfg(target_arch = "x86_64")]
            Sysno::link,
            #[cfg(target_arch = "x86_64")]
            Sysno::symlink,
            Sysno::linkat,
            Sysno::symlinkat,
        ]);
        self
    }

    /// Changing the length of files: truncate, ftruncate.
    pub fn allow_truncate(mut self) -> SystemIO {
        self.allowed.extend([Sysno::truncate, Sysno::ftruncate]);
        self
    }

    /// Advisory whole-file locks: flock.
    pub fn allow_flock(mut self) -> SystemIO {
        self.allowed.insert(Sysno::flock);
        self
    }

    /// Creating directories: mkdir (x86_64), mkdirat.
    pub fn allow_mkdir(mut self) -> SystemIO {
        self.allowed.extend([
            #[cfg(target_arch = "x86_64")]
            Sysno::mkdir,
            Sysno::mkdirat,
        ]);
        self
    }

    /// Removing empty directories: rmdir (x86_64), and unlinkat with `AT_REMOVEDIR` exactly
    /// (so not files: that is [`allow_unlink`](SystemIO::allow_unlink)). Also fcntl with
    /// `F_GETFL`, or with `F_SETFD` and `FD_CLOEXEC` exactly: glibc's `fdopendir` makes both
    /// calls, and std's `remove_dir_all` uses it to walk the tree (which also needs
    /// `allow_open_readonly`, `allow_metadata`, `allow_unlink` and `allow_close`).
    pub fn allow_rmdir(mut self) -> SystemIO {
        #[cfg(target_arch = "x86_64")]
        self.allowed.insert(Sysno::rmdir);
        allow_values(
            &mut self.narrowing,
            Sysno::unlinkat,
            2,
            &[u64::from(libc::AT_REMOVEDIR.unsigned_abs())],
        );
        super::allow_fdopendir(&mut self.narrowing);
        self
    }
}

/// `syscall` allowed when its flags argument `arg` holds none of [`OPEN_MODIFYING_FLAGS`].
fn no_modifying_flags(syscall: Sysno, arg: u8) -> SeccompRule {
    SeccompRule::new(syscall).and_condition(SeccompArgumentFilter::new32(
        arg,
        Comparator::MaskedEq(u64::from(OPEN_MODIFYING_FLAGS)),
        0,
    ))
}

impl RuleSet for SystemIO {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        // 0.5.1's conditions all, so that one that a method of this RuleSet makes moot is
        // 0.5.1's error; the narrowing too (see narrowing_rules).
        let mut rules = self.custom.clone();
        for rule in self.narrowing_rules().into_values().flatten() {
            push_rule(&mut rules, rule);
        }
        rules
    }

    fn narrowing_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        // Where a method of this RuleSet allows the syscall outright (allow_unlink's
        // unlinkat, allow_ioctl's fcntl), the narrowing has given way already.
        super::conditions_not_covered(&self.narrowing, &self.allowed)
    }

    fn name(&self) -> &'static str {
        "SystemIO"
    }

    #[cfg(feature = "landlock")]
    fn landlock_rules(&self) -> Vec<crate::rights::LandlockRule> {
        self.landlock.clone()
    }
}

/// Certificate stores and OpenSSL configuration of Debian/Ubuntu, Fedora/RHEL, Alpine and
/// Arch (directories first, then single files).
#[cfg(feature = "landlock")]
const SSL_PATHS: &[&str] = &[
    "/etc/ssl/certs",
    "/usr/share/ca-certificates",
    "/usr/local/share/ca-certificates",
    "/etc/pki/tls/certs",
    "/etc/pki/ca-trust/extracted",
    "/etc/ca-certificates/extracted",
    "/usr/lib/ssl/certs",
    "/etc/ssl/cert.pem",
    "/etc/pki/tls/cert.pem",
    "/etc/ssl/openssl.cnf",
    "/etc/pki/tls/openssl.cnf",
    "/usr/lib/ssl/openssl.cnf",
    "/etc/localtime",
];

/// Name-resolution configuration (glibc and musl).
#[cfg(feature = "landlock")]
const DNS_PATHS: &[&str] = &[
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/host.conf",
    "/etc/nsswitch.conf",
    "/etc/gai.conf",
    "/etc/services",
];

/// Landlock path methods (feature `landlock`). Each grants rights beneath one path; the
/// syscalls those rights need are implied (see [`crate::landlock`]). Paths are opened when
/// the context is applied: a missing one is an error there, naming it.
#[cfg(feature = "landlock")]
impl SystemIO {
    fn landlock_rule<P: AsRef<std::path::Path>>(
        mut self,
        path: P,
        rights: ::landlock::BitFlags<::landlock::AccessFs>,
    ) -> SystemIO {
        self.landlock
            .push(crate::rights::LandlockRule::new(path, rights));
        self
    }

    /// Reading files and listing directories beneath `path` (`ReadFile | ReadDir`).
    pub fn allow_read_path<P: AsRef<std::path::Path>>(self, path: P) -> SystemIO {
        self.landlock_rule(path, crate::rights::access::read_path())
    }

    /// Writing to and truncating the file (or the files beneath) `path`
    /// (`WriteFile | Truncate`).
    pub fn allow_write_file<P: AsRef<std::path::Path>>(self, path: P) -> SystemIO {
        self.landlock_rule(path, crate::rights::access::write_file())
    }

    /// Creating files in the directory `path` and writing them
    /// (`MakeReg | WriteFile | Truncate`), so that `File::create` works there.
    pub fn allow_create_in_dir<P: AsRef<std::path::Path>>(self, path: P) -> SystemIO {
        self.landlock_rule(
            path,
            crate::rights::access::create_file() | crate::rights::access::write_file(),
        )
    }

    /// Listing the directory `path` and those beneath it (`ReadDir`).
    pub fn allow_list_dir<P: AsRef<std::path::Path>>(self, path: P) -> SystemIO {
        self.landlock_rule(path, crate::rights::access::list_dir())
    }

    /// Creating directories in `path` (`MakeDir`).
    pub fn allow_create_dir<P: AsRef<std::path::Path>>(self, path: P) -> SystemIO {
        self.landlock_rule(path, crate::rights::access::create_dir())
    }

    /// Removing files beneath `path` (`RemoveFile`).
    pub fn allow_remove_file<P: AsRef<std::path::Path>>(self, path: P) -> SystemIO {
        self.landlock_rule(path, crate::rights::access::delete_file())
    }

    /// Removing empty directories beneath `path` (`RemoveDir`).
    pub fn allow_remove_dir<P: AsRef<std::path::Path>>(self, path: P) -> SystemIO {
        self.landlock_rule(path, crate::rights::access::delete_dir())
    }

    /// Reading what TLS libraries read: the certificate stores and OpenSSL configuration of
    /// Debian/Ubuntu, Fedora/RHEL, Alpine and Arch, `$SSL_CERT_FILE` and `$SSL_CERT_DIR`
    /// when set, and `/etc/localtime`. Only paths that exist now are granted.
    pub fn allow_ssl_files(mut self) -> SystemIO {
        let mut paths: Vec<std::path::PathBuf> =
            SSL_PATHS.iter().map(std::path::PathBuf::from).collect();
        for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
            if let Some(value) = std::env::var_os(var) {
                // SSL_CERT_DIR may hold several directories separated by ':'.
                paths.extend(std::env::split_paths(&value));
            }
        }
        for path in paths {
            if path.exists() {
                self = self.allow_read_path(path);
            }
        }
        self
    }

    /// Reading what name resolution reads: `/etc/resolv.conf` (and, where it is a symlink,
    /// its target, such as systemd-resolved's stub file), `/etc/hosts`, `/etc/host.conf`,
    /// `/etc/nsswitch.conf`, `/etc/gai.conf` and `/etc/services`. Only paths that exist now
    /// are granted. (NSS modules other than glibc's built-in `files` and `dns` need their
    /// libraries readable too.)
    pub fn allow_dns_files(mut self) -> SystemIO {
        for path in DNS_PATHS {
            if std::path::Path::new(path).exists() {
                self = self.allow_read_path(path);
            }
        }
        self
    }
}
