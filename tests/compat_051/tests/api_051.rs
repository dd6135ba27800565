//! 0.5.1's public API, used as 0.5.1's README, docs and user guide use it, beyond what its
//! own tests (the other files here) covered: every builtin method by its 0.5.1 name, the
//! exact texts of 0.5.1's errors, the conflicts 0.5.1 reported, builtins whose conditions
//! give way where 0.5.1 had none, `seccomp_arg_filter!` in every form, and `Sysno`.

// 0.5.1 code names the deprecated `Seccompiler*` aliases; a 0.5.1 user sees the warning.
#![allow(deprecated)]

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use extrasafe::builtins::danger_zone::{ForkAndExec, Threads};
use extrasafe::builtins::pipes::Pipes;
use extrasafe::builtins::{BasicCapabilities, Networking, SystemIO, Time, YesReally};
use extrasafe::syscalls::Sysno;
use extrasafe::{ExtraSafeError, RuleSet, SafetyContext, SeccompRule};

/// A function written as 0.5.1's docs write one: the apply call is its tail expression.
fn sandbox_stdout_only() -> Result<(), ExtraSafeError> {
    SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout().allow_stderr())?
        .apply_to_current_thread()
}

#[test]
fn a_function_returning_the_apply_call_compiles_and_sandboxes() {
    compat_051::own_process!();
    sandbox_stdout_only().unwrap();
    let err = File::open("/etc/hostname").unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err:?}");
    std::io::stdout()
        .write_all(b"stdout still works\n")
        .unwrap();
}

/// Allows one syscall unconditionally.
struct JustWrite;
impl RuleSet for JustWrite {
    fn simple_rules(&self) -> Vec<Sysno> {
        vec![Sysno::write]
    }
    fn name(&self) -> &'static str {
        "JustWrite"
    }
}

#[test]
fn conflict_errors_have_0_5_1_variants_and_texts() {
    // cross-RuleSet, either order: (syscall, conditional RuleSet, simple RuleSet)
    let err = SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout())
        .unwrap()
        .enable(JustWrite)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::ConditionalNoEffectError(Sysno::write, "SystemIO", "JustWrite")
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "A conditional rule on syscall `write` from RuleSet `SystemIO` would be overridden by a simple rule from RuleSet `JustWrite`."
    );
    assert!(err.help().is_some(), "the advice is in help()");
    let err = SafetyContext::new()
        .enable(JustWrite)
        .unwrap()
        .enable(SystemIO::nothing().allow_stdout())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::ConditionalNoEffectError(Sysno::write, "SystemIO", "JustWrite")
        ),
        "{err:?}"
    );

    // within one RuleSet, as 0.5.1 reported it
    let err = SafetyContext::new()
        .enable(SystemIO::nothing().allow_read().allow_stdin())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::ConditionalNoEffectError(Sysno::read, "SystemIO", "SystemIO")
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "A conditional rule on syscall `read` from RuleSet `SystemIO` would be overridden by a simple rule from RuleSet `SystemIO`."
    );
    let err = SafetyContext::new()
        .enable(SystemIO::nothing().allow_write().allow_stdout())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::ConditionalNoEffectError(Sysno::write, "SystemIO", "SystemIO")
        ),
        "{err:?}"
    );
    let file = File::open("/proc/self/status").unwrap();
    let err = SafetyContext::new()
        .enable(SystemIO::nothing().allow_write().allow_file_read(&file))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::ConditionalNoEffectError(Sysno::lseek, "SystemIO", "SystemIO")
        ),
        "{err:?}"
    );
    let err = SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_open()
                .yes_really()
                .allow_open_readonly(),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::ConditionalNoEffectError(_, "SystemIO", "SystemIO")
        ),
        "{err:?}"
    );

    // Networking's start methods allow writing to any socket, as in 0.5.1, so they conflict
    // with SystemIO's fd conditions on `write`
    let err = SafetyContext::new()
        .enable(Networking::nothing().allow_start_tcp_servers().yes_really())
        .unwrap()
        .enable(SystemIO::nothing().allow_stderr())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExtraSafeError::ConditionalNoEffectError(Sysno::write, "SystemIO", "Networking")
        ),
        "{err:?}"
    );

    // the same kind twice is fine
    SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout())
        .unwrap()
        .enable(SystemIO::nothing().allow_stdout().allow_stderr())
        .unwrap()
        .compile()
        .unwrap();
    SafetyContext::new()
        .enable(JustWrite)
        .unwrap()
        .enable(Sysno::write)
        .unwrap()
        .compile()
        .unwrap();
}

#[test]
fn the_other_0_5_1_errors_keep_their_texts() {
    let err = SafetyContext::new().apply_to_current_thread().unwrap_err();
    assert!(matches!(err, ExtraSafeError::NoRulesEnabled));
    assert_eq!(
        err.to_string(),
        "No rules were enabled in the SafetyContext"
    );

    // variants extrasafe keeps for source compatibility display 0.5.1's text
    let texts = [
        (
            ExtraSafeError::DuplicatePath(PathBuf::from("/a"), "One", "Two"),
            "The same path (\"/a\") was used in two different landlock rules. Rulesets 'One' and 'Two'",
        ),
        (
            ExtraSafeError::PathDoesNotExist(PathBuf::from("/nope")),
            "Path provided to extrasafe in a landlock rule does not exist or the process does not have permission to access it: \"/nope\"",
        ),
        (
            ExtraSafeError::LandlockSeccompConflict("One", "Two"),
            "A seccomp rule and a landlock rule are in conflict. See RuleSets One and Two",
        ),
        (ExtraSafeError::LandlockNoThreadSync, "Landlock does not support syncing to all threads"),
    ];
    for (err, text) in texts {
        assert_eq!(err.to_string(), text);
    }
}

#[test]
fn builtin_narrowing_gives_way_to_an_unconditional_rule() {
    // 0.5.1's Threads had no prctl and allowed clone outright: a runtime's RuleSet that
    // allows prctl and clone outright still combines with it.
    struct Runtime;
    impl RuleSet for Runtime {
        fn simple_rules(&self) -> Vec<Sysno> {
            vec![Sysno::prctl, Sysno::clone]
        }
        fn name(&self) -> &'static str {
            "Runtime"
        }
    }
    let ctx = SafetyContext::new()
        .enable(Threads::nothing().allow_create())
        .unwrap()
        .enable(Runtime)
        .unwrap();
    let explanation = ctx.explain().unwrap();
    assert_eq!(explanation.narrowing_gave_way(Sysno::prctl)[0].0, "Threads");
    assert_eq!(explanation.narrowing_gave_way(Sysno::clone)[0].0, "Threads");
    assert!(
        explanation.to_string().contains("gave way"),
        "{explanation}"
    );

    // in the other order too, and for ForkAndExec's clone flags
    SafetyContext::new()
        .enable(Sysno::clone)
        .unwrap()
        .enable(ForkAndExec)
        .unwrap()
        .enable(Threads::nothing().allow_create())
        .unwrap()
        .compile()
        .unwrap();
    // Networking's ioctl and fcntl requests give way to SystemIO::allow_ioctl (0.5.1 allowed
    // every ioctl and fcntl in both)
    let explanation = SafetyContext::new()
        .enable(Networking::nothing().allow_running_tcp_servers())
        .unwrap()
        .enable(SystemIO::nothing().allow_ioctl())
        .unwrap()
        .explain()
        .unwrap();
    assert!(!explanation.narrowing_gave_way(Sysno::ioctl).is_empty());
    assert!(!explanation.narrowing_gave_way(Sysno::fcntl).is_empty());
}

#[test]
fn with_the_narrowing_given_way_the_unconditional_rule_holds_in_the_kernel() {
    compat_051::own_process!();
    SafetyContext::new()
        .enable(Threads::nothing().allow_create())
        .unwrap()
        .enable(Sysno::prctl)
        .unwrap()
        .apply_to_current_thread()
        .unwrap();
    // PR_GET_DUMPABLE: not PR_SET_NAME, so only the unconditional rule allows it
    // SAFETY: an integer-only prctl.
    let rc = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
    assert!(rc >= 0, "{}", std::io::Error::last_os_error());
    // and threads still start
    std::thread::spawn(|| ()).join().unwrap();
}

/// Allows `process_vm_readv` (six arguments, harmless with a null iovec) when `filter`
/// holds; a denied call fails with ENOTSUP (`with_errno`), an allowed one with the
/// kernel's own error.
struct VmRead(extrasafe::SeccompArgumentFilter);
impl RuleSet for VmRead {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }
    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let rule = SeccompRule::new(Sysno::process_vm_readv).and_condition(self.0);
        HashMap::from([(Sysno::process_vm_readv, vec![rule])])
    }
    fn name(&self) -> &'static str {
        "VmRead"
    }
}

/// Whether `process_vm_readv` with `arg` at position `idx` (0 elsewhere) gets past the
/// filter: anything but ENOTSUP.
fn vm_read_allowed(idx: usize, arg: u64) -> bool {
    let mut args = [0u64; 6];
    args[idx] = arg;
    // SAFETY: the iovec pointers are 0 or 10 (never mapped) and the kernel checks them: it
    // reads and writes no memory of this process.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_process_vm_readv,
            args[0],
            args[1],
            args[2],
            args[3],
            args[4],
            args[5],
        )
    };
    rc >= 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ENOTSUP)
}

#[test]
fn seccomp_arg_filter_works_without_a_glob_import_in_every_form() {
    compat_051::own_process!();
    // each comparison on its own thread, which gets its own filter
    let cases: Vec<(extrasafe::SeccompArgumentFilter, usize, [bool; 3])> = vec![
        // (filter, argument position, allowed for 9, 10, 11)
        (
            extrasafe::seccomp_arg_filter!(arg5 == 10),
            5,
            [false, true, false],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg5 != 10),
            5,
            [true, false, true],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg5 < 10),
            5,
            [true, false, false],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg5 <= 10),
            5,
            [true, true, false],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg5 > 10),
            5,
            [false, false, true],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg5 >= 10),
            5,
            [false, true, true],
        ),
        // 9 and 11 are odd
        (
            extrasafe::seccomp_arg_filter!(arg5 & 1 == 1),
            5,
            [true, false, true],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg5 & 0b11 == 0b10),
            5,
            [false, true, false],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg1 == 10),
            1,
            [false, true, false],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg2 == 10),
            2,
            [false, true, false],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg3 == 10),
            3,
            [false, true, false],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg4 == 10),
            4,
            [false, true, false],
        ),
        (
            extrasafe::seccomp_arg_filter!(arg0 == 10),
            0,
            [false, true, false],
        ),
    ];
    for (filter, idx, expected) in cases {
        let shown = format!("{filter:?}");
        std::thread::spawn(move || {
            SafetyContext::new()
                .with_errno(libc::ENOTSUP as u32)
                .enable(VmRead(filter))
                .unwrap()
                .apply_to_current_thread()
                .unwrap();
            let got = [9, 10, 11].map(|v| vm_read_allowed(idx, v));
            assert_eq!(got, expected, "{shown}");
        })
        .join()
        .unwrap();
    }
}

#[test]
fn sysno_as_0_5_1_code_uses_it() {
    assert_eq!(Sysno::read.name(), "read");
    assert_eq!(Sysno::openat.to_string(), "openat");
    assert_eq!("openat".parse::<Sysno>(), Ok(Sysno::openat));
    assert_eq!(Sysno::new(Sysno::write.id() as usize), Some(Sysno::write));
    assert!(Sysno::iter().any(|s| s == Sysno::seccomp));
    assert_eq!(
        Sysno::first().next().map(|s| s.id() > Sysno::first().id()),
        Some(true)
    );
    assert!(Sysno::count() > 300 && Sysno::count() <= Sysno::table_size());
    // a Sysno is a RuleSet named after the syscall
    assert_eq!(RuleSet::name(&Sysno::write), "write");
    assert_eq!(Sysno::write.simple_rules(), vec![Sysno::write]);
}

#[test]
fn every_0_5_1_builtin_method_enables() {
    let file = File::open("/proc/self/status").unwrap();
    // a RuleSet that allows nothing leaves nothing to apply, as in 0.5.1
    for empty in [
        SafetyContext::new().enable(SystemIO::nothing()).unwrap(),
        SafetyContext::new().enable(Networking::nothing()).unwrap(),
        SafetyContext::new().enable(Time::nothing()).unwrap(),
        SafetyContext::new().enable(Threads::nothing()).unwrap(),
    ] {
        assert!(matches!(
            empty.compile(),
            Err(ExtraSafeError::NoRulesEnabled)
        ));
    }
    let systemio: Vec<SystemIO> = vec![
        SystemIO::everything(),
        SystemIO::nothing().allow_read(),
        SystemIO::nothing().allow_write(),
        SystemIO::nothing().allow_unlink(),
        SystemIO::nothing().allow_open().yes_really(),
        SystemIO::nothing().allow_open_readonly(),
        SystemIO::nothing().allow_metadata(),
        SystemIO::nothing().allow_ioctl(),
        SystemIO::nothing().allow_close(),
        SystemIO::nothing().allow_stdin(),
        SystemIO::nothing().allow_stdout(),
        SystemIO::nothing().allow_stderr(),
        SystemIO::nothing().allow_file_read(&file),
        SystemIO::nothing().allow_file_write(&file),
        SystemIO::nothing().allow_read_path("/etc"),
        SystemIO::nothing().allow_write_file("/tmp"),
        SystemIO::nothing().allow_create_in_dir("/tmp"),
        SystemIO::nothing().allow_list_dir("/tmp"),
        SystemIO::nothing().allow_create_dir("/tmp"),
        SystemIO::nothing().allow_remove_file("/tmp"),
        SystemIO::nothing().allow_remove_dir("/tmp"),
        SystemIO::nothing().allow_ssl_files(),
        SystemIO::nothing().allow_dns_files(),
    ];
    for io in systemio {
        SafetyContext::new().enable(io).unwrap().explain().unwrap();
    }
    let networking: Vec<Networking> = vec![
        Networking::nothing().allow_running_tcp_servers(),
        Networking::nothing().allow_start_tcp_servers().yes_really(),
        Networking::nothing().allow_running_udp_sockets(),
        Networking::nothing().allow_start_udp_servers().yes_really(),
        Networking::nothing().allow_connect().yes_really(),
        Networking::nothing().allow_start_tcp_clients(),
        Networking::nothing().allow_running_tcp_clients(),
        Networking::nothing()
            .allow_start_unix_servers()
            .yes_really(),
        Networking::nothing().allow_running_unix_servers(),
        Networking::nothing().allow_running_unix_clients(),
    ];
    for net in networking {
        SafetyContext::new().enable(net).unwrap().compile().unwrap();
    }
    let rulesets: Vec<Box<dyn RuleSet>> = vec![
        Box::new(BasicCapabilities),
        Box::new(Time::nothing().allow_gettime()),
        Box::new(Pipes),
        Box::new(Threads::nothing().allow_create()),
        Box::new(Threads::nothing().allow_sleep().yes_really()),
        Box::new(ForkAndExec),
        Box::new(YesReally::new(SystemIO::nothing().allow_read()).yes_really()),
    ];
    for ruleset in &rulesets {
        let ruleset: &dyn RuleSet = ruleset.as_ref();
        SafetyContext::new()
            .enable(ruleset)
            .unwrap()
            .compile()
            .unwrap();
    }
}

#[test]
fn builtins_allow_what_0_5_1_allowed() {
    compat_051::own_process!();
    let (read_end, mut write_end) = std::io::pipe().unwrap();
    SafetyContext::new()
        .enable(Networking::nothing().allow_start_tcp_servers().yes_really())
        .unwrap()
        .enable(Pipes)
        .unwrap()
        .enable(Time::nothing().allow_gettime())
        .unwrap()
        .apply_to_current_thread()
        .unwrap();
    // as in 0.5.1, starting a server includes running it: bind, listen, accept, and
    // writing to any descriptor
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let err = listener.accept().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock, "{err}");
    write_end.write_all(b"x").unwrap();
    drop(read_end);
    // Pipes
    std::io::pipe().unwrap();
    // but no files, and no connecting
    let err = File::open("/etc/hostname").unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err:?}");
    let err = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err:?}");
}
