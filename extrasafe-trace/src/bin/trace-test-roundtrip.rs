//! The round trip of the tests: `trace-test-roundtrip [--without RULESET] -- PROGRAM ARGS`
//! traces PROGRAM, builds the suggested context, then runs PROGRAM again in a child process
//! that applies the context (without RULESET if given; every other syscall kills the
//! process) right before `execve`. Prints the suggested RuleSets on its first line
//! (`rulesets: A B C`) and exits with the sandboxed run's status (128 + N for signal N).

use std::ffi::OsString;
use std::process::ExitCode;

use extrasafe::DefaultAction;
use extrasafe_trace::{suggest, trace, tracer, tracer::Exit};

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut without = None;
    if args.first().is_some_and(|a| a == "--without") && args.len() > 1 {
        without = Some(args[1].to_string_lossy().into_owned());
        args.drain(..2);
    }
    if args.first().is_some_and(|a| a == "--") {
        args.remove(0);
    }
    let recorded = match trace(&args, &suggest::arg_policy()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("trace-test-roundtrip: {e}");
            return ExitCode::from(125);
        }
    };
    if recorded.exit != Exit::Code(0) {
        eprintln!("trace-test-roundtrip: the traced run {}", recorded.exit);
        return ExitCode::from(125);
    }
    let threads = recorded.select(&[]);
    let suggestion = match suggest(&tracer::totals(&threads)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("trace-test-roundtrip: {e}");
            return ExitCode::from(125);
        }
    };
    println!("rulesets: {}", suggestion.ruleset_names().join(" "));
    if !suggestion.not_allowed.is_empty() {
        eprintln!(
            "trace-test-roundtrip: the suggestion leaves out {:?}",
            suggestion.not_allowed
        );
        return ExitCode::from(125);
    }
    let without = without.as_deref();
    // The context is built in the child: Signals::allow_to_self needs the child's pid.
    let prepare = || -> Result<(), String> {
        let ctx = suggestion
            .context(without)
            .map_err(|e| e.to_string())?
            .with_default_action(DefaultAction::KillProcess);
        ctx.apply_to_current_thread().map_err(|e| e.to_string())?;
        Ok(())
    };
    match extrasafe_trace::run_sandboxed(&args, &prepare) {
        Ok(Exit::Code(c)) => ExitCode::from(u8::try_from(c & 0xff).unwrap_or(1)),
        Ok(exit @ Exit::Signal(_)) => {
            eprintln!("trace-test-roundtrip: the sandboxed run was {exit}");
            ExitCode::from(u8::try_from(exit.shell_status() & 0xff).unwrap_or(1))
        }
        Err(e) => {
            eprintln!("trace-test-roundtrip: {e}");
            ExitCode::from(125)
        }
    }
}
