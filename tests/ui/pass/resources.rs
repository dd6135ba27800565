// The context function hands main what it opened; main returns a Result; a pattern argument.
use std::fs::File;
use std::io::Read;

use extrasafe::builtins::SystemIO;
use extrasafe::SafetyContext;

fn setup() -> Result<(SafetyContext, (File, u32)), Box<dyn std::error::Error>> {
    let file = File::open("/proc/self/stat")?;
    let ctx = SafetyContext::new().enable(SystemIO::nothing().allow_file_read(&file))?;
    Ok((ctx, (file, 7)))
}

#[extrasafe::main(setup)]
fn main((mut file, seven): (File, u32)) -> Result<(), std::io::Error> {
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    assert!(!text.is_empty());
    assert_eq!(seven, 7);
    assert!(File::open("/proc/self/stat").is_err());
    Ok(())
}
