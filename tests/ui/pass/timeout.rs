// The timeout form (feature macro-return, on in this crate).
use std::time::Duration;

use extrasafe::builtins::BasicCapabilities;
use extrasafe::{extrasafe, SafetyContext};

fn main() {
    let owned = vec![1, 2, 3];
    let sum = extrasafe!(SafetyContext::new().enable(BasicCapabilities), timeout = Duration::from_secs(60), {
        owned.iter().sum::<i32>()
    });
    assert_eq!(sum.unwrap(), 6);
}
