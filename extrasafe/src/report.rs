//! What an `apply*` call enforced.

use std::fmt;

/// What the seccomp filter does with a syscall that no rule allows.
///
/// ```
/// use extrasafe::{builtins::SystemIO, DefaultAction, SafetyContext};
/// let ctx = SafetyContext::new()
///     .with_default_action(DefaultAction::KillProcess)
///     .enable(SystemIO::nothing().allow_stdout())?;
/// assert!(ctx.explain()?.to_string().contains("kill the process"));
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefaultAction {
    /// Fail the syscall with this errno (1 to 4095). The default is `Errno(1)`, EPERM.
    Errno(u32),
    /// Kill the whole process with SIGSYS.
    KillProcess,
    /// Send SIGSYS to the calling thread, which may handle it.
    Trap,
    /// Allow the syscall and log it to the kernel's audit log: for finding out what a program
    /// needs, never for enforcement.
    Log,
}

impl Default for DefaultAction {
    fn default() -> Self {
        DefaultAction::Errno(1)
    }
}

impl fmt::Display for DefaultAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefaultAction::Errno(e) => {
                write!(f, "fail with errno {e}")?;
                if let Some(name) = errno_name(*e) {
                    write!(f, " ({name})")?;
                }
                Ok(())
            }
            DefaultAction::KillProcess => f.write_str("kill the process (SIGSYS)"),
            DefaultAction::Trap => f.write_str("send SIGSYS to the thread"),
            DefaultAction::Log => f.write_str("allow and log (not enforcing)"),
        }
    }
}

/// The name of errno `e`, for the few a context is likely to use.
pub(crate) fn errno_name(e: u32) -> Option<&'static str> {
    let i = i32::try_from(e).ok()?;
    Some(match i {
        libc::EPERM => "EPERM",
        libc::EACCES => "EACCES",
        libc::ENOSYS => "ENOSYS",
        libc::EINVAL => "EINVAL",
        libc::ENOTSUP => "ENOTSUP",
        _ => return None,
    })
}

/// Which threads a seccomp filter was loaded on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SeccompScope {
    /// The calling thread (and threads and processes it creates later).
    CurrentThread,
    /// Every thread of the process, synchronised by the kernel (TSYNC).
    AllThreads,
}

/// What the seccomp layer enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeccompReport {
    /// Where the filter was loaded.
    pub scope: SeccompScope,
    /// What happens to syscalls no rule allows.
    pub default_action: DefaultAction,
    /// How many syscalls the filter allows (with or without conditions).
    pub allowed_syscalls: usize,
    /// How many of those are allowed only under argument conditions.
    pub conditional_syscalls: usize,
    /// How many of `allowed_syscalls` each RuleSet brought, by RuleSet name, in the order
    /// they were enabled; the counts add up to `allowed_syscalls`.
    ///
    /// A syscall that several RuleSets allow (with or without conditions) counts once,
    /// under the first of them that was enabled. After the enabled RuleSets come
    /// `"Landlock (implied)"`, the syscalls only the context's Landlock rights need, and
    /// last `"BasicCapabilities"`, which every context adds for the syscalls no enabled
    /// RuleSet allows (a context that enabled `BasicCapabilities` itself has it at its place
    /// in the order). RuleSets that brought none are left out.
    ///
    /// ```
    /// use extrasafe::{builtins::SystemIO, SafetyContext};
    /// let report = SafetyContext::new()
    ///     .enable(SystemIO::nothing().allow_read().allow_stdout())?
    ///     .enforce_on_current_thread()?;
    /// let seccomp = report.seccomp.expect("a seccomp layer");
    /// assert_eq!(seccomp.allowed_by[0], ("SystemIO", 8)); // read's 6, write and writev
    /// assert_eq!(seccomp.allowed_by[1].0, "BasicCapabilities");
    /// let total: usize = seccomp.allowed_by.iter().map(|(_, n)| n).sum();
    /// assert_eq!(total, seccomp.allowed_syscalls);
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    ///
    /// Empty for a [`CompiledFilter`](crate::CompiledFilter) that no context compiled.
    pub allowed_by: Vec<(&'static str, usize)>,
    /// The length of the BPF program.
    pub instructions: usize,
    /// Whether denied syscalls are reported on stderr, once per syscall name, by a
    /// supervisor thread before they fail with the errno of `default_action`
    /// (`SafetyContext::debug_denials`, feature `trace`): a debugging aid, off by default.
    pub debug_denials: bool,
}

/// What an `apply*` call enforced, layer by layer; its `Display` is one line for logs.
///
/// ```
/// use extrasafe::{builtins::SystemIO, SafetyContext};
/// let report = SafetyContext::new()
///     .enable(SystemIO::nothing().allow_stdout().allow_stderr())?
///     .enforce_on_current_thread()?;
/// println!("sandboxed: {report}");
/// assert!(report.seccomp.is_some());
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnforcementReport {
    /// The seccomp filter that was loaded, if the context had one.
    pub seccomp: Option<SeccompReport>,
    /// What Landlock enforced, if the context had Landlock rules.
    pub landlock: Option<LandlockReport>,
    /// What process isolation enforced: set by
    /// [`SafetyContext::apply_isolated`](crate::SafetyContext::apply_isolated) (and so
    /// `#[extrasafe::main]`) in the isolated process, for a context made with
    /// `isolate_process`; `None` otherwise.
    pub isolation: Option<IsolationReport>,
}

impl EnforcementReport {
    pub(crate) fn seccomp_only(seccomp: SeccompReport) -> EnforcementReport {
        EnforcementReport {
            seccomp: Some(seccomp),
            landlock: None,
            isolation: None,
        }
    }
}

/// What process isolation enforced (the `isolate` feature; see the `isolate` module).
///
/// Its `Display` is one line:
/// `isolation: new user, pid, mount, ipc, uts, cgroup, net namespaces; 64 MiB tmpfs root;
/// 2 binds (1 writable); capabilities: none`, followed by `; supplementary groups kept: 27,
/// 1001` when the process kept host groups and `; rlimits: RLIMIT_NPROC=64, …` when limits
/// were set.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IsolationReport {
    /// The new namespaces the process runs in: `user`, `pid`, `mount`, `ipc`, `uts`,
    /// `cgroup`, and `net` unless the configuration kept the caller's network.
    pub namespaces: Vec<&'static str>,
    /// The size limit of the tmpfs root, in MiB.
    pub rootfs_mib: u32,
    /// How many bind mounts are read-only.
    pub read_only_binds: usize,
    /// How many bind mounts are writable.
    pub writable_binds: usize,
    /// The capabilities the process kept (such as `"CAP_NET_ADMIN"`), in number order;
    /// empty when it has none.
    pub capabilities: Vec<&'static str>,
    /// The host's supplementary groups the process still belongs to (host group ids, in
    /// the kernel's order): empty when isolation dropped them, which it does when the
    /// caller may (`CAP_SETGID` on the host: root). An unprivileged caller cannot drop
    /// them, in the new user namespace neither (see the `isolate` module's documentation):
    /// files those groups may read or write stay readable or writable through the binds.
    pub supplementary_groups: Vec<u32>,
    /// The resource limits set (soft and hard), by the kernel's name of the resource (such
    /// as `"RLIMIT_NPROC"`), in the order they were configured.
    pub rlimits: Vec<(&'static str, u64)>,
}

impl fmt::Display for IsolationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let binds = self.read_only_binds + self.writable_binds;
        write!(
            f,
            "isolation: new {} namespaces; {} MiB tmpfs root; {binds} bind{} ({} writable); \
             capabilities: ",
            self.namespaces.join(", "),
            self.rootfs_mib,
            if binds == 1 { "" } else { "s" },
            self.writable_binds
        )?;
        if self.capabilities.is_empty() {
            f.write_str("none")?;
        } else {
            f.write_str(&self.capabilities.join(", "))?;
        }
        if !self.supplementary_groups.is_empty() {
            let groups: Vec<String> = self
                .supplementary_groups
                .iter()
                .map(ToString::to_string)
                .collect();
            write!(f, "; supplementary groups kept: {}", groups.join(", "))?;
        }
        if !self.rlimits.is_empty() {
            let limits: Vec<String> = self
                .rlimits
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            write!(f, "; rlimits: {}", limits.join(", "))?;
        }
        Ok(())
    }
}

/// Whether Landlock enforced the whole policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LandlockStatus {
    /// Every right the policy restricts is enforced.
    FullyEnforced,
    /// Some rights are enforced; [`LandlockReport::not_enforced`] lists the others.
    PartiallyEnforced,
    /// Nothing is enforced (the kernel has no usable Landlock).
    NotEnforced,
}

/// What the Landlock layer enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LandlockReport {
    /// Fully, partially or not enforced.
    pub status: LandlockStatus,
    /// The running kernel's Landlock ABI (0: unavailable).
    pub kernel_abi: i32,
    /// How many path rules were added.
    pub paths: usize,
    /// How many port rules were added.
    pub ports: usize,
    /// The scopes enforced (`signal`, `abstract_unix_socket`).
    pub scopes: Vec<&'static str>,
    /// Rights the policy restricts that the kernel could not (best effort only).
    pub not_enforced: Vec<&'static str>,
    /// Paths skipped because they did not exist (with `skip_missing_paths` only).
    pub skipped_paths: Vec<std::path::PathBuf>,
}

impl fmt::Display for LandlockReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match self.status {
            LandlockStatus::FullyEnforced => "fully enforced",
            LandlockStatus::PartiallyEnforced => "PARTIALLY enforced",
            LandlockStatus::NotEnforced => "NOT enforced",
        };
        write!(
            f,
            "landlock: {status} (kernel ABI {}), {} path rules, {} port rules",
            self.kernel_abi, self.paths, self.ports
        )?;
        if !self.scopes.is_empty() {
            write!(f, ", scoped: {}", self.scopes.join(", "))?;
        }
        if !self.not_enforced.is_empty() {
            write!(f, ", not enforced: {}", self.not_enforced.join(", "))?;
        }
        if !self.skipped_paths.is_empty() {
            let paths: Vec<String> = self
                .skipped_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            write!(f, ", skipped missing paths: {}", paths.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Display for EnforcementReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(landlock) = &self.landlock {
            write!(f, "{landlock}; ")?;
        }
        match &self.seccomp {
            Some(s) => {
                let scope = match s.scope {
                    SeccompScope::CurrentThread => "the current thread",
                    SeccompScope::AllThreads => "all threads",
                };
                write!(
                    f,
                    "seccomp: filter on {scope}, {} syscalls allowed (",
                    s.allowed_syscalls
                )?;
                for (i, (name, count)) in s.allowed_by.iter().enumerate() {
                    let sep = if i + 1 == s.allowed_by.len() {
                        "; "
                    } else {
                        ", "
                    };
                    write!(f, "{count} by {name}{sep}")?;
                }
                write!(
                    f,
                    "{} with argument conditions), {} BPF instructions, other syscalls: {}",
                    s.conditional_syscalls, s.instructions, s.default_action
                )?;
                if s.debug_denials {
                    f.write_str(" (debug_denials: each denied syscall reported once on stderr)")?;
                }
                f.write_str("; no_new_privs set")?;
            }
            None => f.write_str("seccomp: not applied")?,
        }
        if let Some(isolation) = &self.isolation {
            write!(f, "; {isolation}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn isolation() -> IsolationReport {
        IsolationReport {
            namespaces: vec!["user", "pid", "mount", "ipc", "uts", "cgroup", "net"],
            rootfs_mib: 64,
            read_only_binds: 1,
            writable_binds: 1,
            capabilities: Vec::new(),
            supplementary_groups: Vec::new(),
            rlimits: Vec::new(),
        }
    }

    #[test]
    fn isolation_display() {
        assert_eq!(
            isolation().to_string(),
            "isolation: new user, pid, mount, ipc, uts, cgroup, net namespaces; 64 MiB tmpfs \
             root; 2 binds (1 writable); capabilities: none"
        );
        let other = IsolationReport {
            namespaces: vec!["user", "pid", "mount", "ipc", "uts", "cgroup"],
            rootfs_mib: 16,
            read_only_binds: 0,
            writable_binds: 1,
            capabilities: vec!["CAP_NET_ADMIN", "CAP_SYS_CHROOT"],
            supplementary_groups: vec![27, 1001],
            rlimits: vec![("RLIMIT_NPROC", 64), ("RLIMIT_NOFILE", 32)],
        };
        assert_eq!(
            other.to_string(),
            "isolation: new user, pid, mount, ipc, uts, cgroup namespaces; 16 MiB tmpfs root; \
             1 bind (1 writable); capabilities: CAP_NET_ADMIN, CAP_SYS_CHROOT; supplementary \
             groups kept: 27, 1001; rlimits: RLIMIT_NPROC=64, RLIMIT_NOFILE=32"
        );
    }

    #[test]
    fn enforcement_report_display_appends_isolation() {
        let mut report = EnforcementReport::seccomp_only(SeccompReport {
            scope: SeccompScope::AllThreads,
            default_action: DefaultAction::Errno(1),
            allowed_syscalls: 10,
            conditional_syscalls: 2,
            allowed_by: Vec::new(),
            instructions: 40,
            debug_denials: false,
        });
        let seccomp = "seccomp: filter on all threads, 10 syscalls allowed (2 with argument \
                       conditions), 40 BPF instructions, other syscalls: fail with errno 1 \
                       (EPERM); no_new_privs set";
        assert_eq!(report.to_string(), seccomp);
        if let Some(seccomp) = &mut report.seccomp {
            seccomp.allowed_by = vec![("SystemIO", 3), ("Networking", 1), ("BasicCapabilities", 6)];
        }
        let by_ruleset = "seccomp: filter on all threads, 10 syscalls allowed (3 by SystemIO, 1 by \
                          Networking, 6 by BasicCapabilities; 2 with argument conditions), 40 BPF \
                          instructions, other syscalls: fail with errno 1 (EPERM); no_new_privs set";
        assert_eq!(report.to_string(), by_ruleset);
        report
            .seccomp
            .as_mut()
            .expect("set above")
            .allowed_by
            .clear();
        report.isolation = Some(isolation());
        assert_eq!(
            report.to_string(),
            format!(
                "{seccomp}; isolation: new user, pid, mount, ipc, uts, cgroup, net namespaces; \
                 64 MiB tmpfs root; 2 binds (1 writable); capabilities: none"
            )
        );
        report.seccomp = None;
        assert!(report
            .to_string()
            .starts_with("seccomp: not applied; isolation: new user,"));
    }
}
