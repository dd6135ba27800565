//! Medians, ranges and the formatting of numbers.

use std::time::Duration;

/// The median of `values` (the mean of the two middle ones for an even count); 0 if empty.
pub(crate) fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The `p`-th percentile (0..=100) of `values` by nearest rank; 0 if empty.
pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0);
    v[(rank as usize - 1).min(v.len() - 1)]
}

/// The smallest and largest of `values`.
pub(crate) fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// A summary of one quantity measured once per round: its median and its range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Summary {
    /// The median over the rounds.
    pub(crate) median: f64,
    /// The smallest value of a round.
    pub(crate) min: f64,
    /// The largest value of a round.
    pub(crate) max: f64,
    /// The 95% bootstrap confidence interval of the median: its lower end.
    pub(crate) ci_lo: f64,
    /// Its upper end.
    pub(crate) ci_hi: f64,
}

impl Summary {
    /// Summarises one value per round.
    pub(crate) fn of(values: &[f64]) -> Summary {
        let (min, max) = min_max(values);
        let (ci_lo, ci_hi) = bootstrap_median_ci(values);
        Summary {
            median: median(values),
            min,
            max,
            ci_lo,
            ci_hi,
        }
    }
}

/// How many times the rounds are resampled for a confidence interval.
const RESAMPLES: usize = 4000;

/// The 95% confidence interval of the median of `values`, by the percentile bootstrap:
/// the rounds are resampled with replacement [`RESAMPLES`] times, and the 2.5th and 97.5th
/// percentiles of the resampled medians are the interval. Deterministic (a fixed seed), so
/// the same rounds give the same interval.
pub(crate) fn bootstrap_median_ci(values: &[f64]) -> (f64, f64) {
    if values.len() < 2 {
        let m = median(values);
        return (m, m);
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let n = values.len();
    let mut sample = vec![0.0; n];
    let mut medians = Vec::with_capacity(RESAMPLES);
    for _ in 0..RESAMPLES {
        for x in &mut sample {
            *x = values[usize::try_from(next() % n as u64).unwrap_or(0)];
        }
        medians.push(median(&sample));
    }
    (percentile(&medians, 2.5), percentile(&medians, 97.5))
}

/// A ratio as a percentage change: `+3.1%`.
pub(crate) fn fmt_pct1(r: f64) -> String {
    let v = (r - 1.0) * 100.0;
    if v >= 0.0 {
        format!("+{v:.1}%")
    } else {
        format!("−{:.1}%", -v)
    }
}

/// A ratio: `1.23×`.
pub(crate) fn fmt_x(r: f64) -> String {
    format!("{r:.2}×")
}

/// `a[i] / b[i]` for each round.
pub(crate) fn ratios(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x / y).collect()
}

/// `a[i] - b[i]` for each round.
pub(crate) fn diffs(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// Nanoseconds in `d`, as a float.
pub(crate) fn ns(d: Duration) -> f64 {
    d.as_secs_f64() * 1e9
}

/// A duration given in nanoseconds, in the unit that reads best (ns, µs, ms, s).
pub(crate) fn fmt_ns(x: f64) -> String {
    let a = x.abs();
    if a < 1_000.0 {
        format!("{x:.0} ns")
    } else if a < 1_000_000.0 {
        format!("{:.1} µs", x / 1e3)
    } else if a < 1_000_000_000.0 {
        format!("{:.2} ms", x / 1e6)
    } else {
        format!("{:.2} s", x / 1e9)
    }
}

/// A signed nanosecond difference: `+12 ns`.
pub(crate) fn fmt_delta_ns(x: f64) -> String {
    if x >= 0.0 {
        format!("+{}", fmt_ns(x))
    } else {
        format!("−{}", fmt_ns(-x))
    }
}

/// A ratio with its range over the rounds: `1.23× (1.10–1.40)`.
pub(crate) fn fmt_ratio(s: Summary) -> String {
    format!("{:.2}× ({:.2}–{:.2})", s.median, s.min, s.max)
}

/// A ratio as a percentage change with its range: `+3.1% (−0.5…+6.0)`.
pub(crate) fn fmt_pct(s: Summary) -> String {
    format!(
        "{} ({} … {})",
        fmt_pct1(s.median),
        fmt_pct1(s.min),
        fmt_pct1(s.max)
    )
}

/// A nanosecond difference with its range: `+46 ns (+40 … +52 ns)`.
pub(crate) fn fmt_delta_range(s: Summary) -> String {
    format!(
        "{} ({} … {})",
        fmt_delta_ns(s.median),
        fmt_delta_ns(s.min),
        fmt_delta_ns(s.max)
    )
}
