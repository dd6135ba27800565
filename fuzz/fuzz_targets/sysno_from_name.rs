//! `Sysno::from_name`, `str::parse::<Sysno>` and `Sysno::from_id` on any input: a name
//! found is the name asked for; an id found is the id asked for.
#![no_main]

use extrasafe::syscalls::Sysno;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = String::from_utf8_lossy(data);
    let found = Sysno::from_name(&name);
    assert_eq!(name.parse::<Sysno>().ok(), found);
    if let Some(s) = found {
        assert_eq!(s.name(), name);
    }
    if let Some(word) = data.get(..4) {
        let id = i32::from_ne_bytes([word[0], word[1], word[2], word[3]]);
        if let Some(s) = Sysno::from_id(id) {
            assert_eq!(s.id(), id);
            assert_eq!(Sysno::from_name(s.name()), Some(s));
        }
    }
});
