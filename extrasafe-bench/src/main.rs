//! extrasafe's benchmark suite: what the sandbox costs, measured side by side with no sandbox
//! and with extrasafe 0.5.1, in one run.
//!
//! ```sh
//! cargo run --release -p extrasafe-bench -- --full --out BENCHMARKS.md
//! ```
//!
//! Modes: `--smoke` (seconds; checks that everything runs, the numbers mean little),
//! `--quick` (about a minute), `--full` (a few minutes; the numbers in BENCHMARKS.md).
//! `--out FILE` writes the Markdown tables into FILE between the markers
//! `<!-- BEGIN GENERATED -->` and `<!-- END GENERATED -->` (keeping the text around them),
//! or makes FILE if it does not exist; without `--out` the tables go to stdout.
//! `--only ITEMS` (comma-separated: `instructions,syscalls,setup,run,isolation,search,serve,workers`) runs a
//! subset.
//! `--tree-dir DIR` says where to generate the search tree (default: the temp dir).
//!
//! Nothing here asserts a timing: a measurement that cannot be made (a context the kernel
//! refuses, a workload that fails under its sandbox) is an error with the reason.

mod contexts;
mod instructions;
mod isolation;
mod report;
mod search;
mod serve;
mod setup;
mod stats;
mod sys;
mod syscalls;
mod turns;
mod workers;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How much to measure: one of these per mode.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Rounds: each configuration is measured once per round, in turn.
    pub(crate) rounds: usize,
    /// Measurements per configuration and round (their median is the round's value).
    pub(crate) samples: usize,
    /// Per-syscall: batches per thread.
    pub(crate) batches: usize,
    /// Per-syscall: calls per batch.
    pub(crate) per_batch: usize,
    /// Search: files in the generated tree.
    pub(crate) files: usize,
    /// Serve: how long each round's load lasts.
    pub(crate) load_time: Duration,
    /// Serve: concurrent keep-alive connections.
    pub(crate) connections: usize,
    /// Serve: the most requests one round sends.
    pub(crate) max_requests: u64,
}

/// The three modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Seconds: that it runs.
    Smoke,
    /// About a minute.
    Quick,
    /// The numbers for BENCHMARKS.md.
    Full,
}

impl Mode {
    /// The flag that selects it.
    pub(crate) fn flag(self) -> &'static str {
        match self {
            Mode::Smoke => "--smoke",
            Mode::Quick => "--quick",
            Mode::Full => "--full",
        }
    }

    fn syscalls(self) -> Plan {
        let base = self.base();
        match self {
            Mode::Smoke => Plan {
                rounds: 2,
                batches: 3,
                per_batch: 200,
                ..base
            },
            Mode::Quick => Plan {
                rounds: 7,
                batches: 21,
                per_batch: 2_000,
                ..base
            },
            Mode::Full => Plan {
                rounds: 21,
                batches: 31,
                per_batch: 4_000,
                ..base
            },
        }
    }

    fn setup(self) -> Plan {
        let base = self.base();
        match self {
            Mode::Smoke => Plan {
                rounds: 2,
                samples: 2,
                ..base
            },
            Mode::Quick => Plan {
                rounds: 7,
                samples: 7,
                ..base
            },
            Mode::Full => Plan {
                rounds: 21,
                samples: 15,
                ..base
            },
        }
    }

    fn run(self) -> Plan {
        let base = self.base();
        match self {
            Mode::Smoke => Plan {
                rounds: 2,
                samples: 3,
                ..base
            },
            Mode::Quick => Plan {
                rounds: 7,
                samples: 15,
                ..base
            },
            Mode::Full => Plan {
                rounds: 21,
                samples: 31,
                ..base
            },
        }
    }

    fn isolation(self) -> Plan {
        let base = self.base();
        match self {
            Mode::Smoke => Plan {
                rounds: 1,
                samples: 1,
                ..base
            },
            Mode::Quick => Plan {
                rounds: 7,
                samples: 3,
                ..base
            },
            Mode::Full => Plan {
                rounds: 21,
                samples: 5,
                ..base
            },
        }
    }

    fn search(self) -> Plan {
        let base = self.base();
        match self {
            Mode::Smoke => Plan {
                rounds: 1,
                samples: 1,
                files: 300,
                ..base
            },
            Mode::Quick => Plan {
                rounds: 3,
                samples: 1,
                ..base
            },
            Mode::Full => Plan {
                rounds: 21,
                samples: 1,
                ..base
            },
        }
    }

    fn serve(self) -> Plan {
        let base = self.base();
        match self {
            Mode::Smoke => Plan {
                rounds: 1,
                load_time: Duration::from_millis(200),
                connections: 4,
                ..base
            },
            Mode::Quick => Plan {
                rounds: 3,
                load_time: Duration::from_secs(1),
                ..base
            },
            Mode::Full => Plan {
                rounds: 21,
                load_time: Duration::from_secs(3),
                ..base
            },
        }
    }

    fn workers(self) -> Plan {
        let base = self.base();
        match self {
            Mode::Smoke => Plan {
                rounds: 2,
                samples: 2,
                ..base
            },
            Mode::Quick => Plan {
                rounds: 7,
                samples: 15,
                ..base
            },
            Mode::Full => Plan {
                rounds: 21,
                samples: 31,
                ..base
            },
        }
    }

    fn base(self) -> Plan {
        Plan {
            rounds: 1,
            samples: 1,
            batches: 1,
            per_batch: 1,
            files: 20_000,
            load_time: Duration::from_secs(1),
            connections: 16,
            max_requests: 2_000_000,
        }
    }
}

/// The parts of the suite.
const ITEMS: [&str; 8] = [
    "instructions",
    "syscalls",
    "setup",
    "run",
    "isolation",
    "search",
    "serve",
    "workers",
];

struct Args {
    mode: Mode,
    out: Option<PathBuf>,
    only: Vec<String>,
    tree_dir: PathBuf,
}

const USAGE: &str = "usage: extrasafe-bench (--smoke | --quick | --full) [--out FILE] \
                     [--only instructions,syscalls,setup,run,isolation,search,serve,workers] [--tree-dir DIR]";

fn parse_args() -> Result<Args, String> {
    let mut mode = None;
    let mut out = None;
    let mut only: Vec<String> = ITEMS.iter().map(ToString::to_string).collect();
    let mut tree_dir = std::env::temp_dir().join("extrasafe-bench");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--smoke" => mode = Some(Mode::Smoke),
            "--quick" => mode = Some(Mode::Quick),
            "--full" => mode = Some(Mode::Full),
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a file")?)),
            "--tree-dir" => {
                tree_dir = PathBuf::from(args.next().ok_or("--tree-dir needs a directory")?);
            }
            "--only" => {
                let list = args.next().ok_or("--only needs a list")?;
                only = list.split(',').map(|s| s.trim().to_string()).collect();
                if let Some(bad) = only.iter().find(|s| !ITEMS.contains(&s.as_str())) {
                    return Err(format!("unknown item `{bad}` in --only; {USAGE}"));
                }
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`; {USAGE}")),
        }
    }
    let mode = mode.ok_or_else(|| format!("choose a mode; {USAGE}"))?;
    Ok(Args {
        mode,
        out,
        only,
        tree_dir,
    })
}

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1);
    match argv.next().as_deref() {
        Some("--dump-051") => instructions::dump_051_child(&argv.next().unwrap_or_default()),
        Some("--echo") => workers::echo_child(),
        _ => {}
    }
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("extrasafe-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<(), String> {
    let args = parse_args()?;
    let started = Instant::now();
    let wants = |item: &str| args.only.iter().any(|s| s == item);
    let mut report = report::Report::new(args.mode, &args.only);

    if wants("instructions") {
        eprintln!("0. BPF instructions per syscall");
        report.instructions(&instructions::run()?);
    }
    if wants("syscalls") {
        eprintln!("1. per-syscall cost");
        report.syscalls(&syscalls::run(&args.mode.syscalls())?);
    }
    if wants("setup") {
        eprintln!("2. setup");
        let steps = setup::setup_steps()?;
        let instructions = contexts::typical()
            .and_then(|c| c.compile())
            .map_err(|e| e.to_string())?
            .instructions()
            .len();
        report.setup(
            &steps,
            &setup::measure(&steps, &args.mode.setup()),
            instructions,
        );
    }
    if wants("run") {
        eprintln!("3. run / extrasafe! against spawn + join");
        let steps = setup::run_steps()?;
        report.run(&steps, &setup::measure(&steps, &args.mode.run()));
    }
    if wants("isolation") {
        eprintln!("4. isolation: start-to-exit against bubblewrap and 0.5.1");
        let steps = isolation::steps()?;
        let results = setup::measure(&steps, &args.mode.isolation());
        let labels: Vec<&str> = steps.iter().map(|s| s.label).collect();
        // Ends the probe that serves the `Isolate::run` rows.
        drop(steps);
        // Only bubblewrap may be missing; extrasafe's rows must run.
        for (i, r) in results.iter().enumerate() {
            if let (false, Err(e)) = (i == isolation::row::BWRAP, r) {
                return Err(e.clone());
            }
        }
        report.isolation(&labels, &results);
    }
    if wants("search") {
        eprintln!("5a. search");
        report.search(&search::run(&args.mode.search(), &args.tree_dir)?);
    }
    if wants("serve") {
        eprintln!("5b. serve");
        let plan = args.mode.serve();
        report.serve(&serve::run(&plan)?, &plan);
    }
    if wants("workers") {
        eprintln!("6. worker processes");
        let steps = workers::steps()?;
        report.workers(&steps, &setup::measure(&steps, &args.mode.workers()));
    }
    report.finish(started.elapsed());

    let text = report.markdown();
    match &args.out {
        Some(path) => {
            report::write_into(path, &text)
                .map_err(|e| format!("write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
