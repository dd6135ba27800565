//! The kernel decides as [`CompiledFilter::decide`] says it will.
//!
//! A sample of the differential tests' cases (builtins, pledge promises, systemd groups and
//! random policies) is loaded into a thread of a child process, which then issues the raw
//! syscalls and compares the kernel's answer with the evaluator's. Only harmless calls are
//! made: syscalls on a file descriptor that is not open (the kernel answers `EBADF`), and
//! on `/dev/null` for the calls that do not write to memory. The default action is an errno
//! none of these calls returns otherwise, so "denied" and "allowed" cannot be confused.

mod common;

use std::os::fd::AsRawFd;

use common::{raw_syscall, run_in_child};
use extrasafe::builtins::{SystemIO, Time};
use extrasafe::eval::Action;
use extrasafe::profiles::pledge::Pledge;
use extrasafe::profiles::systemd::SystemCallFilter;
use extrasafe::syscalls::Sysno;
use extrasafe::{Comparator, RuleSet, SafetyContext, SeccompArgumentFilter, SeccompRule};

/// The default action's errno (EADDRNOTAVAIL): none of the calls below fails with it.
const DENIED: i32 = libc::EADDRNOTAVAIL;

/// Calls on a descriptor that is not open: the kernel checks the filter first, then answers
/// EBADF (or EINVAL) without reading any other argument.
const ON_BAD_FD: [Sysno; 16] = [
    Sysno::read,
    Sysno::write,
    Sysno::close,
    Sysno::fstat,
    Sysno::lseek,
    Sysno::ioctl,
    Sysno::fcntl,
    Sysno::fsync,
    Sysno::fdatasync,
    Sysno::ftruncate,
    Sysno::fchmod,
    Sysno::fchown,
    Sysno::flock,
    Sysno::dup,
    Sysno::pread64,
    Sysno::pwrite64,
];

/// How many arguments each of [`ON_BAD_FD`] takes.
const ARGS: [u64; 16] = [3, 3, 1, 2, 3, 3, 3, 1, 1, 2, 2, 3, 2, 1, 4, 4];

/// Calls that are harmless on `/dev/null` whatever the other arguments: nothing is written
/// to memory (a read of `/dev/null` returns 0 bytes) and nothing changes.
const ON_DEV_NULL: [Sysno; 7] = [
    Sysno::read,
    Sysno::write,
    Sysno::pread64,
    Sysno::pwrite64,
    Sysno::lseek,
    Sysno::fsync,
    Sysno::fdatasync,
];

fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Boundary values for the arguments after the first, with `constants` and their
/// neighbours, each also with junk in the upper 32 bits.
fn boundaries(constants: &[u64]) -> Vec<u64> {
    let mut v: Vec<u64> = vec![0, 1, 2, 3, 1 << 31, 0xffff_ffff, 1 << 32, 1 << 63, u64::MAX];
    v.extend((0..64).map(|b| 1u64 << b));
    for &c in constants {
        v.extend([c, c.wrapping_add(1), c.wrapping_sub(1)]);
    }
    let junk: Vec<u64> = v
        .iter()
        .map(|x| (x & 0xffff_ffff) | 0xdead_beef_0000_0000)
        .collect();
    v.extend(junk);
    v.sort_unstable();
    v.dedup();
    v
}

/// Loads `ctx`'s program into a new thread, issues `calls` there and returns every call
/// where the kernel's answer differs from the evaluator's.
fn disagreements(ctx: SafetyContext, calls: Vec<(Sysno, [u64; 6])>) -> Vec<String> {
    let filter = ctx.compile().expect("the policy compiles");
    let expected: Vec<Action> = calls
        .iter()
        .map(|&(s, args)| filter.decide(s, args).expect("a valid program"))
        .collect();
    let handle = std::thread::spawn(move || {
        filter.apply_to_current_thread().expect("the filter loads");
        // Only the raw calls here: the answers are compared after the thread ends.
        calls
            .iter()
            .map(|&(s, args)| raw_syscall(libc::c_long::from(s.id()), args))
            .collect::<Vec<_>>()
    });
    let got = handle.join().expect("the sandboxed thread ends");
    let mut out = Vec::new();
    for (i, (answer, want)) in got.iter().zip(&expected).enumerate() {
        let denied = *answer == Err(DENIED);
        let agrees = match want {
            Action::Allow => !denied,
            Action::Errno(e) => i32::from(*e) == DENIED && denied,
            other => panic!("call {i}: the evaluator says {other}, which these calls never get"),
        };
        if !agrees {
            out.push(format!(
                "call {i}: the evaluator says {want}, the kernel answered {answer:?}"
            ));
        }
    }
    out
}

/// Inputs for the harmless calls of `ctx`: a descriptor that is not open (or `/dev/null`'s)
/// in the first argument, with and without junk in its upper half; boundary values and
/// random words in the others.
fn sample(
    null_fd: u64,
    constants: &[u64],
    seed: &mut u64,
    per_call: usize,
) -> Vec<(Sysno, [u64; 6])> {
    let values = boundaries(constants);
    let bad_fds = [
        0x10_0000,
        0x7fff_ffff,
        0xffff_ffff,
        0xffff_ffff_ffff_ffff,
        0xdead_beef_0010_0000,
        0x1_0010_0000,
    ];
    let mut calls = Vec::new();
    for &s in &ON_BAD_FD {
        for i in 0..per_call {
            let mut args = [0u64; 6];
            let fd = if ON_DEV_NULL.contains(&s) && i % 3 == 0 {
                // `/dev/null`, also with junk above its 32 bits (the kernel reads an
                // `unsigned int` fd).
                if i % 2 == 0 {
                    null_fd
                } else {
                    null_fd | 0xffff_ffff_0000_0000
                }
            } else {
                bad_fds[usize::try_from(xorshift(seed) % 6).expect("index")]
            };
            args[0] = fd;
            for a in &mut args[1..] {
                let r = xorshift(seed);
                *a = if r % 5 == 0 {
                    xorshift(seed)
                } else {
                    values[usize::try_from(r % values.len() as u64).expect("index")]
                };
            }
            calls.push((s, args));
        }
    }
    calls
}

/// Random rules over the harmless calls: comparisons of any kind on each argument.
fn random_policy(seed: &mut u64, null_fd: u64) -> (RandomRules, Vec<u64>) {
    let mut rules = RandomRules(Vec::new());
    let mut constants = vec![null_fd];
    for (&s, &nargs) in ON_BAD_FD.iter().zip(&ARGS) {
        let r = xorshift(seed) % 4;
        if r == 0 {
            continue;
        }
        if r == 1 {
            rules.0.push((s, None));
            continue;
        }
        for _ in 0..1 + xorshift(seed) % 3 {
            let mut rule = SeccompRule::new(s);
            let mut used = Vec::new();
            for n in 0..1 + xorshift(seed) % 3 {
                let idx = u8::try_from(xorshift(seed) % nargs).expect("< 6");
                if used.contains(&idx) {
                    continue;
                }
                used.push(idx);
                // 64 bits only where the kernel reads 64 (a count, an offset, a length).
                let wide = matches!(
                    (s, idx),
                    (
                        Sysno::read | Sysno::write | Sysno::pread64 | Sysno::pwrite64,
                        2
                    ) | (Sysno::lseek | Sysno::ftruncate, 1)
                        | (Sysno::pread64 | Sysno::pwrite64, 3)
                );
                let value = match xorshift(seed) % 5 {
                    0 => xorshift(seed) % 4,
                    1 => xorshift(seed) & 0xffff_ffff,
                    2 => 0x10_0000 + xorshift(seed) % 3,
                    3 => 1u64 << (xorshift(seed) % 64),
                    _ => xorshift(seed),
                };
                let value = if wide { value } else { value & 0xffff_ffff };
                let mask = xorshift(seed) >> (xorshift(seed) % 64);
                // One comparison that expands into many alternatives per rule, at most.
                let op = match xorshift(seed) % if n == 0 { 7 } else { 2 } {
                    0 => Comparator::Eq,
                    1 => Comparator::MaskedEq(mask),
                    2 => Comparator::Ne,
                    3 => Comparator::Lt,
                    4 => Comparator::Le,
                    5 => Comparator::Gt,
                    _ => Comparator::Ge,
                };
                let value = if let Comparator::MaskedEq(m) = op {
                    let m = if wide { m } else { m & 0xffff_ffff };
                    constants.push(m);
                    value & m
                } else {
                    value
                };
                let op = if let Comparator::MaskedEq(m) = op {
                    Comparator::MaskedEq(if wide { m } else { m & 0xffff_ffff })
                } else {
                    op
                };
                constants.push(value);
                rule = rule.and_condition(SeccompArgumentFilter::new64(idx, op, value));
            }
            rules.0.push((s, Some(rule)));
        }
    }
    (rules, constants)
}

/// A RuleSet from a list of rules (`None`: the syscall with any arguments).
#[derive(Debug, Clone)]
struct RandomRules(Vec<(Sysno, Option<SeccompRule>)>);

impl RuleSet for RandomRules {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.0
            .iter()
            .filter(|(_, r)| r.is_none())
            .map(|(s, _)| *s)
            .collect()
    }

    fn conditional_rules(&self) -> std::collections::HashMap<Sysno, Vec<SeccompRule>> {
        let mut out: std::collections::HashMap<Sysno, Vec<SeccompRule>> = Default::default();
        let simple = self.simple_rules();
        for (s, r) in &self.0 {
            if let Some(r) = r {
                if !simple.contains(s) {
                    out.entry(*s).or_default().push(r.clone());
                }
            }
        }
        out
    }

    fn name(&self) -> &'static str {
        "Random"
    }
}

#[test]
fn the_kernel_decides_as_the_evaluator() {
    let outcome = run_in_child("the_kernel_decides_as_the_evaluator", || {
        let null = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .expect("/dev/null");
        let null_fd = u64::try_from(null.as_raw_fd()).expect("a positive fd");
        let ctx = || SafetyContext::new().with_errno(DENIED.unsigned_abs());
        let mut seed = 0x0dd_ba11_u64;
        let mut cases: Vec<(String, SafetyContext, Vec<u64>)> = vec![
            (
                "SystemIO::everything()".into(),
                ctx().enable(SystemIO::everything()).unwrap(),
                vec![],
            ),
            (
                "SystemIO stdin, stdout, /dev/null read and write, close".into(),
                ctx()
                    .enable(
                        SystemIO::nothing()
                            .allow_stdin()
                            .allow_stdout()
                            .allow_file_read(&null)
                            .allow_file_write(&null)
                            .allow_close(),
                    )
                    .unwrap(),
                vec![0, 1, null_fd],
            ),
            (
                "SystemIO metadata, ioctl, dup, truncate, flock".into(),
                ctx()
                    .enable(
                        SystemIO::nothing()
                            .allow_metadata()
                            .allow_ioctl()
                            .allow_dup()
                            .allow_truncate()
                            .allow_flock(),
                    )
                    .unwrap(),
                vec![],
            ),
            (
                "Time".into(),
                ctx().enable(Time::everything()).unwrap(),
                vec![],
            ),
        ];
        for promises in ["stdio", "stdio rpath wpath", "stdio fattr flock"] {
            cases.push((
                format!("pledge {promises}"),
                ctx().enable(Pledge::new(promises).unwrap()).unwrap(),
                vec![],
            ));
        }
        for spec in ["@basic-io", "@file-system", "@system-service", "~@basic-io"] {
            cases.push((
                format!("SystemCallFilter={spec}"),
                ctx()
                    .enable(SystemCallFilter::parse(spec).unwrap())
                    .unwrap(),
                vec![],
            ));
        }
        let mut random = 0;
        for n in 0..300 {
            if random == 30 {
                break;
            }
            let (rules, constants) = random_policy(&mut seed, null_fd);
            match ctx()
                .enable(rules.clone())
                .and_then(|c| c.compile().map(|_| c))
            {
                Ok(c) => {
                    random += 1;
                    cases.push((format!("random policy {n}: {rules:?}"), c, constants));
                }
                Err(e) => eprintln!("random policy {n} is refused: {e}"),
            }
        }
        let mut calls_made = 0;
        let policies = cases.len();
        for (label, ctx, constants) in cases {
            let calls = sample(null_fd, &constants, &mut seed, 60);
            calls_made += calls.len();
            let wrong = disagreements(ctx, calls.clone());
            assert!(
                wrong.is_empty(),
                "{label}: {} disagreements, first: {}; calls: {:#x?}",
                wrong.len(),
                wrong[0],
                &calls[..calls.len().min(3)]
            );
        }
        eprintln!("{policies} policies, {calls_made} syscalls issued: the kernel agreed on each");
        assert_eq!(random, 30, "only {random} random policies compiled");
        drop(null);
    });
    outcome.assert_success();
    let report = String::from_utf8_lossy(&outcome.output.stderr);
    eprintln!("{report}");
    assert!(report.contains("the kernel agreed on each"), "{report}");
}
