//! extrasafe 0.5.1's own tests (`tests/`) and examples (`src/bin/`), built as a 0.5.1 user's
//! crate would build them: it depends on extrasafe by path with 0.5.1's feature names, and
//! on nothing else of this workspace. A 0.5.1 user migrates by changing the version number;
//! this crate is that migration, run on every CI run.
//!
//! The files are 0.5.1's, as released (formatted with rustfmt), with three kinds of edits,
//! each marked in place with a `compat:` comment:
//! - the first line of every test is [`own_process!`], which runs the test in a process of
//!   its own (0.5.1 ran them as threads of one process; a filter applied to all threads would
//!   then reach the other tests);
//! - where extrasafe is stricter than 0.5.1 on purpose, the test asserts the new behaviour,
//!   and CHANGELOG.md says why and how to migrate;
//! - the examples that fetched <https://example.org> connect to a local listener instead (CI
//!   has no internet).
//!
//! New tests written against 0.5.1's API (its error texts, every builtin method, stacking)
//! are in `tests/api_051.rs`.

use std::process::Command;

/// Set in the child process that runs one test.
const CHILD: &str = "EXTRASAFE_COMPAT_051_CHILD";

/// Runs the calling test in a child process, unless this is that child: used as the first
/// line of a test, through [`own_process!`].
///
/// Returns `true` in the parent, after checking the child's outcome: it ran exactly this
/// test, which passed. For a `#[should_panic(expected = "...")]` test, `should_panic` is the
/// expected text: the child must have panicked as expected (libtest checked the text there),
/// and the parent then panics with the text, so that its own `should_panic` holds too. (The
/// child may not be able to print its panic: its filter may deny writing to stderr.)
///
/// # Panics
/// If the child fails, or ran no test; with the expected text after a `should_panic` child.
#[must_use]
pub fn in_parent(should_panic: Option<&str>) -> bool {
    if std::env::var_os(CHILD).is_some() {
        return false;
    }
    let thread = std::thread::current();
    let name = thread
        .name()
        .expect("libtest names each test's thread after the test");
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([name, "--exact", "--nocapture"])
        .env(CHILD, name)
        .output()
        .expect("start the test's own process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "`{name}` failed in its own process ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("1 passed"),
        "`{name}` did not run in its own process:\n{stdout}"
    );
    if let Some(expected) = should_panic {
        assert!(
            stdout.contains(&format!("test {name} - should panic ... ok")),
            "`{name}` should have panicked in its own process:\n{stdout}"
        );
        panic!("`{name}` panicked in its own process, as it should: {expected}");
    }
    true
}

/// Runs the test in a process of its own: the parent returns (with `$ret`, `()` if not
/// given) once the child has passed the test; `should_panic: "text"` for a
/// `#[should_panic(expected = "text")]` test (see [`in_parent`]).
#[macro_export]
macro_rules! own_process {
    () => {
        if $crate::in_parent(None) {
            return;
        }
    };
    (should_panic: $expected:literal) => {
        if $crate::in_parent(Some($expected)) {
            return;
        }
    };
    ($ret:expr) => {
        if $crate::in_parent(None) {
            return $ret;
        }
    };
}
