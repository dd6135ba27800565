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

use extrasafe::builtins::danger_zone::{ForkAndExec, Threads};
use extrasafe::builtins::signals::Signals;
use extrasafe::builtins::{Networking, SystemIO};
use extrasafe::isolate::{Capability, IsolationConfig, Rlimit};
use extrasafe::syscalls::Sysno;
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
        // Built here, before isolation, where this process has its host pid.
        "signals_self" => SafetyContext::new()
            .enable(io)?
            .enable(extrasafe::builtins::signals::Signals::nothing().allow_to_self())?
            .isolate_process(config),
        // raise(3) and abort(3) send the signal with tgkill.
        "raise_kill" | "raise_term" | "aborts" => SafetyContext::new()
            .enable(io)?
            .enable(Sysno::tgkill)?
            .isolate_process(config),
        "reaps" => SafetyContext::new()
            .enable(
                io.allow_open()
                    .yes_really()
                    .allow_read()
                    .allow_metadata()
                    .allow_close()
                    .allow_read_path("/proc"),
            )?
            .enable(ForkAndExec)?
            .enable(Sysno::getppid)?
            .enable(Threads::nothing().allow_sleep().yes_really())?
            .isolate_process(config),
        "waits_for_term" => SafetyContext::new()
            .enable(io)?
            .enable(Signals::nothing().allow_wait())?
            .isolate_process(config),
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
        "report_groups" => SafetyContext::new()
            .enable(io.allow_open().yes_really().allow_read().allow_close())?
            .isolate_process(config),
        "report_plain" => SafetyContext::new()
            .enable(io)?
            .isolate_process(config.new_network(false)),
        // A hard limit above the current one: only the isolated child, in its new user
        // namespace (without CAP_SYS_RESOURCE on the host), finds out it cannot be set.
        "bad_rlimit" => SafetyContext::new()
            .enable(io)?
            .isolate_process(config.rlimit(Rlimit::OpenFiles, 1 << 40)),
        "keeps_fd" => {
            use std::os::fd::IntoRawFd;
            let dir = PathBuf::from(std::env::var_os(DIR_ENV).expect("the checker sets it"));
            let kept = std::fs::File::create(dir.join("kept")).unwrap();
            let closed = std::fs::File::create(dir.join("closed")).unwrap();
            let io = io.allow_file_write(&kept).allow_file_write(&closed);
            let (kept, closed) = (kept.into_raw_fd(), closed.into_raw_fd());
            KEPT_FD.store(kept, std::sync::atomic::Ordering::Relaxed);
            CLOSED_FD.store(closed, std::sync::atomic::Ordering::Relaxed);
            SafetyContext::new()
                .enable(io)?
                .isolate_process(config.keep_fd(kept))
        }
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

/// The descriptors the `keeps_fd` program opens before isolation: one kept, one not.
static KEPT_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);
static CLOSED_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

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
#[allow(unsafe_code)]
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
        "signals_self" => {
            let kill = |pid: i32| {
                // SAFETY: signal 0 only checks that the signal could be sent.
                let rc = unsafe { libc::kill(pid, 0) };
                if rc == 0 {
                    Ok(0)
                } else {
                    Err(errno(&std::io::Error::last_os_error()))
                }
            };
            let own = i32::try_from(std::process::id()).unwrap();
            println!("pid={own} self={:?} init={:?}", kill(own), kill(1));
        }
        "keeps_fd" => {
            let write = |fd: i32, text: &[u8]| {
                // SAFETY: `text` is valid for its length; the fd is an integer the kernel
                // checks (EBADF if it is not open).
                let rc = unsafe { libc::write(fd, text.as_ptr().cast(), text.len()) };
                if rc < 0 {
                    Err(errno(&std::io::Error::last_os_error()))
                } else {
                    Ok(rc)
                }
            };
            let kept = KEPT_FD.load(std::sync::atomic::Ordering::Relaxed);
            let closed = CLOSED_FD.load(std::sync::atomic::Ordering::Relaxed);
            println!(
                "kept={:?} closed={:?}",
                write(kept, b"kept\n"),
                write(closed, b"closed\n")
            );
        }
        "exit3" => std::process::exit(3),
        "panics" => panic!("isolated main panicked"),
        "raise_kill" => raise(libc::SIGKILL),
        "raise_term" => raise(libc::SIGTERM),
        "aborts" => std::process::abort(),
        "reaps" => orphan_a_grandchild(),
        "waits_for_term" => wait_for_sigterm(),
        "sleeps" => {
            println!("ready");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        }
        other => panic!("program {other} should not have reached its body"),
    }
}

#[allow(unsafe_code)]
fn raise(signal: i32) {
    // SAFETY: raise takes an integer; the signal's default action ends the process.
    unsafe { libc::raise(signal) };
    println!("raise({signal}) returned");
}

/// Orphans a grandchild (its parent exits first), lets it end, and prints the processes
/// that remain in the namespace once it is gone: a zombie would stay listed.
#[allow(unsafe_code)]
fn orphan_a_grandchild() {
    // SAFETY: the isolated process has one thread; the children only call fork, getppid,
    // nanosleep and _exit.
    let middle = unsafe { libc::fork() };
    assert!(middle >= 0, "fork: {}", std::io::Error::last_os_error());
    if middle == 0 {
        // SAFETY: as above.
        unsafe {
            if libc::fork() == 0 {
                // Wait until orphaned: adopted by PID 1 once `middle` has exited.
                while libc::getppid() != 1 {
                    libc::usleep(1000);
                }
                libc::_exit(0);
            }
            libc::_exit(0);
        }
    }
    let mut status = 0;
    // SAFETY: `status` is a valid int for the kernel to fill.
    assert_eq!(unsafe { libc::waitpid(middle, &mut status, 0) }, middle);
    let pids = || {
        let mut pids: Vec<u32> = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        pids.sort_unstable();
        pids
    };
    let mut left = pids();
    for _ in 0..500 {
        if left.len() <= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        left = pids();
    }
    println!("pid {} sees {left:?}", std::process::id());
}

/// Blocks SIGTERM, says it is ready, and prints who sent the SIGTERM it then waits for.
#[allow(unsafe_code)]
fn wait_for_sigterm() {
    // SAFETY: sigset_t and siginfo_t are plain data (all-zero is valid); the calls only
    // write to them, or read the set.
    let (signal, info) = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        assert_eq!(
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()),
            0
        );
        println!("ready");
        let mut info: libc::siginfo_t = std::mem::zeroed();
        (libc::sigwaitinfo(&set, &mut info), info)
    };
    // SAFETY: sigwaitinfo filled `info` for a signal sent with kill(2).
    let from = unsafe { info.si_pid() };
    println!("signal {signal} from pid {from}");
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
    if program() == "report_groups" {
        println!("{:?}", isolation.supplementary_groups);
        println!("{}", status_field(std::process::id(), "Groups").unwrap());
    }
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
            "pid=2 data=hello tmp=Err({}) socket=Err({}) seccomp=2 nnp=1 \
             capeff=0000000000000000 capbnd=0000000000000000\n",
            libc::EACCES,
            libc::EPERM
        )
    );
}

/// `Signals::allow_to_self` in a context built before isolation names the isolated
/// process (pid 2 inside), not the pid the program had on the host.
fn signals_to_self_name_the_isolated_process() {
    let out = command("signals_self").output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("pid=2 self=Ok(0) init=Err({})\n", libc::EPERM)
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
    let isolation = format!(
        "isolation: new user, pid, mount, ipc, uts, cgroup, net namespaces; 16 MiB tmpfs root; \
         3 binds (1 writable); capabilities: CAP_NET_ADMIN, CAP_SYS_CHROOT{}; rlimits: \
         RLIMIT_NOFILE=64",
        kept_groups_suffix()
    );
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
            format!(
                "isolation: new user, pid, mount, ipc, uts, cgroup namespaces; 64 MiB tmpfs \
                 root; 0 binds (0 writable); capabilities: none{}",
                kept_groups_suffix()
            )
            .as_str()
        ),
        "{}",
        describe(&out)
    );
}

/// What the report's `Display` says of the supplementary groups of this process, which an
/// isolated child keeps unless this process may drop them (root).
fn kept_groups_suffix() -> String {
    let groups = status_field(std::process::id(), "Groups").unwrap();
    if isolate_common::is_root() || groups.is_empty() {
        String::new()
    } else {
        let groups: Vec<&str> = groups.split_whitespace().collect();
        format!("; supplementary groups kept: {}", groups.join(", "))
    }
}

/// The isolated main has no supplementary groups where the kernel lets isolation drop them
/// (a caller that is root on the host, which this case gives two); else it keeps the
/// caller's, and the report lists them (inside they show unmapped, as the overflow gid, but
/// for the caller's own group, which is group 0 there).
#[allow(unsafe_code)]
fn supplementary_groups_are_dropped_or_reported() {
    if isolate_common::is_root() {
        let groups: [libc::gid_t; 2] = [1234, 5678];
        // SAFETY: the pointer and length describe `groups`, which the kernel only reads.
        let rc = unsafe { libc::setgroups(groups.len(), groups.as_ptr()) };
        assert_eq!(rc, 0, "setgroups: {}", std::io::Error::last_os_error());
    }
    let host: Vec<u32> = status_field(std::process::id(), "Groups")
        .unwrap()
        .split_whitespace()
        .map(|g| g.parse().unwrap())
        .collect();
    // SAFETY: getegid cannot fail and touches no memory.
    let egid = unsafe { libc::getegid() };
    let overflow = std::fs::read_to_string("/proc/sys/kernel/overflowgid").unwrap();
    let (kept, inside) = if isolate_common::is_root() {
        (Vec::new(), Vec::new())
    } else {
        let inside: Vec<String> = host
            .iter()
            .map(|&g| {
                if g == egid {
                    "0".to_string()
                } else {
                    overflow.trim().to_string()
                }
            })
            .collect();
        (host.clone(), inside)
    };
    let out = run("report_groups");
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", describe(&out));
    assert_eq!(lines[4], format!("{kept:?}"), "{}", describe(&out));
    assert_eq!(lines[5], inside.join(" "), "{}", describe(&out));
    if !kept.is_empty() {
        let listed: Vec<String> = kept.iter().map(ToString::to_string).collect();
        assert!(
            lines[2].ends_with(&format!(
                "; supplementary groups kept: {}",
                listed.join(", ")
            )),
            "{}",
            lines[2]
        );
    }
}

/// A setup step that fails in the isolated child (after the fork, where no error can be
/// returned to the caller) prints which step and why, and the program exits 1 without
/// running `main`.
fn a_setup_step_failing_in_the_isolated_child_prints_why_and_exits_1() {
    let out = run("bad_rlimit");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "main ran: {}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("extrasafe: ") && stderr.contains("set the limit on"),
        "{stderr}"
    );
}

/// `keep_fd` keeps a descriptor opened before isolation open in the isolated process;
/// every other one above 2 is closed there (EBADF, although the filter allows the write).
fn keep_fd_keeps_that_descriptor_and_closes_the_others() {
    let dir = std::env::temp_dir().join(format!("extrasafe-keep-fd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = command("keeps_fd").env(DIR_ENV, &dir).output().unwrap();
    let kept = std::fs::read_to_string(dir.join("kept")).unwrap();
    let closed = std::fs::read_to_string(dir.join("closed")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("kept=Ok(5) closed=Err({})\n", libc::EBADF),
        "{}",
        describe(&out)
    );
    assert_eq!((kept.as_str(), closed.as_str()), ("kept\n", ""));
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

/// The processes of a started program: the supervisor (the spawned process), the init
/// (its child, PID 1 of the namespace) and the isolated child (PID 2) running `main`.
struct Started {
    supervisor: Child,
    init: u32,
    isolated: u32,
    /// The rest of the program's stdout, after its first line.
    stdout: BufReader<std::process::ChildStdout>,
    _guard: KillOnPanic,
}

/// Starts `program` and waits until its isolated child runs `main` (it prints `ready`).
fn start(program: &str) -> Started {
    let mut child = command(program).stdout(Stdio::piped()).spawn().unwrap();
    let guard = KillOnPanic(child.id());
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    let init = children_of(child.id())
        .first()
        .copied()
        .expect("the supervisor has a child");
    let isolated = children_of(init)
        .first()
        .copied()
        .expect("the init has a child");
    Started {
        supervisor: child,
        init,
        isolated,
        stdout,
        _guard: guard,
    }
}

fn ns_pid(pid: u32) -> Option<String> {
    status_field(pid, "NSpid")?
        .split_whitespace()
        .last()
        .map(str::to_string)
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

fn the_supervisor_and_the_init_are_restricted_and_forward_sigterm() {
    use std::os::unix::process::ExitStatusExt;
    let Started {
        supervisor: mut child,
        init,
        isolated,
        ..
    } = start("sleeps");
    let supervisor = child.id();
    // The configuration keeps CAP_SYS_CHROOT (bit 18): the child has it, the supervisor
    // and the init have nothing.
    for (pid, who) in [(supervisor, "supervisor"), (init, "init")] {
        assert_eq!(status_field(pid, "Seccomp").as_deref(), Some("2"), "{who}");
        for set in ["CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb"] {
            assert_eq!(
                status_field(pid, set).as_deref(),
                Some("0000000000000000"),
                "{set} of the {who}"
            );
        }
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
    assert_eq!(ns_pid(init).as_deref(), Some("1"));
    assert_eq!(ns_pid(isolated).as_deref(), Some("2"));
    isolate_common::kill(supervisor, libc::SIGTERM);
    let status = child.wait().unwrap();
    // Passed on by the supervisor and the init, SIGTERM ends the isolated child (which has
    // no handler for it), and the supervisor dies by it too.
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status}");
    wait_until("the init is gone", || is_dead(init));
    wait_until("the isolated process is gone", || is_dead(isolated));
}

fn a_sigterm_to_the_supervisor_reaches_a_waiting_isolated_main() {
    let mut started = start("waits_for_term");
    isolate_common::kill(started.supervisor.id(), libc::SIGTERM);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut started.stdout, &mut rest).unwrap();
    let status = started.supervisor.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status}");
    // The init (PID 1) passed it on.
    assert_eq!(rest, format!("signal {} from pid 1\n", libc::SIGTERM));
}

fn killing_the_supervisor_kills_the_isolated_main() {
    let Started {
        supervisor: mut child,
        init,
        isolated,
        ..
    } = start("sleeps");
    isolate_common::kill(child.id(), libc::SIGKILL);
    child.wait().unwrap();
    wait_until("the init dies", || is_dead(init));
    wait_until("the isolated process dies", || is_dead(isolated));
}

fn a_signal_that_kills_the_child_kills_the_supervisor_too() {
    use std::os::unix::process::ExitStatusExt;
    let started = start("sleeps");
    let mut child = started.supervisor;
    isolate_common::kill(started.isolated, libc::SIGKILL);
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
    wait_until("the init is gone", || is_dead(started.init));
}

fn killing_the_init_kills_the_isolated_main_and_the_supervisor() {
    use std::os::unix::process::ExitStatusExt;
    let started = start("sleeps");
    let mut child = started.supervisor;
    isolate_common::kill(started.init, libc::SIGKILL);
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
    wait_until("the isolated process is gone", || is_dead(started.isolated));
}

fn signals_without_a_handler_end_the_isolated_main() {
    use std::os::unix::process::ExitStatusExt;
    for (program, signal) in [
        ("raise_kill", libc::SIGKILL),
        ("raise_term", libc::SIGTERM),
        ("aborts", libc::SIGABRT),
    ] {
        let out = run(program);
        assert_eq!(
            out.status.signal(),
            Some(signal),
            "{program}: {}",
            describe(&out)
        );
        assert!(out.stdout.is_empty(), "{program}: {}", describe(&out));
    }
}

fn the_isolated_main_is_pid_2_and_the_init_reaps_orphaned_zombies() {
    let out = run("reaps");
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "pid 2 sees [1, 2]\n");
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
        "signals_to_self_name_the_isolated_process",
        signals_to_self_name_the_isolated_process,
    ),
    (
        "the_contexts_seccomp_and_landlock_hold_inside_the_isolated_main",
        the_contexts_seccomp_and_landlock_hold_inside_the_isolated_main,
    ),
    (
        "apply_isolated_reports_what_isolation_enforced",
        apply_isolated_reports_what_isolation_enforced,
    ),
    (
        "supplementary_groups_are_dropped_or_reported",
        supplementary_groups_are_dropped_or_reported,
    ),
    (
        "the_supervisor_exits_with_the_childs_exit_code",
        the_supervisor_exits_with_the_childs_exit_code,
    ),
    (
        "a_setup_step_failing_in_the_isolated_child_prints_why_and_exits_1",
        a_setup_step_failing_in_the_isolated_child_prints_why_and_exits_1,
    ),
    (
        "keep_fd_keeps_that_descriptor_and_closes_the_others",
        keep_fd_keeps_that_descriptor_and_closes_the_others,
    ),
    (
        "a_panic_in_the_isolated_main_is_exit_code_101",
        a_panic_in_the_isolated_main_is_exit_code_101,
    ),
    (
        "the_supervisor_and_the_init_are_restricted_and_forward_sigterm",
        the_supervisor_and_the_init_are_restricted_and_forward_sigterm,
    ),
    (
        "a_sigterm_to_the_supervisor_reaches_a_waiting_isolated_main",
        a_sigterm_to_the_supervisor_reaches_a_waiting_isolated_main,
    ),
    (
        "killing_the_init_kills_the_isolated_main_and_the_supervisor",
        killing_the_init_kills_the_isolated_main_and_the_supervisor,
    ),
    (
        "signals_without_a_handler_end_the_isolated_main",
        signals_without_a_handler_end_the_isolated_main,
    ),
    (
        "the_isolated_main_is_pid_2_and_the_init_reaps_orphaned_zombies",
        the_isolated_main_is_pid_2_and_the_init_reaps_orphaned_zombies,
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
