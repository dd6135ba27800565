//! From recorded syscalls to a context: a greedy set cover over the builtin methods, checked
//! against [`SafetyContext::explain`], with pledge promises and systemd groups as
//! alternatives.

use std::collections::{BTreeMap, BTreeSet};

use crate::builtins::BasicCapabilities;
use crate::profiles::pledge::{Pledge, Promise};
use crate::profiles::systemd::{SyscallGroup, SystemCallFilter};
use crate::syscalls::Sysno;
use crate::{ExtraSafeError, RuleSet, SafetyContext, Verdict};

use super::catalog::{self, Rules, Selection, METHODS};
use super::decode::CLONE3_EXIT_SIGNAL;
use super::record::{ArgPolicy, SyscallRecord};

/// One distinct call: a syscall with the arguments RuleSets look at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Call {
    /// The syscall.
    pub sysno: Sysno,
    /// Its relevant arguments.
    pub args: Vec<(u8, u64)>,
}

/// The argument policy the tracer needs for suggestions: the conditions of every candidate
/// builtin method and every pledge promise.
pub fn arg_policy() -> ArgPolicy {
    let mut conditions = catalog::conditions();
    for &p in Promise::ALL {
        for (sysno, rules) in Pledge::from_promises([p]).conditional_rules() {
            for mut rule in rules {
                crate::rules::resolve_self_pid(&mut rule);
                conditions.extend(rule.argument_filters.iter().map(|c| (sysno, *c)));
            }
        }
    }
    ArgPolicy::new(conditions)
}

/// One method of the suggestion, with what it is there for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodUse {
    /// `SystemIO::allow_read`.
    pub label: String,
    /// The syscalls seen that it allows (and BasicCapabilities does not).
    pub covers: Vec<Sysno>,
    /// The syscalls it allows that were not seen.
    pub also_allows: Vec<Sysno>,
}

/// A pledge string or a systemd filter that would allow the same run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// `"stdio rpath"`, or `"@default @basic-io"`.
    pub spec: String,
    /// Syscalls seen that it does not allow.
    pub uncovered: Vec<Sysno>,
}

/// The context proposed for a set of recorded syscalls.
#[derive(Debug, Clone)]
pub struct Suggestion {
    /// The builtin methods and single syscalls chosen.
    pub selection: Selection,
    /// Each chosen method, in catalog order.
    pub methods: Vec<MethodUse>,
    /// Syscalls seen that BasicCapabilities (in every context) allows.
    pub basic: Vec<Sysno>,
    /// Syscalls seen that are allowed on their own, as `Sysno` RuleSets: no builtin method
    /// covers them, or none without allowing much more.
    pub uncovered: Vec<Sysno>,
    /// Syscalls seen that no method covers *with the arguments seen*, while a chosen method
    /// allows them with other arguments: allowing them outright would be a
    /// `ConditionalNoEffectError`, so they are left to a RuleSet of your own.
    pub conflicts: Vec<(Sysno, String)>,
    /// Syscalls every extrasafe filter answers with `ENOSYS`, with what libc does then.
    pub enosys: Vec<(Sysno, String)>,
    /// Syscall numbers extrasafe's table does not know.
    pub unknown: Vec<u64>,
    /// Calls the final context, checked with `explain`, does not allow (empty unless
    /// `conflicts` is not).
    pub not_allowed: Vec<Call>,
    /// Pledge promises covering the same calls.
    pub pledge: Alternative,
    /// systemd groups covering the same calls.
    pub systemd: Alternative,
}

impl Suggestion {
    /// The suggested context; `without` leaves out the RuleSet of that name.
    ///
    /// # Errors
    /// Never for the suggestion as made (it is built once when suggesting); kept as a
    /// `Result` since the RuleSets are enabled again.
    pub fn context(&self, without: Option<&str>) -> Result<SafetyContext, ExtraSafeError> {
        self.selection.context(without)
    }

    /// The names of the suggested RuleSets (BasicCapabilities, always there, not included).
    pub fn ruleset_names(&self) -> Vec<&'static str> {
        self.selection.ruleset_names()
    }

    /// A ready-to-paste Rust expression of type `Result<SafetyContext, ExtraSafeError>`
    /// (written for a function that returns such a `Result`: it uses `?`).
    pub fn rust(&self) -> String {
        let mut out = self.selection.rust();
        for (sysno, why) in &self.conflicts {
            out.push_str(&format!(
                "    // not covered: Sysno::{} with the arguments seen ({why})\n",
                sysno.name()
            ));
        }
        for n in &self.unknown {
            out.push_str(&format!(
                "    // not covered: syscall number {n}, unknown to extrasafe (ENOSYS)\n"
            ));
        }
        out
    }
}

/// The calls to cover, from recorded syscalls: each distinct call; `clone3`, which every
/// filter answers with ENOSYS, stands for the `clone` libc then makes with the same flags.
pub fn calls(totals: &BTreeMap<u64, SyscallRecord>) -> (Vec<Call>, Vec<u64>) {
    let mut out = BTreeSet::new();
    let mut unknown = Vec::new();
    for (&nr, rec) in totals {
        let Some(sysno) = i32::try_from(nr).ok().and_then(Sysno::from_id) else {
            unknown.push(nr);
            continue;
        };
        for args in rec.calls.keys() {
            out.insert(Call {
                sysno,
                args: args.clone(),
            });
            if sysno == Sysno::clone3 {
                let flags = args.iter().find(|(i, _)| *i == 0).map(|(_, v)| *v);
                let signal = args
                    .iter()
                    .find(|(i, _)| *i == CLONE3_EXIT_SIGNAL)
                    .map_or(0, |(_, v)| *v);
                if let Some(flags) = flags {
                    out.insert(Call {
                        sysno: Sysno::clone,
                        args: vec![(0, flags | (signal & 0xff))],
                    });
                }
            }
        }
    }
    (out.into_iter().collect(), unknown)
}

/// Whether `explanation` allows `call`: `Some(true)` allowed, `Some(false)` denied, `None`
/// answered with ENOSYS.
fn verdict(explanation: &crate::Explanation, call: &Call) -> Option<bool> {
    match explanation.get(call.sysno) {
        Some(Verdict::Allowed { .. }) => Some(true),
        Some(Verdict::AllowedIf { rules }) => Some(
            rules
                .iter()
                .any(|(_, r)| catalog::rule_matches(call.sysno, r, &call.args)),
        ),
        Some(Verdict::Enosys { .. }) => None,
        _ => Some(false),
    }
}

/// The calls `ctx` does not allow (ENOSYS counts as handled).
fn denied(ctx: &SafetyContext, calls: &[Call]) -> Result<Vec<Call>, ExtraSafeError> {
    let explanation = ctx.explain()?;
    Ok(calls
        .iter()
        .filter(|c| verdict(&explanation, c) == Some(false))
        .cloned()
        .collect())
}

/// Greedy set cover: repeatedly takes the candidate with the most calls still uncovered
/// (`weighted`: per unit of cost, a candidate costing 1 plus the number of syscalls it
/// allows that were not seen plus `extra_cost`; ties: the higher `prefer`, then the earlier
/// candidate),
/// skipping candidates for which `compatible` is false; stops when no candidate adds
/// anything. Then drops the chosen candidates that the others make redundant, last chosen
/// first.
fn greedy(
    candidates: &[Rules],
    weighted: bool,
    extra_cost: &dyn Fn(usize) -> usize,
    prefer: &dyn Fn(usize) -> u8,
    uncovered: &[Call],
    seen: &BTreeSet<Sysno>,
    compatible: &mut dyn FnMut(&BTreeSet<usize>, usize) -> bool,
) -> BTreeSet<usize> {
    let mut chosen = BTreeSet::new();
    let mut order = Vec::new();
    let mut left: Vec<Call> = uncovered.to_vec();
    loop {
        // (candidate, gain, cost, preference)
        let mut best: Option<(usize, usize, usize, u8)> = None;
        for (i, rules) in candidates.iter().enumerate() {
            if chosen.contains(&i) {
                continue;
            }
            let gain = left
                .iter()
                .filter(|c| rules.allows(c.sysno, &c.args))
                .count();
            if gain == 0 {
                continue;
            }
            let cost = if weighted {
                1 + rules.syscalls().difference(seen).count() + extra_cost(i)
            } else {
                1
            };
            let better = match best {
                None => true,
                // gain / cost > g / c, compared without division.
                Some((_, g, c, p)) => match (gain * c).cmp(&(g * cost)) {
                    std::cmp::Ordering::Greater => true,
                    std::cmp::Ordering::Less => false,
                    std::cmp::Ordering::Equal => prefer(i) > p,
                },
            };
            if better && compatible(&chosen, i) {
                best = Some((i, gain, cost, prefer(i)));
            }
        }
        let Some((i, ..)) = best else { break };
        chosen.insert(i);
        order.push(i);
        left.retain(|c| !candidates[i].allows(c.sysno, &c.args));
    }
    for i in order.into_iter().rev() {
        let others: Vec<&Rules> = chosen
            .iter()
            .filter(|&&j| j != i)
            .map(|&j| &candidates[j])
            .collect();
        let redundant = uncovered
            .iter()
            .filter(|c| candidates[i].allows(c.sysno, &c.args))
            .all(|c| others.iter().any(|r| r.allows(c.sysno, &c.args)));
        if redundant {
            chosen.remove(&i);
        }
    }
    chosen
}

/// What allowing one syscall on its own (a `Sysno` RuleSet, any arguments) costs in the set
/// cover, besides the 1 every candidate costs: as much as a method allowing this many
/// syscalls that were not seen.
const SINGLE_SYSCALL_COST: usize = 8;

/// The suggestion for the recorded syscalls `totals`.
///
/// # Errors
/// An [`ExtraSafeError`] if a context cannot be explained (which would be a bug).
pub fn suggest(totals: &BTreeMap<u64, SyscallRecord>) -> Result<Suggestion, ExtraSafeError> {
    let (calls, unknown) = calls(totals);
    let seen: BTreeSet<Sysno> = calls.iter().map(|c| c.sysno).collect();
    let basic = Rules::of(&BasicCapabilities);
    let needed: Vec<Call> = calls
        .iter()
        .filter(|c| c.sysno != Sysno::clone3 && !basic.allows(c.sysno, &c.args))
        .cloned()
        .collect();

    // Builtin methods.
    let candidates: Vec<Rules> = (0..METHODS.len())
        .map(|i| match METHODS[i].only_with {
            // A candidate made for one purpose, not seen: never chosen.
            Some(s) if !seen.contains(&s) => Rules::default(),
            _ => Selection {
                methods: BTreeSet::from([i]),
                syscalls: BTreeSet::new(),
            }
            .rules(),
        })
        .collect();
    // Each syscall on its own, too, at a higher price: a method that allows many syscalls
    // not seen is not worth it for one call (Rust's std, built with debug assertions, calls
    // fcntl(F_GETFD) before each close: that should not bring in a network server's set).
    let singles: Vec<Sysno> = needed
        .iter()
        .map(|c| c.sysno)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut candidates = candidates;
    candidates.extend(singles.iter().map(|&s| Rules {
        simple: BTreeSet::from([s]),
        conditional: std::collections::HashMap::new(),
    }));
    let to_selection = |chosen: &BTreeSet<usize>| Selection {
        methods: chosen
            .iter()
            .copied()
            .filter(|&i| i < METHODS.len())
            .collect(),
        syscalls: chosen
            .iter()
            .filter_map(|&i| i.checked_sub(METHODS.len()).map(|j| singles[j]))
            .collect(),
    };
    let mut compatible = |chosen: &BTreeSet<usize>, i: usize| {
        let mut with = chosen.clone();
        with.insert(i);
        to_selection(&with).context(None).is_ok()
    };
    let extra_cost = |i: usize| {
        if i < METHODS.len() {
            0
        } else {
            SINGLE_SYSCALL_COST
        }
    };
    let prefer = |i: usize| match METHODS.get(i) {
        Some(m) => 1 + u8::from(!m.yes_really),
        None => 0,
    };
    let chosen = greedy(
        &candidates,
        true,
        &extra_cost,
        &prefer,
        &needed,
        &seen,
        &mut compatible,
    );
    let mut selection = to_selection(&chosen);
    let rules = selection.rules();
    let mut conflicts = Vec::new();
    let mut uncovered = BTreeSet::new();
    for c in &needed {
        if rules.allows(c.sysno, &c.args) || uncovered.contains(&c.sysno) {
            continue;
        }
        if conflicts.iter().any(|(s, _)| *s == c.sysno) {
            continue;
        }
        if rules.conditional.contains_key(&c.sysno) {
            let by: Vec<&str> = selection_rulesets_with_condition(&selection, c.sysno);
            conflicts.push((
                c.sysno,
                format!(
                    "{} allows it with other arguments; allowing it outright would be a \
                     ConditionalNoEffectError: write a RuleSet of your own",
                    by.join(", ")
                ),
            ));
        } else {
            uncovered.insert(c.sysno);
        }
    }
    selection.syscalls.extend(uncovered.iter().copied());
    let uncovered = selection.syscalls.clone();
    let ctx = if selection == Selection::default() {
        // Nothing beyond the basics was seen.
        SafetyContext::new().enable(BasicCapabilities)?
    } else {
        selection.context(None)?
    };
    let not_allowed = denied(&ctx, &calls)?;

    let method_uses = selection
        .methods
        .iter()
        .map(|&i| {
            let r = &candidates[i];
            let covers: BTreeSet<Sysno> = needed
                .iter()
                .filter(|c| r.allows(c.sysno, &c.args))
                .map(|c| c.sysno)
                .collect();
            MethodUse {
                label: METHODS[i].label(),
                covers: covers.into_iter().collect(),
                also_allows: r.syscalls().difference(&seen).copied().collect(),
            }
        })
        .collect();
    let basic_seen: BTreeSet<Sysno> = calls
        .iter()
        .filter(|c| basic.allows(c.sysno, &c.args))
        .map(|c| c.sysno)
        .collect();
    let enosys = if seen.contains(&Sysno::clone3) {
        vec![(
            Sysno::clone3,
            "every extrasafe filter answers ENOSYS; libc then calls clone with the same \
             flags, which the suggestion covers"
                .to_string(),
        )]
    } else {
        Vec::new()
    };

    Ok(Suggestion {
        selection,
        methods: method_uses,
        basic: basic_seen.into_iter().collect(),
        uncovered: uncovered.into_iter().collect(),
        conflicts,
        enosys,
        unknown,
        not_allowed,
        pledge: pledge_alternative(&needed, &seen)?,
        systemd: systemd_alternative(&needed, &seen)?,
    })
}

fn selection_rulesets_with_condition(selection: &Selection, sysno: Sysno) -> Vec<&'static str> {
    selection
        .methods
        .iter()
        .filter(|&&i| {
            Selection {
                methods: BTreeSet::from([i]),
                syscalls: BTreeSet::new(),
            }
            .rules()
            .conditional
            .contains_key(&sysno)
        })
        .map(|&i| METHODS[i].type_path.rsplit("::").next().unwrap_or_default())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn uncovered_syscalls(ctx: &SafetyContext, needed: &[Call]) -> Result<Vec<Sysno>, ExtraSafeError> {
    let set: BTreeSet<Sysno> = denied(ctx, needed)?.into_iter().map(|c| c.sysno).collect();
    Ok(set.into_iter().collect())
}

/// The unweighted set cover of `needed` by `candidates`, for the alternatives.
fn cover(candidates: &[Rules], needed: &[Call], seen: &BTreeSet<Sysno>) -> BTreeSet<usize> {
    greedy(
        candidates,
        false,
        &|_| 0,
        &|_| 0,
        needed,
        seen,
        &mut |_, _| true,
    )
}

fn pledge_alternative(
    needed: &[Call],
    seen: &BTreeSet<Sysno>,
) -> Result<Alternative, ExtraSafeError> {
    let candidates: Vec<Rules> = Promise::ALL
        .iter()
        .map(|&p| Rules::of(&Pledge::from_promises([p])))
        .collect();
    let chosen = cover(&candidates, needed, seen);
    let pledge = Pledge::from_promises(chosen.iter().map(|&i| Promise::ALL[i]));
    let spec = pledge.to_string();
    let ctx = SafetyContext::new().enable(pledge)?;
    Ok(Alternative {
        spec,
        uncovered: uncovered_syscalls(&ctx, needed)?,
    })
}

fn systemd_alternative(
    needed: &[Call],
    seen: &BTreeSet<Sysno>,
) -> Result<Alternative, ExtraSafeError> {
    let groups: Vec<SyscallGroup> = SyscallGroup::ALL
        .iter()
        .copied()
        .filter(|g| g.name() != "@known")
        .collect();
    let candidates: Vec<Rules> = groups.iter().map(Rules::of).collect();
    let chosen = cover(&candidates, needed, seen);
    let spec = chosen
        .iter()
        .map(|&i| groups[i].name())
        .collect::<Vec<_>>()
        .join(" ");
    let uncovered = if spec.is_empty() {
        needed
            .iter()
            .map(|c| c.sysno)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        let filter = SystemCallFilter::parse(&spec)?;
        let ctx = SafetyContext::new().enable(filter)?;
        uncovered_syscalls(&ctx, needed)?
    };
    Ok(Alternative { spec, uncovered })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(calls: &[(Sysno, Vec<(u8, u64)>)]) -> BTreeMap<u64, SyscallRecord> {
        let mut out: BTreeMap<u64, SyscallRecord> = BTreeMap::new();
        for (s, args) in calls {
            let r = out.entry(s.id() as u64).or_default();
            r.count += 1;
            *r.calls.entry(args.clone()).or_default() += 1;
        }
        out
    }

    #[test]
    fn read_only_opens_get_allow_open_readonly() {
        let ro = (libc::O_RDONLY | libc::O_CLOEXEC) as u64;
        let totals = record(&[
            (Sysno::openat, vec![(2, ro)]),
            (Sysno::read, vec![]),
            (Sysno::close, vec![]),
            (Sysno::mmap, vec![]),
        ]);
        let s = suggest(&totals).unwrap();
        let labels: Vec<&str> = s.methods.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "SystemIO::allow_read",
                "SystemIO::allow_open_readonly",
                "SystemIO::allow_close"
            ]
        );
        assert_eq!(s.basic, [Sysno::mmap]);
        assert!(s.uncovered.is_empty() && s.not_allowed.is_empty());
        assert!(s.pledge.uncovered.is_empty() && s.systemd.uncovered.is_empty());
    }

    #[test]
    fn writing_opens_need_allow_open() {
        let rw = (libc::O_RDWR | libc::O_CREAT) as u64;
        let s = suggest(&record(&[(Sysno::openat, vec![(2, rw)])])).unwrap();
        let labels: Vec<&str> = s.methods.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["SystemIO::allow_open"]);
    }

    #[test]
    fn uncovered_syscalls_become_sysno_rulesets() {
        let s = suggest(&record(&[
            (Sysno::statfs, vec![]),
            (Sysno::faccessat, vec![]),
        ]))
        .unwrap();
        assert!(s.methods.is_empty());
        assert_eq!(s.uncovered, [Sysno::statfs, Sysno::faccessat]);
        assert!(s
            .rust()
            .contains(".enable(extrasafe::syscalls::Sysno::statfs)?"));
        assert!(s.not_allowed.is_empty());
    }

    #[test]
    fn clone3_stands_for_its_clone_fallback() {
        let thread_flags = crate::builtins::danger_zone::GLIBC_THREAD_FLAGS;
        let s = suggest(&record(&[(
            Sysno::clone3,
            vec![(0, thread_flags), (CLONE3_EXIT_SIGNAL, 0)],
        )]))
        .unwrap();
        let labels: Vec<&str> = s.methods.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["Threads::allow_create"]);
        assert_eq!(s.enosys.len(), 1);
    }

    #[test]
    fn a_method_allowing_a_syscall_outright_covers_what_a_narrowing_does_not() {
        // fcntl(F_DUPFD) is allowed by SystemIO::allow_dup's narrowing; fcntl(F_SETLK) only
        // by allow_ioctl, which allows every fcntl (as in 0.5.1): it covers both.
        let totals = record(&[
            (Sysno::fcntl, vec![(1, libc::F_DUPFD as u64)]),
            (Sysno::fcntl, vec![(1, libc::F_SETLK as u64)]),
        ]);
        let s = suggest(&totals).unwrap();
        let labels: Vec<&str> = s.methods.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["SystemIO::allow_ioctl"]);
        assert!(s.conflicts.is_empty(), "{:?}", s.conflicts);
        assert!(s.not_allowed.is_empty(), "{:?}", s.not_allowed);
    }
}
