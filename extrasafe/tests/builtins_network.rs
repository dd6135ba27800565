//! `Networking`: every method, through real std calls on loopback. What a method allows
//! succeeds; sockets of other families, types and protocols, other ioctl requests and fcntl
//! commands fail with EPERM.
//!
//! The "running" methods allow `write` on every descriptor, so these tests need no
//! `SystemIO::allow_stderr` (which would conflict with them) to print a failing assertion.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::path::PathBuf;

use common::{assert_errno, raw_syscall};
use extrasafe::builtins::{Networking, SystemIO};
use extrasafe::syscalls::Sysno;
use extrasafe::{ExtraSafeError, SafetyContext};

fn sandbox(net: Networking) {
    SafetyContext::new()
        .enable(net)
        .expect("the RuleSet enables")
        .apply_to_current_thread()
        .expect("the filter loads");
}

/// `socket(domain, ty, protocol)` as a raw syscall.
fn socket(domain: libc::c_int, ty: libc::c_int, protocol: libc::c_int) -> Result<i64, i32> {
    raw_syscall(
        libc::SYS_socket,
        [domain as u64, ty as u64, protocol as u64, 0, 0, 0],
    )
}

/// `socketpair(domain, ty, protocol, fds)` as a raw syscall.
fn socketpair(domain: libc::c_int, ty: libc::c_int, protocol: libc::c_int) -> Result<i64, i32> {
    let mut fds = [-1 as libc::c_int; 2];
    raw_syscall(
        libc::SYS_socketpair,
        [
            domain as u64,
            ty as u64,
            protocol as u64,
            fds.as_mut_ptr() as u64,
            0,
            0,
        ],
    )
}

/// `connect(fd, addr)` as a raw syscall, for a socket made before the sandbox.
fn connect_v4(fd: i64, addr: SocketAddr) -> Result<i64, i32> {
    let SocketAddr::V4(v4) = addr else {
        panic!("an IPv4 address")
    };
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: v4.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(*v4.ip()).to_be(),
        },
        sin_zero: [0; 8],
    };
    raw_syscall(
        libc::SYS_connect,
        [
            fd as u64,
            std::ptr::from_ref(&sin) as u64,
            std::mem::size_of_val(&sin) as u64,
            0,
            0,
            0,
        ],
    )
}

/// `ioctl(fd, request, &int)` as a raw syscall; returns the int on success.
fn ioctl_int(fd: i32, request: libc::c_ulong) -> Result<libc::c_int, i32> {
    let mut n: libc::c_int = 0;
    raw_syscall(
        libc::SYS_ioctl,
        [
            fd as u64,
            request,
            std::ptr::from_mut(&mut n) as u64,
            0,
            0,
            0,
        ],
    )
    .map(|_| n)
}

/// `fcntl(fd, cmd, arg)` as a raw syscall.
fn fcntl(fd: i32, cmd: libc::c_int, arg: u64) -> Result<i64, i32> {
    raw_syscall(libc::SYS_fcntl, [fd as u64, cmd as u64, arg, 0, 0, 0])
}

/// A connected pair of TCP streams on loopback (client, server side) and their listener.
fn tcp_pair() -> (TcpListener, TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (listener, client, server)
}

/// Whether the machine can bind to IPv6 loopback.
fn ipv6_available() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

/// A fresh directory for unix socket files, made before the sandbox.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("extrasafe-net-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// Socket families, types and protocols that no TCP, UDP or unix method names.
const FOREIGN_SOCKETS: &[(libc::c_int, libc::c_int, libc::c_int, &str)] = &[
    (
        libc::AF_INET,
        libc::SOCK_RAW,
        libc::IPPROTO_ICMP,
        "AF_INET SOCK_RAW",
    ),
    (
        libc::AF_INET6,
        libc::SOCK_RAW,
        libc::IPPROTO_ICMPV6,
        "AF_INET6 SOCK_RAW",
    ),
    (
        libc::AF_INET,
        libc::SOCK_SEQPACKET,
        0,
        "AF_INET SOCK_SEQPACKET",
    ),
    (
        libc::AF_NETLINK,
        libc::SOCK_RAW,
        libc::NETLINK_ROUTE,
        "AF_NETLINK",
    ),
    (libc::AF_PACKET, libc::SOCK_RAW, 0x0300, "AF_PACKET"),
    (libc::AF_VSOCK, libc::SOCK_STREAM, 0, "AF_VSOCK"),
    (libc::AF_ALG, libc::SOCK_SEQPACKET, 0, "AF_ALG"),
    (
        libc::AF_INET,
        libc::SOCK_STREAM,
        libc::IPPROTO_MPTCP,
        "MPTCP",
    ),
    (
        libc::AF_INET6,
        libc::SOCK_STREAM,
        libc::IPPROTO_MPTCP,
        "MPTCP over IPv6",
    ),
    (
        libc::AF_INET,
        libc::SOCK_STREAM,
        libc::IPPROTO_SCTP,
        "SCTP stream",
    ),
    (
        libc::AF_INET,
        libc::SOCK_DGRAM,
        libc::IPPROTO_UDPLITE,
        "UDP-Lite",
    ),
    (
        libc::AF_INET,
        libc::SOCK_DGRAM,
        libc::IPPROTO_ICMP,
        "ICMP datagram (ping)",
    ),
    (libc::AF_INET, 10, 0, "SOCK_PACKET"),
];

#[track_caller]
fn assert_sockets_denied(cases: &[(libc::c_int, libc::c_int, libc::c_int, &str)]) {
    for &(domain, ty, protocol, what) in cases {
        assert_eq!(
            socket(domain, ty, protocol),
            Err(libc::EPERM),
            "socket: {what}"
        );
        let ty = ty | libc::SOCK_CLOEXEC;
        assert_eq!(
            socket(domain, ty, protocol),
            Err(libc::EPERM),
            "socket: {what} | CLOEXEC"
        );
    }
}

// ----- running TCP servers ------------------------------------------------------------

sandboxed_test! {
    fn running_tcp_servers_accept_read_write_and_close() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).unwrap();
        let mut second = TcpStream::connect(addr).unwrap();
        sandbox(Networking::nothing().allow_running_tcp_servers());

        let (mut conn, peer) = listener.accept().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        assert_eq!(conn.local_addr().unwrap(), addr);
        assert_eq!(conn.peer_addr().unwrap(), peer);
        client.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        conn.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        conn.write_all(b"pong").unwrap();
        client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"pong");
        conn.set_nodelay(true).unwrap();
        conn.shutdown(std::net::Shutdown::Write).unwrap();
        assert_eq!(client.read(&mut buf).unwrap(), 0, "end of stream after shutdown");
        drop(conn);

        // Vectored and message-based I/O.
        let (mut conn2, _) = listener.accept().unwrap();
        let parts = [std::io::IoSlice::new(b"ve"), std::io::IoSlice::new(b"ctored")];
        assert_eq!(second.write_vectored(&parts).unwrap(), 8);
        let mut buf = [0u8; 8];
        conn2.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"vectored");
        // close is allowed: the descriptor is really gone.
        let fd = conn2.as_raw_fd();
        drop(conn2);
        assert_eq!(fcntl(fd, libc::F_GETFD, 0), Err(libc::EBADF));
    }
}

sandboxed_test! {
    fn running_tcp_servers_cannot_create_sockets_or_connect() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let unconnected = socket(libc::AF_INET, libc::SOCK_STREAM, 0).unwrap();
        sandbox(Networking::nothing().allow_running_tcp_servers());

        assert_errno(TcpListener::bind("127.0.0.1:0"), libc::EPERM);
        assert_errno(TcpStream::connect(addr), libc::EPERM);
        assert_errno(UdpSocket::bind("127.0.0.1:0"), libc::EPERM);
        assert_eq!(socket(libc::AF_INET, libc::SOCK_STREAM, 0), Err(libc::EPERM));
        // A socket made before the sandbox cannot connect either.
        assert_eq!(connect_v4(unconnected, addr), Err(libc::EPERM));
        // Nor bind.
        assert_eq!(
            raw_syscall(libc::SYS_bind, [unconnected as u64, 0, 0, 0, 0, 0]),
            Err(libc::EPERM)
        );
    }
}

sandboxed_test! {
    fn running_sockets_allow_only_the_named_ioctls() {
        let (_listener, mut client, server) = tcp_pair();
        sandbox(Networking::nothing().allow_running_tcp_servers());

        // FIONBIO, through std.
        server.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 4];
        let err = (&server).read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        server.set_nonblocking(false).unwrap();
        // FIONREAD.
        client.write_all(b"abc").unwrap();
        let fd = server.as_raw_fd();
        let mut available = 0;
        for _ in 0..1000 {
            available = ioctl_int(fd, libc::FIONREAD).unwrap();
            if available == 3 {
                break;
            }
            std::thread::yield_now();
        }
        assert_eq!(available, 3);
        // FIOCLEX and FIONCLEX.
        assert_eq!(ioctl_int(fd, libc::FIONCLEX), Ok(0));
        assert_eq!(fcntl(fd, libc::F_GETFD, 0), Ok(0));
        assert_eq!(ioctl_int(fd, libc::FIOCLEX), Ok(0));
        assert_eq!(fcntl(fd, libc::F_GETFD, 0), Ok(i64::from(libc::FD_CLOEXEC)));

        // Anything else: terminal ioctls, interface queries, ...
        for (request, name) in [
            (libc::TIOCSTI, "TIOCSTI"),
            (libc::TCGETS, "TCGETS"),
            (libc::TIOCGWINSZ, "TIOCGWINSZ"),
            (libc::SIOCGIFCONF, "SIOCGIFCONF"),
            (0x8905, "SIOCATMARK"),
            (libc::FIOASYNC, "FIOASYNC"),
        ] {
            let mut arg = [0u8; 64];
            let r = raw_syscall(
                libc::SYS_ioctl,
                [fd as u64, request, arg.as_mut_ptr() as u64, 0, 0, 0],
            );
            assert_eq!(r, Err(libc::EPERM), "ioctl {name}");
        }
    }
}

sandboxed_test! {
    fn running_sockets_allow_only_the_named_fcntls() {
        let (_listener, mut client, server) = tcp_pair();
        sandbox(Networking::nothing().allow_running_tcp_servers());

        // F_DUPFD_CLOEXEC, through std.
        let mut clone = server.try_clone().unwrap();
        client.write_all(b"x").unwrap();
        let mut buf = [0u8; 1];
        clone.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"x");
        let fd = server.as_raw_fd();
        let flags = fcntl(fd, libc::F_GETFL, 0).unwrap();
        assert_eq!(fcntl(fd, libc::F_SETFL, (flags as u64) | libc::O_NONBLOCK as u64), Ok(0));
        assert_eq!(fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC as u64), Ok(0));
        assert_eq!(fcntl(fd, libc::F_GETFD, 0), Ok(i64::from(libc::FD_CLOEXEC)));

        let lock = libc::flock {
            l_type: libc::F_WRLCK as libc::c_short,
            l_whence: libc::SEEK_SET as libc::c_short,
            l_start: 0,
            l_len: 0,
            l_pid: 0,
        };
        let lock_ptr = std::ptr::from_ref(&lock) as u64;
        for (cmd, arg, name) in [
            (libc::F_SETOWN, 1, "F_SETOWN"),
            (libc::F_GETOWN, 0, "F_GETOWN"),
            (10, 10, "F_SETSIG"),
            (libc::F_SETLK, lock_ptr, "F_SETLK"),
            (libc::F_SETLKW, lock_ptr, "F_SETLKW"),
            (libc::F_GETLK, lock_ptr, "F_GETLK"),
            (libc::F_OFD_SETLK, lock_ptr, "F_OFD_SETLK"),
            (libc::F_DUPFD, 0, "F_DUPFD"),
            (libc::F_SETLEASE, libc::F_RDLCK as u64, "F_SETLEASE"),
            (libc::F_NOTIFY, 0, "F_NOTIFY"),
            (libc::F_SETPIPE_SZ, 4096, "F_SETPIPE_SZ"),
        ] {
            assert_eq!(fcntl(fd, cmd, arg), Err(libc::EPERM), "fcntl {name}");
        }
    }
}

// ----- start TCP servers --------------------------------------------------------------

sandboxed_test! {
    fn start_tcp_servers_binds_ipv4_listeners() {
        sandbox(Networking::nothing().allow_start_tcp_servers().yes_really());

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
        assert_ne!(addr.port(), 0);
        // As in 0.5.1, starting includes serving (accept, ioctl(FIONBIO)); connecting
        // needs its own method.
        listener.set_nonblocking(true).unwrap();
        let err = listener.accept().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock, "{err}");
        assert_errno(TcpStream::connect(addr), libc::EPERM);
    }
}

sandboxed_test! {
    fn start_tcp_servers_binds_ipv6_listeners() {
        if !ipv6_available() {
            common::skip("IPv6 loopback [::1] is not available");
            return;
        }
        sandbox(Networking::nothing().allow_start_tcp_servers().yes_really());

        let listener = TcpListener::bind("[::1]:0").unwrap();
        assert!(listener.local_addr().unwrap().is_ipv6());
    }
}

sandboxed_test! {
    fn start_tcp_servers_denies_other_families_types_and_protocols() {
        sandbox(Networking::nothing().allow_start_tcp_servers().yes_really());

        // The named ones work, with every flag combination and both protocol spellings.
        for ty in [0, libc::SOCK_NONBLOCK, libc::SOCK_CLOEXEC, libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC] {
            assert!(socket(libc::AF_INET, libc::SOCK_STREAM | ty, 0).is_ok());
            assert!(socket(libc::AF_INET, libc::SOCK_STREAM | ty, libc::IPPROTO_TCP).is_ok());
        }
        assert_errno(UdpSocket::bind("127.0.0.1:0"), libc::EPERM);
        assert_errno(UnixListener::bind("/nonexistent/x.sock"), libc::EPERM);
        assert_sockets_denied(&[
            (libc::AF_INET, libc::SOCK_DGRAM, 0, "AF_INET SOCK_DGRAM"),
            (libc::AF_INET6, libc::SOCK_DGRAM, 0, "AF_INET6 SOCK_DGRAM"),
            (libc::AF_UNIX, libc::SOCK_STREAM, 0, "AF_UNIX SOCK_STREAM"),
            (libc::AF_UNIX, libc::SOCK_DGRAM, 0, "AF_UNIX SOCK_DGRAM"),
            // A type with an unknown flag bit is not SOCK_STREAM.
            (libc::AF_INET, libc::SOCK_STREAM | 0x100, 0, "SOCK_STREAM | 0x100"),
        ]);
        assert_sockets_denied(FOREIGN_SOCKETS);
        // socketpair is not socket.
        assert_eq!(socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn start_and_running_tcp_servers_serve_a_new_listener() {
        sandbox(
            Networking::nothing()
                .allow_start_tcp_servers()
                .yes_really()
                .allow_running_tcp_servers()
                .allow_start_tcp_clients(),
        );

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(b"hello").unwrap();
        let mut buf = [0u8; 5];
        client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hello");
    }
}

// ----- UDP ----------------------------------------------------------------------------

sandboxed_test! {
    fn start_udp_servers_binds_and_running_udp_sockets_exchange_datagrams() {
        sandbox(
            Networking::nothing()
                .allow_start_udp_servers()
                .yes_really()
                .allow_running_udp_sockets(),
        );

        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        a.send_to(b"datagram", b.local_addr().unwrap()).unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = b.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"datagram");
        assert_eq!(from, a.local_addr().unwrap());
        b.set_nonblocking(true).unwrap();
        assert_eq!(b.recv_from(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
        if ipv6_available() {
            let v6 = UdpSocket::bind("[::1]:0").unwrap();
            v6.send_to(b"6", v6.local_addr().unwrap()).unwrap();
            assert_eq!(v6.recv(&mut buf).unwrap(), 1);
        }
    }
}

sandboxed_test! {
    fn start_udp_servers_denies_tcp_and_other_sockets() {
        sandbox(Networking::nothing().allow_start_udp_servers().yes_really());

        assert!(UdpSocket::bind("127.0.0.1:0").is_ok());
        assert!(socket(libc::AF_INET6, libc::SOCK_DGRAM | libc::SOCK_NONBLOCK, libc::IPPROTO_UDP).is_ok());
        assert_errno(TcpListener::bind("127.0.0.1:0"), libc::EPERM);
        assert_sockets_denied(&[
            (libc::AF_INET, libc::SOCK_STREAM, 0, "AF_INET SOCK_STREAM"),
            (libc::AF_UNIX, libc::SOCK_DGRAM, 0, "AF_UNIX SOCK_DGRAM"),
        ]);
        assert_sockets_denied(FOREIGN_SOCKETS);
    }
}

sandboxed_test! {
    fn running_udp_sockets_use_existing_sockets_only() {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b_addr = b.local_addr().unwrap();
        sandbox(Networking::nothing().allow_running_udp_sockets());

        a.send_to(b"one", b_addr).unwrap();
        let mut buf = [0u8; 8];
        let (n, _) = b.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"one");
        assert_errno(UdpSocket::bind("127.0.0.1:0"), libc::EPERM);
        // connect is its own method.
        assert_errno(a.connect(b_addr), libc::EPERM);
    }
}

// ----- connect ------------------------------------------------------------------------

sandboxed_test! {
    fn connect_allows_connecting_existing_sockets() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let fd = socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0).unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        sandbox(Networking::nothing().allow_connect().yes_really());

        assert_eq!(connect_v4(fd, addr), Ok(0));
        udp.connect(addr).unwrap();
        // Creating sockets is not connecting.
        assert_errno(TcpStream::connect(addr), libc::EPERM);
    }
}

sandboxed_test! {
    fn connect_is_denied_without_allow_connect() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        sandbox(Networking::nothing().allow_running_udp_sockets());

        assert_errno(udp.connect(addr), libc::EPERM);
    }
}

// ----- TCP clients --------------------------------------------------------------------

sandboxed_test! {
    fn start_tcp_clients_connects_new_streams() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        sandbox(
            Networking::nothing()
                .allow_start_tcp_clients()
                .allow_running_tcp_clients(),
        );

        let mut client = TcpStream::connect(addr).unwrap();
        let (mut conn, _) = listener.accept().unwrap();
        client.write_all(b"request").unwrap();
        let mut buf = [0u8; 7];
        conn.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"request");
        if ipv6_available() {
            // A refused IPv6 connection still gets as far as the kernel.
            let r = TcpStream::connect("[::1]:1");
            assert_errno(r, libc::ECONNREFUSED);
        }
    }
}

sandboxed_test! {
    fn start_tcp_clients_cannot_bind_servers() {
        sandbox(Networking::nothing().allow_start_tcp_clients());

        // socket works, bind does not.
        assert_errno(TcpListener::bind("127.0.0.1:0"), libc::EPERM);
        assert_errno(UdpSocket::bind("127.0.0.1:0"), libc::EPERM);
        assert_sockets_denied(FOREIGN_SOCKETS);
        assert_sockets_denied(&[(libc::AF_UNIX, libc::SOCK_STREAM, 0, "AF_UNIX SOCK_STREAM")]);
    }
}

sandboxed_test! {
    fn running_tcp_clients_use_existing_connections_only() {
        let (listener, mut client, mut server) = tcp_pair();
        sandbox(Networking::nothing().allow_running_tcp_clients());

        client.write_all(b"hi").unwrap();
        let mut buf = [0u8; 2];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hi");
        assert_errno(TcpStream::connect(listener.local_addr().unwrap()), libc::EPERM);
    }
}

// ----- unix sockets -------------------------------------------------------------------

sandboxed_test! {
    fn start_unix_servers_binds_stream_and_datagram_sockets() {
        let dir = scratch("start_unix_servers_binds_stream_and_datagram_sockets");
        sandbox(
            Networking::nothing()
                .allow_start_unix_servers()
                .yes_really()
                .allow_running_unix_servers()
                .allow_connect()
                .yes_really(),
        );

        let listener = UnixListener::bind(dir.join("stream.sock")).unwrap();
        let mut client = UnixStream::connect(dir.join("stream.sock")).unwrap();
        let (mut conn, _) = listener.accept().unwrap();
        client.write_all(b"unix").unwrap();
        let mut buf = [0u8; 4];
        conn.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"unix");

        let server = UnixDatagram::bind(dir.join("dgram.sock")).unwrap();
        let sender = UnixDatagram::unbound().unwrap();
        sender.send_to(b"dgram", dir.join("dgram.sock")).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(server.recv(&mut buf).unwrap(), 5);
    }
}

sandboxed_test! {
    fn start_unix_servers_denies_other_sockets() {
        sandbox(Networking::nothing().allow_start_unix_servers().yes_really());

        assert!(socket(libc::AF_UNIX, libc::SOCK_STREAM, 0).is_ok());
        assert!(socket(libc::AF_UNIX, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, libc::PF_UNIX).is_ok());
        assert_errno(TcpListener::bind("127.0.0.1:0"), libc::EPERM);
        assert_errno(UdpSocket::bind("127.0.0.1:0"), libc::EPERM);
        assert_sockets_denied(&[
            (libc::AF_UNIX, libc::SOCK_SEQPACKET, 0, "AF_UNIX SOCK_SEQPACKET"),
            (libc::AF_UNIX, libc::SOCK_RAW, 0, "AF_UNIX SOCK_RAW"),
            (libc::AF_UNIX, libc::SOCK_STREAM, 2, "AF_UNIX protocol 2"),
        ]);
        assert_sockets_denied(FOREIGN_SOCKETS);
        assert_eq!(socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn running_unix_servers_accept_on_existing_listeners_only() {
        let dir = scratch("running_unix_servers_accept_on_existing_listeners_only");
        let path = dir.join("s.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let mut client = UnixStream::connect(&path).unwrap();
        sandbox(Networking::nothing().allow_running_unix_servers());

        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(b"served").unwrap();
        let mut buf = [0u8; 6];
        client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"served");
        assert_errno(UnixListener::bind(dir.join("new.sock")), libc::EPERM);
        assert_errno(UnixStream::connect(&path), libc::EPERM);
    }
}

sandboxed_test! {
    fn running_unix_clients_use_existing_connections_only() {
        let dir = scratch("running_unix_clients_use_existing_connections_only");
        let path = dir.join("s.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let mut client = UnixStream::connect(&path).unwrap();
        let (mut conn, _) = listener.accept().unwrap();
        sandbox(Networking::nothing().allow_running_unix_clients());

        client.write_all(b"asked").unwrap();
        let mut buf = [0u8; 5];
        conn.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"asked");
        client.set_nonblocking(true).unwrap();
        assert_eq!(client.read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
        assert_errno(UnixStream::connect(&path), libc::EPERM);
        assert_errno(UnixStream::pair(), libc::EPERM);
    }
}

// ----- socketpair ---------------------------------------------------------------------

sandboxed_test! {
    fn socketpair_creates_unix_pairs() {
        sandbox(Networking::nothing().allow_socketpair().allow_running_unix_clients());

        let (mut a, mut b) = UnixStream::pair().unwrap();
        a.write_all(b"pair").unwrap();
        let mut buf = [0u8; 4];
        b.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"pair");
        let (c, d) = UnixDatagram::pair().unwrap();
        c.send(b"dg").unwrap();
        assert_eq!(d.recv(&mut buf).unwrap(), 2);
        assert!(socketpair(libc::AF_UNIX, libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC, 0).is_ok());
    }
}

sandboxed_test! {
    fn socketpair_denies_other_families_and_types() {
        sandbox(Networking::nothing().allow_socketpair().allow_running_unix_clients());

        for (domain, ty, protocol, what) in [
            (libc::AF_INET, libc::SOCK_STREAM, 0, "AF_INET SOCK_STREAM"),
            (libc::AF_INET6, libc::SOCK_DGRAM, 0, "AF_INET6 SOCK_DGRAM"),
            (libc::AF_UNIX, libc::SOCK_RAW, 0, "AF_UNIX SOCK_RAW"),
            (libc::AF_UNIX, libc::SOCK_STREAM, 2, "AF_UNIX protocol 2"),
            (libc::AF_NETLINK, libc::SOCK_RAW, 0, "AF_NETLINK"),
        ] {
            assert_eq!(socketpair(domain, ty, protocol), Err(libc::EPERM), "socketpair: {what}");
        }
        // A pair is not a socket.
        assert_errno(UnixListener::bind("/nonexistent/x.sock"), libc::EPERM);
        assert_eq!(socket(libc::AF_UNIX, libc::SOCK_STREAM, 0), Err(libc::EPERM));
    }
}

sandboxed_test! {
    fn socketpair_is_denied_without_allow_socketpair() {
        sandbox(Networking::nothing().allow_running_unix_clients());

        assert_errno(UnixStream::pair(), libc::EPERM);
        assert_errno(UnixDatagram::pair(), libc::EPERM);
    }
}

// ----- nothing ------------------------------------------------------------------------

sandboxed_test! {
    fn nothing_allows_no_networking() {
        let (_listener, mut client, _server) = tcp_pair();
        SafetyContext::new()
            .enable(Networking::nothing())
            .unwrap()
            .enable(SystemIO::nothing().allow_stderr())
            .unwrap()
            .apply_to_current_thread()
            .unwrap();

        assert_errno(client.write(b"x"), libc::EPERM);
        assert_errno(client.set_nonblocking(true), libc::EPERM);
        assert_errno(TcpListener::bind("127.0.0.1:0"), libc::EPERM);
    }
}

// ----- the policy model ---------------------------------------------------------------

#[test]
fn running_methods_conflict_with_conditional_stderr() {
    // Networking's running methods allow write on every descriptor; SystemIO's allow_stderr
    // allows it on fd 2 only. 0.5.1 semantics: an error naming both, never a silent widening.
    let err = SafetyContext::new()
        .enable(Networking::nothing().allow_running_tcp_servers())
        .unwrap()
        .enable(SystemIO::nothing().allow_stderr())
        .unwrap_err();
    match err {
        ExtraSafeError::ConditionalNoEffectError(sysno, a, b) => {
            assert_eq!(sysno, Sysno::write);
            assert_eq!((a, b), ("SystemIO", "Networking"));
        }
        other => panic!("unexpected error: {other:?}"),
    }
}

#[test]
fn running_methods_combine_with_systemio_fcntl_rules() {
    // Both allow fcntl with conditions: their rules merge.
    let explanation = SafetyContext::new()
        .enable(Networking::nothing().allow_running_tcp_servers())
        .unwrap()
        .enable(SystemIO::nothing().allow_dup().allow_rmdir())
        .unwrap()
        .explain()
        .unwrap();
    match explanation.get(Sysno::fcntl) {
        Some(extrasafe::Verdict::AllowedIf { rules }) => {
            assert!(rules.iter().any(|(by, _)| *by == "Networking"));
            assert!(rules.iter().any(|(by, _)| *by == "SystemIO"));
        }
        other => panic!("fcntl: {other:?}"),
    }
}
