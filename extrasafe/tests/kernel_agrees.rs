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

/// Random classic-BPF programs, biased towards the instructions a seccomp filter may use.
fn random_program(seed: &mut u64, words: &[u32]) -> Vec<extrasafe::BpfInstruction> {
    const CODES: [u16; 40] = [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0c, 0x14, 0x15, 0x16, 0x1c, 0x1d, 0x20,
        0x24, 0x25, 0x2c, 0x2d, 0x34, 0x35, 0x3c, 0x3d, 0x44, 0x45, 0x4c, 0x4d, 0x54, 0x5c, 0x60,
        0x61, 0x64, 0x6c, 0x74, 0x7c, 0x80, 0x81, 0x84, 0x87, 0x94,
    ];
    let insn = |code: u16, jt: u8, jf: u8, k: u32| extrasafe::BpfInstruction { code, jt, jf, k };
    if xorshift(seed) % 2 == 0 {
        // A load, perhaps arithmetic on it (with K, or with X), a comparison with one of
        // the words (or a neighbour), and two distinct errnos: every comparison's edge.
        let offsets = [0u32, 4, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60];
        let offset = offsets[usize::try_from(xorshift(seed) % 14).expect("index")];
        let mut program = vec![insn(0x20, 0, 0, offset)];
        let pick = |seed: &mut u64| {
            let w = words[usize::try_from(xorshift(seed) % words.len() as u64).expect("i")];
            match xorshift(seed) % 3 {
                0 => w,
                1 => w.wrapping_add(1),
                _ => w.wrapping_sub(1),
            }
        };
        if xorshift(seed) % 2 == 0 {
            // add sub mul div or and lsh rsh neg xor, with K or (after `ldx #k`) with X.
            let ops = [
                0x00u16, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0xa0,
            ];
            let op = ops[usize::try_from(xorshift(seed) % 10).expect("index")];
            let k = match xorshift(seed) % 3 {
                0 => u32::try_from(xorshift(seed) % 40).expect("small"),
                1 => pick(seed),
                _ => (xorshift(seed) & 0xffff_ffff) as u32,
            };
            if op != 0x80 && xorshift(seed) % 2 == 0 {
                program.push(insn(0x01, 0, 0, k)); // ldx #k
                program.push(insn(0x04 | op | 0x08, 0, 0, 0));
            } else {
                program.push(insn(0x04 | op, 0, 0, k));
            }
        }
        if xorshift(seed) % 4 == 0 {
            // Through scratch memory and back: st M[i]; ld M[i] (or tax; txa).
            let i = u32::try_from(xorshift(seed) % 16).expect("small");
            program.push(insn(0x02, 0, 0, i));
            program.push(insn(0x60, 0, 0, i));
        }
        // jeq jgt jge jset, with K or (after `ldx #k`) with X.
        let jumps = [0x15u16, 0x25, 0x35, 0x45];
        let jump = jumps[usize::try_from(xorshift(seed) % 4).expect("index")];
        let k = pick(seed);
        if xorshift(seed) % 3 == 0 {
            program.push(insn(0x01, 0, 0, k));
            program.push(insn(jump | 0x08, 0, 1, 0));
        } else {
            program.push(insn(jump, 0, 1, k));
        }
        program.push(insn(0x06, 0, 0, 0x0005_0000 | 11));
        program.push(insn(0x06, 0, 0, 0x0005_0000 | 12));
        return program;
    }
    let len = 1 + xorshift(seed) % 12;
    let mut program = Vec::new();
    for i in 0..len {
        let r = xorshift(seed);
        let code = match r % 10 {
            // Any 16-bit code now and then, to meet the ones the kernel refuses.
            0 => u16::try_from(xorshift(seed) & 0xffff).expect("16 bits"),
            1..=2 => 0x20,
            _ => CODES[usize::try_from(xorshift(seed) % 40).expect("index")],
        };
        let k = match (r >> 8) % 9 {
            // The words the program will load (and their neighbours), so that comparisons
            // meet their edge cases.
            6..=8 => {
                let w = words[usize::try_from(xorshift(seed) % words.len() as u64).expect("i")];
                match xorshift(seed) % 3 {
                    0 => w,
                    1 => w.wrapping_add(1),
                    _ => w.wrapping_sub(1),
                }
            }
            0 => u32::try_from(xorshift(seed) % 16).expect("small"),
            1 => u32::try_from(xorshift(seed) % 17 * 4).expect("an offset"),
            2 => u32::try_from(xorshift(seed) % 80).expect("small"),
            3 => 0,
            4 => 0x7fff_0000,
            _ => u32::try_from(xorshift(seed) & 0xffff_ffff).expect("32 bits"),
        };
        let jump = |seed: &mut u64| u8::try_from(xorshift(seed) % 4).expect("small");
        let (jt, jf) = (jump(seed), jump(seed));
        let code = if i == len - 1 && r % 5 != 0 {
            0x06
        } else {
            code
        };
        program.push(insn(code, jt, jf, k));
    }
    program
}

/// What a forked child saw: whether the kernel loaded `program`, then (if it did) what one
/// call of `nr` with `args` returned under it, or the signal that ended the child. The
/// answers are written to shared memory, without a syscall, since the program may deny or
/// kill every syscall after the load.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Refused,
    Returned(i64),
    Failed(i32),
    KilledBy(i32),
}

#[allow(unsafe_code)]
fn under_kernel(
    program: &[extrasafe::BpfInstruction],
    nr: i64,
    args: [u64; 6],
    shared: &mut [i64; 4],
) -> Seen {
    let filter: Vec<libc::sock_filter> = program
        .iter()
        .map(|i| libc::sock_filter {
            code: i.code,
            jt: i.jt,
            jf: i.jf,
            k: i.k,
        })
        .collect();
    let prog = libc::sock_fprog {
        len: u16::try_from(filter.len()).expect("short"),
        filter: filter.as_ptr().cast_mut(),
    };
    *shared = [-1; 4];
    let slot = shared.as_mut_ptr();
    // SAFETY: the child makes only raw syscalls and stores into the shared page `slot`
    // points to, then leaves with `_exit`: nothing that could need a lock another thread of
    // this process held at the fork.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: prctl and seccomp take integers and a pointer to `prog`, alive here; the
        // call after the load is one of the harmless calls `nr` names (the caller's choice),
        // whose arguments are integers the kernel ignores.
        unsafe {
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            let rc = libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0,
                std::ptr::from_ref(&prog),
            );
            let errno = *libc::__errno_location();
            std::ptr::write_volatile(slot, if rc == 0 { 0 } else { i64::from(errno) });
            if rc == 0 {
                let rc = libc::syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
                let errno = *libc::__errno_location();
                std::ptr::write_volatile(slot.add(2), rc);
                std::ptr::write_volatile(slot.add(3), i64::from(errno));
                std::ptr::write_volatile(slot.add(1), 1);
            }
            libc::_exit(0)
        }
    }
    assert!(pid > 0, "fork");
    let mut status = 0;
    // SAFETY: waits for the child just forked; `status` is ours.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid, "waitpid");
    // SAFETY: the child has ended; the shared page is ours again.
    let [loaded, called, rc, errno] = unsafe { std::ptr::read_volatile(slot.cast::<[i64; 4]>()) };
    match loaded {
        0 if called == 1 && rc >= 0 => Seen::Returned(rc),
        0 if called == 1 => Seen::Failed(i32::try_from(errno).expect("an errno")),
        0 if libc::WIFSIGNALED(status) => Seen::KilledBy(libc::WTERMSIG(status)),
        0 => panic!("the child neither answered nor was killed: status {status:#x}"),
        e if e == i64::from(libc::EINVAL) => Seen::Refused,
        e => panic!("seccomp said errno {e}"),
    }
}

/// The kernel's verifier and [`extrasafe::eval::check`] accept the same programs, and
/// under each program the kernel loads, a harmless call ends as [`extrasafe::eval::run`]
/// says: it returns, fails with the errno, or the process dies of SIGSYS.
#[test]
#[allow(unsafe_code)]
fn the_kernel_loads_what_check_accepts_and_runs_it_as_eval_does() {
    use extrasafe::eval::{Action, SeccompData, NATIVE_ARCH};
    // A shared page for the children's answers.
    // SAFETY: a fresh anonymous shared mapping, used only through `shared` below.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(page, libc::MAP_FAILED, "mmap");
    // SAFETY: the mapping is 4096 bytes, aligned, and nothing else refers to it.
    let shared: &mut [i64; 4] = unsafe { &mut *page.cast::<[i64; 4]>() };
    // Calls whose result does not depend on their arguments and that change nothing.
    let calls = [Sysno::getppid, Sysno::getpid, Sysno::getuid, Sysno::getegid];
    let values = boundaries(&[]);
    let mut seed = 0x5eed_cafe_u64;
    let (mut refused, mut ran) = (0, 0);
    for n in 0..20_000 {
        let sysno = calls[usize::try_from(xorshift(&mut seed) % 4).expect("index")];
        let mut args = [0u64; 6];
        for a in &mut args {
            *a = values[usize::try_from(xorshift(&mut seed) % values.len() as u64).expect("i")];
        }
        let mut words = vec![u32::try_from(sysno.id()).expect("positive"), NATIVE_ARCH];
        for a in args {
            words.extend([(a & 0xffff_ffff) as u32, (a >> 32) as u32]);
        }
        let program = random_program(&mut seed, &words);
        let ours = extrasafe::eval::check(&program);
        let seen = under_kernel(&program, i64::from(sysno.id()), args, shared);
        if seen == Seen::Refused {
            assert!(
                ours.is_err(),
                "program {n} {program:?}: the kernel refuses it, check accepts it"
            );
            refused += 1;
            continue;
        }
        assert!(
            ours.is_ok(),
            "program {n} {program:?}: the kernel loads it, check says {ours:?}"
        );
        // The instruction pointer is not known here: skip programs that read it.
        if program
            .iter()
            .any(|i| i.code == 0x20 && (i.k == 8 || i.k == 12))
        {
            continue;
        }
        let data = SeccompData {
            nr: sysno.id(),
            arch: NATIVE_ARCH,
            instruction_pointer: 0,
            args,
        };
        let action = extrasafe::eval::run(&program, &data)
            .expect("checked")
            .action;
        let agrees = match (action, &seen) {
            (Action::Allow | Action::Log, Seen::Returned(_)) => true,
            (Action::Errno(0), Seen::Returned(0)) => true,
            (Action::Errno(e), Seen::Failed(got)) => i32::from(e) == *got,
            // Without a listener or a tracer the kernel fails the call with ENOSYS.
            (Action::UserNotif | Action::Trace(_), Seen::Failed(got)) => *got == libc::ENOSYS,
            (Action::KillProcess | Action::KillThread | Action::Trap(_), Seen::KilledBy(s)) => {
                *s == libc::SIGSYS
            }
            _ => false,
        };
        assert!(
            agrees,
            "program {n} {program:?}, {sysno}{args:x?}: eval says {action}, the kernel {seen:?}"
        );
        ran += 1;
    }
    eprintln!("{refused} programs refused by both; {ran} loaded and run: the kernel agreed");
    assert!(ran > 2000 && refused > 2000, "{ran} / {refused}");
}
