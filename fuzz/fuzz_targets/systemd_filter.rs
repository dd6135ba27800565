//! `SystemCallFilter::parse` on any text: `Ok` with real syscalls only, whose context
//! compiles to a program the kernel would load (or says why not), or an error with a message.
#![no_main]

use extrasafe::profiles::systemd::SystemCallFilter;
use extrasafe::syscalls::Sysno;
use extrasafe::SafetyContext;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let spec = String::from_utf8_lossy(data);
    match SystemCallFilter::parse(&spec) {
        Ok(filter) => {
            for s in filter.syscalls() {
                assert_eq!(Sysno::from_id(s.id()), Some(s));
            }
            if let Ok(ctx) = SafetyContext::new().enable(filter) {
                if let Ok(compiled) = ctx.compile() {
                    extrasafe::eval::parse(&compiled.to_bytes()).expect("a compiled filter parses");
                }
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
