//! Item 1: what one syscall costs under each filter.
//!
//! Each round makes one thread per configuration: the thread loads its filter (filters are
//! per thread and cannot be removed) and checks that the call still succeeds. The threads,
//! all pinned to one CPU, then take turns running one batch of calls each (the order rotated
//! every round), so that drift on the machine hits every configuration alike; each hands back
//! its median time per call.

use std::ffi::CStr;
use std::fs::File;
use std::hint::black_box;
use std::os::fd::AsRawFd;
use std::time::Instant;

use crate::contexts;
use crate::stats::{self, Summary};
use crate::sys;
use crate::turns::{self, Turns};
use crate::Plan;

/// A syscall measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    /// `getppid` through `syscall(2)`.
    Getppid,
    /// A one-byte `read` from `/dev/zero`.
    ReadZero,
    /// `openat("/dev/zero", O_RDONLY)` then `close`.
    OpenClose,
    /// A one-byte `getrandom`: number 318, near the end of 0.5.1's chain, which tests the
    /// numbers one after the other (getppid, 110, is in its middle; read, 0, first).
    Getrandom,
}

impl Call {
    /// All of them, in table order.
    pub(crate) const ALL: [Call; 4] = [
        Call::Getppid,
        Call::ReadZero,
        Call::OpenClose,
        Call::Getrandom,
    ];

    /// The name in the table.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Call::Getppid => "getppid (raw syscall)",
            Call::ReadZero => "read 1 byte from /dev/zero",
            Call::OpenClose => "openat + close (/dev/zero)",
            Call::Getrandom => "getrandom 1 byte (late in 0.5.1's chain)",
        }
    }
}

/// A filter configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Config {
    /// No filter at all.
    None,
    /// `[ret ALLOW]`: the floor any filter costs.
    Empty,
    /// [`contexts::typical`], the measured syscall allowed unconditionally.
    Typical,
    /// The same policy through extrasafe 0.5.1.
    Typical051,
    /// [`contexts::conditional`], argument conditions on the measured syscall.
    Conditional,
    /// The same conditional policy through extrasafe 0.5.1.
    Conditional051,
}

impl Config {
    /// All of them, in table order.
    pub(crate) const ALL: [Config; 6] = [
        Config::None,
        Config::Empty,
        Config::Typical,
        Config::Typical051,
        Config::Conditional,
        Config::Conditional051,
    ];

    /// The name in the table.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Config::None => "no filter",
            Config::Empty => "empty allow-all filter (floor)",
            Config::Typical => "typical context",
            Config::Typical051 => "typical context, extrasafe 0.5.1",
            Config::Conditional => "conditions on the call",
            Config::Conditional051 => "conditions on the call, extrasafe 0.5.1",
        }
    }
}

const DEV_ZERO: &CStr = c"/dev/zero";

/// Loads `config`'s filter on the calling thread.
fn apply(config: Config, zero: &File) -> Result<(), String> {
    let e = |what: &str, err: &dyn std::fmt::Display| format!("{what}: {err}");
    match config {
        Config::None => Ok(()),
        Config::Empty => sys::load_allow_all_filter().map_err(|x| e("empty filter", &x)),
        Config::Typical => contexts::typical()
            .and_then(extrasafe::SafetyContext::apply_to_current_thread)
            .map(drop)
            .map_err(|x| e("typical", &x)),
        Config::Typical051 => contexts::typical_051()
            .and_then(extrasafe051::SafetyContext::apply_to_current_thread)
            .map_err(|x| e("typical (0.5.1)", &x)),
        Config::Conditional => contexts::conditional(zero)
            .and_then(extrasafe::SafetyContext::apply_to_current_thread)
            .map(drop)
            .map_err(|x| e("conditional", &x)),
        Config::Conditional051 => contexts::conditional_051(zero)
            .and_then(extrasafe051::SafetyContext::apply_to_current_thread)
            .map_err(|x| e("conditional (0.5.1)", &x)),
    }
}

/// Runs `call` once; whether it succeeded.
#[inline(always)]
fn once(call: Call, fd: i32) -> bool {
    match call {
        Call::Getppid => black_box(sys::getppid_raw()) > 0,
        Call::ReadZero => black_box(sys::read_one(black_box(fd))) == 1,
        Call::OpenClose => sys::open_close(black_box(DEV_ZERO)),
        Call::Getrandom => black_box(sys::getrandom_one()) == 1,
    }
}

/// Calls made untimed at the start of each turn, so the timed ones do not pay for the
/// switch from the previous thread (cold caches).
const WARM_UP: usize = 200;

/// In thread `who` of a round: pins itself, loads the filter, checks that the call still
/// succeeds, then times one batch per turn; returns the median ns per call. A thread whose
/// filter fails still takes (empty) turns, so the others are not held up.
fn participant(
    config: Config,
    call: Call,
    zero: &File,
    plan: &Plan,
    turns: &Turns,
    who: usize,
) -> Result<f64, String> {
    let fd = zero.as_raw_fd();
    let ready = sys::pin_to_cpu(turns::measuring_cpu())
        .map_err(|e| format!("pin to a CPU: {e}"))
        .and_then(|()| apply(config, zero))
        .and_then(|()| {
            if once(call, fd) {
                Ok(())
            } else {
                Err(format!(
                    "{} fails under {}: {}",
                    call.label(),
                    config.label(),
                    std::io::Error::last_os_error()
                ))
            }
        });
    let mut per_call = Vec::with_capacity(plan.batches);
    for turn in 0..plan.batches {
        turns.wait(who, turn);
        if ready.is_ok() {
            for _ in 0..WARM_UP {
                once(call, fd);
            }
            let start = Instant::now();
            for _ in 0..plan.per_batch {
                once(call, fd);
            }
            per_call.push(stats::ns(start.elapsed()) / plan.per_batch as f64);
        }
        turns.pass();
    }
    ready.map(|()| stats::median(&per_call))
}

/// The results for one syscall: per configuration, the per-round medians (ns per call).
pub(crate) struct CallResult {
    /// The syscall.
    pub(crate) call: Call,
    /// Per configuration (in [`Config::ALL`] order), one value per round, or why the
    /// configuration could not be measured.
    pub(crate) rounds: Vec<Result<Vec<f64>, String>>,
}

/// Measures every configuration for every call: per round, one thread per configuration,
/// all pinned to one CPU, taking turns batch by batch (the order rotated every round).
pub(crate) fn run(plan: &Plan) -> Result<Vec<CallResult>, String> {
    let zero = File::open("/dev/zero").map_err(|e| format!("open /dev/zero: {e}"))?;
    let n = Config::ALL.len();
    let mut out = Vec::new();
    for call in Call::ALL {
        let mut rounds: Vec<Result<Vec<f64>, String>> =
            Config::ALL.iter().map(|_| Ok(Vec::new())).collect();
        for round in 0..plan.rounds {
            let turns = Turns::new(n);
            let results: Vec<Result<f64, String>> = std::thread::scope(|s| {
                let handles: Vec<_> = Config::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, &config)| {
                        let (zero, turns) = (&zero, &turns);
                        s.spawn(move || {
                            let conditional =
                                matches!(config, Config::Conditional | Config::Conditional051);
                            let unconditioned = matches!(call, Call::Getppid | Call::Getrandom);
                            if conditional && unconditioned {
                                // Still take the turns, so the others are not held up.
                                for turn in 0..plan.batches {
                                    turns.wait((i + round) % n, turn);
                                    turns.pass();
                                }
                                return Err(if call == Call::Getppid {
                                    "n/a: getppid takes no arguments, so there is nothing to \
                                     condition (extrasafe refuses a condition on it)"
                                } else {
                                    "n/a: getrandom is one of the BasicCapabilities, allowed \
                                     without conditions in every context"
                                }
                                .to_string());
                            }
                            participant(config, call, zero, plan, turns, (i + round) % n)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err("the measuring thread panicked".into()))
                    })
                    .collect()
            });
            for (slot, result) in rounds.iter_mut().zip(results) {
                match (slot.as_mut(), result) {
                    (Ok(values), Ok(v)) => values.push(v),
                    (Ok(_), Err(e)) => *slot = Err(e),
                    (Err(_), _) => {}
                }
            }
        }
        eprintln!("  measured {}", call.label());
        out.push(CallResult { call, rounds });
    }
    Ok(out)
}

/// The extra cost over no filter, per round, for configuration `i`.
pub(crate) fn extra(result: &CallResult, i: usize) -> Option<Summary> {
    let base = result.rounds[0].as_ref().ok()?;
    let this = result.rounds[i].as_ref().ok()?;
    Some(Summary::of(&stats::diffs(this, base)))
}

/// `a - b` per round, for configurations `a` and `b`.
pub(crate) fn between(result: &CallResult, a: Config, b: Config) -> Option<Summary> {
    let idx = |c| Config::ALL.iter().position(|&x| x == c);
    let a = result.rounds[idx(a)?].as_ref().ok()?;
    let b = result.rounds[idx(b)?].as_ref().ok()?;
    Some(Summary::of(&stats::diffs(a, b)))
}

/// `extra(a) / extra(b)` per round: how much of `b`'s extra cost `a` has.
pub(crate) fn extra_ratio(result: &CallResult, a: Config, b: Config) -> Option<Summary> {
    let idx = |c| Config::ALL.iter().position(|&x| x == c);
    let base = result.rounds[0].as_ref().ok()?;
    let a = result.rounds[idx(a)?].as_ref().ok()?;
    let b = result.rounds[idx(b)?].as_ref().ok()?;
    let ea = stats::diffs(a, base);
    let eb = stats::diffs(b, base);
    Some(Summary::of(&stats::ratios(&ea, &eb)))
}
