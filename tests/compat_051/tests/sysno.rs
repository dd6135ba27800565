use extrasafe::SafetyContext;
// compat: 0.5.1's own tests reached its dependency `syscalls` directly; a user's crate names
// extrasafe's re-export (extrasafe no longer depends on the `syscalls` crate).
use extrasafe::syscalls::Sysno;

#[test]
#[should_panic(expected = "NoRulesEnabled")]
/// Extrasafe fails by default if there are no rules applied
fn hello_void() {
    compat_051::own_process!(should_panic: "NoRulesEnabled"); // compat: a process of its own
    SafetyContext::new().apply_to_current_thread().unwrap();

    println!("Hello, World!");
}

#[test]
fn hello_world() {
    compat_051::own_process!(); // compat: a process of its own
    SafetyContext::new()
        .enable(Sysno::write)
        .unwrap()
        .apply_to_current_thread()
        .unwrap();

    println!("Hello, World!");
}
