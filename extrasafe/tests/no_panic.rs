//! No panic and no silent weakening, on any input: property tests feeding arbitrary strings,
//! bytes and numbers to the parsers (systemd `SystemCallFilter=`, pledge promises and unveil
//! permissions, syscall names), to the Landlock path methods, and to the trace decoders and
//! writers. Every parser answers `Ok` or an `Err` that names what is wrong; a Landlock path
//! that cannot be opened is an error naming it when the context is applied, never a rule
//! quietly left out.
//!
//! The trace properties need the `trace` feature:
//! `cargo test -p extrasafe --features trace --test no_panic`.

mod common;

use std::collections::BTreeSet;

use proptest::prelude::*;

use extrasafe::profiles::pledge::{Pledge, Promise};
use extrasafe::profiles::systemd::{SyscallGroup, SystemCallFilter};
use extrasafe::syscalls::Sysno;
use extrasafe::{ExtraSafeError, SafetyContext};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // A failure is reported with its shrunk input; no regression file in the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every syscall name of this architecture.
fn sysno_names() -> Vec<&'static str> {
    Sysno::iter().map(|s| s.name()).collect()
}

/// A real syscall of this architecture, by index.
fn any_sysno() -> impl Strategy<Value = Sysno> {
    let all: Vec<Sysno> = Sysno::iter().collect();
    (0..all.len()).prop_map(move |i| all[i])
}

/// Arbitrary text: any Unicode, with a bias towards the characters the parsers look at.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,80}",
        "[ \t\r\n~@#:=a-z_A-Z0-9-]{0,80}",
        proptest::collection::vec(any::<u8>(), 0..80)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// A message an error shows a user: non-empty, and `Display` does not panic.
fn message(err: &ExtraSafeError) -> String {
    let text = err.to_string();
    assert!(!text.trim().is_empty(), "empty message for {err:?}");
    text
}

// ----- systemd SystemCallFilter= ------------------------------------------------------

/// One word or separator of a `SystemCallFilter=` string: group names, syscall names,
/// `~`, assignments, comments, whitespace and junk.
fn systemd_piece() -> impl Strategy<Value = String> {
    let groups: Vec<String> = SyscallGroup::ALL
        .iter()
        .map(|g| g.name().to_string())
        .collect();
    let names: Vec<String> = sysno_names().into_iter().map(str::to_string).collect();
    let g = groups.clone();
    prop_oneof![
        4 => (0..groups.len()).prop_map(move |i| groups[i].clone()),
        4 => (0..names.len()).prop_map(move |i| names[i].clone()),
        2 => (0..g.len()).prop_map(move |i| format!("~{}", g[i])),
        2 => Just("~".to_string()),
        3 => Just(" ".to_string()),
        1 => Just("\t".to_string()),
        2 => Just("\n".to_string()),
        2 => Just("\nSystemCallFilter=".to_string()),
        1 => Just("\n# ".to_string()),
        1 => Just(":EPERM".to_string()),
        1 => Just("@".to_string()),
        1 => "[a-z_@~:]{1,8}",
        1 => ".{1,4}",
    ]
}

fn systemd_spec() -> impl Strategy<Value = String> {
    proptest::collection::vec(systemd_piece(), 0..24).prop_map(|v| v.concat())
}

/// Parses `spec`: `Ok` with real syscalls only, whose context enables and compiles (or says
/// why not), or an `Err` with a message that names the entry at fault.
fn check_systemd(spec: &str, compile: bool) {
    match SystemCallFilter::parse(spec) {
        Ok(filter) => {
            let syscalls = filter.syscalls();
            for s in &syscalls {
                assert_eq!(Sysno::from_id(s.id()), Some(*s), "{spec:?}: {s:?}");
                assert_eq!(Sysno::from_name(s.name()), Some(*s), "{spec:?}: {s:?}");
            }
            let sorted: BTreeSet<Sysno> = syscalls.iter().copied().collect();
            assert_eq!(sorted.len(), syscalls.len(), "{spec:?}: duplicates");
            assert_eq!(
                spec.parse::<SystemCallFilter>().ok().as_ref(),
                Some(&filter),
                "FromStr agrees with parse"
            );
            if compile {
                match SafetyContext::new().enable(filter) {
                    Ok(ctx) => match ctx.compile() {
                        Ok(compiled) => {
                            // What extrasafe compiles is a program the kernel would load.
                            let parsed = extrasafe::eval::parse(&compiled.to_bytes())
                                .expect("a compiled filter parses");
                            assert_eq!(parsed.as_slice(), compiled.instructions());
                        }
                        Err(e) => {
                            message(&e);
                        }
                    },
                    Err(e) => {
                        message(&e);
                    }
                }
            }
        }
        Err(err) => {
            let text = message(&err);
            match &err {
                ExtraSafeError::UnknownSyscall { name, .. }
                | ExtraSafeError::UnknownSyscallGroup { name, .. } => {
                    assert!(spec.contains(name.as_str()), "{spec:?}: {err:?}");
                    assert!(text.contains(name.as_str()), "{text}");
                }
                ExtraSafeError::InvalidSystemCallFilter { entry, .. } => {
                    assert!(spec.contains(entry.as_str()), "{spec:?}: {err:?}");
                    assert!(text.contains(entry.as_str()), "{text}");
                }
                other => panic!("{spec:?}: unexpected error {other:?}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn systemd_parse_arbitrary_text(spec in text()) {
        check_systemd(&spec, false);
    }
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn systemd_parse_mixtures_compile_or_err(spec in systemd_spec()) {
        check_systemd(&spec, true);
    }

    /// A word that names neither a syscall nor a group, on a line of its own, is an error
    /// naming it: never an entry quietly ignored.
    #[test]
    fn systemd_unknown_word_is_named(spec in systemd_spec(), junk in "[a-z]{3,10}") {
        prop_assume!(Sysno::from_name(&junk).is_none());
        let junk = format!("zz{junk}");
        let spec = format!("@basic-io\n{junk}\n{spec}");
        let err = SystemCallFilter::parse(&spec).unwrap_err();
        prop_assert!(
            matches!(&err, ExtraSafeError::UnknownSyscall { name } if *name == junk),
            "{err:?}"
        );
        prop_assert!(message(&err).contains(&junk));
    }
}

// ----- pledge -------------------------------------------------------------------------

/// Pledge words: real promises in any case, junk, and separators.
fn pledge_spec() -> impl Strategy<Value = String> {
    let names: Vec<&'static str> = Promise::ALL.iter().map(|p| p.name()).collect();
    let piece = prop_oneof![
        5 => (0..names.len(), any::<bool>()).prop_map(move |(i, upper)| if upper {
            names[i].to_ascii_uppercase()
        } else {
            names[i].to_string()
        }),
        3 => prop_oneof![Just(" "), Just("\t"), Just("\r"), Just("\n"), Just("  ")]
            .prop_map(str::to_string),
        1 => ".{1,6}",
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

/// `Pledge::new` against a model: the first word that is no promise is the error, named in
/// its message; otherwise exactly the words' promises.
fn check_pledge(spec: &str) {
    let words: Vec<&str> = spec
        .split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
        .collect();
    let first_bad = words.iter().find(|w| Promise::from_name(w).is_none());
    let result = Pledge::new(spec);
    assert_eq!(
        spec.parse::<Pledge>().ok(),
        result.as_ref().ok().cloned(),
        "FromStr agrees with new for {spec:?}"
    );
    match (result, first_bad) {
        (Ok(pledge), None) => {
            let expected: BTreeSet<Promise> = words
                .iter()
                .map(|w| Promise::from_name(w).unwrap())
                .collect();
            let got: BTreeSet<Promise> = pledge.promises().collect();
            assert_eq!(got, expected, "{spec:?}");
        }
        (Err(err), Some(bad)) => {
            let text = message(&err);
            assert!(
                matches!(&err, ExtraSafeError::UnknownPromise { promise, .. } if promise == bad),
                "{spec:?}: {err:?}"
            );
            let shown = bad.escape_debug().to_string();
            assert!(text.contains(&format!("`{shown}`")), "{text}");
        }
        (Ok(p), Some(bad)) => panic!("{spec:?}: `{bad}` accepted as {p:?}"),
        (Err(e), None) => panic!("{spec:?}: rejected although every word is a promise: {e:?}"),
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn pledge_arbitrary_text(spec in text()) {
        check_pledge(&spec);
        if let Some(p) = Promise::from_name(&spec) {
            prop_assert!(p.name().eq_ignore_ascii_case(&spec));
        }
        match spec.parse::<Promise>() {
            Ok(p) => prop_assert_eq!(Some(p), Promise::from_name(&spec)),
            Err(e) => {
                prop_assert!(Promise::from_name(&spec).is_none());
                prop_assert!(message(&e).contains(&spec.escape_debug().to_string()));
            }
        }
    }

    #[test]
    fn pledge_mixtures(spec in pledge_spec()) {
        check_pledge(&spec);
    }
}

#[test]
fn every_promise_round_trips() {
    for &p in Promise::ALL {
        assert_eq!(Promise::from_name(p.name()), Some(p));
        assert_eq!(Promise::from_name(&p.name().to_ascii_uppercase()), Some(p));
        assert_eq!(p.name().parse::<Promise>().ok(), Some(p));
        assert_eq!(p.to_string(), p.name());
    }
}

proptest! {
    #![proptest_config(config(500))]

    /// Valid pledges enable and compile (or say why not), without panicking.
    #[test]
    fn pledge_compiles_or_errs(spec in pledge_spec()) {
        if let Ok(pledge) = Pledge::new(&spec) {
            match SafetyContext::new().enable(pledge) {
                Ok(ctx) => match ctx.compile() {
                    Ok(c) => prop_assert!(!c.instructions().is_empty()),
                    Err(e) => { message(&e); }
                },
                Err(e) => { message(&e); }
            }
        }
    }
}

#[cfg(feature = "landlock")]
proptest! {
    #![proptest_config(config(2000))]

    /// Unveil permissions: only `r`, `w`, `x` and `c` (any number, any order, or none) are
    /// accepted; anything else is an error naming the path and the permission string.
    #[test]
    fn unveil_permissions(perms in prop_oneof![text(), "[rwxcRWX ]{0,6}"], path in path_bytes()) {
        use std::os::unix::ffi::OsStrExt;
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(&path));
        let valid = perms.chars().all(|c| "rwxc".contains(c));
        match Pledge::new("stdio rpath wpath cpath exec").unwrap().unveil(path, &perms) {
            Ok(pledge) => {
                prop_assert!(valid, "{perms:?} accepted");
                // Building the context and explaining it never panics.
                if let Ok(ctx) = SafetyContext::new().enable(pledge) {
                    let _ = ctx.explain();
                }
            }
            Err(err) => {
                prop_assert!(!valid, "{perms:?} rejected: {err:?}");
                let text = message(&err);
                let is_unveil = matches!(
                    &err,
                    ExtraSafeError::InvalidUnveilPermission { path: p, permissions, .. }
                        if p == path && *permissions == perms
                );
                prop_assert!(is_unveil, "{err:?}");
                prop_assert!(text.contains(&perms.escape_debug().to_string()), "{text}");
                prop_assert!(text.contains(&path.display().to_string()), "{text}");
            }
        }
    }
}

// ----- BPF programs -------------------------------------------------------------------

/// Opcodes a seccomp filter may use (loads, stores, ALU, jumps, returns, tax/txa), and
/// sometimes any other.
fn opcode() -> impl Strategy<Value = u16> {
    const CODES: &[u16] = &[
        0x00, 0x01, 0x20, 0x80, 0x81, 0x60, 0x61, 0x02, 0x03, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c,
        0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac,
        0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x06, 0x16, 0x07, 0x87,
    ];
    prop_oneof![
        8 => (0..CODES.len()).prop_map(|i| CODES[i]),
        1 => any::<u16>(),
    ]
}

fn instruction() -> impl Strategy<Value = extrasafe::BpfInstruction> {
    let k = prop_oneof![
        (0..16u32).prop_map(|w| w * 4),
        0..16u32,
        any::<u32>(),
        prop_oneof![
            Just(0x7fff_0000u32),
            Just(0x0005_0001),
            Just(0x8000_0000),
            Just(0x7fc0_0000),
        ],
    ];
    (
        opcode(),
        0..4u8,
        0..4u8,
        k,
        any::<u8>(),
        any::<u8>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(code, jt, jf, k, bjt, bjf, far)| extrasafe::BpfInstruction {
                code,
                jt: if far { bjt } else { jt },
                jf: if far { bjf } else { jf },
                k,
            },
        )
}

fn seccomp_data() -> impl Strategy<Value = extrasafe::eval::SeccompData> {
    (
        prop_oneof![any_sysno().prop_map(|s| s.id()), any::<i32>()],
        prop_oneof![Just(extrasafe::eval::NATIVE_ARCH), any::<u32>()],
        any::<u64>(),
        any::<[u64; 6]>(),
    )
        .prop_map(|(nr, arch, ip, args)| extrasafe::eval::SeccompData {
            nr,
            arch,
            instruction_pointer: ip,
            args,
        })
}

fn to_bytes(program: &[extrasafe::BpfInstruction]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in program {
        out.extend(i.code.to_ne_bytes());
        out.extend([i.jt, i.jf]);
        out.extend(i.k.to_ne_bytes());
    }
    out
}

proptest! {
    #![proptest_config(config(2000))]

    /// Any program: `parse` and `check` agree, and a program they accept runs on any input
    /// to a return, in at most one step per instruction (classic BPF only jumps forward).
    #[test]
    fn eval_any_program(
        mut program in proptest::collection::vec(instruction(), 0..24),
        ret in any::<u32>(),
        end_with_ret in any::<bool>(),
        data in seccomp_data(),
        junk in proptest::collection::vec(any::<u8>(), 0..8),
    ) {
        use extrasafe::eval::{check, parse, run, Action};
        if end_with_ret {
            program.push(extrasafe::BpfInstruction { code: 0x06, jt: 0, jf: 0, k: ret });
        }
        let bytes = to_bytes(&program);
        let checked = check(&program);
        match parse(&bytes) {
            Ok(parsed) => {
                prop_assert_eq!(&parsed, &program);
                prop_assert!(checked.is_ok());
            }
            Err(e) => prop_assert_eq!(Err(e), checked.clone()),
        }
        match run(&program, &data) {
            Ok(eval) => {
                prop_assert!(checked.is_ok());
                prop_assert!(eval.executed >= 1 && eval.executed <= program.len());
                prop_assert_eq!(eval.action, Action::from_ret(eval.ret));
            }
            Err(e) => {
                prop_assert_eq!(Err(e.clone()), checked);
                prop_assert!(!e.to_string().is_empty());
            }
        }
        // Bytes that are not whole instructions are an error, never a shorter program.
        let mut ragged = bytes.clone();
        ragged.extend(&junk);
        if junk.len() % 8 != 0 {
            prop_assert!(parse(&ragged).is_err());
        }
    }
}

// ----- syscall names ------------------------------------------------------------------

#[test]
fn every_sysno_name_round_trips() {
    let mut seen = BTreeSet::new();
    for s in Sysno::iter() {
        assert_eq!(Sysno::from_name(s.name()), Some(s));
        assert_eq!(s.name().parse::<Sysno>(), Ok(s));
        assert_eq!(Sysno::from_id(s.id()), Some(s));
        assert!(seen.insert(s.name()), "two syscalls named {}", s.name());
    }
    assert_eq!(seen.len(), Sysno::count());
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn sysno_from_name_arbitrary(name in text()) {
        let found = Sysno::from_name(&name);
        prop_assert_eq!(name.parse::<Sysno>().ok(), found);
        if let Some(s) = found {
            prop_assert_eq!(s.name(), name.as_str());
        }
    }

    /// Near-misses of real names (a character added, removed, upper-cased, whitespace
    /// around) are unknown unless they are themselves a real name.
    #[test]
    fn sysno_from_name_near_misses(s in any_sysno(), edit in 0..4u8, c in any::<char>()) {
        let name = s.name();
        let mutated = match edit {
            0 => format!("{name}{c}"),
            1 => format!("{c}{name}"),
            2 => name[..name.len() - 1].to_string(),
            _ => name.to_ascii_uppercase(),
        };
        match Sysno::from_name(&mutated) {
            Some(t) => prop_assert_eq!(t.name(), mutated.as_str()),
            None => prop_assert!(!sysno_names().contains(&mutated.as_str())),
        }
        prop_assert_eq!(Sysno::from_name(&format!(" {name}")), None);
    }

    #[test]
    fn sysno_from_id_arbitrary(id in any::<i32>()) {
        if let Some(s) = Sysno::from_id(id) {
            prop_assert_eq!(s.id(), id);
        }
    }
}

// ----- Landlock paths -----------------------------------------------------------------

#[cfg(feature = "landlock")]
/// Path bytes: NUL bytes, non-UTF-8 bytes, `..` components, missing and real paths, and
/// (rarely) 100 KiB.
fn path_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => Just(b"/".to_vec()),
        2 => Just(b"..".to_vec()),
        1 => Just(b".".to_vec()),
        1 => Just(b"\0".to_vec()),
        1 => Just(vec![0xff, 0xfe]),
        2 => Just(b"etc".to_vec()),
        2 => Just(b"tmp".to_vec()),
        2 => "[a-z]{1,8}".prop_map(String::into_bytes),
        2 => proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        20 => proptest::collection::vec(piece, 0..10).prop_map(|v| v.concat()),
        1 => (any::<u8>(), 0..3usize).prop_map(|(b, shape)| huge_path(b, shape)),
    ]
}

#[cfg(feature = "landlock")]
/// A path of about 100 KiB.
fn huge_path(byte: u8, shape: usize) -> Vec<u8> {
    let mut p = b"/tmp/".to_vec();
    match shape {
        0 => p.extend(std::iter::repeat(b'a').take(100 * 1024)),
        1 => p.extend(b"x/".iter().copied().cycle().take(100 * 1024)),
        _ => p.extend(std::iter::repeat(byte).take(100 * 1024)),
    }
    p
}

#[cfg(feature = "landlock")]
mod landlock_paths {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};

    use super::*;
    use extrasafe::builtins::SystemIO;
    use extrasafe::{AccessFs, BitFlags, Landlock};
    use proptest::test_runner::{Config, TestRunner};

    /// Every way of granting a path: SystemIO's methods and Landlock's.
    fn contexts(path: &Path) -> Vec<Result<SafetyContext, ExtraSafeError>> {
        vec![
            SafetyContext::new().enable(SystemIO::nothing().allow_read_path(path)),
            SafetyContext::new().enable(
                SystemIO::nothing()
                    .allow_write_file(path)
                    .allow_create_in_dir(path)
                    .allow_list_dir(path)
                    .allow_create_dir(path)
                    .allow_remove_file(path)
                    .allow_remove_dir(path),
            ),
            SafetyContext::new().enable(Landlock::new().read_only(path)),
            SafetyContext::new().enable(
                Landlock::named("Paths")
                    .read_write(path)
                    .execute(path)
                    .allow_path(path, BitFlags::<AccessFs>::all()),
            ),
            SafetyContext::new()
                .skip_missing_paths()
                .landlock_best_effort()
                .enable(Landlock::new().read_only(path)),
        ]
    }

    proptest! {
        #![proptest_config(config(1000))]

        /// Building a context with any path and explaining it never panics; the explanation
        /// is the same whatever the path (paths are opened when the context is applied).
        #[test]
        fn building_and_explaining_never_panic(bytes in path_bytes()) {
            let path = Path::new(OsStr::from_bytes(&bytes));
            let reference = contexts(Path::new("/tmp"));
            for (ctx, reference) in contexts(path).into_iter().zip(reference) {
                let ctx = ctx.map_err(|e| message(&e)).expect("a path is no reason to refuse");
                let reference = reference.unwrap();
                let explained = ctx.explain().map_err(|e| message(&e)).unwrap();
                let expected = reference.explain().unwrap();
                // The same syscalls and Landlock rights, for this path instead of /tmp.
                prop_assert_eq!(
                    format!("{:?}", explained.syscalls),
                    format!("{:?}", expected.syscalls)
                );
                prop_assert_eq!(&explained.rulesets, &expected.rulesets);
                prop_assert_eq!(explained.landlock.len(), expected.landlock.len());
                let shown = path.display().to_string();
                for (line, reference) in explained.landlock.iter().zip(&expected.landlock) {
                    prop_assert_eq!(line.strip_prefix(&shown), reference.strip_prefix("/tmp"));
                }
                let _ = ctx.compile().map_err(|e| message(&e));
            }
        }
    }

    /// A path no one can open: below a directory that does not exist, holding a NUL byte,
    /// or too long.
    fn unopenable() -> impl Strategy<Value = Vec<u8>> {
        let missing = format!("/extrasafe-no-such-dir-{}", std::process::id()).into_bytes();
        prop_oneof![
            4 => path_bytes().prop_map(move |p| {
                let mut m = missing.clone();
                m.push(b'/');
                m.extend(p);
                m
            }),
            2 => path_bytes().prop_map(|mut p| {
                p.insert(p.len() / 2, 0);
                p
            }),
            1 => (any::<u8>(), 0..3usize).prop_map(|(b, shape)| huge_path(b, shape)),
        ]
    }

    /// Applies contexts granting unopenable paths (and one real one) in a loop: each must
    /// fail with `LandlockPath` naming the path and leave nothing applied, so the next one
    /// can be tried in the same process. Runs in a child, since a bug would sandbox it.
    #[test]
    fn unopenable_paths_are_errors_naming_them() {
        common::run_in_child(
            "landlock_paths::unopenable_paths_are_errors_naming_them",
            || {
                let mut runner = TestRunner::new(Config {
                    cases: 500,
                    failure_persistence: None,
                    max_global_rejects: 5000,
                    ..Config::default()
                });
                let unsupported = std::cell::Cell::new(false);
                runner
                    .run(&unopenable(), |bytes| {
                        let path = PathBuf::from(OsStr::from_bytes(&bytes));
                        // The strategy can make a path that exists after all: `..` back into a
                        // real directory, or `/tmp` followed by 100 KiB of slashes, too long
                        // for the kernel but the same path once its components are read (as
                        // extrasafe reads them). Granting such a path applies, rightly.
                        let normal: PathBuf = path.components().collect();
                        prop_assume!(std::fs::metadata(&path).is_err());
                        prop_assume!(std::fs::metadata(&normal).is_err());
                        let ctxs = [
                            SafetyContext::new().enable(
                                SystemIO::nothing()
                                    .allow_read_path("/tmp")
                                    .allow_read_path(&path),
                            ),
                            SafetyContext::new().enable(Landlock::named("Mine").read_write(&path)),
                            // Skipping missing paths skips only paths that do not exist.
                            SafetyContext::new()
                                .skip_missing_paths()
                                .enable(Landlock::named("Mine").read_only("/").read_only(&path)),
                        ];
                        let missing = std::fs::metadata(&path)
                            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
                        for (i, ctx) in ctxs.into_iter().enumerate() {
                            let ctx = ctx.expect("a context with a path");
                            if i == 2 && missing {
                                // skip_missing_paths skips it (and reports it): that applies.
                                continue;
                            }
                            match ctx.apply_to_current_thread() {
                                Err(ExtraSafeError::LandlockUnsupported { .. }) => {
                                    unsupported.set(true);
                                }
                                Err(err @ ExtraSafeError::LandlockPath { .. }) => {
                                    let ExtraSafeError::LandlockPath {
                                        path: p, source, ..
                                    } = &err
                                    else {
                                        unreachable!()
                                    };
                                    prop_assert_eq!(p, &path);
                                    let text = message(&err);
                                    prop_assert!(text.contains(&path.display().to_string()));
                                    prop_assert!(!source.to_string().is_empty());
                                }
                                Err(other) => {
                                    // Skipping a missing path is allowed only with skip_missing_paths
                                    // and only for NotFound: anything else must name the path.
                                    prop_assert!(false, "{:?}: {}", path, message(&other));
                                }
                                Ok(()) => {
                                    // Applied although the path cannot be opened: a grant was
                                    // dropped. The process is sandboxed now and may not be able
                                    // to say so; the exit code does.
                                    std::process::exit(3);
                                }
                            }
                        }
                        Ok(())
                    })
                    .unwrap_or_else(|e| panic!("{e}"));
                if unsupported.get() {
                    common::skip("Landlock is not supported by this kernel");
                }
            },
        )
        .assert_success();
    }
}

// ----- trace decoders and writers -----------------------------------------------------

#[cfg(feature = "trace")]
mod trace {
    use std::collections::BTreeMap;

    use super::*;
    use extrasafe::trace::decode::{describe, shown_args, SELF_PID};
    use extrasafe::trace::report::{argument_summary, syscall_name, write_suggestion, write_table};
    use extrasafe::trace::suggest::{calls, suggest};
    use extrasafe::trace::SyscallRecord;

    /// A syscall number: mostly real ones, sometimes any number.
    fn nr() -> impl Strategy<Value = u64> {
        prop_oneof![
            6 => any_sysno().prop_map(|s| u64::try_from(s.id()).unwrap()),
            1 => any::<u64>(),
            1 => 0..1024u64,
        ]
    }

    /// An argument value: any, or near the interesting ones.
    fn value() -> impl Strategy<Value = u64> {
        prop_oneof![
            any::<u64>(),
            0..64u64,
            Just(SELF_PID),
            Just(u64::MAX),
            any::<u32>().prop_map(u64::from),
        ]
    }

    fn record() -> impl Strategy<Value = SyscallRecord> {
        let args = proptest::collection::vec((0..8u8, value()), 0..4);
        (
            any::<u64>(),
            proptest::collection::btree_map(args, 1..u64::MAX / 64, 0..4),
        )
            .prop_map(|(count, calls)| SyscallRecord { count, calls })
    }

    fn records() -> impl Strategy<Value = BTreeMap<u64, SyscallRecord>> {
        proptest::collection::btree_map(nr(), record(), 0..12)
    }

    proptest! {
        #![proptest_config(config(2000))]

        #[test]
        fn describe_and_name_any_value(s in any_sysno(), idx in any::<u8>(), v in value(), n in any::<u64>()) {
            let text = describe(s, idx, v);
            prop_assert!(!text.is_empty());
            let _ = shown_args(s);
            let name = syscall_name(n);
            match i32::try_from(n).ok().and_then(Sysno::from_id) {
                Some(sysno) => prop_assert_eq!(name, sysno.name()),
                None => prop_assert_eq!(name, format!("syscall_{n}")),
            }
        }

        #[test]
        fn table_names_every_syscall(totals in records()) {
            let mut out = String::new();
            write_table(&mut out, &totals);
            prop_assert_eq!(out.lines().count(), totals.len() + 1);
            for (nr, rec) in &totals {
                prop_assert!(out.contains(&syscall_name(*nr)));
                let summary = argument_summary(*nr, rec);
                prop_assert!(summary.len() <= rec.calls.len());
            }
        }
    }

    proptest! {
        #![proptest_config(config(500))]

        /// The suggestion for arbitrary records: unknown numbers are reported as unknown,
        /// every call is accounted for, and the text names each unknown number.
        #[test]
        fn suggest_any_records(totals in records()) {
            let (all, unknown) = calls(&totals);
            for nr in &unknown {
                prop_assert!(i32::try_from(*nr).ok().and_then(Sysno::from_id).is_none());
            }
            let clone3 = u64::try_from(Sysno::clone3.id()).unwrap();
            for c in &all {
                let nr = u64::try_from(c.sysno.id()).unwrap();
                // clone3 also stands for the clone libc makes after its ENOSYS.
                prop_assert!(
                    totals.contains_key(&nr)
                        || (c.sysno == Sysno::clone && totals.contains_key(&clone3))
                );
            }
            match suggest(&totals) {
                Ok(suggestion) => {
                    prop_assert_eq!(&suggestion.unknown, &unknown);
                    let mut out = String::new();
                    write_suggestion(&mut out, totals.len(), &suggestion);
                    for nr in &unknown {
                        let line = format!("syscall number {nr}: unknown");
                        prop_assert!(out.contains(&line));
                    }
                    let _ = suggestion.rust();
                    let _ = suggestion.ruleset_names();
                }
                Err(e) => { message(&e); }
            }
        }
    }
}
