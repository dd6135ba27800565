//! The binary against strace, the CLI's behaviour, and the round trip (trace, apply the
//! suggestion, run again).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};

const TRACE: &str = env!("CARGO_BIN_EXE_extrasafe-trace");
const WORKLOAD: &str = env!("CARGO_BIN_EXE_trace-test-workload");
const ROUNDTRIP: &str = env!("CARGO_BIN_EXE_trace-test-roundtrip");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("extrasafe-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A file for `cat` and the workload to read.
fn input_file() -> PathBuf {
    let path = scratch("input.txt");
    std::fs::write(&path, "hello from the test\n").unwrap();
    path
}

fn strace_available() -> bool {
    let ok = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("EXTRASAFE_TEST_STRICT").is_none(),
            "strace is not installed (EXTRASAFE_TEST_STRICT is set)"
        );
        eprintln!("SKIP: strace is not installed");
    }
    ok
}

/// The syscalls strace sees: `strace -f -qq -e signal=none -o FILE`, one line per call.
/// (Not `strace -c`: it counts a syscall when it returns, so it leaves out `exit_group`,
/// which never does; this crate counts at entry, as the line output shows calls.)
fn strace_set(command: &[&str]) -> BTreeSet<String> {
    let out = scratch(&format!(
        "strace-{}.txt",
        command.join("_").replace('/', "_")
    ));
    let status = Command::new("strace")
        .args(["-f", "-qq", "-e", "signal=none", "-o"])
        .arg(&out)
        .args(command)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "strace {command:?}: {status}");
    let text = std::fs::read_to_string(&out).unwrap();
    let mut names = BTreeSet::new();
    for line in text.lines() {
        // "PID  name(args) = ret", or "PID  <... name resumed> ...", "PID  +++ ...".
        let rest = line
            .split_once(char::is_whitespace)
            .map_or(line, |(_, r)| r)
            .trim_start();
        if rest.starts_with('<') || rest.starts_with('+') || rest.starts_with('-') {
            continue;
        }
        if let Some((name, _)) = rest.split_once('(') {
            names.insert(name.to_string());
        }
    }
    assert!(
        !names.is_empty(),
        "nothing parsed from strace's output:\n{text}"
    );
    names
}

fn run_trace(args: &[&str], command: &[&str]) -> (Output, String) {
    let report = scratch(&format!("report-{}-{}.txt", args.join("_"), command.len()));
    let output = Command::new(TRACE)
        .args(args)
        .arg("-o")
        .arg(&report)
        .arg("--")
        .args(command)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    (output, text)
}

/// The syscall names in the `"totals"` of the JSON report.
fn json_totals(json: &str) -> BTreeSet<String> {
    let start = json.find("\"totals\":").expect("totals in the JSON");
    let end = json
        .find("\"suggestion\":")
        .expect("suggestion in the JSON");
    let mut names = BTreeSet::new();
    for piece in json[start..end].split("{\"name\":\"").skip(1) {
        names.insert(piece.split('"').next().unwrap().to_string());
    }
    names
}

fn ours(command: &[&str]) -> BTreeSet<String> {
    let (output, json) = run_trace(&["--json"], command);
    assert!(output.status.success(), "{command:?}: {output:?}");
    json_totals(&json)
}

fn compare(command: &[&str]) {
    if !strace_available() {
        return;
    }
    let theirs = strace_set(command);
    let mine = ours(command);
    assert_eq!(
        mine,
        theirs,
        "{command:?}: only extrasafe-trace saw {:?}, only strace saw {:?}",
        mine.difference(&theirs).collect::<Vec<_>>(),
        theirs.difference(&mine).collect::<Vec<_>>()
    );
}

#[test]
fn true_matches_strace() {
    compare(&["true"]);
}

#[test]
fn ls_matches_strace() {
    compare(&["ls", "/"]);
}

#[test]
fn cat_matches_strace() {
    let file = input_file();
    compare(&["cat", file.to_str().unwrap()]);
}

#[test]
fn rust_program_matches_strace() {
    let file = input_file();
    compare(&[WORKLOAD, file.to_str().unwrap()]);
}

#[test]
fn threads_forks_and_arguments_are_recorded() {
    let file = input_file();
    let (output, text) = run_trace(&[], &[WORKLOAD, file.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    // The program's output passes through.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("workload: 20 bytes read, socket said ping, true succeeded"),
        "{stdout}"
    );
    assert!(text.contains("\"worker\""), "{text}");
    assert!(
        text.contains("\"true\""),
        "the child process is followed:\n{text}"
    );
    assert!(
        text.contains("family=AF_UNIX type=SOCK_STREAM|SOCK_CLOEXEC"),
        "{text}"
    );
    assert!(text.contains("flags=O_RDONLY|O_CLOEXEC"), "{text}");
    assert!(text.contains("CLONE_VM|CLONE_VFORK"), "{text}");
    assert!(text.contains("Threads::allow_create"), "{text}");
    assert!(text.contains("Networking::allow_socketpair"), "{text}");
    assert!(text.contains("ForkAndExec"), "{text}");
}

#[test]
fn thread_filter_keeps_the_named_thread() {
    let file = input_file();
    let (output, json) = run_trace(
        &["--json", "--thread", "worker"],
        &[WORKLOAD, file.to_str().unwrap()],
    );
    assert!(output.status.success(), "{output:?}");
    let names = json_totals(&json);
    // The worker opens and reads the file...
    assert!(
        names.contains("openat") && names.contains("read"),
        "{names:?}"
    );
    // ...and neither makes the socket pair nor starts `true`: the main thread does.
    assert!(!names.contains("socketpair"), "{names:?}");
    assert!(!names.contains("execve"), "{names:?}");
    // One thread: the worker (named after the program until it names itself).
    assert_eq!(json.matches("\"tid\":").count(), 1, "{json}");
    assert!(json.contains("\"worker\"]"), "{json}");
}

#[test]
fn rust_output_is_a_context_expression() {
    let (output, text) = run_trace(&["--rust"], &["true"]);
    assert!(output.status.success(), "{output:?}");
    assert!(text.contains("let ctx = SafetyContext::new()"), "{text}");
    assert!(
        text.contains(".enable(extrasafe::builtins::danger_zone::ForkAndExec)?"),
        "{text}"
    );
    assert!(text.trim_end().ends_with(")?;"), "{text}");
}

#[test]
fn exit_status_and_output_pass_through() {
    let (output, _) = run_trace(&[], &["sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "out\n");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "err\n");
}

#[test]
fn a_signal_death_is_128_plus_the_signal() {
    let (output, text) = run_trace(&[], &["sh", "-c", "kill -9 $$"]);
    assert_eq!(output.status.code(), Some(128 + 9));
    assert!(text.contains("killed by signal 9"), "{text}");
}

#[test]
fn a_missing_program_is_a_clear_error() {
    let (output, _) = run_trace(&[], &["no-such-program-extrasafe"]);
    assert_eq!(output.status.code(), Some(127));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot start `no-such-program-extrasafe`: no such program"),
        "{stderr}"
    );
}

#[test]
fn a_program_that_cannot_run_is_a_clear_error() {
    let file = input_file(); // not executable
    let (output, _) = run_trace(&[], &[file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(126));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot start") && stderr.contains("Permission denied"),
        "{stderr}"
    );
}

/// Traces `command`, applies the suggestion in a child and runs it again: it must succeed.
/// Then again without each suggested RuleSet in turn: each run must fail.
fn round_trip(command: &[&str]) {
    let run = |without: Option<&str>| {
        let mut cmd = Command::new(ROUNDTRIP);
        if let Some(name) = without {
            cmd.args(["--without", name]);
        }
        cmd.arg("--").args(command).output().unwrap()
    };
    let full = run(None);
    let stdout = String::from_utf8_lossy(&full.stdout).into_owned();
    assert!(
        full.status.success(),
        "{command:?} sandboxed by its own suggestion: {:?}\n{stdout}\n{}",
        full.status,
        String::from_utf8_lossy(&full.stderr)
    );
    let rulesets: Vec<String> = stdout
        .lines()
        .find_map(|l| l.strip_prefix("rulesets: "))
        .expect("the suggested RuleSets")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert!(!rulesets.is_empty());
    for name in &rulesets {
        let without = run(Some(name));
        assert!(
            !without.status.success(),
            "{command:?} without {name} should fail: {:?}",
            String::from_utf8_lossy(&without.stdout)
        );
    }
}

#[test]
fn round_trip_ls() {
    round_trip(&["ls", "/"]);
}

#[test]
fn round_trip_cat() {
    let file = input_file();
    round_trip(&["cat", file.to_str().unwrap()]);
}

#[test]
fn round_trip_rust_program() {
    let file = input_file();
    round_trip(&[WORKLOAD, file.to_str().unwrap()]);
}

#[test]
fn a_thread_name_that_matches_nothing_is_an_error_not_an_empty_report() {
    let file = input_file();
    let (output, text) = run_trace(
        &["--json", "--thread", "no-such-thread"],
        &[WORKLOAD, file.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(125), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no thread named no-such-thread was seen (threads seen: ")
            && stderr.contains("worker"),
        "{stderr}"
    );
    assert!(text.is_empty(), "a report was written: {text}");
}

/// `--check FILTER CALL...` prints the evaluator's answer for each call.
#[test]
fn check_prints_what_a_compiled_filter_decides() {
    use extrasafe::{builtins::SystemIO, SafetyContext};
    let filter = SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout())
        .unwrap()
        .compile()
        .unwrap();
    let path = scratch("stdout-only.bpf");
    std::fs::write(&path, filter.to_bytes()).unwrap();
    let out = Command::new(TRACE)
        .arg("--check")
        .arg(&path)
        .args([
            "write(1, 0, 5)",
            "write(2)",
            "openat(-100, 0, 0)",
            "i386:nr:4(1)",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].starts_with("write(0x1, 0x0, 0x5): allow ("),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("write(0x2): errno 1 (EPERM) ("),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("openat(0xffffffffffffff9c, 0x0, 0x0): errno 1 (EPERM)"),
        "{lines:?}"
    );
    assert!(
        lines[3].starts_with("i386:nr:4(0x1): kill the process"),
        "{lines:?}"
    );

    // A CALL that cannot be read: exit 2, naming it.
    let out = Command::new(TRACE)
        .arg("--check")
        .arg(&path)
        .arg("frobnicate(1)")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("`frobnicate` is not a syscall"));

    // A file that is not a program: exit 1, naming the file.
    let junk = scratch("junk.bpf");
    std::fs::write(&junk, b"not a filter").unwrap();
    let out = Command::new(TRACE)
        .arg("--check")
        .arg(&junk)
        .arg("getpid")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("junk.bpf") && stderr.contains("not a seccomp program"),
        "{stderr}"
    );
}

/// `int 0x80` calls are i386 calls with i386 numbers: reported as such, by name, not as the
/// x86_64 syscalls that have the same numbers (20 is getpid on i386, writev on x86_64).
#[test]
#[cfg(target_arch = "x86_64")]
fn i386_calls_are_reported_as_i386_by_name() {
    const INT80: &str = env!("CARGO_BIN_EXE_trace-test-int80");
    let (output, json) = run_trace(&["--json"], &[INT80]);
    assert!(output.status.success(), "{output:?}");
    assert!(
        json.contains("\"i386_totals\":[{\"name\":\"i386:write\",\"nr\":4,\"count\":1},{\"name\":\"i386:getpid\",\"nr\":20,\"count\":1}]"),
        "{json}"
    );
    let totals = json_totals(&json);
    assert!(
        !totals.contains("writev") && !totals.contains("stat"),
        "{totals:?}"
    );
    let (output, text) = run_trace(&[], &[INT80]);
    assert!(output.status.success(), "{output:?}");
    assert!(text.contains("i386 (int 0x80) syscalls:"), "{text}");
    assert!(text.contains("i386:getpid"), "{text}");
    assert!(
        text.contains("every extrasafe filter kills the process on them"),
        "{text}"
    );
}
