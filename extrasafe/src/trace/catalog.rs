//! The builtin RuleSet methods a suggestion is made of.
//!
//! The list names each method and how to call it; what a method allows is never written
//! here: [`Selection::rules`] asks the RuleSet values the methods build
//! (`simple_rules` and `conditional_rules`).
//!
//! Left out: methods that take a value ([`SystemIO::allow_file_read`] and the other
//! descriptor and path methods, which are about Landlock paths), `everything()` (the sum of
//! the methods), and [`Memory`](crate::builtins::memory::Memory), which only narrows.
//! Networking's five "running" methods allow the same thing; the list has one of them,
//! `allow_running_tcp_servers`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::builtins::danger_zone::{ForkAndExec, Threads};
use crate::builtins::events::{Events, Timers};
use crate::builtins::pipes::Pipes;
use crate::builtins::process::{Identity, ResourceLimits, SystemInfo};
use crate::builtins::signals::Signals;
use crate::builtins::{NestedSandboxes, Networking, SystemIO, Time};
use crate::syscalls::Sysno;
use crate::{ExtraSafeError, RuleSet, SafetyContext, SeccompRule};

/// One method of a builtin RuleSet (or a unit-struct RuleSet as a whole).
pub struct Method {
    /// The RuleSet's type, as written in Rust (`"SystemIO"`, `"danger_zone::Threads"`).
    pub type_path: &'static str,
    /// The method (`"allow_read"`); `None` for a unit struct such as `ForkAndExec`.
    pub method: Option<&'static str>,
    /// Whether the method asks for `.yes_really()`.
    pub yes_really: bool,
    /// A candidate only when this syscall was seen: `NestedSandboxes` (made for sandboxed
    /// code that applies another filter) is not the way to allow `prctl`.
    pub only_with: Option<Sysno>,
    add: fn(&mut Parts),
}

impl Method {
    /// `SystemIO::allow_read`, or `ForkAndExec`.
    pub fn label(&self) -> String {
        let ty = self.type_path.rsplit("::").next().unwrap_or(self.type_path);
        match self.method {
            Some(m) => format!("{ty}::{m}"),
            None => ty.to_string(),
        }
    }
}

/// The RuleSet values being built.
#[derive(Default)]
struct Parts {
    system_io: Option<SystemIO>,
    networking: Option<Networking>,
    time: Option<Time>,
    pipes: bool,
    threads: Option<Threads>,
    fork_and_exec: bool,
    identity: Option<Identity>,
    resource_limits: Option<ResourceLimits>,
    system_info: bool,
    signals: Option<Signals>,
    events: Option<Events>,
    timers: Option<Timers>,
    nested: bool,
}

macro_rules! method {
    ($path:literal, $field:ident, $ty:ident, $m:ident) => {
        Method {
            type_path: $path,
            method: Some(stringify!($m)),
            yes_really: false,
            only_with: None,
            add: |p| p.$field = Some(p.$field.take().unwrap_or_else($ty::nothing).$m()),
        }
    };
    ($path:literal, $field:ident, $ty:ident, $m:ident, yes_really) => {
        Method {
            type_path: $path,
            method: Some(stringify!($m)),
            yes_really: true,
            only_with: None,
            add: |p| {
                p.$field = Some(
                    p.$field
                        .take()
                        .unwrap_or_else($ty::nothing)
                        .$m()
                        .yes_really(),
                )
            },
        }
    };
}

macro_rules! unit {
    ($path:literal, $field:ident) => {
        Method {
            type_path: $path,
            method: None,
            yes_really: false,
            only_with: None,
            add: |p| p.$field = true,
        }
    };
}

/// Every candidate, in the order suggestions list them (ties in the set cover go to the
/// earlier one).
pub static METHODS: &[Method] = &[
    method!("SystemIO", system_io, SystemIO, allow_read),
    method!("SystemIO", system_io, SystemIO, allow_write),
    method!("SystemIO", system_io, SystemIO, allow_open_readonly),
    method!("SystemIO", system_io, SystemIO, allow_open, yes_really),
    method!("SystemIO", system_io, SystemIO, allow_metadata),
    method!("SystemIO", system_io, SystemIO, allow_close),
    method!("SystemIO", system_io, SystemIO, allow_stdin),
    method!("SystemIO", system_io, SystemIO, allow_stdout),
    method!("SystemIO", system_io, SystemIO, allow_stderr),
    method!("SystemIO", system_io, SystemIO, allow_dup),
    method!("SystemIO", system_io, SystemIO, allow_unlink),
    method!("SystemIO", system_io, SystemIO, allow_rename),
    method!("SystemIO", system_io, SystemIO, allow_link),
    method!("SystemIO", system_io, SystemIO, allow_truncate),
    method!("SystemIO", system_io, SystemIO, allow_flock),
    method!("SystemIO", system_io, SystemIO, allow_mkdir),
    method!("SystemIO", system_io, SystemIO, allow_rmdir),
    method!("SystemIO", system_io, SystemIO, allow_ioctl),
    method!("Time", time, Time, allow_gettime),
    unit!("pipes::Pipes", pipes),
    method!("danger_zone::Threads", threads, Threads, allow_create),
    method!(
        "danger_zone::Threads",
        threads,
        Threads,
        allow_sleep,
        yes_really
    ),
    unit!("danger_zone::ForkAndExec", fork_and_exec),
    method!("process::Identity", identity, Identity, allow_get_ids),
    method!(
        "process::ResourceLimits",
        resource_limits,
        ResourceLimits,
        allow_get
    ),
    method!(
        "process::ResourceLimits",
        resource_limits,
        ResourceLimits,
        allow_set,
        yes_really
    ),
    unit!("process::SystemInfo", system_info),
    method!("signals::Signals", signals, Signals, allow_to_self),
    method!("signals::Signals", signals, Signals, allow_wait),
    method!(
        "signals::Signals",
        signals,
        Signals,
        allow_to_children,
        yes_really
    ),
    method!("events::Events", events, Events, allow_poll),
    method!("events::Events", events, Events, allow_epoll),
    method!("events::Events", events, Events, allow_eventfd),
    method!("events::Events", events, Events, allow_inotify),
    method!("events::Timers", timers, Timers, allow_timerfd),
    method!("events::Timers", timers, Timers, allow_posix_timers),
    method!("events::Timers", timers, Timers, allow_interval_timers),
    method!("Networking", networking, Networking, allow_socketpair),
    method!(
        "Networking",
        networking,
        Networking,
        allow_running_tcp_servers
    ),
    method!(
        "Networking",
        networking,
        Networking,
        allow_start_tcp_clients
    ),
    method!(
        "Networking",
        networking,
        Networking,
        allow_connect,
        yes_really
    ),
    method!(
        "Networking",
        networking,
        Networking,
        allow_start_tcp_servers,
        yes_really
    ),
    method!(
        "Networking",
        networking,
        Networking,
        allow_start_udp_servers,
        yes_really
    ),
    method!(
        "Networking",
        networking,
        Networking,
        allow_start_unix_servers,
        yes_really
    ),
    Method {
        type_path: "NestedSandboxes",
        method: None,
        yes_really: false,
        only_with: Some(Sysno::seccomp),
        add: |p| p.nested = true,
    },
];

/// What a set of RuleSets allows: syscalls with any arguments, and conditional rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Allowed with any arguments.
    pub simple: BTreeSet<Sysno>,
    /// Allowed when a rule matches.
    pub conditional: HashMap<Sysno, Vec<SeccompRule>>,
}

impl Rules {
    /// The rules of `ruleset`, as it reports them.
    pub fn of<R: RuleSet>(ruleset: &R) -> Rules {
        let mut rules = Rules::default();
        rules.add(ruleset);
        rules
    }

    /// Adds the rules of `ruleset`.
    pub fn add<R: RuleSet>(&mut self, ruleset: &R) {
        self.simple.extend(ruleset.simple_rules());
        for (sysno, list) in ruleset.conditional_rules() {
            for mut rule in list {
                if rule.argument_filters.is_empty() {
                    self.simple.insert(sysno);
                } else {
                    // "This process" is the calling one, as when a context compiles.
                    crate::rules::resolve_self_pid(&mut rule);
                    self.conditional.entry(sysno).or_default().push(rule);
                }
            }
        }
    }

    /// Every syscall these rules allow in some way.
    pub fn syscalls(&self) -> BTreeSet<Sysno> {
        self.simple
            .iter()
            .chain(self.conditional.keys())
            .copied()
            .collect()
    }

    /// Whether a call of `sysno` with `args` is allowed.
    pub fn allows(&self, sysno: Sysno, args: &[(u8, u64)]) -> bool {
        self.simple.contains(&sysno)
            || self
                .conditional
                .get(&sysno)
                .is_some_and(|rules| rules.iter().any(|r| rule_matches(sysno, r, args)))
    }
}

/// Whether every condition of `rule` holds for `args` (a condition on an argument that was
/// not recorded does not hold).
pub fn rule_matches(sysno: Sysno, rule: &SeccompRule, args: &[(u8, u64)]) -> bool {
    rule.argument_filters.iter().all(|cond| {
        args.iter()
            .find(|(i, _)| *i == cond.arg_idx)
            .is_some_and(|(_, v)| super::condition_holds(sysno, cond, *v))
    })
}

/// A choice of methods (indices into [`METHODS`]) and single syscalls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Indices into [`METHODS`], in catalog order.
    pub methods: BTreeSet<usize>,
    /// Syscalls allowed on their own (`Sysno` RuleSets).
    pub syscalls: BTreeSet<Sysno>,
}

impl Selection {
    fn parts(&self) -> Parts {
        let mut parts = Parts::default();
        for &i in &self.methods {
            (METHODS[i].add)(&mut parts);
        }
        parts
    }

    /// Calls `f` with each RuleSet value of the selection, with its name.
    fn each(&self, f: &mut dyn FnMut(&dyn RuleSetRef)) {
        let p = self.parts();
        if let Some(r) = &p.system_io {
            f(r);
        }
        if let Some(r) = &p.time {
            f(r);
        }
        if p.pipes {
            f(&Pipes);
        }
        if let Some(r) = &p.threads {
            f(r);
        }
        if p.fork_and_exec {
            f(&ForkAndExec);
        }
        if let Some(r) = &p.identity {
            f(r);
        }
        if let Some(r) = &p.resource_limits {
            f(r);
        }
        if p.system_info {
            f(&SystemInfo);
        }
        if let Some(r) = &p.signals {
            f(r);
        }
        if let Some(r) = &p.events {
            f(r);
        }
        if let Some(r) = &p.timers {
            f(r);
        }
        if let Some(r) = &p.networking {
            f(r);
        }
        if p.nested {
            f(&NestedSandboxes);
        }
        for s in &self.syscalls {
            f(s);
        }
    }

    /// What the selection allows, from the RuleSets' own rules (BasicCapabilities not
    /// included).
    pub fn rules(&self) -> Rules {
        let mut rules = Rules::default();
        self.each(&mut |r| r.add_to(&mut rules));
        rules
    }

    /// The names of the RuleSets, in the order they are enabled.
    pub fn ruleset_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        self.each(&mut |r| names.push(r.ruleset_name()));
        names
    }

    /// A context with every RuleSet of the selection enabled, except the one named `without`.
    ///
    /// # Errors
    /// What [`SafetyContext::enable`] says (two RuleSets that allow a syscall with and
    /// without conditions).
    pub fn context(&self, without: Option<&str>) -> Result<SafetyContext, ExtraSafeError> {
        let mut ctx = Ok(SafetyContext::new());
        self.each(&mut |r| {
            if Some(r.ruleset_name()) != without {
                ctx = std::mem::replace(&mut ctx, Ok(SafetyContext::new()))
                    .and_then(|c| r.enable_in(c));
            }
        });
        ctx
    }

    /// The context as a Rust expression, one `.enable(..)?` per line, each RuleSet's methods
    /// chained.
    pub fn rust(&self) -> String {
        let mut by_type: BTreeMap<usize, (String, Vec<String>)> = BTreeMap::new();
        let order = [
            "SystemIO",
            "Time",
            "pipes::Pipes",
            "danger_zone::Threads",
            "danger_zone::ForkAndExec",
            "process::Identity",
            "process::ResourceLimits",
            "process::SystemInfo",
            "signals::Signals",
            "events::Events",
            "events::Timers",
            "Networking",
            "NestedSandboxes",
        ];
        for &i in &self.methods {
            let m = &METHODS[i];
            let pos = order
                .iter()
                .position(|t| *t == m.type_path)
                .unwrap_or(order.len());
            let entry = by_type
                .entry(pos)
                .or_insert_with(|| (m.type_path.to_string(), Vec::new()));
            if let Some(name) = m.method {
                let call = if m.yes_really {
                    format!(".{name}().yes_really()")
                } else {
                    format!(".{name}()")
                };
                entry.1.push(call);
            }
        }
        let mut out = String::from("SafetyContext::new()\n");
        for (ty, calls) in by_type.values() {
            let path = format!("extrasafe::builtins::{ty}");
            if calls.is_empty() {
                out.push_str(&format!("    .enable({path})?\n"));
            } else {
                out.push_str(&format!(
                    "    .enable({path}::nothing(){})?\n",
                    calls.concat()
                ));
            }
        }
        for s in &self.syscalls {
            out.push_str(&format!(
                "    .enable(extrasafe::syscalls::Sysno::{})?\n",
                s.name()
            ));
        }
        out
    }
}

/// A RuleSet that can be enabled and read without knowing its type.
trait RuleSetRef {
    fn ruleset_name(&self) -> &'static str;
    fn add_to(&self, rules: &mut Rules);
    fn enable_in(&self, ctx: SafetyContext) -> Result<SafetyContext, ExtraSafeError>;
}

impl<R: RuleSet + Clone> RuleSetRef for R {
    fn ruleset_name(&self) -> &'static str {
        self.name()
    }

    fn add_to(&self, rules: &mut Rules) {
        rules.add(self);
    }

    fn enable_in(&self, ctx: SafetyContext) -> Result<SafetyContext, ExtraSafeError> {
        ctx.enable(self.clone())
    }
}

/// The conditions of every candidate method, for the tracer's [`ArgPolicy`](super::ArgPolicy).
pub fn conditions() -> Vec<(Sysno, crate::SeccompArgumentFilter)> {
    let mut out = Vec::new();
    for i in 0..METHODS.len() {
        let selection = Selection {
            methods: BTreeSet::from([i]),
            syscalls: BTreeSet::new(),
        };
        for (sysno, rules) in selection.rules().conditional {
            for rule in rules {
                out.extend(rule.argument_filters.iter().map(|c| (sysno, *c)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_allows_something_and_builds_a_context() {
        for (i, m) in METHODS.iter().enumerate() {
            let selection = Selection {
                methods: BTreeSet::from([i]),
                syscalls: BTreeSet::new(),
            };
            assert!(!selection.rules().syscalls().is_empty(), "{}", m.label());
            if let Err(e) = selection.context(None) {
                panic!("{}: {e}", m.label());
            }
        }
    }

    #[test]
    fn rules_come_from_the_rulesets() {
        let read = METHODS
            .iter()
            .position(|m| m.label() == "SystemIO::allow_read");
        let selection = Selection {
            methods: BTreeSet::from([read.unwrap()]),
            syscalls: BTreeSet::new(),
        };
        assert_eq!(
            selection.rules().simple,
            Rules::of(&SystemIO::nothing().allow_read()).simple
        );
    }

    #[test]
    fn rust_expression_chains_methods_per_ruleset() {
        let idx = |label: &str| METHODS.iter().position(|m| m.label() == label).unwrap();
        let selection = Selection {
            methods: BTreeSet::from([
                idx("SystemIO::allow_read"),
                idx("SystemIO::allow_open"),
                idx("ForkAndExec"),
            ]),
            syscalls: BTreeSet::from([Sysno::faccessat]),
        };
        assert_eq!(
            selection.rust(),
            "SafetyContext::new()\n    \
             .enable(extrasafe::builtins::SystemIO::nothing().allow_read().allow_open().yes_really())?\n    \
             .enable(extrasafe::builtins::danger_zone::ForkAndExec)?\n    \
             .enable(extrasafe::syscalls::Sysno::faccessat)?\n"
        );
        assert_eq!(
            selection.ruleset_names(),
            vec!["SystemIO", "ForkAndExec", "faccessat"]
        );
    }
}
