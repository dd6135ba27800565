//! Landlock filesystem rights, through real std calls: for each right, what it grants
//! succeeds and the same operation without it fails with the errno the kernel documents
//! (`EACCES`; `EXDEV` for rename and link across directories without `Refer`). Also the
//! path methods of `SystemIO` and `Landlock`, path errors, the report and `explain()`.
//!
//! The "allowed" tests load only the seccomp rules that the Landlock rights imply, so they
//! also check that those are enough. The "denied" tests add [`FileSyscalls`], which allows
//! every file syscall, so that the denial comes from Landlock (`EACCES`), not seccomp
//! (`EPERM`).
#![cfg(feature = "landlock")]

mod common;

use std::ffi::{CString, OsStr, OsString};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use common::{assert_errno, raw_syscall};
use extrasafe::builtins::danger_zone::ForkAndExec;
use extrasafe::builtins::process::ResourceLimits;
use extrasafe::builtins::SystemIO;
use extrasafe::syscalls::Sysno;
use extrasafe::{
    AccessFs, BitFlags, EnforcementReport, ExtraSafeError, Landlock, LandlockStatus, RuleSet,
    SafetyContext, Verdict,
};

const IMPLIED: &str = "Landlock (implied)";

// ----- helpers ------------------------------------------------------------------------

/// A fresh directory named `name` and this process's id in the temp directory. Sandboxed
/// tests cannot clean up after themselves, so this removes what earlier runs left under the
/// same name (with the id of a process that has ended).
fn fresh_dir(name: &[u8]) -> PathBuf {
    let tmp = std::env::temp_dir();
    let mut prefix = name.to_vec();
    prefix.push(b'-');
    for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
        let file_name = entry.file_name();
        if let Some(pid) = file_name.as_bytes().strip_prefix(prefix.as_slice()) {
            let ended = !Path::new("/proc").join(OsStr::from_bytes(pid)).exists();
            if !pid.is_empty() && pid.iter().all(u8::is_ascii_digit) && ended {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    prefix.extend_from_slice(std::process::id().to_string().as_bytes());
    let dir = tmp.join(OsStr::from_bytes(&prefix));
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// A fresh directory for one test, made before the sandbox.
fn scratch(test: &str) -> PathBuf {
    fresh_dir(format!("extrasafe-landlock-fs-{test}").as_bytes())
}

/// A file named `name` in `dir` holding `content`.
fn file_with(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write the test file");
    path
}

/// Every syscall the file tests make, allowed outright: with it, a denial can only come
/// from Landlock.
struct FileSyscalls;

impl RuleSet for FileSyscalls {
    fn simple_rules(&self) -> Vec<Sysno> {
        let mut rules = SystemIO::everything().simple_rules();
        rules.extend([
            Sysno::fcntl,
            #[cfg(target_arch = "x86_64")]
            Sysno::mknod,
            Sysno::mknodat,
            Sysno::socket,
            Sysno::bind,
            Sysno::listen,
        ]);
        rules
    }

    fn name(&self) -> &'static str {
        "FileSyscalls"
    }
}

/// Applies `landlock` with only the seccomp rules its rights imply.
fn apply_implied_only(landlock: Landlock) -> EnforcementReport {
    SafetyContext::new()
        .enable(landlock)
        .expect("the Landlock RuleSet enables")
        .enforce_on_current_thread()
        .expect("the context applies")
}

/// Applies `landlock` with every file syscall allowed by seccomp.
fn apply_with_file_syscalls(landlock: Landlock) -> EnforcementReport {
    SafetyContext::new()
        .enable(FileSyscalls)
        .unwrap()
        .enable(landlock)
        .expect("the Landlock RuleSet enables")
        .enforce_on_current_thread()
        .expect("the context applies")
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).expect("no NUL in the path")
}

fn io_result(r: Result<i64, i32>) -> std::io::Result<i64> {
    r.map_err(std::io::Error::from_raw_os_error)
}

/// `openat(AT_FDCWD, path, flags, 0o600)`, with exactly these flags.
fn raw_openat(path: &Path, flags: libc::c_int) -> std::io::Result<i64> {
    let path = c_path(path);
    io_result(raw_syscall(
        libc::SYS_openat,
        [
            libc::AT_FDCWD as u64,
            path.as_ptr() as u64,
            u64::from(flags.unsigned_abs()),
            0o600,
            0,
            0,
        ],
    ))
}

/// `truncate(path, len)`: std has no path-based truncate.
fn raw_truncate(path: &Path, len: u64) -> std::io::Result<i64> {
    let path = c_path(path);
    io_result(raw_syscall(
        libc::SYS_truncate,
        [path.as_ptr() as u64, len, 0, 0, 0, 0],
    ))
}

/// `mknodat(AT_FDCWD, path, mode, dev)`.
fn raw_mknod(path: &Path, mode: libc::mode_t, dev: libc::dev_t) -> std::io::Result<i64> {
    let path = c_path(path);
    io_result(raw_syscall(
        libc::SYS_mknodat,
        [
            libc::AT_FDCWD as u64,
            path.as_ptr() as u64,
            u64::from(mode),
            dev,
            0,
            0,
        ],
    ))
}

/// `ioctl(fd, request, &mut buf)` with a buffer large enough for `struct termios` and an int.
fn raw_ioctl(fd: i32, request: libc::c_ulong) -> std::io::Result<i64> {
    let mut buf = [0u8; 256];
    io_result(raw_syscall(
        libc::SYS_ioctl,
        [
            u64::from(fd.unsigned_abs()),
            request,
            buf.as_mut_ptr() as u64,
            0,
            0,
            0,
        ],
    ))
}

fn read_to_string(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

fn exists(path: &Path) -> bool {
    // stat is not a Landlock right: this works inside and outside the sandbox.
    std::fs::symlink_metadata(path).is_ok()
}

// ----- ReadFile -----------------------------------------------------------------------

sandboxed_test! {
    fn read_file_allowed_with_read_file_right() {
        let dir = scratch("read_file_allowed_with_read_file_right");
        let file = file_with(&dir, "data", "hello");
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::ReadFile.into()));

        assert_eq!(read_to_string(&file).unwrap(), "hello");
        let mut text = String::new();
        File::open(&file).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello");
    }
}

sandboxed_test! {
    fn read_file_denied_without_read_file_right() {
        let dir = scratch("read_file_denied_without_read_file_right");
        let file = file_with(&dir, "data", "hello");
        assert_eq!(read_to_string(&file).unwrap(), "hello");
        apply_with_file_syscalls(Landlock::new().allow_path(&dir, AccessFs::ReadDir.into()));

        assert_errno(read_to_string(&file), libc::EACCES);
        assert_errno(File::open(&file), libc::EACCES);
        // The directory itself can still be listed: the rule is in force.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }
}

// ----- ReadDir ------------------------------------------------------------------------

sandboxed_test! {
    fn list_dir_allowed_with_read_dir_right() {
        let dir = scratch("list_dir_allowed_with_read_dir_right");
        file_with(&dir, "a", "");
        file_with(&dir, "b", "");
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::ReadDir.into()));

        let mut names: Vec<OsString> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["a", "b"]);
    }
}

sandboxed_test! {
    fn list_dir_denied_without_read_dir_right() {
        let dir = scratch("list_dir_denied_without_read_dir_right");
        let file = file_with(&dir, "a", "content");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        apply_with_file_syscalls(Landlock::new().allow_path(&dir, AccessFs::ReadFile.into()));

        assert_errno(std::fs::read_dir(&dir), libc::EACCES);
        // Reading the file inside works: only listing is denied.
        assert_eq!(read_to_string(&file).unwrap(), "content");
    }
}

// ----- WriteFile ----------------------------------------------------------------------

sandboxed_test! {
    fn write_file_allowed_with_write_file_right() {
        let dir = scratch("write_file_allowed_with_write_file_right");
        let file = file_with(&dir, "data", "old");
        apply_implied_only(
            Landlock::new().allow_path(&file, AccessFs::WriteFile | AccessFs::ReadFile),
        );

        let mut f = OpenOptions::new().append(true).open(&file).unwrap();
        f.write_all(b" new").unwrap();
        drop(f);
        assert_eq!(read_to_string(&file).unwrap(), "old new");
    }
}

sandboxed_test! {
    fn write_file_denied_without_write_file_right() {
        let dir = scratch("write_file_denied_without_write_file_right");
        let file = file_with(&dir, "data", "old");
        apply_with_file_syscalls(Landlock::new().allow_path(&file, AccessFs::ReadFile.into()));

        assert_errno(OpenOptions::new().append(true).open(&file), libc::EACCES);
        assert_errno(OpenOptions::new().write(true).open(&file), libc::EACCES);
        assert_errno(raw_openat(&file, libc::O_RDWR), libc::EACCES);
        assert_eq!(read_to_string(&file).unwrap(), "old");
    }
}

// ----- Truncate -----------------------------------------------------------------------

sandboxed_test! {
    fn truncate_allowed_with_truncate_right() {
        let dir = scratch("truncate_allowed_with_truncate_right");
        let created = file_with(&dir, "created", "0123456789");
        let opened = file_with(&dir, "opened", "0123456789");
        let set_len = file_with(&dir, "set_len", "0123456789");
        let by_path = file_with(&dir, "by_path", "0123456789");
        apply_implied_only(Landlock::new().allow_path(
            &dir,
            AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::Truncate,
        ));

        // O_TRUNC through File::create and OpenOptions.
        File::create(&created).unwrap();
        assert_eq!(std::fs::metadata(&created).unwrap().len(), 0);
        OpenOptions::new().write(true).truncate(true).open(&opened).unwrap();
        assert_eq!(std::fs::metadata(&opened).unwrap().len(), 0);
        // ftruncate through set_len, truncate(2) by path.
        OpenOptions::new().write(true).open(&set_len).unwrap().set_len(3).unwrap();
        assert_eq!(read_to_string(&set_len).unwrap(), "012");
        raw_truncate(&by_path, 4).unwrap();
        assert_eq!(read_to_string(&by_path).unwrap(), "0123");
    }
}

sandboxed_test! {
    fn truncate_alone_allows_o_trunc_on_read_only_open_and_truncate_by_path() {
        let dir = scratch("truncate_alone_allows_o_trunc_on_read_only_open_and_truncate_by_path");
        let a = file_with(&dir, "a", "0123456789");
        let b = file_with(&dir, "b", "0123456789");
        apply_implied_only(
            Landlock::new().allow_path(&dir, AccessFs::ReadFile | AccessFs::Truncate),
        );

        raw_openat(&a, libc::O_RDONLY | libc::O_TRUNC | libc::O_CLOEXEC).unwrap();
        assert_eq!(std::fs::metadata(&a).unwrap().len(), 0);
        raw_truncate(&b, 2).unwrap();
        assert_eq!(read_to_string(&b).unwrap(), "01");
    }
}

sandboxed_test! {
    fn truncate_denied_without_truncate_right_even_with_write_file() {
        let dir = scratch("truncate_denied_without_truncate_right_even_with_write_file");
        let file = file_with(&dir, "data", "0123456789");
        apply_with_file_syscalls(
            Landlock::new().allow_path(&dir, AccessFs::ReadFile | AccessFs::WriteFile),
        );

        assert_errno(File::create(&file), libc::EACCES);
        assert_errno(
            OpenOptions::new().write(true).truncate(true).open(&file),
            libc::EACCES,
        );
        assert_errno(raw_truncate(&file, 1), libc::EACCES);
        // Truncation is decided at open: a descriptor opened without the right cannot
        // ftruncate, although it can write.
        let mut f = OpenOptions::new().write(true).open(&file).unwrap();
        assert_errno(f.set_len(1), libc::EACCES);
        f.write_all(b"ab").unwrap();
        drop(f);
        assert_eq!(read_to_string(&file).unwrap(), "ab23456789");
    }
}

sandboxed_test! {
    fn truncate_denied_under_read_only_grant() {
        let dir = scratch("truncate_denied_under_read_only_grant");
        let file = file_with(&dir, "data", "0123456789");
        apply_with_file_syscalls(Landlock::new().read_only(&dir));

        assert_errno(
            raw_openat(&file, libc::O_RDONLY | libc::O_TRUNC | libc::O_CLOEXEC),
            libc::EACCES,
        );
        assert_errno(raw_truncate(&file, 1), libc::EACCES);
        assert_errno(File::create(&file), libc::EACCES);
        // A read-only descriptor cannot ftruncate whatever Landlock says (EINVAL).
        assert_errno(File::open(&file).unwrap().set_len(1), libc::EINVAL);
        assert_eq!(read_to_string(&file).unwrap(), "0123456789");
    }
}

sandboxed_test! {
    fn creating_a_new_file_with_o_trunc_needs_no_truncate_right() {
        let dir = scratch("creating_a_new_file_with_o_trunc_needs_no_truncate_right");
        apply_implied_only(
            Landlock::new().allow_path(&dir, AccessFs::MakeReg | AccessFs::WriteFile),
        );

        // File::create passes O_TRUNC; on a file it creates, the kernel does not truncate.
        let mut f = File::create(dir.join("new")).unwrap();
        f.write_all(b"x").unwrap();
        drop(f);
        // On an existing file it would: denied.
        assert_errno(File::create(dir.join("new")), libc::EACCES);
        assert_eq!(std::fs::metadata(dir.join("new")).unwrap().len(), 1);
    }
}

// ----- MakeReg ------------------------------------------------------------------------

sandboxed_test! {
    fn create_file_allowed_with_make_reg_right() {
        let dir = scratch("create_file_allowed_with_make_reg_right");
        apply_implied_only(
            Landlock::new().allow_path(&dir, AccessFs::MakeReg | AccessFs::WriteFile),
        );

        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join("new"))
            .unwrap();
        f.write_all(b"abc").unwrap();
        drop(f);
        assert_eq!(std::fs::metadata(dir.join("new")).unwrap().len(), 3);
        // Opening the file it creates needs the right for the access mode too: read-only
        // needs ReadFile, not granted here. The file is made all the same.
        assert_errno(
            raw_openat(&dir.join("ro"), libc::O_RDONLY | libc::O_CREAT | libc::O_CLOEXEC),
            libc::EACCES,
        );
        assert!(std::fs::metadata(dir.join("ro")).unwrap().is_file());
    }
}

sandboxed_test! {
    fn create_file_denied_without_make_reg_right() {
        let dir = scratch("create_file_denied_without_make_reg_right");
        let existing = file_with(&dir, "existing", "");
        apply_with_file_syscalls(Landlock::new().allow_path(
            &dir,
            AccessFs::ReadFile | AccessFs::ReadDir | AccessFs::WriteFile | AccessFs::Truncate,
        ));

        assert_errno(File::create_new(dir.join("new")), libc::EACCES);
        assert_errno(File::create(dir.join("new")), libc::EACCES);
        assert!(!exists(&dir.join("new")));
        // Writing the existing file is granted.
        File::create(&existing).unwrap().write_all(b"ok").unwrap();
    }
}

// ----- MakeDir ------------------------------------------------------------------------

sandboxed_test! {
    fn make_dir_allowed_with_make_dir_right() {
        let dir = scratch("make_dir_allowed_with_make_dir_right");
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::MakeDir.into()));

        std::fs::create_dir(dir.join("sub")).unwrap();
        assert!(std::fs::metadata(dir.join("sub")).unwrap().is_dir());
    }
}

sandboxed_test! {
    fn make_dir_denied_without_make_dir_right() {
        let dir = scratch("make_dir_denied_without_make_dir_right");
        apply_with_file_syscalls(Landlock::new().allow_path(
            &dir,
            AccessFs::ReadDir | AccessFs::MakeReg | AccessFs::RemoveDir,
        ));

        assert_errno(std::fs::create_dir(dir.join("sub")), libc::EACCES);
        assert!(!exists(&dir.join("sub")));
    }
}

// ----- RemoveFile ---------------------------------------------------------------------

sandboxed_test! {
    fn remove_file_allowed_with_remove_file_right() {
        let dir = scratch("remove_file_allowed_with_remove_file_right");
        let file = file_with(&dir, "f", "");
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::RemoveFile.into()));

        std::fs::remove_file(&file).unwrap();
        assert!(!exists(&file));
    }
}

sandboxed_test! {
    fn remove_file_denied_without_remove_file_right() {
        let dir = scratch("remove_file_denied_without_remove_file_right");
        let file = file_with(&dir, "f", "");
        apply_with_file_syscalls(Landlock::new().allow_path(
            &dir,
            AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::RemoveDir,
        ));

        assert_errno(std::fs::remove_file(&file), libc::EACCES);
        assert!(exists(&file));
    }
}

// ----- RemoveDir ----------------------------------------------------------------------

sandboxed_test! {
    fn remove_dir_allowed_with_remove_dir_right() {
        let dir = scratch("remove_dir_allowed_with_remove_dir_right");
        std::fs::create_dir(dir.join("sub")).unwrap();
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::RemoveDir.into()));

        std::fs::remove_dir(dir.join("sub")).unwrap();
        assert!(!exists(&dir.join("sub")));
    }
}

sandboxed_test! {
    fn remove_dir_denied_without_remove_dir_right() {
        let dir = scratch("remove_dir_denied_without_remove_dir_right");
        std::fs::create_dir(dir.join("sub")).unwrap();
        apply_with_file_syscalls(
            Landlock::new().allow_path(&dir, AccessFs::RemoveFile | AccessFs::MakeDir),
        );

        assert_errno(std::fs::remove_dir(dir.join("sub")), libc::EACCES);
        assert!(exists(&dir.join("sub")));
    }
}

// ----- MakeSym ------------------------------------------------------------------------

sandboxed_test! {
    fn make_symlink_allowed_with_make_sym_right() {
        let dir = scratch("make_symlink_allowed_with_make_sym_right");
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::MakeSym.into()));

        std::os::unix::fs::symlink("target", dir.join("link")).unwrap();
        assert_eq!(std::fs::read_link(dir.join("link")).unwrap(), Path::new("target"));
    }
}

sandboxed_test! {
    fn make_symlink_denied_without_make_sym_right() {
        let dir = scratch("make_symlink_denied_without_make_sym_right");
        apply_with_file_syscalls(
            Landlock::new().allow_path(&dir, AccessFs::MakeReg | AccessFs::MakeDir),
        );

        assert_errno(
            std::os::unix::fs::symlink("target", dir.join("link")),
            libc::EACCES,
        );
        assert!(!exists(&dir.join("link")));
    }
}

// ----- MakeFifo, MakeSock, MakeChar, MakeBlock ----------------------------------------

sandboxed_test! {
    fn make_fifo_allowed_with_make_fifo_right() {
        let dir = scratch("make_fifo_allowed_with_make_fifo_right");
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::MakeFifo.into()));

        raw_mknod(&dir.join("fifo"), libc::S_IFIFO | 0o600, 0).unwrap();
        assert!(std::fs::metadata(dir.join("fifo")).unwrap().file_type().is_fifo());
    }
}

sandboxed_test! {
    fn make_fifo_denied_without_make_fifo_right() {
        let dir = scratch("make_fifo_denied_without_make_fifo_right");
        apply_with_file_syscalls(
            Landlock::new().allow_path(&dir, AccessFs::MakeReg | AccessFs::MakeSock),
        );

        assert_errno(raw_mknod(&dir.join("fifo"), libc::S_IFIFO | 0o600, 0), libc::EACCES);
        assert!(!exists(&dir.join("fifo")));
    }
}

sandboxed_test! {
    fn make_socket_allowed_with_make_sock_right() {
        let dir = scratch("make_socket_allowed_with_make_sock_right");
        apply_with_file_syscalls(Landlock::new().allow_path(&dir, AccessFs::MakeSock.into()));

        let _listener = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
        assert!(std::fs::metadata(dir.join("sock")).unwrap().file_type().is_socket());
    }
}

sandboxed_test! {
    fn make_socket_denied_without_make_sock_right() {
        let dir = scratch("make_socket_denied_without_make_sock_right");
        apply_with_file_syscalls(
            Landlock::new().allow_path(&dir, AccessFs::MakeReg | AccessFs::MakeFifo),
        );

        assert_errno(
            std::os::unix::net::UnixListener::bind(dir.join("sock")),
            libc::EACCES,
        );
        assert!(!exists(&dir.join("sock")));
    }
}

sandboxed_test! {
    fn make_char_device_allowed_with_make_char_right() {
        let dir = scratch("make_char_device_allowed_with_make_char_right");
        let root = common::is_root();
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::MakeChar.into()));

        // Creating device nodes needs CAP_MKNOD, which the kernel checks after Landlock.
        let made = raw_mknod(&dir.join("null"), libc::S_IFCHR | 0o600, libc::makedev(1, 3));
        if root {
            made.unwrap();
            assert!(std::fs::metadata(dir.join("null")).unwrap().file_type().is_char_device());
        } else {
            assert_unprivileged_mknod(made, &dir);
        }
    }
}

sandboxed_test! {
    fn make_char_device_denied_without_make_char_right() {
        let dir = scratch("make_char_device_denied_without_make_char_right");
        apply_with_file_syscalls(
            Landlock::new().allow_path(&dir, AccessFs::MakeBlock | AccessFs::MakeFifo),
        );

        assert_errno(
            raw_mknod(&dir.join("null"), libc::S_IFCHR | 0o600, libc::makedev(1, 3)),
            libc::EACCES,
        );
        assert!(!exists(&dir.join("null")));
    }
}

sandboxed_test! {
    fn make_block_device_allowed_with_make_block_right() {
        let dir = scratch("make_block_device_allowed_with_make_block_right");
        let root = common::is_root();
        apply_implied_only(Landlock::new().allow_path(&dir, AccessFs::MakeBlock.into()));

        let made = raw_mknod(&dir.join("loop"), libc::S_IFBLK | 0o600, libc::makedev(7, 0));
        if root {
            made.unwrap();
            assert!(std::fs::metadata(dir.join("loop")).unwrap().file_type().is_block_device());
        } else {
            assert_unprivileged_mknod(made, &dir);
        }
    }
}

sandboxed_test! {
    fn make_block_device_denied_without_make_block_right() {
        let dir = scratch("make_block_device_denied_without_make_block_right");
        apply_with_file_syscalls(
            Landlock::new().allow_path(&dir, AccessFs::MakeChar | AccessFs::MakeFifo),
        );

        assert_errno(
            raw_mknod(&dir.join("loop"), libc::S_IFBLK | 0o600, libc::makedev(7, 0)),
            libc::EACCES,
        );
        assert!(!exists(&dir.join("loop")));
    }
}

/// Without CAP_MKNOD, a device node that Landlock allows is refused by the kernel's own check
/// (EPERM), not by Landlock (EACCES); a FIFO, whose right is not granted, shows that the call
/// passes seccomp and reaches Landlock.
fn assert_unprivileged_mknod(made: std::io::Result<i64>, dir: &Path) {
    assert_errno(made, libc::EPERM);
    assert_errno(
        raw_mknod(&dir.join("fifo"), libc::S_IFIFO | 0o600, 0),
        libc::EACCES,
    );
}

// ----- Refer --------------------------------------------------------------------------

/// Rights to make and remove files, but not to move them across directories.
fn move_rights() -> BitFlags<AccessFs> {
    AccessFs::ReadFile | AccessFs::ReadDir | AccessFs::MakeReg | AccessFs::RemoveFile
}

sandboxed_test! {
    fn rename_and_link_across_directories_denied_with_exdev_without_refer() {
        let dir = scratch("rename_and_link_across_directories_denied_with_exdev_without_refer");
        std::fs::create_dir(dir.join("a")).unwrap();
        std::fs::create_dir(dir.join("b")).unwrap();
        let file = file_with(&dir.join("a"), "f", "data");
        apply_with_file_syscalls(Landlock::new().allow_path(&dir, move_rights()));

        assert_errno(std::fs::rename(&file, dir.join("b/f")), libc::EXDEV);
        assert_errno(std::fs::hard_link(&file, dir.join("b/f")), libc::EXDEV);
        assert!(exists(&file));
        assert!(!exists(&dir.join("b/f")));
        // Within one directory, no Refer is needed.
        std::fs::rename(&file, dir.join("a/g")).unwrap();
        std::fs::hard_link(dir.join("a/g"), dir.join("a/h")).unwrap();
        assert_eq!(read_to_string(&dir.join("a/h")).unwrap(), "data");
    }
}

sandboxed_test! {
    fn rename_and_link_across_directories_allowed_with_refer() {
        let dir = scratch("rename_and_link_across_directories_allowed_with_refer");
        std::fs::create_dir(dir.join("a")).unwrap();
        std::fs::create_dir(dir.join("b")).unwrap();
        let file = file_with(&dir.join("a"), "f", "data");
        apply_implied_only(
            Landlock::new().allow_path(&dir, move_rights() | AccessFs::Refer),
        );

        std::fs::rename(&file, dir.join("b/f")).unwrap();
        std::fs::hard_link(dir.join("b/f"), dir.join("a/g")).unwrap();
        assert!(!exists(&file));
        assert_eq!(read_to_string(&dir.join("b/f")).unwrap(), "data");
        assert_eq!(read_to_string(&dir.join("a/g")).unwrap(), "data");
    }
}

// ----- symlinks -----------------------------------------------------------------------

sandboxed_test! {
    fn symlink_out_of_allowed_tree_is_denied() {
        let dir = scratch("symlink_out_of_allowed_tree_is_denied");
        let outside = scratch("symlink_out_of_allowed_tree_is_denied-outside");
        let secret = file_with(&outside, "secret", "secret");
        let inner = file_with(&dir, "inner", "inner");
        std::os::unix::fs::symlink(&secret, dir.join("escape")).unwrap();
        std::os::unix::fs::symlink(&inner, dir.join("stay")).unwrap();
        assert_eq!(read_to_string(&dir.join("escape")).unwrap(), "secret");
        apply_with_file_syscalls(Landlock::new().read_only(&dir));

        assert_errno(read_to_string(&dir.join("escape")), libc::EACCES);
        assert_eq!(read_to_string(&dir.join("stay")).unwrap(), "inner");
        // The link itself is in the tree: reading it is not a Landlock right.
        assert_eq!(std::fs::read_link(dir.join("escape")).unwrap(), secret);
    }
}

// ----- IoctlDev -----------------------------------------------------------------------

/// ioctl allowed by seccomp, with the Landlock rules of `landlock`.
fn apply_with_ioctl(landlock: Landlock) {
    SafetyContext::new()
        .enable(SystemIO::nothing().allow_ioctl())
        .unwrap()
        .enable(landlock)
        .unwrap()
        .apply_to_current_thread()
        .unwrap();
}

fn open_rw(path: &str) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap()
}

sandboxed_test! {
    fn device_ioctl_denied_without_ioctl_dev_right() {
        // Without Landlock, TCGETS reaches the drivers: /dev/null has no ioctls (ENOTTY), a
        // pseudo-terminal master answers.
        assert_errno(raw_ioctl(File::open("/dev/null").unwrap().as_raw_fd(), libc::TCGETS), libc::ENOTTY);
        raw_ioctl(open_rw("/dev/ptmx").as_raw_fd(), libc::TCGETS).unwrap();
        let rw = AccessFs::ReadFile | AccessFs::WriteFile;
        apply_with_ioctl(Landlock::new().allow_path("/dev/null", rw).allow_path("/dev/ptmx", rw));

        let null = File::open("/dev/null").unwrap();
        assert_errno(raw_ioctl(null.as_raw_fd(), libc::TCGETS), libc::EACCES);
        assert_errno(raw_ioctl(null.as_raw_fd(), libc::FIONREAD), libc::EACCES);
        let ptmx = open_rw("/dev/ptmx");
        assert_errno(raw_ioctl(ptmx.as_raw_fd(), libc::TCGETS), libc::EACCES);
        // FIOCLEX and FIONCLEX are always allowed (fcntl can do the same).
        raw_ioctl(null.as_raw_fd(), libc::FIOCLEX).unwrap();
        raw_ioctl(null.as_raw_fd(), libc::FIONCLEX).unwrap();
    }
}

sandboxed_test! {
    fn device_ioctl_allowed_with_ioctl_dev_right() {
        let rights = AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::IoctlDev;
        apply_with_ioctl(
            Landlock::new().allow_path("/dev/null", rights).allow_path("/dev/ptmx", rights),
        );

        // The ioctl reaches the driver: /dev/null answers ENOTTY, not Landlock's EACCES.
        let null = File::open("/dev/null").unwrap();
        assert_errno(raw_ioctl(null.as_raw_fd(), libc::TCGETS), libc::ENOTTY);
        let ptmx = open_rw("/dev/ptmx");
        raw_ioctl(ptmx.as_raw_fd(), libc::TCGETS).unwrap();
        raw_ioctl(ptmx.as_raw_fd(), libc::FIONREAD).unwrap();
    }
}

// ----- Execute ------------------------------------------------------------------------

/// Runs programs (seccomp), with the Landlock rules of `landlock`.
fn apply_for_exec(landlock: Landlock) {
    SafetyContext::new()
        .enable(ForkAndExec)
        .unwrap()
        .enable(FileSyscalls)
        .unwrap()
        .enable(ResourceLimits::nothing().allow_get())
        .unwrap()
        .enable(common::ProgramStartup)
        .unwrap()
        .enable(landlock)
        .unwrap()
        .apply_to_current_thread()
        .unwrap();
}

/// Where `/bin/true` and its loader and libraries live (`/bin`, `/lib*` are links into
/// `/usr` on merged-/usr systems), and the loader's cache.
fn program_paths(rights: BitFlags<AccessFs>) -> Landlock {
    let mut landlock = Landlock::new();
    for dir in ["/usr", "/bin", "/lib", "/lib64"] {
        if Path::new(dir).exists() {
            landlock = landlock.allow_path(dir, rights);
        }
    }
    landlock.read_only("/etc/ld.so.cache")
}

sandboxed_test! {
    fn execute_allowed_with_execute_right() {
        apply_for_exec(program_paths(AccessFs::Execute | AccessFs::ReadFile));

        let status = std::process::Command::new("/bin/true").status().unwrap();
        assert!(status.success(), "{status:?}");
    }
}

sandboxed_test! {
    fn execute_allowed_with_landlock_execute_helper() {
        let mut landlock = Landlock::new().read_only("/etc/ld.so.cache");
        for dir in ["/usr", "/bin", "/lib", "/lib64"] {
            if Path::new(dir).exists() {
                landlock = landlock.execute(dir);
            }
        }
        apply_for_exec(landlock);

        let status = std::process::Command::new("/bin/false").status().unwrap();
        assert_eq!(status.code(), Some(1));
    }
}

sandboxed_test! {
    fn execute_denied_without_execute_right() {
        apply_for_exec(program_paths(AccessFs::ReadFile.into()));

        assert_errno(std::process::Command::new("/bin/true").status(), libc::EACCES);
        // The program can still be read.
        assert!(!std::fs::read("/bin/true").unwrap().is_empty());
    }
}

// ----- SystemIO path methods (0.5.1) --------------------------------------------------

/// Applies `io` alone: its path rules, and the seccomp rules they imply.
fn apply_io(io: SystemIO) -> EnforcementReport {
    SafetyContext::new()
        .enable(io)
        .expect("SystemIO enables")
        .enforce_on_current_thread()
        .expect("the context applies")
}

sandboxed_test! {
    fn systemio_allow_read_path_reads_beneath_it_only() {
        let dir = scratch("systemio_allow_read_path_reads_beneath_it_only");
        let other = scratch("systemio_allow_read_path_reads_beneath_it_only-other");
        std::fs::create_dir(dir.join("sub")).unwrap();
        let inside = file_with(&dir.join("sub"), "f", "inside");
        let outside = file_with(&other, "f", "outside");
        apply_io(SystemIO::nothing().allow_read_path(&dir));

        assert_eq!(read_to_string(&inside).unwrap(), "inside");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        assert_errno(read_to_string(&outside), libc::EACCES);
        assert_errno(std::fs::read_dir(&other), libc::EACCES);
    }
}

sandboxed_test! {
    fn systemio_allow_write_file_writes_that_file_only() {
        let dir = scratch("systemio_allow_write_file_writes_that_file_only");
        let target = file_with(&dir, "target", "old");
        let other = file_with(&dir, "other", "old");
        apply_io(SystemIO::nothing().allow_write_file(&target));

        OpenOptions::new().write(true).open(&target).unwrap().write_all(b"new").unwrap();
        // File::create on the existing file: WriteFile and Truncate.
        File::create(&target).unwrap().write_all(b"x").unwrap();
        assert_eq!(std::fs::metadata(&target).unwrap().len(), 1);
        assert_errno(OpenOptions::new().write(true).open(&other), libc::EACCES);
        assert_eq!(std::fs::metadata(&other).unwrap().len(), 3);
    }
}

sandboxed_test! {
    fn systemio_allow_create_in_dir_creates_files_there_only() {
        let dir = scratch("systemio_allow_create_in_dir_creates_files_there_only");
        let other = scratch("systemio_allow_create_in_dir_creates_files_there_only-other");
        apply_io(SystemIO::nothing().allow_create_in_dir(&dir));

        File::create(dir.join("new")).unwrap().write_all(b"abc").unwrap();
        File::create(dir.join("new")).unwrap().write_all(b"d").unwrap();
        assert_eq!(std::fs::metadata(dir.join("new")).unwrap().len(), 1);
        assert_errno(File::create(other.join("new")), libc::EACCES);
        assert!(!exists(&other.join("new")));
    }
}

sandboxed_test! {
    fn systemio_allow_list_dir_lists_without_reading_files() {
        let dir = scratch("systemio_allow_list_dir_lists_without_reading_files");
        let other = scratch("systemio_allow_list_dir_lists_without_reading_files-other");
        let file = file_with(&dir, "f", "content");
        apply_io(SystemIO::nothing().allow_list_dir(&dir));

        let names: Vec<OsString> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["f"]);
        assert_errno(read_to_string(&file), libc::EACCES);
        assert_errno(std::fs::read_dir(&other), libc::EACCES);
    }
}

sandboxed_test! {
    fn systemio_allow_create_dir_makes_directories_there_only() {
        let dir = scratch("systemio_allow_create_dir_makes_directories_there_only");
        let other = scratch("systemio_allow_create_dir_makes_directories_there_only-other");
        apply_io(SystemIO::nothing().allow_create_dir(&dir));

        std::fs::create_dir(dir.join("sub")).unwrap();
        assert!(std::fs::metadata(dir.join("sub")).unwrap().is_dir());
        assert_errno(std::fs::create_dir(other.join("sub")), libc::EACCES);
        // Files are not directories: no right allows O_CREAT, so seccomp denies the open.
        assert_errno(File::create(dir.join("file")), libc::EPERM);
    }
}

sandboxed_test! {
    fn systemio_allow_remove_file_removes_there_only() {
        let dir = scratch("systemio_allow_remove_file_removes_there_only");
        let other = scratch("systemio_allow_remove_file_removes_there_only-other");
        let file = file_with(&dir, "f", "");
        let kept = file_with(&other, "f", "");
        apply_io(SystemIO::nothing().allow_remove_file(&dir));

        std::fs::remove_file(&file).unwrap();
        assert!(!exists(&file));
        assert_errno(std::fs::remove_file(&kept), libc::EACCES);
        assert!(exists(&kept));
    }
}

sandboxed_test! {
    fn systemio_allow_remove_dir_removes_there_only() {
        let dir = scratch("systemio_allow_remove_dir_removes_there_only");
        let other = scratch("systemio_allow_remove_dir_removes_there_only-other");
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::create_dir(other.join("sub")).unwrap();
        let file = file_with(&dir, "f", "");
        apply_io(SystemIO::nothing().allow_remove_dir(&dir));

        std::fs::remove_dir(dir.join("sub")).unwrap();
        assert!(!exists(&dir.join("sub")));
        assert_errno(std::fs::remove_dir(other.join("sub")), libc::EACCES);
        assert!(exists(&other.join("sub")));
        // Not files: seccomp allows unlinkat only with AT_REMOVEDIR here.
        assert_errno(std::fs::remove_file(&file), libc::EPERM);
    }
}

const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

sandboxed_test! {
    fn systemio_allow_ssl_files_reads_certificates_but_not_shadow() {
        if !Path::new(CA_BUNDLE).exists() {
            return common::skip(&format!("{CA_BUNDLE} does not exist"));
        }
        // Only root may read /etc/shadow; /etc/passwd, everyone.
        if common::is_root() {
            assert!(File::open("/etc/shadow").is_ok());
        } else {
            assert_errno(File::open("/etc/shadow"), libc::EACCES);
        }
        assert!(File::open("/etc/passwd").is_ok());
        apply_io(SystemIO::nothing().allow_ssl_files());

        let bundle = read_to_string(Path::new(CA_BUNDLE)).unwrap();
        assert!(bundle.contains("BEGIN CERTIFICATE"));
        assert_errno(File::open("/etc/shadow"), libc::EACCES);
        assert_errno(File::open("/etc/passwd"), libc::EACCES);
    }
}

sandboxed_test! {
    fn systemio_allow_ssl_files_honours_ssl_cert_file() {
        let dir = scratch("systemio_allow_ssl_files_honours_ssl_cert_file");
        let cert = file_with(&dir, "my-ca.pem", "my certificate");
        let sibling = file_with(&dir, "other.pem", "other");
        std::env::set_var("SSL_CERT_FILE", &cert);
        apply_io(SystemIO::nothing().allow_ssl_files());

        assert_eq!(read_to_string(&cert).unwrap(), "my certificate");
        // The file only, not its directory.
        assert_errno(read_to_string(&sibling), libc::EACCES);
    }
}

sandboxed_test! {
    fn systemio_allow_dns_files_reads_hosts_and_resolv_conf_but_not_passwd() {
        assert!(File::open("/etc/passwd").is_ok());
        apply_io(SystemIO::nothing().allow_dns_files());

        // Landlock resolves symlinks (such as a systemd-resolved resolv.conf): reading
        // through the link must work.
        read_to_string(Path::new("/etc/hosts")).unwrap();
        read_to_string(Path::new("/etc/resolv.conf")).unwrap();
        assert_errno(File::open("/etc/passwd"), libc::EACCES);
    }
}

// ----- Landlock helpers ---------------------------------------------------------------

sandboxed_test! {
    fn landlock_read_only_reads_and_lists_but_does_not_change() {
        let dir = scratch("landlock_read_only_reads_and_lists_but_does_not_change");
        let file = file_with(&dir, "f", "content");
        apply_with_file_syscalls(Landlock::new().read_only(&dir));

        assert_eq!(read_to_string(&file).unwrap(), "content");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        assert_errno(OpenOptions::new().append(true).open(&file), libc::EACCES);
        assert_errno(File::create(dir.join("new")), libc::EACCES);
        assert_errno(std::fs::create_dir(dir.join("sub")), libc::EACCES);
        assert_errno(std::fs::remove_file(&file), libc::EACCES);
    }
}

sandboxed_test! {
    fn landlock_read_write_allows_changes_beneath_it_only() {
        let dir = scratch("landlock_read_write_allows_changes_beneath_it_only");
        let other = scratch("landlock_read_write_allows_changes_beneath_it_only-other");
        apply_implied_only(Landlock::new().read_write(&dir));

        File::create(dir.join("f")).unwrap().write_all(b"0123").unwrap();
        File::create(dir.join("f")).unwrap().write_all(b"ab").unwrap();
        assert_eq!(read_to_string(&dir.join("f")).unwrap(), "ab");
        std::fs::create_dir(dir.join("a")).unwrap();
        std::fs::create_dir(dir.join("b")).unwrap();
        std::fs::rename(dir.join("f"), dir.join("a/f")).unwrap();
        std::fs::hard_link(dir.join("a/f"), dir.join("b/f")).unwrap();
        std::os::unix::fs::symlink("a/f", dir.join("link")).unwrap();
        raw_mknod(&dir.join("fifo"), libc::S_IFIFO | 0o600, 0).unwrap();
        let mut names: Vec<OsString> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["a", "b", "fifo", "link"]);
        std::fs::remove_file(dir.join("a/f")).unwrap();
        std::fs::remove_dir(dir.join("a")).unwrap();
        // Not devices, not elsewhere.
        assert_errno(
            raw_mknod(&dir.join("null"), libc::S_IFCHR | 0o600, libc::makedev(1, 3)),
            libc::EACCES,
        );
        assert_errno(File::create(other.join("f")), libc::EACCES);
        assert_errno(std::fs::create_dir(other.join("a")), libc::EACCES);
    }
}

// ----- path errors --------------------------------------------------------------------

sandboxed_test! {
    fn missing_path_is_an_error_naming_path_and_ruleset_and_nothing_is_applied() {
        let dir = scratch("missing_path_is_an_error_naming_path_and_ruleset_and_nothing_is_applied");
        let missing = dir.join("does-not-exist");
        let unrelated = file_with(&scratch("missing_path_unrelated"), "f", "unrelated");
        let err = SafetyContext::new()
            .enable(Landlock::named("AppConfig").read_only(&dir).read_only(&missing))
            .unwrap()
            .apply_to_current_thread()
            .unwrap_err();

        match &err {
            ExtraSafeError::LandlockPath { path, ruleset, source } => {
                assert_eq!(path, &missing);
                assert_eq!(*ruleset, "AppConfig");
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("expected LandlockPath, got {other:?}"),
        }
        let message = err.to_string();
        assert!(message.contains(&missing.display().to_string()), "{message}");
        assert!(message.contains("RuleSet `AppConfig`"), "{message}");
        assert!(message.contains("skip_missing_paths"), "{message}");
        // Neither Landlock nor seccomp is in force.
        assert_eq!(read_to_string(&unrelated).unwrap(), "unrelated");
        File::create(dir.join("new")).unwrap();
        assert_eq!(
            raw_syscall(libc::SYS_getppid, [0; 6]).unwrap(),
            i64::from(std::os::unix::process::parent_id())
        );
    }
}

sandboxed_test! {
    fn skip_missing_paths_applies_and_reports_the_skipped_path() {
        let dir = scratch("skip_missing_paths_applies_and_reports_the_skipped_path");
        let other = scratch("skip_missing_paths_applies_and_reports_the_skipped_path-other");
        let missing = dir.join("does-not-exist");
        let inside = file_with(&dir, "f", "inside");
        let outside = file_with(&other, "f", "outside");
        let report = SafetyContext::new()
            .skip_missing_paths()
            .enable(FileSyscalls)
            .unwrap()
            .enable(Landlock::new().read_only(&missing).read_only(&dir))
            .unwrap()
            .enforce_on_current_thread()
            .unwrap();

        let landlock = report.landlock.as_ref().expect("a Landlock report");
        assert_eq!(landlock.skipped_paths, vec![missing.clone()]);
        assert_eq!(landlock.paths, 1);
        assert_eq!(landlock.status, LandlockStatus::FullyEnforced);
        let text = report.to_string();
        assert!(text.contains(&format!("skipped missing paths: {}", missing.display())), "{text}");
        assert_eq!(read_to_string(&inside).unwrap(), "inside");
        assert_errno(read_to_string(&outside), libc::EACCES);
    }
}

sandboxed_test! {
    fn path_with_nul_byte_is_a_clear_error_not_a_panic() {
        let dir = scratch("path_with_nul_byte_is_a_clear_error_not_a_panic");
        let unrelated = file_with(&dir, "f", "unrelated");
        let bad = Path::new(OsStr::from_bytes(b"/tmp/a\0b"));
        for skip in [false, true] {
            let mut ctx = SafetyContext::new();
            if skip {
                // A NUL byte is not a missing path: never skipped silently.
                ctx = ctx.skip_missing_paths();
            }
            let err = ctx
                .enable(SystemIO::nothing().allow_read_path(bad))
                .unwrap()
                .apply_to_current_thread()
                .unwrap_err();
            match &err {
                ExtraSafeError::LandlockPath { path, ruleset, source } => {
                    assert_eq!(path, bad);
                    assert_eq!(*ruleset, "SystemIO");
                    assert_eq!(source.kind(), std::io::ErrorKind::InvalidInput);
                }
                other => panic!("expected LandlockPath, got {other:?}"),
            }
            let message = err.to_string();
            assert!(message.contains("/tmp/a"), "{message}");
            assert!(message.contains("RuleSet `SystemIO`"), "{message}");
        }
        // Nothing applied.
        assert_eq!(read_to_string(&unrelated).unwrap(), "unrelated");
    }
}

sandboxed_test! {
    fn non_utf8_path_works_as_a_rule() {
        let dir = fresh_dir(b"extrasafe-landlock-fs-\xff\xfe");
        assert!(dir.to_str().is_none(), "the path is not UTF-8");
        let file = dir.join(OsString::from_vec(b"\xff".to_vec()));
        std::fs::write(&file, "bytes").unwrap();
        let other = file_with(&scratch("non_utf8_path_works_as_a_rule-other"), "f", "other");
        let ctx = SafetyContext::new().enable(Landlock::new().read_only(&dir)).unwrap();
        let explained = ctx.explain().unwrap().to_string();
        assert!(explained.contains("extrasafe-landlock-fs-"), "{explained}");
        let report = ctx.enforce_on_current_thread().unwrap();

        assert_eq!(report.landlock.unwrap().paths, 1);
        assert_eq!(read_to_string(&file).unwrap(), "bytes");
        assert_errno(read_to_string(&other), libc::EACCES);
    }
}

// ----- the seccomp side, the report, explain() ----------------------------------------

sandboxed_test! {
    fn landlock_only_leaves_seccomp_off() {
        let dir = scratch("landlock_only_leaves_seccomp_off");
        let outside = file_with(&scratch("landlock_only_leaves_seccomp_off-other"), "f", "x");
        let inside = file_with(&dir, "f", "inside");
        let landlock = Landlock::new().read_only(&dir);
        // With seccomp, getppid would be denied: nothing allows it.
        let with_seccomp = SafetyContext::new().enable(landlock.clone()).unwrap();
        assert_eq!(with_seccomp.explain().unwrap().get(Sysno::getppid), None);

        let report = SafetyContext::new()
            .landlock_only()
            .enable(landlock)
            .unwrap()
            .enforce_on_current_thread()
            .unwrap();
        assert!(report.seccomp.is_none());
        assert!(report.to_string().contains("seccomp: not applied"));
        assert_eq!(
            raw_syscall(libc::SYS_getppid, [0; 6]).unwrap(),
            i64::from(std::os::unix::process::parent_id())
        );
        assert_eq!(read_to_string(&inside).unwrap(), "inside");
        assert_errno(read_to_string(&outside), libc::EACCES);
    }
}

sandboxed_test! {
    fn report_says_landlock_fully_enforced_with_abi_and_path_count() {
        let dir = scratch("report_says_landlock_fully_enforced_with_abi_and_path_count");
        let file = file_with(&scratch("report_other"), "f", "file");
        let report = apply_implied_only(
            Landlock::new()
                .read_only(&dir)
                .allow_path(&file, AccessFs::ReadFile.into()),
        );

        let landlock = report.landlock.as_ref().expect("a Landlock report");
        assert_eq!(landlock.status, LandlockStatus::FullyEnforced);
        assert!(landlock.kernel_abi >= 6, "{landlock:?}");
        assert_eq!(landlock.paths, 2);
        assert_eq!(landlock.ports, 0);
        assert!(landlock.not_enforced.is_empty());
        assert!(landlock.skipped_paths.is_empty());
        assert!(report.seccomp.is_some());
        let text = report.to_string();
        assert!(text.contains("landlock: fully enforced"), "{text}");
        assert!(text.contains("2 path rules"), "{text}");
        assert_eq!(read_to_string(&file).unwrap(), "file");
    }
}

#[test]
fn explain_lists_landlock_rules_and_implied_syscalls() {
    let dir = std::env::temp_dir();
    let ctx = SafetyContext::new()
        .enable(Landlock::named("Data").allow_path(
            &dir,
            AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::MakeReg,
        ))
        .unwrap();
    let explanation = ctx.explain().unwrap();

    let rule = explanation
        .landlock
        .iter()
        .find(|line| line.starts_with(&dir.display().to_string()))
        .unwrap_or_else(|| panic!("no rule line in {:?}", explanation.landlock));
    for word in ["read_file", "write_file", "make_reg", "(Data)"] {
        assert!(rule.contains(word), "{rule}");
    }
    assert!(!rule.contains("remove_file"), "{rule}");
    match explanation.get(Sysno::openat) {
        Some(Verdict::AllowedIf { rules }) => {
            assert!(!rules.is_empty());
            assert!(rules.iter().all(|(by, _)| *by == IMPLIED), "{rules:?}");
        }
        other => panic!("openat: {other:?}"),
    }
    for sysno in [Sysno::read, Sysno::write, Sysno::close] {
        assert_eq!(
            explanation.get(sysno),
            Some(&Verdict::Allowed { by: vec![IMPLIED] }),
            "{sysno}"
        );
    }
    // Rights not granted imply nothing.
    for sysno in [Sysno::unlinkat, Sysno::mkdirat, Sysno::execve, Sysno::ioctl] {
        assert_eq!(explanation.get(sysno), None, "{sysno}");
    }
    let text = explanation.to_string();
    assert!(text.contains(&format!("landlock: {rule}")), "{text}");
    assert!(text.contains("allowed if arg2 & "), "{text}");
    assert!(text.contains("(Landlock (implied))"), "{text}");
}

sandboxed_test! {
    fn implied_open_merges_with_allow_open_readonly() {
        let dir = scratch("implied_open_merges_with_allow_open_readonly");
        let other = scratch("implied_open_merges_with_allow_open_readonly-other");
        let ctx = SafetyContext::new()
            .enable(SystemIO::nothing().allow_open_readonly())
            .expect("no conflict with the implied rules")
            .enable(Landlock::new().read_write(&dir))
            .expect("no conflict with allow_open_readonly");
        match ctx.explain().unwrap().get(Sysno::openat) {
            Some(Verdict::AllowedIf { rules }) => {
                assert!(rules.iter().any(|(by, _)| *by == "SystemIO"), "{rules:?}");
                assert!(rules.iter().any(|(by, _)| *by == IMPLIED), "{rules:?}");
            }
            other => panic!("openat: {other:?}"),
        }
        ctx.apply_to_current_thread().unwrap();

        File::create(dir.join("new")).unwrap().write_all(b"data").unwrap();
        assert_eq!(read_to_string(&dir.join("new")).unwrap(), "data");
        // Seccomp lets the open through; Landlock denies it.
        assert_errno(File::create(other.join("new")), libc::EACCES);
        assert!(!exists(&other.join("new")));
    }
}

sandboxed_test! {
    fn stdout_condition_with_write_grant_is_a_conflict_naming_both_and_applies_nothing() {
        let dir = scratch("stdout_condition_with_write_grant_is_a_conflict_naming_both_and_applies_nothing");
        // write on fd 1 only (allow_stdout), and write on any descriptor (a write grant).
        let ctx = SafetyContext::new()
            .enable(SystemIO::nothing().allow_stdout().allow_create_in_dir(&dir))
            .expect("enable does not merge the implied rules yet");
        let expected = |err: &ExtraSafeError| match err {
            ExtraSafeError::ConditionalNoEffectError(sysno, conditional, simple) => {
                assert_eq!(*sysno, Sysno::write);
                assert_eq!(*conditional, "SystemIO");
                assert_eq!(*simple, IMPLIED);
                // 0.5.1's sentence, with the implied rules' label as the simple RuleSet;
                // help() says what Landlock needs.
                assert_eq!(
                    err.to_string(),
                    "A conditional rule on syscall `write` from RuleSet `SystemIO` would be \
                     overridden by a simple rule from RuleSet `Landlock (implied)`."
                );
                let help = err.help().expect("advice for a conflict");
                assert!(help.contains("Landlock rights need `write`"), "{help}");
                assert!(help.contains("drop them from `SystemIO`"), "{help}");
            }
            other => panic!("expected ConditionalNoEffectError, got {other:?}"),
        };
        expected(&ctx.explain().unwrap_err());
        // compile() refuses any context with Landlock rules (a CompiledFilter cannot carry them).
        assert!(matches!(
            ctx.clone().compile(),
            Err(ExtraSafeError::NotSeccompOnly { layer: "Landlock" })
        ));
        expected(&ctx.apply_to_current_thread().unwrap_err());

        // Nothing was applied: no Landlock (a file outside `dir`), no seccomp (getppid).
        let outside = scratch("stdout_condition_with_write_grant-outside");
        File::create(outside.join("f")).unwrap().write_all(b"x").unwrap();
        assert_eq!(
            raw_syscall(libc::SYS_getppid, [0; 6]).unwrap(),
            i64::from(std::os::unix::process::parent_id())
        );
    }
}
