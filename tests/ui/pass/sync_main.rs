// A synchronous main: sandboxed from its first line.
use extrasafe::builtins::SystemIO;
use extrasafe::{ExtraSafeError, SafetyContext};

fn sandbox() -> Result<SafetyContext, ExtraSafeError> {
    SafetyContext::new().enable(SystemIO::nothing().allow_stdout().allow_stderr())
}

#[extrasafe::main(sandbox)]
fn main() {
    let denied = std::fs::OpenOptions::new().write(true).open("/dev/null");
    assert_eq!(denied.unwrap_err().raw_os_error(), Some(1));
}
