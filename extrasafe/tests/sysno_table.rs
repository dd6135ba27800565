//! Checks the generated `Sysno` table (see `tools/gen-syscalls.py`) against
//! libseccomp's own name/number resolution for the native architecture, and
//! spot-checks the argument-width table.

use extrasafe::syscalls::{__arg_widths_for_tests as widths, Sysno};
use libseccomp::{ScmpSyscall, ScmpVersion};

/// System calls that the installed libseccomp does not know because they were
/// added to Linux after its release: libseccomp 2.5.4 as shipped by Debian 12
/// (2.5.4-1+deb12u1, whose table was updated up to Linux 6.7, i.e. up to
/// `futex_requeue`, number 456). Each is checked to stay unknown to a
/// libseccomp of that version, so that the list stays honest.
const UNKNOWN_TO_LIBSECCOMP: &[&str] = &[
    // Linux 6.8
    "statmount",
    "listmount",
    "lsm_get_self_attr",
    "lsm_set_self_attr",
    "lsm_list_modules",
    // Linux 6.10
    "mseal",
    // Linux 6.11 (x86_64 only)
    "uretprobe",
    // Linux 6.13
    "setxattrat",
    "getxattrat",
    "listxattrat",
    "removexattrat",
    // Linux 6.15
    "open_tree_attr",
    // Linux 6.17
    "file_getattr",
    "file_setattr",
];

/// Whether the running libseccomp is 2.5.4 or older, the release that
/// `UNKNOWN_TO_LIBSECCOMP` describes. Newer releases may know those names.
fn libseccomp_is_at_most_2_5_4() -> bool {
    let v = ScmpVersion::current().expect("libseccomp version");
    (v.major, v.minor, v.micro) <= (2, 5, 4)
}

#[test]
fn every_sysno_matches_libseccomp() {
    let old = libseccomp_is_at_most_2_5_4();
    let mut errors = Vec::new();
    for s in Sysno::iter() {
        let listed = UNKNOWN_TO_LIBSECCOMP.contains(&s.name());
        match ScmpSyscall::from_name(s.name()) {
            Ok(n) => {
                let n = i32::from(n);
                if n != s.id() {
                    errors.push(format!("{s}: Sysno says {}, libseccomp says {n}", s.id()));
                }
                if listed && old {
                    errors.push(format!(
                        "{s} is listed in UNKNOWN_TO_LIBSECCOMP but libseccomp knows it"
                    ));
                }
            }
            Err(_) if listed => {}
            Err(e) => errors.push(format!("{s} ({}): unknown to libseccomp: {e}", s.id())),
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn every_number_libseccomp_names_is_a_sysno() {
    let mut errors = Vec::new();
    for id in 0..=Sysno::MAX_ID {
        if let Ok(name) = ScmpSyscall::from(id).get_name() {
            match Sysno::from_id(id) {
                Some(s) if s.name() == name => {}
                other => errors.push(format!(
                    "{id}: libseccomp says {name}, Sysno says {other:?}"
                )),
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn unknown_list_names_are_syscalls() {
    // Every listed name must be a syscall of at least one supported
    // architecture; `uretprobe` is the only x86_64-only one.
    for name in UNKNOWN_TO_LIBSECCOMP {
        if *name == "uretprobe" && cfg!(target_arch = "aarch64") {
            continue;
        }
        assert!(Sysno::from_name(name).is_some(), "{name} is not a Sysno");
    }
}

#[test]
fn ids_ascending_unique_and_round_trip() {
    assert!(!Sysno::ALL.is_empty());
    for pair in Sysno::ALL.windows(2) {
        assert!(pair[0].id() < pair[1].id(), "{} !< {}", pair[0], pair[1]);
        assert!(pair[0] < pair[1]);
    }
    for s in Sysno::iter() {
        assert_eq!(Sysno::from_id(s.id()), Some(s));
        assert_eq!(Sysno::from_name(s.name()), Some(s));
        assert_eq!(s.to_string(), s.name());
        assert_eq!(format!("{s:?}"), s.name());
    }
    assert_eq!(Sysno::iter().count(), Sysno::ALL.len());
    let max = Sysno::iter().map(|s| s.id()).max().unwrap();
    assert_eq!(Sysno::MAX_ID, max);
    assert_eq!(Sysno::ALL.last().unwrap().id(), Sysno::MAX_ID);
    let numbered = (0..=Sysno::MAX_ID)
        .filter(|&id| Sysno::from_id(id).is_some())
        .count();
    assert_eq!(numbered, Sysno::ALL.len());
}

#[test]
fn lookups_out_of_range_or_unknown() {
    assert_eq!(Sysno::from_id(-1), None);
    assert_eq!(Sysno::from_id(i32::MIN), None);
    assert_eq!(Sysno::from_id(Sysno::MAX_ID + 1), None);
    assert_eq!(Sysno::from_id(i32::MAX), None);
    assert_eq!(Sysno::from_name(""), None);
    assert_eq!(Sysno::from_name("READ"), None);
    assert_eq!(Sysno::from_name("read "), None);
    assert_eq!(Sysno::from_name("sys_read"), None);
    assert_eq!(Sysno::from_name("no_such_syscall"), None);
}

#[test]
fn spot_checks() {
    assert_eq!(Sysno::read.id(), 0);
    assert_eq!(Sysno::read.name(), "read");
    assert_eq!(Sysno::openat.name(), "openat");
    assert_eq!(Sysno::from_name("openat"), Some(Sysno::openat));
    assert_eq!(Sysno::from_id(0), Some(Sysno::read));
    assert_eq!(Sysno::write.to_string(), "write");
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(Sysno::getppid.id(), 110);
        assert_eq!(Sysno::openat.id(), 257);
        assert_eq!(Sysno::newfstatat.id(), 262);
        assert_eq!(Sysno::from_id(110), Some(Sysno::getppid));
        // 335..=423 is a gap on x86_64 (uretprobe is 335 since Linux 6.11).
        assert_eq!(Sysno::from_id(336), None);
    }
    #[cfg(target_arch = "aarch64")]
    {
        assert_eq!(Sysno::read.id(), 63);
        assert_eq!(Sysno::openat.id(), 56);
        assert_eq!(Sysno::getppid.id(), 173);
    }
}

#[test]
fn width_spot_checks() {
    let w = |s: Sysno| widths(s).unwrap_or_else(|| panic!("no widths for {s}"));
    assert_eq!(w(Sysno::socket), [32, 32, 32]);
    assert_eq!(w(Sysno::openat), [32, 64, 32, 32]);
    assert_eq!(w(Sysno::ioctl), [32, 32, 64]);
    // Corrections for arguments declared wider than the kernel reads (READS_32
    // in tools/gen-syscalls.py): mmap's fd, clone's flags, ptrace's pid.
    assert_eq!(w(Sysno::mmap), [64, 64, 64, 64, 32, 64]);
    assert_eq!(w(Sysno::clone), [32, 64, 64, 64, 64]);
    assert_eq!(w(Sysno::ptrace), [64, 32, 64, 64]);
    // The vector read/write calls take `unsigned long fd` but use its low 32 bits.
    assert_eq!(w(Sysno::writev), [32, 64, 64]);
    assert_eq!(w(Sysno::preadv2), [32, 64, 64, 64, 64, 32]);
    assert_eq!(w(Sysno::fcntl), [32, 32, 64]);
    assert_eq!(w(Sysno::prctl), [32, 64, 64, 64, 64]);
    assert_eq!(w(Sysno::kill), [32, 32]);
    assert_eq!(w(Sysno::read), [32, 64, 64]);
    assert_eq!(w(Sysno::write), [32, 64, 64]);
    assert_eq!(w(Sysno::close), [32]);
    assert_eq!(w(Sysno::getpid), []);
    assert_eq!(w(Sysno::rt_sigreturn), []);
    assert_eq!(w(Sysno::newfstatat), [32, 64, 64, 32]);
    assert_eq!(w(Sysno::pread64), [32, 64, 64, 64]);
    assert_eq!(w(Sysno::fadvise64), [32, 64, 64, 32]);
    assert_eq!(w(Sysno::umount2), [64, 32]);
    assert_eq!(w(Sysno::sendfile), [32, 32, 64, 64]);
    assert_eq!(w(Sysno::futex), [64, 32, 32, 64, 64, 32]);
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(w(Sysno::arch_prctl), [32, 64]);
        assert_eq!(w(Sysno::iopl), [32]);
        assert_eq!(w(Sysno::modify_ldt), [32, 64, 64]);
        assert_eq!(w(Sysno::stat), [64, 64]);
        assert_eq!(w(Sysno::uname), [64]);
        assert_eq!(widths(Sysno::_sysctl), None);
    }
    // Syscalls newer than the kernel headers the widths come from (explicit
    // overrides in tools/gen-syscalls.py).
    assert_eq!(w(Sysno::setxattrat), [32, 64, 32, 64, 64, 64]);
    assert_eq!(w(Sysno::getxattrat), [32, 64, 32, 64, 64, 64]);
    assert_eq!(w(Sysno::listxattrat), [32, 64, 32, 64, 64]);
    assert_eq!(w(Sysno::removexattrat), [32, 64, 32, 64]);
    assert_eq!(w(Sysno::open_tree_attr), [32, 64, 32, 64, 64]);
    assert_eq!(w(Sysno::file_getattr), [32, 64, 64, 64, 32]);
    assert_eq!(w(Sysno::file_setattr), [32, 64, 64, 64, 32]);
    // Only the unimplemented stubs lack widths.
    let missing: Vec<&str> = Sysno::iter()
        .filter(|&s| widths(s).is_none())
        .map(|s| s.name())
        .collect();
    #[cfg(target_arch = "x86_64")]
    assert_eq!(
        missing,
        [
            "_sysctl",
            "create_module",
            "get_kernel_syms",
            "query_module",
            "nfsservctl",
            "getpmsg",
            "putpmsg",
            "afs_syscall",
            "tuxcall",
            "security",
            "lookup_dcookie",
            "epoll_ctl_old",
            "epoll_wait_old",
            "vserver",
        ]
    );
    #[cfg(target_arch = "aarch64")]
    assert_eq!(missing, ["lookup_dcookie", "nfsservctl"]);
    // Every known width list has at most six entries.
    for s in Sysno::iter() {
        if let Some(ws) = widths(s) {
            assert!(ws.len() <= 6, "{s}: {ws:?}");
            assert!(ws.iter().all(|&b| b == 32 || b == 64), "{s}: {ws:?}");
        }
    }
}
