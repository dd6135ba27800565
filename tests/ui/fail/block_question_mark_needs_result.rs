use extrasafe::{builtins::BasicCapabilities, extrasafe, SafetyContext};

fn main() {
    let _ = extrasafe!(SafetyContext::new().enable(BasicCapabilities), {
        let n: u32 = "1".parse()?;
        n
    });
}
