//! The readable parts of a report: a table of syscalls, and the suggestion.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use crate::syscalls::Sysno;

use super::record::SyscallRecord;
use super::suggest::{Alternative, Suggestion};
use super::{catalog, decode};

/// The name of syscall number `nr`, or `syscall_NNN` if extrasafe's table has none.
pub fn syscall_name(nr: u64) -> String {
    i32::try_from(nr)
        .ok()
        .and_then(Sysno::from_id)
        .map_or_else(|| format!("syscall_{nr}"), |s| s.name().to_string())
}

/// The shown arguments of each distinct call of `nr`, readable, with counts, most frequent
/// first: `flags=O_RDONLY|O_CLOEXEC ×30`.
pub fn argument_summary(nr: u64, rec: &SyscallRecord) -> Vec<(String, u64)> {
    let Some(sysno) = i32::try_from(nr).ok().and_then(Sysno::from_id) else {
        return Vec::new();
    };
    let shown = decode::shown_args(sysno);
    if shown.is_empty() {
        return Vec::new();
    }
    let mut merged: BTreeMap<String, u64> = BTreeMap::new();
    for (args, n) in &rec.calls {
        let text: Vec<String> = shown
            .iter()
            .filter_map(|(idx, label)| {
                args.iter()
                    .find(|(i, _)| i == idx)
                    .map(|(_, v)| format!("{label}={}", decode::describe(sysno, *idx, *v)))
            })
            .collect();
        *merged.entry(text.join(" ")).or_default() += n;
    }
    let mut list: Vec<(String, u64)> = merged.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list
}

/// Appends a table of `syscalls` to `out`: one line per syscall, most frequent first, with
/// its count and the arguments seen.
pub fn write_table(out: &mut String, syscalls: &BTreeMap<u64, SyscallRecord>) {
    let mut rows: Vec<(&u64, &SyscallRecord)> = syscalls.iter().collect();
    rows.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "  {:<22} {:>7}  arguments", "syscall", "calls");
    for (nr, rec) in rows {
        let args = argument_summary(*nr, rec)
            .into_iter()
            .map(|(text, n)| format!("{text} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let line = format!("  {:<22} {:>7}  {args}", syscall_name(*nr), rec.count);
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// Whether some builtin method of the catalog allows `sysno` (with some arguments).
fn some_method_allows(sysno: Sysno) -> bool {
    (0..catalog::METHODS.len()).any(|i| {
        catalog::Selection {
            methods: BTreeSet::from([i]),
            syscalls: BTreeSet::new(),
        }
        .rules()
        .syscalls()
        .contains(&sysno)
    })
}

fn sysnos(list: &[Sysno]) -> String {
    list.iter().map(Sysno::name).collect::<Vec<_>>().join(", ")
}

fn alternative(out: &mut String, before: &str, after: &str, alt: &Alternative) {
    let what = format!("{before}{}{after}", alt.spec);
    if alt.uncovered.is_empty() {
        let _ = writeln!(out, "  {what}: covers every syscall seen");
    } else {
        let _ = writeln!(
            out,
            "  {what}: leaves out {}",
            alt.uncovered
                .iter()
                .map(|s| format!("Sysno::{}", s.name()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

/// Appends the suggestion for `seen` distinct syscalls to `out`: each method with what it
/// covers and also allows, what stays uncovered, and the pledge and systemd alternatives.
pub fn write_suggestion(out: &mut String, seen: usize, suggestion: &Suggestion) {
    let _ = writeln!(out, "suggested context ({seen} syscalls seen):");
    if !suggestion.basic.is_empty() {
        let _ = writeln!(
            out,
            "  {:<40} (always in a context) covers {}",
            "BasicCapabilities",
            sysnos(&suggestion.basic)
        );
    }
    for m in &suggestion.methods {
        let also = if m.also_allows.is_empty() {
            String::new()
        } else {
            format!("; also allows {}", sysnos(&m.also_allows))
        };
        let _ = writeln!(out, "  {:<40} covers {}{also}", m.label, sysnos(&m.covers));
    }
    for &s in &suggestion.uncovered {
        let why = if some_method_allows(s) {
            "cheaper on its own than a method that allows much more"
        } else {
            "no builtin method covers it"
        };
        let _ = writeln!(out, "  {:<40} {why}", format!("Sysno::{}", s.name()));
    }
    for (s, why) in &suggestion.enosys {
        let _ = writeln!(out, "  {:<40} {why}", s.name());
    }
    if !suggestion.conflicts.is_empty() || !suggestion.unknown.is_empty() {
        let _ = writeln!(out, "not covered:");
        for (s, why) in &suggestion.conflicts {
            let _ = writeln!(out, "  Sysno::{} with the arguments seen: {why}", s.name());
        }
        for n in &suggestion.unknown {
            let _ = writeln!(out, "  syscall number {n}: unknown to extrasafe (ENOSYS)");
        }
    }
    let _ = writeln!(out, "alternatives:");
    alternative(out, "Pledge::new(\"", "\")", &suggestion.pledge);
    alternative(out, "SystemCallFilter=", "", &suggestion.systemd);
}

/// The syscalls of one traced closure and the context suggested for them, as returned by
/// [`trace_closure`](super::trace_closure). `Display` prints a table and the suggestion.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TraceReport {
    /// Every syscall the closure made (and the threads and processes it started), by number.
    pub syscalls: BTreeMap<u64, SyscallRecord>,
    /// Calls counted whose arguments could not be kept: more distinct calls than the
    /// preallocated table holds. They are in the counts of `syscalls`, not in its `calls`.
    pub lost: u64,
    /// The suggested context.
    pub suggestion: Suggestion,
}

impl TraceReport {
    /// The syscalls seen, ordered by number.
    pub fn syscalls_seen(&self) -> Vec<Sysno> {
        self.syscalls
            .keys()
            .filter_map(|&nr| i32::try_from(nr).ok().and_then(Sysno::from_id))
            .collect()
    }

    /// Whether `sysno` was seen.
    pub fn saw(&self, sysno: Sysno) -> bool {
        u64::try_from(sysno.id()).is_ok_and(|nr| self.syscalls.contains_key(&nr))
    }
}

impl fmt::Display for TraceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_table(&mut out, &self.syscalls);
        if self.lost > 0 {
            let _ = writeln!(
                out,
                "  ({} calls counted without their arguments: too many distinct calls)",
                self.lost
            );
        }
        out.push('\n');
        write_suggestion(&mut out, self.syscalls.len(), &self.suggestion);
        f.write_str(&out)
    }
}
