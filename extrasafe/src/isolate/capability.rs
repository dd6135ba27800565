//! The capabilities of `linux/capability.h`, for [`IsolationConfig::keep_capability`].
//!
//! [`IsolationConfig::keep_capability`]: super::IsolationConfig::keep_capability

use std::fmt;

macro_rules! capabilities {
    ($($(#[$attr:meta])* $variant:ident = $number:literal => $name:literal,)*) => {
        /// A Linux capability (`linux/capability.h`) the isolated process may keep
        /// ([`IsolationConfig::keep_capability`](super::IsolationConfig::keep_capability)).
        ///
        /// The isolated process has it in its own user namespace only: it acts on what that
        /// namespace owns (its network, mount, IPC, UTS and PID namespaces, files of the one
        /// mapped user and group), never on the host's. What the variants say they allow is
        /// thus limited to those.
        ///
        /// ```
        /// use extrasafe::isolate::Capability;
        /// assert_eq!(Capability::NetAdmin.name(), "CAP_NET_ADMIN");
        /// assert_eq!(Capability::NetAdmin.number(), 12);
        /// assert_eq!(Capability::ALL.len(), 41);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        #[repr(u8)]
        pub enum Capability {
            $($(#[$attr])* $variant = $number,)*
        }

        impl Capability {
            /// Every capability, in number order.
            pub const ALL: &'static [Capability] = &[$(Capability::$variant,)*];

            /// The capability's name as in `linux/capability.h`, e.g. `"CAP_NET_ADMIN"`.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Capability::$variant => $name,)*
                }
            }
        }
    };
}

capabilities! {
    /// Change the owner and group of files (`chown(2)`).
    Chown = 0 => "CAP_CHOWN",
    /// Bypass file read, write and execute permission checks.
    DacOverride = 1 => "CAP_DAC_OVERRIDE",
    /// Bypass file read and directory read and search permission checks.
    DacReadSearch = 2 => "CAP_DAC_READ_SEARCH",
    /// Bypass the checks that a file's owner is the caller (`chmod`, `utime`, …).
    Fowner = 3 => "CAP_FOWNER",
    /// Keep set-user-ID and set-group-ID bits when a file is modified.
    Fsetid = 4 => "CAP_FSETID",
    /// Send signals to processes of other users.
    Kill = 5 => "CAP_KILL",
    /// Change group ids (`setgid(2)`, `setgroups(2)`).
    Setgid = 6 => "CAP_SETGID",
    /// Change user ids (`setuid(2)`).
    Setuid = 7 => "CAP_SETUID",
    /// Change capability sets and securebits (within the bounding set).
    Setpcap = 8 => "CAP_SETPCAP",
    /// Set the immutable and append-only file attributes.
    LinuxImmutable = 9 => "CAP_LINUX_IMMUTABLE",
    /// Bind sockets to ports below 1024.
    NetBindService = 10 => "CAP_NET_BIND_SERVICE",
    /// Broadcast and listen to multicast (unused by the kernel).
    NetBroadcast = 11 => "CAP_NET_BROADCAST",
    /// Administer the network: interfaces, routes, firewall, sockets' privileged options.
    NetAdmin = 12 => "CAP_NET_ADMIN",
    /// Use raw and packet sockets.
    NetRaw = 13 => "CAP_NET_RAW",
    /// Lock memory (`mlock(2)`, `mlockall(2)`, huge pages).
    IpcLock = 14 => "CAP_IPC_LOCK",
    /// Bypass permission checks on System V IPC objects.
    IpcOwner = 15 => "CAP_IPC_OWNER",
    /// Load and unload kernel modules (never in a user namespace).
    SysModule = 16 => "CAP_SYS_MODULE",
    /// Raw I/O: `iopl(2)`, `ioperm(2)`, `/dev/mem` (never in a user namespace).
    SysRawio = 17 => "CAP_SYS_RAWIO",
    /// Change the root directory (`chroot(2)`).
    SysChroot = 18 => "CAP_SYS_CHROOT",
    /// Trace and inspect any process (`ptrace(2)`, `process_vm_readv(2)`).
    SysPtrace = 19 => "CAP_SYS_PTRACE",
    /// Turn process accounting on and off (`acct(2)`).
    SysPacct = 20 => "CAP_SYS_PACCT",
    /// Many administrative operations, mounting file systems among them: kept, it lets the
    /// process remount the read-only binds read-write and undo other parts of its setup.
    SysAdmin = 21 => "CAP_SYS_ADMIN",
    /// Reboot (in a PID namespace: end its processes, `reboot(2)`).
    SysBoot = 22 => "CAP_SYS_BOOT",
    /// Raise priorities and change scheduling policies and CPU affinity of any process.
    SysNice = 23 => "CAP_SYS_NICE",
    /// Override resource limits and quotas.
    SysResource = 24 => "CAP_SYS_RESOURCE",
    /// Set the system clock (never in a user namespace).
    SysTime = 25 => "CAP_SYS_TIME",
    /// Configure terminals (`vhangup(2)`, privileged terminal ioctls).
    SysTtyConfig = 26 => "CAP_SYS_TTY_CONFIG",
    /// Create special files (`mknod(2)`).
    Mknod = 27 => "CAP_MKNOD",
    /// Take leases on files the caller does not own.
    Lease = 28 => "CAP_LEASE",
    /// Write records to the kernel's audit log.
    AuditWrite = 29 => "CAP_AUDIT_WRITE",
    /// Configure kernel auditing.
    AuditControl = 30 => "CAP_AUDIT_CONTROL",
    /// Set file capabilities.
    Setfcap = 31 => "CAP_SETFCAP",
    /// Override mandatory access control (used by Smack).
    MacOverride = 32 => "CAP_MAC_OVERRIDE",
    /// Configure mandatory access control (used by Smack).
    MacAdmin = 33 => "CAP_MAC_ADMIN",
    /// Privileged `syslog(2)` operations and reading kernel addresses.
    Syslog = 34 => "CAP_SYSLOG",
    /// Set timers that wake the system (`CLOCK_REALTIME_ALARM`, `CLOCK_BOOTTIME_ALARM`).
    WakeAlarm = 35 => "CAP_WAKE_ALARM",
    /// Keep the system from suspending (`EPOLLWAKEUP`, `/proc/sys/power/wake_lock`).
    BlockSuspend = 36 => "CAP_BLOCK_SUSPEND",
    /// Read the audit log over a multicast netlink socket.
    AuditRead = 37 => "CAP_AUDIT_READ",
    /// Performance monitoring (`perf_event_open(2)`; Linux 5.8+).
    Perfmon = 38 => "CAP_PERFMON",
    /// Privileged BPF operations (`bpf(2)`; Linux 5.8+).
    Bpf = 39 => "CAP_BPF",
    /// Checkpoint and restore: choose the pids of new processes, and more (Linux 5.9+).
    CheckpointRestore = 40 => "CAP_CHECKPOINT_RESTORE",
}

impl Capability {
    /// The capability's number (`CAP_NET_ADMIN` is 12).
    #[must_use]
    pub const fn number(self) -> u8 {
        self as u8
    }

    /// Its bit in a capability set.
    pub(crate) const fn bit(self) -> u64 {
        1 << self.number()
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Capability;

    #[test]
    fn numbers_are_dense_and_names_match_the_header() {
        for (i, cap) in Capability::ALL.iter().enumerate() {
            assert_eq!(usize::from(cap.number()), i, "{cap}");
            assert!(cap.name().starts_with("CAP_"), "{cap}");
        }
        assert_eq!(Capability::SysChroot.name(), "CAP_SYS_CHROOT");
        assert_eq!(Capability::SysChroot.bit(), 0x40000);
        assert_eq!(
            Capability::CheckpointRestore.name(),
            "CAP_CHECKPOINT_RESTORE"
        );
        assert_eq!(Capability::CheckpointRestore.number(), 40);
    }
}
