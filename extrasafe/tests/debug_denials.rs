//! `SafetyContext::debug_denials`: a denied syscall is reported on stderr once per syscall
//! name, with the RuleSet methods that would allow it, and still fails with the context's
//! errno; nothing is reported for allowed calls, nor without the mode. Each test runs in a
//! process of its own (`common::run_in_child`), whose stderr the parent reads.
//!
//! Run with `cargo test -p extrasafe --features trace --test debug_denials`.

#![cfg(feature = "trace")]

mod common;

use extrasafe::builtins::{danger_zone::Threads, SystemIO};
use extrasafe::syscalls::Sysno;
use extrasafe::{DefaultAction, ExtraSafeError, SafetyContext};

use common::{run_in_child, Outcome};

/// A file every user can read.
const FILE: &str = "/proc/self/comm";

const OPENAT_LINE: &str = "extrasafe denied openat: returned EPERM (RuleSets that would allow \
                           it: SystemIO::allow_open_readonly, SystemIO::allow_open)";

/// Whether this kernel has what the supervisor needs (seccomp user notification, 5.8+);
/// says SKIP (a failure under `EXTRASAFE_TEST_STRICT=1`) if not.
fn supported() -> bool {
    match extrasafe::trace::trace_closure(|| ()) {
        Err(ExtraSafeError::TraceUnavailable { reason, .. }) => {
            common::skip(&format!("seccomp user notification: {reason}"));
            false
        }
        Err(e) => panic!("trace_closure: {e}"),
        Ok(_) => true,
    }
}

/// The lines of the child's stderr that report a denial.
fn denial_lines(outcome: &Outcome) -> Vec<String> {
    String::from_utf8_lossy(&outcome.output.stderr)
        .lines()
        .filter(|l| l.contains("extrasafe denied"))
        .map(str::to_string)
        .collect()
}

fn open_errno() -> Option<i32> {
    match std::fs::File::open(FILE) {
        Ok(_) => None,
        Err(e) => Some(e.raw_os_error().unwrap_or(-1)),
    }
}

fn stdio() -> SystemIO {
    SystemIO::nothing().allow_stdout().allow_stderr()
}

#[test]
fn two_denied_opens_are_reported_once_with_the_ruleset_and_fail_with_eperm() {
    if !supported() {
        return;
    }
    let outcome = run_in_child(
        "two_denied_opens_are_reported_once_with_the_ruleset_and_fail_with_eperm",
        || {
            let errnos = SafetyContext::new()
                .enable(stdio())
                .unwrap()
                .debug_denials()
                .run(|| (open_errno(), open_errno()))
                .unwrap();
            assert_eq!(errnos, (Some(libc::EPERM), Some(libc::EPERM)));
        },
    );
    outcome.assert_success();
    assert_eq!(
        denial_lines(&outcome),
        [OPENAT_LINE],
        "{}",
        String::from_utf8_lossy(&outcome.output.stderr)
    );
}

#[test]
fn the_line_says_the_with_errno_value_and_the_call_fails_with_it() {
    if !supported() {
        return;
    }
    let outcome = run_in_child(
        "the_line_says_the_with_errno_value_and_the_call_fails_with_it",
        || {
            let errnos = SafetyContext::new()
                .with_errno(libc::EACCES as u32)
                .enable(stdio())
                .unwrap()
                .debug_denials()
                .run(|| (open_errno(), open_errno()))
                .unwrap();
            assert_eq!(errnos, (Some(libc::EACCES), Some(libc::EACCES)));
        },
    );
    outcome.assert_success();
    assert_eq!(
        denial_lines(&outcome),
        [OPENAT_LINE.replace("EPERM", "EACCES")],
        "{}",
        String::from_utf8_lossy(&outcome.output.stderr)
    );
}

#[test]
fn an_errno_without_a_name_is_given_as_its_number() {
    if !supported() {
        return;
    }
    let outcome = run_in_child("an_errno_without_a_name_is_given_as_its_number", || {
        let errno = SafetyContext::new()
            .with_errno(libc::EHWPOISON as u32)
            .enable(stdio())
            .unwrap()
            .debug_denials()
            .run(open_errno)
            .unwrap();
        assert_eq!(errno, Some(libc::EHWPOISON));
    });
    outcome.assert_success();
    let lines = denial_lines(&outcome);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!(
            "extrasafe denied openat: returned errno {} (",
            libc::EHWPOISON
        )),
        "{lines:?}"
    );
}

#[test]
fn an_allowed_call_is_not_reported() {
    if !supported() {
        return;
    }
    let outcome = run_in_child("an_allowed_call_is_not_reported", || {
        let opened = SafetyContext::new()
            // Closing a file, Rust's std may check the fd with fcntl(F_GETFD).
            .enable(stdio().allow_open_readonly().allow_close().allow_ioctl())
            .unwrap()
            .debug_denials()
            .run(|| std::fs::File::open(FILE).map(drop))
            .unwrap();
        assert!(opened.is_ok(), "{opened:?}");
    });
    outcome.assert_success();
    assert_eq!(denial_lines(&outcome), Vec::<String>::new());
}

#[test]
fn without_debug_denials_nothing_is_reported() {
    if !supported() {
        return;
    }
    let outcome = run_in_child("without_debug_denials_nothing_is_reported", || {
        let errnos = SafetyContext::new()
            .enable(stdio())
            .unwrap()
            .run(|| (open_errno(), open_errno()))
            .unwrap();
        assert_eq!(errnos, (Some(libc::EPERM), Some(libc::EPERM)));
    });
    outcome.assert_success();
    assert_eq!(denial_lines(&outcome), Vec::<String>::new());
}

#[test]
fn a_write_open_names_only_the_method_that_allows_writing() {
    if !supported() {
        return;
    }
    let outcome = run_in_child(
        "a_write_open_names_only_the_method_that_allows_writing",
        || {
            let denied = SafetyContext::new()
                .enable(stdio().allow_open_readonly())
                .unwrap()
                .debug_denials()
                .run(|| {
                    std::fs::OpenOptions::new()
                        .append(true)
                        .open(FILE)
                        .map_err(|e| e.raw_os_error())
                })
                .unwrap();
            assert_eq!(denied.unwrap_err(), Some(libc::EPERM));
        },
    );
    outcome.assert_success();
    assert_eq!(
        denial_lines(&outcome),
        [
            "extrasafe denied openat: returned EPERM (RuleSet that would allow it: \
          SystemIO::allow_open)"
        ]
    );
}

#[test]
fn a_syscall_no_builtin_allows_is_reported_as_such() {
    if !supported() {
        return;
    }
    let outcome = run_in_child("a_syscall_no_builtin_allows_is_reported_as_such", || {
        let errno = SafetyContext::new()
            .enable(stdio())
            .unwrap()
            .debug_denials()
            .run(|| {
                // SAFETY: with these arguments, acct(2) only reads a NULL path pointer.
                #[allow(unsafe_code)]
                let rc = unsafe { libc::acct(std::ptr::null()) };
                (rc, std::io::Error::last_os_error().raw_os_error())
            })
            .unwrap();
        assert_eq!(errno, (-1, Some(libc::EPERM)));
    });
    outcome.assert_success();
    assert_eq!(
        denial_lines(&outcome),
        [
            "extrasafe denied acct: returned EPERM (no builtin RuleSet allows it: enable \
          Sysno::acct or a RuleSet of your own if the code needs it)"
        ]
    );
}

#[test]
fn denials_in_a_thread_the_sandboxed_code_starts_are_reported_by_the_same_supervisor() {
    if !supported() {
        return;
    }
    let outcome = run_in_child(
        "denials_in_a_thread_the_sandboxed_code_starts_are_reported_by_the_same_supervisor",
        || {
            let errnos = SafetyContext::new()
                .enable(stdio())
                .unwrap()
                .enable(Threads::nothing().allow_create())
                .unwrap()
                .debug_denials()
                .run(|| {
                    let here = open_errno();
                    let there = std::thread::spawn(open_errno).join().unwrap();
                    (here, there)
                })
                .unwrap();
            assert_eq!(errnos, (Some(libc::EPERM), Some(libc::EPERM)));
        },
    );
    outcome.assert_success();
    assert_eq!(
        denial_lines(&outcome),
        [OPENAT_LINE],
        "{}",
        String::from_utf8_lossy(&outcome.output.stderr)
    );
}

/// The supervisor thread (`extrasafe-denials`, cut to 15 bytes by the kernel) is alive.
fn supervisor_alive() -> bool {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(Result::ok)
        .any(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim_end() == "extrasafe-denia")
        })
}

#[test]
fn the_supervisor_ends_when_the_sandboxed_thread_has_ended() {
    if !supported() {
        return;
    }
    run_in_child(
        "the_supervisor_ends_when_the_sandboxed_thread_has_ended",
        || {
            assert!(!supervisor_alive());
            let (applied_tx, applied_rx) = std::sync::mpsc::channel();
            let (end_tx, end_rx) = std::sync::mpsc::channel::<()>();
            let sandboxed = std::thread::spawn(move || {
                SafetyContext::new()
                    .enable(stdio())
                    .unwrap()
                    .debug_denials()
                    .apply_to_current_thread()
                    .unwrap();
                applied_tx.send(open_errno()).unwrap();
                let _ = end_rx.recv();
            });
            assert_eq!(applied_rx.recv().unwrap(), Some(libc::EPERM));
            assert!(
                supervisor_alive(),
                "no supervisor while the filter is in use"
            );
            end_tx.send(()).unwrap();
            sandboxed.join().unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while supervisor_alive() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the supervisor outlived its filter"
                );
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        },
    )
    .assert_success();
}

#[test]
fn the_report_says_that_denials_are_reported() {
    if !supported() {
        return;
    }
    run_in_child("the_report_says_that_denials_are_reported", || {
        let enforce = |ctx: SafetyContext| {
            std::thread::spawn(|| ctx.enforce_on_current_thread().unwrap())
                .join()
                .unwrap()
        };
        let ctx = || SafetyContext::new().enable(stdio()).unwrap();
        let reports = (enforce(ctx().debug_denials()), enforce(ctx()));
        let text = reports.0.to_string();
        assert!(
            text.contains("(debug_denials: each denied syscall reported once on stderr)"),
            "{text}"
        );
        assert!(!reports.1.to_string().contains("debug_denials"));
        let (on, off) = (reports.0.seccomp.unwrap(), reports.1.seccomp.unwrap());
        assert!(on.debug_denials);
        assert!(!off.debug_denials);
        assert_eq!(on.default_action, DefaultAction::Errno(1));
    })
    .assert_success();
}

#[test]
fn all_threads_and_other_default_actions_are_refused_before_anything_is_enforced() {
    if !supported() {
        return;
    }
    run_in_child(
        "all_threads_and_other_default_actions_are_refused_before_anything_is_enforced",
        || {
            let ctx = || {
                SafetyContext::new()
                    .enable(stdio())
                    .unwrap()
                    .debug_denials()
            };
            let all = ctx().apply_to_all_threads().unwrap_err();
            assert!(
                matches!(all, ExtraSafeError::DebugDenialsUnavailable { .. }),
                "{all}"
            );
            assert!(all.to_string().contains("calling thread only"), "{all}");
            for action in [
                DefaultAction::Trap,
                DefaultAction::KillProcess,
                DefaultAction::Log,
            ] {
                let refused = std::thread::spawn(move || {
                    ctx()
                        .with_default_action(action)
                        .apply_to_current_thread()
                        .unwrap_err()
                })
                .join()
                .unwrap();
                assert!(
                    matches!(refused, ExtraSafeError::DebugDenialsUnavailable { .. }),
                    "{refused}"
                );
            }
            // Nothing was enforced: this thread (and every other) still opens files.
            let opened = std::fs::File::open(FILE);
            assert!(opened.is_ok(), "{opened:?}");
            let elsewhere = std::thread::spawn(|| std::fs::File::open(FILE).map(drop))
                .join()
                .unwrap();
            assert!(elsewhere.is_ok(), "{elsewhere:?}");
        },
    )
    .assert_success();
}

#[test]
fn sandboxed_code_allowed_every_ioctl_cannot_use_the_listener() {
    if !supported() {
        return;
    }
    run_in_child(
        "sandboxed_code_allowed_every_ioctl_cannot_use_the_listener",
        || {
            let answers = SafetyContext::new()
                .enable(stdio().allow_ioctl())
                .unwrap()
                .debug_denials()
                .run(|| {
                    // The listener is one of this process's descriptors: asked whether a
                    // notification id is valid, it would answer ENOENT; every descriptor
                    // must get the context's errno instead.
                    (0..256)
                        .map(|fd| {
                            let id = 0u64;
                            // SAFETY: the kernel reads one u64 from `id`, ours for the call.
                            #[allow(unsafe_code)]
                            let rc =
                                unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_ID_VALID, &id) };
                            (rc, std::io::Error::last_os_error().raw_os_error())
                        })
                        .filter(|&answer| answer != (-1, Some(libc::EPERM)))
                        .collect::<Vec<_>>()
                })
                .unwrap();
            assert_eq!(answers, []);
            // Other ioctls are allowed: the kernel itself answers one on no descriptor.
            let tcgets = SafetyContext::new()
                .enable(stdio().allow_ioctl())
                .unwrap()
                .debug_denials()
                .run(|| {
                    let mut termios = std::mem::MaybeUninit::<libc::termios>::uninit();
                    // SAFETY: TCGETS writes one termios into `termios`, ours for the call.
                    #[allow(unsafe_code)]
                    let rc = unsafe { libc::ioctl(-1, libc::TCGETS, termios.as_mut_ptr()) };
                    (rc, std::io::Error::last_os_error().raw_os_error())
                })
                .unwrap();
            assert_eq!(tcgets, (-1, Some(libc::EBADF)));
        },
    )
    .assert_success();
}

/// Under a `debug_denials` context that allows `seccomp(2)` and `prctl(2)` outright, another
/// one is applied: the kernel allows one listener per thread, so it is refused, and the
/// first filter still denies.
#[test]
fn a_second_listener_is_refused_with_a_clear_error_and_the_first_filter_stays() {
    if !supported() {
        return;
    }
    run_in_child(
        "a_second_listener_is_refused_with_a_clear_error_and_the_first_filter_stays",
        || {
            let (second, open) = SafetyContext::new()
                .enable(stdio())
                .unwrap()
                .enable(Threads::nothing().allow_create())
                .unwrap()
                .enable(Sysno::seccomp)
                .unwrap()
                .enable(Sysno::prctl)
                .unwrap()
                .debug_denials()
                .run(|| {
                    let second = SafetyContext::new()
                        .enable(stdio())
                        .unwrap()
                        .debug_denials()
                        .apply_to_current_thread();
                    (second, open_errno())
                })
                .unwrap();
            let err = second.unwrap_err();
            assert!(
                matches!(err, ExtraSafeError::DebugDenialsUnavailable { .. }),
                "{err}"
            );
            assert!(err.to_string().contains("at most one listener"), "{err}");
            assert!(err.to_string().contains("(os error 16)"), "{err}"); // EBUSY
            assert_eq!(open, Some(libc::EPERM));
        },
    )
    .assert_success();
}

/// Under a `debug_denials` context with `NestedSandboxes`, which allows loading a filter but
/// not asking the kernel about user notification: refused before anything is enforced.
#[test]
fn under_nested_sandboxes_a_second_debug_context_is_refused() {
    if !supported() {
        return;
    }
    run_in_child(
        "under_nested_sandboxes_a_second_debug_context_is_refused",
        || {
            let (second, open) = SafetyContext::new()
                .enable(stdio())
                .unwrap()
                .enable(Threads::nothing().allow_create())
                .unwrap()
                .enable(extrasafe::builtins::NestedSandboxes)
                .unwrap()
                .debug_denials()
                .run(|| {
                    let second = SafetyContext::new()
                        .enable(stdio())
                        .unwrap()
                        .debug_denials()
                        .apply_to_current_thread();
                    (second, open_errno())
                })
                .unwrap();
            let err = second.unwrap_err();
            assert!(
                matches!(err, ExtraSafeError::DebugDenialsUnavailable { .. }),
                "{err}"
            );
            assert!(err.to_string().contains("nothing was enforced"), "{err}");
            assert_eq!(open, Some(libc::EPERM));
        },
    )
    .assert_success();
}

/// Under a `debug_denials` context that allows `seccomp(2)` outright, applying a context to
/// all threads is denied: it would put the supervisor under the filter it serves.
#[test]
fn sandboxed_code_cannot_put_the_supervisor_under_its_filter() {
    if !supported() {
        return;
    }
    run_in_child(
        "sandboxed_code_cannot_put_the_supervisor_under_its_filter",
        || {
            // Were the supervisor under its own filter, a denied call would wait forever.
            std::thread::spawn(|| {
                std::thread::sleep(std::time::Duration::from_secs(20));
                eprintln!("stalled: a denied call was not answered within 20 s");
                std::process::exit(3);
            });
            let (all, open) = SafetyContext::new()
                .enable(stdio())
                .unwrap()
                .enable(Sysno::seccomp)
                .unwrap()
                .enable(Sysno::prctl)
                .unwrap()
                .debug_denials()
                .run(|| {
                    let all = SafetyContext::new()
                        .enable(stdio())
                        .unwrap()
                        .apply_to_all_threads();
                    (all, open_errno())
                })
                .unwrap();
            let err = all.unwrap_err();
            assert!(matches!(err, ExtraSafeError::SeccompError(_)), "{err}");
            assert!(format!("{err:?}").contains("code: 1,"), "{err:?}"); // EPERM
                                                                         // The supervisor still answers, and this thread was not restricted.
            assert_eq!(open, Some(libc::EPERM));
            assert!(std::fs::File::open(FILE).is_ok());
        },
    )
    .assert_success();
}
