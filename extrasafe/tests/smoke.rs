//! The harness itself: a sandboxed child sees the filter; the parent does not.

mod common;

use common::assert_errno;
use extrasafe::builtins::SystemIO;
use extrasafe::SafetyContext;

sandboxed_test! {
    fn open_is_denied_after_apply() {
        assert!(std::fs::File::open("/etc/hostname").is_ok());
        SafetyContext::new()
            .enable(SystemIO::nothing().allow_stderr())
            .unwrap()
            .apply_to_current_thread()
            .unwrap();
        assert_errno(std::fs::File::open("/etc/hostname"), libc::EPERM);
    }
}

#[test]
fn a_failing_child_is_reported() {
    let outcome = common::run_in_child("a_failing_child_is_reported", || panic!("on purpose"));
    outcome.assert_panicked();
}
