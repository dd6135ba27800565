//! Events, Timers, Signals, Memory and SystemInfo, with real calls: what each allows works,
//! and what it does not fails with EPERM (or, for Landlock's signal scope, EPERM too).

mod common;

use common::{raw_syscall, run_in_child};
use extrasafe::builtins::events::{Events, Timers};
use extrasafe::builtins::memory::Memory;
use extrasafe::builtins::process::SystemInfo;
use extrasafe::builtins::signals::Signals;
use extrasafe::builtins::SystemIO;
use extrasafe::{RuleSet, SafetyContext};

const EPERM: Result<i64, i32> = Err(libc::EPERM);

fn apply<R: RuleSet>(rules: R) {
    SafetyContext::new()
        .enable(rules)
        .unwrap()
        .enable(SystemIO::nothing().allow_stderr())
        .unwrap()
        .apply_to_current_thread()
        .unwrap();
}

fn nr(s: libc::c_long) -> libc::c_long {
    s
}

sandboxed_test! {
    fn events_allow_epoll_eventfd_and_inotify() {
        let dir = std::env::temp_dir();
        let path = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
        apply(Events::everything());
        assert!(raw_syscall(nr(libc::SYS_epoll_create1), [libc::EPOLL_CLOEXEC as u64, 0, 0, 0, 0, 0]).is_ok());
        assert!(raw_syscall(nr(libc::SYS_eventfd2), [0, 0, 0, 0, 0, 0]).is_ok());
        let ino = raw_syscall(nr(libc::SYS_inotify_init1), [0, 0, 0, 0, 0, 0]).unwrap();
        let watch = raw_syscall(
            nr(libc::SYS_inotify_add_watch),
            [ino as u64, path.as_ptr() as u64, u64::from(libc::IN_CREATE), 0, 0, 0],
        );
        assert!(watch.is_ok(), "{watch:?}");
        // Not networking:
        assert_eq!(raw_syscall(nr(libc::SYS_socket), [libc::AF_INET as u64, libc::SOCK_STREAM as u64, 0, 0, 0, 0]), EPERM);
    }
}

sandboxed_test! {
    fn events_methods_allow_only_their_own_calls() {
        apply(Events::nothing().allow_epoll());
        assert!(raw_syscall(nr(libc::SYS_epoll_create1), [0; 6]).is_ok());
        assert_eq!(raw_syscall(nr(libc::SYS_eventfd2), [0; 6]), EPERM);
        assert_eq!(raw_syscall(nr(libc::SYS_inotify_init1), [0; 6]), EPERM);
    }
}

sandboxed_test! {
    fn timers_allow_timerfd_posix_and_interval_timers() {
        apply(Timers::everything());
        assert!(raw_syscall(nr(libc::SYS_timerfd_create), [libc::CLOCK_MONOTONIC as u64, 0, 0, 0, 0, 0]).is_ok());
        let mut id: libc::timer_t = std::ptr::null_mut();
        assert!(raw_syscall(
            nr(libc::SYS_timer_create),
            [libc::CLOCK_MONOTONIC as u64, 0, std::ptr::addr_of_mut!(id) as u64, 0, 0, 0]
        )
        .is_ok());
        let mut old = [0u64; 4];
        assert!(raw_syscall(nr(libc::SYS_getitimer), [libc::ITIMER_REAL as u64, old.as_mut_ptr() as u64, 0, 0, 0, 0]).is_ok());
    }
}

sandboxed_test! {
    fn timers_are_denied_without_their_method() {
        apply(Timers::nothing().allow_timerfd());
        assert!(raw_syscall(nr(libc::SYS_timerfd_create), [libc::CLOCK_MONOTONIC as u64, 0, 0, 0, 0, 0]).is_ok());
        let mut old = [0u64; 4];
        assert_eq!(raw_syscall(nr(libc::SYS_getitimer), [libc::ITIMER_REAL as u64, old.as_mut_ptr() as u64, 0, 0, 0, 0]), EPERM);
        assert_eq!(raw_syscall(nr(libc::SYS_timer_create), [libc::CLOCK_MONOTONIC as u64, 0, 0, 0, 0, 0]), EPERM);
    }
}

sandboxed_test! {
    fn signals_to_self_only() {
        let pid = u64::from(std::process::id());
        let tid = raw_syscall(nr(libc::SYS_gettid), [0; 6]).unwrap() as u64;
        // Without the sandbox, signal 0 to init is allowed for root (an unprivileged user gets
        // the kernel's EPERM), and to the parent (the same user) for everyone: the denials
        // below are ours.
        let init = if common::is_root() { Ok(0) } else { EPERM };
        assert_eq!(raw_syscall(nr(libc::SYS_kill), [1, 0, 0, 0, 0, 0]), init);
        let ppid = raw_syscall(nr(libc::SYS_getppid), [0; 6]).unwrap() as u64;
        assert_eq!(raw_syscall(nr(libc::SYS_kill), [ppid, 0, 0, 0, 0, 0]), Ok(0));
        apply(Signals::nothing().allow_to_self().allow_wait());
        assert_eq!(raw_syscall(nr(libc::SYS_kill), [pid, 0, 0, 0, 0, 0]), Ok(0));
        assert_eq!(raw_syscall(nr(libc::SYS_tgkill), [pid, tid, 0, 0, 0, 0]), Ok(0));
        assert_eq!(raw_syscall(nr(libc::SYS_kill), [1, 0, 0, 0, 0, 0]), EPERM);
        assert_eq!(raw_syscall(nr(libc::SYS_kill), [ppid, 0, 0, 0, 0, 0]), EPERM);
        assert_eq!(raw_syscall(nr(libc::SYS_kill), [0u64.wrapping_sub(1), 0, 0, 0, 0, 0]), EPERM, "kill(-1) reaches every process");
        let mut set = [0u64; 2];
        assert!(raw_syscall(nr(libc::SYS_rt_sigpending), [set.as_mut_ptr() as u64, 8, 0, 0, 0, 0]).is_ok());
    }
}

#[cfg(feature = "landlock")]
sandboxed_test! {
    fn signals_to_children_stay_inside_the_sandbox() {
        use extrasafe::builtins::danger_zone::ForkAndExec;
        // stdout/stderr detached, so that the harness does not wait for it to end. The sandbox
        // forbids killing it (that is the point): it ends on its own and init reaps it.
        #[allow(clippy::zombie_processes)]
        let mut outside = std::process::Command::new("sleep")
            .arg("5")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let outside_pid = u64::from(outside.id());
        SafetyContext::new()
            .enable(Signals::nothing().allow_to_children().yes_really().allow_wait())
            .unwrap()
            .enable(ForkAndExec)
            .unwrap()
            .enable(SystemIO::nothing().allow_stderr())
            .unwrap()
            .apply_to_current_thread()
            .unwrap();
        // A child made inside the sandbox can be signalled.
        // The child only waits for a signal (a raw syscall) until it is killed.
        // clone(SIGCHLD): fork(2) on every architecture (aarch64 has no fork syscall).
        let child = raw_syscall(nr(libc::SYS_clone), [libc::SIGCHLD as u64, 0, 0, 0, 0, 0]);
        let child = match child {
            Ok(0) => loop {
                let empty_mask = 0u64;
                let _ = raw_syscall(
                    nr(libc::SYS_rt_sigsuspend),
                    [std::ptr::from_ref(&empty_mask) as u64, 8, 0, 0, 0, 0],
                );
            },
            Ok(pid) => pid as u64,
            Err(e) => panic!("fork: {e}"),
        };
        assert_eq!(raw_syscall(nr(libc::SYS_kill), [child, libc::SIGKILL as u64, 0, 0, 0, 0]), Ok(0));
        let mut status = 0i32;
        assert_eq!(
            raw_syscall(nr(libc::SYS_wait4), [child, std::ptr::addr_of_mut!(status) as u64, 0, 0, 0, 0]),
            Ok(child as i64)
        );
        // A process started before the sandbox cannot.
        assert_eq!(raw_syscall(nr(libc::SYS_kill), [outside_pid, 0, 0, 0, 0, 0]), EPERM);
        drop(outside.kill());
    }
}

fn mmap(prot: i32) -> Result<i64, i32> {
    raw_syscall(
        nr(libc::SYS_mmap),
        [
            0,
            4096,
            prot as u64,
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64,
            u64::MAX,
            0,
        ],
    )
}

sandboxed_test! {
    fn no_exec_memory_denies_executable_pages() {
        assert!(mmap(libc::PROT_READ | libc::PROT_EXEC).is_ok());
        apply(Memory::no_exec());
        let page = mmap(libc::PROT_READ | libc::PROT_WRITE).unwrap();
        assert_eq!(mmap(libc::PROT_READ | libc::PROT_EXEC), EPERM);
        assert_eq!(
            raw_syscall(nr(libc::SYS_mprotect), [page as u64, 4096, (libc::PROT_READ | libc::PROT_EXEC) as u64, 0, 0, 0]),
            EPERM
        );
        let v = vec![7u8; 1 << 24];
        assert_eq!(v[1 << 23], 7);
    }
}

sandboxed_test! {
    fn write_xor_execute_denies_writable_and_executable_pages() {
        apply(Memory::write_xor_execute());
        assert!(mmap(libc::PROT_READ | libc::PROT_WRITE).is_ok());
        assert!(mmap(libc::PROT_READ | libc::PROT_EXEC).is_ok());
        assert_eq!(mmap(libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC), EPERM);
        let page = mmap(libc::PROT_READ | libc::PROT_WRITE).unwrap();
        assert_eq!(
            raw_syscall(
                nr(libc::SYS_mprotect),
                [page as u64, 4096, (libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC) as u64, 0, 0, 0]
            ),
            EPERM
        );
    }
}

#[test]
fn memory_narrows_the_basics_and_says_so() {
    let explanation = SafetyContext::new()
        .enable(Memory::no_exec())
        .unwrap()
        .explain()
        .unwrap();
    assert!(explanation
        .narrowed_basics
        .contains(&extrasafe::syscalls::Sysno::mmap));
    assert!(explanation
        .narrowed_basics
        .contains(&extrasafe::syscalls::Sysno::mprotect));
}

sandboxed_test! {
    fn system_info_allows_sysinfo_getrusage_and_times() {
        apply(SystemInfo);
        let mut info = [0u8; 256];
        assert_eq!(raw_syscall(nr(libc::SYS_sysinfo), [info.as_mut_ptr() as u64, 0, 0, 0, 0, 0]), Ok(0));
        let mut usage = [0u8; 256];
        assert_eq!(raw_syscall(nr(libc::SYS_getrusage), [0, usage.as_mut_ptr() as u64, 0, 0, 0, 0]), Ok(0));
        assert!(raw_syscall(nr(libc::SYS_times), [usage.as_mut_ptr() as u64, 0, 0, 0, 0, 0]).is_ok());
    }
}

sandboxed_test! {
    fn system_info_is_denied_without_it() {
        apply(Signals::nothing().allow_wait());
        let mut info = [0u8; 256];
        assert_eq!(raw_syscall(nr(libc::SYS_sysinfo), [info.as_mut_ptr() as u64, 0, 0, 0, 0, 0]), EPERM);
    }
}

#[test]
fn harness_reports_kills() {
    // Keeps `run_in_child` in use in this file for custom outcomes.
    run_in_child("harness_reports_kills", || std::process::abort()).assert_killed_by(libc::SIGABRT);
}

sandboxed_test! {
    /// "This process" is the process that applies the context, not the one that built it: a
    /// child forked after building applies it and may signal itself, not its parent.
    fn signals_to_self_name_the_applying_process_after_a_fork() {
        let ctx = SafetyContext::new()
            .enable(Signals::nothing().allow_to_self())
            .unwrap();
        let parent = u64::from(std::process::id());
        // fork(): clone(SIGCHLD) with no stack, as libc's fork does.
        let child = raw_syscall(nr(libc::SYS_clone), [libc::SIGCHLD as u64, 0, 0, 0, 0, 0]).unwrap();
        if child == 0 {
            // The child: one thread; the context was built (and is compiled) with no lock held.
            let own = u64::from(std::process::id());
            if ctx.apply_to_current_thread().is_err() {
                common::exit_child_now(10);
            }
            let to_self = raw_syscall(nr(libc::SYS_kill), [own, 0, 0, 0, 0, 0]);
            let to_parent = raw_syscall(nr(libc::SYS_kill), [parent, 0, 0, 0, 0, 0]);
            common::exit_child_now(match (to_self, to_parent) {
                (Ok(0), Err(libc::EPERM)) => 0,
                (Ok(_), _) => 11,
                (Err(_), Ok(_)) => 12,
                _ => 13,
            });
        }
        assert_eq!(common::wait_exit_code(child as i32), 0, "11: the parent could be signalled; 12: self was denied and the parent allowed (the builder's pid)");
    }
}
