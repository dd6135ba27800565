#![cfg(feature = "landlock")]

use std::fs::{read_dir, File};

use extrasafe::builtins::SystemIO;

#[test]
/// Prevent the user from using seccomp rules with argument filters on "open" syscalls and landlock
/// rules at the same time.
// compat: 0.5.1 refused these combinations because its Landlock methods allowed open outright,
// which made allow_open_readonly's flag conditions moot. extrasafe keeps both: the flags stay
// checked by seccomp and the paths by Landlock, so they enable (CHANGELOG, "Also changed"),
// and together they allow only read-only opens of the allowed paths.
fn landlock_with_seccomp_arg_filters_fails() {
    compat_051::own_process!(); // compat: a process of its own
    let path = tempfile::tempdir().unwrap();
    std::fs::write(path.path().join("file.txt"), "hello").unwrap();

    // same ruleset
    let res = extrasafe::SafetyContext::new().enable(
        SystemIO::nothing()
            .allow_open_readonly()
            .allow_list_dir(&path),
    );
    assert!(res.is_ok(), "{:?}", res.unwrap_err());

    // different rulesets, landlock first
    let res = extrasafe::SafetyContext::new()
        .enable(SystemIO::nothing().allow_open_readonly())
        .unwrap()
        .enable(SystemIO::nothing().allow_read_path(&path));
    assert!(res.is_ok(), "{:?}", res.unwrap_err());

    // different rulesets, seccomp first
    let res = extrasafe::SafetyContext::new()
        .enable(
            SystemIO::nothing()
                .allow_read_path(&path)
                .allow_read()
                .allow_close()
                .allow_metadata(),
        )
        .unwrap()
        .enable(SystemIO::nothing().allow_open_readonly());
    res.unwrap().apply_to_current_thread().unwrap();

    // Landlock: the allowed path reads, others do not
    assert_eq!(
        std::fs::read_to_string(path.path().join("file.txt")).unwrap(),
        "hello"
    );
    assert!(
        File::open("/etc/hostname").is_err(),
        "Landlock allowed a path outside the rule"
    );
    // seccomp: no open for writing, even inside the allowed path
    let err = File::options()
        .append(true)
        .open(path.path().join("file.txt"))
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{:?}", err);
}

#[test]
/// Test seccomp rules do not get applied when using the `landlock_only` flag
fn landlock_only() {
    compat_051::own_process!(); // compat: a process of its own
                                // Test that it errors if no rules are applied
    let res = extrasafe::SafetyContext::new()
        .landlock_only()
        .apply_to_current_thread();

    assert!(
        res.is_err(),
        "extrasafe did not error when applying with no seccomp or landlock rules"
    );
    let err = res.unwrap_err();
    assert!(err.to_string().contains("No rules were enabled"));

    // now actually use a landlock rule
    let dir = tempfile::tempdir().unwrap();

    extrasafe::SafetyContext::new()
        .enable(SystemIO::nothing().allow_create_in_dir(&dir))
        .unwrap()
        .landlock_only()
        .apply_to_current_thread()
        .unwrap();

    // test that we can run arbitrary syscalls
    let pid = unsafe { libc::getpid() };
    assert!(pid > 0, "Pid was negative: {}", pid);

    // test that we can create in the given directory
    let file_path = dir.path().join("okay.txt");
    let file_res = File::create(file_path);
    assert!(
        file_res.is_ok(),
        "Failed to create file in allowed dir: {:?}",
        file_res.unwrap_err()
    );

    // test that we can't list paths
    let list_res = read_dir(&dir);
    assert!(
        list_res.is_err(),
        "Incorrectly succeeded in listing directory"
    );
    let list_res = read_dir("/etc");
    assert!(
        list_res.is_err(),
        "Incorrectly succeeded in listing directory"
    );
}
