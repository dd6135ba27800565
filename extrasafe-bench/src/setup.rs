//! Items 2 and 3: what building and applying a context costs, and what `run`/`extrasafe!`
//! cost against a plain `std::thread::spawn` + `join`.
//!
//! Every load happens in a fresh thread (filters stack and cannot be removed); only the step
//! named is timed inside it. The steps take turns within each round, in an order rotated every
//! round.

use std::hint::black_box;
use std::time::{Duration, Instant};

use extrasafe::builtins::BasicCapabilities;
use extrasafe::{CompiledFilter, SafetyContext};

use crate::contexts;
use crate::stats;
use crate::sys;
use crate::Plan;

/// One measured step: a label and a function that returns how long the step took.
pub(crate) struct Step {
    /// The name in the table.
    pub(crate) label: &'static str,
    /// Measures the step once.
    pub(crate) measure: Box<dyn Fn() -> Result<Duration, String>>,
}

/// Times `f` in a new thread and hands back the duration.
fn in_fresh_thread<F>(f: F) -> Result<Duration, String>
where
    F: FnOnce() -> Result<Duration, String> + Send,
{
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .map_err(|_| "the measuring thread panicked".to_string())?
    })
}

fn timed<T, E: std::fmt::Display>(f: impl FnOnce() -> Result<T, E>) -> Result<Duration, String> {
    let start = Instant::now();
    let out = f().map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    black_box(out);
    Ok(elapsed)
}

/// The setup steps of item 2.
pub(crate) fn setup_steps() -> Result<Vec<Step>, String> {
    let ctx = contexts::typical().map_err(|e| e.to_string())?;
    let compiled: CompiledFilter = ctx.compile().map_err(|e| e.to_string())?;
    let ctx_for_compile = ctx.clone();
    Ok(vec![
        Step {
            label: "empty allow-all filter: load (floor)",
            measure: Box::new(|| in_fresh_thread(|| timed(sys::load_allow_all_filter))),
        },
        Step {
            label: "typical: build the context (enable × 5)",
            measure: Box::new(|| in_fresh_thread(|| timed(contexts::typical))),
        },
        Step {
            label: "typical: compile() again (merge + cache lookup; compiled once per process)",
            measure: Box::new(move || {
                let ctx = ctx_for_compile.clone();
                in_fresh_thread(move || timed(|| ctx.compile()))
            }),
        },
        Step {
            label: "typical: load a precompiled filter",
            measure: Box::new(move || {
                let f = compiled.clone();
                in_fresh_thread(move || timed(|| f.apply_to_current_thread()))
            }),
        },
        Step {
            label: "typical: build + apply_to_current_thread",
            measure: Box::new(|| {
                in_fresh_thread(|| {
                    timed(|| contexts::typical().and_then(SafetyContext::apply_to_current_thread))
                })
            }),
        },
        Step {
            label: "typical, extrasafe 0.5.1: build + apply_to_current_thread",
            measure: Box::new(|| {
                in_fresh_thread(|| {
                    timed(|| {
                        contexts::typical_051()
                            .and_then(extrasafe051::SafetyContext::apply_to_current_thread)
                    })
                })
            }),
        },
        Step {
            label: "Landlock only, 10 paths: build + apply",
            measure: Box::new(|| {
                in_fresh_thread(|| {
                    timed(|| {
                        contexts::landlock_ten().and_then(SafetyContext::apply_to_current_thread)
                    })
                })
            }),
        },
        Step {
            label: "typical + Landlock 10 paths: build + apply",
            measure: Box::new(|| {
                in_fresh_thread(|| {
                    timed(|| {
                        contexts::typical_landlock_ten()
                            .and_then(SafetyContext::apply_to_current_thread)
                    })
                })
            }),
        },
    ])
}

/// The `run`/`extrasafe!` steps of item 3. The first is the baseline: a plain spawn + join.
pub(crate) fn run_steps() -> Result<Vec<Step>, String> {
    let compiled = contexts::typical()
        .and_then(|c| c.compile())
        .map_err(|e| e.to_string())?;
    let prebuilt = contexts::typical().map_err(|e| e.to_string())?;
    Ok(vec![
        Step {
            label: "std::thread::spawn + join (baseline)",
            measure: Box::new(|| {
                timed(|| {
                    std::thread::spawn(|| black_box(42))
                        .join()
                        .map_err(|_| "panicked")
                })
            }),
        },
        Step {
            label: "spawn + load a precompiled typical filter + join",
            measure: Box::new(move || {
                let f = compiled.clone();
                timed(|| {
                    std::thread::spawn(move || f.apply_to_current_thread().map(|_| black_box(42)))
                        .join()
                        .map_err(|_| "panicked".to_string())?
                        .map_err(|e| e.to_string())
                })
            }),
        },
        Step {
            label: "typical: ctx.clone().run(..) (context built once)",
            measure: Box::new(move || {
                let ctx = prebuilt.clone();
                timed(|| ctx.run(|| black_box(42)))
            }),
        },
        Step {
            label: "typical: build + run(..)",
            measure: Box::new(|| timed(|| contexts::typical()?.run(|| black_box(42)))),
        },
        Step {
            label: "typical: extrasafe!(ctx, { .. })",
            measure: Box::new(|| {
                timed(|| extrasafe::extrasafe!(contexts::typical(), { black_box(42) }))
            }),
        },
        Step {
            label: "BasicCapabilities only: build + run(..)",
            measure: Box::new(|| {
                timed(|| {
                    SafetyContext::new()
                        .enable(BasicCapabilities)?
                        .run(|| black_box(42))
                })
            }),
        },
    ])
}

/// Per step, one value per round: the median (ns) of `plan.samples` measurements. Within a
/// round the steps take turns sample by sample, in an order rotated every round.
pub(crate) fn measure(steps: &[Step], plan: &Plan) -> Vec<Result<Vec<f64>, String>> {
    let n = steps.len();
    let mut out: Vec<Result<Vec<f64>, String>> = steps.iter().map(|_| Ok(Vec::new())).collect();
    for round in 0..plan.rounds {
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); n];
        for _ in 0..plan.samples {
            for k in 0..n {
                let i = (k + round) % n;
                if out[i].is_err() {
                    continue;
                }
                match (steps[i].measure)() {
                    Ok(d) => samples[i].push(stats::ns(d)),
                    Err(e) => out[i] = Err(format!("{}: {e}", steps[i].label)),
                }
            }
        }
        for (slot, s) in out.iter_mut().zip(&samples) {
            if let Ok(values) = slot {
                values.push(stats::median(s));
            }
        }
    }
    out
}
