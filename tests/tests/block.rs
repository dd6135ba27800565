//! `extrasafe!` at run time. It sandboxes a fresh thread only, so these are ordinary tests:
//! the harness thread stays unrestricted, which the tests check too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use extrasafe::builtins::danger_zone::Threads;
use extrasafe::builtins::{BasicCapabilities, SystemIO};
use extrasafe::{extrasafe, ExtraSafeError, SafetyContext};

fn basic() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new().enable(BasicCapabilities)
}

/// What creating a socket fails with (`None` if it succeeded).
fn socket_errno() -> Option<i32> {
    extrasafe_tests::socket_errno()
}

#[test]
fn returns_the_block_value_and_borrows() {
    let words = ["a".to_string(), "bc".to_string()];
    let total = extrasafe!(basic(), { words.iter().map(String::len).sum::<usize>() });
    assert_eq!(total.expect("ran"), 3);
    // Borrowed, not moved: still usable.
    assert_eq!(words.len(), 2);
}

#[test]
fn context_can_be_a_plain_safety_context() {
    let ctx = basic().expect("builds");
    assert_eq!(extrasafe!(ctx, { 6 * 7 }).expect("ran"), 42);
}

#[test]
fn move_block_takes_ownership() {
    let owned = String::from("moved");
    let len = extrasafe!(basic(), move { owned.len() });
    assert_eq!(len.expect("ran"), 5);
}

#[test]
fn question_mark_error_comes_back_as_the_inner_result() {
    let input = "12x";
    let parsed: Result<Result<u32, std::num::ParseIntError>, ExtraSafeError> =
        extrasafe!(basic(), {
            let n: u32 = input.parse()?;
            Ok(n + 1)
        });
    let inner = parsed.expect("the sandbox itself worked");
    assert_eq!(
        inner.expect_err("12x is no number").to_string(),
        "invalid digit found in string"
    );
    let ok: Result<Result<u32, std::num::ParseIntError>, _> = extrasafe!(basic(), {
        let n: u32 = "41".parse()?;
        Ok(n + 1)
    });
    assert_eq!(ok.expect("ran"), Ok(42));
}

/// Panics at line `PANIC_LINE`, column 5 of this file.
fn panic_at_byte_7() {
    panic!("bad input at byte {}", 7)
}
const PANIC_LINE: u32 = line!() - 2;

/// The panic of [`panic_at_byte_7`], as a sandboxed closure's panic comes back: the message
/// and where it happened.
fn assert_panicked_at_byte_7<T: std::fmt::Debug>(got: Result<T, ExtraSafeError>) {
    match got {
        Err(ExtraSafeError::Panicked {
            message,
            location: Some(location),
        }) => {
            assert_eq!(message, "bad input at byte 7");
            assert_eq!(
                location,
                extrasafe::PanicLocation::new(file!(), PANIC_LINE, 5)
            );
        }
        other => panic!("expected Panicked with a location, got {other:?}"),
    }
}

#[test]
fn panic_comes_back_as_panicked_with_its_message_and_location() {
    let got: Result<(), _> = extrasafe!(
        SafetyContext::new().enable(SystemIO::nothing().allow_stderr()),
        {
            panic_at_byte_7();
        }
    );
    let text = got.as_ref().map_err(ToString::to_string).unwrap_err();
    assert_eq!(
        text,
        format!(
            "the sandboxed closure panicked at {}:{PANIC_LINE}:5: bad input at byte 7",
            file!()
        )
    );
    assert_panicked_at_byte_7(got);
}

#[test]
fn apply_failure_means_the_block_never_ran() {
    let ran = AtomicBool::new(false);
    let got = extrasafe!(SafetyContext::new().with_errno(0), {
        ran.store(true, Ordering::SeqCst);
    });
    assert!(
        matches!(got, Err(ExtraSafeError::InvalidErrno { errno: 0 })),
        "{got:?}"
    );
    assert!(
        !ran.load(Ordering::SeqCst),
        "the block ran although the sandbox failed"
    );
}

#[test]
fn context_error_means_the_block_never_ran() {
    let ran = AtomicBool::new(false);
    // An error from `enable` (here: the invalid errno) is passed in as the context.
    let got = extrasafe!(
        SafetyContext::new()
            .with_errno(5000)
            .enable(BasicCapabilities),
        {
            ran.store(true, Ordering::SeqCst);
        }
    );
    assert!(
        matches!(got, Err(ExtraSafeError::InvalidErrno { errno: 5000 })),
        "{got:?}"
    );
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn denied_syscall_fails_with_eperm_inside_only() {
    let inside = extrasafe!(basic(), { socket_errno() }).expect("ran");
    assert_eq!(inside, Some(libc::EPERM));
    // The caller (the harness thread) is not restricted.
    assert_eq!(socket_errno(), None);
}

#[test]
fn the_block_runs_on_another_thread() {
    let here = std::thread::current().id();
    let there = extrasafe!(basic(), { std::thread::current().id() }).expect("ran");
    assert_ne!(here, there);
}

#[test]
fn timeout_form_returns_timeout() {
    let sleepy = || SafetyContext::new().enable(Threads::nothing().allow_sleep().yes_really());
    let slow = extrasafe!(sleepy(), timeout = Duration::from_millis(20), {
        std::thread::sleep(Duration::from_secs(2));
        1
    });
    assert!(matches!(slow, Err(ExtraSafeError::Timeout)), "{slow:?}");
    let quick = extrasafe!(sleepy(), timeout = Duration::from_secs(30), { 2 });
    assert_eq!(quick.expect("in time"), 2);
}

#[test]
fn timeout_form_is_sandboxed_too() {
    let inside = extrasafe!(basic(), timeout = Duration::from_secs(30), {
        socket_errno()
    });
    assert_eq!(inside.expect("in time"), Some(libc::EPERM));
}
