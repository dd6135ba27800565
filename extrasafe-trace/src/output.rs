//! The report: a readable table and suggestion, JSON, or a Rust expression.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use extrasafe::syscalls::Sysno;

use crate::decode;
use crate::suggest::{Alternative, Suggestion};
use crate::tracer::{SyscallRecord, ThreadRecord, Trace};

/// The name of syscall number `nr`, or `syscall_NNN` if extrasafe's table has none.
pub fn syscall_name(nr: u64) -> String {
    i32::try_from(nr)
        .ok()
        .and_then(Sysno::from_id)
        .map_or_else(|| format!("syscall_{nr}"), |s| s.name().to_string())
}

/// The shown arguments of each distinct call of `nr`, readable, with counts, most frequent
/// first: `flags=O_RDONLY|O_CLOEXEC ×30`.
fn argument_summary(nr: u64, rec: &SyscallRecord) -> Vec<(String, u64)> {
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

fn table(out: &mut String, syscalls: &BTreeMap<u64, SyscallRecord>) {
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

fn sysnos(list: &[Sysno]) -> String {
    list.iter().map(Sysno::name).collect::<Vec<_>>().join(", ")
}

fn alternative(out: &mut String, what: &str, alt: &Alternative) {
    if alt.uncovered.is_empty() {
        let _ = writeln!(out, "  {what}{}: covers every syscall seen", alt.spec);
    } else {
        let _ = writeln!(
            out,
            "  {what}{}: leaves out {}",
            alt.spec,
            alt.uncovered
                .iter()
                .map(|s| format!("Sysno::{}", s.name()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

/// The readable report: the program's end, a table per thread (and the total when there are
/// several), then the suggestion.
pub fn text(trace: &Trace, threads: &[&ThreadRecord], suggestion: &Suggestion) -> String {
    let mut out = String::new();
    let processes: std::collections::BTreeSet<i32> = threads.iter().map(|t| t.pid).collect();
    let _ = writeln!(
        out,
        "extrasafe-trace: `{}` {}; {} thread(s) in {} process(es) shown",
        trace.command.join(" "),
        trace.exit,
        threads.len(),
        processes.len()
    );
    for t in threads {
        if t.syscalls.is_empty() {
            continue;
        }
        let names = if t.names.len() > 1 {
            format!(" (earlier: {})", t.names[..t.names.len() - 1].join(", "))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "\nthread {} \"{}\"{names}, process {}",
            t.tid,
            t.name(),
            t.pid
        );
        table(&mut out, &t.syscalls);
    }
    let totals = crate::tracer::totals(threads);
    if threads.iter().filter(|t| !t.syscalls.is_empty()).count() > 1 {
        let _ = writeln!(out, "\nall threads shown");
        table(&mut out, &totals);
    }

    let _ = writeln!(out, "\nsuggested context ({} syscalls seen):", totals.len());
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
    for s in &suggestion.uncovered {
        let _ = writeln!(
            out,
            "  {:<40} no builtin method covers it",
            format!("Sysno::{}", s.name())
        );
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
    alternative(
        &mut out,
        "Pledge::new(\"",
        &with_close(&suggestion.pledge, "\")"),
    );
    alternative(&mut out, "SystemCallFilter=", &suggestion.systemd);
    let _ = writeln!(
        out,
        "(--rust prints the context as Rust, --json all of this as JSON)"
    );
    out
}

fn with_close(alt: &Alternative, close: &str) -> Alternative {
    Alternative {
        spec: format!("{}{close}", alt.spec),
        uncovered: alt.uncovered.clone(),
    }
}

/// The suggestion as a Rust expression, with the `use` it needs.
pub fn rust(suggestion: &Suggestion) -> String {
    format!(
        "// suggested by extrasafe-trace; in a function returning Result<_, extrasafe::ExtraSafeError>\n\
         use extrasafe::SafetyContext;\n\n\
         let ctx = {};",
        suggestion.rust().trim_end()
    )
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_list<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> String) -> String {
    let parts: Vec<String> = items.into_iter().map(f).collect();
    format!("[{}]", parts.join(","))
}

fn json_sysnos(list: &[Sysno]) -> String {
    json_list(list, |s| json_string(s.name()))
}

fn json_syscalls(syscalls: &BTreeMap<u64, SyscallRecord>) -> String {
    json_list(syscalls, |(nr, rec)| {
        let args = json_list(argument_summary(*nr, rec), |(text, n)| {
            format!("{{\"arguments\":{},\"count\":{n}}}", json_string(&text))
        });
        format!(
            "{{\"name\":{},\"nr\":{nr},\"count\":{},\"calls\":{args}}}",
            json_string(&syscall_name(*nr)),
            rec.count
        )
    })
}

/// Everything as one JSON object.
pub fn json(trace: &Trace, threads: &[&ThreadRecord], suggestion: &Suggestion) -> String {
    let exit = match trace.exit {
        crate::Exit::Code(c) => format!("{{\"code\":{c}}}"),
        crate::Exit::Signal(s) => format!("{{\"signal\":{s}}}"),
    };
    let thread_list = json_list(threads, |t| {
        format!(
            "{{\"tid\":{},\"pid\":{},\"parent\":{},\"names\":{},\"syscalls\":{}}}",
            t.tid,
            t.pid,
            t.parent.map_or("null".to_string(), |p| p.to_string()),
            json_list(&t.names, |n| json_string(n)),
            json_syscalls(&t.syscalls)
        )
    });
    let totals = crate::tracer::totals(threads);
    let methods = json_list(&suggestion.methods, |m| {
        format!(
            "{{\"method\":{},\"covers\":{},\"also_allows\":{}}}",
            json_string(&m.label),
            json_sysnos(&m.covers),
            json_sysnos(&m.also_allows)
        )
    });
    let alt = |a: &Alternative| {
        format!(
            "{{\"spec\":{},\"uncovered\":{}}}",
            json_string(&a.spec),
            json_sysnos(&a.uncovered)
        )
    };
    format!(
        "{{\"command\":{},\"exit\":{exit},\"threads\":{thread_list},\"totals\":{},\
         \"suggestion\":{{\"rulesets\":{},\"basic\":{},\"methods\":{methods},\"syscalls\":{},\
         \"conflicts\":{},\"enosys\":{},\"unknown\":{},\"rust\":{},\"pledge\":{},\"systemd\":{}}}}}\n",
        json_list(&trace.command, |a| json_string(a)),
        json_syscalls(&totals),
        json_list(suggestion.ruleset_names(), json_string),
        json_sysnos(&suggestion.basic),
        json_sysnos(&suggestion.uncovered),
        json_list(&suggestion.conflicts, |(s, why)| format!(
            "{{\"syscall\":{},\"reason\":{}}}",
            json_string(s.name()),
            json_string(why)
        )),
        json_list(&suggestion.enosys, |(s, why)| format!(
            "{{\"syscall\":{},\"reason\":{}}}",
            json_string(s.name()),
            json_string(why)
        )),
        json_list(&suggestion.unknown, |n| n.to_string()),
        json_string(&suggestion.rust()),
        alt(&suggestion.pledge),
        alt(&suggestion.systemd),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(
            json_string("a\"b\\c\nd\u{1}é"),
            "\"a\\\"b\\\\c\\nd\\u0001é\""
        );
    }
}
