// `crate = ".."` in extrasafe!: the expansion goes through the named path. The shim below
// counts its calls, to show that it (and not extrasafe's own function) was used.
use std::sync::atomic::{AtomicUsize, Ordering};

use extrasafe::builtins::BasicCapabilities;
use extrasafe::SafetyContext;

static CALLS: AtomicUsize = AtomicUsize::new(0);

/// Stands for extrasafe under another name.
mod vendored {
    pub mod __private {
        pub use ::extrasafe::__private::*;

        pub fn run<C, T, F>(ctx: C, f: F) -> Result<T, ::extrasafe::ExtraSafeError>
        where
            C: BlockContext,
            F: FnOnce() -> T + Send,
            T: Send,
        {
            crate::CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            ::extrasafe::__private::run(ctx, f)
        }
    }
}

fn main() {
    let ctx = SafetyContext::new().enable(BasicCapabilities);
    let v = extrasafe::extrasafe!(ctx, crate = "crate::vendored", { 5 }).unwrap();
    assert_eq!(v, 5);
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
}
