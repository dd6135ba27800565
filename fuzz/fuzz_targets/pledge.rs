//! Pledge promises and unveil permissions on any text: the first byte chooses the entry
//! point; an error names what is wrong.
#![no_main]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use extrasafe::profiles::pledge::{Pledge, Promise};
use extrasafe::SafetyContext;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match which % 3 {
        0 => match Pledge::new(&text) {
            Ok(pledge) => {
                assert_eq!(text.parse::<Pledge>().ok(), Some(pledge.clone()));
                if let Ok(ctx) = SafetyContext::new().enable(pledge) {
                    let _ = ctx.compile();
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        },
        1 => {
            if let Some(p) = Promise::from_name(&text) {
                assert!(p.name().eq_ignore_ascii_case(&text));
            }
            if let Err(e) = text.parse::<Promise>() {
                assert!(e.to_string().contains(&text.escape_debug().to_string()));
            }
        }
        _ => {
            // Path bytes, a NUL-free separator byte 0xff, then the permission string.
            let split = rest.iter().position(|&b| b == 0xff).unwrap_or(rest.len());
            let path = OsStr::from_bytes(&rest[..split]);
            let perms = String::from_utf8_lossy(rest.get(split + 1..).unwrap_or_default());
            let valid = perms.chars().all(|c| "rwxc".contains(c));
            let result = Pledge::new("stdio rpath wpath cpath")
                .expect("known promises")
                .unveil(path, &perms);
            assert_eq!(result.is_ok(), valid, "{perms:?}");
            match result {
                Ok(pledge) => {
                    if let Ok(ctx) = SafetyContext::new().enable(pledge) {
                        let _ = ctx.explain();
                    }
                }
                Err(e) => assert!(e.to_string().contains(&perms.escape_debug().to_string())),
            }
        }
    }
});
