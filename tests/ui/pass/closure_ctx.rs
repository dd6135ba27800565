// The context may be a closure.
use extrasafe::builtins::SystemIO;
use extrasafe::SafetyContext;

#[extrasafe::main(|| SafetyContext::new().enable(SystemIO::nothing().allow_stderr()))]
fn main() {
    assert!(std::fs::File::open("/dev/null").is_err());
}
