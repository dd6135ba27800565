// `crate = ".."` on #[extrasafe::main]: the expansion goes through the named path, not
// `::extrasafe`. The shim below counts its calls, to show that it (and not extrasafe's own
// function) was used.
use std::sync::atomic::{AtomicUsize, Ordering};

use extrasafe::builtins::SystemIO;
use extrasafe::SafetyContext;

static CALLS: AtomicUsize = AtomicUsize::new(0);

/// Stands for extrasafe under another name.
mod vendored {
    pub mod __private {
        pub use ::extrasafe::__private::*;

        pub fn enter_main<C: MainContext>(ctx_fn: impl FnOnce() -> C) {
            crate::CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            ::extrasafe::__private::enter_main(ctx_fn)
        }
    }
}

fn sandbox() -> Result<SafetyContext, extrasafe::ExtraSafeError> {
    SafetyContext::new().enable(SystemIO::nothing().allow_stderr())
}

#[extrasafe::main(sandbox, crate = "crate::vendored")]
fn main() {
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    assert!(std::fs::File::open("/dev/null").is_err());
}
