//! `SystemIO`: every method, through real std calls. What a method allows succeeds; the same
//! call without it fails with EPERM.

mod common;

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use common::{assert_errno, raw_syscall};
use extrasafe::builtins::SystemIO;
use extrasafe::syscalls::Sysno;
use extrasafe::SafetyContext;

/// A fresh directory for one test, made before the sandbox.
fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("extrasafe-systemio-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// A file named `name` in `dir` holding `content`.
fn file_with(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write the test file");
    path
}

/// Applies `io` alone to the current thread.
fn sandbox(io: SystemIO) {
    SafetyContext::new()
        .enable(io)
        .expect("the RuleSet enables")
        .apply_to_current_thread()
        .expect("the filter loads");
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).expect("no NUL in the path")
}

/// `openat(AT_FDCWD, path, flags, 0o600)` as a raw syscall, so the exact flags reach the filter.
fn raw_openat(path: &Path, flags: libc::c_int) -> Result<i64, i32> {
    let path = c_path(path);
    raw_syscall(
        libc::SYS_openat,
        [
            libc::AT_FDCWD as u64,
            path.as_ptr() as u64,
            u64::from(flags.unsigned_abs()),
            0o600,
            0,
            0,
        ],
    )
}

/// `io::Result` view of a raw syscall result, for `assert_errno`.
fn io_result(r: Result<i64, i32>) -> std::io::Result<i64> {
    r.map_err(std::io::Error::from_raw_os_error)
}

// ----- allow_read ---------------------------------------------------------------------

sandboxed_test! {
    fn read_allows_reading_open_files() {
        let dir = scratch("read_allows_reading_open_files");
        let mut file = File::open(file_with(&dir, "a", "hello world")).unwrap();
        sandbox(SystemIO::nothing().allow_read().allow_stderr());

        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello world");
        // lseek and pread64 are part of reading.
        file.seek(SeekFrom::Start(6)).unwrap();
        let mut buf = [0u8; 5];
        file.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"world");
        let mut buf = [0u8; 5];
        file.read_exact_at(&mut buf, 0).unwrap();
        assert_eq!(&buf, b"hello");
    }
}

sandboxed_test! {
    fn read_is_denied_without_allow_read() {
        let dir = scratch("read_is_denied_without_allow_read");
        let mut file = File::open(file_with(&dir, "a", "hello")).unwrap();
        sandbox(SystemIO::nothing().allow_stderr());

        let mut buf = [0u8; 5];
        assert_errno(file.read(&mut buf), libc::EPERM);
        assert_errno(file.read_at(&mut buf, 0), libc::EPERM);
        assert_errno(file.seek(SeekFrom::Start(1)), libc::EPERM);
    }
}

// ----- allow_write --------------------------------------------------------------------

sandboxed_test! {
    fn write_allows_writing_open_files() {
        let dir = scratch("write_allows_writing_open_files");
        let path = file_with(&dir, "a", "");
        let mut file = OpenOptions::new().write(true).open(&path).unwrap();
        let check = File::open(&path).unwrap();
        // allow_read, not allow_file_read(&check): as in 0.5.1, allow_file_read's lseek on
        // one fd conflicts with allow_write's lseek on every fd.
        sandbox(SystemIO::nothing().allow_write().allow_read());

        file.write_all(b"hello ").unwrap();
        file.write_all_at(b"world", 6).unwrap();
        file.sync_all().unwrap();
        file.sync_data().unwrap();
        let mut buf = [0u8; 11];
        check.read_exact_at(&mut buf, 0).unwrap();
        assert_eq!(&buf, b"hello world");
    }
}

sandboxed_test! {
    fn write_is_denied_without_allow_write() {
        let dir = scratch("write_is_denied_without_allow_write");
        let path = file_with(&dir, "a", "untouched");
        let mut file = OpenOptions::new().write(true).open(&path).unwrap();
        let check = File::open(&path).unwrap();
        sandbox(SystemIO::nothing().allow_stderr().allow_file_read(&check));

        assert_errno(file.write(b"x"), libc::EPERM);
        assert_errno(file.write_at(b"x", 0), libc::EPERM);
        assert_errno(file.sync_all(), libc::EPERM);
        let mut buf = [0u8; 9];
        check.read_exact_at(&mut buf, 0).unwrap();
        assert_eq!(&buf, b"untouched");
    }
}

// ----- allow_open ---------------------------------------------------------------------

sandboxed_test! {
    fn open_allows_creating_and_writing_files() {
        let dir = scratch("open_allows_creating_and_writing_files");
        let path = dir.join("new");
        sandbox(
            SystemIO::nothing()
                .allow_open()
                .yes_really()
                .allow_read()
                .allow_write()
                .allow_close(),
        );

        let mut file = File::create(&path).unwrap();
        file.write_all(b"created").unwrap();
        drop(file);
        let mut text = String::new();
        File::open(&path).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "created");
        // O_TRUNC works too.
        drop(OpenOptions::new().write(true).truncate(true).open(&path).unwrap());
        let mut text = String::new();
        File::open(&path).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "");
    }
}

sandboxed_test! {
    fn open_allows_openat2() {
        let dir = scratch("open_allows_openat2");
        let path = c_path(&file_with(&dir, "a", "x"));
        sandbox(SystemIO::nothing().allow_open().yes_really().allow_stderr());

        // struct open_how { u64 flags; u64 mode; u64 resolve; }
        let how: [u64; 3] = [libc::O_RDONLY as u64, 0, 0];
        let fd = raw_syscall(
            libc::SYS_openat2,
            [
                libc::AT_FDCWD as u64,
                path.as_ptr() as u64,
                how.as_ptr() as u64,
                std::mem::size_of_val(&how) as u64,
                0,
                0,
            ],
        );
        assert!(fd.is_ok(), "openat2 failed: {fd:?}");
    }
}

sandboxed_test! {
    fn open_is_denied_without_allow_open() {
        let dir = scratch("open_is_denied_without_allow_open");
        let existing = file_with(&dir, "a", "x");
        sandbox(SystemIO::nothing().allow_read().allow_write().allow_close());

        assert_errno(File::open(&existing), libc::EPERM);
        assert_errno(File::create(dir.join("new")), libc::EPERM);
        assert_errno(io_result(raw_openat(&existing, libc::O_RDONLY)), libc::EPERM);
    }
}

// ----- allow_open_readonly ------------------------------------------------------------

fn readonly_sandbox() {
    sandbox(
        SystemIO::nothing()
            .allow_open_readonly()
            .allow_read()
            .allow_close()
            .allow_stderr(),
    );
}

sandboxed_test! {
    fn open_readonly_allows_reading_files() {
        let dir = scratch("open_readonly_allows_reading_files");
        let path = file_with(&dir, "a", "read me");
        readonly_sandbox();

        let mut text = String::new();
        File::open(&path).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "read me");
        // Flags that do not modify anything are fine.
        let flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NONBLOCK;
        assert!(raw_openat(&path, flags).is_ok());
        // The legacy open(2) is checked the same way.
        #[cfg(target_arch = "x86_64")]
        {
            let c = c_path(&path);
            let fd = raw_syscall(libc::SYS_open, [c.as_ptr() as u64, 0, 0, 0, 0, 0]);
            assert!(fd.is_ok(), "open(O_RDONLY) failed: {fd:?}");
            let denied = raw_syscall(
                libc::SYS_open,
                [c.as_ptr() as u64, libc::O_WRONLY as u64, 0, 0, 0, 0],
            );
            assert_eq!(denied, Err(libc::EPERM));
        }
    }
}

sandboxed_test! {
    fn open_readonly_denies_write_access() {
        let dir = scratch("open_readonly_denies_write_access");
        let path = file_with(&dir, "a", "keep");
        readonly_sandbox();

        assert_errno(OpenOptions::new().write(true).open(&path), libc::EPERM);
        assert_errno(OpenOptions::new().read(true).write(true).open(&path), libc::EPERM);
        assert_errno(OpenOptions::new().append(true).open(&path), libc::EPERM);
        assert_errno(io_result(raw_openat(&path, libc::O_WRONLY)), libc::EPERM);
        assert_errno(io_result(raw_openat(&path, libc::O_RDWR)), libc::EPERM);
        // O_WRONLY | O_RDWR (access mode 3) is refused as well.
        assert_errno(io_result(raw_openat(&path, libc::O_ACCMODE)), libc::EPERM);
    }
}

sandboxed_test! {
    fn open_readonly_denies_create() {
        let dir = scratch("open_readonly_denies_create");
        let new = dir.join("new");
        readonly_sandbox();

        assert_errno(File::create(&new), libc::EPERM);
        // Even O_RDONLY | O_CREAT, which would create the file.
        assert_errno(io_result(raw_openat(&new, libc::O_RDONLY | libc::O_CREAT)), libc::EPERM);
        assert_errno(
            OpenOptions::new().read(true).custom_flags(libc::O_CREAT).open(&new),
            libc::EPERM,
        );
        assert_errno(File::open(&new), libc::ENOENT);
    }
}

sandboxed_test! {
    fn open_readonly_cannot_truncate() {
        let dir = scratch("open_readonly_cannot_truncate");
        let path = file_with(&dir, "a", "precious");
        readonly_sandbox();

        assert_errno(
            OpenOptions::new().read(true).custom_flags(libc::O_TRUNC).open(&path),
            libc::EPERM,
        );
        assert_errno(io_result(raw_openat(&path, libc::O_RDONLY | libc::O_TRUNC)), libc::EPERM);
        let mut text = String::new();
        File::open(&path).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "precious", "the file was truncated");
    }
}

sandboxed_test! {
    fn open_readonly_denies_tmpfile() {
        let dir = scratch("open_readonly_denies_tmpfile");
        readonly_sandbox();

        assert_errno(io_result(raw_openat(&dir, libc::O_TMPFILE | libc::O_RDWR)), libc::EPERM);
        assert_errno(io_result(raw_openat(&dir, libc::O_TMPFILE | libc::O_WRONLY)), libc::EPERM);
        // The kernel would answer EINVAL for O_TMPFILE without write access; the filter must
        // refuse it first, on the O_TMPFILE bit alone.
        assert_errno(io_result(raw_openat(&dir, libc::O_TMPFILE)), libc::EPERM);
    }
}

sandboxed_test! {
    fn open_readonly_denies_openat2() {
        let dir = scratch("open_readonly_denies_openat2");
        let path = c_path(&file_with(&dir, "a", "x"));
        readonly_sandbox();

        let how: [u64; 3] = [libc::O_RDONLY as u64, 0, 0];
        let r = raw_syscall(
            libc::SYS_openat2,
            [
                libc::AT_FDCWD as u64,
                path.as_ptr() as u64,
                how.as_ptr() as u64,
                std::mem::size_of_val(&how) as u64,
                0,
                0,
            ],
        );
        assert_eq!(r, Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn open_readonly_lists_directories() {
        let dir = scratch("open_readonly_lists_directories");
        file_with(&dir, "one", "1");
        file_with(&dir, "two", "2");
        sandbox(
            SystemIO::nothing()
                .allow_open_readonly()
                .allow_metadata()
                .allow_close()
                .allow_read()
                .allow_stderr(),
        );

        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["one", "two"]);
    }
}

sandboxed_test! {
    fn listing_directories_is_denied_without_metadata() {
        let dir = scratch("listing_directories_is_denied_without_metadata");
        file_with(&dir, "one", "1");
        sandbox(
            SystemIO::nothing()
                .allow_open_readonly()
                .allow_close()
                .allow_read()
                .allow_stderr(),
        );

        // glibc's opendir checks the descriptor with fstat, and listing needs getdents64.
        assert_errno(std::fs::read_dir(&dir), libc::EPERM);
        let fd = raw_openat(&dir, libc::O_RDONLY | libc::O_DIRECTORY).unwrap();
        let mut buf = [0u8; 1024];
        let r = raw_syscall(
            libc::SYS_getdents64,
            [fd as u64, buf.as_mut_ptr() as u64, buf.len() as u64, 0, 0, 0],
        );
        assert_eq!(r, Err(libc::EPERM));
    }
}

// ----- allow_metadata -----------------------------------------------------------------

sandboxed_test! {
    fn metadata_allows_stat() {
        let dir = scratch("metadata_allows_stat");
        let path = file_with(&dir, "a", "12345");
        let file = File::open(&path).unwrap();
        sandbox(SystemIO::nothing().allow_metadata().allow_stderr());

        assert_eq!(std::fs::metadata(&path).unwrap().len(), 5);
        assert!(std::fs::symlink_metadata(&dir).unwrap().is_dir());
        assert_eq!(file.metadata().unwrap().len(), 5);
        assert!(std::env::current_dir().is_ok());
    }
}

sandboxed_test! {
    fn metadata_is_denied_without_allow_metadata() {
        let dir = scratch("metadata_is_denied_without_allow_metadata");
        let path = file_with(&dir, "a", "12345");
        let file = File::open(&path).unwrap();
        sandbox(SystemIO::nothing().allow_stderr());

        assert_errno(std::fs::metadata(&path), libc::EPERM);
        assert_errno(std::fs::symlink_metadata(&path), libc::EPERM);
        assert_errno(file.metadata(), libc::EPERM);
        assert_errno(std::env::current_dir(), libc::EPERM);
    }
}

// ----- allow_ioctl --------------------------------------------------------------------

/// `ioctl(fd, FIONREAD, &n)`: the bytes left to read.
fn fionread(file: &File) -> Result<i32, i32> {
    let mut n: libc::c_int = -1;
    raw_syscall(
        libc::SYS_ioctl,
        [
            file.as_raw_fd() as u64,
            libc::FIONREAD,
            std::ptr::from_mut(&mut n) as u64,
            0,
            0,
            0,
        ],
    )
    .map(|_| n)
}

sandboxed_test! {
    fn ioctl_allows_any_request() {
        let dir = scratch("ioctl_allows_any_request");
        let file = File::open(file_with(&dir, "a", "1234567")).unwrap();
        sandbox(SystemIO::nothing().allow_ioctl().allow_stderr());

        assert_eq!(fionread(&file), Ok(7));
        // Any request reaches the kernel: TCGETS on a regular file is the kernel's ENOTTY.
        let mut termios = [0u8; 64];
        let r = raw_syscall(
            libc::SYS_ioctl,
            [file.as_raw_fd() as u64, libc::TCGETS, termios.as_mut_ptr() as u64, 0, 0, 0],
        );
        assert_eq!(r, Err(libc::ENOTTY));
    }
}

sandboxed_test! {
    fn ioctl_is_denied_without_allow_ioctl() {
        let dir = scratch("ioctl_is_denied_without_allow_ioctl");
        let file = File::open(file_with(&dir, "a", "1234567")).unwrap();
        sandbox(SystemIO::nothing().allow_stderr());

        assert_eq!(fionread(&file), Err(libc::EPERM));
    }
}

// ----- allow_close --------------------------------------------------------------------

sandboxed_test! {
    fn close_allows_closing() {
        let dir = scratch("close_allows_closing");
        let fd = File::open(file_with(&dir, "a", "x")).unwrap().into_raw_fd();
        let other = File::open(dir.join("a")).unwrap().into_raw_fd();
        sandbox(SystemIO::nothing().allow_close().allow_stderr());

        assert_eq!(raw_syscall(libc::SYS_close, [fd as u64, 0, 0, 0, 0, 0]), Ok(0));
        // Closed for real: a second close is the kernel's EBADF.
        assert_eq!(
            raw_syscall(libc::SYS_close, [fd as u64, 0, 0, 0, 0, 0]),
            Err(libc::EBADF)
        );
        let other = other as u64;
        assert_eq!(raw_syscall(libc::SYS_close_range, [other, other, 0, 0, 0, 0]), Ok(0));
    }
}

sandboxed_test! {
    fn close_is_denied_without_allow_close() {
        let dir = scratch("close_is_denied_without_allow_close");
        let fd = File::open(file_with(&dir, "a", "x")).unwrap().into_raw_fd() as u64;
        sandbox(SystemIO::nothing().allow_stderr());

        assert_eq!(raw_syscall(libc::SYS_close, [fd, 0, 0, 0, 0, 0]), Err(libc::EPERM));
        assert_eq!(raw_syscall(libc::SYS_close_range, [fd, fd, 0, 0, 0, 0]), Err(libc::EPERM));
    }
}

// ----- allow_stdin / allow_stdout / allow_stderr --------------------------------------

/// Makes `fd` (0, 1 or 2) a duplicate of `file`.
fn redirect(fd: u64, file: &File) {
    raw_syscall(libc::SYS_dup3, [file.as_raw_fd() as u64, fd, 0, 0, 0, 0])
        .expect("dup3 onto a standard descriptor");
}

sandboxed_test! {
    fn stdin_allows_reading_fd_0_only() {
        let dir = scratch("stdin_allows_reading_fd_0_only");
        redirect(0, &File::open(file_with(&dir, "in", "from stdin")).unwrap());
        let mut other = File::open(file_with(&dir, "other", "secret")).unwrap();
        sandbox(SystemIO::nothing().allow_stdin().allow_stderr());

        let mut text = String::new();
        std::io::stdin().read_line(&mut text).unwrap();
        assert_eq!(text, "from stdin");
        let mut buf = [0u8; 6];
        assert_errno(other.read(&mut buf), libc::EPERM);
        // Only read: pread64 on fd 0 stays denied.
        assert_eq!(
            raw_syscall(libc::SYS_pread64, [0, buf.as_mut_ptr() as u64, 1, 0, 0, 0]),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn stdin_is_denied_without_allow_stdin() {
        let dir = scratch("stdin_is_denied_without_allow_stdin");
        redirect(0, &File::open(file_with(&dir, "in", "from stdin")).unwrap());
        sandbox(SystemIO::nothing().allow_stderr());

        let mut text = String::new();
        assert_errno(std::io::stdin().read_line(&mut text), libc::EPERM);
    }
}

sandboxed_test! {
    fn stdout_allows_writing_fd_1_only() {
        let dir = scratch("stdout_allows_writing_fd_1_only");
        let path = file_with(&dir, "out", "");
        let out = OpenOptions::new().read(true).write(true).open(&path).unwrap();
        std::io::stdout().flush().unwrap();
        redirect(1, &out);
        let mut other = OpenOptions::new().write(true).open(file_with(&dir, "other", "")).unwrap();
        sandbox(SystemIO::nothing().allow_stdout().allow_stderr().allow_file_read(&out));

        let mut stdout = std::io::stdout();
        stdout.write_all(b"to stdout\n").unwrap();
        stdout.flush().unwrap();
        // writev, which std uses for vectored writes.
        let parts = [std::io::IoSlice::new(b"vec"), std::io::IoSlice::new(b"tored\n")];
        assert_eq!(stdout.lock().write_vectored(&parts).unwrap(), 9);
        stdout.flush().unwrap();
        let mut buf = [0u8; 19];
        out.read_exact_at(&mut buf, 0).unwrap();
        assert_eq!(&buf, b"to stdout\nvectored\n");

        assert_errno(other.write(b"x"), libc::EPERM);
        assert_errno(
            other.write_vectored(&[std::io::IoSlice::new(b"x")]),
            libc::EPERM,
        );
    }
}

sandboxed_test! {
    fn stdout_is_denied_without_allow_stdout() {
        sandbox(SystemIO::nothing().allow_stderr());

        let mut stdout = std::io::stdout().lock();
        assert_errno(stdout.write_all(b"denied\n").and_then(|()| stdout.flush()), libc::EPERM);
    }
}

sandboxed_test! {
    fn stderr_allows_writing_fd_2_only() {
        let dir = scratch("stderr_allows_writing_fd_2_only");
        let mut other = OpenOptions::new().write(true).open(file_with(&dir, "other", "")).unwrap();
        sandbox(SystemIO::nothing().allow_stderr());

        let mut stderr = std::io::stderr();
        stderr.write_all(b"to stderr\n").unwrap();
        let parts = [std::io::IoSlice::new(b"a"), std::io::IoSlice::new(b"b\n")];
        assert_eq!(stderr.write_vectored(&parts).unwrap(), 3);
        assert_errno(other.write(b"x"), libc::EPERM);
        assert_eq!(raw_syscall(libc::SYS_write, [1, b"x".as_ptr() as u64, 1, 0, 0, 0]), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn stderr_is_denied_without_allow_stderr() {
        sandbox(SystemIO::nothing().allow_stdout());

        assert_errno(std::io::stderr().write_all(b"denied\n"), libc::EPERM);
    }
}

// ----- allow_file_read / allow_file_write ---------------------------------------------

sandboxed_test! {
    fn file_read_allows_that_file_only() {
        let dir = scratch("file_read_allows_that_file_only");
        let mut allowed = File::open(file_with(&dir, "allowed", "mine")).unwrap();
        let mut other = File::open(file_with(&dir, "other", "not mine")).unwrap();
        sandbox(SystemIO::nothing().allow_file_read(&allowed).allow_stderr());

        let mut text = String::new();
        allowed.read_to_string(&mut text).unwrap();
        assert_eq!(text, "mine");
        allowed.rewind().unwrap();
        let mut buf = [0u8; 2];
        allowed.read_exact_at(&mut buf, 2).unwrap();
        assert_eq!(&buf, b"ne");

        let mut buf = [0u8; 3];
        assert_errno(other.read(&mut buf), libc::EPERM);
        assert_errno(other.read_at(&mut buf, 0), libc::EPERM);
        assert_errno(other.rewind(), libc::EPERM);
        // Reading is not writing.
        assert_errno(allowed.write(b"x"), libc::EPERM);
    }
}

sandboxed_test! {
    fn file_write_allows_that_file_only() {
        let dir = scratch("file_write_allows_that_file_only");
        let path = file_with(&dir, "allowed", "");
        let mut allowed = OpenOptions::new().read(true).write(true).open(&path).unwrap();
        let mut other = OpenOptions::new()
            .read(true)
            .write(true)
            .open(file_with(&dir, "other", "untouched"))
            .unwrap();
        sandbox(
            SystemIO::nothing()
                .allow_file_write(&allowed)
                .allow_stderr(),
        );

        allowed.write_all(b"hello").unwrap();
        allowed.write_all_at(b"J", 0).unwrap();
        allowed.sync_all().unwrap();
        allowed.rewind().unwrap();

        assert_errno(other.write(b"x"), libc::EPERM);
        assert_errno(other.write_at(b"x", 0), libc::EPERM);
        assert_errno(other.sync_data(), libc::EPERM);
        // Writing is not reading.
        let mut buf = [0u8; 5];
        assert_errno(allowed.read(&mut buf), libc::EPERM);
    }
}

/// A directory named after the test process that runs the parent side of a test.
fn parent_side_dir(pid: u32) -> PathBuf {
    std::env::temp_dir().join(format!("extrasafe-systemio-fwrite-{pid}"))
}

#[test]
fn file_write_wrote_the_file() {
    // Checked from outside the sandbox: the child writes, the parent reads.
    let dir = parent_side_dir(std::process::id());
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("allowed");
    let outcome = common::run_in_child("file_write_wrote_the_file", || {
        // In the child: the parent's directory.
        let path = parent_side_dir(std::os::unix::process::parent_id()).join("allowed");
        let mut file = File::create(&path).unwrap();
        sandbox(SystemIO::nothing().allow_file_write(&file).allow_stderr());
        file.write_all(b"hello").unwrap();
        file.write_all_at(b"J", 0).unwrap();
    });
    outcome.assert_success();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "Jello");
}

// ----- allow_unlink -------------------------------------------------------------------

sandboxed_test! {
    fn unlink_allows_removing_files() {
        let dir = scratch("unlink_allows_removing_files");
        let path = file_with(&dir, "a", "x");
        sandbox(SystemIO::nothing().allow_unlink().allow_metadata().allow_stderr());

        std::fs::remove_file(&path).unwrap();
        assert_errno(std::fs::metadata(&path), libc::ENOENT);
    }
}

sandboxed_test! {
    fn unlink_is_denied_without_allow_unlink() {
        let dir = scratch("unlink_is_denied_without_allow_unlink");
        let path = file_with(&dir, "a", "x");
        sandbox(SystemIO::nothing().allow_metadata().allow_stderr());

        assert_errno(std::fs::remove_file(&path), libc::EPERM);
        assert!(std::fs::metadata(&path).is_ok(), "the file is still there");
    }
}

// ----- allow_dup ----------------------------------------------------------------------

sandboxed_test! {
    fn dup_allows_duplicating_descriptors() {
        let dir = scratch("dup_allows_duplicating_descriptors");
        let file = File::open(file_with(&dir, "a", "dup me")).unwrap();
        sandbox(SystemIO::nothing().allow_dup().allow_read().allow_stderr());

        let fd = file.as_raw_fd() as u64;
        let copy = raw_syscall(libc::SYS_dup, [fd, 0, 0, 0, 0, 0]).unwrap();
        assert!(copy > 2);
        assert_eq!(raw_syscall(libc::SYS_dup3, [fd, 100, libc::O_CLOEXEC as u64, 0, 0, 0]), Ok(100));
        #[cfg(target_arch = "x86_64")]
        assert_eq!(raw_syscall(libc::SYS_dup2, [fd, 101, 0, 0, 0, 0]), Ok(101));
        // std's way of duplicating: File::try_clone (fcntl F_DUPFD_CLOEXEC).
        let mut clone = file.try_clone().unwrap();
        let mut text = String::new();
        clone.read_to_string(&mut text).unwrap();
        assert_eq!(text, "dup me");
    }
}

sandboxed_test! {
    fn dup_is_denied_without_allow_dup() {
        let dir = scratch("dup_is_denied_without_allow_dup");
        let file = File::open(file_with(&dir, "a", "x")).unwrap();
        sandbox(SystemIO::nothing().allow_stderr());

        let fd = file.as_raw_fd() as u64;
        assert_eq!(raw_syscall(libc::SYS_dup, [fd, 0, 0, 0, 0, 0]), Err(libc::EPERM));
        assert_eq!(raw_syscall(libc::SYS_dup3, [fd, 100, 0, 0, 0, 0]), Err(libc::EPERM));
        assert_errno(file.try_clone(), libc::EPERM);
    }
}

sandboxed_test! {
    fn dup_does_not_allow_other_fcntl_commands() {
        let dir = scratch("dup_does_not_allow_other_fcntl_commands");
        let file = File::open(file_with(&dir, "a", "x")).unwrap();
        sandbox(SystemIO::nothing().allow_dup().allow_stderr());

        let fd = file.as_raw_fd() as u64;
        let fcntl = |cmd: libc::c_int, arg: u64| {
            raw_syscall(libc::SYS_fcntl, [fd, cmd as u64, arg, 0, 0, 0])
        };
        assert_eq!(fcntl(libc::F_SETFL, libc::O_APPEND as u64), Err(libc::EPERM));
        assert_eq!(fcntl(libc::F_SETOWN, 1), Err(libc::EPERM));
        assert_eq!(fcntl(libc::F_SETFD, 0), Err(libc::EPERM));
    }
}

// ----- allow_rename -------------------------------------------------------------------

sandboxed_test! {
    fn rename_allows_moving_files() {
        let dir = scratch("rename_allows_moving_files");
        let from = file_with(&dir, "from", "moved");
        let to = dir.join("to");
        sandbox(SystemIO::nothing().allow_rename().allow_metadata().allow_stderr());

        std::fs::rename(&from, &to).unwrap();
        assert_errno(std::fs::metadata(&from), libc::ENOENT);
        assert_eq!(std::fs::metadata(&to).unwrap().len(), 5);
    }
}

sandboxed_test! {
    fn rename_is_denied_without_allow_rename() {
        let dir = scratch("rename_is_denied_without_allow_rename");
        let from = file_with(&dir, "from", "stays");
        sandbox(SystemIO::nothing().allow_metadata().allow_stderr());

        assert_errno(std::fs::rename(&from, dir.join("to")), libc::EPERM);
        assert!(std::fs::metadata(&from).is_ok());
    }
}

// ----- allow_link ---------------------------------------------------------------------

sandboxed_test! {
    fn link_allows_hard_and_symbolic_links() {
        let dir = scratch("link_allows_hard_and_symbolic_links");
        let target = file_with(&dir, "target", "x");
        sandbox(SystemIO::nothing().allow_link().allow_metadata().allow_stderr());

        std::fs::hard_link(&target, dir.join("hard")).unwrap();
        std::os::unix::fs::symlink(&target, dir.join("soft")).unwrap();
        assert_eq!(std::fs::metadata(&target).unwrap().len(), 1);
        assert!(std::fs::symlink_metadata(dir.join("soft")).unwrap().is_symlink());
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(&target).unwrap().nlink(), 2);
    }
}

sandboxed_test! {
    fn link_is_denied_without_allow_link() {
        let dir = scratch("link_is_denied_without_allow_link");
        let target = file_with(&dir, "target", "x");
        sandbox(SystemIO::nothing().allow_stderr());

        assert_errno(std::fs::hard_link(&target, dir.join("hard")), libc::EPERM);
        assert_errno(std::os::unix::fs::symlink(&target, dir.join("soft")), libc::EPERM);
    }
}

// ----- allow_truncate -----------------------------------------------------------------

sandboxed_test! {
    fn truncate_allows_changing_lengths() {
        let dir = scratch("truncate_allows_changing_lengths");
        let path = file_with(&dir, "a", "0123456789");
        let file = OpenOptions::new().write(true).open(&path).unwrap();
        sandbox(SystemIO::nothing().allow_truncate().allow_metadata().allow_stderr());

        file.set_len(4).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 4);
        let c = c_path(&path);
        assert_eq!(raw_syscall(libc::SYS_truncate, [c.as_ptr() as u64, 2, 0, 0, 0, 0]), Ok(0));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 2);
    }
}

sandboxed_test! {
    fn truncate_is_denied_without_allow_truncate() {
        let dir = scratch("truncate_is_denied_without_allow_truncate");
        let path = file_with(&dir, "a", "0123456789");
        let file = OpenOptions::new().write(true).open(&path).unwrap();
        sandbox(SystemIO::nothing().allow_metadata().allow_stderr());

        assert_errno(file.set_len(4), libc::EPERM);
        let c = c_path(&path);
        assert_eq!(
            raw_syscall(libc::SYS_truncate, [c.as_ptr() as u64, 2, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 10);
    }
}

// ----- allow_flock --------------------------------------------------------------------

sandboxed_test! {
    fn flock_allows_locking() {
        let dir = scratch("flock_allows_locking");
        let file = File::open(file_with(&dir, "a", "x")).unwrap();
        sandbox(SystemIO::nothing().allow_flock().allow_stderr());

        file.lock().unwrap();
        file.unlock().unwrap();
        file.lock_shared().unwrap();
        assert!(file.try_lock().is_ok());
        file.unlock().unwrap();
    }
}

sandboxed_test! {
    fn flock_is_denied_without_allow_flock() {
        let dir = scratch("flock_is_denied_without_allow_flock");
        let file = File::open(file_with(&dir, "a", "x")).unwrap();
        sandbox(SystemIO::nothing().allow_stderr());

        assert_errno(file.lock(), libc::EPERM);
        assert_errno(file.lock_shared(), libc::EPERM);
    }
}

// ----- allow_mkdir / allow_rmdir ------------------------------------------------------

sandboxed_test! {
    fn mkdir_allows_creating_directories() {
        let dir = scratch("mkdir_allows_creating_directories");
        sandbox(SystemIO::nothing().allow_mkdir().allow_metadata().allow_stderr());

        std::fs::create_dir(dir.join("new")).unwrap();
        std::fs::create_dir_all(dir.join("a/b/c")).unwrap();
        assert!(std::fs::metadata(dir.join("a/b/c")).unwrap().is_dir());
    }
}

sandboxed_test! {
    fn mkdir_is_denied_without_allow_mkdir() {
        let dir = scratch("mkdir_is_denied_without_allow_mkdir");
        sandbox(SystemIO::nothing().allow_metadata().allow_stderr());

        assert_errno(std::fs::create_dir(dir.join("new")), libc::EPERM);
        assert_errno(std::fs::metadata(dir.join("new")), libc::ENOENT);
    }
}

sandboxed_test! {
    fn rmdir_allows_removing_empty_directories() {
        let dir = scratch("rmdir_allows_removing_empty_directories");
        std::fs::create_dir(dir.join("empty")).unwrap();
        std::fs::create_dir(dir.join("by_unlinkat")).unwrap();
        sandbox(SystemIO::nothing().allow_rmdir().allow_metadata().allow_stderr());

        std::fs::remove_dir(dir.join("empty")).unwrap();
        assert_errno(std::fs::metadata(dir.join("empty")), libc::ENOENT);
        let c = c_path(&dir.join("by_unlinkat"));
        let r = raw_syscall(
            libc::SYS_unlinkat,
            [libc::AT_FDCWD as u64, c.as_ptr() as u64, libc::AT_REMOVEDIR as u64, 0, 0, 0],
        );
        assert_eq!(r, Ok(0));
    }
}

sandboxed_test! {
    fn rmdir_does_not_remove_files() {
        let dir = scratch("rmdir_does_not_remove_files");
        let path = file_with(&dir, "a", "x");
        sandbox(SystemIO::nothing().allow_rmdir().allow_metadata().allow_stderr());

        assert_errno(std::fs::remove_file(&path), libc::EPERM);
        let c = c_path(&path);
        let r = raw_syscall(
            libc::SYS_unlinkat,
            [libc::AT_FDCWD as u64, c.as_ptr() as u64, 0, 0, 0, 0],
        );
        assert_eq!(r, Err(libc::EPERM));
        assert!(std::fs::metadata(&path).is_ok(), "the file is still there");
    }
}

sandboxed_test! {
    fn rmdir_and_unlink_together_remove_both() {
        let dir = scratch("rmdir_and_unlink_together_remove_both");
        let path = file_with(&dir, "a", "x");
        std::fs::create_dir(dir.join("d")).unwrap();
        // In either order: unlink's unconditional unlinkat covers rmdir's.
        sandbox(SystemIO::nothing().allow_rmdir().allow_unlink().allow_stderr());
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_dir(dir.join("d")).unwrap();
        let c = c_path(&dir);
        let r = raw_syscall(
            libc::SYS_unlinkat,
            [libc::AT_FDCWD as u64, c.as_ptr() as u64, libc::AT_REMOVEDIR as u64, 0, 0, 0],
        );
        assert_eq!(r, Ok(0));
    }
}

#[test]
fn rmdir_and_unlink_enable_in_either_order() {
    for io in [
        SystemIO::nothing().allow_rmdir().allow_unlink(),
        SystemIO::nothing().allow_unlink().allow_rmdir(),
    ] {
        let explanation = SafetyContext::new().enable(io).unwrap().explain().unwrap();
        assert_eq!(
            explanation.get(Sysno::unlinkat),
            Some(&extrasafe::Verdict::Allowed {
                by: vec!["SystemIO"]
            })
        );
    }
}

sandboxed_test! {
    fn rmdir_is_denied_without_allow_rmdir() {
        let dir = scratch("rmdir_is_denied_without_allow_rmdir");
        std::fs::create_dir(dir.join("empty")).unwrap();
        sandbox(SystemIO::nothing().allow_metadata().allow_stderr());

        assert_errno(std::fs::remove_dir(dir.join("empty")), libc::EPERM);
        assert!(std::fs::metadata(dir.join("empty")).is_ok());
    }
}

sandboxed_test! {
    fn rmdir_allows_only_the_fcntl_calls_of_fdopendir() {
        let dir = scratch("rmdir_allows_only_the_fcntl_calls_of_fdopendir");
        let file = File::open(file_with(&dir, "a", "x")).unwrap();
        sandbox(SystemIO::nothing().allow_rmdir().allow_stderr());

        let fd = file.as_raw_fd() as u64;
        let fcntl = |cmd: libc::c_int, arg: libc::c_int| {
            raw_syscall(libc::SYS_fcntl, [fd, cmd as u64, arg as u64, 0, 0, 0])
        };
        assert!(fcntl(libc::F_GETFL, 0).is_ok());
        assert_eq!(fcntl(libc::F_SETFD, libc::FD_CLOEXEC), Ok(0));
        assert_eq!(fcntl(libc::F_SETFD, 0), Err(libc::EPERM));
        assert_eq!(fcntl(libc::F_SETFL, libc::O_APPEND), Err(libc::EPERM));
        assert_eq!(fcntl(libc::F_DUPFD_CLOEXEC, 0), Err(libc::EPERM));
        assert_eq!(fcntl(libc::F_SETOWN, 1), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn remove_dir_all_needs_metadata_unlink_and_rmdir() {
        let dir = scratch("remove_dir_all_needs_metadata_unlink_and_rmdir");
        std::fs::create_dir_all(dir.join("tree/a/b")).unwrap();
        file_with(&dir, "tree/a/f", "x");
        sandbox(
            SystemIO::nothing()
                .allow_open_readonly()
                .allow_metadata()
                .allow_unlink()
                .allow_rmdir()
                .allow_close()
                .allow_stderr(),
        );

        std::fs::remove_dir_all(dir.join("tree")).unwrap();
        assert_errno(std::fs::metadata(dir.join("tree")), libc::ENOENT);
    }
}

// ----- everything ---------------------------------------------------------------------

sandboxed_test! {
    fn everything_allows_a_whole_file_workflow() {
        let dir = scratch("everything_allows_a_whole_file_workflow");
        sandbox(SystemIO::everything());

        let sub = dir.join("sub");
        std::fs::create_dir(&sub).unwrap();
        let path = sub.join("file");
        std::fs::write(&path, "some content").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "some content");
        let file = OpenOptions::new().read(true).write(true).open(&path).unwrap();
        file.lock().unwrap();
        file.set_len(4).unwrap();
        file.unlock().unwrap();
        let _copy = file.try_clone().unwrap();
        drop(file);
        std::fs::rename(&path, sub.join("renamed")).unwrap();
        std::fs::hard_link(sub.join("renamed"), sub.join("linked")).unwrap();
        std::os::unix::fs::symlink("renamed", sub.join("symlink")).unwrap();
        assert_eq!(std::fs::read_to_string(sub.join("symlink")).unwrap(), "some");
        assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 3);
        let mut stdout = std::io::stdout();
        writeln!(stdout, "stdout works").unwrap();
        stdout.flush().unwrap();
        eprintln!("stderr works");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_errno(std::fs::metadata(&dir), libc::ENOENT);
    }
}

sandboxed_test! {
    fn everything_still_denies_what_is_not_file_io() {
        sandbox(SystemIO::everything());

        assert_errno(std::net::TcpListener::bind("127.0.0.1:0"), libc::EPERM);
        assert_errno(std::net::UdpSocket::bind("127.0.0.1:0"), libc::EPERM);
        let mut fds = [0i32; 2];
        assert_eq!(
            raw_syscall(libc::SYS_pipe2, [fds.as_mut_ptr() as u64, 0, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
        assert_errno(std::process::Command::new("/bin/true").status(), libc::EPERM);
        assert_eq!(raw_syscall(libc::SYS_getuid, [0; 6]), Err(libc::EPERM));
    }
}

#[test]
fn explain_names_systemio_for_each_method() {
    // Not sandboxed: the policy model alone.
    let explanation = SafetyContext::new()
        .enable(SystemIO::everything())
        .unwrap()
        .explain()
        .unwrap();
    for sysno in [
        Sysno::read,
        Sysno::write,
        Sysno::openat,
        Sysno::statx,
        Sysno::close,
        Sysno::unlinkat,
        Sysno::dup3,
        Sysno::renameat2,
        Sysno::linkat,
        Sysno::ftruncate,
        Sysno::flock,
        Sysno::mkdirat,
    ] {
        match explanation.get(sysno) {
            Some(extrasafe::Verdict::Allowed { by }) => assert_eq!(by, &["SystemIO"]),
            other => panic!("{sysno:?}: {other:?}"),
        }
    }
    // Unrestricted ioctl (terminal injection with TIOCSTI) is left out of everything().
    assert_eq!(explanation.get(Sysno::ioctl), None);
}

#[test]
fn everything_combines_with_networking_everything() {
    let explanation = SafetyContext::new()
        .enable(SystemIO::everything())
        .unwrap()
        .enable(extrasafe::builtins::Networking::everything())
        .unwrap()
        .explain()
        .unwrap();
    assert!(matches!(
        explanation.get(Sysno::ioctl),
        Some(extrasafe::Verdict::AllowedIf { .. })
    ));
}

sandboxed_test! {
    /// What `allow_file_read`'s metadata syscalls allow beyond the descriptor (as in 0.5.1,
    /// and documented): `newfstatat` with the descriptor as directory and an absolute path
    /// reads another file's metadata; with any other directory it is denied.
    fn allow_file_read_metadata_with_its_fd_as_dirfd_reaches_absolute_paths() {
        let file = File::open("/proc/self/status").unwrap();
        let fd = file.as_raw_fd() as u64;
        sandbox(SystemIO::nothing().allow_file_read(&file));
        let path = c_path(Path::new("/etc/passwd"));
        let mut stat = [0u8; 256];
        let at = |dirfd: u64, stat: &mut [u8; 256]| {
            raw_syscall(
                libc::SYS_newfstatat,
                [dirfd, path.as_ptr() as u64, stat.as_mut_ptr() as u64, 0, 0, 0],
            )
        };
        assert_eq!(at(fd, &mut stat), Ok(0), "the documented reach");
        assert_eq!(at(fd + 100, &mut stat), Err(libc::EPERM));
        assert_errno(std::fs::metadata("/etc/passwd"), libc::EPERM);
    }
}
