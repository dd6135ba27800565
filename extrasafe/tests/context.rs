//! `SafetyContext` semantics: conflicts, errnos, explain, BPF export, RuleSet kinds,
//! `seccomp_arg_filter!`, invalid conditions, the enforcement report, and 0.5.1 source
//! compatibility.
//!
//! Tests that only build policies are plain `#[test]`s; tests that load a filter run in a
//! process of their own (see `common/mod.rs`).

mod common;

use std::collections::HashMap;

use common::{assert_errno, raw_syscall};
use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::{pipes::Pipes, BasicCapabilities, SystemIO};
use extrasafe::syscalls::Sysno;
use extrasafe::{
    Comparator, DefaultAction, ExtraSafeError, RuleSet, SafetyContext, SeccompArgumentFilter,
    SeccompRule, SeccompScope, Verdict,
};

/// A RuleSet with a name, some simple syscalls and some conditional rules, for tests.
#[derive(Clone)]
struct Custom {
    name: &'static str,
    simple: Vec<Sysno>,
    conditional: Vec<SeccompRule>,
}

impl Custom {
    fn simple(name: &'static str, simple: &[Sysno]) -> Custom {
        Custom {
            name,
            simple: simple.to_vec(),
            conditional: Vec::new(),
        }
    }

    fn conditional(name: &'static str, rules: Vec<SeccompRule>) -> Custom {
        Custom {
            name,
            simple: Vec::new(),
            conditional: rules,
        }
    }
}

impl RuleSet for Custom {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.simple.clone()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let mut map: HashMap<Sysno, Vec<SeccompRule>> = HashMap::new();
        for rule in &self.conditional {
            map.entry(rule.syscall).or_default().push(rule.clone());
        }
        map
    }

    fn name(&self) -> &'static str {
        self.name
    }
}

fn write_to(fd: u64) -> SeccompRule {
    SeccompRule::new(Sysno::write).and_condition(SeccompArgumentFilter::new32(
        0,
        Comparator::Eq,
        u32::try_from(fd).unwrap(),
    ))
}

fn sandbox(ctx: SafetyContext) {
    ctx.apply_to_current_thread().expect("the filter loads");
}

// ---------------------------------------------------------------------------------------
// Conflicts (0.5.1 semantics)
// ---------------------------------------------------------------------------------------

fn assert_conflict(
    result: Result<SafetyContext, ExtraSafeError>,
    sysno: Sysno,
    conditional: &str,
    simple: &str,
) {
    let err = result.expect_err("a syscall allowed both simply and conditionally is an error");
    match &err {
        ExtraSafeError::ConditionalNoEffectError(s, c, u) => {
            assert_eq!((*s, *c, *u), (sysno, conditional, simple), "{err}");
        }
        other => panic!("expected ConditionalNoEffectError, got {other:?}"),
    }
    let message = err.to_string();
    for part in [sysno.name(), conditional, simple] {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
}

#[test]
fn simple_then_conditional_is_a_conflict_naming_both_rulesets() {
    let result = SafetyContext::new()
        .enable(Custom::simple("AnyWrite", &[Sysno::write]))
        .unwrap()
        .enable(Custom::conditional("StdoutWrite", vec![write_to(1)]));
    assert_conflict(result, Sysno::write, "StdoutWrite", "AnyWrite");
}

#[test]
fn conditional_then_simple_is_a_conflict_naming_both_rulesets() {
    let result = SafetyContext::new()
        .enable(Custom::conditional("StdoutWrite", vec![write_to(1)]))
        .unwrap()
        .enable(Custom::simple("AnyWrite", &[Sysno::write]));
    assert_conflict(result, Sysno::write, "StdoutWrite", "AnyWrite");
}

#[test]
fn builtins_conflict_like_custom_rulesets() {
    // SystemIO's stderr rule on write against a Sysno RuleSet allowing write outright.
    let result = SafetyContext::new()
        .enable(SystemIO::nothing().allow_stderr())
        .unwrap()
        .enable(Sysno::write);
    assert_conflict(result, Sysno::write, "SystemIO", "write");
}

#[test]
fn simple_and_conditional_in_one_ruleset_is_a_conflict() {
    let both = Custom {
        name: "Both",
        simple: vec![Sysno::write],
        conditional: vec![write_to(1)],
    };
    assert_conflict(
        SafetyContext::new().enable(both),
        Sysno::write,
        "Both",
        "Both",
    );
}

#[test]
fn the_same_syscall_allowed_simply_by_two_rulesets_is_fine() {
    let explanation = SafetyContext::new()
        .enable(Custom::simple("One", &[Sysno::getppid, Sysno::getuid]))
        .unwrap()
        .enable(Custom::simple("Two", &[Sysno::getppid]))
        .unwrap()
        .enable(Custom::simple("One", &[Sysno::getppid]))
        .unwrap()
        .explain()
        .unwrap();
    assert_eq!(
        explanation.get(Sysno::getppid),
        Some(&Verdict::Allowed {
            by: vec!["One", "Two"]
        })
    );
    assert_eq!(
        explanation.get(Sysno::getuid),
        Some(&Verdict::Allowed { by: vec!["One"] })
    );
    assert_eq!(explanation.rulesets, vec!["One", "Two"]);
}

#[test]
fn conditional_rules_for_one_syscall_from_two_rulesets_are_combined() {
    let explanation = SafetyContext::new()
        .enable(Custom::conditional("ToStdout", vec![write_to(1)]))
        .unwrap()
        .enable(Custom::conditional("ToStderr", vec![write_to(2)]))
        .unwrap()
        .explain()
        .unwrap();
    assert_eq!(
        explanation.get(Sysno::write),
        Some(&Verdict::AllowedIf {
            rules: vec![("ToStdout", write_to(1)), ("ToStderr", write_to(2))]
        })
    );
}

sandboxed_test! {
    fn conditional_rules_from_two_rulesets_are_or_ed() {
        let (_r, w) = std::io::pipe().unwrap();
        use std::os::fd::AsRawFd;
        let pipe_fd = u64::try_from(w.as_raw_fd()).unwrap();
        sandbox(
            SafetyContext::new()
                .enable(Custom::conditional("ToStdout", vec![write_to(1)]))
                .unwrap()
                .enable(Custom::conditional("ToStderr", vec![write_to(2)]))
                .unwrap(),
        );
        let write = |fd: u64| raw_syscall(libc::SYS_write, [fd, b"x".as_ptr() as u64, 1, 0, 0, 0]);
        assert_eq!(write(1), Ok(1));
        assert_eq!(write(2), Ok(1));
        assert_eq!(write(pipe_fd), Err(libc::EPERM));
    }
}

sandboxed_test! {
    /// A condition on a syscall of BasicCapabilities narrows it (no conflict with the
    /// implicit basics): mprotect without PROT_EXEC.
    fn conditions_on_a_basic_syscall_narrow_it() {
        let no_exec = Custom::conditional(
            "NoExec",
            vec![SeccompRule::new(Sysno::mprotect)
                .and_condition(extrasafe::seccomp_arg_filter!(arg2 & (libc::PROT_EXEC) == 0))],
        );
        let ctx = SafetyContext::new()
            .enable(no_exec)
            .unwrap()
            .enable(SystemIO::nothing().allow_stderr())
            .unwrap();
        let explanation = ctx.explain().unwrap();
        assert_eq!(explanation.narrowed_basics, vec![Sysno::mprotect]);
        assert!(explanation.to_string().contains("narrowed"), "{explanation}");
        let page = map_page();
        sandbox(ctx);
        assert_eq!(mprotect(page, libc::PROT_READ), Ok(0));
        assert_eq!(mprotect(page, libc::PROT_READ | libc::PROT_EXEC), Err(libc::EPERM));
    }
}

#[allow(unsafe_code)]
fn map_page() -> u64 {
    // SAFETY: an anonymous private mapping touches no existing memory.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(p, libc::MAP_FAILED);
    p as u64
}

fn mprotect(page: u64, prot: libc::c_int) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_mprotect,
        [page, 4096, u64::from(prot.unsigned_abs()), 0, 0, 0],
    )
}

// ---------------------------------------------------------------------------------------
// NoRulesEnabled, errnos
// ---------------------------------------------------------------------------------------

#[test]
fn an_empty_context_cannot_be_compiled_or_explained() {
    let ctx = SafetyContext::new();
    assert!(matches!(ctx.compile(), Err(ExtraSafeError::NoRulesEnabled)));
    assert!(matches!(ctx.explain(), Err(ExtraSafeError::NoRulesEnabled)));
    // RuleSets that allow nothing leave it empty.
    let ctx = SafetyContext::new()
        .enable(SystemIO::nothing())
        .unwrap()
        .enable(Threads::nothing())
        .unwrap();
    assert!(matches!(ctx.compile(), Err(ExtraSafeError::NoRulesEnabled)));
    // 0.5.1's text; the advice is in help().
    let err = ExtraSafeError::NoRulesEnabled;
    assert_eq!(
        err.to_string(),
        "No rules were enabled in the SafetyContext"
    );
    assert!(
        err.help()
            .is_some_and(|h| h.contains("SafetyContext::enable")),
        "{err:?}"
    );
}

sandboxed_test! {
    fn applying_an_empty_context_fails_and_loads_nothing() {
        let err = SafetyContext::new().apply_to_current_thread().unwrap_err();
        assert!(matches!(err, ExtraSafeError::NoRulesEnabled), "{err:?}");
        let err = SafetyContext::new().with_errno(libc::EACCES as u32).apply_to_all_threads().unwrap_err();
        assert!(matches!(err, ExtraSafeError::NoRulesEnabled), "{err:?}");
        // Nothing was loaded: files still open.
        std::fs::File::open("/etc/hostname").unwrap();
        let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
        assert!(status.contains("Seccomp:\t0"), "{status}");
    }
}

#[test]
fn errno_zero_and_above_4095_are_invalid() {
    for errno in [0u32, 4096, u32::MAX] {
        let ctx = SafetyContext::new().with_errno(errno);
        let err = ctx.clone().enable(Pipes).unwrap_err();
        assert!(
            matches!(err, ExtraSafeError::InvalidErrno { errno: e } if e == errno),
            "{err:?}"
        );
        assert!(err.to_string().contains(&errno.to_string()), "{err}");
        assert!(matches!(
            ctx.compile(),
            Err(ExtraSafeError::InvalidErrno { .. })
        ));
        assert!(matches!(
            ctx.explain(),
            Err(ExtraSafeError::InvalidErrno { .. })
        ));
        let via_action = SafetyContext::new()
            .with_default_action(DefaultAction::Errno(errno))
            .enable(Pipes);
        assert!(matches!(
            via_action,
            Err(ExtraSafeError::InvalidErrno { .. })
        ));
    }
    // An invalid errno after enable is caught at compile.
    let ctx = SafetyContext::new().enable(Pipes).unwrap().with_errno(0);
    assert!(matches!(
        ctx.compile(),
        Err(ExtraSafeError::InvalidErrno { errno: 0 })
    ));
    // The bounds themselves are valid.
    for errno in [1u32, 4095] {
        let explanation = SafetyContext::new()
            .with_errno(errno)
            .enable(Pipes)
            .unwrap()
            .explain()
            .unwrap();
        assert_eq!(explanation.default_action, DefaultAction::Errno(errno));
    }
}

sandboxed_test! {
    fn denied_calls_fail_with_the_chosen_errno() {
        sandbox(
            SafetyContext::new()
                .with_errno(libc::EACCES as u32)
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EACCES);
        assert_eq!(raw_syscall(libc::SYS_getppid, [0; 6]), Err(libc::EACCES));
        // clone3 and unknown numbers keep ENOSYS.
        assert_eq!(raw_syscall(libc::SYS_clone3, [0; 6]), Err(libc::ENOSYS));
        assert_eq!(raw_syscall(1000, [0; 6]), Err(libc::ENOSYS));
    }
}

// ---------------------------------------------------------------------------------------
// explain
// ---------------------------------------------------------------------------------------

#[test]
fn explain_names_the_ruleset_and_the_conditions_of_each_syscall() {
    let explanation = SafetyContext::new()
        .enable(SystemIO::nothing().allow_read().allow_stderr())
        .unwrap()
        .enable(Sysno::getppid)
        .unwrap()
        .explain()
        .unwrap();
    assert_eq!(
        explanation.get(Sysno::read),
        Some(&Verdict::Allowed {
            by: vec!["SystemIO"]
        })
    );
    assert_eq!(
        explanation.get(Sysno::getppid),
        Some(&Verdict::Allowed {
            by: vec!["getppid"]
        })
    );
    assert_eq!(
        explanation.get(Sysno::futex),
        Some(&Verdict::Allowed {
            by: vec!["BasicCapabilities"]
        })
    );
    match explanation.get(Sysno::write) {
        Some(Verdict::AllowedIf { rules }) => {
            assert_eq!(rules.len(), 1);
            assert_eq!(rules[0].0, "SystemIO");
            assert_eq!(rules[0].1.to_string(), "write if arg0 == 2");
        }
        other => panic!("write: {other:?}"),
    }
    assert!(matches!(
        explanation.get(Sysno::clone3),
        Some(Verdict::Enosys { .. })
    ));
    assert_eq!(explanation.get(Sysno::openat), None);
    assert_eq!(explanation.default_action, DefaultAction::Errno(1));
    assert_eq!(explanation.rulesets, vec!["SystemIO", "getppid"]);

    let text = explanation.to_string();
    for needle in [
        "read",
        "allowed by SystemIO",
        "arg0 == 2",
        "getppid",
        "BasicCapabilities",
        "clone3",
        "ENOSYS",
        "kill the process",
        "EPERM",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
    }
    // One line per syscall the filter treats specially, each naming it.
    for entry in &explanation.syscalls {
        assert!(text.contains(entry.syscall.name()), "{}", entry.syscall);
    }
}

sandboxed_test! {
    fn explain_lists_what_the_report_counts() {
        let ctx = SafetyContext::new()
            .enable(SystemIO::nothing().allow_read().allow_stderr())
            .unwrap()
            .enable(Sysno::getppid)
            .unwrap();
        let explanation = ctx.explain().unwrap();
        for sysno in BasicCapabilities.simple_rules() {
            assert!(explanation.get(sysno).is_some(), "{sysno}");
        }
        let allowed = explanation
            .syscalls
            .iter()
            .filter(|e| !matches!(e.verdict, Verdict::Enosys { .. }))
            .count();
        let conditional = explanation
            .syscalls
            .iter()
            .filter(|e| matches!(e.verdict, Verdict::AllowedIf { .. }))
            .count();
        let report = ctx.enforce_on_current_thread().unwrap().seccomp.unwrap();
        assert_eq!(report.allowed_syscalls, allowed);
        assert_eq!(report.conditional_syscalls, conditional);
    }
}

// ---------------------------------------------------------------------------------------
// BPF export and CompiledFilter
// ---------------------------------------------------------------------------------------

#[test]
fn exported_bpf_is_eight_bytes_per_instruction_and_starts_with_the_arch_check() {
    let filter = SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout())
        .unwrap()
        .compile()
        .unwrap();
    let insns = filter.instructions();
    let bytes = filter.to_bytes();
    assert!(insns.len() > 10);
    assert_eq!(bytes.len(), 8 * insns.len());
    for (chunk, insn) in bytes.chunks_exact(8).zip(insns) {
        assert_eq!(u16::from_ne_bytes([chunk[0], chunk[1]]), insn.code);
        assert_eq!((chunk[2], chunk[3]), (insn.jt, insn.jf));
        assert_eq!(
            u32::from_ne_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]),
            insn.k
        );
    }
    // BPF_LD | BPF_W | BPF_ABS of offsetof(struct seccomp_data, arch).
    assert_eq!((insns[0].code, insns[0].k), (0x20, 4));
    // then a comparison with the native architecture.
    let native: u32 = if cfg!(target_arch = "x86_64") {
        0xc000_003e
    } else {
        0xc000_00b7
    };
    assert_eq!((insns[1].code, insns[1].k), (0x15, native));
    // Every program ends in a return.
    assert_eq!(insns.last().unwrap().code & 0x07, 0x06);
}

#[test]
fn compiling_twice_gives_the_same_program() {
    let ctx = SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout().allow_read())
        .unwrap();
    assert_eq!(
        ctx.compile().unwrap().to_bytes(),
        ctx.compile().unwrap().to_bytes()
    );
}

sandboxed_test! {
    fn one_compiled_filter_loads_in_two_threads() {
        let filter = SafetyContext::new()
            .enable(SystemIO::nothing().allow_stderr())
            .unwrap()
            .compile()
            .unwrap();
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    let report = filter.enforce_on_current_thread().unwrap();
                    assert_eq!(report.seccomp.unwrap().instructions, filter.instructions().len());
                    assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
                });
            }
        });
        // The calling thread has no filter.
        std::fs::File::open("/etc/hostname").unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Kinds of RuleSet
// ---------------------------------------------------------------------------------------

#[test]
fn a_sysno_is_a_ruleset_named_after_the_syscall() {
    assert_eq!(RuleSet::name(&Sysno::getppid), "getppid");
    assert_eq!(Sysno::getppid.simple_rules(), vec![Sysno::getppid]);
    assert!(Sysno::getppid.conditional_rules().is_empty());
}

sandboxed_test! {
    fn a_sysno_ruleset_allows_that_syscall_only() {
        sandbox(
            SafetyContext::new()
                .enable(Sysno::getppid)
                .unwrap()
                .enable(SystemIO::nothing().allow_stderr())
                .unwrap(),
        );
        assert!(raw_syscall(libc::SYS_getppid, [0; 6]).unwrap() > 0);
        assert_eq!(raw_syscall(libc::SYS_getuid, [0; 6]), Err(libc::EPERM));
    }
}

#[test]
fn references_and_trait_objects_are_rulesets() {
    let io = SystemIO::nothing().allow_read().allow_stdout();
    let by_value = SafetyContext::new()
        .enable(io.clone())
        .unwrap()
        .explain()
        .unwrap();
    let by_ref = SafetyContext::new().enable(&io).unwrap().explain().unwrap();
    let dynamic: &dyn RuleSet = &io;
    let by_dyn = SafetyContext::new()
        .enable(dynamic)
        .unwrap()
        .explain()
        .unwrap();
    assert_eq!(by_value, by_ref);
    assert_eq!(by_value, by_dyn);
    // Turbofish works (enable is generic).
    let by_turbofish = SafetyContext::new()
        .enable::<&SystemIO>(&io)
        .unwrap()
        .explain()
        .unwrap();
    assert_eq!(by_value, by_turbofish);
}

#[test]
fn a_rule_listed_under_another_syscall_is_an_error() {
    struct Misfiled;
    impl RuleSet for Misfiled {
        fn simple_rules(&self) -> Vec<Sysno> {
            Vec::new()
        }
        fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
            HashMap::from([(Sysno::read, vec![write_to(1)])])
        }
        fn name(&self) -> &'static str {
            "Misfiled"
        }
    }
    let err = SafetyContext::new().enable(Misfiled).unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::InvalidCondition {
                ruleset: "Misfiled",
                syscall: Sysno::write,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("read"), "{err}");
}

// ---------------------------------------------------------------------------------------
// seccomp_arg_filter!, through its full path and no `use`
// ---------------------------------------------------------------------------------------

mod macro_without_imports {
    fn parts(f: ::extrasafe::SeccompArgumentFilter) -> (u8, ::extrasafe::Comparator, u64, bool) {
        (f.arg_idx, f.comparator(), f.value, f.is_64bit)
    }

    /// An alias, not a `use`: the macro cannot lean on it.
    type C = ::extrasafe::Comparator;

    #[test]
    fn every_form_of_seccomp_arg_filter_expands_without_imports() {
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg0 == 1)),
            (0, C::Eq, 1, true)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg1 != 2)),
            (1, C::Ne, 2, true)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg2 < 3)),
            (2, C::Lt, 3, true)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg3 <= 4)),
            (3, C::Le, 4, true)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg4 > 5)),
            (4, C::Gt, 5, true)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg5 >= 6)),
            (5, C::Ge, 6, true)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg0 & 0xf0 == 0x10)),
            (0, C::MaskedEq(0xf0), 0x10, true)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(
                arg2 & (libc::O_ACCMODE | libc::O_CREAT) == libc::O_RDONLY
            )),
            (2, C::MaskedEq(0o103), 0, true)
        );
        // Values are expressions, and may be wider than the argument (64-bit forms).
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg1 == 1u64 << 40)),
            (1, C::Eq, 1 << 40, true)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg1 == libc::F_SETFL)),
            (1, C::Eq, 4, true)
        );
        // The 32-bit forms.
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg0 as u32 == 1)),
            (0, C::Eq, 1, false)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg1 as u32 != 2)),
            (1, C::Ne, 2, false)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg2 as u32 < 3)),
            (2, C::Lt, 3, false)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg3 as u32 <= 4)),
            (3, C::Le, 4, false)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg4 as u32 > 5)),
            (4, C::Gt, 5, false)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg5 as u32 >= 6)),
            (5, C::Ge, 6, false)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(arg1 as u32 & 0xff == 0x7)),
            (1, C::MaskedEq(0xff), 7, false)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(
                arg1 as u32 & (libc::O_ACCMODE) == libc::O_WRONLY
            )),
            (1, C::MaskedEq(3), 1, false)
        );
        assert_eq!(
            parts(::extrasafe::seccomp_arg_filter!(
                arg0 as u32 == libc::AF_INET
            )),
            (0, C::Eq, 2, false)
        );
    }

    #[test]
    fn seccomp_arg_filter_displays_as_written() {
        assert_eq!(
            ::extrasafe::seccomp_arg_filter!(arg0 == 1).to_string(),
            "arg0 == 1"
        );
        assert_eq!(
            ::extrasafe::seccomp_arg_filter!(arg3 as u32 >= 7).to_string(),
            "arg3 >= 7"
        );
        assert_eq!(
            ::extrasafe::seccomp_arg_filter!(arg2 & 0x3 == 0).to_string(),
            "arg2 & 0x3 == 0x0"
        );
        assert_eq!(
            ::extrasafe::seccomp_arg_filter!(arg1 != 0x1_0000).to_string(),
            "arg1 != 0x10000"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Invalid conditions
// ---------------------------------------------------------------------------------------

fn invalid(rule: SeccompRule) -> ExtraSafeError {
    let sysno = rule.syscall;
    let err = SafetyContext::new()
        .enable(Custom::conditional("Faulty", vec![rule]))
        .expect_err("an invalid condition is refused at enable");
    match &err {
        ExtraSafeError::InvalidCondition {
            ruleset, syscall, ..
        } => {
            assert_eq!((*ruleset, *syscall), ("Faulty", sysno), "{err}");
        }
        other => panic!("expected InvalidCondition, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("Faulty"), "{message}");
    assert!(message.contains(sysno.name()), "{message}");
    err
}

#[test]
fn a_condition_on_an_argument_the_syscall_does_not_have_is_invalid() {
    let err = invalid(
        SeccompRule::new(Sysno::close).and_condition(extrasafe::seccomp_arg_filter!(arg3 == 0)),
    );
    assert!(err.to_string().contains("arg3"), "{err}");
    let err = invalid(
        SeccompRule::new(Sysno::getppid).and_condition(extrasafe::seccomp_arg_filter!(arg0 == 0)),
    );
    assert!(err.to_string().contains("takes 0 argument"), "{err}");
    let err = invalid(
        SeccompRule::new(Sysno::write).and_condition(SeccompArgumentFilter::new(
            6,
            Comparator::Eq,
            0,
        )),
    );
    assert!(err.to_string().contains("arg6"), "{err}");
}

#[test]
fn a_value_that_does_not_fit_a_32_bit_argument_is_invalid() {
    // write's fd is an unsigned int: the kernel never sees 1 << 32 | 1.
    let err = invalid(write_fd_is(0x1_0000_0001));
    assert!(err.to_string().contains("32 bits"), "{err}");
    // A mask with value bits outside it can never hold.
    let err = invalid(
        SeccompRule::new(Sysno::write)
            .and_condition(extrasafe::seccomp_arg_filter!(arg0 & 0x1 == 0x2)),
    );
    assert!(err.to_string().contains("never hold"), "{err}");
}

fn write_fd_is(value: u64) -> SeccompRule {
    SeccompRule::new(Sysno::write).and_condition(SeccompArgumentFilter::new64(
        0,
        Comparator::Eq,
        value,
    ))
}

#[test]
fn contradictory_conditions_are_invalid() {
    let err = invalid(
        SeccompRule::new(Sysno::write)
            .and_condition(extrasafe::seccomp_arg_filter!(arg0 == 1))
            .and_condition(extrasafe::seccomp_arg_filter!(arg0 == 2)),
    );
    assert!(err.to_string().contains("contradict"), "{err}");
    let err = invalid(
        SeccompRule::new(Sysno::write)
            .and_condition(extrasafe::seccomp_arg_filter!(arg0 > 10))
            .and_condition(extrasafe::seccomp_arg_filter!(arg0 < 5)),
    );
    assert!(err.to_string().contains("contradict"), "{err}");
    // A single condition that no 32-bit value meets.
    let err = invalid(
        SeccompRule::new(Sysno::write).and_condition(extrasafe::seccomp_arg_filter!(arg0 < 0)),
    );
    assert!(err.to_string().contains("never hold"), "{err}");
}

/// openat allowed relative to the current directory only: `arg0 == AT_FDCWD`, written the
/// 0.5.1 way (the 64-bit form, so the value is -100 sign-extended).
struct CwdOnly;

impl RuleSet for CwdOnly {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let rule = SeccompRule::new(Sysno::openat)
            .and_condition(extrasafe::seccomp_arg_filter!(arg0 == libc::AT_FDCWD));
        HashMap::from([(Sysno::openat, vec![rule])])
    }

    fn name(&self) -> &'static str {
        "CwdOnly"
    }
}

sandboxed_test! {
    /// openat's dirfd is an `int`: a condition with a negative int (sign-extended to 64 bits
    /// by `as u64`) compares the low 32 bits, which is the int the kernel reads.
    fn a_negative_int_condition_on_a_32_bit_argument_matches_what_the_kernel_reads() {
        use std::os::fd::AsRawFd;
        let etc = std::fs::File::open("/etc").unwrap();
        let dirfd = u64::try_from(etc.as_raw_fd()).unwrap();
        let openat = |dirfd: u64, path: &std::ffi::CStr| {
            let flags = u64::from(libc::O_CLOEXEC.unsigned_abs());
            raw_syscall(libc::SYS_openat, [dirfd, path.as_ptr() as u64, flags, 0, 0, 0])
        };
        // Without a filter, each of these opens /etc/hostname.
        let at_fdcwd = u64::from(libc::AT_FDCWD as u32);
        for dirfd in [at_fdcwd, 0xffff_ffff_0000_0000 | at_fdcwd] {
            assert!(openat(dirfd, c"/etc/hostname").is_ok());
        }
        for dirfd in [dirfd, (1 << 32) | dirfd] {
            assert!(openat(dirfd, c"hostname").is_ok());
        }
        sandbox(
            SafetyContext::new()
                .enable(CwdOnly)
                .unwrap()
                .enable(SystemIO::nothing().allow_read().allow_close().allow_stderr())
                .unwrap(),
        );
        assert!(std::fs::read_to_string("/etc/hostname").is_ok(), "std: openat(AT_FDCWD, ..)");
        assert!(openat(at_fdcwd, c"/etc/hostname").is_ok(), "AT_FDCWD zero-extended");
        let sign_extended = 0xffff_ffff_0000_0000 | at_fdcwd;
        assert!(openat(sign_extended, c"/etc/hostname").is_ok(), "AT_FDCWD sign-extended");
        assert_eq!(openat(dirfd, c"hostname"), Err(libc::EPERM), "a directory descriptor");
        assert_eq!(openat((1 << 32) | dirfd, c"hostname"), Err(libc::EPERM), "with junk");
    }
}

#[test]
fn a_64_bit_argument_takes_values_above_32_bits() {
    // lseek's offset is a 64-bit off_t.
    let rule = SeccompRule::new(Sysno::lseek)
        .and_condition(extrasafe::seccomp_arg_filter!(arg1 == 1u64 << 40));
    SafetyContext::new()
        .enable(Custom::conditional("BigSeek", vec![rule]))
        .unwrap()
        .compile()
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// EnforcementReport
// ---------------------------------------------------------------------------------------

sandboxed_test! {
    fn apply_to_current_thread_reports_what_it_loaded() {
        let ctx = SafetyContext::new()
            .enable(SystemIO::nothing().allow_read().allow_stderr())
            .unwrap();
        let expected_len = ctx.compile().unwrap().instructions().len();
        let report = ctx.enforce_on_current_thread().unwrap();
        let seccomp = report.seccomp.clone().expect("a seccomp layer");
        assert_eq!(seccomp.scope, SeccompScope::CurrentThread);
        assert_eq!(seccomp.default_action, DefaultAction::Errno(1));
        // read's group (6) + write (conditional) + writev (conditional) + the basics.
        assert!(seccomp.allowed_syscalls >= BasicCapabilities.simple_rules().len() + 8, "{seccomp:?}");
        assert_eq!(seccomp.conditional_syscalls, 2, "write and writev");
        assert_eq!(seccomp.instructions, expected_len);
        let text = report.to_string();
        for needle in [
            "seccomp",
            "current thread",
            &seccomp.allowed_syscalls.to_string(),
            &seccomp.instructions.to_string(),
            "EPERM",
            "no_new_privs",
        ] {
            assert!(text.contains(needle), "`{needle}` missing from: {text}");
        }
    }
}

sandboxed_test! {
    fn enforce_on_all_threads_reports_all_threads() {
        let report = SafetyContext::new()
            .with_default_action(DefaultAction::Errno(libc::EACCES as u32))
            .enable(SystemIO::nothing().allow_stderr())
            .unwrap()
            .enforce_on_all_threads()
            .unwrap();
        let seccomp = report.seccomp.clone().unwrap();
        assert_eq!(seccomp.scope, SeccompScope::AllThreads);
        assert_eq!(seccomp.default_action, DefaultAction::Errno(libc::EACCES as u32));
        let text = report.to_string();
        assert!(text.contains("all threads") && text.contains("EACCES"), "{text}");
    }
}

sandboxed_test! {
    /// TSYNC is all or nothing: a thread with a filter of its own makes the call fail, names
    /// that thread, and leaves every thread as it was.
    fn apply_to_all_threads_fails_as_a_whole_and_names_the_thread() {
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || {
            sandbox(SafetyContext::new().enable(SystemIO::nothing().allow_stderr()).unwrap());
            tid_tx.send(raw_syscall(libc::SYS_gettid, [0; 6]).unwrap()).unwrap();
            done_rx.recv().unwrap();
        });
        let tid = tid_rx.recv().unwrap();
        let err = SafetyContext::new()
            .enable(SystemIO::everything())
            .unwrap()
            .apply_to_all_threads()
            .unwrap_err();
        match &err {
            ExtraSafeError::ThreadSyncFailed { tid: failed } => assert_eq!(i64::from(*failed), tid),
            other => panic!("expected ThreadSyncFailed, got {other:?}"),
        }
        assert!(err.to_string().contains(&tid.to_string()), "{err}");
        let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
        assert!(status.contains("Seccomp:\t0"), "the calling thread got no filter: {status}");
        done_tx.send(()).unwrap();
        other.join().unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Source compatibility with extrasafe 0.5.1
// ---------------------------------------------------------------------------------------

/// Written as a 0.5.1 user would: names, paths and shapes of 0.5.1's documented API.
#[allow(deprecated, dead_code)]
mod upstream_0_5_1 {
    use std::collections::HashMap;

    use extrasafe::builtins::danger_zone::{ForkAndExec, Threads};
    use extrasafe::builtins::pipes::Pipes;
    use extrasafe::builtins::{BasicCapabilities, Networking, SystemIO, Time, YesReally};
    use extrasafe::syscalls::Sysno;
    use extrasafe::*;

    pub(super) struct MyRules;

    impl RuleSet for MyRules {
        fn simple_rules(&self) -> Vec<Sysno> {
            vec![Sysno::getppid]
        }

        fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
            let mut rules = HashMap::new();
            rules.insert(
                Sysno::fcntl,
                vec![
                    SeccompRule::new(Sysno::fcntl)
                        .and_condition(seccomp_arg_filter!(arg1 == libc::F_GETFL)),
                    SeccompRule::new(Sysno::fcntl).and_condition(SeccompArgumentFilter::new(
                        1,
                        SeccompilerComparator::Eq,
                        libc::F_GETFD as u64,
                    )),
                ],
            );
            rules
        }

        fn name(&self) -> &'static str {
            "MyRules"
        }
    }

    pub(super) fn comparators() -> Vec<SeccompilerComparator> {
        vec![
            SeccompilerComparator::Eq,
            SeccompilerComparator::Ge,
            SeccompilerComparator::Gt,
            SeccompilerComparator::Le,
            SeccompilerComparator::Lt,
            SeccompilerComparator::MaskedEq(0xff),
            SeccompilerComparator::Ne,
        ]
    }

    pub(super) fn filters() -> Vec<SeccompilerArgumentFilter> {
        vec![
            SeccompArgumentFilter::new(0, SeccompilerComparator::Eq, 1),
            SeccompArgumentFilter::new64(0, SeccompilerComparator::Ne, 1 << 40),
            SeccompArgumentFilter::new32(1, SeccompilerComparator::Le, 7),
            seccomp_arg_filter!(arg0 & 0x3 == 0),
            seccomp_arg_filter!(arg2 >= 4),
        ]
    }

    pub(super) fn rule() -> SeccompilerRule {
        let rule = SeccompRule::new(Sysno::write).and_condition(seccomp_arg_filter!(arg0 == 1));
        let SeccompRule {
            syscall,
            argument_filters,
        } = &rule;
        let SeccompArgumentFilter {
            arg_idx,
            value,
            is_64bit,
            ..
        } = argument_filters[0];
        assert_eq!(
            (*syscall, arg_idx, value, is_64bit),
            (Sysno::write, 0, 1, true)
        );
        rule
    }

    pub(super) fn builtins() -> Vec<Box<dyn RuleSet>> {
        let file = std::fs::File::open("/etc/hostname").unwrap();
        let really: YesReally<SystemIO> = YesReally::new(SystemIO::nothing().allow_read());
        vec![
            Box::new(BasicCapabilities),
            Box::new(
                SystemIO::nothing()
                    .allow_read()
                    .allow_write()
                    .allow_open()
                    .yes_really()
                    .allow_metadata()
                    .allow_unlink()
                    .allow_close(),
            ),
            Box::new(SystemIO::nothing().allow_open_readonly().allow_ioctl()),
            Box::new(
                SystemIO::nothing()
                    .allow_stdin()
                    .allow_stdout()
                    .allow_stderr(),
            ),
            Box::new(
                SystemIO::nothing()
                    .allow_file_read(&file)
                    .allow_file_write(&file),
            ),
            Box::new(SystemIO::everything()),
            Box::new(really.yes_really()),
            Box::new(
                Networking::nothing()
                    .allow_running_tcp_servers()
                    .allow_start_tcp_servers()
                    .yes_really()
                    .allow_running_udp_sockets()
                    .allow_start_udp_servers()
                    .yes_really()
                    .allow_connect()
                    .yes_really()
                    .allow_start_tcp_clients()
                    .allow_running_tcp_clients()
                    .allow_start_unix_servers()
                    .yes_really()
                    .allow_running_unix_servers()
                    .allow_running_unix_clients(),
            ),
            Box::new(Time::nothing().allow_gettime()),
            Box::new(Pipes),
            Box::new(Threads::nothing().allow_create().allow_sleep().yes_really()),
            Box::new(ForkAndExec),
            Box::new(Sysno::getppid),
        ]
    }

    fn error_paths(e: extrasafe::error::ExtraSafeError) -> ExtraSafeError {
        match e {
            ExtraSafeError::ConditionalNoEffectError(sysno, conditional, simple) => {
                let _: (Sysno, &'static str, &'static str) = (sysno, conditional, simple);
                ExtraSafeError::NoRulesEnabled
            }
            ExtraSafeError::SeccompError(e) => {
                let _: SeccompilerError = e;
                ExtraSafeError::NoRulesEnabled
            }
            other => other,
        }
    }

    /// 0.5.1's README example shape: `?` on enable and apply.
    pub(super) fn sandbox_like_0_5_1() -> Result<(), ExtraSafeError> {
        SafetyContext::new()
            .with_errno(libc::EACCES as u32)
            .enable(SystemIO::nothing().allow_stdout().allow_stderr())?
            .enable(MyRules)?
            .enable(Threads::nothing().allow_create())?
            .apply_to_current_thread()?;
        Ok(())
    }

    pub(super) fn sandbox_all_threads_like_0_5_1() {
        SafetyContext::new()
            .enable(SystemIO::nothing().allow_stderr())
            .unwrap()
            .apply_to_all_threads()
            .unwrap();
    }

    pub(super) fn names() -> Vec<&'static str> {
        vec![Sysno::read.name(), Sysno::openat.name()]
    }

    pub(super) fn compiled() -> Option<SeccompilerFilter> {
        None
    }
}

#[test]
fn code_written_for_0_5_1_compiles_and_builds_policies() {
    assert_eq!(upstream_0_5_1::comparators().len(), 7);
    assert_eq!(upstream_0_5_1::filters().len(), 5);
    assert_eq!(upstream_0_5_1::rule().to_string(), "write if arg0 == 1");
    assert_eq!(upstream_0_5_1::names(), vec!["read", "openat"]);
    assert!(upstream_0_5_1::compiled().is_none());
    // Each builtin enables on its own.
    for ruleset in upstream_0_5_1::builtins() {
        let name = ruleset.name();
        let ctx = SafetyContext::new()
            .enable(ruleset.as_ref())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        ctx.compile().unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

sandboxed_test! {
    fn code_written_for_0_5_1_applies() {
        upstream_0_5_1::sandbox_like_0_5_1().unwrap();
        assert!(raw_syscall(libc::SYS_getppid, [0; 6]).unwrap() > 0);
        assert_eq!(raw_syscall(libc::SYS_getuid, [0; 6]), Err(libc::EACCES));
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EACCES);
    }
}

sandboxed_test! {
    fn code_written_for_0_5_1_applies_to_all_threads() {
        upstream_0_5_1::sandbox_all_threads_like_0_5_1();
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
    }
}

/// A CompiledFilter is the seccomp layer only: compiling a context with Landlock rules or
/// isolation would drop them silently, so it is an error.
#[cfg(feature = "landlock")]
#[test]
fn compile_refuses_a_context_whose_landlock_rules_it_would_drop() {
    let ctx = SafetyContext::new()
        .enable(extrasafe::Landlock::new().read_write("/tmp"))
        .unwrap();
    let err = ctx.compile().unwrap_err();
    assert!(
        matches!(err, ExtraSafeError::NotSeccompOnly { layer: "Landlock" }),
        "{err:?}"
    );
    assert!(err.to_string().contains("apply_to_current_thread"), "{err}");
}

#[cfg(feature = "isolate")]
#[test]
fn compile_refuses_a_context_whose_isolation_it_would_drop() {
    let ctx = SafetyContext::new()
        .enable(extrasafe::builtins::BasicCapabilities)
        .unwrap()
        .isolate_process(extrasafe::isolate::IsolationConfig::new());
    assert!(matches!(
        ctx.compile(),
        Err(ExtraSafeError::NotSeccompOnly {
            layer: "process isolation"
        })
    ));
}

sandboxed_test! {
    /// The report says how many syscalls came from BasicCapabilities and from each RuleSet,
    /// and the counts add up: a user enabling read and stdout saw only a total.
    fn the_report_counts_syscalls_per_ruleset() {
        let ctx = SafetyContext::new()
            .enable(SystemIO::nothing().allow_read().allow_stdout().allow_stderr())
            .unwrap()
            // getpid twice: counted once, under the first RuleSet that allows it.
            .enable(Custom::simple("First", &[Sysno::getpid, Sysno::getppid]))
            .unwrap()
            .enable(Custom::simple("Second", &[Sysno::getpid, Sysno::gettid]))
            .unwrap()
            // A syscall BasicCapabilities allows too: counted under the enabled RuleSet.
            .enable(Custom::simple("Third", &[Sysno::exit_group]))
            .unwrap();
        let report = ctx.enforce_on_current_thread().unwrap();
        let seccomp = report.seccomp.clone().expect("a seccomp layer");
        // What the enabled RuleSets allow, of which BasicCapabilities allows some too.
        let enabled = [
            Sysno::read, Sysno::pread64, Sysno::lseek, Sysno::readv, Sysno::preadv,
            Sysno::preadv2, Sysno::write, Sysno::writev, Sysno::getpid, Sysno::getppid,
            Sysno::gettid, Sysno::exit_group,
        ];
        let basics = BasicCapabilities
            .simple_rules()
            .into_iter()
            .filter(|s| !enabled.contains(s))
            .count();
        assert_eq!(
            seccomp.allowed_by,
            [
                ("SystemIO", 8),
                ("First", 2),
                ("Second", 1),
                ("Third", 1),
                ("BasicCapabilities", basics)
            ]
        );
        assert_eq!(seccomp.allowed_syscalls, 12 + basics);
        let text = report.to_string();
        let expected = format!(
            "{} syscalls allowed (8 by SystemIO, 2 by First, 1 by Second, 1 by Third, {basics} by \
             BasicCapabilities; 2 with argument conditions)",
            12 + basics
        );
        assert!(text.contains(&expected), "`{expected}` missing from: {text}");
    }
}

sandboxed_test! {
    /// BasicCapabilities enabled by hand (0.5.1 code does) is counted at its place.
    fn an_enabled_basic_capabilities_is_counted_where_it_was_enabled() {
        let report = SafetyContext::new()
            .enable(BasicCapabilities)
            .unwrap()
            .enable(Custom::simple("Mine", &[Sysno::exit_group, Sysno::getppid]))
            .unwrap()
            .enforce_on_current_thread()
            .unwrap();
        let seccomp = report.seccomp.expect("a seccomp layer");
        let basics = BasicCapabilities.simple_rules().len();
        assert_eq!(
            seccomp.allowed_by,
            [("BasicCapabilities", basics), ("Mine", 1)]
        );
    }
}

#[test]
fn the_filter_kept_in_a_context_is_forgotten_by_every_change() {
    use extrasafe::DefaultAction;
    let base = SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout())
        .unwrap();
    let before = base.compile().unwrap().instructions().to_vec();
    // Each change compiles to its own program, never to the one kept before it (a debug
    // build also checks the kept program against a fresh compile on every use).
    let changed: Vec<SafetyContext> = vec![
        base.clone().enable(Sysno::getppid).unwrap(),
        base.clone()
            .enable(Threads::nothing().allow_create())
            .unwrap(),
        base.clone().with_errno(38),
        base.clone().with_default_action(DefaultAction::KillProcess),
    ];
    for ctx in &changed {
        assert_ne!(ctx.compile().unwrap().instructions(), &before[..]);
    }
    // A clone shares what was compiled, and compiles to the same.
    assert_eq!(base.clone().compile().unwrap().instructions(), &before[..]);
}
