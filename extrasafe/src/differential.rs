//! Differential tests: every program extrasafe emits decides every input as the policy it
//! came from.
//!
//! The reference here is written from the policy model alone (the RuleSets' own lists, not
//! the context's merge): per syscall, allowed if a RuleSet allows it with any arguments,
//! else if one of its rules (OR) has all its conditions (AND) hold, each argument read at
//! the kernel's width from the table; the default action otherwise; and the prologue's
//! answers for a foreign architecture, x32, `clone3` and numbers above the table. The
//! compiled program is run by [`crate::eval`], the interpreter of what the kernel runs.
//!
//! `EXTRASAFE_DIFF_SEED` sets the seed, `EXTRASAFE_DIFF_INPUTS` the random inputs per
//! policy (10^5 by default; 10^8 for a long run) and `EXTRASAFE_DIFF_POLICIES` the random
//! policies of the property test (1000 by default).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::bpf::BpfInstruction;
use crate::builtins::{self, BasicCapabilities};
use crate::eval::{self, SeccompData, NATIVE_ARCH};
use crate::filter::Decision;
use crate::report::DefaultAction;
use crate::rules::{Comparator, RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::syscalls::ArgWidth;
use crate::syscalls::Sysno;
use crate::SafetyContext;

const RET_ALLOW: u32 = 0x7fff_0000;
const RET_KILL_PROCESS: u32 = 0x8000_0000;
const RET_TRAP: u32 = 0x0003_0000;
const RET_LOG: u32 = 0x7ffc_0000;
const RET_ERRNO: u32 = 0x0005_0000;
const MSG_FASTOPEN: u64 = 0x2000_0000;

/// What a Landlock plan implies for seccomp: syscalls allowed outright, and under rules.
pub(crate) type Implied = (Vec<Sysno>, BTreeMap<Sysno, Vec<SeccompRule>>);

/// One conditional syscall's inputs: boundary values per argument, and argument vectors
/// that satisfy each of its rules.
type SyscallInputs = (Sysno, [Vec<u64>; 6], Vec<[u64; 6]>);

/// How the model allows one syscall.
#[derive(Debug, Clone)]
pub(crate) enum Allowed {
    /// With any arguments.
    Always,
    /// When one of the rules holds.
    If(Vec<SeccompRule>),
}

/// The policy model: what each syscall is allowed by, and the default action's return value.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) syscalls: BTreeMap<Sysno, Allowed>,
    pub(crate) default_ret: u32,
}

pub(crate) fn ret_of(action: DefaultAction) -> u32 {
    match action {
        DefaultAction::Errno(e) => RET_ERRNO | (e & 0xffff),
        DefaultAction::KillProcess => RET_KILL_PROCESS,
        DefaultAction::Trap => RET_TRAP,
        DefaultAction::Log => RET_LOG,
    }
}

impl Model {
    /// The model of the merged decisions the compiler takes.
    pub(crate) fn of_decisions(decisions: &BTreeMap<Sysno, Decision>, default_ret: u32) -> Model {
        let syscalls = decisions
            .iter()
            .map(|(&s, d)| {
                let allowed = match d {
                    Decision::Allow => Allowed::Always,
                    Decision::AllowIf(rules) => {
                        Allowed::If(rules.iter().map(|(_, r)| r.clone()).collect())
                    }
                };
                (s, allowed)
            })
            .collect();
        Model {
            syscalls,
            default_ret,
        }
    }

    /// The model of RuleSets enabled together, with what a Landlock plan implies (its
    /// syscalls, and that TCP Fast Open is closed where it restricts connect ports).
    pub(crate) fn of_rulesets(
        sets: &[&dyn RuleSet],
        implied: Option<Implied>,
        restricts_connect: bool,
        default: DefaultAction,
    ) -> Model {
        let mut simple = BTreeSet::new();
        let mut conditional: BTreeMap<Sysno, Vec<SeccompRule>> = BTreeMap::new();
        for set in sets {
            simple.extend(set.simple_rules());
            for (s, rules) in set
                .conditional_rules()
                .into_iter()
                .chain(set.narrowing_rules())
            {
                conditional.entry(s).or_default().extend(rules);
            }
        }
        if let Some((implied_simple, implied_conditional)) = implied {
            simple.extend(implied_simple);
            for (s, rules) in implied_conditional {
                conditional.entry(s).or_default().extend(rules);
            }
        }
        let mut syscalls: BTreeMap<Sysno, Allowed> = BTreeMap::new();
        for (s, mut rules) in conditional {
            for rule in &mut rules {
                crate::rules::resolve_self_pid(rule);
            }
            syscalls.insert(s, Allowed::If(rules));
        }
        for s in simple {
            syscalls.insert(s, Allowed::Always);
        }
        if restricts_connect {
            for (s, flags) in [
                (Sysno::sendto, 3u8),
                (Sysno::sendmsg, 2),
                (Sysno::sendmmsg, 3),
            ] {
                let no_fast_open =
                    SeccompArgumentFilter::new64(flags, Comparator::MaskedEq(MSG_FASTOPEN), 0);
                match syscalls.get_mut(&s) {
                    None => {}
                    Some(a @ Allowed::Always) => {
                        *a = Allowed::If(vec![SeccompRule::new(s).and_condition(no_fast_open)]);
                    }
                    Some(Allowed::If(rules)) => {
                        for rule in rules {
                            rule.argument_filters.push(no_fast_open);
                        }
                    }
                }
            }
        }
        for s in BasicCapabilities.simple_rules() {
            syscalls.entry(s).or_insert(Allowed::Always);
        }
        Model {
            syscalls,
            default_ret: ret_of(default),
        }
    }

    /// What the kernel should return for `data`, from the model alone.
    pub(crate) fn expect(&self, data: &SeccompData) -> u32 {
        let enosys = RET_ERRNO | libc::ENOSYS.unsigned_abs();
        if data.arch != NATIVE_ARCH {
            return RET_KILL_PROCESS;
        }
        let nr = u32::from_ne_bytes(data.nr.to_ne_bytes());
        if nr > u32::try_from(Sysno::MAX_ID).expect("positive") {
            // x32 numbers on x86_64 kill; anything else above the table is unknown.
            return if cfg!(target_arch = "x86_64") && (0x4000_0000..0x8000_0000).contains(&nr) {
                RET_KILL_PROCESS
            } else {
                enosys
            };
        }
        let Some(sysno) = Sysno::from_id(data.nr) else {
            return self.default_ret;
        };
        if sysno == Sysno::clone3 {
            return enosys;
        }
        match self.syscalls.get(&sysno) {
            None => self.default_ret,
            Some(Allowed::Always) => RET_ALLOW,
            Some(Allowed::If(rules)) => {
                if rules.iter().any(|r| {
                    r.argument_filters
                        .iter()
                        .all(|c| holds(sysno, c, &data.args))
                }) {
                    RET_ALLOW
                } else {
                    self.default_ret
                }
            }
        }
    }
}

/// Whether condition `c` of a rule for `sysno` holds for `args`, read at the table's width.
fn holds(sysno: Sysno, c: &SeccompArgumentFilter, args: &[u64; 6]) -> bool {
    let idx = usize::from(c.arg_idx);
    let bits32 = sysno.arg_widths().and_then(|w| w.get(idx).copied()) == Some(ArgWidth::Bits32);
    let (x, v) = if bits32 {
        // A negative `int` written sign-extended means its low 32 bits.
        let v = if c.value >> 31 == 0x1_ffff_ffff {
            c.value & 0xffff_ffff
        } else {
            c.value
        };
        (args[idx] & 0xffff_ffff, v)
    } else {
        (args[idx], c.value)
    };
    compares(c.comparator(), x, v)
}

/// `x op v`, as the comparator means it on plain integers.
pub(crate) fn compares(op: Comparator, x: u64, v: u64) -> bool {
    match op {
        Comparator::Eq => x == v,
        Comparator::Ne => x != v,
        Comparator::Lt => x < v,
        Comparator::Le => x <= v,
        Comparator::Gt => x > v,
        Comparator::Ge => x >= v,
        Comparator::MaskedEq(m) => x & m == v,
    }
}

/// A small xorshift generator: reproducible from a printed seed.
pub(crate) fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn pick<T: Copy>(seed: &mut u64, from: &[T]) -> T {
    from[usize::try_from(rng(seed) % from.len() as u64).expect("an index")]
}

/// The boundary values of one argument: 0, 1, every constant (and mask) the rules compare
/// it with and their neighbours, 2^31, 2^32-1, 2^32, 2^63, u64::MAX, each single bit; each
/// also with junk in the upper 32 bits.
fn boundaries(constants: &BTreeSet<u64>) -> Vec<u64> {
    let mut base: BTreeSet<u64> = [0, 1, 1 << 31, 0xffff_ffff, 1 << 32, 1 << 63, u64::MAX]
        .into_iter()
        .collect();
    base.extend((0..64).map(|b| 1u64 << b));
    for &c in constants {
        base.extend([c, c.wrapping_add(1), c.wrapping_sub(1)]);
        // The sign-extended and truncated forms of a 32-bit constant.
        base.extend([c & 0xffff_ffff, (c & 0xffff_ffff) | 0xffff_ffff_0000_0000]);
    }
    let mut out: BTreeSet<u64> = base.clone();
    for v in base {
        out.insert((v & 0xffff_ffff) | 0xdead_beef_0000_0000);
        out.insert((v & 0xffff_ffff) | (1 << 32));
    }
    out.into_iter().collect()
}

/// The first mismatch between the program and the model.
#[derive(Debug)]
pub(crate) struct Mismatch(pub(crate) String);

/// Runs `program` on the boundary values of every argument the model's rules mention and
/// on `random` random inputs, and compares each answer with the model's. Returns how many
/// inputs were checked.
pub(crate) fn compare(
    model: &Model,
    program: &[BpfInstruction],
    seed: u64,
    random: usize,
) -> Result<usize, Mismatch> {
    eval::check(program).map_err(|e| Mismatch(format!("the program is invalid: {e}")))?;
    let mut checked = 0usize;
    let mut one = |data: &SeccompData| -> Result<(), Mismatch> {
        checked += 1;
        let got = eval::run_checked(program, data).ret;
        let want = model.expect(data);
        if got == want {
            Ok(())
        } else {
            let name = Sysno::from_id(data.nr).map_or("(none)", |s| s.name());
            Err(Mismatch(format!(
                "nr {} ({name}), arch {:#x}, args {:#x?}: the program returns {got:#x} \
                 ({}), the model {want:#x} ({}) (seed {seed})",
                data.nr,
                data.arch,
                data.args,
                eval::Action::from_ret(got),
                eval::Action::from_ret(want),
            )))
        }
    };
    let native = |nr: i32, args: [u64; 6]| SeccompData {
        nr,
        arch: NATIVE_ARCH,
        instruction_pointer: 0,
        args,
    };

    // Per syscall with rules: the boundary values of each argument, with the other
    // arguments at values that satisfy one of the rules (so that each condition decides).
    let mut per_syscall: Vec<SyscallInputs> = Vec::new();
    for (&sysno, allowed) in &model.syscalls {
        let Allowed::If(rules) = allowed else {
            continue;
        };
        let mut constants: [BTreeSet<u64>; 6] = Default::default();
        for c in rules.iter().flat_map(|r| &r.argument_filters) {
            let Some(set) = constants.get_mut(usize::from(c.arg_idx)) else {
                continue;
            };
            set.insert(c.value);
            if let Comparator::MaskedEq(m) = c.comparator() {
                set.insert(m);
                set.insert(m ^ c.value);
            }
        }
        let values: [Vec<u64>; 6] = std::array::from_fn(|i| boundaries(&constants[i]));
        let mut bases = vec![[0u64; 6]];
        for rule in rules {
            let mut base = [0u64; 6];
            for (i, slot) in base.iter_mut().enumerate() {
                let conds: Vec<_> = rule
                    .argument_filters
                    .iter()
                    .filter(|c| usize::from(c.arg_idx) == i)
                    .collect();
                if let Some(&v) = values[i].iter().find(|&&v| {
                    let mut args = [0u64; 6];
                    args[i] = v;
                    conds.iter().all(|c| holds(sysno, c, &args))
                }) {
                    *slot = v;
                }
            }
            bases.push(base);
        }
        for base in &bases {
            one(&native(sysno.id(), *base))?;
            for (i, vals) in values.iter().enumerate() {
                if constants[i].is_empty() {
                    continue;
                }
                for &v in vals {
                    let mut args = *base;
                    args[i] = v;
                    one(&native(sysno.id(), args))?;
                }
            }
        }
        per_syscall.push((sysno, values, bases));
    }

    // Every other syscall of the model, and the prologue's numbers and architectures.
    for &sysno in model.syscalls.keys() {
        one(&native(sysno.id(), [0; 6]))?;
    }
    let specials = [
        0,
        Sysno::clone3.id(),
        Sysno::MAX_ID,
        Sysno::MAX_ID + 1,
        0x4000_0000,
        0x4000_0000 + 39,
        0x3fff_ffff,
        i32::MAX,
        -1,
        i32::MIN,
    ];
    for nr in specials {
        one(&native(nr, [0; 6]))?;
        one(&SeccompData {
            arch: 0x4000_0003,
            ..native(nr, [0; 6])
        })?;
    }

    // Random inputs: mostly the model's conditional syscalls with values drawn from their
    // boundaries, satisfying bases and random words; some other numbers and architectures.
    let mut seed = seed | 1;
    let all: Vec<Sysno> = model.syscalls.keys().copied().collect();
    for _ in 0..random {
        let r = rng(&mut seed) % 100;
        let data = if r < 80 && !per_syscall.is_empty() {
            let (sysno, values, bases) = &per_syscall
                [usize::try_from(rng(&mut seed) % per_syscall.len() as u64).expect("an index")];
            let base = pick(&mut seed, bases);
            let mut args = base;
            for (i, a) in args.iter_mut().enumerate() {
                *a = match rng(&mut seed) % 8 {
                    0..=3 => pick(&mut seed, &values[i]),
                    4 => rng(&mut seed),
                    5 => rng(&mut seed) & 0xffff_ffff,
                    _ => *a,
                };
            }
            native(sysno.id(), args)
        } else if r < 92 && !all.is_empty() {
            let mut args = [0u64; 6];
            args.iter_mut().for_each(|a| *a = rng(&mut seed));
            native(pick(&mut seed, &all).id(), args)
        } else if r < 98 {
            let nr = i32::try_from(
                rng(&mut seed) % (u64::from(u32::try_from(Sysno::MAX_ID).expect("positive")) + 2),
            )
            .expect("in range");
            native(nr, [rng(&mut seed), 0, 1, 2, 3, rng(&mut seed)])
        } else {
            SeccompData {
                arch: if r == 98 {
                    0x4000_0003
                } else {
                    rng(&mut seed) as u32
                },
                ..native((rng(&mut seed) >> 33) as i32, [0; 6])
            }
        };
        one(&data)?;
    }
    Ok(checked)
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

pub(crate) fn random_inputs() -> usize {
    usize::try_from(env_or("EXTRASAFE_DIFF_INPUTS", 100_000)).expect("a count")
}

pub(crate) fn base_seed() -> u64 {
    env_or("EXTRASAFE_DIFF_SEED", 0x2545_f491_4f6c_dd1d)
}

/// Compiles `sets` enabled together (with `default`) and compares the program with the
/// model of `sets`. A policy that does not compile is an error here: every case below is
/// one users can write.
fn check_sets(label: &str, sets: &[&dyn RuleSet], default: DefaultAction, seed: u64) -> usize {
    let mut ctx = SafetyContext::new().with_default_action(default);
    for set in sets {
        ctx = ctx
            .enable(*set)
            .unwrap_or_else(|e| panic!("{label}: enable: {e}"));
    }
    let filter = match ctx.compile_seccomp_for_tests() {
        Ok(filter) => filter,
        // A RuleSet that allows nothing (`Threads::nothing()`) enables no rules, as in 0.5.1.
        Err(crate::ExtraSafeError::NoRulesEnabled)
            if sets.iter().all(|s| {
                s.simple_rules().is_empty()
                    && s.conditional_rules().is_empty()
                    && s.narrowing_rules().is_empty()
            }) =>
        {
            return 0;
        }
        Err(e) => panic!("{label}: compile: {e}"),
    };
    let (implied, restricts_connect) = ctx.implied_for_tests();
    let model = Model::of_rulesets(sets, implied, restricts_connect, default);
    compare(&model, filter.instructions(), seed, random_inputs())
        .unwrap_or_else(|Mismatch(m)| panic!("{label}: {m}"))
}

/// Every builtin RuleSet, from each constructor and with each option method alone.
fn builtin_cases() -> Vec<(String, Box<dyn RuleSet>)> {
    use builtins::danger_zone::{ForkAndExec, Threads};
    use builtins::events::{Events, Timers};
    use builtins::memory::Memory;
    use builtins::pipes::Pipes;
    use builtins::process::{Identity, ResourceLimits, SystemInfo};
    use builtins::signals::Signals;
    use builtins::{NestedSandboxes, Networking, SystemIO, Time};
    let file = std::fs::File::open("/dev/null").expect("/dev/null");
    let dir = std::env::temp_dir();
    let mut cases: Vec<(String, Box<dyn RuleSet>)> = Vec::new();
    macro_rules! case {
        ($($e:tt)*) => {
            cases.push((stringify!($($e)*).replace(' ', ""), Box::new($($e)*)));
        };
    }
    case!(BasicCapabilities);
    case!(ForkAndExec);
    case!(Pipes);
    case!(SystemInfo);
    case!(NestedSandboxes);
    case!(Memory::no_exec());
    case!(Memory::write_xor_execute());
    case!(Threads::nothing());
    case!(Threads::everything());
    case!(Threads::nothing().allow_create());
    case!(Threads::nothing().allow_sleep().yes_really());
    case!(Events::nothing());
    case!(Events::everything());
    case!(Events::nothing().allow_epoll());
    case!(Events::nothing().allow_poll());
    case!(Events::nothing().allow_eventfd());
    case!(Events::nothing().allow_inotify());
    case!(Timers::nothing());
    case!(Timers::everything());
    case!(Timers::nothing().allow_timerfd());
    case!(Timers::nothing().allow_posix_timers());
    case!(Timers::nothing().allow_interval_timers());
    case!(Identity::nothing());
    case!(Identity::everything());
    case!(Identity::nothing().allow_get_ids());
    case!(ResourceLimits::nothing());
    case!(ResourceLimits::everything());
    case!(ResourceLimits::nothing().allow_get());
    case!(ResourceLimits::nothing().allow_set().yes_really());
    case!(Signals::nothing());
    case!(Signals::everything());
    case!(Signals::nothing().allow_to_self());
    case!(Signals::nothing().allow_wait());
    case!(Time::nothing());
    case!(Time::everything());
    case!(Time::nothing().allow_gettime());
    case!(Networking::nothing());
    case!(Networking::everything());
    case!(Networking::nothing().allow_running_tcp_servers());
    case!(Networking::nothing().allow_start_tcp_servers().yes_really());
    case!(Networking::nothing().allow_running_udp_sockets());
    case!(Networking::nothing().allow_start_udp_servers().yes_really());
    case!(Networking::nothing().allow_connect().yes_really());
    case!(Networking::nothing().allow_start_tcp_clients());
    case!(Networking::nothing().allow_running_tcp_clients());
    case!(Networking::nothing()
        .allow_start_unix_servers()
        .yes_really());
    case!(Networking::nothing().allow_running_unix_servers());
    case!(Networking::nothing().allow_running_unix_clients());
    case!(Networking::nothing().allow_socketpair());
    case!(SystemIO::nothing());
    case!(SystemIO::everything());
    case!(SystemIO::nothing().allow_read());
    case!(SystemIO::nothing().allow_write());
    case!(SystemIO::nothing().allow_unlink());
    case!(SystemIO::nothing().allow_open().yes_really());
    case!(SystemIO::nothing().allow_open_readonly());
    case!(SystemIO::nothing().allow_metadata());
    case!(SystemIO::nothing().allow_ioctl());
    case!(SystemIO::nothing().allow_close());
    case!(SystemIO::nothing().allow_stdin());
    case!(SystemIO::nothing().allow_stdout());
    case!(SystemIO::nothing().allow_stderr());
    case!(SystemIO::nothing().allow_file_read(&file));
    case!(SystemIO::nothing().allow_file_write(&file));
    case!(SystemIO::nothing().allow_dup());
    case!(SystemIO::nothing().allow_rename());
    case!(SystemIO::nothing().allow_link());
    case!(SystemIO::nothing().allow_truncate());
    case!(SystemIO::nothing().allow_flock());
    case!(SystemIO::nothing().allow_mkdir());
    case!(SystemIO::nothing().allow_rmdir());
    #[cfg(feature = "landlock")]
    {
        case!(Signals::nothing().allow_to_children().yes_really());
        case!(SystemIO::nothing().allow_read_path(&dir));
        case!(SystemIO::nothing().allow_write_file(dir.join("f")));
        case!(SystemIO::nothing().allow_create_in_dir(&dir));
        case!(SystemIO::nothing().allow_list_dir(&dir));
        case!(SystemIO::nothing().allow_create_dir(&dir));
        case!(SystemIO::nothing().allow_remove_file(&dir));
        case!(SystemIO::nothing().allow_remove_dir(&dir));
        case!(SystemIO::nothing().allow_ssl_files());
        case!(SystemIO::nothing().allow_dns_files());
        case!(crate::Landlock::new().read_only(&dir));
        case!(crate::Landlock::new().read_write(&dir));
        case!(crate::Landlock::new().execute(&dir));
        case!(crate::Landlock::new().bind_tcp(8080));
        case!(crate::Landlock::new().connect_tcp([443, 80]));
        case!(crate::Landlock::new().no_signals_out());
        case!(crate::Landlock::new().no_abstract_unix_out());
    }
    let _ = &dir;
    cases
}

/// Each builtin alone, under each default action.
#[test]
fn every_builtin_with_every_option_decides_as_its_model() {
    let mut seed = base_seed();
    let (mut policies, mut inputs) = (0, 0);
    for (i, (label, set)) in builtin_cases().iter().enumerate() {
        let default = match i % 3 {
            0 => DefaultAction::Errno(1),
            1 => DefaultAction::KillProcess,
            _ => DefaultAction::Errno(38),
        };
        inputs += check_sets(label, &[set.as_ref()], default, rng(&mut seed));
        policies += 1;
    }
    eprintln!("{policies} builtin policies, {inputs} inputs");
    assert!(
        policies >= if cfg!(feature = "landlock") { 88 } else { 71 },
        "{policies}"
    );
}

/// The builtins with every option at once, in groups that do not conflict.
#[test]
fn builtins_with_all_options_together_decide_as_their_model() {
    use builtins::danger_zone::Threads;
    use builtins::events::{Events, Timers};
    use builtins::process::{Identity, ResourceLimits};
    use builtins::signals::Signals;
    use builtins::{Networking, SystemIO, Time};
    let file = std::fs::File::open("/dev/null").expect("/dev/null");
    let io = SystemIO::nothing()
        .allow_read()
        .allow_write()
        .allow_unlink()
        .allow_open()
        .yes_really()
        .allow_metadata()
        .allow_ioctl()
        .allow_close()
        .allow_dup()
        .allow_rename()
        .allow_link()
        .allow_truncate()
        .allow_flock()
        .allow_mkdir()
        .allow_rmdir();
    let io_fds = SystemIO::nothing()
        .allow_stdin()
        .allow_stdout()
        .allow_stderr()
        .allow_file_read(&file)
        .allow_file_write(&file)
        .allow_close();
    let net = Networking::nothing()
        .allow_start_tcp_servers()
        .yes_really()
        .allow_running_tcp_servers()
        .allow_start_udp_servers()
        .yes_really()
        .allow_running_udp_sockets()
        .allow_connect()
        .yes_really()
        .allow_start_tcp_clients()
        .allow_running_tcp_clients()
        .allow_start_unix_servers()
        .yes_really()
        .allow_running_unix_servers()
        .allow_running_unix_clients()
        .allow_socketpair();
    let threads = Threads::nothing().allow_create().allow_sleep().yes_really();
    let events = Events::nothing()
        .allow_epoll()
        .allow_poll()
        .allow_eventfd()
        .allow_inotify();
    let timers = Timers::nothing()
        .allow_timerfd()
        .allow_posix_timers()
        .allow_interval_timers();
    let ids = Identity::nothing().allow_get_ids();
    let limits = ResourceLimits::nothing()
        .allow_get()
        .allow_set()
        .yes_really();
    let signals = Signals::nothing().allow_to_self().allow_wait();
    let time = Time::nothing().allow_gettime();
    let mut seed = base_seed() ^ 0x5555;
    let everything: [(&str, &[&dyn RuleSet]); 4] = [
        ("SystemIO (all options)", &[&io]),
        ("SystemIO (all fd options)", &[&io_fds]),
        ("Networking (all options)", &[&net]),
        (
            "Threads, Events, Timers, Identity, ResourceLimits, Signals, Time (all options)",
            &[
                &threads, &events, &timers, &ids, &limits, &signals, &time, &io_fds,
            ],
        ),
    ];
    let (mut policies, mut inputs) = (0, 0);
    for (label, sets) in everything {
        for default in [DefaultAction::Errno(1), DefaultAction::Trap] {
            inputs += check_sets(label, sets, default, rng(&mut seed));
            policies += 1;
        }
    }
    eprintln!("{policies} policies of builtins with all options, {inputs} inputs");
}

/// Every pledge promise alone, and 200 random promise sets.
#[test]
fn pledge_promises_decide_as_their_model() {
    use crate::profiles::pledge::{Pledge, Promise};
    let mut seed = base_seed() ^ 0x91ed;
    let (mut policies, mut inputs) = (0, 0);
    for &p in Promise::ALL {
        let pledge = Pledge::from_promises([p]);
        inputs += check_sets(
            &format!("pledge {p}"),
            &[&pledge],
            DefaultAction::Errno(1),
            rng(&mut seed),
        );
        policies += 1;
    }
    for _ in 0..200 {
        let set: Vec<Promise> = Promise::ALL
            .iter()
            .copied()
            .filter(|_| rng(&mut seed) % 4 == 0)
            .collect();
        let pledge = Pledge::from_promises(set);
        inputs += check_sets(
            &format!("pledge \"{pledge}\""),
            &[&pledge],
            DefaultAction::KillProcess,
            rng(&mut seed),
        );
        policies += 1;
    }
    eprintln!("{policies} pledge policies, {inputs} inputs");
    assert!(policies >= 200 + Promise::ALL.len());
}

/// Every systemd group, and 200 random `SystemCallFilter=` strings.
#[test]
fn systemd_filters_decide_as_their_model() {
    use crate::profiles::systemd::{SyscallGroup, SystemCallFilter};
    let mut seed = base_seed() ^ 0x5d;
    let (mut policies, mut inputs) = (0, 0);
    for &g in SyscallGroup::ALL {
        policies += 1;
        inputs += check_sets(
            &format!("group {g}"),
            &[&g],
            DefaultAction::Errno(1),
            rng(&mut seed),
        );
    }
    let mut spec = String::new();
    for n in 0..200 {
        spec.clear();
        if rng(&mut seed) % 3 == 0 {
            spec.push('~');
        }
        for _ in 0..1 + rng(&mut seed) % 5 {
            if rng(&mut seed) % 2 == 0 {
                let _ = write!(spec, "{} ", pick(&mut seed, SyscallGroup::ALL));
            } else {
                let _ = write!(spec, "{} ", pick(&mut seed, Sysno::ALL).name());
            }
        }
        let filter = SystemCallFilter::parse(&spec)
            .unwrap_or_else(|e| panic!("random spec {n} {spec:?}: {e}"));
        policies += 1;
        inputs += check_sets(
            &format!("SystemCallFilter={spec}"),
            &[&filter],
            DefaultAction::Errno(1),
            rng(&mut seed),
        );
    }
    eprintln!("{policies} systemd policies, {inputs} inputs");
}

mod random_policies {
    use super::*;
    use proptest::prelude::*;

    /// A random condition: argument index, comparator, value, mask.
    type Cond = (u8, u8, u64, u64);
    /// A random policy: per syscall (an index into the syscalls with arguments), its rules
    /// (none: allowed outright), each a list of conditions.
    type Spec = Vec<(usize, Vec<Vec<Cond>>)>;

    /// A condition: argument index (taken modulo the syscall's arguments), comparator, value.
    fn condition() -> impl Strategy<Value = Cond> {
        let value = prop_oneof![
            0u64..4,
            any::<u32>().prop_map(u64::from),
            any::<u64>(),
            (0u32..64).prop_map(|b| 1u64 << b),
            (0u64..4).prop_map(|d| u64::MAX - d),
            (0u64..4).prop_map(|d| 0x8000_0000 + d),
        ];
        (any::<u8>(), 0u8..7, value, any::<u64>())
    }

    /// A policy: syscalls with several rules of several conditions, or allowed outright.
    fn policy() -> impl Strategy<Value = Spec> {
        prop::collection::vec(
            (
                any::<usize>(),
                prop::collection::vec(prop::collection::vec(condition(), 1..4), 0..4),
            ),
            1..12,
        )
    }

    fn build(spec: &Spec) -> BTreeMap<Sysno, Decision> {
        let with_args: Vec<Sysno> = Sysno::ALL
            .iter()
            .copied()
            .filter(|s| s.arg_widths().is_some_and(|w| !w.is_empty()) && *s != Sysno::clone3)
            .collect();
        let mut decisions = BTreeMap::new();
        for (s, rules) in spec {
            let sysno = with_args[s % with_args.len()];
            let nargs = u8::try_from(sysno.arg_widths().expect("widths").len()).expect("<= 6");
            if rules.is_empty() {
                decisions.insert(sysno, Decision::Allow);
                continue;
            }
            let mut built = Vec::new();
            for conditions in rules {
                let mut rule = SeccompRule::new(sysno);
                for &(idx, op, value, mask) in conditions {
                    let op = match op {
                        0 => Comparator::Eq,
                        1 => Comparator::Ne,
                        2 => Comparator::Lt,
                        3 => Comparator::Le,
                        4 => Comparator::Gt,
                        5 => Comparator::Ge,
                        _ => Comparator::MaskedEq(mask),
                    };
                    let value = if let Comparator::MaskedEq(m) = op {
                        value & m
                    } else {
                        value
                    };
                    rule = rule.and_condition(SeccompArgumentFilter::new64(idx % nargs, op, value));
                }
                // A rule the compiler refuses (a value too wide for a 32-bit argument, a
                // contradiction) is an error to the user; the policy keeps its other rules.
                if crate::filter::expand_rule(&rule, "Random").is_ok() {
                    built.push(("Random", rule));
                }
            }
            if !built.is_empty() {
                decisions.insert(sysno, Decision::AllowIf(built));
            }
        }
        decisions
    }

    fn cases() -> u32 {
        u32::try_from(env_or("EXTRASAFE_DIFF_POLICIES", 1000)).expect("a count")
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: cases(),
            failure_persistence: None,
            max_global_rejects: 4096,
            ..ProptestConfig::default()
        })]

        /// 1000 random policies: random syscalls, comparators, masks, several rules and
        /// conditions per syscall. A mismatch shrinks to the smallest policy that shows it.
        #[test]
        fn random_policies_decide_as_their_model(
            spec in policy(),
            default in 0u8..4,
            seed in any::<u64>(),
        ) {
            let decisions = build(&spec);
            prop_assume!(!decisions.is_empty());
            let default = match default {
                0 => DefaultAction::Errno(1),
                1 => DefaultAction::KillProcess,
                2 => DefaultAction::Trap,
                _ => DefaultAction::Log,
            };
            let compiled = crate::filter::compile_uncached(&decisions, default);
            // Too many alternatives for one program is an error, never a weaker filter; such
            // a policy is not counted among the 1000 (proptest draws another).
            prop_assume!(compiled.is_ok());
            let filter = compiled.expect("checked above");
            let model = Model::of_decisions(&decisions, ret_of(default));
            match compare(&model, filter.instructions(), seed ^ base_seed(), random_inputs()) {
                Ok(n) => {
                    use std::sync::atomic::{AtomicUsize, Ordering};
                    static POLICIES: AtomicUsize = AtomicUsize::new(0);
                    static INPUTS: AtomicUsize = AtomicUsize::new(0);
                    let inputs = INPUTS.fetch_add(n, Ordering::Relaxed) + n;
                    let policies = POLICIES.fetch_add(1, Ordering::Relaxed) + 1;
                    if policies % 100 == 0 {
                        eprintln!("{policies} random policies compiled and checked, {inputs} inputs");
                    }
                }
                Err(Mismatch(m)) => prop_assert!(false, "{}", m),
            }
        }
    }
}
