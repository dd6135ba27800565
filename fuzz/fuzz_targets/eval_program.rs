//! `eval::parse` on any bytes, then `check` and `run` on a `SeccompData` made of the last 64
//! bytes (zero-padded): never a panic, and `parse`, `check` and `run` agree.
#![no_main]

use extrasafe::eval::{check, parse, run, Action, SeccompData};
use libfuzzer_sys::fuzz_target;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32_at(b, at)) | (u64::from(u32_at(b, at + 4)) << 32)
}

fuzz_target!(|data: &[u8]| {
    let split = data.len().saturating_sub(64) / 8 * 8;
    let (program_bytes, rest) = data.split_at(split);
    let mut raw = [0u8; 64];
    raw[..rest.len().min(64)].copy_from_slice(&rest[..rest.len().min(64)]);
    let seccomp = SeccompData {
        nr: i32::from_ne_bytes(u32_at(&raw, 0).to_ne_bytes()),
        arch: u32_at(&raw, 4),
        instruction_pointer: u64_at(&raw, 8),
        args: [0, 1, 2, 3, 4, 5].map(|i| u64_at(&raw, 16 + 8 * i)),
    };
    // The whole input as a program, too: most inputs are not whole instructions.
    let _ = parse(data);
    if let Ok(program) = parse(program_bytes) {
        assert_eq!(check(&program), Ok(()));
        let eval = run(&program, &seccomp).expect("a parsed program runs");
        assert!(eval.executed >= 1 && eval.executed <= program.len());
        assert_eq!(eval.action, Action::from_ret(eval.ret));
    }
});
