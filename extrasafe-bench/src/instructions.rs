//! Item 0: BPF instructions the kernel executes per syscall, a figure noise cannot move.
//!
//! For each context, extrasafe's program (from `compile`) and 0.5.1's (the program 0.5.1
//! loaded, read back from a child process with `PTRACE_SECCOMP_GET_FILTER`) are run by
//! [`extrasafe::eval`] on every syscall the context allows and on every one it denies. The
//! floor, `[ret ALLOW]`, executes one instruction for every syscall.

use std::time::{Duration, Instant};

use extrasafe::builtins::danger_zone::{ForkAndExec, Threads};
use extrasafe::builtins::pipes::Pipes;
use extrasafe::builtins::{BasicCapabilities, Networking, SystemIO, Time};
use extrasafe::eval::{self, Action, SeccompData};
use extrasafe::syscalls::Sysno;
use extrasafe::{BpfInstruction, Comparator, ExtraSafeError, SafetyContext, Verdict};

use extrasafe051 as old;

type Ours = fn() -> Result<SafetyContext, ExtraSafeError>;
type Old = fn() -> Result<old::SafetyContext, old::ExtraSafeError>;

/// A descriptor that stays open for the whole run (its number goes into conditions on
/// `read`).
fn dev_zero() -> &'static std::fs::File {
    static FILE: std::sync::OnceLock<std::fs::File> = std::sync::OnceLock::new();
    FILE.get_or_init(|| std::fs::File::open("/dev/zero").expect("/dev/zero"))
}

/// The contexts measured: the bench's typical and conditional ones, and each builtin.
pub(crate) fn cases() -> Vec<(&'static str, Ours, Old)> {
    vec![
        (
            "typical (the bench's)",
            crate::contexts::typical,
            crate::contexts::typical_051,
        ),
        (
            "conditional (the bench's)",
            || crate::contexts::conditional(dev_zero()),
            || crate::contexts::conditional_051(dev_zero()),
        ),
        (
            "BasicCapabilities",
            || SafetyContext::new().enable(BasicCapabilities),
            || old::SafetyContext::new().enable(old::builtins::BasicCapabilities),
        ),
        (
            "SystemIO::everything()",
            || SafetyContext::new().enable(SystemIO::everything()),
            || old::SafetyContext::new().enable(old::builtins::SystemIO::everything()),
        ),
        (
            "SystemIO stdout, stderr",
            || SafetyContext::new().enable(SystemIO::nothing().allow_stdout().allow_stderr()),
            || {
                old::SafetyContext::new().enable(
                    old::builtins::SystemIO::nothing()
                        .allow_stdout()
                        .allow_stderr(),
                )
            },
        ),
        (
            "Networking TCP servers",
            || {
                SafetyContext::new().enable(
                    Networking::nothing()
                        .allow_start_tcp_servers()
                        .yes_really()
                        .allow_running_tcp_servers(),
                )
            },
            || {
                old::SafetyContext::new().enable(
                    old::builtins::Networking::nothing()
                        .allow_start_tcp_servers()
                        .yes_really()
                        .allow_running_tcp_servers(),
                )
            },
        ),
        (
            "Networking TCP clients",
            || SafetyContext::new().enable(Networking::nothing().allow_start_tcp_clients()),
            || {
                old::SafetyContext::new()
                    .enable(old::builtins::Networking::nothing().allow_start_tcp_clients())
            },
        ),
        (
            "Networking UDP, unix servers",
            || {
                SafetyContext::new().enable(
                    Networking::nothing()
                        .allow_start_udp_servers()
                        .yes_really()
                        .allow_start_unix_servers()
                        .yes_really(),
                )
            },
            || {
                old::SafetyContext::new().enable(
                    old::builtins::Networking::nothing()
                        .allow_start_udp_servers()
                        .yes_really()
                        .allow_start_unix_servers()
                        .yes_really(),
                )
            },
        ),
        (
            "Time",
            || SafetyContext::new().enable(Time::nothing().allow_gettime()),
            || old::SafetyContext::new().enable(old::builtins::Time::nothing().allow_gettime()),
        ),
        (
            "Threads",
            || {
                SafetyContext::new()
                    .enable(Threads::nothing().allow_create().allow_sleep().yes_really())
            },
            || {
                old::SafetyContext::new().enable(
                    old::builtins::danger_zone::Threads::nothing()
                        .allow_create()
                        .allow_sleep()
                        .yes_really(),
                )
            },
        ),
        (
            "ForkAndExec",
            || SafetyContext::new().enable(ForkAndExec),
            || old::SafetyContext::new().enable(old::builtins::danger_zone::ForkAndExec),
        ),
        (
            "Pipes",
            || SafetyContext::new().enable(Pipes),
            || old::SafetyContext::new().enable(old::builtins::pipes::Pipes),
        ),
    ]
}

/// In a child process (`--dump-051 N`): applies case `N`'s 0.5.1 context and waits, without
/// a syscall, to have its filter read.
pub(crate) fn dump_051_child(index: &str) -> ! {
    let cases = cases();
    let Some((_, _, old)) = index.parse::<usize>().ok().and_then(|i| cases.get(i)) else {
        eprintln!("extrasafe-bench: --dump-051 {index}: no such case");
        std::process::exit(2);
    };
    match old().and_then(old::SafetyContext::apply_to_current_thread) {
        Ok(()) => loop {
            std::hint::spin_loop();
        },
        Err(e) => {
            eprintln!("extrasafe-bench: 0.5.1 context {index}: {e}");
            std::process::exit(1);
        }
    }
}

/// The program 0.5.1 loads for case `index`, read back from a child that loaded it.
fn program_051(index: usize) -> Result<Vec<BpfInstruction>, String> {
    // CAP_SYS_ADMIN (bit 21 of the effective set) is what the kernel asks for.
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    let root = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .is_some_and(|v| u64::from_str_radix(v.trim(), 16).is_ok_and(|c| c & (1 << 21) != 0));
    if !root {
        return Err("reading a loaded filter back needs CAP_SYS_ADMIN (run as root)".into());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = std::process::Command::new(exe)
        .args(["--dump-051", &index.to_string()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("start the 0.5.1 child: {e}"))?;
    let pid = i32::try_from(child.id()).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let loaded = loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if status.lines().any(|l| l == "Seccomp:\t2") {
            break true;
        }
        if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let program = if loaded {
        crate::sys::read_filter(pid).map_err(|e| format!("PTRACE_SECCOMP_GET_FILTER: {e}"))
    } else {
        Err("the 0.5.1 child did not load its filter".into())
    };
    let _ = child.kill();
    let _ = child.wait();
    program
}

/// What one program does with one syscall: instructions executed and the action.
fn count(program: &[BpfInstruction], sysno: Sysno, args: [u64; 6]) -> (usize, Action) {
    let e = eval::run(program, &SeccompData::native(sysno, args)).expect("a loaded program");
    (e.executed, e.action)
}

/// Mean, max and the syscall of the max.
#[derive(Debug, Clone)]
pub(crate) struct Spread {
    pub(crate) mean: f64,
    pub(crate) max: usize,
    pub(crate) worst: &'static str,
}

fn spread(counts: &[(Sysno, usize)]) -> Spread {
    let mean = counts.iter().map(|&(_, n)| n as f64).sum::<f64>() / counts.len().max(1) as f64;
    let (worst, max) = counts
        .iter()
        .max_by_key(|&&(s, n)| (n, std::cmp::Reverse(s)))
        .map_or(("-", 0), |&(s, n)| (s.name(), n));
    Spread { mean, max, worst }
}

/// A conditioned syscall: its name, the instructions of extrasafe's program for a call the
/// rules allow and for one they deny, and the same in 0.5.1's program.
pub(crate) type Conditioned = (&'static str, (usize, usize), Option<(usize, usize)>);

/// The figures of one context.
#[derive(Debug, Clone)]
pub(crate) struct Counts {
    pub(crate) label: &'static str,
    /// Syscalls allowed with any arguments, and under conditions.
    pub(crate) allowed: usize,
    pub(crate) conditioned: usize,
    pub(crate) ours: Spread,
    pub(crate) old: Result<Spread, String>,
    pub(crate) denied_ours: Spread,
    pub(crate) denied_old: Option<Spread>,
    /// Per conditioned syscall: instructions for a call the rules allow and for one they
    /// deny, in extrasafe's program and in 0.5.1's.
    pub(crate) conditions: Vec<Conditioned>,
    pub(crate) total_ours: usize,
    pub(crate) total_old: Option<usize>,
}

/// Arguments that one of `rules` allows.
fn passing(rules: &[(&'static str, extrasafe::SeccompRule)]) -> [u64; 6] {
    let mut args = [0u64; 6];
    if let Some((_, rule)) = rules.first() {
        for c in &rule.argument_filters {
            let v = c.value;
            args[usize::from(c.arg_idx).min(5)] = match c.comparator() {
                Comparator::Ne => v ^ 1,
                Comparator::Lt => v.saturating_sub(1),
                Comparator::Gt => v.saturating_add(1),
                _ => v,
            };
        }
    }
    args
}

/// Counts for every case.
pub(crate) fn run() -> Result<Vec<Counts>, String> {
    let mut out = Vec::new();
    for (index, (label, ours, _)) in cases().into_iter().enumerate() {
        let ctx = ours().map_err(|e| format!("{label}: {e}"))?;
        let program = ctx
            .compile()
            .map_err(|e| format!("{label}: {e}"))?
            .instructions()
            .to_vec();
        let old_program = program_051(index);
        let explanation = ctx.explain().map_err(|e| format!("{label}: {e}"))?;
        let mut unconditional = Vec::new();
        let mut unconditional_old = Vec::new();
        let mut conditions = Vec::new();
        let mut listed = Vec::new();
        for s in &explanation.syscalls {
            listed.push(s.syscall);
            match &s.verdict {
                Verdict::Allowed { .. } => {
                    let (n, action) = count(&program, s.syscall, [0; 6]);
                    if action != Action::Allow {
                        return Err(format!("{label}: {} is not allowed", s.syscall));
                    }
                    unconditional.push((s.syscall, n));
                    if let Ok(p) = &old_program {
                        unconditional_old.push((s.syscall, count(p, s.syscall, [0; 6]).0));
                    }
                }
                Verdict::AllowedIf { rules } => {
                    let pass = passing(rules);
                    let fail = [u64::MAX; 6];
                    let (np, _) = count(&program, s.syscall, pass);
                    let (nf, _) = count(&program, s.syscall, fail);
                    let old = old_program
                        .as_ref()
                        .ok()
                        .map(|p| (count(p, s.syscall, pass).0, count(p, s.syscall, fail).0));
                    conditions.push((s.syscall.name(), (np, nf), old));
                }
                _ => {}
            }
        }
        let denied: Vec<Sysno> = Sysno::ALL
            .iter()
            .copied()
            .filter(|s| !listed.contains(s) && *s != Sysno::clone3)
            .collect();
        let denied_ours: Vec<(Sysno, usize)> = denied
            .iter()
            .map(|&s| (s, count(&program, s, [0; 6]).0))
            .collect();
        let denied_old = old_program.as_ref().ok().map(|p| {
            let v: Vec<(Sysno, usize)> =
                denied.iter().map(|&s| (s, count(p, s, [0; 6]).0)).collect();
            spread(&v)
        });
        out.push(Counts {
            label,
            allowed: unconditional.len(),
            conditioned: conditions.len(),
            ours: spread(&unconditional),
            old: old_program
                .as_ref()
                .map(|_| spread(&unconditional_old))
                .map_err(Clone::clone),
            denied_ours: spread(&denied_ours),
            denied_old,
            conditions,
            total_ours: program.len(),
            total_old: old_program.as_ref().ok().map(Vec::len),
        });
    }
    Ok(out)
}
