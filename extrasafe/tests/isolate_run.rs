//! `Isolate::run` and `Isolate::run_with`: what the isolated function sees and how its end is
//! reported. Each case runs in a process of its own (see `isolate_common`), and each isolate
//! in a re-executed process of its own.
//!
//! Most isolated functions return what they observed as their payload, and the case asserts
//! on it outside, so that a failure shows the observed value.

mod isolate_common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use extrasafe::isolate::{Capability, Isolate, IsolateError, IsolateStatus, Rlimit, RunOptions};
use isolate_common::{children_of, errno, is_dead, status_field, wait_until, Case};

// ---------------------------------------------------------------------------------------
// The isolates. Their builders are plain functions (`Isolate::main_hook` takes `fn`), so
// what varies per run (a directory, a port) comes through the environment, which the case
// process sets for itself and passes to the isolated function.

/// A directory on the host that a case made for bind mounts (in the environment).
const DIR_ENV: &str = "ISOLATE_TEST_DIR";

fn test_dir() -> PathBuf {
    PathBuf::from(std::env::var_os(DIR_ENV).expect("the case sets ISOLATE_TEST_DIR"))
}

fn payload_of(text: String) -> Vec<u8> {
    text.into_bytes()
}

fn pid_and_procs() -> Vec<u8> {
    let mut pids: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    payload_of(format!("{} {pids:?}", std::process::id()))
}

fn id_maps() -> Vec<u8> {
    let uid_map = std::fs::read_to_string("/proc/self/uid_map").unwrap();
    let gid_map = std::fs::read_to_string("/proc/self/gid_map").unwrap();
    let uid = status_field(std::process::id(), "Uid").unwrap();
    let setgroups = std::fs::read_to_string("/proc/self/setgroups").unwrap();
    let allow = std::fs::write("/proc/self/setgroups", "allow").map_err(|e| errno(&e));
    payload_of(format!(
        "uid_map={}|gid_map={}|uid={}|setgroups={}|allow={allow:?}",
        uid_map.split_whitespace().collect::<Vec<_>>().join(" "),
        gid_map.split_whitespace().collect::<Vec<_>>().join(" "),
        uid.split_whitespace().collect::<Vec<_>>().join(" "),
        setgroups.trim()
    ))
}

fn network() -> Vec<u8> {
    let host_port: u16 = std::env::var("HOST_PORT").unwrap().parse().unwrap();
    let host = match TcpStream::connect(("127.0.0.1", host_port)) {
        Ok(_) => "connected".to_string(),
        Err(e) => format!("errno {}", errno(&e)),
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (mut server, _) = listener.accept().unwrap();
    client.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    server.read_exact(&mut buf).unwrap();
    payload_of(format!(
        "host: {host}; loopback: {}",
        String::from_utf8_lossy(&buf)
    ))
}

fn binds() -> Vec<u8> {
    let ro_write = std::fs::write("/ro/file", b"changed").map_err(|e| errno(&e));
    let ro_create = std::fs::write("/ro/new", b"x").map_err(|e| errno(&e));
    let ro_read = std::fs::read_to_string("/ro/file").unwrap();
    let nested_write = std::fs::write("/ro/sub/inner", b"changed").map_err(|e| errno(&e));
    let rw_write = std::fs::write("/rw/written", b"from inside").map_err(|e| errno(&e));
    payload_of(format!(
        "ro write: {ro_write:?}; ro create: {ro_create:?}; ro read: {ro_read}; nested: \
         {nested_write:?}; rw write: {rw_write:?}"
    ))
}

/// What opening the special files under `/s` (a read-only bind of the case's `special`
/// directory) and the device binds does.
fn special_files() -> Vec<u8> {
    use std::os::unix::fs::OpenOptionsExt;
    let open_for_write = |path: &str| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map(drop)
            .map_err(|e| errno(&e))
    };
    let dev_null_ro = open_for_write("/ro-null");
    let dev_null_rw = open_for_write("/rw-null");
    let node = if std::path::Path::new("/s/null").exists() {
        format!("{:?}", open_for_write("/s/null"))
    } else {
        "none".to_string()
    };
    let socket = std::os::unix::net::UnixStream::connect("/s/sock")
        .and_then(|mut s| s.write_all(b"s"))
        .map_err(|e| errno(&e));
    let fifo = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open("/s/fifo")
        .and_then(|mut f| f.write_all(b"f"))
        .map_err(|e| errno(&e));
    payload_of(format!(
        "ro /dev/null: {dev_null_ro:?}; rw /dev/null: {dev_null_rw:?}; node: {node}; socket: \
         {socket:?}; fifo: {fifo:?}"
    ))
}

/// The `Groups:` line of the isolated process's status.
fn supplementary_groups() -> Vec<u8> {
    payload_of(status_field(std::process::id(), "Groups").unwrap())
}

/// The capability lines (and NoNewPrivs, Seccomp) of a `/proc/*/status`.
fn capability_fields(status: &str) -> Vec<String> {
    status
        .lines()
        .filter(|l| {
            l.starts_with("Cap") || l.starts_with("NoNewPrivs") || l.starts_with("Seccomp:")
        })
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn capabilities() -> Vec<u8> {
    // thread-self: capabilities are per thread.
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    let mut fields = capability_fields(&status);
    // What CAP_NET_ADMIN allows: configure the (own) loopback interface.
    fields.push(format!("set lo mtu={:?}", set_loopback_mtu(1500)));
    // What CAP_SYS_CHROOT allows (last: it changes the root).
    let chroot = std::os::unix::fs::chroot("/tmp").map_err(|e| errno(&e));
    fields.push(format!("chroot={chroot:?}"));
    payload_of(fields.join("|"))
}

/// `SIOCSIFMTU` on `lo`: the errno if it fails.
#[allow(unsafe_code)]
fn set_loopback_mtu(mtu: i32) -> Result<(), i32> {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: socket takes integer arguments.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    // SAFETY: socket just returned this descriptor and nothing else owns it.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: ifreq is plain data; all-zero is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    req.ifr_ifru.ifru_mtu = mtu;
    // SAFETY: `req` is a valid ifreq naming "lo" with the MTU set; the kernel only reads it.
    let rc = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFMTU, &req) };
    if rc == 0 {
        Ok(())
    } else {
        Err(errno(&std::io::Error::last_os_error()))
    }
}

/// The capabilities of a program the isolated process executes.
fn capabilities_after_exec() -> Vec<u8> {
    let cat = ["/usr/bin/cat", "/bin/cat"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("cat is bound into the isolate");
    let out = std::process::Command::new(cat)
        .arg("/proc/self/status")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    payload_of(capability_fields(&String::from_utf8_lossy(&out.stdout)).join("|"))
}

/// The host directories a dynamically linked `cat` needs, bound read-only.
fn with_system_dirs(mut isolate: Isolate) -> Isolate {
    for dir in ["/usr", "/bin", "/lib", "/lib64"] {
        if std::path::Path::new(dir).exists() {
            isolate = isolate.add_bind_mount(dir, dir);
        }
    }
    isolate
}

fn open_fds() -> Vec<u8> {
    let open: Vec<i32> = (0..4096)
        .filter(|&fd| {
            // fcntl(F_GETFD) opens nothing, so the probe does not see itself.
            isolate_common_fcntl(fd)
        })
        .collect();
    payload_of(format!("{open:?}"))
}

#[allow(unsafe_code)]
fn isolate_common_fcntl(fd: i32) -> bool {
    // SAFETY: F_GETFD takes no argument and only reports whether `fd` is open.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

fn spawn_threads() -> Vec<u8> {
    let mut spawned = 0;
    let mut error = None;
    let mut handles = Vec::new();
    for _ in 0..32 {
        match std::thread::Builder::new()
            .spawn(|| std::thread::sleep(std::time::Duration::from_millis(500)))
        {
            Ok(h) => {
                spawned += 1;
                handles.push(h);
            }
            Err(e) => {
                error = Some(errno(&e));
                break;
            }
        }
    }
    for h in handles {
        h.join().unwrap();
    }
    payload_of(format!("spawned {spawned}; error {error:?}"))
}

fn fill_tmp() -> Vec<u8> {
    let mut f = std::fs::File::create("/tmp/fill").unwrap();
    let chunk = vec![0xa5u8; 64 * 1024];
    let mut written = 0usize;
    let err = loop {
        match f.write_all(&chunk) {
            Ok(()) => written += chunk.len(),
            Err(e) => break errno(&e),
        }
        assert!(written < 64 << 20, "wrote 64 MiB into a 1 MiB root");
    };
    payload_of(format!("errno {err} after {} KiB", written / 1024))
}

fn exit_seven() {
    std::process::exit(7);
}

fn abort() {
    std::process::abort();
}

#[allow(unsafe_code)]
fn raise(signal: i32) {
    // SAFETY: raise takes an integer; the signal's default action ends the process.
    unsafe { libc::raise(signal) };
    panic!("raise({signal}) returned");
}

fn raise_sigkill() {
    raise(libc::SIGKILL);
}

fn raise_sigterm() {
    raise(libc::SIGTERM);
}

/// Orphans a grandchild (its parent exits first), lets it end, and returns the processes
/// that remain in the namespace once it is gone: a zombie would stay listed.
#[allow(unsafe_code)]
fn orphan_a_grandchild() -> Vec<u8> {
    // SAFETY: the isolated process has one thread; the children only call fork, getppid,
    // usleep and _exit.
    let middle = unsafe { libc::fork() };
    assert!(middle >= 0, "fork: {}", std::io::Error::last_os_error());
    if middle == 0 {
        // SAFETY: as above.
        unsafe {
            if libc::fork() == 0 {
                // Wait until orphaned: adopted by PID 1 once `middle` has exited.
                while libc::getppid() != 1 {
                    libc::usleep(1000);
                }
                libc::_exit(0);
            }
            libc::_exit(0);
        }
    }
    let mut status = 0;
    // SAFETY: `status` is a valid int for the kernel to fill.
    assert_eq!(unsafe { libc::waitpid(middle, &mut status, 0) }, middle);
    let pids = || {
        let mut pids: Vec<u32> = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        pids.sort_unstable();
        pids
    };
    let mut left = pids();
    for _ in 0..500 {
        if left.len() <= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        left = pids();
    }
    payload_of(format!("pid {} sees {left:?}", std::process::id()))
}

/// The descriptor named by `READY_FD`: the isolated function writes a byte there once it
/// is ready for a signal.
#[allow(unsafe_code)]
fn say_ready() {
    let fd: i32 = std::env::var("READY_FD").unwrap().parse().unwrap();
    // SAFETY: the caller passed this descriptor on purpose; the buffer is one valid byte.
    assert_eq!(unsafe { libc::write(fd, b"r".as_ptr().cast(), 1) }, 1);
}

fn ready_then_sleep() {
    say_ready();
    sleep_forever();
}

/// Blocks SIGTERM, says it is ready, and returns who sent the SIGTERM it then waits for.
#[allow(unsafe_code)]
fn wait_for_sigterm() -> Vec<u8> {
    // SAFETY: sigset_t and siginfo_t are plain data (all-zero is valid); the calls only
    // write to them, or read the set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        assert_eq!(
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()),
            0
        );
        say_ready();
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let signal = libc::sigwaitinfo(&set, &mut info);
        payload_of(format!("signal {signal} from pid {}", info.si_pid()))
    }
}

fn panic_boom() {
    panic!("boom {}", 42);
}

fn hello() {
    println!("hello from inside");
    eprintln!("and to stderr");
}

fn environment() -> Vec<u8> {
    let mut vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
    vars.sort();
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    // Field 6 of /proc/self/stat is the session id.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = stat.rsplit_once(')').unwrap().1;
    let session = after.split_whitespace().nth(3).unwrap().to_string();
    let mut dev: Vec<String> = std::fs::read_dir("/dev")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dev.sort();
    let null = std::fs::write("/dev/null", b"x").is_ok();
    let mut random = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(&mut random)
        .unwrap();
    let root_entries = std::fs::read_dir("/").unwrap().count();
    payload_of(format!(
        "env={vars:?}|host={}|session={session}|dev={dev:?}|null={null}|random={}|root={root_entries}",
        hostname.trim(),
        random.iter().any(|&b| b != 0)
    ))
}

/// The first thing the user code does: look at the init (PID 1). Its filter and its
/// non-dumpability must be in place already, or the user code could attach to it.
fn look_at_the_init() -> Vec<u8> {
    let seccomp = status_field(1, "Seccomp").unwrap_or_default();
    let mem = std::fs::File::open("/proc/1/mem")
        .map(drop)
        .map_err(|e| errno(&e));
    format!("Seccomp: {seccomp}|mem: {mem:?}").into_bytes()
}

fn sleep_forever() {
    loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

fn build(name: &'static str) -> Isolate {
    match name {
        "pid" => Isolate::new_with_payload(name, pid_and_procs),
        "ids" => Isolate::new_with_payload(name, id_maps).configure(|c| c.user(1000, 1001)),
        "net" => Isolate::new_with_payload(name, network),
        "binds" => Isolate::new_with_payload(name, binds)
            .add_bind_mount(test_dir().join("ro"), "/ro")
            .add_bind_mount_writable(test_dir().join("rw"), "/rw"),
        "dotdot" => Isolate::new(name, hello).add_bind_mount(
            test_dir().join("ro"),
            "/../../../../../../../../tmp/extrasafe-escape",
        ),
        "special" => Isolate::new_with_payload(name, special_files)
            .add_bind_mount(test_dir().join("special"), "/s")
            .add_bind_mount("/dev/null", "/ro-null")
            .add_bind_mount_writable("/dev/null", "/rw-null"),
        "groups" => Isolate::new_with_payload(name, supplementary_groups),
        "symlink" => Isolate::new(name, hello)
            .add_bind_mount(test_dir().join("with-link"), "/a")
            .add_bind_mount(test_dir().join("ro"), "/a/link/escape"),
        "caps" => Isolate::new_with_payload(name, capabilities),
        "kept_caps" => Isolate::new_with_payload(name, capabilities).configure(|c| {
            c.keep_capability(Capability::SysChroot)
                .keep_capability(Capability::NetAdmin)
        }),
        "kept_caps_exec" => {
            with_system_dirs(Isolate::new_with_payload(name, capabilities_after_exec)).configure(
                |c| {
                    c.keep_capability(Capability::SysChroot)
                        .keep_capability(Capability::NetAdmin)
                },
            )
        }
        "fds" => Isolate::new_with_payload(name, open_fds),
        "nproc" => Isolate::new_with_payload(name, spawn_threads).configure(|c| {
            let c = c.rlimit(Rlimit::Processes, 6);
            // Host root is exempt from RLIMIT_NPROC: run as nobody.
            if isolate_common::is_root() {
                c.host_user(65534, 65534)
            } else {
                c
            }
        }),
        "full" => Isolate::new_with_payload(name, fill_tmp).set_rootfs_size(1),
        "exit" => Isolate::new(name, exit_seven),
        "abort" => Isolate::new(name, abort),
        "raise_sigkill" => Isolate::new(name, raise_sigkill),
        "raise_sigterm" => Isolate::new(name, raise_sigterm),
        "orphan" => Isolate::new_with_payload(name, orphan_a_grandchild),
        "ready_then_sleep" => Isolate::new(name, ready_then_sleep),
        "wait_for_sigterm" => Isolate::new_with_payload(name, wait_for_sigterm),
        "panic" => Isolate::new(name, panic_boom),
        "hello" => Isolate::new(name, hello),
        "env" => Isolate::new_with_payload(name, environment)
            .configure(|c| c.hostname("box").env("FROM_CONFIG", "yes")),
        "sleep" => Isolate::new(name, sleep_forever),
        "look_at_init" => Isolate::new_with_payload(name, look_at_the_init),
        other => panic!("no isolate {other}"),
    }
}

const ISOLATES: [&str; 26] = [
    "pid",
    "special",
    "groups",
    "ids",
    "net",
    "binds",
    "dotdot",
    "symlink",
    "caps",
    "kept_caps",
    "kept_caps_exec",
    "fds",
    "nproc",
    "full",
    "exit",
    "abort",
    "raise_sigkill",
    "raise_sigterm",
    "orphan",
    "ready_then_sleep",
    "wait_for_sigterm",
    "panic",
    "hello",
    "env",
    "sleep",
    "look_at_init",
];

// ---------------------------------------------------------------------------------------
// The cases.

fn run(name: &str) -> extrasafe::isolate::IsolateOutput {
    run_opts(name, &RunOptions::new())
}

fn run_opts(name: &str, options: &RunOptions<'_>) -> extrasafe::isolate::IsolateOutput {
    match Isolate::run_with(name, options) {
        Ok(out) => out,
        Err(e) => panic!("isolate {name} failed: {e}"),
    }
}

fn text(out: &extrasafe::isolate::IsolateOutput) -> String {
    assert_eq!(
        out.status,
        IsolateStatus::Exited(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.payload.clone().expect("the function returned")).unwrap()
}

/// A fresh directory for one case, named in the environment for the builders.
fn make_test_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("extrasafe-isolate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("ro/sub")).unwrap();
    std::fs::create_dir_all(dir.join("rw")).unwrap();
    std::fs::write(dir.join("ro/file"), b"original").unwrap();
    std::fs::write(dir.join("ro/sub/inner"), b"original").unwrap();
    std::env::set_var(DIR_ENV, &dir);
    dir
}

/// The function runs as PID 2, under the init (PID 1), and sees only the two of them.
fn pid_is_two_under_an_init_and_no_host_pids_are_visible() {
    assert_eq!(text(&run("pid")), "2 [1, 2]");
}

fn uid_map_is_as_configured_and_setgroups_is_denied() {
    let (euid, egid) = (
        status_field(std::process::id(), "Uid").unwrap(),
        status_field(std::process::id(), "Gid").unwrap(),
    );
    let host_uid = euid.split_whitespace().nth(1).unwrap().to_string();
    let host_gid = egid.split_whitespace().nth(1).unwrap().to_string();
    let got = text(&run("ids"));
    assert_eq!(
        got,
        format!(
            "uid_map=1000 {host_uid} 1|gid_map=1001 {host_gid} 1|uid=1000 1000 1000 1000|\
             setgroups=deny|allow=Err({})",
            libc::EACCES
        )
    );
}

fn no_route_to_a_host_port_but_loopback_inside_works() {
    let host = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = host.local_addr().unwrap().port();
    let got = text(&run_opts(
        "net",
        &RunOptions::new().env("HOST_PORT", port.to_string()),
    ));
    assert_eq!(
        got,
        format!("host: errno {}; loopback: ping", libc::ECONNREFUSED)
    );
}

fn read_only_binds_give_erofs_and_writable_binds_write_through() {
    let dir = make_test_dir();
    // A mount below the read-only bind's source must be read-only inside too: make one, in
    // a mount namespace of this case process only (the isolate inherits a copy).
    mount_tmpfs_privately(&dir.join("ro/sub"));
    std::fs::write(dir.join("ro/sub/inner"), b"original").unwrap();
    let got = text(&run_opts("binds", &RunOptions::new().env(DIR_ENV, &dir)));
    let erofs = libc::EROFS;
    assert_eq!(
        got,
        format!(
            "ro write: Err({erofs}); ro create: Err({erofs}); ro read: original; nested: \
             Err({erofs}); rw write: Ok(())"
        )
    );
    assert_eq!(std::fs::read(dir.join("ro/file")).unwrap(), b"original");
    assert_eq!(
        std::fs::read(dir.join("rw/written")).unwrap(),
        b"from inside"
    );
    unmount(&dir.join("ro/sub"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// A read-only bind is mounted `nodev`: a device node in it (or a device file bound
/// read-only) cannot be opened, not even for writing, which a read-only mount alone does not
/// stop. A writable bind passes a device on. Sockets and fifos are not devices: a read-only
/// bind does not keep the isolated process from connecting to a unix socket or writing to a
/// fifo in it, as the kernel's semantics are (the module documentation says so).
#[allow(unsafe_code)]
fn read_only_binds_open_no_devices_but_reach_sockets_and_fifos() {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = make_test_dir();
    let special = dir.join("special");
    std::fs::create_dir_all(&special).unwrap();
    let listener = std::os::unix::net::UnixListener::bind(special.join("sock")).unwrap();
    let fifo = std::ffi::CString::new(special.join("fifo").to_str().unwrap()).unwrap();
    // SAFETY: `fifo` is a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o666) }, 0);
    let mut fifo_reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(special.join("fifo"))
        .unwrap();
    // Only root can make a device node (the character device of /dev/null, 1:3).
    if isolate_common::is_root() {
        let node = std::ffi::CString::new(special.join("null").to_str().unwrap()).unwrap();
        // SAFETY: `node` is a NUL-terminated path that outlives the call.
        let rc = unsafe { libc::mknod(node.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
        assert_eq!(rc, 0, "mknod: {}", std::io::Error::last_os_error());
    }
    let got = text(&run_opts("special", &RunOptions::new().env(DIR_ENV, &dir)));
    let node = if isolate_common::is_root() {
        format!("Err({})", libc::EACCES)
    } else {
        "none".to_string()
    };
    assert_eq!(
        got,
        format!(
            "ro /dev/null: Err({eacces}); rw /dev/null: Ok(()); node: {node}; socket: Ok(()); \
             fifo: Ok(())",
            eacces = libc::EACCES
        )
    );
    // What the isolated process sent through the socket and the fifo arrived on the host.
    let (mut conn, _) = listener.accept().unwrap();
    let mut byte = [0u8; 1];
    conn.read_exact(&mut byte).unwrap();
    assert_eq!(&byte, b"s");
    fifo_reader.read_exact(&mut byte).unwrap();
    assert_eq!(&byte, b"f");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The supplementary groups of the caller as the isolated process sees them: none where the
/// kernel lets them be dropped (a caller that is root on the host, which this case gives
/// two), else the caller's, unmapped (the overflow gid) but for its own group, which is the
/// isolate's group 0 (an unprivileged caller must deny setgroups before it maps its group,
/// which freezes the list).
#[allow(unsafe_code)]
fn supplementary_groups_are_dropped_where_the_kernel_allows() {
    if isolate_common::is_root() {
        let groups: [libc::gid_t; 2] = [1234, 5678];
        // SAFETY: the pointer and length describe `groups`, which the kernel only reads.
        let rc = unsafe { libc::setgroups(groups.len(), groups.as_ptr()) };
        assert_eq!(rc, 0, "setgroups: {}", std::io::Error::last_os_error());
    }
    let host: Vec<u32> = status_field(std::process::id(), "Groups")
        .unwrap()
        .split_whitespace()
        .map(|g| g.parse().unwrap())
        .collect();
    // SAFETY: getegid cannot fail and touches no memory.
    let egid = unsafe { libc::getegid() };
    let overflow: u32 = std::fs::read_to_string("/proc/sys/kernel/overflowgid")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let expected: Vec<u32> = if isolate_common::is_root() {
        Vec::new()
    } else {
        let mut inside: Vec<u32> = host
            .iter()
            .map(|&g| if g == egid { 0 } else { overflow })
            .collect();
        inside.sort_unstable();
        inside
    };
    let got = text(&run("groups"));
    let mut inside: Vec<u32> = got.split_whitespace().map(|g| g.parse().unwrap()).collect();
    inside.sort_unstable();
    assert_eq!(inside, expected, "host groups {host:?}, inside: {got:?}");
}

/// The variable the library uses to tell a re-executed program which isolate to enter.
const MARKER: &str = "__EXTRASAFE_ISOLATE";
/// Makes this binary print a line from its normal `main` (after the hooks) and exit.
const PROBE_ENV: &str = "ISOLATE_RUN_PROBE";

/// Whoever sets the environment of the program cannot make it run an isolated function
/// instead of its `main`: a marker the library's own `Isolate::run` did not make is ignored
/// (and removed), whatever descriptors it names, and `main` runs as usual. A real run still
/// enters the isolate.
#[allow(unsafe_code)]
fn a_forged_isolate_marker_is_ignored_and_main_runs() {
    // An open descriptor for the forged markers to name: the program inherits it.
    let (inherited, _peer) = std::os::unix::net::UnixStream::pair().unwrap();
    let fd = inherited.as_raw_fd();
    // SAFETY: F_SETFD takes an integer; this case process owns `inherited`.
    assert_eq!(unsafe { libc::fcntl(fd, libc::F_SETFD, 0) }, 0);
    let zeros = "0".repeat(32);
    let forged = [
        format!("{fd}::hello"),
        format!("{fd}:{fd}:{zeros}::hello"),
        format!("{fd}:{fd}:{zeros}:{fd}:hello"),
        "not a marker".to_string(),
        format!("{fd}:{fd}::hello"),
    ];
    for marker in forged {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env_remove(isolate_common::CASE_ENV)
            .env(PROBE_ENV, "1")
            .env(MARKER, &marker)
            .output()
            .unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned()
            ),
            (
                Some(0),
                "normal main, marker: None\n".to_string(),
                String::new()
            ),
            "forged marker {marker:?}"
        );
    }
    // A sealed memory file, as `run` hands over, but with another token: ignored too.
    let sealed = sealed_memfd(&[0x11; 16]);
    let sealed_fd = sealed.as_raw_fd();
    let wrong = format!("{fd}:{sealed_fd}:{zeros}::hello");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env_remove(isolate_common::CASE_ENV)
        .env(PROBE_ENV, "1")
        .env(MARKER, &wrong)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "normal main, marker: None\n",
        "{wrong:?}: {out:?}"
    );
    // With the token it holds, the marker is believed: whoever can hand the program a
    // descriptor starts it as `run` does (the token keeps out those who set only the
    // environment).
    let right = format!("{fd}:{sealed_fd}:{}::hello", "11".repeat(16));
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env_remove(isolate_common::CASE_ENV)
        .env(PROBE_ENV, "1")
        .env(MARKER, &right)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello from inside\n",
        "{right:?}: {out:?}"
    );
    drop(sealed);
    drop(inherited);
    // The library's own re-execution still enters the isolate.
    let out = run("hello");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, b"hello from inside\n");
}

/// A memory file holding `data`, sealed as the library seals its token, inherited by the
/// programs this process starts (no close-on-exec).
#[allow(unsafe_code)]
fn sealed_memfd(data: &[u8]) -> std::fs::File {
    use std::os::fd::FromRawFd;
    // SAFETY: the name is a NUL-terminated string; flags are integers.
    let fd = unsafe { libc::memfd_create(c"forged".as_ptr(), libc::MFD_ALLOW_SEALING) };
    assert!(fd >= 0, "memfd_create: {}", std::io::Error::last_os_error());
    // SAFETY: memfd_create just returned this descriptor and nothing else owns it.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    file.write_all(data).unwrap();
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: F_ADD_SEALS takes an integer argument.
    assert_eq!(unsafe { libc::fcntl(fd, libc::F_ADD_SEALS, seals) }, 0);
    file
}

/// Mounts a tmpfs at `at` in a new mount namespace of this (single-threaded) process.
#[allow(unsafe_code)]
fn mount_tmpfs_privately(at: &std::path::Path) {
    use std::ffi::CString;
    let at = CString::new(at.as_os_str().to_str().unwrap()).unwrap();
    // SAFETY: integer flags; every pointer is NULL or a NUL-terminated string that outlives
    // the call. The case process has one thread here (unshare would fail otherwise).
    unsafe {
        if !isolate_common::is_root() {
            // Without CAP_SYS_ADMIN a mount namespace needs a user namespace of its own, in
            // which this process keeps its uid and gid (the isolate nests its own inside).
            assert_eq!(libc::unshare(libc::CLONE_NEWNS), -1);
            assert_eq!(errno(&std::io::Error::last_os_error()), libc::EPERM);
            let (uid, gid) = (libc::geteuid(), libc::getegid());
            assert_eq!(libc::unshare(libc::CLONE_NEWUSER), 0);
            std::fs::write("/proc/self/setgroups", "deny").unwrap();
            std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1")).unwrap();
            std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1")).unwrap();
        }
        assert_eq!(
            libc::unshare(libc::CLONE_NEWNS),
            0,
            "{}",
            std::io::Error::last_os_error()
        );
        let none = std::ptr::null();
        let root = c"/";
        assert_eq!(
            libc::mount(
                none,
                root.as_ptr(),
                none,
                libc::MS_REC | libc::MS_PRIVATE,
                none.cast()
            ),
            0
        );
        let tmpfs = c"tmpfs";
        assert_eq!(
            libc::mount(tmpfs.as_ptr(), at.as_ptr(), tmpfs.as_ptr(), 0, none.cast()),
            0,
            "{}",
            std::io::Error::last_os_error()
        );
    }
}

/// Unmounts what `mount_tmpfs_privately` mounted.
#[allow(unsafe_code)]
fn unmount(at: &std::path::Path) {
    let at = std::ffi::CString::new(at.as_os_str().to_str().unwrap()).unwrap();
    // SAFETY: `at` is a NUL-terminated string that outlives the call.
    assert_eq!(unsafe { libc::umount2(at.as_ptr(), 0) }, 0);
}

fn a_dotdot_destination_is_rejected_and_nothing_is_created_on_the_host() {
    let dir = make_test_dir();
    let _ = std::fs::remove_dir_all("/tmp/extrasafe-escape");
    let err = Isolate::run_with("dotdot", &RunOptions::new().env(DIR_ENV, &dir)).unwrap_err();
    assert!(
        matches!(err, IsolateError::InvalidBindDestination { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("`..`") && msg.contains("nothing was mounted"),
        "{msg}"
    );
    assert!(!std::path::Path::new("/tmp/extrasafe-escape").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

fn a_symlink_on_the_way_to_a_destination_is_rejected() {
    let dir = make_test_dir();
    let escape = dir.join("outside");
    std::fs::create_dir_all(dir.join("with-link")).unwrap();
    std::fs::create_dir_all(&escape).unwrap();
    // Inside, /a/link would point at this host directory if it were followed before
    // pivot_root.
    std::os::unix::fs::symlink(&escape, dir.join("with-link/link")).unwrap();
    let err = Isolate::run_with("symlink", &RunOptions::new().env(DIR_ENV, &dir)).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, IsolateError::Setup { .. }), "{err:?}");
    assert!(msg.contains("symbolic link"), "{msg}");
    assert!(
        !escape.join("escape").exists(),
        "a mount point was created outside"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn capabilities_are_all_dropped_with_no_new_privs() {
    let got = text(&run("caps"));
    assert_eq!(
        got,
        format!(
            "CapInh: 0000000000000000|CapPrm: 0000000000000000|CapEff: 0000000000000000|\
             CapBnd: 0000000000000000|CapAmb: 0000000000000000|NoNewPrivs: 1|Seccomp: 0|\
             set lo mtu=Err({eperm})|chroot=Err({eperm})",
            eperm = libc::EPERM
        )
    );
}

/// CAP_NET_ADMIN is bit 12, CAP_SYS_CHROOT bit 18.
const KEPT: &str = "0000000000041000";

fn kept_capabilities_stay_in_the_bounding_permitted_and_effective_sets_only() {
    assert_eq!(
        (1u64 << Capability::NetAdmin.number()) | (1 << Capability::SysChroot.number()),
        u64::from_str_radix(KEPT, 16).unwrap()
    );
    let got = text(&run("kept_caps"));
    assert_eq!(
        got,
        format!(
            "CapInh: 0000000000000000|CapPrm: {KEPT}|CapEff: {KEPT}|CapBnd: {KEPT}|\
             CapAmb: 0000000000000000|NoNewPrivs: 1|Seccomp: 0|set lo mtu=Ok(())|chroot=Ok(())"
        )
    );
}

fn kept_capabilities_do_not_survive_execve() {
    let got = text(&run("kept_caps_exec"));
    assert_eq!(
        got,
        format!(
            "CapInh: 0000000000000000|CapPrm: 0000000000000000|CapEff: 0000000000000000|\
             CapBnd: {KEPT}|CapAmb: 0000000000000000|NoNewPrivs: 1|Seccomp: 0"
        )
    );
}

fn only_passed_descriptors_are_open() {
    let file = std::fs::File::open("/proc/self/status").unwrap();
    let other = std::fs::File::open("/proc/self/stat").unwrap();
    let fd = file.as_raw_fd();
    let got = text(&run_opts("fds", &RunOptions::new().pass_fd(file.as_fd())));
    assert_eq!(got, format!("[0, 1, 2, {fd}]"));
    drop(other);
}

/// Waits until the supervisor (the only child of this process), the init (PID 1 of the
/// namespace) and the isolated process (PID 2, without capabilities) run; returns their
/// host pids.
fn wait_for_isolated() -> (u32, u32, u32) {
    let me = std::process::id();
    let mut supervisor = 0;
    wait_until("the re-executed program starts", || {
        supervisor = children_of(me).first().copied().unwrap_or(0);
        supervisor != 0
    });
    let in_namespace = |pid: u32, ns_pid: &str| {
        status_field(pid, "NSpid").is_some_and(|ns| ns.split_whitespace().last() == Some(ns_pid))
    };
    let (mut init, mut isolated) = (0, 0);
    wait_until("the init and the isolated process run", || {
        init = children_of(supervisor).first().copied().unwrap_or(0);
        isolated = children_of(init).first().copied().unwrap_or(0);
        init != 0
            && isolated != 0
            && in_namespace(init, "1")
            && in_namespace(isolated, "2")
            && status_field(isolated, "CapEff").as_deref() == Some("0000000000000000")
    });
    (supervisor, init, isolated)
}

/// The user code starts only once the init has restricted itself: from its first
/// instruction it finds the init under seccomp and not dumpable (`/proc/1/mem` cannot be
/// opened). Run many times: without the init's ready byte, the user code raced the init.
fn the_user_code_starts_after_the_init_is_restricted() {
    for _ in 0..20 {
        let out = text(&run("look_at_init"));
        assert_eq!(out, format!("Seccomp: 2|mem: Err({})", libc::EACCES));
    }
}

fn killing_the_supervisor_kills_the_isolated_process() {
    let worker = std::thread::spawn(|| Isolate::run_with("sleep", &RunOptions::new()));
    let (supervisor, init, isolated) = wait_for_isolated();
    isolate_common::kill(supervisor, libc::SIGKILL);
    wait_until("the init dies", || is_dead(init));
    wait_until("the isolated process dies", || is_dead(isolated));
    let result = worker.join().unwrap();
    assert!(result.is_err(), "{result:?}");
}

/// The init holds nothing the isolated process does not: no capability, no descriptor but
/// 0–2, a seccomp filter of its own; and it is not dumpable, so that the isolated process
/// (same user) cannot trace it.
fn the_init_is_restricted_and_runs_no_user_code() {
    let worker = std::thread::spawn(|| Isolate::run_with("sleep", &RunOptions::new()));
    let (supervisor, init, isolated) = wait_for_isolated();
    for set in ["CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb"] {
        assert_eq!(
            status_field(init, set).as_deref(),
            Some("0000000000000000"),
            "{set} of the init"
        );
    }
    assert_eq!(status_field(init, "Seccomp").as_deref(), Some("2"));
    assert_eq!(status_field(init, "NoNewPrivs").as_deref(), Some("1"));
    // Not dumpable: its /proc files belong to host root, not to the user it runs as (and
    // so not to the isolated process, which runs as that user).
    let owner = |pid: u32| std::fs::metadata(format!("/proc/{pid}/fd")).unwrap().uid();
    assert_eq!(owner(init), 0, "the owner of the init's /proc files");
    if !isolate_common::is_root() {
        assert_ne!(
            owner(isolated),
            0,
            "the owner of the isolated process's /proc files"
        );
    }
    if isolate_common::is_root() {
        // Only root may list the descriptors of a process that is not dumpable.
        let fds: Vec<u32> = std::fs::read_dir(format!("/proc/{init}/fd"))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        assert!(fds.iter().all(|&fd| fd <= 2), "the init holds {fds:?}");
    }
    isolate_common::kill(supervisor, libc::SIGKILL);
    wait_until("the isolated process dies", || is_dead(isolated));
    let _ = worker.join().unwrap();
}

fn signals_without_a_handler_end_the_isolated_function() {
    assert_eq!(
        run("raise_sigkill").status,
        IsolateStatus::Signaled(libc::SIGKILL)
    );
    assert_eq!(
        run("raise_sigterm").status,
        IsolateStatus::Signaled(libc::SIGTERM)
    );
    assert_eq!(run("abort").status, IsolateStatus::Signaled(libc::SIGABRT));
    assert_eq!(run("exit").status, IsolateStatus::Exited(7));
}

fn the_init_reaps_orphaned_zombies() {
    let got = text(&run("orphan"));
    // A zombie would still be listed in /proc.
    assert_eq!(got, "pid 2 sees [1, 2]");
}

/// Runs `isolate` on a thread with a socket to say it is ready, waits until it is, and
/// sends SIGTERM to the supervisor: the pid the caller's `Command` knows.
fn sigterm_to_the_supervisor_of(isolate: &'static str) -> extrasafe::isolate::IsolateOutput {
    let (mut ready_r, ready_w) = std::os::unix::net::UnixStream::pair().unwrap();
    let worker = std::thread::spawn(move || {
        let fd = ready_w.as_raw_fd();
        let out = Isolate::run_with(
            isolate,
            &RunOptions::new()
                .pass_fd(ready_w.as_fd())
                .env("READY_FD", fd.to_string()),
        );
        drop(ready_w);
        out
    });
    let mut byte = [0u8; 1];
    ready_r.read_exact(&mut byte).unwrap();
    let (supervisor, _, _) = wait_for_isolated();
    isolate_common::kill(supervisor, libc::SIGTERM);
    match worker.join().unwrap() {
        Ok(out) => out,
        Err(e) => panic!("isolate {isolate} failed: {e}"),
    }
}

fn a_sigterm_from_outside_reaches_the_isolated_function() {
    // Without a handler, it ends the function, which is reported as such.
    let out = sigterm_to_the_supervisor_of("ready_then_sleep");
    assert_eq!(out.status, IsolateStatus::Signaled(libc::SIGTERM));
    // Waited for, it arrives, passed on by the init (PID 1).
    let out = sigterm_to_the_supervisor_of("wait_for_sigterm");
    assert_eq!(text(&out), format!("signal {} from pid 1", libc::SIGTERM));
}

fn a_process_rlimit_holds() {
    let got = text(&run("nproc"));
    // 6 tasks of the isolated user: the supervisor, the init, the main thread, and at most 3
    // more.
    assert!(
        got.starts_with("spawned ") && got.ends_with(&format!("error Some({})", libc::EAGAIN)),
        "{got}"
    );
    let spawned: u32 = got["spawned ".len()..]
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3).contains(&spawned), "{got}");
}

fn a_full_root_gives_enospc() {
    let got = text(&run("full"));
    assert!(
        got.starts_with(&format!("errno {} after", libc::ENOSPC)),
        "{got}"
    );
}

fn exit_codes_signals_and_panics_are_told_apart() {
    let exit = run("exit");
    assert_eq!(exit.status, IsolateStatus::Exited(7));
    assert_eq!(exit.payload, None);

    // The function is not PID 1, so signals without a handler act as anywhere else.
    assert_eq!(run("abort").status, IsolateStatus::Signaled(libc::SIGABRT));

    let panic = run("panic");
    assert_eq!(
        panic.status,
        IsolateStatus::Panicked {
            message: "boom 42".into()
        }
    );
    assert!(String::from_utf8_lossy(&panic.stderr).contains("boom 42"));

    let ok = run("hello");
    assert!(ok.status.success());
    assert_eq!(ok.payload, Some(Vec::new()));
}

fn output_is_captured_and_run_keeps_the_0_5_api() {
    let mut envs = std::collections::HashMap::new();
    envs.insert("UNUSED".to_string(), "1".to_string());
    let out = Isolate::run("hello", &envs).unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, b"hello from inside\n");
    assert_eq!(out.stderr, b"and to stderr\n");
    // A panic is exit status 101 in the 0.5.1 API.
    let panic = Isolate::run("panic", &envs).unwrap();
    assert_eq!(panic.status.code(), Some(101));
}

fn environment_hostname_session_and_dev_are_clean() {
    std::env::set_var("SECRET_OF_THE_CALLER", "1");
    let got = text(&run_opts("env", &RunOptions::new().env("PASSED", "ok")));
    assert_eq!(
        got,
        "env=[\"FROM_CONFIG=yes\", \"PASSED=ok\"]|host=box|session=2|dev=[\"fd\", \"full\", \
         \"null\", \"random\", \"stderr\", \"stdin\", \"stdout\", \"urandom\", \"zero\"]|\
         null=true|random=true|root=3"
    );
}

fn run_without_a_main_hook_is_an_error() {
    let err = Isolate::run_with("never-hooked", &RunOptions::new()).unwrap_err();
    assert!(matches!(err, IsolateError::NoMainHook { .. }), "{err:?}");
    assert!(err
        .to_string()
        .contains("Isolate::main_hook(\"never-hooked\""));
}

const CASES: &[Case] = &[
    (
        "pid_is_two_under_an_init_and_no_host_pids_are_visible",
        pid_is_two_under_an_init_and_no_host_pids_are_visible,
    ),
    (
        "uid_map_is_as_configured_and_setgroups_is_denied",
        uid_map_is_as_configured_and_setgroups_is_denied,
    ),
    (
        "no_route_to_a_host_port_but_loopback_inside_works",
        no_route_to_a_host_port_but_loopback_inside_works,
    ),
    (
        "read_only_binds_give_erofs_and_writable_binds_write_through",
        read_only_binds_give_erofs_and_writable_binds_write_through,
    ),
    (
        "read_only_binds_open_no_devices_but_reach_sockets_and_fifos",
        read_only_binds_open_no_devices_but_reach_sockets_and_fifos,
    ),
    (
        "supplementary_groups_are_dropped_where_the_kernel_allows",
        supplementary_groups_are_dropped_where_the_kernel_allows,
    ),
    (
        "a_forged_isolate_marker_is_ignored_and_main_runs",
        a_forged_isolate_marker_is_ignored_and_main_runs,
    ),
    (
        "a_dotdot_destination_is_rejected_and_nothing_is_created_on_the_host",
        a_dotdot_destination_is_rejected_and_nothing_is_created_on_the_host,
    ),
    (
        "a_symlink_on_the_way_to_a_destination_is_rejected",
        a_symlink_on_the_way_to_a_destination_is_rejected,
    ),
    (
        "capabilities_are_all_dropped_with_no_new_privs",
        capabilities_are_all_dropped_with_no_new_privs,
    ),
    (
        "kept_capabilities_stay_in_the_bounding_permitted_and_effective_sets_only",
        kept_capabilities_stay_in_the_bounding_permitted_and_effective_sets_only,
    ),
    (
        "kept_capabilities_do_not_survive_execve",
        kept_capabilities_do_not_survive_execve,
    ),
    (
        "only_passed_descriptors_are_open",
        only_passed_descriptors_are_open,
    ),
    (
        "killing_the_supervisor_kills_the_isolated_process",
        killing_the_supervisor_kills_the_isolated_process,
    ),
    (
        "the_user_code_starts_after_the_init_is_restricted",
        the_user_code_starts_after_the_init_is_restricted,
    ),
    (
        "the_init_is_restricted_and_runs_no_user_code",
        the_init_is_restricted_and_runs_no_user_code,
    ),
    (
        "signals_without_a_handler_end_the_isolated_function",
        signals_without_a_handler_end_the_isolated_function,
    ),
    (
        "the_init_reaps_orphaned_zombies",
        the_init_reaps_orphaned_zombies,
    ),
    (
        "a_sigterm_from_outside_reaches_the_isolated_function",
        a_sigterm_from_outside_reaches_the_isolated_function,
    ),
    ("a_process_rlimit_holds", a_process_rlimit_holds),
    ("a_full_root_gives_enospc", a_full_root_gives_enospc),
    (
        "exit_codes_signals_and_panics_are_told_apart",
        exit_codes_signals_and_panics_are_told_apart,
    ),
    (
        "output_is_captured_and_run_keeps_the_0_5_api",
        output_is_captured_and_run_keeps_the_0_5_api,
    ),
    (
        "environment_hostname_session_and_dev_are_clean",
        environment_hostname_session_and_dev_are_clean,
    ),
    (
        "run_without_a_main_hook_is_an_error",
        run_without_a_main_hook_is_an_error,
    ),
];

fn main() {
    for name in ISOLATES {
        Isolate::main_hook(name, build);
    }
    if std::env::var_os(PROBE_ENV).is_some() {
        // What a forged marker leaves of the environment: nothing.
        println!("normal main, marker: {:?}", std::env::var_os(MARKER));
        std::process::exit(0);
    }
    match isolate_common::current_case() {
        Some(case) => isolate_common::run_case(CASES, &case),
        None => isolate_common::run_all(CASES),
    }
}
