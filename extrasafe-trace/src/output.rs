//! The report: a readable table and suggestion, JSON, or a Rust expression.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use extrasafe::syscalls::Sysno;
pub use extrasafe::trace::report::{argument_summary, syscall_name, write_suggestion, write_table};

use crate::suggest::{Alternative, Suggestion};
use crate::tracer::{SyscallRecord, ThreadRecord, Trace};

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
        if t.syscalls.is_empty() && t.i386.is_empty() {
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
        write_table(&mut out, &t.syscalls);
        write_i386(&mut out, &t.i386);
    }
    let totals = crate::tracer::totals(threads);
    if threads.iter().filter(|t| !t.syscalls.is_empty()).count() > 1 {
        let _ = writeln!(out, "\nall threads shown");
        write_table(&mut out, &totals);
    }

    let i386 = crate::tracer::i386_totals(threads);
    if !i386.is_empty() {
        let _ = writeln!(
            out,
            "\nwarning: the program made i386 syscalls (`int 0x80`); every extrasafe filter \
             kills the process on them, and no RuleSet allows them"
        );
    }
    out.push('\n');
    write_suggestion(&mut out, totals.len(), suggestion);
    let _ = writeln!(
        out,
        "(--rust prints the context as Rust, --json all of this as JSON)"
    );
    out
}

/// The i386 (`int 0x80`) calls of a thread, under their i386 names.
fn write_i386(out: &mut String, calls: &BTreeMap<u64, u64>) {
    if calls.is_empty() {
        return;
    }
    let _ = writeln!(out, "  i386 (int 0x80) syscalls:");
    for (nr, n) in calls {
        let _ = writeln!(
            out,
            "  {:<22} {n:>7}  (i386 number {nr})",
            crate::i386::label(*nr)
        );
    }
}

fn json_i386(calls: &BTreeMap<u64, u64>) -> String {
    json_list(calls, |(nr, n)| {
        format!(
            "{{\"name\":{},\"nr\":{nr},\"count\":{n}}}",
            json_string(&crate::i386::label(*nr))
        )
    })
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
            "{{\"tid\":{},\"pid\":{},\"parent\":{},\"names\":{},\"syscalls\":{},\"i386\":{}}}",
            t.tid,
            t.pid,
            t.parent.map_or("null".to_string(), |p| p.to_string()),
            json_list(&t.names, |n| json_string(n)),
            json_syscalls(&t.syscalls),
            json_i386(&t.i386)
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
        "{{\"command\":{},\"exit\":{exit},\"threads\":{thread_list},\"totals\":{},\"i386_totals\":{},\
         \"suggestion\":{{\"rulesets\":{},\"basic\":{},\"methods\":{methods},\"syscalls\":{},\
         \"conflicts\":{},\"enosys\":{},\"unknown\":{},\"rust\":{},\"pledge\":{},\"systemd\":{}}}}}\n",
        json_list(&trace.command, |a| json_string(a)),
        json_syscalls(&totals),
        json_i386(&crate::tracer::i386_totals(threads)),
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
