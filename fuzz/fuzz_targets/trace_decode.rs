//! The trace decoders and writers on any numbers: `describe`, `syscall_name`,
//! `argument_summary`, `write_table`, `suggest` and `write_suggestion`.
#![no_main]

use std::collections::BTreeMap;

use extrasafe::syscalls::Sysno;
use extrasafe::trace::decode::describe;
use extrasafe::trace::report::{argument_summary, syscall_name, write_suggestion, write_table};
use extrasafe::trace::suggest::{calls, suggest};
use extrasafe::trace::SyscallRecord;
use libfuzzer_sys::fuzz_target;

fn u64_at(chunk: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b[..chunk.len().min(8)].copy_from_slice(&chunk[..chunk.len().min(8)]);
    u64::from_ne_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    let all: Vec<Sysno> = Sysno::iter().collect();
    // Records of 10 bytes: a syscall (index into the table, or a raw number when the
    // index is past it), an argument index and an argument value.
    let mut totals: BTreeMap<u64, SyscallRecord> = BTreeMap::new();
    for rec in data.chunks(10) {
        let pick = usize::from(rec[0]);
        let idx = rec.get(1).copied().unwrap_or(0);
        let value = u64_at(rec.get(2..).unwrap_or_default());
        let nr = match all.get(pick) {
            Some(s) => {
                assert!(!describe(*s, idx, value).is_empty());
                u64::try_from(s.id()).unwrap_or(0)
            }
            None => value,
        };
        assert!(!syscall_name(nr).is_empty());
        let entry = totals.entry(nr).or_default();
        entry.count = entry.count.saturating_add(1);
        *entry.calls.entry(vec![(idx % 8, value)]).or_default() += 1;
    }
    let mut out = String::new();
    write_table(&mut out, &totals);
    for (nr, rec) in &totals {
        let _ = argument_summary(*nr, rec);
    }
    let (_, unknown) = calls(&totals);
    if let Ok(suggestion) = suggest(&totals) {
        assert_eq!(suggestion.unknown, unknown);
        write_suggestion(&mut out, totals.len(), &suggestion);
    }
});
