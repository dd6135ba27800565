//! `extrasafe-trace [options] -- PROGRAM [ARGS...]`: run PROGRAM under ptrace, show its
//! syscalls per thread, and suggest the extrasafe context that allows them.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use extrasafe_trace::{output, suggest, trace};

const USAGE: &str = "\
usage: extrasafe-trace [options] -- PROGRAM [ARGS...]
       extrasafe-trace --check FILTER CALL...

Runs PROGRAM under ptrace (following its threads, forks and execs), prints its syscalls per
thread, then the smallest combination of extrasafe's builtin RuleSets it finds that allows
them, with pledge promises and systemd groups as alternatives. PROGRAM's output and exit
status pass through; the report goes to stderr unless -o is given.

options:
  --rust          print only the suggested context, as a Rust expression
  --json          print everything as JSON
  --thread NAME   only threads named NAME (the kernel keeps 15 bytes of a name; a longer NAME
                  matches its first 15), and the threads and processes they create; repeatable
  -o, --output FILE
                  write the report to FILE
  -h, --help      this text

--check FILTER CALL...
                  print what the seccomp program in FILTER (the bytes CompiledFilter::to_bytes
                  writes) decides for each CALL, without loading it: `write(1, 0, 5)`,
                  `getpid`, `nr:39`, `openat(-100, 0, 0)`, `i386:nr:4(1)`; arguments are
                  decimal, 0x hex or negative. Exit status 0, 1 if FILTER cannot be read or
                  is not a valid program, 2 for a CALL that cannot be read.

exit status: PROGRAM's (128 + N if signal N killed it); 127 if PROGRAM is not found, 126 if it
cannot be run, 125 if tracing fails or no thread has a NAME given, 2 for a usage error.
";

#[derive(Default)]
struct Options {
    rust: bool,
    json: bool,
    threads: Vec<String>,
    output: Option<OsString>,
    command: Vec<OsString>,
}

fn parse(args: impl Iterator<Item = OsString>) -> Result<Option<Options>, String> {
    let mut opts = Options::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--") => {
                opts.command.extend(args);
                break;
            }
            Some("-h" | "--help") => return Ok(None),
            Some("--rust") => opts.rust = true,
            Some("--json") => opts.json = true,
            Some("--thread") => {
                let name = args.next().ok_or("--thread needs a NAME")?;
                opts.threads.push(name.to_string_lossy().into_owned());
            }
            Some("-o" | "--output") => {
                opts.output = Some(args.next().ok_or("-o needs a FILE")?);
            }
            Some(s) if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            _ => {
                opts.command.push(arg);
                opts.command.extend(args);
                break;
            }
        }
    }
    if opts.rust && opts.json {
        return Err("--rust and --json exclude each other".into());
    }
    if opts.command.is_empty() {
        return Err("no PROGRAM given".into());
    }
    Ok(Some(opts))
}

/// `--check FILTER CALL...`.
fn check(args: &[OsString]) -> ExitCode {
    let Some((filter, calls)) = args.split_first() else {
        eprintln!("extrasafe-trace: --check needs a FILTER and a CALL\n\n{USAGE}");
        return ExitCode::from(2);
    };
    if calls.is_empty() {
        eprintln!("extrasafe-trace: --check needs at least one CALL after FILTER\n\n{USAGE}");
        return ExitCode::from(2);
    }
    let program = match std::fs::read(filter)
        .map_err(|e| format!("cannot read {}: {e}", filter.to_string_lossy()))
        .and_then(|bytes| {
            extrasafe_trace::check::program(&bytes)
                .map_err(|e| format!("{}: {e}", filter.to_string_lossy()))
        }) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("extrasafe-trace: {e}");
            return ExitCode::from(1);
        }
    };
    for call in calls {
        match extrasafe_trace::check::check(&program, &call.to_string_lossy()) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("extrasafe-trace: {e}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args.first().and_then(|a| a.to_str()) == Some("--check") {
        return check(&args[1..]);
    }
    let opts = match parse(args.into_iter()) {
        Ok(Some(opts)) => opts,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("extrasafe-trace: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let policy = suggest::arg_policy();
    let recorded = match trace(&opts.command, &policy) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("extrasafe-trace: {e}");
            return ExitCode::from(u8::try_from(e.exit_status()).unwrap_or(125));
        }
    };
    let threads = recorded.select(&opts.threads);
    if threads.is_empty() {
        // An empty report would read as "this thread makes no syscalls".
        eprintln!(
            "extrasafe-trace: no thread named {} was seen (threads seen: {}); no report",
            opts.threads.join(" or "),
            recorded.thread_names().join(", ")
        );
        return ExitCode::from(125);
    }
    let totals = extrasafe_trace::tracer::totals(&threads);
    let report = match suggest(&totals) {
        Ok(s) => {
            if opts.json {
                output::json(&recorded, &threads, &s)
            } else if opts.rust {
                output::rust(&s) + "\n"
            } else {
                output::text(&recorded, &threads, &s)
            }
        }
        Err(e) => {
            eprintln!("extrasafe-trace: cannot build the suggestion: {e}");
            return ExitCode::from(125);
        }
    };
    let written = match &opts.output {
        Some(path) => std::fs::write(path, report.as_bytes()),
        None => std::io::stderr().write_all(report.as_bytes()),
    };
    if let Err(e) = written {
        eprintln!("extrasafe-trace: cannot write the report: {e}");
        return ExitCode::from(125);
    }
    let status = recorded.exit.shell_status();
    ExitCode::from(u8::try_from(status & 0xff).unwrap_or(1))
}
