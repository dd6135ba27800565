//! Item 4: start-to-exit of a trivial isolated program, with extrasafe's two ways in (the
//! whole program, and `Isolate::run` of one function), against bubblewrap and extrasafe
//! 0.5.1's `Isolate::run`.
//!
//! Every row starts a process and waits for it to end: `bwrap --unshare-all … true`, the
//! `isolate-probe` binary of this crate isolating itself (`isolate_process`), and, from a
//! long-lived `isolate-probe serve` process, one `Isolate::run` of a function that returns
//! at once (timed by its caller, the probe). Two unisolated rows (`true`, and the probe
//! exiting at once) show what starting those binaries costs by itself.

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::setup::Step;

/// The bubblewrap command line: every namespace, `/usr` read-only with the usual merged-usr
/// links, a new `/proc`, `/dev` and `/tmp`, no capabilities, a new session, death with the
/// parent; then `true`. The closest to what extrasafe's isolation sets up.
pub(crate) const BWRAP_ARGS: [&str; 24] = [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/bin",
    "/bin",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "/usr/bin/true",
];

/// The rows, in the order of [`steps`].
pub(crate) mod row {
    /// bubblewrap (the baseline of the ratios).
    pub(crate) const BWRAP: usize = 0;
    /// extrasafe, whole program.
    pub(crate) const WHOLE: usize = 3;
    /// extrasafe, `Isolate::run`.
    pub(crate) const RUN: usize = 4;
    /// extrasafe 0.5.1, `Isolate::run`.
    pub(crate) const RUN_051: usize = 5;
}

/// Where bubblewrap is, if it is installed.
fn bwrap() -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join("bwrap"))
        .find(|p| p.is_file())
}

/// The `isolate-probe` binary next to this one, (re)built first when run by Cargo:
/// `cargo run` builds only the binary it runs.
fn probe() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let probe = exe.with_file_name("isolate-probe");
    if let Some(cargo) = std::env::var_os("CARGO") {
        let mut build = Command::new(cargo);
        build.args([
            "build",
            "-q",
            "-p",
            "extrasafe-bench",
            "--bin",
            "isolate-probe",
            "--manifest-path",
            concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
        ]);
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        let status = build
            .status()
            .map_err(|e| format!("cargo build --bin isolate-probe: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build --bin isolate-probe: {status}"));
        }
    }
    if probe.is_file() {
        Ok(probe)
    } else {
        Err(format!(
            "{} is missing: build it with `cargo build --release -p extrasafe-bench`",
            probe.display()
        ))
    }
}

/// Starts `cmd` with no input or output and waits for it; the time from spawn to exit.
fn start_to_exit(cmd: &mut Command) -> Result<Duration, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("spawn: {e}"))?;
    let out = child.wait_with_output().map_err(|e| format!("wait: {e}"))?;
    let elapsed = start.elapsed();
    if out.status.success() {
        Ok(elapsed)
    } else {
        Err(format!(
            "exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A running `isolate-probe serve`: one isolated run per request.
struct Server {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Server {
    fn start(probe: &Path) -> Result<Server, String> {
        let mut child = Command::new(probe)
            .arg("serve")
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("start {} serve: {e}", probe.display()))?;
        let input = child.stdin.take();
        let output = BufReader::new(child.stdout.take().ok_or("the probe has no stdout")?);
        Ok(Server {
            child,
            input,
            output,
        })
    }

    /// One run of `which` (`06` or `051`): the latency the probe measured.
    fn request(&mut self, which: &str) -> Result<Duration, String> {
        let input = self.input.as_mut().ok_or("the probe's input is closed")?;
        writeln!(input, "{which}")
            .and_then(|()| input.flush())
            .map_err(|e| format!("ask the probe: {e}"))?;
        let mut line = String::new();
        self.output
            .read_line(&mut line)
            .map_err(|e| format!("read the probe's answer: {e}"))?;
        let line = line.trim();
        if let Some(ns) = line.strip_prefix("ok ") {
            let ns: u64 = ns.parse().map_err(|e| format!("answer `{line}`: {e}"))?;
            Ok(Duration::from_nanos(ns))
        } else if line.is_empty() {
            Err("the probe ended".to_string())
        } else {
            Err(line.trim_start_matches("err ").to_string())
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // End of input ends the probe.
        drop(self.input.take());
        let _ = self.child.wait();
    }
}

/// The rows of item 4 (see [`row`]). bubblewrap's row fails with the reason where it is not
/// installed; the others need the probe.
pub(crate) fn steps() -> Result<Vec<Step>, String> {
    let probe = probe()?;
    let server = Rc::new(RefCell::new(Server::start(&probe)?));
    let bwrap = bwrap();
    let (p1, p2) = (probe.clone(), probe);
    let (s1, s2) = (Rc::clone(&server), server);
    Ok(vec![
        Step {
            label: "bwrap --unshare-all … true (bubblewrap, baseline)",
            measure: Box::new(move || match &bwrap {
                Some(bwrap) => start_to_exit(Command::new(bwrap).args(BWRAP_ARGS)),
                None => Err("bubblewrap (`bwrap`) is not installed".to_string()),
            }),
        },
        Step {
            label: "/usr/bin/true, not isolated",
            measure: Box::new(|| start_to_exit(&mut Command::new("/usr/bin/true"))),
        },
        Step {
            label: "isolate-probe exiting at once, not isolated",
            measure: Box::new(move || start_to_exit(Command::new(&p1).arg("plain"))),
        },
        Step {
            label: "extrasafe: whole program (`isolate_process`, /usr bound, basic seccomp)",
            measure: Box::new(move || start_to_exit(Command::new(&p2).arg("whole"))),
        },
        Step {
            label: "extrasafe: `Isolate::run` of a function that returns",
            measure: Box::new(move || s1.borrow_mut().request("06")),
        },
        Step {
            label: "extrasafe 0.5.1: `Isolate::run` of a function that returns",
            measure: Box::new(move || s2.borrow_mut().request("051")),
        },
    ])
}
