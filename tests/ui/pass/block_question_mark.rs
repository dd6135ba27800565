// `?` inside extrasafe! leaves the block; `?` on its result leaves main. `use` of the macro.
use extrasafe::builtins::BasicCapabilities;
use extrasafe::{extrasafe, SafetyContext};

#[derive(Debug)]
struct BadInput;

fn parse(s: &str) -> Result<u32, BadInput> {
    s.parse().map_err(|_| BadInput)
}

fn main() -> Result<(), extrasafe::ExtraSafeError> {
    let input = String::from("7");
    let doubled: Result<u32, BadInput> = extrasafe!(SafetyContext::new().enable(BasicCapabilities), {
        let n = parse(&input)?;
        Ok(n * 2)
    })?;
    assert_eq!(doubled.unwrap(), 14);
    let bad: Result<u32, BadInput> = extrasafe::extrasafe!(SafetyContext::new().enable(BasicCapabilities), {
        let n = parse("x")?;
        Ok(n)
    })?;
    assert!(bad.is_err());
    Ok(())
}
