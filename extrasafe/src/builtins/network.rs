//! [`Networking`]: sockets for servers and clients.

use std::collections::{BTreeSet, HashMap};

use super::{allow_sockets, allow_values, push_rule, Conditional, YesReally};
use crate::rules::{RuleSet, SeccompRule};
use crate::syscalls::Sysno;

/// Waiting for and managing descriptors: epoll, poll, select, eventfd, accept, socket
/// options and addresses.
const NET_IO: &[Sysno] = &[
    #[cfg(target_arch = "x86_64")]
    Sysno::epoll_create,
    Sysno::epoll_create1,
    Sysno::epoll_ctl,
    #[cfg(target_arch = "x86_64")]
    Sysno::epoll_wait,
    Sysno::epoll_pwait,
    Sysno::epoll_pwait2,
    #[cfg(target_arch = "x86_64")]
    Sysno::select,
    Sysno::pselect6,
    #[cfg(target_arch = "x86_64")]
    Sysno::poll,
    Sysno::ppoll,
    Sysno::accept,
    Sysno::accept4,
    #[cfg(target_arch = "x86_64")]
    Sysno::eventfd,
    Sysno::eventfd2,
    Sysno::getsockopt,
    Sysno::setsockopt,
    Sysno::getpeername,
    Sysno::getsockname,
];
const NET_READ: &[Sysno] = &[
    Sysno::listen,
    Sysno::recvfrom,
    Sysno::recvmsg,
    Sysno::recvmmsg,
    Sysno::read,
    Sysno::readv,
    Sysno::preadv,
    Sysno::preadv2,
    Sysno::pread64,
    Sysno::lseek,
];
const NET_WRITE: &[Sysno] = &[
    Sysno::sendto,
    Sysno::sendmsg,
    Sysno::sendmmsg,
    Sysno::sendfile,
    Sysno::write,
    Sysno::writev,
    Sysno::pwritev,
    Sysno::pwritev2,
    Sysno::pwrite64,
    Sysno::lseek,
];
/// Ending connections: close, close_range, shutdown.
const NET_CLOSE: &[Sysno] = &[Sysno::close, Sysno::close_range, Sysno::shutdown];

/// The ioctl requests sockets need: non-blocking mode, bytes available, close-on-exec.
// The request type is `c_ulong` on glibc and `c_int` on musl: the casts are needed there.
#[allow(clippy::unnecessary_cast)]
const SOCKET_IOCTLS: &[u64] = &[
    libc::FIONBIO as u64,
    libc::FIONREAD as u64,
    libc::FIOCLEX as u64,
    libc::FIONCLEX as u64,
];
/// The fcntl commands sockets need: descriptor and status flags, close-on-exec duplicates.
const SOCKET_FCNTLS: &[u64] = &[
    libc::F_GETFD as u64,
    libc::F_SETFD as u64,
    libc::F_GETFL as u64,
    libc::F_SETFL as u64,
    libc::F_DUPFD_CLOEXEC as u64,
];

const INET: &[libc::c_int] = &[libc::AF_INET, libc::AF_INET6];
const UNIX: &[libc::c_int] = &[libc::AF_UNIX];

/// The `socket(2)` protocols that mean TCP for `SOCK_STREAM`: the default and `IPPROTO_TCP`.
const TCP: &[libc::c_int] = &[0, libc::IPPROTO_TCP];
/// The `socket(2)` protocols that mean UDP for `SOCK_DGRAM`: the default and `IPPROTO_UDP`.
const UDP: &[libc::c_int] = &[0, libc::IPPROTO_UDP];
/// The `socket(2)` protocols unix sockets accept: the default and `PF_UNIX`.
const UNIX_PROTOCOLS: &[libc::c_int] = &[0, libc::PF_UNIX];

/// Sockets: TCP and UDP over IPv4 and IPv6, and unix sockets.
///
/// "start" methods allow creating sockets of exactly the named families, types and protocols
/// (the `socket(2)` domain and type are compared for equality, with or without
/// `SOCK_NONBLOCK` and `SOCK_CLOEXEC`, and the protocol must be 0 or the named protocol's
/// number, so MPTCP, SCTP and UDP-Lite sockets stay denied); "running" methods allow using
/// sockets that exist already (made before the sandbox, or by a start method): waiting for
/// events, accepting, reading, writing and closing. As in 0.5.1, each start method also
/// allows what the running methods allow. `ioctl` is allowed for `FIONBIO`,
/// `FIONREAD`, `FIOCLEX` and `FIONCLEX` only, and `fcntl` for `F_GETFD`, `F_SETFD`,
/// `F_GETFL`, `F_SETFL` and `F_DUPFD_CLOEXEC` only.
///
/// The `socket(2)` conditions of the start methods (0.5.1 had conditions there too)
/// conflict with an unconditional `socket` rule, as in 0.5.1. The `ioctl`, `fcntl` and
/// `socketpair` conditions are added since 0.5.1 (which allowed every `ioctl` and `fcntl`):
/// they are the RuleSet's own narrowing ([`RuleSet::narrowing_rules`]) and give way to an
/// unconditional rule, such as [`SystemIO::allow_ioctl`](crate::builtins::SystemIO::allow_ioctl)'s.
///
/// ```
/// use extrasafe::{builtins::{Networking, SystemIO}, syscalls::Sysno, SafetyContext};
/// let ctx = SafetyContext::new()
///     .enable(Networking::nothing().allow_running_tcp_servers())?
///     .enable(SystemIO::nothing().allow_ioctl())?;
/// assert!(!ctx.explain()?.narrowing_gave_way(Sysno::ioctl).is_empty());
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
///
/// ```no_run
/// use extrasafe::{builtins::Networking, SafetyContext};
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// SafetyContext::new()
///     .enable(Networking::nothing().allow_running_tcp_servers())?
///     .apply_to_current_thread()?;
/// // accept, read, write and close work; new sockets and outgoing connections do not.
/// assert!(std::net::TcpStream::connect("127.0.0.1:80").is_err());
/// # drop(listener);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Networking {
    allowed: BTreeSet<Sysno>,
    /// Conditions 0.5.1 had (`socket`): they conflict with an unconditional rule.
    custom: Conditional,
    /// Conditions added since 0.5.1: they give way to an unconditional rule.
    narrowing: Conditional,
}

impl Networking {
    /// Allows nothing.
    pub fn nothing() -> Networking {
        Networking::default()
    }

    /// Everything the methods below allow, together: creating, binding, connecting and using
    /// TCP, UDP and unix sockets, and socket pairs. The conditions stay: `socket(2)` still
    /// creates only TCP, UDP and unix sockets (no raw, packet or netlink sockets), and
    /// `ioctl` and `fcntl` still allow only the requests listed on [`Networking`]. For
    /// programs adopting extrasafe step by step.
    ///
    /// ```
    /// use extrasafe::{builtins::Networking, RuleSet};
    /// let net = Networking::everything();
    /// assert!(net.simple_rules().contains(&extrasafe::syscalls::Sysno::connect));
    /// assert!(net.conditional_rules().contains_key(&extrasafe::syscalls::Sysno::socket));
    /// ```
    pub fn everything() -> Networking {
        Networking::nothing()
            .allow_running_tcp_servers()
            .allow_start_tcp_servers()
            .yes_really()
            .allow_running_udp_sockets()
            .allow_start_udp_servers()
            .yes_really()
            .allow_connect()
            .yes_really()
            .allow_start_tcp_clients()
            .allow_running_tcp_clients()
            .allow_start_unix_servers()
            .yes_really()
            .allow_running_unix_servers()
            .allow_running_unix_clients()
            .allow_socketpair()
    }

    fn running(mut self) -> Networking {
        self.allowed.extend(NET_IO);
        self.allowed.extend(NET_READ);
        self.allowed.extend(NET_WRITE);
        self.allowed.extend(NET_CLOSE);
        allow_values(&mut self.narrowing, Sysno::ioctl, 1, SOCKET_IOCTLS);
        allow_values(&mut self.narrowing, Sysno::fcntl, 1, SOCKET_FCNTLS);
        self
    }

    /// Serving on TCP sockets that exist already: the event, accept, read, write and close
    /// syscalls described on [`Networking`].
    pub fn allow_running_tcp_servers(self) -> Networking {
        self.running()
    }

    /// Creating TCP servers: `socket(AF_INET or AF_INET6, SOCK_STREAM, 0 or IPPROTO_TCP)`,
    /// bind, listen, and socket options, and what the running methods allow. Bind any port:
    /// combine with Landlock to restrict ports.
    pub fn allow_start_tcp_servers(mut self) -> YesReally<Networking> {
        self = self.running();
        allow_sockets(
            &mut self.custom,
            Sysno::socket,
            INET,
            &[libc::SOCK_STREAM],
            TCP,
        );
        self.allowed.extend([
            Sysno::bind,
            Sysno::listen,
            Sysno::setsockopt,
            Sysno::getsockname,
        ]);
        YesReally::new(self)
    }

    /// Using UDP sockets that exist already: the event, read, write (recvfrom, sendto, …) and
    /// close syscalls described on [`Networking`].
    pub fn allow_running_udp_sockets(self) -> Networking {
        self.running()
    }

    /// Creating UDP sockets: `socket(AF_INET or AF_INET6, SOCK_DGRAM, 0 or IPPROTO_UDP)`,
    /// bind, and socket options, and what the running methods allow.
    pub fn allow_start_udp_servers(mut self) -> YesReally<Networking> {
        self = self.running();
        allow_sockets(
            &mut self.custom,
            Sysno::socket,
            INET,
            &[libc::SOCK_DGRAM],
            UDP,
        );
        self.allowed
            .extend([Sysno::bind, Sysno::setsockopt, Sysno::getsockname]);
        YesReally::new(self)
    }

    /// Connecting any socket anywhere: connect.
    pub fn allow_connect(mut self) -> YesReally<Networking> {
        self.allowed.insert(Sysno::connect);
        YesReally::new(self)
    }

    /// Creating TCP clients: `socket(AF_INET or AF_INET6, SOCK_STREAM, 0 or IPPROTO_TCP)` and
    /// connect, and what the running methods allow.
    pub fn allow_start_tcp_clients(mut self) -> Networking {
        self = self.running();
        allow_sockets(
            &mut self.custom,
            Sysno::socket,
            INET,
            &[libc::SOCK_STREAM],
            TCP,
        );
        self.allowed
            .extend([Sysno::connect, Sysno::setsockopt, Sysno::getsockname]);
        self
    }

    /// Using TCP client connections that exist already: the event, read, write and close
    /// syscalls described on [`Networking`].
    pub fn allow_running_tcp_clients(self) -> Networking {
        self.running()
    }

    /// Creating unix socket servers: `socket(AF_UNIX, SOCK_STREAM or SOCK_DGRAM, 0 or
    /// PF_UNIX)`, bind and listen, and what the running methods allow. Without Landlock,
    /// bind may create a socket file anywhere the user can write.
    pub fn allow_start_unix_servers(mut self) -> YesReally<Networking> {
        self = self.running();
        allow_sockets(
            &mut self.custom,
            Sysno::socket,
            UNIX,
            &[libc::SOCK_STREAM, libc::SOCK_DGRAM],
            UNIX_PROTOCOLS,
        );
        self.allowed.extend([
            Sysno::bind,
            Sysno::listen,
            Sysno::setsockopt,
            Sysno::getsockname,
        ]);
        YesReally::new(self)
    }

    /// Serving on unix sockets that exist already: the event, accept, read, write and close
    /// syscalls described on [`Networking`].
    pub fn allow_running_unix_servers(self) -> Networking {
        self.running()
    }

    /// Using unix socket connections that exist already: the event, read, write and close
    /// syscalls described on [`Networking`].
    pub fn allow_running_unix_clients(self) -> Networking {
        self.running()
    }

    /// Creating connected pairs of unix sockets: `socketpair(AF_UNIX, SOCK_STREAM,
    /// SOCK_DGRAM or SOCK_SEQPACKET, 0 or PF_UNIX)`.
    pub fn allow_socketpair(mut self) -> Networking {
        allow_sockets(
            &mut self.narrowing,
            Sysno::socketpair,
            UNIX,
            &[libc::SOCK_STREAM, libc::SOCK_DGRAM, libc::SOCK_SEQPACKET],
            UNIX_PROTOCOLS,
        );
        self
    }
}

impl RuleSet for Networking {
    fn simple_rules(&self) -> Vec<Sysno> {
        self.allowed.iter().copied().collect()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        let mut rules = self.custom.clone();
        for rule in self.narrowing.values().flatten() {
            push_rule(&mut rules, rule.clone());
        }
        rules
    }

    fn narrowing_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        self.narrowing.clone()
    }

    fn name(&self) -> &'static str {
        "Networking"
    }
}
