//! `#[extrasafe::main]` with a context that isolates the process
//! (`SafetyContext::isolate_process`): the program continues in an isolated child with the
//! context applied there, and the parent supervises.
//!
//! Three kinds of process: the runner (`isolate_common::run_all`), one checker process per
//! case, and the program the checker starts: this binary again with `PROGRAM_ENV` naming a
//! program, whose `#[extrasafe::main]` isolates it. The checker asserts on the program's
//! output and exit status, and on what it sees of the supervisor and the isolated child in
//! `/proc`.

mod isolate_common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::{Networking, SystemIO};
use extrasafe::isolate::{Capability, IsolationConfig, Rlimit};
use extrasafe::{ExtraSafeError, IsolateError, SafetyContext};
use isolate_common::{children_of, errno, is_dead, status_field, wait_until, Case};

/// Names the program a process of this binary runs.
const PROGRAM_ENV: &str = "ISOLATE_MAIN_PROGRAM";
/// A host directory the `sandboxed` program binds at `/data`.
const DIR_ENV: &str = "ISOLATE_MAIN_DIR";

fn program() -> String {
    std::env::var(PROGRAM_ENV).expect("a program process")
}

// ---------------------------------------------------------------------------------------
// The programs.

/// The context of each program.
fn context() -> Result<SafetyContext, ExtraSafeError> {
    let io = SystemIO::nothing().allow_stdout().allow_stderr();
    // The isolated child gets only the environment the config passes.
    let config = IsolationConfig::new()
        .hostname("main")
        .env(PROGRAM_ENV, program());
    Ok(match program().as_str() {
        "sandboxed" => {
            let dir = PathBuf::from(std::env::var_os(DIR_ENV).expect("the checker sets it"));
            SafetyContext::new()
                .enable(
                    io.allow_open()
                        .yes_really()
                        .allow_read()
                        .allow_metadata()
                        .allow_close()
                        .allow_read_path("/data")
                        .allow_read_path("/proc"),
                )?
                .isolate_process(config.bind(dir, "/data"))
        }
        "exit3" | "panics" => SafetyContext::new().enable(io)?.isolate_process(config),
        "sleeps" => SafetyContext::new()
            .enable(io)?
            .enable(Threads::nothing().allow_sleep().yes_really())?
            // Kept by the isolated child only, never by the supervisor.
            .isolate_process(config.keep_capability(Capability::SysChroot)),
        "report" => {
            let dir = PathBuf::from(std::env::var_os(DIR_ENV).expect("the checker sets it"));
            SafetyContext::new().enable(io)?.isolate_process(
                config
                    .bind(&dir, "/ro")
                    .bind(&dir, "/ro2")
                    .bind_writable(&dir, "/rw")
                    .rootfs_size_mib(16)
                    .keep_capability(Capability::SysChroot)
                    .keep_capability(Capability::NetAdmin)
                    .rlimit(Rlimit::OpenFiles, 64),
            )
        }
        "report_plain" => SafetyContext::new()
            .enable(io)?
            .isolate_process(config.new_network(false)),
        "no_userns" => {
            deny_unshare();
            SafetyContext::new().enable(io)?.isolate_process(config)
        }
        "threaded" => {
            std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(30)));
            SafetyContext::new().enable(io)?.isolate_process(config)
        }
        other => panic!("no program {other}"),
    })
}

/// Makes unshare(2) fail with EPERM, as a container's seccomp profile would.
fn deny_unshare() {
    use libseccomp::{ScmpAction, ScmpFilterContext, ScmpSyscall};
    let mut filter = ScmpFilterContext::new(ScmpAction::Allow).unwrap();
    filter
        .add_rule(
            ScmpAction::Errno(libc::EPERM),
            ScmpSyscall::from_name("unshare").unwrap(),
        )
        .unwrap();
    filter.load().unwrap();
}

/// What the programs do once isolated.
fn body() {
    match program().as_str() {
        "sandboxed" => {
            let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_string())
                    .unwrap()
            };
            let data = std::fs::read_to_string("/data/file").unwrap();
            // /tmp is a writable tmpfs, but Landlock allows only reading /data and /proc.
            let tmp = std::fs::write("/tmp/x", b"x").map_err(|e| errno(&e));
            // The network namespace has a loopback, but seccomp allows no socket.
            let socket = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| errno(&e));
            println!(
                "pid={} data={data} tmp={tmp:?} socket={socket:?} seccomp={} nnp={} capeff={} \
                 capbnd={}",
                std::process::id(),
                field("Seccomp:"),
                field("NoNewPrivs:"),
                field("CapEff:"),
                field("CapBnd:")
            );
        }
        "exit3" => std::process::exit(3),
        "panics" => panic!("isolated main panicked"),
        "sleeps" => {
            println!("ready");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        }
        other => panic!("program {other} should not have reached its body"),
    }
}

/// The `report*` programs: `apply_isolated` by hand, to print the report it returns in the
/// isolated child (`#[extrasafe::main]` discards it).
fn report_main() {
    let report = match context().and_then(SafetyContext::apply_isolated) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("apply_isolated failed: {e}");
            std::process::exit(1);
        }
    };
    let isolation = report.isolation.as_ref().expect("an isolation report");
    println!("{:?}", isolation.namespaces);
    println!(
        "{} {} {} {:?} {:?}",
        isolation.rootfs_mib,
        isolation.read_only_binds,
        isolation.writable_binds,
        isolation.capabilities,
        isolation.rlimits
    );
    println!("{isolation}");
    println!("{report}");
}

mod isolated {
    #[extrasafe::main(super::context)]
    pub(crate) fn main() {
        super::body();
    }
}

// ---------------------------------------------------------------------------------------
// The checks.

fn command(program: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env_remove(isolate_common::CASE_ENV)
        .env(PROGRAM_ENV, program)
        .env("RUST_BACKTRACE", "0");
    cmd
}

fn run(program: &str) -> Output {
    command(program).output().unwrap()
}

fn describe(out: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn the_contexts_seccomp_and_landlock_hold_inside_the_isolated_main() {
    let dir = std::env::temp_dir().join(format!("extrasafe-isolate-main-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("file"), "hello").unwrap();
    let out = command("sandboxed").env(DIR_ENV, &dir).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "pid=1 data=hello tmp=Err({}) socket=Err({}) seccomp=2 nnp=1 \
             capeff=0000000000000000 capbnd=0000000000000000\n",
            libc::EACCES,
            libc::EPERM
        )
    );
}

fn apply_isolated_reports_what_isolation_enforced() {
    let dir = std::env::temp_dir().join(format!("extrasafe-isolate-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = command("report").env(DIR_ENV, &dir).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", describe(&out));
    assert_eq!(
        lines[0],
        r#"["user", "pid", "mount", "ipc", "uts", "cgroup", "net"]"#
    );
    assert_eq!(
        lines[1],
        r#"16 2 1 ["CAP_NET_ADMIN", "CAP_SYS_CHROOT"] [("RLIMIT_NOFILE", 64)]"#
    );
    let isolation = "isolation: new user, pid, mount, ipc, uts, cgroup, net namespaces; 16 MiB \
                     tmpfs root; 3 binds (1 writable); capabilities: CAP_NET_ADMIN, \
                     CAP_SYS_CHROOT; rlimits: RLIMIT_NOFILE=64";
    assert_eq!(lines[2], isolation);
    assert!(
        lines[3].starts_with("seccomp: filter on all threads, ")
            && lines[3].ends_with(&format!("; no_new_privs set; {isolation}")),
        "{}",
        lines[3]
    );

    let out = run("report_plain");
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().nth(2),
        Some(
            "isolation: new user, pid, mount, ipc, uts, cgroup namespaces; 64 MiB tmpfs root; 0 \
             binds (0 writable); capabilities: none"
        ),
        "{}",
        describe(&out)
    );
}

fn the_supervisor_exits_with_the_childs_exit_code() {
    let out = run("exit3");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
}

fn a_panic_in_the_isolated_main_is_exit_code_101() {
    let out = run("panics");
    assert_eq!(out.status.code(), Some(101), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("isolated main panicked"));
}

/// Starts the `sleeps` program and waits until its isolated child runs user code; returns
/// the supervisor (the spawned process) and the isolated child's host pid.
fn start_sleeper() -> (Child, u32, KillOnPanic) {
    let mut child = command("sleeps").stdout(Stdio::piped()).spawn().unwrap();
    let guard = KillOnPanic(child.id());
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    let supervisor = child.id();
    let isolated = children_of(supervisor)
        .first()
        .copied()
        .expect("the supervisor has a child");
    (child, isolated, guard)
}

/// Kills the `sleeps` supervisor (and so its isolated child) if a check panics: it holds
/// the case process's stderr, and the runner would wait for it forever.
struct KillOnPanic(u32);

impl Drop for KillOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let pid = libc::pid_t::try_from(self.0).expect("pids fit in pid_t");
            #[allow(unsafe_code)]
            // SAFETY: kill takes integer arguments only.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

fn the_supervisor_is_restricted_and_forwards_sigterm() {
    let (mut child, isolated, _guard) = start_sleeper();
    let supervisor = child.id();
    assert_eq!(status_field(supervisor, "Seccomp").as_deref(), Some("2"));
    // The configuration keeps CAP_SYS_CHROOT (bit 18): the child has it, the supervisor
    // has nothing.
    for set in ["CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb"] {
        assert_eq!(
            status_field(supervisor, set).as_deref(),
            Some("0000000000000000"),
            "{set} of the supervisor"
        );
    }
    for (set, value) in [
        ("CapEff", "0000000000040000"),
        ("CapPrm", "0000000000040000"),
        ("CapBnd", "0000000000040000"),
        ("CapInh", "0000000000000000"),
        ("CapAmb", "0000000000000000"),
    ] {
        assert_eq!(
            status_field(isolated, set).as_deref(),
            Some(value),
            "{set} of the isolated child"
        );
    }
    assert_eq!(
        status_field(isolated, "NSpid")
            .unwrap()
            .split_whitespace()
            .last(),
        Some("1")
    );
    isolate_common::kill(supervisor, libc::SIGTERM);
    let status = child.wait().unwrap();
    // The isolated child (PID 1 of its namespace) exits with 128 + SIGTERM.
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{status}");
    wait_until("the isolated process is gone", || is_dead(isolated));
}

fn killing_the_supervisor_kills_the_isolated_main() {
    let (mut child, isolated, _guard) = start_sleeper();
    isolate_common::kill(child.id(), libc::SIGKILL);
    child.wait().unwrap();
    wait_until("the isolated process dies", || is_dead(isolated));
}

fn a_signal_that_kills_the_child_kills_the_supervisor_too() {
    use std::os::unix::process::ExitStatusExt;
    let (mut child, isolated, _guard) = start_sleeper();
    isolate_common::kill(isolated, libc::SIGKILL);
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
}

fn without_user_namespaces_main_fails_with_the_cause_and_does_not_run() {
    let out = run("no_userns");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("user namespaces are not available")
            && stderr.contains("allow unshare(CLONE_NEWUSER)"),
        "{stderr}"
    );
}

fn a_threaded_process_is_refused_before_anything_changes() {
    let out = run("threaded");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the process has 2 threads"), "{stderr}");
}

fn an_isolating_context_is_not_applied_to_a_thread() {
    let ctx = || {
        SafetyContext::new()
            .enable(Networking::nothing())
            .unwrap()
            .isolate_process(IsolationConfig::new())
    };
    for result in [
        ctx().apply_to_current_thread(),
        ctx().apply_to_all_threads(),
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(
                err,
                ExtraSafeError::Isolation(IsolateError::NeedsProcessIsolation)
            ),
            "{err:?}"
        );
    }
    // Nothing was applied.
    assert_eq!(
        status_field(std::process::id(), "Seccomp").as_deref(),
        Some("0")
    );
}

const CASES: &[Case] = &[
    (
        "the_contexts_seccomp_and_landlock_hold_inside_the_isolated_main",
        the_contexts_seccomp_and_landlock_hold_inside_the_isolated_main,
    ),
    (
        "apply_isolated_reports_what_isolation_enforced",
        apply_isolated_reports_what_isolation_enforced,
    ),
    (
        "the_supervisor_exits_with_the_childs_exit_code",
        the_supervisor_exits_with_the_childs_exit_code,
    ),
    (
        "a_panic_in_the_isolated_main_is_exit_code_101",
        a_panic_in_the_isolated_main_is_exit_code_101,
    ),
    (
        "the_supervisor_is_restricted_and_forwards_sigterm",
        the_supervisor_is_restricted_and_forwards_sigterm,
    ),
    (
        "killing_the_supervisor_kills_the_isolated_main",
        killing_the_supervisor_kills_the_isolated_main,
    ),
    (
        "a_signal_that_kills_the_child_kills_the_supervisor_too",
        a_signal_that_kills_the_child_kills_the_supervisor_too,
    ),
    (
        "without_user_namespaces_main_fails_with_the_cause_and_does_not_run",
        without_user_namespaces_main_fails_with_the_cause_and_does_not_run,
    ),
    (
        "a_threaded_process_is_refused_before_anything_changes",
        a_threaded_process_is_refused_before_anything_changes,
    ),
    (
        "an_isolating_context_is_not_applied_to_a_thread",
        an_isolating_context_is_not_applied_to_a_thread,
    ),
];

fn main() {
    if let Some(program) = std::env::var_os(PROGRAM_ENV) {
        if program.to_string_lossy().starts_with("report") {
            report_main();
        } else {
            isolated::main();
        }
        return;
    }
    match isolate_common::current_case() {
        Some(case) => isolate_common::run_case(CASES, &case),
        None => isolate_common::run_all(CASES),
    }
}
