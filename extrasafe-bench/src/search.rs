//! Item 5a: a ripgrep-style search (ripgrep's own `ignore` walker and `grep` searcher) over a
//! generated tree of files, unsandboxed, under seccomp, and under seccomp + Landlock.
//!
//! Each round makes one thread per configuration, all pinned to one CPU; each applies its
//! context, then they take turns searching the whole tree (the order rotated every round).
//! Each hands back its median time and the number of matching lines, which must be the same
//! everywhere.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use grep::regex::RegexMatcher;
use grep::searcher::sinks::UTF8;
use grep::searcher::Searcher;

use crate::contexts;
use crate::stats;
use crate::sys;
use crate::turns::{self, Turns};
use crate::Plan;

/// The pattern searched for; the generator plants it in about one line in 40.
const PATTERN: &str = r"needle_[0-9]{3}";

/// A configuration of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Config {
    /// No sandbox.
    None,
    /// [`contexts::search`] without Landlock.
    Seccomp,
    /// [`contexts::search`] with Landlock read-only beneath the tree.
    SeccompLandlock,
}

impl Config {
    /// All of them, in table order.
    pub(crate) const ALL: [Config; 3] = [Config::None, Config::Seccomp, Config::SeccompLandlock];

    /// The name in the table.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Config::None => "no sandbox",
            Config::Seccomp => "seccomp (read-only context)",
            Config::SeccompLandlock => "seccomp + Landlock (tree read-only)",
        }
    }
}

/// A small deterministic generator (xorshift64*), so every run searches the same tree.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

const WORDS: [&str; 16] = [
    "sandbox", "filter", "syscall", "thread", "landlock", "seccomp", "kernel", "policy", "context",
    "ruleset", "allow", "deny", "path", "socket", "bench", "median",
];

/// Makes (or reuses) a tree of `files` files under `root`: directories of 50 files, 20 per
/// parent, each file 20–60 lines of words. Returns the tree's root.
pub(crate) fn ensure_tree(root: &Path, files: usize) -> std::io::Result<PathBuf> {
    let tree = root.join(format!("tree-{files}"));
    let done = tree.join(".complete");
    if done.exists() {
        return Ok(tree);
    }
    if tree.exists() {
        fs::remove_dir_all(&tree)?;
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut line = String::new();
    for n in 0..files {
        let dir = tree
            .join(format!("d{:02}", n / 1000))
            .join(format!("s{:02}", (n / 50) % 20));
        if n % 50 == 0 {
            fs::create_dir_all(&dir)?;
        }
        let mut out = std::io::BufWriter::new(fs::File::create(dir.join(format!("f{n:05}.txt")))?);
        for _ in 0..20 + rng.next() % 41 {
            line.clear();
            for w in 0..8 {
                if w > 0 {
                    line.push(' ');
                }
                line.push_str(WORDS[(rng.next() % 16) as usize]);
            }
            if rng.next() % 40 == 0 {
                line.push_str(&format!(" needle_{:03}", rng.next() % 1000));
            }
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    fs::write(done, b"")?;
    Ok(tree)
}

/// Searches every file beneath `tree` for [`PATTERN`], as ripgrep would with
/// `--no-ignore-parent --no-ignore-global`; returns the number of matching lines and of
/// errors (files that could not be opened or read).
pub(crate) fn search(tree: &Path) -> Result<(u64, u64), String> {
    let matcher = RegexMatcher::new(PATTERN).map_err(|e| e.to_string())?;
    let mut searcher = Searcher::new();
    let mut matches = 0u64;
    let mut errors = 0u64;
    let walk = ignore::WalkBuilder::new(tree)
        .parents(false)
        .git_global(false)
        .build();
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(_) => {
                errors += 1;
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let sink = UTF8(|_, _| {
            matches += 1;
            Ok(true)
        });
        if searcher.search_path(&matcher, entry.path(), sink).is_err() {
            errors += 1;
        }
    }
    Ok((matches, errors))
}

/// Thread `who` of a round: pins itself, applies `config`'s context, then runs one full
/// search per turn; returns the median time (ns) and the match count.
fn participant(
    config: Config,
    tree: &Path,
    plan: &Plan,
    turns: &Turns,
    who: usize,
) -> Result<(f64, u64), String> {
    let ready = sys::pin_to_cpu(turns::measuring_cpu())
        .map_err(|e| format!("pin to a CPU: {e}"))
        .and_then(|()| {
            let ctx = match config {
                Config::None => return Ok(()),
                Config::Seccomp => contexts::search(None),
                Config::SeccompLandlock => contexts::search(Some(tree)),
            };
            ctx.and_then(extrasafe::SafetyContext::apply_to_current_thread)
                .map(drop)
                .map_err(|e| format!("{}: {e}", config.label()))
        });
    let mut times = Vec::new();
    let mut count = Ok(0);
    for turn in 0..plan.samples {
        turns.wait(who, turn);
        if ready.is_ok() && count.is_ok() {
            let start = Instant::now();
            let found = search(tree);
            times.push(stats::ns(start.elapsed()));
            count = match found {
                Ok((_, errors)) if errors > 0 => Err(format!(
                    "{}: {errors} files or directories could not be read",
                    config.label()
                )),
                Ok((matches, _)) => Ok(matches),
                Err(e) => Err(e),
            };
        }
        turns.pass();
    }
    ready?;
    Ok((stats::median(&times), count?))
}

/// The results: per configuration, one median (ns) per round, and the match count.
pub(crate) struct SearchResult {
    /// The number of files searched.
    pub(crate) files: usize,
    /// The number of matching lines (the same in every configuration).
    pub(crate) matches: u64,
    /// Per configuration, in [`Config::ALL`] order, one value per round.
    pub(crate) rounds: Vec<Vec<f64>>,
}

/// Generates the tree if needed, warms the page cache, and measures.
pub(crate) fn run(plan: &Plan, dir: &Path) -> Result<SearchResult, String> {
    let tree = ensure_tree(dir, plan.files).map_err(|e| format!("generate the tree: {e}"))?;
    let (matches, _) = search(&tree)?; // warm the page cache and the dentry cache
    let n = Config::ALL.len();
    let mut rounds = vec![Vec::new(); n];
    for round in 0..plan.rounds {
        let turns = Turns::new(n);
        let results: Vec<Result<(f64, u64), String>> = std::thread::scope(|s| {
            let handles: Vec<_> = Config::ALL
                .iter()
                .enumerate()
                .map(|(i, &config)| {
                    let (tree, turns) = (&tree, &turns);
                    s.spawn(move || participant(config, tree, plan, turns, (i + round) % n))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("the search thread panicked".into()))
                })
                .collect()
        });
        for (i, result) in results.into_iter().enumerate() {
            let (t, count) = result?;
            if count != matches {
                return Err(format!(
                    "{} found {count} matching lines, the unsandboxed warm-up {matches}",
                    Config::ALL[i].label()
                ));
            }
            rounds[i].push(t);
        }
    }
    Ok(SearchResult {
        files: plan.files,
        matches,
        rounds,
    })
}
