//! The part of the `tempfile` crate that extrasafe 0.5.1's tests use: [`tempdir`],
//! [`TempDir`] (with `path` and `into_path`) and [`tempfile`], on std alone, so that those tests build unchanged.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other call of this process (nor, with the pid and time, another process) uses.
fn unique_path(prefix: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("{prefix}{}-{n}-{nanos}", std::process::id()))
}

/// A directory removed (with what it holds) when dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates a new directory (mode 0700) under the system's temporary directory.
    ///
    /// # Errors
    /// The error of `mkdir`.
    pub fn new() -> io::Result<TempDir> {
        let path = unique_path(".tmp-compat-");
        fs::DirBuilder::new().mode(0o700).create(&path)?;
        Ok(TempDir { path })
    }

    /// Keeps the directory on disk and returns its path.
    #[must_use]
    pub fn into_path(self) -> PathBuf {
        let path = self.path.clone();
        std::mem::forget(self);
        path
    }

    /// The directory's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // A test that sandboxed itself may not be allowed to remove it: leave it then.
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// [`TempDir::new`].
///
/// # Errors
/// The error of `mkdir`.
pub fn tempdir() -> io::Result<TempDir> {
    TempDir::new()
}

/// A new file, opened for reading and writing, with no name left on disk.
///
/// # Errors
/// The error of `open` or `unlink`.
pub fn tempfile() -> io::Result<File> {
    let path = unique_path(".tmpfile-compat-");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    fs::remove_file(&path)?;
    Ok(file)
}
