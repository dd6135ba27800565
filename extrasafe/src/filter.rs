//! Compiling a policy into a seccomp BPF program, and loading it.
//!
//! Each rule is expanded into masked equalities on 32-bit halves of arguments (see
//! [`expand_rule`]), and extrasafe's own generator (`bpf.rs`) turns them into the program,
//! in memory: compiling needs no syscall and no file, so already sandboxed code can compile
//! a narrower context with only `prctl` and `seccomp` allowed. Every program begins with the
//! checks every filter must make:
//!
//! 1. a foreign architecture (i386 `int 0x80` on x86_64, for instance) kills the process;
//! 2. on x86_64, an x32 syscall number (bit 30 set) kills the process;
//! 3. a syscall number above the highest one extrasafe knows returns `ENOSYS`, so that libc
//!    falls back to an older call that the filter can check.

use std::collections::BTreeMap;

use crate::bpf::{self, Alternative, ArgCmp, BpfInstruction, NativeOp};
use crate::error::{ExtraSafeError, SeccompError};
use crate::report::{DefaultAction, SeccompScope};
use crate::rules::{Comparator, SeccompRule};
use crate::sys;
use crate::syscalls::{ArgWidth, Sysno};

/// The most rules one conditional [`SeccompRule`] may expand into (see [`expand_rule`]).
const MAX_EXPANSION: usize = 1024;

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH_NATIVE: u32 = 0xc000_003e; // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH_NATIVE: u32 = 0xc000_00b7; // AUDIT_ARCH_AARCH64

#[cfg(feature = "trace")]
const fn insn(code: u16, jt: u8, jf: u8, k: u32) -> BpfInstruction {
    BpfInstruction { code, jt, jf, k }
}

/// A seccomp filter compiled once and ready to load, possibly many times.
///
/// Obtained from [`SafetyContext::compile`](crate::SafetyContext::compile). Compiling costs
/// far more than loading, so code that sandboxes many threads with the same policy should
/// compile once and call [`apply_to_current_thread`](CompiledFilter::apply_to_current_thread)
/// in each thread.
///
/// ```
/// use extrasafe::{builtins::SystemIO, SafetyContext};
/// let filter = SafetyContext::new().enable(SystemIO::nothing().allow_stdout())?.compile()?;
/// assert!(filter.instructions().len() > 10);
/// assert_eq!(filter.to_bytes().len(), filter.instructions().len() * 8);
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    program: Vec<BpfInstruction>,
    pub(crate) summary: FilterSummary,
}

/// Counts reported in an [`EnforcementReport`](crate::EnforcementReport).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterSummary {
    pub(crate) allowed: usize,
    pub(crate) conditional: usize,
    pub(crate) default_action: DefaultAction,
    /// How many of `allowed` each RuleSet brought (set by the context that compiled it; see
    /// [`SeccompReport::allowed_by`](crate::SeccompReport::allowed_by)).
    pub(crate) allowed_by: Vec<(&'static str, usize)>,
    /// Whether syscalls no rule allows go to a listener (`SECCOMP_RET_USER_NOTIF`) that
    /// reports them and answers with the errno of `default_action` (`debug_denials`).
    pub(crate) notifies_denials: bool,
}

impl CompiledFilter {
    /// The program's instructions, in order.
    #[must_use]
    pub fn instructions(&self) -> &[BpfInstruction] {
        &self.program
    }

    /// The program as raw bytes in the kernel's `struct sock_filter` layout (native byte
    /// order), the format `seccomp_export_bpf` writes and `bpf_asm`/`seccomp-tools` read.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.program.len() * 8);
        for i in &self.program {
            out.extend_from_slice(&i.code.to_ne_bytes());
            out.push(i.jt);
            out.push(i.jf);
            out.extend_from_slice(&i.k.to_ne_bytes());
        }
        out
    }

    /// Loads the filter on the calling thread (after setting `no_new_privs`).
    ///
    /// # Errors
    /// [`ExtraSafeError::SeccompError`] if the kernel refuses the filter.
    pub fn apply_to_current_thread(&self) -> Result<(), ExtraSafeError> {
        self.load(SeccompScope::CurrentThread).map(drop)
    }

    /// Loads the filter on every thread of the process at once (seccomp TSYNC), after setting
    /// `no_new_privs` on the calling thread. Either every thread gets it or none does.
    ///
    /// # Errors
    /// [`ExtraSafeError::ThreadSyncFailed`] if a thread cannot take it,
    /// [`ExtraSafeError::SeccompError`] if the kernel refuses the filter.
    pub fn apply_to_all_threads(&self) -> Result<(), ExtraSafeError> {
        self.load(SeccompScope::AllThreads).map(drop)
    }

    /// As [`apply_to_current_thread`](CompiledFilter::apply_to_current_thread), and returns
    /// what was enforced.
    ///
    /// # Errors
    /// As [`apply_to_current_thread`](CompiledFilter::apply_to_current_thread).
    pub fn enforce_on_current_thread(&self) -> Result<crate::EnforcementReport, ExtraSafeError> {
        self.load(SeccompScope::CurrentThread)
    }

    /// As [`apply_to_all_threads`](CompiledFilter::apply_to_all_threads), and returns what
    /// was enforced.
    ///
    /// # Errors
    /// As [`apply_to_all_threads`](CompiledFilter::apply_to_all_threads).
    pub fn enforce_on_all_threads(&self) -> Result<crate::EnforcementReport, ExtraSafeError> {
        self.load(SeccompScope::AllThreads)
    }

    /// What the kernel decides for `data` under this filter, by running the program's
    /// instructions (see [`crate::eval`]); nothing is loaded.
    ///
    /// ```
    /// use extrasafe::eval::{Action, SeccompData};
    /// use extrasafe::{builtins::SystemIO, syscalls::Sysno, SafetyContext};
    /// let filter = SafetyContext::new().enable(SystemIO::nothing().allow_stdout())?.compile()?;
    /// let call = SeccompData::native(Sysno::write, [1, 0, 0, 0, 0, 0]);
    /// let outcome = filter.evaluate(&call)?;
    /// assert_eq!(outcome.action, Action::Allow);
    /// println!("write(1, ..) runs {} instructions of the filter", outcome.executed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`EvalError`](crate::eval::EvalError) if the program is not one the kernel would load
    /// (never the case for a program extrasafe compiled).
    pub fn evaluate(
        &self,
        data: &crate::eval::SeccompData,
    ) -> Result<crate::eval::Evaluation, crate::eval::EvalError> {
        crate::eval::run(&self.program, data)
    }

    /// What the kernel does with a native call of `sysno` with `args` under this filter.
    ///
    /// ```
    /// use extrasafe::eval::Action;
    /// use extrasafe::{builtins::SystemIO, syscalls::Sysno, SafetyContext};
    /// let filter = SafetyContext::new().enable(SystemIO::nothing().allow_stdout())?.compile()?;
    /// assert_eq!(filter.decide(Sysno::openat, [0; 6])?, Action::Errno(libc::EPERM as u16));
    /// assert_eq!(filter.decide(Sysno::clone3, [0; 6])?, Action::Errno(libc::ENOSYS as u16));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`evaluate`](CompiledFilter::evaluate).
    pub fn decide(
        &self,
        sysno: Sysno,
        args: [u64; 6],
    ) -> Result<crate::eval::Action, crate::eval::EvalError> {
        Ok(self
            .evaluate(&crate::eval::SeccompData::native(sysno, args))?
            .action)
    }

    fn load(&self, scope: SeccompScope) -> Result<crate::EnforcementReport, ExtraSafeError> {
        sys::set_no_new_privs().map_err(|e| SeccompError::new("set no_new_privs (prctl)", e))?;
        let program = sock_filters(&self.program);
        sys::load_filter(&program, scope == SeccompScope::AllThreads).map_err(|e| match e {
            sys::LoadError::Os(e) => {
                ExtraSafeError::from(SeccompError::new("load the filter (seccomp(2))", e))
            }
            sys::LoadError::ThreadSync(tid) => ExtraSafeError::ThreadSyncFailed { tid },
        })?;
        Ok(crate::EnforcementReport::seccomp_only(
            self.seccomp_report(scope),
        ))
    }

    /// What loading this filter on `scope` enforces.
    pub(crate) fn seccomp_report(&self, scope: SeccompScope) -> crate::report::SeccompReport {
        crate::report::SeccompReport {
            scope,
            default_action: self.summary.default_action,
            allowed_syscalls: self.summary.allowed,
            conditional_syscalls: self.summary.conditional,
            allowed_by: self.summary.allowed_by.clone(),
            instructions: self.program.len(),
            debug_denials: self.summary.notifies_denials,
        }
    }
}

/// What the filter does with one syscall.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Decision {
    /// Allowed with any arguments.
    Allow,
    /// Allowed when one of the rules matches.
    AllowIf(Vec<(&'static str, SeccompRule)>),
}

/// The key of a compiled program: the merged policy and the default action.
type CacheKey = (BTreeMap<Sysno, Decision>, DefaultAction);

/// Programs compiled in this process, by the hash of their policy: compiling costs
/// the expansion of every rule and the generation of the program, loading only a `seccomp(2)`
/// call, so a policy applied
/// again (`run` in a loop, the same `extrasafe!` block called many times) is compiled once.
/// Also lets an already sandboxed thread apply a policy compiled before, without the
/// syscalls compiling needs. A lookup hashes and compares the policy; it clones nothing.
static CACHE: std::sync::Mutex<Option<Cache>> = std::sync::Mutex::new(None);

/// Compiled programs by policy hash; a bucket holds the (rare) policies sharing a hash.
type Cache = std::collections::HashMap<u64, Vec<(CacheKey, CompiledFilter)>>;

/// How many programs the cache keeps; beyond that it starts over.
const CACHE_CAPACITY: usize = 64;

fn policy_hash(decisions: &BTreeMap<Sysno, Decision>, default_action: DefaultAction) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    decisions.hash(&mut hasher);
    default_action.hash(&mut hasher);
    hasher.finish()
}

/// Compiles the merged policy (one decision per syscall) into a program, or returns the
/// program compiled for the same policy before.
pub(crate) fn compile(
    decisions: &BTreeMap<Sysno, Decision>,
    default_action: DefaultAction,
) -> Result<CompiledFilter, ExtraSafeError> {
    let hash = policy_hash(decisions, default_action);
    {
        // A poisoned lock only means a panic elsewhere while holding it; the map is intact.
        let cache = CACHE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let hit = cache
            .as_ref()
            .and_then(|c| c.get(&hash))
            .and_then(|bucket| {
                bucket
                    .iter()
                    .find(|((d, a), _)| d == decisions && *a == default_action)
            });
        if let Some((_, filter)) = hit {
            return Ok(filter.clone());
        }
    }
    let filter = compile_uncached(decisions, default_action)?;
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let map = cache.get_or_insert_with(std::collections::HashMap::new);
    if map.values().map(Vec::len).sum::<usize>() >= CACHE_CAPACITY {
        map.clear();
    }
    map.entry(hash)
        .or_default()
        .push(((decisions.clone(), default_action), filter.clone()));
    Ok(filter)
}

/// Compiles the merged policy into a program with extrasafe's own generator (see
/// [`crate::bpf`]): no syscall, no file, no libseccomp.
pub(crate) fn compile_uncached(
    decisions: &BTreeMap<Sysno, Decision>,
    default_action: DefaultAction,
) -> Result<CompiledFilter, ExtraSafeError> {
    compile_program(decisions, default_action, false)
}

/// Compiles the merged policy as [`compile_uncached`] does, except that syscalls no rule
/// allows go to a listener (`SECCOMP_RET_USER_NOTIF`) instead of failing with the errno of
/// `default_action`: the program of `debug_denials`, whose listener answers each of them
/// with that errno. Never cached: it is only loaded with its listener.
#[cfg(feature = "trace")]
pub(crate) fn compile_notifying_denials(
    decisions: &BTreeMap<Sysno, Decision>,
    default_action: DefaultAction,
) -> Result<CompiledFilter, ExtraSafeError> {
    compile_program(decisions, default_action, true)
}

fn compile_program(
    decisions: &BTreeMap<Sysno, Decision>,
    default_action: DefaultAction,
    notify: bool,
) -> Result<CompiledFilter, ExtraSafeError> {
    let default_ret = match default_action {
        DefaultAction::Errno(errno) => {
            let errno = errno_i32(errno)?.unsigned_abs();
            if notify {
                libc::SECCOMP_RET_USER_NOTIF
            } else {
                bpf::SECCOMP_RET_ERRNO | errno
            }
        }
        DefaultAction::KillProcess => bpf::SECCOMP_RET_KILL_PROCESS,
        DefaultAction::Trap => bpf::SECCOMP_RET_TRAP,
        DefaultAction::Log => bpf::SECCOMP_RET_LOG,
    };
    let mut conditional = 0;
    let mut blocks: Vec<(u32, bpf::Block)> = Vec::with_capacity(decisions.len() + 1);
    for (&sysno, decision) in decisions {
        if sysno == clone3() {
            continue;
        }
        let block = match decision {
            Decision::Allow => bpf::Block::Allow,
            Decision::AllowIf(rules) => {
                let mut alternatives = Vec::new();
                for (ruleset, rule) in rules {
                    alternatives.extend(expand_rule(rule, ruleset)?);
                }
                if alternatives.is_empty() {
                    // No rule at all (the context never builds this): nothing allows it.
                    continue;
                }
                if alternatives
                    .iter()
                    .any(|alt| alt.iter().all(Option::is_none))
                {
                    // One alternative always holds: the syscall is allowed outright.
                    bpf::Block::Allow
                } else {
                    conditional += 1;
                    alternatives.sort_unstable();
                    alternatives.dedup();
                    bpf::Block::AllowIf(alternatives)
                }
            }
        };
        blocks.push((sysno.id().unsigned_abs(), block));
    }
    // clone3 passes its flags behind a pointer that seccomp cannot read: answer ENOSYS so
    // that libc falls back to clone(2), whose flags the filter can check.
    blocks.push((clone3().id().unsigned_abs(), bpf::Block::Enosys));
    blocks.sort_by_key(|(nr, _)| *nr);

    let target = bpf::Target {
        arch: AUDIT_ARCH_NATIVE,
        max_nr: u32::try_from(Sysno::MAX_ID).expect("syscall numbers are positive"),
        x32: cfg!(target_arch = "x86_64"),
    };
    let program = bpf::generate(&blocks, default_ret, target);
    #[cfg(feature = "trace")]
    let program = if notify {
        kept_from_the_supervised(program, default_ret_errno(default_action)?)
    } else {
        program
    };
    if program.len() > bpf::BPF_MAXINSNS {
        return Err(SeccompError::new(
            "fit the filter in the kernel's limit of 4096 instructions: simplify the conditions",
            std::io::Error::from_raw_os_error(libc::E2BIG),
        )
        .into());
    }
    let allowed = decisions.keys().filter(|&&s| s != clone3()).count();
    Ok(CompiledFilter {
        program,
        summary: FilterSummary {
            allowed,
            conditional,
            default_action,
            allowed_by: Vec::new(),
            notifies_denials: notify && matches!(default_action, DefaultAction::Errno(_)),
        },
    })
}

/// The errno of an `Errno` default action (`EPERM` for the others, which are never notified).
#[cfg(feature = "trace")]
fn default_ret_errno(default_action: DefaultAction) -> Result<u32, ExtraSafeError> {
    match default_action {
        DefaultAction::Errno(errno) => Ok(errno_i32(errno)?.unsigned_abs()),
        _ => Ok(libc::EPERM.unsigned_abs()),
    }
}

/// `program` behind two checks that fail a call with `errno`, whatever the policy allows:
///
/// - an `ioctl` whose request is of the seccomp listener's type (`'!'`, which
///   `ioctl-number.rst` gives to seccomp alone), on any file descriptor. The listener of
///   `debug_denials` lives in the sandboxed process's descriptor table: with `ioctl` allowed,
///   a second sandboxed thread could receive a denied call of the first and answer it
///   "continue", running it.
/// - `seccomp(SECCOMP_SET_MODE_FILTER)` with `SECCOMP_FILTER_FLAG_TSYNC`: from a supervised
///   thread it would put the thread's filter chain, this filter included, on every thread,
///   the supervisor too, whose own denied calls would then wait for itself.
///
/// A foreign architecture goes on to `program`, which kills the process.
#[cfg(feature = "trace")]
fn kept_from_the_supervised(program: Vec<BpfInstruction>, errno: u32) -> Vec<BpfInstruction> {
    use crate::bpf::{AND_K, JA, JEQ_K, LD_W_ABS, OFFSET_ARCH, OFFSET_ARGS, OFFSET_NR, RET_K};
    /// The type byte of every seccomp listener ioctl (`SECCOMP_IOC_MAGIC`), in place.
    const SECCOMP_IOCTL_TYPE: u32 = 0x21 << 8;
    const SECCOMP_SET_MODE_FILTER: u32 = 1;
    const SECCOMP_FILTER_FLAG_TSYNC: u32 = 1;
    // The low 32 bits of argument `i`: the request of ioctl is an `unsigned int`, and so are
    // the operation and the flags of seccomp.
    let low = |i: u32| OFFSET_ARGS + 8 * i + if cfg!(target_endian = "little") { 0 } else { 4 };
    // Jump offsets count from the next instruction: `deny` is at 14, `program` at 15.
    let mut out = vec![
        /* 0 */ insn(LD_W_ABS, 0, 0, OFFSET_ARCH),
        /* 1 */ insn(JEQ_K, 0, 13, AUDIT_ARCH_NATIVE),
        /* 2 */ insn(LD_W_ABS, 0, 0, OFFSET_NR),
        /* 3 */ insn(JEQ_K, 0, 1, Sysno::ioctl.id().unsigned_abs()),
        /* 4 */ insn(JA, 0, 0, 6),
        /* 5 */ insn(JEQ_K, 0, 9, Sysno::seccomp.id().unsigned_abs()),
        /* 6 */ insn(LD_W_ABS, 0, 0, low(0)),
        /* 7 */ insn(JEQ_K, 0, 7, SECCOMP_SET_MODE_FILTER),
        /* 8 */ insn(LD_W_ABS, 0, 0, low(1)),
        /* 9 */ insn(AND_K, 0, 0, SECCOMP_FILTER_FLAG_TSYNC),
        /* 10 */ insn(JEQ_K, 3, 4, SECCOMP_FILTER_FLAG_TSYNC),
        /* 11 */ insn(LD_W_ABS, 0, 0, low(1)),
        /* 12 */ insn(AND_K, 0, 0, 0xff00),
        /* 13 */ insn(JEQ_K, 0, 1, SECCOMP_IOCTL_TYPE),
        /* 14 */ insn(RET_K, 0, 0, bpf::SECCOMP_RET_ERRNO | errno),
    ];
    out.extend(program);
    out
}

fn clone3() -> Sysno {
    Sysno::clone3
}

fn errno_i32(errno: u32) -> Result<i32, ExtraSafeError> {
    match i32::try_from(errno) {
        Ok(e @ 1..=4095) => Ok(e),
        _ => Err(ExtraSafeError::InvalidErrno { errno }),
    }
}

/// `program` as the kernel's `struct sock_filter`s.
pub(crate) fn sock_filters(program: &[BpfInstruction]) -> Vec<sys::SockFilter> {
    program
        .iter()
        .map(|i| sys::SockFilter {
            code: i.code,
            jt: i.jt,
            jf: i.jf,
            k: i.k,
        })
        .collect()
}

/// The filter of [`trace_closure`](crate::trace::trace_closure): the same architecture and
/// x32 checks as [`prologue`] (both kill the process), `clone3` answered with `ENOSYS` as
/// under every extrasafe filter (libc then calls `clone`, whose flags are in a register),
/// and every other syscall handed to the listener (`SECCOMP_RET_USER_NOTIF`).
#[cfg(feature = "trace")]
pub(crate) fn trace_program() -> Vec<BpfInstruction> {
    use crate::bpf::{
        JEQ_K as BPF_JEQ_K, JGE_K as BPF_JGE_K, LD_W_ABS as BPF_LD_W_ABS, OFFSET_ARCH, OFFSET_NR,
        RET_K as BPF_RET_K, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
    };
    let enosys = SECCOMP_RET_ERRNO | libc::ENOSYS.unsigned_abs();
    let mut p = vec![
        insn(BPF_LD_W_ABS, 0, 0, OFFSET_ARCH),
        insn(BPF_JEQ_K, 1, 0, AUDIT_ARCH_NATIVE),
        insn(BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        insn(BPF_LD_W_ABS, 0, 0, OFFSET_NR),
        insn(BPF_JEQ_K, 0, 1, clone3().id().unsigned_abs()),
        insn(BPF_RET_K, 0, 0, enosys),
    ];
    if cfg!(target_arch = "x86_64") {
        // 0x40000000..0x80000000: x32.
        p.extend([
            insn(BPF_JGE_K, 2, 0, 0x8000_0000),
            insn(BPF_JGE_K, 0, 1, 0x4000_0000),
            insn(BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        ]);
    }
    p.push(insn(BPF_RET_K, 0, 0, libc::SECCOMP_RET_USER_NOTIF));
    p
}

/// The width the kernel reads argument `idx` of `sysno` with, from the generated table
/// (`None` if the syscall has fewer arguments). For a syscall missing from the table, 64
/// bits: an equality on 64 bits can only fail closed (junk in the upper half of a 32-bit
/// argument makes it deny), and [`expand_rule`] refuses the other comparisons there.
fn width_of(sysno: Sysno, idx: usize) -> Option<ArgWidth> {
    match sysno.arg_widths() {
        Some(widths) => widths.get(idx).copied(),
        None if idx < 6 => Some(ArgWidth::Bits64),
        None => None,
    }
}

/// Expands a rule into alternatives of masked equalities, which the generator compiles
/// exactly.
///
/// - An argument the kernel reads as 32 bits is compared on its low 32 bits only: every
///   comparison on it becomes a set of masked equalities with masks inside the low 32 bits
///   (`x < v` is "x matches v above some 1-bit of v and has a 0 there", one masked equality
///   per such bit), so junk in the upper half of the register neither allows nor denies.
/// - A 64-bit argument with a single equality is compared on both halves.
/// - Several comparisons on one argument are intersected as
///   masked equalities.
///
/// The alternatives of one rule are OR-ed; within one alternative, the argument comparisons
/// are AND-ed. Errors name the RuleSet and syscall.
pub(crate) fn expand_rule(
    rule: &SeccompRule,
    ruleset: &'static str,
) -> Result<Vec<Alternative>, ExtraSafeError> {
    let invalid = |reason: String| ExtraSafeError::InvalidCondition {
        ruleset,
        syscall: rule.syscall,
        reason,
    };
    let mut per_arg: [Vec<&crate::SeccompArgumentFilter>; 6] = Default::default();
    for cond in &rule.argument_filters {
        let idx = usize::from(cond.arg_idx);
        if idx > 5 {
            return Err(invalid(format!(
                "is on arg{idx}, but syscalls have at most 6 arguments (arg0 to arg5)"
            )));
        }
        per_arg[idx].push(cond);
    }

    // For each argument: the alternatives for that argument alone (None = no condition).
    let mut options: Vec<(usize, Vec<ArgCmp>)> = Vec::new();
    for (idx, conds) in per_arg.iter().enumerate() {
        if conds.is_empty() {
            continue;
        }
        if rule.syscall.arg_widths().is_none() {
            if let Some(c) = conds
                .iter()
                .find(|c| !matches!(c.comparator(), Comparator::Eq | Comparator::MaskedEq(_)))
            {
                return Err(invalid(format!(
                    "`{c}` cannot be checked safely: extrasafe does not know how many bits of \
                     `{}`'s arguments the kernel reads, and junk in the upper half of a 32-bit \
                     argument could make `!=`, `<` or `>` hold; use `==` or a mask",
                    rule.syscall
                )));
            }
        }
        let Some(width) = width_of(rule.syscall, idx) else {
            let n = rule.syscall.arg_widths().map_or(0, <[ArgWidth]>::len);
            return Err(invalid(format!(
                "is on arg{idx}, but `{}` takes {n} argument(s): check the argument index",
                rule.syscall
            )));
        };
        // Equalities and masks stay as they are; every other comparison becomes masked
        // equalities, like those on 32-bit arguments. (Ordering comparisons on 64-bit words,
        // as libseccomp compiled them, are where 2.5.4 let through values that matched
        // neither of two range rules: extrasafe never emits them.)
        if width == ArgWidth::Bits64 && conds.len() == 1 {
            let c = conds[0];
            let cmp = match c.comparator() {
                Comparator::MaskedEq(mask) => Some(
                    masked(mask, c.value, u64::MAX).map_err(|r| invalid(format!("`{c}` {r}")))?,
                ),
                Comparator::Eq => Some(ArgCmp::Native {
                    op: NativeOp::Eq,
                    value: c.value,
                }),
                _ => None,
            };
            if let Some(cmp) = cmp {
                options.push((idx, vec![cmp]));
                continue;
            }
        }
        let bits = if width == ArgWidth::Bits32 { 32 } else { 64 };
        let mut acc: Vec<(u64, u64)> = vec![(0, 0)];
        for c in conds {
            let alts = masked_alternatives(c.comparator(), c.value, bits)
                .map_err(|r| invalid(format!("`{c}` {r}")))?;
            let mut next = Vec::new();
            for &(m1, v1) in &acc {
                for &(m2, v2) in &alts {
                    if (v1 ^ v2) & m1 & m2 == 0 {
                        next.push((m1 | m2, v1 | v2));
                    }
                }
            }
            next.sort_unstable();
            next.dedup();
            acc = next;
        }
        if acc.is_empty() {
            return Err(invalid(format!(
                "can never hold: the conditions on arg{idx} contradict each other"
            )));
        }
        let cmps = acc
            .into_iter()
            .map(|(mask, value)| ArgCmp::Masked { mask, value })
            .collect();
        options.push((idx, cmps));
    }

    let mut result: Vec<Alternative> = vec![[None; 6]];
    for (idx, cmps) in options {
        let mut next = Vec::with_capacity(result.len() * cmps.len());
        for alt in &result {
            for &cmp in &cmps {
                let mut a = *alt;
                // A mask of 0 always holds: leave the argument unchecked.
                a[idx] = match cmp {
                    ArgCmp::Masked { mask: 0, .. } => None,
                    other => Some(other),
                };
                next.push(a);
            }
        }
        if next.len() > MAX_EXPANSION {
            return Err(invalid(format!(
                "expands into more than {MAX_EXPANSION} seccomp rules (each `!=`, `<` or `>` on \
                 a 32-bit argument becomes up to 32): use `==` or split the rule"
            )));
        }
        result = next;
    }
    Ok(result)
}

fn masked(mask: u64, value: u64, full: u64) -> Result<ArgCmp, String> {
    let mask = mask & full;
    if value & !mask != 0 {
        return Err(format!(
            "can never hold: the value {value:#x} has bits outside the mask {mask:#x} \
             (for a 32-bit argument, the mask's upper 32 bits are ignored)"
        ));
    }
    Ok(ArgCmp::Masked { mask, value })
}

/// `x OP v` on a `bits`-wide unsigned `x`, as an OR of `(mask, value)` masked equalities.
pub(crate) fn masked_alternatives(
    op: Comparator,
    v: u64,
    bits: u32,
) -> Result<Vec<(u64, u64)>, String> {
    let full = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    // A negative `int` written as a 64-bit value (`libc::AT_FDCWD as u64`, as the 64-bit forms
    // of `seccomp_arg_filter!` write it) arrives sign-extended: it means its low 32 bits,
    // which is all the kernel reads of a 32-bit argument.
    let v = if bits == 32 && v >> 31 == 0x1_ffff_ffff {
        v & full
    } else {
        v
    };
    let check = |v: u64| {
        if v > full {
            Err(format!(
                "compares a {bits}-bit argument with {v:#x}, which does not fit in {bits} bits: \
                 the kernel only sees the low {bits} bits"
            ))
        } else {
            Ok(v)
        }
    };
    // Bits i..bits of `full`.
    let above = |i: u32| full & !((1u64 << i) - 1);
    let less_than = |v: u64| -> Vec<(u64, u64)> {
        (0..bits)
            .filter(|i| v & (1u64 << i) != 0)
            .map(|i| (above(i), (v & above(i)) & !(1u64 << i)))
            .collect()
    };
    let greater_than = |v: u64| -> Vec<(u64, u64)> {
        (0..bits)
            .filter(|i| v & (1u64 << i) == 0)
            .map(|i| (above(i), (v & above(i)) | (1u64 << i)))
            .collect()
    };
    let alts = match op {
        Comparator::Eq => vec![(full, check(v)?)],
        Comparator::MaskedEq(mask) => match masked(mask, v, full)? {
            ArgCmp::Masked { mask, value } => vec![(mask, value)],
            ArgCmp::Native { .. } => unreachable!("masked() only builds masked comparisons"),
        },
        Comparator::Ne => {
            let v = check(v)?;
            (0..bits).map(|i| (1u64 << i, !v & (1u64 << i))).collect()
        }
        Comparator::Lt => less_than(check(v)?),
        Comparator::Le => {
            let v = check(v)?;
            if v == full {
                vec![(0, 0)]
            } else {
                less_than(v + 1)
            }
        }
        Comparator::Gt => greater_than(check(v)?),
        Comparator::Ge => {
            let v = check(v)?;
            if v == 0 {
                vec![(0, 0)]
            } else {
                greater_than(v - 1)
            }
        }
    };
    if alts.is_empty() {
        return Err(format!("can never hold for a {bits}-bit argument"));
    }
    Ok(alts)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::differential::compares as direct;

    use crate::differential::rng;

    /// The program of `debug_denials`: what no rule allows goes to the listener; a seccomp
    /// listener ioctl fails with the context's errno even where every ioctl is allowed,
    /// other ioctls are allowed, and a foreign architecture still kills.
    #[test]
    #[cfg(feature = "trace")]
    fn the_notifying_program_keeps_the_listener_from_the_code_it_supervises() {
        use crate::eval::{Action, SeccompData};
        let decisions = BTreeMap::from([
            (Sysno::ioctl, Decision::Allow),
            (Sysno::write, Decision::Allow),
        ]);
        let filter = compile_notifying_denials(&decisions, DefaultAction::Errno(13)).unwrap();
        assert!(filter.summary.notifies_denials);
        let decide = |sysno, args| filter.decide(sysno, args).unwrap();
        assert_eq!(decide(Sysno::openat, [0; 6]), Action::UserNotif);
        assert_eq!(decide(Sysno::write, [1, 0, 0, 0, 0, 0]), Action::Allow);
        let tcgets = u64::from(libc::TCGETS as u32);
        assert_eq!(decide(Sysno::ioctl, [0, tcgets, 0, 0, 0, 0]), Action::Allow);
        let send = u64::from(libc::SECCOMP_IOCTL_NOTIF_SEND as u32);
        let recv = u64::from(libc::SECCOMP_IOCTL_NOTIF_RECV as u32);
        for request in [send, recv, 0xffff_ffff_0000_0000 | send, 0x4008_2104] {
            assert_eq!(
                decide(Sysno::ioctl, [3, request, 0, 0, 0, 0]),
                Action::Errno(13),
                "{request:#x}"
            );
        }
        // Loading a filter on this thread is the policy's to decide; on all threads, never.
        let filter_op = [1, 0, 0, 0, 0, 0];
        let tsync = [1, 1, 0, 0, 0, 0];
        let decide_seccomp = |decisions: BTreeMap<Sysno, Decision>, args| {
            compile_notifying_denials(&decisions, DefaultAction::Errno(13))
                .unwrap()
                .decide(Sysno::seccomp, args)
                .unwrap()
        };
        let seccomp = BTreeMap::from([(Sysno::seccomp, Decision::Allow)]);
        assert_eq!(decide_seccomp(seccomp.clone(), filter_op), Action::Allow);
        assert_eq!(decide_seccomp(seccomp.clone(), tsync), Action::Errno(13));
        assert_eq!(
            decide_seccomp(seccomp.clone(), [1, 9, 0, 0, 0, 0]),
            Action::Errno(13)
        );
        assert_eq!(decide_seccomp(seccomp, [0, 1, 0, 0, 0, 0]), Action::Allow);
        assert_eq!(
            decide_seccomp(BTreeMap::new(), filter_op),
            Action::UserNotif
        );
        let foreign = SeccompData {
            arch: 0x4000_0003, // AUDIT_ARCH_I386
            ..SeccompData::native(Sysno::ioctl, [3, send, 0, 0, 0, 0])
        };
        assert_eq!(
            filter.evaluate(&foreign).unwrap().action,
            Action::KillProcess
        );
        // Not the program a context compiles without debug_denials.
        let plain = compile_uncached(&decisions, DefaultAction::Errno(13)).unwrap();
        assert!(!plain.summary.notifies_denials);
        assert_eq!(
            plain.decide(Sysno::ioctl, [3, send, 0, 0, 0, 0]).unwrap(),
            Action::Allow
        );
        assert_eq!(
            plain.decide(Sysno::openat, [0; 6]).unwrap(),
            Action::Errno(13)
        );
    }

    /// `read` and `write` (the lowest numbers on x86_64, where a program makes most of its
    /// syscalls) are reached one comparison below the root; every other syscall costs one
    /// `jge` per level of a search over segments of the number line, and nothing else: no
    /// leaf comparisons, no check of the table's end on the way.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn read_and_write_are_reached_first_and_each_level_costs_one_comparison() {
        let allowed: Vec<Sysno> = Sysno::ALL
            .iter()
            .copied()
            .filter(|s| s.id() < 2 || (s.id() <= 300 && s.id() % 3 == 0))
            .filter(|s| *s != clone3())
            .collect();
        let decisions: BTreeMap<Sysno, Decision> =
            allowed.iter().map(|&s| (s, Decision::Allow)).collect();
        let filter = compile_uncached(&decisions, DefaultAction::Errno(1)).expect("compiles");
        let executed = |sysno: Sysno| {
            crate::eval::run(
                &filter.program,
                &crate::eval::SeccompData::native(sysno, [0; 6]),
            )
            .expect("a valid program")
            .executed
        };
        // ld arch, jeq, ld nr, jge (the root), ret.
        assert_eq!(executed(Sysno::read), 5);
        assert_eq!(executed(Sysno::write), 5);
        // About 200 segments (each allowed number, each gap): 8 levels under the root.
        let worst = allowed.iter().copied().map(executed).max().unwrap();
        assert!(worst <= 4 + 1 + 8 + 1, "{worst}");
        // One `jge` per segment boundary, and a few returns.
        assert!(filter.program.len() < 220, "{}", filter.program.len());
    }

    /// Long programs need `ja` trampolines (conditional jumps reach 255 instructions): a
    /// policy with many conditional syscalls still decides every one correctly.
    #[test]
    fn far_jumps_go_through_trampolines() {
        let mut decisions = BTreeMap::new();
        let mut expected = Vec::new();
        for (i, &sysno) in Sysno::ALL
            .iter()
            .filter(|s| s.arg_widths().is_some_and(|w| !w.is_empty()) && **s != Sysno::clone3)
            .take(200)
            .enumerate()
        {
            let v = u64::try_from(i).unwrap() + 3;
            decisions.insert(
                sysno,
                Decision::AllowIf(vec![(
                    "Many",
                    SeccompRule::new(sysno).and_condition(crate::SeccompArgumentFilter::new64(
                        0,
                        Comparator::Eq,
                        v,
                    )),
                )]),
            );
            expected.push((sysno, v));
        }
        let filter = compile_uncached(&decisions, DefaultAction::Errno(1)).expect("compiles");
        assert!(filter.program.len() > 600, "{}", filter.program.len());
        assert!(
            filter.program.iter().any(|i| i.code == bpf::JA),
            "no trampoline was needed"
        );
        for (sysno, v) in expected {
            for (arg, want) in [
                (v, bpf::SECCOMP_RET_ALLOW),
                (v + 1, bpf::SECCOMP_RET_ERRNO | 1),
            ] {
                let data = crate::eval::SeccompData {
                    nr: sysno.id(),
                    arch: AUDIT_ARCH_NATIVE,
                    instruction_pointer: 0,
                    args: [arg, 0, 0, 0, 0, 0],
                };
                assert_eq!(
                    crate::eval::run(&filter.program, &data).map(|e| e.ret),
                    Ok(want),
                    "{sysno} arg0 {arg}"
                );
            }
        }
    }

    #[test]
    fn masked_alternatives_match_the_comparison_on_the_low_32_bits() {
        let ops = [
            Comparator::Eq,
            Comparator::Ne,
            Comparator::Lt,
            Comparator::Le,
            Comparator::Gt,
            Comparator::Ge,
        ];
        let interesting = [
            0u64,
            1,
            2,
            3,
            7,
            8,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_fffe,
            0xffff_ffff,
            0x1234_5678,
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for op in ops {
            for &v in &interesting {
                let Ok(alts) = masked_alternatives(op, v, 32) else {
                    assert!(
                        matches!(op, Comparator::Lt) && v == 0
                            || matches!(op, Comparator::Gt) && v == 0xffff_ffff
                    );
                    continue;
                };
                let mut xs: Vec<u64> = interesting.to_vec();
                xs.extend((0..200).map(|_| rng(&mut seed) & 0xffff_ffff));
                xs.extend([v.wrapping_sub(1) & 0xffff_ffff, v, (v + 1) & 0xffff_ffff]);
                for x in xs {
                    let expected = direct(op, x, v);
                    // Junk in the upper half must not change the outcome.
                    for junk in [0u64, 0xdead_beef_0000_0000, 0xffff_ffff_0000_0000] {
                        let got = alts.iter().any(|&(m, val)| (x | junk) & m == val);
                        assert_eq!(got, expected, "{op:?} {v:#x} on {:#x}", x | junk);
                    }
                }
            }
        }
    }

    #[test]
    fn masked_alternatives_match_the_comparison_on_64_bits() {
        let ops = [
            Comparator::Ne,
            Comparator::Lt,
            Comparator::Le,
            Comparator::Gt,
            Comparator::Ge,
        ];
        let mut seed = 0x1234_5678_9abc_def1;
        for op in ops {
            for _ in 0..50 {
                let v = rng(&mut seed) >> (rng(&mut seed) % 64);
                let Ok(alts) = masked_alternatives(op, v, 64) else {
                    // Only `x < 0` and `x > u64::MAX` can never hold.
                    assert!(matches!(
                        (op, v),
                        (Comparator::Lt, 0) | (Comparator::Gt, u64::MAX)
                    ));
                    continue;
                };
                for _ in 0..50 {
                    let x = rng(&mut seed) >> (rng(&mut seed) % 64);
                    for x in [x, v, v.wrapping_add(1), v.wrapping_sub(1)] {
                        let got = alts.iter().any(|&(m, val)| x & m == val);
                        assert_eq!(got, direct(op, x, v), "{op:?} {v:#x} on {x:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn values_that_do_not_fit_a_32_bit_argument_are_rejected() {
        let err = masked_alternatives(Comparator::Eq, 0x1_0000_0002, 32).unwrap_err();
        assert!(err.contains("does not fit in 32 bits"), "{err}");
        let err = masked_alternatives(Comparator::MaskedEq(0xff), 0x100, 32).unwrap_err();
        assert!(err.contains("outside the mask"), "{err}");
    }

    #[test]
    fn a_sign_extended_negative_int_means_its_low_32_bits() {
        let at_fdcwd = i64::from(libc::AT_FDCWD) as u64;
        assert_eq!(
            masked_alternatives(Comparator::Eq, at_fdcwd, 32),
            Ok(vec![(0xffff_ffff, 0xffff_ff9c)])
        );
        let ne = masked_alternatives(Comparator::Ne, u64::MAX, 32).expect("-1 is an int");
        assert!(ne
            .iter()
            .all(|&(m, v)| m <= 0xffff_ffff && v <= 0xffff_ffff));
        // Upper bits that are not a sign extension stay an error.
        for v in [0xffff_ffff_0000_0001u64, 0x8000_0000_ffff_ff9c] {
            let err = masked_alternatives(Comparator::Eq, v, 32).unwrap_err();
            assert!(err.contains("does not fit in 32 bits"), "{err}");
        }
        // 64-bit arguments compare all 64 bits as given.
        assert_eq!(
            masked_alternatives(Comparator::Eq, at_fdcwd, 64),
            Ok(vec![(u64::MAX, at_fdcwd)])
        );
    }

    #[test]
    fn two_conditions_on_one_32_bit_argument_are_intersected() {
        // socket(domain >= 2 && domain <= 10, ...)
        let rule = SeccompRule::new(Sysno::socket)
            .and_condition(crate::seccomp_arg_filter!(arg0 >= 2))
            .and_condition(crate::seccomp_arg_filter!(arg0 <= 10));
        let alts = expand_rule(&rule, "Test").expect("expands");
        for x in 0u64..64 {
            let got = alts.iter().any(|a| a[0].is_some_and(|c| c.holds(x)));
            assert_eq!(got, (2..=10).contains(&x), "domain {x}");
        }
    }

    #[test]
    fn contradicting_conditions_are_an_error_naming_the_ruleset() {
        let rule = SeccompRule::new(Sysno::socket)
            .and_condition(crate::seccomp_arg_filter!(arg0 == 2))
            .and_condition(crate::seccomp_arg_filter!(arg0 == 10));
        let err = expand_rule(&rule, "Sockets").unwrap_err().to_string();
        assert!(
            err.contains("Sockets") && err.contains("socket") && err.contains("contradict"),
            "{err}"
        );
    }

    #[test]
    fn a_condition_on_a_missing_argument_is_an_error() {
        let rule =
            SeccompRule::new(Sysno::getpid).and_condition(crate::seccomp_arg_filter!(arg0 == 2));
        let err = expand_rule(&rule, "Pid").unwrap_err().to_string();
        assert!(err.contains("takes 0 argument"), "{err}");
    }

    #[test]
    fn only_equalities_are_accepted_for_syscalls_without_widths() {
        // `vserver` is an unimplemented x86_64 syscall with no prototype, so no widths.
        #[cfg(target_arch = "x86_64")]
        {
            let eq = SeccompRule::new(Sysno::vserver)
                .and_condition(crate::seccomp_arg_filter!(arg0 == 1));
            assert!(expand_rule(&eq, "Test").is_ok());
            let ne = SeccompRule::new(Sysno::vserver)
                .and_condition(crate::seccomp_arg_filter!(arg0 != 1));
            let err = expand_rule(&ne, "Test").unwrap_err().to_string();
            assert!(
                err.contains("cannot be checked safely") && err.contains("vserver"),
                "{err}"
            );
        }
    }

    #[test]
    fn the_width_table_overrides_the_users_width() {
        // socket's domain is an int: even a 64-bit condition is compared on 32 bits.
        let rule = SeccompRule::new(Sysno::socket)
            .and_condition(crate::SeccompArgumentFilter::new64(0, Comparator::Ne, 2));
        let alts = expand_rule(&rule, "Test").expect("expands");
        let holds = |x: u64| alts.iter().any(|a| a[0].is_some_and(|c| c.holds(x)));
        assert!(
            !holds(0xffff_ffff_0000_0002),
            "junk in the upper half must not make `!= 2` hold"
        );
        assert!(holds(10));
    }
}
