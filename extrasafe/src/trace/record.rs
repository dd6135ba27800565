//! What is kept of each syscall: its count, and the arguments RuleSets look at.

use std::collections::{BTreeMap, HashMap};

use crate::syscalls::Sysno;
use crate::SeccompArgumentFilter;

use super::decode::{self, CLONE3_EXIT_SIGNAL, SELF_PID};

/// The arguments of one kind of call: `(argument index, value)` pairs, for the arguments
/// that RuleSets look at. Values that no RuleSet tells apart are replaced by the first value
/// seen that compares the same way with every condition (a pointer that is only ever
/// compared with `NULL`, say), so the set of distinct calls stays small.
pub type Args = Vec<(u8, u64)>;

/// What was recorded about one syscall.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyscallRecord {
    /// How many times it was called (counted at entry).
    pub count: u64,
    /// How many times with each distinct set of relevant arguments.
    pub calls: BTreeMap<Args, u64>,
}

/// How one argument of one syscall is kept.
#[derive(Debug, Clone)]
enum Keep {
    /// Exactly (enumerations and flags: shown in the table).
    Exact,
    /// Exactly, except the caller's own pid, which becomes [`SELF_PID`].
    SelfPid,
    /// As the first value seen that satisfies the same conditions.
    Canonical(Vec<SeccompArgumentFilter>),
}

/// Which arguments of which syscalls are kept: the ones shown in the table, and every
/// argument that a condition of a candidate RuleSet looks at.
#[derive(Debug, Clone, Default)]
pub struct ArgPolicy {
    per_syscall: HashMap<Sysno, Vec<(u8, Keep)>>,
}

impl ArgPolicy {
    /// The policy for the shown arguments and the arguments of `conditions`.
    pub fn new(conditions: impl IntoIterator<Item = (Sysno, SeccompArgumentFilter)>) -> Self {
        let mut per_syscall: HashMap<Sysno, Vec<(u8, Keep)>> = HashMap::new();
        for sysno in Sysno::iter() {
            for &(idx, _) in decode::shown_args(sysno) {
                let keep = match sysno {
                    Sysno::kill
                    | Sysno::tgkill
                    | Sysno::rt_sigqueueinfo
                    | Sysno::rt_tgsigqueueinfo => Keep::SelfPid,
                    _ => Keep::Exact,
                };
                per_syscall.entry(sysno).or_default().push((idx, keep));
            }
        }
        for (sysno, cond) in conditions {
            let list = per_syscall.entry(sysno).or_default();
            match list.iter_mut().find(|(i, _)| *i == cond.arg_idx) {
                Some((_, Keep::Canonical(conds))) => {
                    if !conds.contains(&cond) {
                        conds.push(cond);
                    }
                }
                Some(_) => {}
                None => list.push((cond.arg_idx, Keep::Canonical(vec![cond]))),
            }
        }
        for list in per_syscall.values_mut() {
            list.sort_by_key(|(i, _)| *i);
        }
        ArgPolicy { per_syscall }
    }

    /// The argument registers (bit `i` for argument `i`, 0 to 5) kept for `sysno`.
    pub fn register_mask(&self, sysno: Sysno) -> u8 {
        self.per_syscall.get(&sysno).map_or(0, |keep| {
            keep.iter()
                .filter(|(i, _)| *i < 6)
                .fold(0, |mask, (i, _)| mask | 1 << i)
        })
    }
}

/// Turns the raw arguments of calls into [`Args`], by an [`ArgPolicy`]; remembers the
/// canonical value of each class of arguments.
#[derive(Debug)]
pub struct Recorder<'p> {
    policy: &'p ArgPolicy,
    canonical: HashMap<(Sysno, u8, Vec<bool>), u64>,
}

impl<'p> Recorder<'p> {
    /// A recorder that keeps what `policy` says.
    pub fn new(policy: &'p ArgPolicy) -> Self {
        Recorder {
            policy,
            canonical: HashMap::new(),
        }
    }

    /// The kept arguments of a call of `sysno` with argument registers `raw`, made by a
    /// thread of process `pid`. `clone3` is `clone3`'s `(flags, exit_signal)` read from its
    /// `struct clone_args`, if it could be read; without it `clone3` keeps no arguments (its
    /// registers hold a pointer and a size).
    pub fn args(
        &mut self,
        sysno: Sysno,
        raw: &[u64; 6],
        clone3: Option<(u64, u64)>,
        pid: i32,
    ) -> Args {
        let Some(keep) = self.policy.per_syscall.get(&sysno) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(keep.len());
        for (idx, how) in keep {
            let value = match (sysno, *idx, clone3) {
                (Sysno::clone3, 0, Some((flags, _))) => flags,
                (Sysno::clone3, CLONE3_EXIT_SIGNAL, Some((_, signal))) => signal,
                (Sysno::clone3, _, _) => continue,
                (_, i, _) if usize::from(i) < raw.len() => {
                    super::mask_to_width(sysno, i, raw[usize::from(i)])
                }
                _ => continue,
            };
            let kept = match how {
                Keep::Exact => value,
                Keep::SelfPid => {
                    if i32::try_from(value).ok() == Some(pid) {
                        SELF_PID
                    } else {
                        value
                    }
                }
                Keep::Canonical(conds) => {
                    let signature: Vec<bool> = conds
                        .iter()
                        .map(|c| super::condition_holds(sysno, c, value))
                        .collect();
                    *self
                        .canonical
                        .entry((sysno, *idx, signature))
                        .or_insert(value)
                }
            };
            out.push((*idx, kept));
        }
        out
    }
}
