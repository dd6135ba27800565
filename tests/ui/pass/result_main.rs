// main returning a Result, a context function returning a plain SafetyContext, and other
// attributes kept.
use extrasafe::builtins::SystemIO;
use extrasafe::SafetyContext;

fn sandbox() -> SafetyContext {
    SafetyContext::new()
        .enable(SystemIO::nothing().allow_stdout().allow_stderr())
        .expect("a valid context")
}

#[allow(clippy::unnecessary_wraps)]
#[extrasafe::main(sandbox)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    #![allow(unused_mut)]
    let mut n: u32 = "41".parse()?;
    assert!(std::net::TcpListener::bind("127.0.0.1:0").is_err());
    n += 1;
    assert_eq!(n, 42);
    Ok(())
}
