use std::rc::Rc;

use extrasafe::{builtins::BasicCapabilities, extrasafe, SafetyContext};

fn main() {
    let shared = Rc::new(5);
    let _ = extrasafe!(SafetyContext::new().enable(BasicCapabilities), { *shared + 1 });
}
