//! The Markdown that a run writes: one table per item, then the goals with the measured
//! ranges.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::search::SearchResult;
use crate::serve::Load;
use crate::setup::Step;
use crate::stats::{self, fmt_delta_range, fmt_ns, fmt_pct, fmt_ratio, Summary};
use crate::syscalls::{self, CallResult, Config};
use crate::{Mode, Plan};

/// The marker before the generated part of the output file.
pub(crate) const BEGIN: &str = "<!-- BEGIN GENERATED (cargo run --release -p extrasafe-bench) -->";
/// The marker after it.
pub(crate) const END: &str = "<!-- END GENERATED -->";

/// One goal of the issue, with what was measured.
struct Goal {
    goal: String,
    measured: String,
    verdict: String,
}

/// *met* if the whole 95% confidence interval of the median satisfies the goal, *missed*
/// if none of it does, *undecided* if it straddles the goal; with the interval, in `unit`.
/// `ok(x)` says whether value `x` satisfies the goal (a threshold: one side of it does).
fn verdict(s: Summary, ok: impl Fn(f64) -> bool, unit: impl Fn(f64) -> String) -> String {
    let ci = format!("95% CI {} … {}", unit(s.ci_lo), unit(s.ci_hi));
    match (ok(s.ci_lo), ok(s.ci_hi)) {
        (true, true) => format!("met ({ci})"),
        (false, false) => format!("**missed** ({ci})"),
        _ => format!("undecided: the interval straddles the goal ({ci})"),
    }
}

/// The report being put together.
pub(crate) struct Report {
    mode: Mode,
    items: Vec<String>,
    body: String,
    goals: Vec<Goal>,
    elapsed: Duration,
}

impl Report {
    /// An empty report for a run in `mode` of `items`.
    pub(crate) fn new(mode: Mode, items: &[String]) -> Report {
        Report {
            mode,
            items: items.to_vec(),
            body: String::new(),
            goals: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    /// Item 0.
    pub(crate) fn instructions(&mut self, counts: &[crate::instructions::Counts]) {
        let b = &mut self.body;
        let _ = writeln!(b, "### 0. BPF instructions per syscall\n");
        let _ = writeln!(
            b,
            "What the kernel executes for one syscall, counted by running each program with \
             `extrasafe::eval` (a count, not a time: noise cannot move it). 0.5.1's program is \
             the one it loaded, read back with `PTRACE_SECCOMP_GET_FILTER`. The floor, \
             `[ret ALLOW]`, executes 1 instruction for every syscall. *allowed*: the syscalls \
             the context allows with any arguments (BasicCapabilities included); *denied*: \
             every other syscall in the table.\n"
        );
        let _ = writeln!(
            b,
            "| context | allowed (+ conditioned) | program length | allowed: mean / max (worst) | 0.5.1: mean / max (worst) | denied: mean / max | 0.5.1 denied: mean / max |"
        );
        let _ = writeln!(b, "|---|---:|---:|---:|---:|---:|---:|");
        let mut all_ok = true;
        let mut half_ok = true;
        let mut cond_ok = true;
        let mut worst_cond = String::new();
        for c in counts {
            let old = match &c.old {
                Ok(o) => format!("{:.1} / {} ({})", o.mean, o.max, o.worst),
                Err(e) => format!("not measured: {e}"),
            };
            let old_denied = c
                .denied_old
                .as_ref()
                .map_or("—".to_string(), |d| format!("{:.1} / {}", d.mean, d.max));
            let _ = writeln!(
                b,
                "| {} | {} (+ {}) | {} ({}) | {:.1} / {} ({}) | {} | {:.1} / {} | {} |",
                c.label,
                c.allowed,
                c.conditioned,
                c.total_ours,
                c.total_old
                    .map_or("—".to_string(), |n| format!("0.5.1: {n}")),
                c.ours.mean,
                c.ours.max,
                c.ours.worst,
                old,
                c.denied_ours.mean,
                c.denied_ours.max,
                old_denied
            );
            if c.allowed + c.conditioned <= 60 && c.ours.max > 12 {
                all_ok = false;
            }
            if let Ok(o) = &c.old {
                if c.ours.mean > o.mean / 2.0 {
                    half_ok = false;
                }
            }
            for (name, (p, f), old) in &c.conditions {
                if let Some((op, of)) = old {
                    if p > op || f > of {
                        cond_ok = false;
                        let _ = write!(worst_cond, "{} {name} {p}/{f} vs {op}/{of}; ", c.label);
                    }
                }
            }
        }
        let _ = writeln!(b);
        let _ = writeln!(
            b,
            "Argument-conditioned syscalls: instructions for a call one of the rules allows / \
             for one they deny (every argument `u64::MAX`).\n"
        );
        let _ = writeln!(b, "| context | syscall | extrasafe | 0.5.1 |");
        let _ = writeln!(b, "|---|---|---:|---:|");
        for c in counts {
            for (name, (p, f), old) in &c.conditions {
                let _ = writeln!(
                    b,
                    "| {} | {name} | {p} / {f} | {} |",
                    c.label,
                    old.map_or("—".to_string(), |(op, of)| format!("{op} / {of}"))
                );
            }
        }
        let _ = writeln!(b);
        let small_max = counts
            .iter()
            .filter(|c| c.allowed + c.conditioned <= 60)
            .map(|c| c.ours.max)
            .max()
            .unwrap_or(0);
        let all_max = counts.iter().map(|c| c.ours.max).max().unwrap_or(0);
        self.goals.push(Goal {
            goal: "≤ 12 instructions for any unconditionally allowed syscall (contexts of ≤ 60 \
                   syscalls)"
                .into(),
            measured: format!(
                "max {small_max} in the contexts of ≤ 60 syscalls ({all_max} in the larger ones)"
            ),
            verdict: if all_ok { "met" } else { "**missed**" }.into(),
        });
        let means: Vec<String> = counts
            .iter()
            .filter_map(|c| {
                c.old
                    .as_ref()
                    .ok()
                    .map(|o| format!("{} {:.1} vs {:.1}", c.label, c.ours.mean, o.mean))
            })
            .collect();
        self.goals.push(Goal {
            goal: "mean instructions per allowed syscall ≤ half of 0.5.1's".into(),
            measured: if means.is_empty() {
                "0.5.1 not measured (needs root)".into()
            } else {
                means.join("; ")
            },
            verdict: if means.is_empty() {
                "undecided (not measured)"
            } else if half_ok {
                "met"
            } else {
                "**missed**"
            }
            .into(),
        });
        self.goals.push(Goal {
            goal: "argument-conditioned syscalls ≤ 0.5.1's instructions on every syscall".into(),
            measured: if cond_ok {
                "every conditioned syscall, allowed and denied calls".into()
            } else {
                worst_cond.trim_end_matches("; ").to_string()
            },
            verdict: if cond_ok { "met" } else { "**missed**" }.into(),
        });
    }

    /// Item 1.
    pub(crate) fn syscalls(&mut self, results: &[CallResult]) {
        let b = &mut self.body;
        let _ = writeln!(b, "### 1. Per-syscall cost\n");
        let _ = writeln!(
            b,
            "Median time per call; *extra* is the difference from no filter measured in the same \
             round, *ratio* the quotient, both with their range over the rounds.\n"
        );
        let _ = writeln!(
            b,
            "| syscall | configuration | median | extra over no filter | ratio to no filter |"
        );
        let _ = writeln!(b, "|---|---|---:|---:|---:|");
        for r in results {
            for (i, config) in Config::ALL.iter().enumerate() {
                match &r.rounds[i] {
                    Ok(v) => {
                        let med = stats::median(v);
                        let (extra, ratio) = if i == 0 {
                            ("—".to_string(), "—".to_string())
                        } else {
                            let e = syscalls::extra(r, i).map_or("—".into(), fmt_delta_range);
                            let base = r.rounds[0].as_ref().map(Vec::as_slice).unwrap_or(&[]);
                            let q = Summary::of(&stats::ratios(v, base));
                            (e, fmt_ratio(q))
                        };
                        let _ = writeln!(
                            b,
                            "| {} | {} | {} | {extra} | {ratio} |",
                            r.call.label(),
                            config.label(),
                            fmt_ns(med)
                        );
                    }
                    Err(e) => {
                        let _ = writeln!(
                            b,
                            "| {} | {} | not measured: {} | | |",
                            r.call.label(),
                            config.label(),
                            e.replace('|', "/")
                        );
                    }
                }
            }
        }
        let _ = writeln!(b);
        for r in results {
            if let Some(s) = syscalls::between(r, Config::Typical, Config::Empty) {
                self.goals.push(Goal {
                    goal: format!(
                        "{}: allowed unconditionally, within 5 ns of the empty filter",
                        r.call.label()
                    ),
                    measured: format!("typical − empty: {}", fmt_delta_range(s)),
                    verdict: verdict(s, |x| x <= 5.0, stats::fmt_delta_ns),
                });
            }
        }
        for r in results {
            if let Some(s) = syscalls::extra(r, 4) {
                self.goals.push(Goal {
                    goal: format!(
                        "{}: with conditions, at most the binary-tree figure (+78 ns)",
                        r.call.label()
                    ),
                    measured: format!("conditions − no filter: {}", fmt_delta_range(s)),
                    verdict: verdict(s, |x| x <= 78.0, stats::fmt_delta_ns),
                });
            }
            if let Some(s) = syscalls::extra_ratio(r, Config::Conditional, Config::Conditional051) {
                self.goals.push(Goal {
                    goal: format!(
                        "{}: with conditions, at most half of 0.5.1's extra cost",
                        r.call.label()
                    ),
                    measured: format!("extra / 0.5.1's extra: {}", fmt_ratio(s)),
                    verdict: verdict(s, |x| x <= 0.5, stats::fmt_x),
                });
            }
        }
    }

    /// Item 2.
    pub(crate) fn setup(
        &mut self,
        steps: &[Step],
        results: &[Result<Vec<f64>, String>],
        instructions: usize,
    ) {
        let b = &mut self.body;
        let _ = writeln!(b, "### 2. Setup\n");
        let _ = writeln!(
            b,
            "Each step timed inside a fresh thread (filters stack and cannot be removed); median \
             of the per-round medians, and their range. The typical context compiles to \
             {instructions} BPF instructions.\n"
        );
        let _ = writeln!(b, "| step | median | range over rounds |");
        let _ = writeln!(b, "|---|---:|---:|");
        for (step, r) in steps.iter().zip(results) {
            match r {
                Ok(v) => {
                    let s = Summary::of(v);
                    let _ = writeln!(
                        b,
                        "| {} | {} | {} – {} |",
                        step.label,
                        fmt_ns(s.median),
                        fmt_ns(s.min),
                        fmt_ns(s.max)
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        b,
                        "| {} | not measured: {} | |",
                        step.label,
                        e.replace('|', "/")
                    );
                }
            }
        }
        let _ = writeln!(b);
        if let Some(Ok(v)) = steps
            .iter()
            .position(|s| s.label.starts_with("typical: build + apply"))
            .map(|i| &results[i])
        {
            let s = Summary::of(v);
            self.goals.push(Goal {
                goal: "typical context built and applied in ≤ 150 µs".into(),
                measured: format!(
                    "{} ({} – {})",
                    fmt_ns(s.median),
                    fmt_ns(s.min),
                    fmt_ns(s.max)
                ),
                verdict: verdict(s, |x| x <= 150_000.0, fmt_ns),
            });
        }
    }

    /// Item 3.
    pub(crate) fn run(&mut self, steps: &[Step], results: &[Result<Vec<f64>, String>]) {
        let b = &mut self.body;
        let _ = writeln!(
            b,
            "### 3. `run` / `extrasafe!` against `std::thread::spawn` + `join`\n"
        );
        let _ = writeln!(
            b,
            "Caller-side latency of a trivial closure (spawn, apply, run, join); the ratio is to \
             the plain spawn + join measured in the same round.\n"
        );
        let _ = writeln!(b, "| what | median | ratio to spawn + join |");
        let _ = writeln!(b, "|---|---:|---:|");
        let base = results[0].as_ref().ok();
        for (i, (step, r)) in steps.iter().zip(results).enumerate() {
            match r {
                Ok(v) => {
                    let ratio = match (i, base) {
                        (0, _) | (_, None) => "—".to_string(),
                        (_, Some(base)) => fmt_ratio(Summary::of(&stats::ratios(v, base))),
                    };
                    let _ = writeln!(
                        b,
                        "| {} | {} | {ratio} |",
                        step.label,
                        fmt_ns(stats::median(v))
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        b,
                        "| {} | not measured: {} | |",
                        step.label,
                        e.replace('|', "/")
                    );
                }
            }
        }
        let _ = writeln!(b);
        if let Some(base) = base {
            for (step, r) in steps.iter().zip(results) {
                let label = step.label;
                if !(label.contains("run(..)") || label.contains("extrasafe!")) {
                    continue;
                }
                if let Ok(v) = r {
                    let s = Summary::of(&stats::ratios(v, base));
                    self.goals.push(Goal {
                        goal: format!("{label}: ≤ 3× a plain spawn + join"),
                        measured: fmt_ratio(s),
                        verdict: verdict(s, |x| x <= 3.0, stats::fmt_x),
                    });
                }
            }
        }
    }

    /// Item 4, one result per row of [`crate::isolation::steps`] (labels in `labels`).
    pub(crate) fn isolation(&mut self, labels: &[&str], results: &[Result<Vec<f64>, String>]) {
        use crate::isolation::{row, BWRAP_ARGS};
        let b = &mut self.body;
        let _ = writeln!(
            b,
            "### 4. Isolation: start to exit
"
        );
        let _ = writeln!(
            b,
            "From starting a trivial isolated program to its end (spawn to wait), against \
             bubblewrap: `bwrap {}` (Debian's bubblewrap {}). The whole-program row starts \
             this crate's `isolate-probe`, whose `main` isolates itself and returns; the \
             `Isolate::run` rows are timed by their caller, a running `isolate-probe` that \
             re-executes itself for a function that returns at once. Ratios are to the \
             row's baseline in the same round.\n",
            BWRAP_ARGS.join(" "),
            bwrap_version()
        );
        let _ = writeln!(
            b,
            "| what | median | ratio to bubblewrap | ratio to 0.5.1's `Isolate::run` |"
        );
        let _ = writeln!(b, "|---|---:|---:|---:|");
        let ok = |i: usize| results.get(i).and_then(|r| r.as_ref().ok());
        let ratio_to = |v: &[f64], base: Option<&Vec<f64>>, is_base: bool| match base {
            _ if is_base => "—".to_string(),
            Some(base) => fmt_ratio(Summary::of(&stats::ratios(v, base))),
            None => "—".to_string(),
        };
        for (i, (label, r)) in labels.iter().zip(results).enumerate() {
            match r {
                Ok(v) => {
                    let (to_bwrap, to_051) = if [row::WHOLE, row::RUN, row::RUN_051].contains(&i) {
                        (
                            ratio_to(v, ok(row::BWRAP), false),
                            ratio_to(v, ok(row::RUN_051), i == row::RUN_051),
                        )
                    } else {
                        ("—".to_string(), "—".to_string())
                    };
                    let _ = writeln!(
                        b,
                        "| {label} | {} | {to_bwrap} | {to_051} |",
                        fmt_ns(stats::median(v))
                    );
                }
                Err(e) => {
                    let _ = writeln!(b, "| {label} | not measured: {} | | |", e.replace('|', "/"));
                }
            }
        }
        let _ = writeln!(b);
        for (i, what) in [
            (row::WHOLE, "whole program (`isolate_process`)"),
            (row::RUN, "`Isolate::run`"),
        ] {
            let Some(v) = ok(i) else { continue };
            match ok(row::BWRAP) {
                Some(base) => {
                    let s = Summary::of(&stats::ratios(v, base));
                    self.goals.push(Goal {
                        goal: format!("isolation, {what}: start-to-exit no slower than bubblewrap"),
                        measured: format!("extrasafe / bubblewrap: {}", fmt_ratio(s)),
                        verdict: verdict(s, |x| x <= 1.0, stats::fmt_x),
                    });
                }
                None => self.goals.push(Goal {
                    goal: format!("isolation, {what}: start-to-exit no slower than bubblewrap"),
                    measured: "not measured: bubblewrap is not installed".to_string(),
                    verdict: "—".into(),
                }),
            }
        }
    }

    /// Item 5a.
    pub(crate) fn search(&mut self, r: &SearchResult) {
        let b = &mut self.body;
        let _ = writeln!(b, "### 5a. Search\n");
        let _ = writeln!(
            b,
            "`ignore`'s walker and `grep`'s searcher (ripgrep's library crates) over {} generated \
             files (warm page cache, one thread), {} matching lines each time.\n",
            r.files, r.matches
        );
        let _ = writeln!(b, "| configuration | median | change from no sandbox |");
        let _ = writeln!(b, "|---|---:|---:|");
        for (i, c) in crate::search::Config::ALL.iter().enumerate() {
            let med = stats::median(&r.rounds[i]);
            let change = if i == 0 {
                "—".to_string()
            } else {
                fmt_pct(Summary::of(&stats::ratios(&r.rounds[i], &r.rounds[0])))
            };
            let _ = writeln!(b, "| {} | {} | {change} |", c.label(), fmt_ns(med));
        }
        let _ = writeln!(b);
        for (i, limit, name) in [
            (1, 1.04, "seccomp ≤ +4%"),
            (2, 1.15, "seccomp + Landlock ≤ +15%"),
        ] {
            let s = Summary::of(&stats::ratios(&r.rounds[i], &r.rounds[0]));
            self.goals.push(Goal {
                goal: format!("search: {name} over no sandbox"),
                measured: fmt_pct(s),
                verdict: verdict(s, |x| x <= limit, stats::fmt_pct1),
            });
        }
    }

    /// Item 5b.
    pub(crate) fn serve(&mut self, loads: &[Vec<Load>], plan: &Plan) {
        let b = &mut self.body;
        let _ = writeln!(b, "### 5b. Serve\n");
        let _ = writeln!(
            b,
            "hyper 1 (HTTP/1.1 keep-alive) on a single-threaded tokio runtime in its own thread; \
             a hyper client on 127.0.0.1 in the same process with {} connections for {:.1} s per \
             round (at most {} requests a round).\n",
            plan.connections,
            plan.load_time.as_secs_f64(),
            plan.max_requests
        );
        let _ = writeln!(
            b,
            "| configuration | requests/s | p50 | p99 | requests/s vs none | p99 vs none |"
        );
        let _ = writeln!(b, "|---|---:|---:|---:|---:|---:|");
        let col = |i: usize, f: fn(&Load) -> f64| loads[i].iter().map(f).collect::<Vec<f64>>();
        for (i, c) in crate::serve::Config::ALL.iter().enumerate() {
            let (rps_r, p99_r) = if i == 0 {
                ("—".to_string(), "—".to_string())
            } else {
                (
                    fmt_ratio(Summary::of(&stats::ratios(
                        &col(i, |l| l.rps),
                        &col(0, |l| l.rps),
                    ))),
                    fmt_ratio(Summary::of(&stats::ratios(
                        &col(i, |l| l.p99),
                        &col(0, |l| l.p99),
                    ))),
                )
            };
            let _ = writeln!(
                b,
                "| {} | {:.0} | {} | {} | {rps_r} | {p99_r} |",
                c.label(),
                stats::median(&col(i, |l| l.rps)),
                fmt_ns(stats::median(&col(i, |l| l.p50))),
                fmt_ns(stats::median(&col(i, |l| l.p99))),
            );
        }
        let total: u64 = loads.iter().flatten().map(|l| l.requests).sum();
        let _ = writeln!(b, "\n{total} requests in all.\n");
        let rps = Summary::of(&stats::ratios(&col(1, |l| l.rps), &col(0, |l| l.rps)));
        self.goals.push(Goal {
            goal: "serve: ≥ 97% of the unsandboxed requests/s".into(),
            measured: fmt_ratio(rps),
            verdict: verdict(rps, |x| x >= 0.97, stats::fmt_x),
        });
        let p99 = Summary::of(&stats::ratios(&col(1, |l| l.p99), &col(0, |l| l.p99)));
        self.goals.push(Goal {
            goal: "serve: p99 within 5%".into(),
            measured: fmt_ratio(p99),
            verdict: verdict(p99, |x| x <= 1.05, stats::fmt_x),
        });
    }

    /// Item 6, one result per row of [`crate::workers::steps`].
    pub(crate) fn workers(&mut self, steps: &[Step], results: &[Result<Vec<f64>, String>]) {
        use crate::workers::row;
        let b = &mut self.body;
        let _ = writeln!(b, "### 6. Worker processes\n");
        let _ = writeln!(
            b,
            "Caller-side latency. The warm call sends 100 bytes (a `Vec<u8>`, serialized) to a \
             reused worker that returns them; the plain round trip sends 100 bytes on a unix \
             socket to a child process (this binary, `--echo`) that writes them back. The \
             `FreshPerCall` row times the second of two calls made back to back: it waits \
             for the process started when the first call ended (exec, context, sandbox). \
             The JSON rows parse 200 documents of about 1 KiB into a struct (serde_json) with \
             2 threads: in this process, or through a pool of 2 workers. Workers run the \
             empty context (BasicCapabilities and the worker's own rules).\n"
        );
        let _ = writeln!(b, "| what | median | min – max over rounds |");
        let _ = writeln!(b, "|---|---:|---:|");
        for (step, r) in steps.iter().zip(results) {
            match r {
                Ok(v) => {
                    let s = Summary::of(v);
                    let _ = writeln!(
                        b,
                        "| {} | {} | {} – {} |",
                        step.label,
                        fmt_ns(s.median),
                        fmt_ns(s.min),
                        fmt_ns(s.max)
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        b,
                        "| {} | not measured: {} | |",
                        step.label,
                        e.replace('|', "/")
                    );
                }
            }
        }
        let _ = writeln!(b);
        let ok = |i: usize| results.get(i).and_then(|r| r.as_ref().ok());
        let mut absolute = |i: usize, goal: &str, limit_ns: f64| {
            if let Some(v) = ok(i) {
                let s = Summary::of(v);
                self.goals.push(Goal {
                    goal: goal.to_string(),
                    measured: format!(
                        "{} ({} – {})",
                        fmt_ns(s.median),
                        fmt_ns(s.min),
                        fmt_ns(s.max)
                    ),
                    verdict: verdict(s, |x| x <= limit_ns, fmt_ns),
                });
            }
        };
        absolute(
            row::WARM,
            "worker: warm call, 100 bytes in and out: ≤ 30 µs median",
            30_000.0,
        );
        absolute(
            row::FRESH,
            "worker: FreshPerCall, per call including the start: ≤ 2 ms median",
            2_000_000.0,
        );
        absolute(
            row::START4,
            "worker: starting a pool of 4: ≤ 20 ms",
            20_000_000.0,
        );
        if let (Some(warm), Some(pipe)) = (ok(row::WARM), ok(row::PIPE)) {
            let s = Summary::of(&stats::ratios(warm, pipe));
            self.goals.push(Goal {
                goal: "worker: warm call ≤ 4× a plain round trip to a child".into(),
                measured: fmt_ratio(s),
                verdict: verdict(s, |x| x <= 4.0, stats::fmt_x),
            });
        }
        if let (Some(pool), Some(here)) = (ok(row::POOL2), ok(row::IN_PROCESS)) {
            // Throughput ratio: the time in this process over the time through the pool.
            let s = Summary::of(&stats::ratios(here, pool));
            self.goals.push(Goal {
                goal: "worker: a pool of 2 parsing 1 KiB JSON: ≥ 80% of the throughput in this process".into(),
                measured: format!("pool / in-process throughput: {}", fmt_ratio(s)),
                verdict: verdict(s, |x| x >= 0.8, stats::fmt_x),
            });
        }
    }

    /// Records how long the run took.
    pub(crate) fn finish(&mut self, elapsed: Duration) {
        self.elapsed = elapsed;
    }

    /// The whole generated Markdown, markers included.
    pub(crate) fn markdown(&self) -> String {
        let mut m = String::new();
        let _ = writeln!(m, "{BEGIN}\n");
        let _ = writeln!(
            m,
            "Run with `cargo run --release -p extrasafe-bench -- {} --out BENCHMARKS.md` \
             (items: {}; {:.0} s).\n",
            self.mode.flag(),
            self.items.join(", "),
            self.elapsed.as_secs_f64()
        );
        let _ = writeln!(m, "Machine: {}.\n", machine());
        m.push_str(&self.body);
        if !self.goals.is_empty() {
            let _ = writeln!(m, "### Goals\n");
            let _ = writeln!(
                m,
                "*met*: the 95% bootstrap confidence interval of the median ratio (or difference) \
                 over the paired rounds lies inside the goal; *missed*: it lies outside; \
                 *undecided*: it straddles the goal. Instruction counts are exact.\n"
            );
            let _ = writeln!(
                m,
                "| goal | measured: median (min – max over rounds) | verdict (95% CI of the median) |"
            );
            let _ = writeln!(m, "|---|---|---|");
            for g in &self.goals {
                let _ = writeln!(m, "| {} | {} | {} |", g.goal, g.measured, g.verdict);
            }
            let _ = writeln!(m);
        }
        let _ = writeln!(m, "{END}");
        m
    }
}

/// The kernel, the CPU model and the number of CPUs.
fn machine() -> String {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown kernel".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    format!("Linux {kernel}, {cpu}, {cpus} CPUs")
}

/// Writes `generated` into `path`: between the markers if the file has them, else as the
/// whole file.
pub(crate) fn write_into(path: &Path, generated: &str) -> std::io::Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(old) => match (old.find(BEGIN), old.find(END)) {
            (Some(a), Some(z)) if a < z => {
                format!(
                    "{}{}{}",
                    &old[..a],
                    generated.trim_end(),
                    &old[z + END.len()..]
                )
            }
            _ => generated.to_string(),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => generated.to_string(),
        Err(e) => return Err(e),
    };
    std::fs::write(path, text)
}

/// `bwrap --version`'s number, or `not installed`.
fn bwrap_version() -> String {
    std::process::Command::new("bwrap")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .trim_start_matches("bubblewrap ")
                .to_string()
        })
        .unwrap_or_else(|| "not installed".to_string())
}
