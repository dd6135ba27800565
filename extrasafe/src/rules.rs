//! The vocabulary of a policy: argument conditions, seccomp rules and the [`RuleSet`] trait.

use std::collections::HashMap;
use std::fmt;

#[cfg(feature = "landlock")]
use ::landlock::{BitFlags, Scope};

#[cfg(feature = "landlock")]
use crate::rights::{LandlockRule, PortRule};
use crate::syscalls::Sysno;

/// How a syscall argument is compared with a value in a [`SeccompArgumentFilter`].
///
/// Comparisons are unsigned, as in the kernel's seccomp BPF. For an argument that the kernel
/// reads as 32 bits (an `int`, say), only the low 32 bits are compared, whatever the caller
/// leaves in the upper half of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    /// The argument equals the value.
    Eq,
    /// The argument is greater than or equal to the value.
    Ge,
    /// The argument is greater than the value.
    Gt,
    /// The argument is less than or equal to the value.
    Le,
    /// The argument is less than the value.
    Lt,
    /// The argument AND-ed with the mask equals the value.
    MaskedEq(u64),
    /// The argument differs from the value.
    Ne,
}

impl Comparator {
    /// The operator as written in [`seccomp_arg_filter!`](crate::seccomp_arg_filter).
    fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq | Comparator::MaskedEq(_) => "==",
            Comparator::Ge => ">=",
            Comparator::Gt => ">",
            Comparator::Le => "<=",
            Comparator::Lt => "<",
            Comparator::Ne => "!=",
        }
    }
}

/// A condition on one argument of a syscall: `argN <op> value`.
///
/// Built with [`seccomp_arg_filter!`](crate::seccomp_arg_filter) or the constructors below.
///
/// The width of the comparison (32 or 64 bits) is taken from extrasafe's table of kernel
/// argument types when the syscall is in it, whatever `is_64bit` says: an `int` argument is
/// always compared on its low 32 bits and a pointer or `long` on all 64. `is_64bit` is kept
/// for 0.5.1 compatibility and informs nothing: for the few syscalls the table does not know
/// (unimplemented ones), arguments are compared on 64 bits and only `==` and masks are
/// accepted, since those can only fail closed. A value for a 32-bit argument must fit in 32
/// bits, except that a negative `int` sign-extended to 64 bits (`libc::AT_FDCWD as u64`)
/// stands for its low 32 bits.
///
/// ```
/// use extrasafe::{Comparator, SeccompArgumentFilter};
/// let fd_is_stdout = SeccompArgumentFilter::new32(0, Comparator::Eq, 1);
/// assert_eq!(fd_is_stdout.to_string(), "arg0 == 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeccompArgumentFilter {
    /// The argument's position, 0 to 5.
    pub arg_idx: u8,
    comparator: Comparator,
    /// The value the argument is compared with.
    pub value: u64,
    /// Whether the caller believes the argument is 64 bits wide. Kept for 0.5.1
    /// compatibility: extrasafe's width table decides (see the type's docs).
    pub is_64bit: bool,
}

impl SeccompArgumentFilter {
    /// A condition on a 64-bit argument (see the type's docs for how widths are chosen).
    #[must_use]
    pub const fn new(arg_idx: u8, comparator: Comparator, value: u64) -> SeccompArgumentFilter {
        SeccompArgumentFilter::new64(arg_idx, comparator, value)
    }

    /// A condition on a 64-bit argument.
    #[must_use]
    pub const fn new64(arg_idx: u8, comparator: Comparator, value: u64) -> SeccompArgumentFilter {
        SeccompArgumentFilter {
            arg_idx,
            comparator,
            value,
            is_64bit: true,
        }
    }

    /// A condition on a 32-bit argument: only the low 32 bits of the register are compared.
    #[must_use]
    pub const fn new32(arg_idx: u8, comparator: Comparator, value: u32) -> SeccompArgumentFilter {
        SeccompArgumentFilter {
            arg_idx,
            comparator,
            value: value as u64,
            is_64bit: false,
        }
    }

    /// The comparison this condition makes.
    #[must_use]
    pub const fn comparator(&self) -> Comparator {
        self.comparator
    }
}

impl fmt::Display for SeccompArgumentFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.comparator {
            Comparator::MaskedEq(mask) => {
                write!(f, "arg{} & {:#x} == {:#x}", self.arg_idx, mask, self.value)
            }
            op if self.value < 4096 => {
                write!(f, "arg{} {} {}", self.arg_idx, op.symbol(), self.value)
            }
            op => write!(f, "arg{} {} {:#x}", self.arg_idx, op.symbol(), self.value),
        }
    }
}

/// A syscall allowed when all of its conditions hold.
///
/// Conditions in one rule are AND-ed; several rules for the same syscall are OR-ed.
///
/// ```
/// use extrasafe::{seccomp_arg_filter, SeccompRule};
/// use extrasafe::syscalls::Sysno;
/// // write(2) to stdout or stderr only
/// let rules = vec![
///     SeccompRule::new(Sysno::write).and_condition(seccomp_arg_filter!(arg0 == 1)),
///     SeccompRule::new(Sysno::write).and_condition(seccomp_arg_filter!(arg0 == 2)),
/// ];
/// assert_eq!(rules[0].to_string(), "write if arg0 == 1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeccompRule {
    /// The syscall this rule allows.
    pub syscall: Sysno,
    /// The conditions, all of which must hold.
    pub argument_filters: Vec<SeccompArgumentFilter>,
}

impl SeccompRule {
    /// A rule for `syscall` with no conditions yet.
    #[must_use]
    pub fn new(syscall: Sysno) -> SeccompRule {
        SeccompRule {
            syscall,
            argument_filters: Vec::new(),
        }
    }

    /// Adds a condition that must also hold.
    #[must_use]
    pub fn and_condition(mut self, argument_filter: SeccompArgumentFilter) -> SeccompRule {
        self.argument_filters.push(argument_filter);
        self
    }
}

impl fmt::Display for SeccompRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.syscall.name())?;
        for (i, cond) in self.argument_filters.iter().enumerate() {
            f.write_str(if i == 0 { " if " } else { " && " })?;
            write!(f, "{cond}")?;
        }
        Ok(())
    }
}

/// A named set of syscalls (and conditions on them) that a program is allowed to use.
///
/// Builtins ([`BasicCapabilities`](crate::builtins::BasicCapabilities),
/// [`SystemIO`](crate::builtins::SystemIO), [`Networking`](crate::builtins::Networking), …)
/// implement it; so can your own types. A [`Sysno`] is a `RuleSet` allowing just itself.
///
/// ```
/// use std::collections::HashMap;
/// use extrasafe::{seccomp_arg_filter, RuleSet, SafetyContext, SeccompRule};
/// use extrasafe::syscalls::Sysno;
///
/// /// Lets the program write to stdout, and nowhere else.
/// struct Stdout;
/// impl RuleSet for Stdout {
///     fn simple_rules(&self) -> Vec<Sysno> {
///         Vec::new()
///     }
///     fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
///         let rule = SeccompRule::new(Sysno::write).and_condition(seccomp_arg_filter!(arg0 == 1));
///         HashMap::from([(Sysno::write, vec![rule])])
///     }
///     fn name(&self) -> &'static str {
///         "Stdout"
///     }
/// }
///
/// let ctx = SafetyContext::new().enable(Stdout)?;
/// assert!(ctx.explain()?.to_string().contains("write"));
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
pub trait RuleSet {
    /// Syscalls allowed with any arguments.
    fn simple_rules(&self) -> Vec<Sysno>;

    /// Syscalls allowed only when the arguments meet the rules' conditions.
    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        HashMap::new()
    }

    /// The RuleSet's own narrowing: conditional rules that give way to an unconditional rule
    /// for the same syscall (from another RuleSet, or from this one) instead of conflicting
    /// with it.
    ///
    /// A conditional rule from [`conditional_rules`](RuleSet::conditional_rules) that meets an
    /// unconditional rule is a
    /// [`ConditionalNoEffectError`](crate::ExtraSafeError::ConditionalNoEffectError), as in
    /// 0.5.1: the conditions would have no effect. A rule listed here does not conflict: where
    /// any RuleSet allows the syscall outright, the syscall is allowed outright and
    /// [`SafetyContext::explain`](crate::SafetyContext::explain) says that the narrowing
    /// gave way; elsewhere it is OR-ed with the other conditional rules for the syscall, like
    /// any conditional rule. extrasafe's builtins list here the conditions they have added
    /// since 0.5.1 (the exact `clone` flags of
    /// [`Threads`](crate::builtins::danger_zone::Threads), say), so that those never turn a
    /// combination that 0.5.1 accepted into an error.
    ///
    /// A rule listed here is narrowing whether or not `conditional_rules` lists it too;
    /// builtins list it in both, so that a wrapper that forwards only `conditional_rules`
    /// (as 0.5.1's trait had no other) still gets it, as an ordinary conditional rule.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use extrasafe::{seccomp_arg_filter, RuleSet, SafetyContext, SeccompRule};
    /// use extrasafe::syscalls::Sysno;
    ///
    /// /// Names threads: prctl(PR_SET_NAME), unless another RuleSet allows more.
    /// struct ThreadNames;
    /// impl RuleSet for ThreadNames {
    ///     fn simple_rules(&self) -> Vec<Sysno> {
    ///         Vec::new()
    ///     }
    ///     fn narrowing_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
    ///         let rule = SeccompRule::new(Sysno::prctl).and_condition(seccomp_arg_filter!(arg0 == 15));
    ///         HashMap::from([(Sysno::prctl, vec![rule])])
    ///     }
    ///     fn name(&self) -> &'static str {
    ///         "ThreadNames"
    ///     }
    /// }
    ///
    /// // Another RuleSet allows prctl outright: no conflict, prctl is allowed outright.
    /// let ctx = SafetyContext::new().enable(ThreadNames)?.enable(Sysno::prctl)?;
    /// let text = ctx.explain()?.to_string();
    /// assert!(text.contains("the narrowing of ThreadNames (arg0 == 15) gave way to it"), "{text}");
    /// # Ok::<(), extrasafe::ExtraSafeError>(())
    /// ```
    fn narrowing_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        HashMap::new()
    }

    /// The name used in errors and in [`SafetyContext::explain`](crate::SafetyContext::explain).
    fn name(&self) -> &'static str;

    /// Landlock rights on paths (see [`crate::landlock`]).
    #[cfg(feature = "landlock")]
    fn landlock_rules(&self) -> Vec<LandlockRule> {
        Vec::new()
    }

    /// Landlock rights on TCP ports (see [`crate::landlock`]).
    #[cfg(feature = "landlock")]
    fn landlock_ports(&self) -> Vec<PortRule> {
        Vec::new()
    }

    /// Landlock scopes: no signals or abstract unix socket connections out of the sandbox.
    #[cfg(feature = "landlock")]
    fn landlock_scopes(&self) -> BitFlags<Scope> {
        BitFlags::empty()
    }
}

impl<T: RuleSet + ?Sized> RuleSet for &T {
    fn simple_rules(&self) -> Vec<Sysno> {
        T::simple_rules(self)
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        T::conditional_rules(self)
    }

    fn narrowing_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        T::narrowing_rules(self)
    }

    fn name(&self) -> &'static str {
        T::name(self)
    }

    #[cfg(feature = "landlock")]
    fn landlock_rules(&self) -> Vec<LandlockRule> {
        T::landlock_rules(self)
    }

    #[cfg(feature = "landlock")]
    fn landlock_ports(&self) -> Vec<PortRule> {
        T::landlock_ports(self)
    }

    #[cfg(feature = "landlock")]
    fn landlock_scopes(&self) -> BitFlags<Scope> {
        T::landlock_scopes(self)
    }
}

impl RuleSet for Sysno {
    fn simple_rules(&self) -> Vec<Sysno> {
        vec![*self]
    }

    fn name(&self) -> &'static str {
        Sysno::name(self)
    }
}

/// Builds a [`SeccompArgumentFilter`] from an expression such as `arg0 == 1`.
///
/// Forms: `argN OP value` with `N` in 0 to 5 and `OP` one of `<=`, `<`, `>=`, `>`, `==`, `!=`;
/// `argN & MASK == value`; and the 32-bit forms `argN as u32 OP value` and
/// `argN as u32 & MASK == value`. `MASK` is a literal or a parenthesised expression. The
/// macro names everything through `$crate`, so it needs no `use`.
///
/// ```
/// let cond = extrasafe::seccomp_arg_filter!(arg2 & (libc::O_WRONLY as u64) == 0);
/// assert_eq!(cond.arg_idx, 2);
/// let small = extrasafe::seccomp_arg_filter!(arg1 as u32 < 4096);
/// assert!(!small.is_64bit);
/// ```
#[macro_export]
macro_rules! seccomp_arg_filter {
    ($arg:ident as u32 & $mask:tt == $value:expr) => {
        $crate::SeccompArgumentFilter::new32(
            $crate::__arg_index!($arg),
            $crate::Comparator::MaskedEq(($mask) as u64),
            ($value) as u32,
        )
    };
    ($arg:ident as u32 $($rest:tt)+) => {
        $crate::__seccomp_arg_filter_op!(new32, u32, $arg $($rest)+)
    };
    ($arg:ident & $mask:tt == $value:expr) => {
        $crate::SeccompArgumentFilter::new64(
            $crate::__arg_index!($arg),
            $crate::Comparator::MaskedEq(($mask) as u64),
            ($value) as u64,
        )
    };
    ($arg:ident $($rest:tt)+) => {
        $crate::__seccomp_arg_filter_op!(new64, u64, $arg $($rest)+)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __seccomp_arg_filter_op {
    ($ctor:ident, $ty:ty, $arg:ident <= $value:expr) => {
        $crate::SeccompArgumentFilter::$ctor(
            $crate::__arg_index!($arg),
            $crate::Comparator::Le,
            ($value) as $ty,
        )
    };
    ($ctor:ident, $ty:ty, $arg:ident < $value:expr) => {
        $crate::SeccompArgumentFilter::$ctor(
            $crate::__arg_index!($arg),
            $crate::Comparator::Lt,
            ($value) as $ty,
        )
    };
    ($ctor:ident, $ty:ty, $arg:ident >= $value:expr) => {
        $crate::SeccompArgumentFilter::$ctor(
            $crate::__arg_index!($arg),
            $crate::Comparator::Ge,
            ($value) as $ty,
        )
    };
    ($ctor:ident, $ty:ty, $arg:ident > $value:expr) => {
        $crate::SeccompArgumentFilter::$ctor(
            $crate::__arg_index!($arg),
            $crate::Comparator::Gt,
            ($value) as $ty,
        )
    };
    ($ctor:ident, $ty:ty, $arg:ident == $value:expr) => {
        $crate::SeccompArgumentFilter::$ctor(
            $crate::__arg_index!($arg),
            $crate::Comparator::Eq,
            ($value) as $ty,
        )
    };
    ($ctor:ident, $ty:ty, $arg:ident != $value:expr) => {
        $crate::SeccompArgumentFilter::$ctor(
            $crate::__arg_index!($arg),
            $crate::Comparator::Ne,
            ($value) as $ty,
        )
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __arg_index {
    (arg0) => {
        0u8
    };
    (arg1) => {
        1u8
    };
    (arg2) => {
        2u8
    };
    (arg3) => {
        3u8
    };
    (arg4) => {
        4u8
    };
    (arg5) => {
        5u8
    };
    ($other:ident) => {
        ::core::compile_error!(::core::concat!(
            "seccomp_arg_filter!: `",
            ::core::stringify!($other),
            "` is not an argument: use arg0 to arg5"
        ))
    };
}

/// The pid of "this process" in rules that send signals to it: a placeholder that no pid
/// can take (pids stay below 2^22), replaced by the pid of the process that compiles the
/// context, which is the one that applies it (see [`resolve_self_pid`]). So a context
/// built before a `fork`, or before `isolate_process` moves the program into a new PID
/// namespace, names the process that applies it, not the one that built it.
pub(crate) const SELF_PID: u64 = 0x7fff_fffe;

/// The syscalls whose first argument may be [`SELF_PID`].
const SELF_PID_SYSCALLS: [Sysno; 4] = [
    Sysno::kill,
    Sysno::tgkill,
    Sysno::rt_sigqueueinfo,
    Sysno::rt_tgsigqueueinfo,
];

/// Replaces [`SELF_PID`] in the first argument of the signal syscalls of `rule` with the
/// calling process's pid.
///
/// A `getpid` that an outer filter denies returns `-errno`, which as a pid would name every
/// process (`-1`) or a process group: then the placeholder stays, and allows nothing.
pub(crate) fn resolve_self_pid(rule: &mut SeccompRule) {
    resolve_self_pid_to(rule, std::process::id());
}

/// [`resolve_self_pid`] with `pid` as the calling process's pid.
fn resolve_self_pid_to(rule: &mut SeccompRule, pid: u32) {
    /// The kernel's `PID_MAX_LIMIT`: no pid is above it.
    const PID_MAX_LIMIT: u32 = 4 * 1024 * 1024;
    if !SELF_PID_SYSCALLS.contains(&rule.syscall) || pid == 0 || pid > PID_MAX_LIMIT {
        return;
    }
    for filter in &mut rule.argument_filters {
        if filter.arg_idx == 0 && filter.value == SELF_PID {
            filter.value = u64::from(pid);
        }
    }
}

#[cfg(test)]
mod self_pid_tests {
    use super::*;

    fn kill_self() -> SeccompRule {
        SeccompRule::new(Sysno::kill).and_condition(SeccompArgumentFilter::new64(
            0,
            Comparator::Eq,
            SELF_PID,
        ))
    }

    #[test]
    fn the_placeholder_becomes_the_pid_of_the_caller() {
        let mut rule = kill_self();
        resolve_self_pid_to(&mut rule, 1234);
        assert_eq!(rule.argument_filters[0].value, 1234);
    }

    #[test]
    fn a_denied_getpid_leaves_the_placeholder_which_names_no_process() {
        // getpid denied with EPERM or with a custom errno: -1 would be kill(-1), every
        // process; -N a process group.
        for pid in [0, u32::MAX, u32::MAX - 37, PID_MAX + 1] {
            let mut rule = kill_self();
            resolve_self_pid_to(&mut rule, pid);
            assert_eq!(rule.argument_filters[0].value, SELF_PID, "{pid}");
        }
    }

    #[test]
    fn other_syscalls_and_arguments_keep_the_value() {
        let mut rule = SeccompRule::new(Sysno::write).and_condition(SeccompArgumentFilter::new64(
            0,
            Comparator::Eq,
            SELF_PID,
        ));
        resolve_self_pid_to(&mut rule, 1234);
        assert_eq!(rule.argument_filters[0].value, SELF_PID);
    }

    const PID_MAX: u32 = 4 * 1024 * 1024;
}
