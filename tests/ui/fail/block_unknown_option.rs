use extrasafe::{builtins::BasicCapabilities, extrasafe, SafetyContext};

fn main() {
    let ctx = SafetyContext::new().enable(BasicCapabilities);
    let _ = extrasafe!(ctx, retries = 3, { 1 });
}
