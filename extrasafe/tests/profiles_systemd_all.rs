//! `profiles::systemd`: every group of [`SyscallGroup::ALL`] as a filter, through real calls.
//!
//! The test is data-driven. [`PROBES`] is a table of syscalls with arguments that make the
//! kernel fail harmlessly (a bad fd, a NULL pointer, an unknown operation, an invalid id) or
//! succeed without changing anything (`getppid`). For each group, in a process of its own:
//!
//! 1. every probe is made without a filter, and none may fail with EPERM (so an EPERM seen
//!    later is the filter's); the results are printed for the parent;
//! 2. `SafetyContext::new().enable(group)` (and nothing else: BasicCapabilities comes
//!    implicitly) is applied to the thread;
//! 3. every probe is made again: one the group (or the basics) allows must give the kernel's
//!    answer, exactly as without the filter (it reached the kernel); every other one must fail
//!    with EPERM.
//!
//! Run by a user other than root, `reboot` and `swapoff` fail with EPERM before they read
//! their arguments (a capability check), which is asserted; the filter then denies with
//! EDOM instead of EPERM, an errno no probe gives, so that its denials stay distinguishable.
//!
//! Each group must have at least one allowed probe outside the basics (its "chosen allowed
//! probe", the first in the table) and at least one denied probe (its "chosen denied probe");
//! the plan is checked in the parent first, so that a group the table cannot exercise fails
//! with a message naming it. Two exceptions are stated and asserted rather than skipped:
//! `@memlock` holds nothing outside the basics (every one of its syscalls is in
//! BasicCapabilities), so its allowed probe is a basic one; and a group that holds no syscall
//! at all on this architecture (on aarch64: `@cpu-emulation`, `@obsolete`, `@raw-io`) has no
//! allowed probe. `@known` is denied only what extrasafe knows beyond systemd's list (on
//! x86_64: `nfsservctl`, `open_tree_attr`, `file_getattr`, `file_setattr`), which the table
//! probes for that reason.
//!
//! Under the filter the child may not be able to write to stderr (most groups deny `write`).
//! So the child prints what it saw *before* applying the filter, and afterwards reports a
//! failing probe through its exit code (`PROBE_FAILED_BASE` + the probe's index), which the
//! parent turns into a message naming the group, the probe and what was expected.
//!
//! Probes are chosen never to change the machine (the tests may run as root): no real mount,
//! reboot, swapon, kexec, module load, time setting, signal to another process, io_uring, or
//! anything else whose failure depends on a capability check coming after the harm.

mod common;

use std::collections::BTreeSet;
use std::io::Write;

use common::{raw_syscall, run_in_child};
use extrasafe::builtins::BasicCapabilities;
use extrasafe::profiles::systemd::SyscallGroup;
use extrasafe::syscalls::Sysno;
use extrasafe::{RuleSet, SafetyContext};

/// `-1` as a syscall argument (the kernel reads an `int` argument's low 32 bits).
const NEG1: u64 = u64::MAX;
/// `-1` as a `uid_t`/`gid_t`: the invalid id.
const BAD_ID: u64 = u32::MAX as u64;
/// An unknown operation or id, for calls that switch on one.
const BAD_OP: u64 = 0x7fff_ffff;
/// Flags with every bit set: invalid for every call here that takes flags.
const ALL_FLAGS: u64 = 0xffff_ffff;

/// A syscall and arguments that are harmless to the machine, whatever the kernel answers.
struct Probe {
    sysno: Sysno,
    args: [u64; 6],
}

const fn probe(sysno: Sysno, args: [u64; 6]) -> Probe {
    Probe { sysno, args }
}

/// The probes, in order of preference: a group's chosen allowed (or denied) probe is the first
/// one it allows (or denies). The comment says what the kernel answers, and why it is harmless.
const PROBES: &[Probe] = &[
    // NULL path: EFAULT, before the capability check.
    probe(Sysno::chroot, [0, 0, 0, 0, 0, 0]),
    // Unknown request for pid 0 (no such tracee): ESRCH.
    probe(Sysno::ptrace, [BAD_OP, 0, 0, 0, 0, 0]),
    // Domain -1: EAFNOSUPPORT.
    probe(Sysno::socket, [NEG1, 0, 0, 0, 0, 0]),
    // Bad fd: EBADF.
    probe(Sysno::getsockopt, [NEG1, 0, 0, 0, 0, 0]),
    // Bad fd: EBADF.
    probe(Sysno::fstat, [NEG1, 0, 0, 0, 0, 0]),
    // Flags with every bit set: EINVAL, before the path is read.
    probe(Sysno::file_getattr, [NEG1, 0, 0, 0, ALL_FLAGS, 0]),
    // The same: EINVAL, nothing is set (and the attribute pointer is NULL).
    probe(Sysno::file_setattr, [NEG1, 0, 0, 0, ALL_FLAGS, 0]),
    // Bad fd: EBADF.
    probe(Sysno::lseek, [NEG1, 0, 0, 0, 0, 0]),
    // Bad fd: EBADF.
    probe(Sysno::close, [NEG1, 0, 0, 0, 0, 0]),
    // Unknown flags: EINVAL.
    probe(Sysno::epoll_create1, [NEG1, 0, 0, 0, 0, 0]),
    // Unknown flags: EINVAL.
    probe(Sysno::eventfd2, [0, ALL_FLAGS, 0, 0, 0, 0]),
    // No such AIO context: EINVAL.
    probe(Sysno::io_destroy, [0, 0, 0, 0, 0, 0]),
    // Bad fd: EBADF.
    probe(Sysno::fchown, [NEG1, BAD_ID, BAD_ID, 0, 0, 0]),
    // NULL timex: EFAULT, read before anything is adjusted.
    probe(Sysno::clock_adjtime, [0, 0, 0, 0, 0, 0]),
    // NULL timex: EFAULT.
    probe(Sysno::adjtimex, [0, 0, 0, 0, 0, 0]),
    // Unknown clock and a NULL time: EINVAL, nothing is set.
    probe(Sysno::clock_settime, [BAD_OP, 0, 0, 0, 0, 0]),
    // Reads the LDT into a buffer of 0 bytes: returns 0.
    #[cfg(target_arch = "x86_64")]
    probe(Sysno::modify_ldt, [0, 0, 0, 0, 0, 0]),
    // NULL attr: EFAULT.
    probe(Sysno::perf_event_open, [0, 0, NEG1, NEG1, 0, 0]),
    // Bad pidfd: EBADF.
    probe(Sysno::pidfd_getfd, [NEG1, 0, 0, 0, 0, 0]),
    // Negative id with IPC_STAT: EINVAL.
    probe(Sysno::msgctl, [NEG1, libc::IPC_STAT as u64, 0, 0, 0, 0]),
    // Negative id with IPC_STAT: EINVAL.
    probe(Sysno::shmctl, [NEG1, libc::IPC_STAT as u64, 0, 0, 0, 0]),
    // NULL name: EFAULT.
    probe(Sysno::memfd_create, [0, 0, 0, 0, 0, 0]),
    // Unknown operation: EOPNOTSUPP.
    probe(Sysno::keyctl, [NEG1, 0, 0, 0, 0, 0]),
    // NULL key type: EFAULT.
    probe(Sysno::add_key, [0, 0, 0, 0, 0, 0]),
    // Unlocks nothing we locked: returns 0.
    probe(Sysno::munlockall, [0, 0, 0, 0, 0, 0]),
    // NULL name: EFAULT (ENOSYS on a kernel without modules).
    probe(Sysno::delete_module, [0, 0, 0, 0, 0, 0]),
    // UMOUNT_UNUSED ("guaranteed to be unused") flag: EINVAL, before the path is read.
    probe(Sysno::umount2, [0, 0x8000_0000, 0, 0, 0, 0]),
    // Unknown flags: EINVAL, nothing is opened or cloned (the path is NULL too).
    probe(Sysno::open_tree_attr, [NEG1, 0, ALL_FLAGS, 0, 0, 0]),
    // Never implemented: the kernel answers ENOSYS.
    #[cfg(target_arch = "x86_64")]
    probe(Sysno::afs_syscall, [0, 0, 0, 0, 0, 0]),
    // Unknown option: EINVAL (ENOSYS without CONFIG_SYSFS_SYSCALL).
    #[cfg(target_arch = "x86_64")]
    probe(Sysno::sysfs, [99, 0, 0, 0, 0, 0]),
    // Not an allocated key: EINVAL.
    probe(Sysno::pkey_free, [NEG1, 0, 0, 0, 0, 0]),
    // Non-zero flags: EINVAL.
    probe(Sysno::pkey_alloc, [ALL_FLAGS, 0, 0, 0, 0, 0]),
    // The invalid uid: EINVAL.
    probe(Sysno::setuid, [BAD_ID, 0, 0, 0, 0, 0]),
    // The invalid gid: EINVAL.
    probe(Sysno::setgid, [BAD_ID, 0, 0, 0, 0, 0]),
    // An empty range: EINVAL, before the capability check.
    #[cfg(target_arch = "x86_64")]
    probe(Sysno::ioperm, [0, 0, 0, 0, 0, 0]),
    // Level 4 does not exist: EINVAL.
    #[cfg(target_arch = "x86_64")]
    probe(Sysno::iopl, [4, 0, 0, 0, 0, 0]),
    // Wrong magic numbers: EINVAL (never pass the real ones).
    probe(Sysno::reboot, [0, 0, 0, 0, 0, 0]),
    // NULL path: EFAULT.
    probe(Sysno::swapoff, [0, 0, 0, 0, 0, 0]),
    // Negative pid and NULL attr: EINVAL.
    probe(Sysno::sched_setattr, [NEG1, 0, 0, 0, 0, 0]),
    // Unknown `which`: EINVAL.
    probe(Sysno::setpriority, [99, 0, 0, 0, 0, 0]),
    // Returns the parent's pid.
    probe(Sysno::getppid, [0, 0, 0, 0, 0, 0]),
    // Unknown operation: EINVAL.
    probe(Sysno::seccomp, [BAD_OP, 0, 0, 0, 0, 0]),
    // Pids 0: EINVAL, no signal is sent.
    probe(Sysno::tgkill, [0, 0, 0, 0, 0, 0]),
    // Pid 0: EINVAL.
    probe(Sysno::pidfd_open, [0, 0, 0, 0, 0, 0]),
    // NULL header: EFAULT.
    probe(Sysno::capget, [0, 0, 0, 0, 0, 0]),
    // NULL set: EFAULT.
    probe(Sysno::rt_sigpending, [0, 8, 0, 0, 0, 0]),
    // Bad fd: EBADF.
    probe(Sysno::fsync, [NEG1, 0, 0, 0, 0, 0]),
    // Bad fd: EBADF.
    probe(Sysno::fdatasync, [NEG1, 0, 0, 0, 0, 0]),
    // Unknown clock: EINVAL.
    probe(Sysno::timerfd_create, [NEG1, 0, 0, 0, 0, 0]),
    // Unknown timer: EINVAL.
    probe(Sysno::getitimer, [99, 0, 0, 0, 0, 0]),
    // NULL cpu and node: returns 0.
    probe(Sysno::getcpu, [0, 0, 0, 0, 0, 0]),
    // 0xffffffff queries the persona without changing it.
    probe(Sysno::personality, [ALL_FLAGS, 0, 0, 0, 0, 0]),
    // Bad fd: EBADF.
    probe(Sysno::ioctl, [NEG1, 0, 0, 0, 0, 0]),
    // Unaligned start: EINVAL.
    probe(Sysno::mincore, [1, 0, 0, 0, 0, 0]),
    // Removed from the kernel long ago: ENOSYS. In no systemd group, not even @known.
    probe(Sysno::nfsservctl, [0, 0, 0, 0, 0, 0]),
];

/// Probes whose capability check comes before anything else: an unprivileged user gets the
/// kernel's EPERM for them (`reboot` needs CAP_SYS_BOOT, `swapoff` CAP_SYS_ADMIN).
const CAPABILITY_FIRST: [Sysno; 2] = [Sysno::reboot, Sysno::swapoff];

/// The errno the filter gives a denied probe. EPERM (the default) as root; as another user,
/// whose unfiltered `CAPABILITY_FIRST` probes give EPERM too, one that no probe gives.
fn denied_errno(root: bool) -> i32 {
    if root {
        libc::EPERM
    } else {
        libc::EDOM
    }
}

/// The child's exit code for a probe (by index in [`PROBES`]) that answered wrongly under
/// the filter.
const PROBE_FAILED_BASE: i32 = 100;

fn basics() -> Vec<Sysno> {
    BasicCapabilities.simple_rules()
}

fn make(p: &Probe) -> Result<i64, i32> {
    raw_syscall(libc::c_long::from(p.sysno.id()), p.args)
}

fn errno_name(errno: i32) -> String {
    let name = match errno {
        libc::EPERM => "EPERM",
        libc::ENOSYS => "ENOSYS",
        libc::EBADF => "EBADF",
        libc::EINVAL => "EINVAL",
        libc::EFAULT => "EFAULT",
        libc::ESRCH => "ESRCH",
        libc::EIO => "EIO",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::ENOENT => "ENOENT",
        libc::EDOM => "EDOM",
        _ => return format!("errno {errno}"),
    };
    name.to_string()
}

fn show(result: Result<i64, i32>) -> String {
    match result {
        Ok(v) => format!("Ok({v})"),
        Err(e) => format!("Err({})", errno_name(e)),
    }
}

/// Which probes a group allows and denies, and the chosen ones.
struct Plan {
    group: SyscallGroup,
    members: BTreeSet<Sysno>,
    basics: BTreeSet<Sysno>,
    /// The first probe the group allows, outside the basics if it can be (`@memlock` holds
    /// nothing else); `None` only for a group with no syscall on this architecture.
    allowed: Option<usize>,
    /// The first probe neither the group nor the basics allow.
    denied: usize,
}

impl Plan {
    fn new(group: SyscallGroup) -> Result<Plan, String> {
        let members: BTreeSet<Sysno> = group.syscalls().into_iter().collect();
        let basics: BTreeSet<Sysno> = basics().into_iter().collect();
        let name = group.name();
        let first = |pred: &dyn Fn(Sysno) -> bool| PROBES.iter().position(|p| pred(p.sysno));
        let allowed = first(&|s| members.contains(&s) && !basics.contains(&s))
            .or_else(|| first(&|s| members.contains(&s)));
        if allowed.is_none() && !members.is_empty() {
            let list: Vec<&str> = members.iter().map(Sysno::name).collect();
            return Err(format!(
                "PROBES has no probe that {name} allows; add a harmless call of one of: {}",
                list.join(" ")
            ));
        }
        let denied =
            first(&|s| !members.contains(&s) && !basics.contains(&s)).ok_or_else(|| {
                format!("PROBES has no probe that {name} denies (outside the group and the basics)")
            })?;
        Ok(Plan {
            group,
            members,
            basics,
            allowed,
            denied,
        })
    }

    /// Whether the filter of the group lets `s` reach the kernel.
    fn lets_through(&self, s: Sysno) -> bool {
        self.members.contains(&s) || self.basics.contains(&s)
    }
}

/// The child: probes without a filter, applies the group, probes again.
fn child(plan: &Plan) {
    // Asked before the filter, which may deny geteuid.
    let root = common::is_root();
    let denied = denied_errno(root);
    let unfiltered: Vec<Result<i64, i32>> = PROBES.iter().map(make).collect();
    for (p, r) in PROBES.iter().zip(&unfiltered) {
        // Printed now, while stdout is still allowed; the parent reads it.
        println!("unfiltered {} {}", p.sysno.name(), show(*r));
    }
    for (p, r) in PROBES.iter().zip(&unfiltered) {
        if !root && CAPABILITY_FIRST.contains(&p.sysno) {
            assert_eq!(
                *r,
                Err(libc::EPERM),
                "{} without a capability",
                p.sysno.name()
            );
            continue;
        }
        assert_ne!(
            *r,
            Err(denied),
            "{} fails with {} without a filter: the same errno under the filter would prove \
             nothing; choose other arguments",
            p.sysno.name(),
            errno_name(denied)
        );
    }

    let context = if root {
        SafetyContext::new()
    } else {
        SafetyContext::new().with_errno(denied.unsigned_abs())
    };
    context
        .enable(plan.group)
        .expect("the group enables")
        .apply_to_current_thread()
        .expect("the filter loads");

    let filtered: Vec<Result<i64, i32>> = PROBES.iter().map(make).collect();

    let mut report = String::new();
    let mut first_failure = None;
    for (i, p) in PROBES.iter().enumerate() {
        let expected = if plan.lets_through(p.sysno) {
            unfiltered[i]
        } else {
            Err(denied)
        };
        if filtered[i] != expected {
            first_failure.get_or_insert(i);
            report.push_str(&format!(
                "{}: {} gave {} under the filter, expected {}\n",
                plan.group.name(),
                p.sysno.name(),
                show(filtered[i]),
                show(expected)
            ));
        }
    }
    if let Some(i) = first_failure {
        // Best effort: the group may deny writing. The exit code says which probe failed.
        let _ = std::io::stderr().write_all(report.as_bytes());
        std::process::exit(PROBE_FAILED_BASE + i32::try_from(i).expect("a small table"));
    }
}

/// The value printed by the child for `sysno` before it applied the filter.
fn unfiltered_in(stdout: &str, sysno: Sysno) -> String {
    let prefix = format!("unfiltered {} ", sysno.name());
    stdout
        .lines()
        // The line may follow libtest's `test NAME ... ` on the same line.
        .find_map(|l| l.split_once(&prefix).map(|(_, rest)| rest))
        .unwrap_or("(not printed)")
        .to_string()
}

/// The parent: plans the group, runs the child as test `test`, and explains its end.
fn check_group(test: &str, group_name: &str) {
    let group = SyscallGroup::from_name(group_name)
        .unwrap_or_else(|| panic!("{group_name} is not a systemd group"));
    let plan = Plan::new(group).unwrap_or_else(|e| panic!("{e}"));
    let outcome = run_in_child(test, || child(&plan));
    let stdout = String::from_utf8_lossy(&outcome.output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&outcome.output.stderr).into_owned();
    let code = outcome.output.status.code();
    if let Some(i) = code
        .and_then(|c| c.checked_sub(PROBE_FAILED_BASE))
        .and_then(|i| usize::try_from(i).ok())
        .filter(|&i| i < PROBES.len())
    {
        let p = &PROBES[i];
        let expected = if plan.lets_through(p.sysno) {
            format!(
                "the kernel's answer, as without the filter: {}",
                unfiltered_in(&stdout, p.sysno)
            )
        } else {
            format!(
                "Err({}) from the filter",
                errno_name(denied_errno(common::is_root()))
            )
        };
        panic!(
            "{group_name}: probe {} (PROBES[{i}]) answered wrongly under the filter; expected \
             {expected}\n--- child's stderr (may be empty: the group may deny writing)\n{stderr}",
            p.sysno.name()
        );
    }
    outcome.assert_success();

    // Passed: say what was seen (under the filter, allowed probes gave exactly the unfiltered
    // answer and denied ones EPERM).
    let allowed = match plan.allowed {
        Some(i) => {
            let s = PROBES[i].sysno;
            let basic = if plan.basics.contains(&s) {
                " (also a basic)"
            } else {
                ""
            };
            format!("{}{basic} -> {}", s.name(), unfiltered_in(&stdout, s))
        }
        None => "none (no syscall on this architecture)".to_string(),
    };
    let d = PROBES[plan.denied].sysno;
    let through = PROBES.iter().filter(|p| plan.lets_through(p.sysno)).count();
    println!(
        "{group_name}: allowed {allowed}; denied {} -> Err({}) (unfiltered {}); \
         all {} probes as expected ({through} let through, {} denied)",
        d.name(),
        errno_name(denied_errno(common::is_root())),
        unfiltered_in(&stdout, d),
        PROBES.len(),
        PROBES.len() - through
    );
}

/// One test per group (the harness runs a test's child by the test's name), and the list of
/// the groups covered, for [`every_group_has_a_test`].
macro_rules! group_tests {
    ($($test:ident => $group:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_group(stringify!($test), $group);
            }
        )*
        const COVERED: &[(&str, &str)] = &[$((stringify!($test), $group)),*];
    };
}

group_tests! {
    group_default => "@default",
    group_aio => "@aio",
    group_basic_io => "@basic-io",
    group_chown => "@chown",
    group_clock => "@clock",
    group_cpu_emulation => "@cpu-emulation",
    group_debug => "@debug",
    group_file_system => "@file-system",
    group_io_event => "@io-event",
    group_ipc => "@ipc",
    group_keyring => "@keyring",
    group_memlock => "@memlock",
    group_module => "@module",
    group_mount => "@mount",
    group_network_io => "@network-io",
    group_obsolete => "@obsolete",
    group_pkey => "@pkey",
    group_privileged => "@privileged",
    group_process => "@process",
    group_raw_io => "@raw-io",
    group_reboot => "@reboot",
    group_resources => "@resources",
    group_sandbox => "@sandbox",
    group_setuid => "@setuid",
    group_signal => "@signal",
    group_swap => "@swap",
    group_sync => "@sync",
    group_system_service => "@system-service",
    group_timer => "@timer",
    group_known => "@known",
}

#[test]
fn every_group_has_a_test() {
    let tested: Vec<&str> = COVERED.iter().map(|(_, g)| *g).collect();
    let all: Vec<&str> = SyscallGroup::ALL.iter().map(|g| g.name()).collect();
    assert_eq!(
        tested, all,
        "group_tests! must list SyscallGroup::ALL, in order"
    );
    for (test, group) in COVERED {
        let expected = format!("group_{}", group.trim_start_matches('@').replace('-', "_"));
        assert_eq!(*test, expected, "the test for {group} is named after it");
    }
}

#[test]
fn every_group_has_an_allowed_and_a_denied_probe() {
    let basics: BTreeSet<Sysno> = basics().into_iter().collect();
    let mut failures = Vec::new();
    for &group in SyscallGroup::ALL {
        match Plan::new(group) {
            Ok(plan) => {
                let members = &plan.members;
                match plan.allowed {
                    Some(i) => {
                        let s = PROBES[i].sysno;
                        assert!(members.contains(&s));
                        // Only a group with nothing outside the basics gets a basic probe.
                        if basics.contains(&s) {
                            assert!(
                                members.is_subset(&basics),
                                "{group}: {s} is basic but the group holds more"
                            );
                        }
                    }
                    None => assert!(members.is_empty(), "{group}"),
                }
                let d = PROBES[plan.denied].sysno;
                assert!(!members.contains(&d) && !basics.contains(&d), "{group}");
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The exceptions the module docs state, and no others on x86_64.
    if cfg!(target_arch = "x86_64") {
        for &group in SyscallGroup::ALL {
            assert!(!group.syscalls().is_empty(), "{group} is empty on x86_64");
        }
    }
    let memlock: BTreeSet<Sysno> = SyscallGroup::Memlock.syscalls().into_iter().collect();
    assert!(
        !memlock.is_empty() && memlock.is_subset(&basics),
        "@memlock is within the basics"
    );
}

#[test]
fn probes_are_distinct_known_and_filtered_with_eperm() {
    let mut seen = BTreeSet::new();
    for p in PROBES {
        assert!(seen.insert(p.sysno), "{} is probed twice", p.sysno);
        // Numbers extrasafe does not know, and clone3, fail with ENOSYS in every filter:
        // a probe must be one the filter denies with EPERM.
        assert!(
            Sysno::ALL.contains(&p.sysno),
            "{} is not in Sysno::ALL",
            p.sysno
        );
        assert_ne!(p.sysno, Sysno::clone3);
    }
    let limit = usize::try_from(255 - PROBE_FAILED_BASE).unwrap();
    assert!(PROBES.len() < limit, "exit codes must name every probe");
}
