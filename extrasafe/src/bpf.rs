//! Classic BPF for seccomp: extrasafe's own code generator, and an interpreter of programs.
//!
//! The generator turns a merged policy (per syscall: allowed, `ENOSYS`, or allowed when one
//! of several alternatives of masked equalities holds) into a program. It needs no syscall
//! and no file: a thread that is already sandboxed can compile and load a narrower context
//! with nothing but `seccomp(2)` and `prctl(2)` allowed, as in 0.5.1.
//!
//! Layout, front to back:
//!
//! 1. the prologue: a foreign architecture kills the process;
//! 2. a binary search over segments of the number line (`jge` nodes only): a run of
//!    consecutive numbers with the same outcome is one segment, and a leaf is a jump to the
//!    shared returns or to a syscall's block, so a syscall costs one comparison per level;
//!    the segment of `read` and `write`, where they are the lowest numbers (x86_64), is one
//!    comparison below the root; the numbers past the last one named are checked in the
//!    rightmost segment: above the highest number extrasafe knows they return `ENOSYS`, and
//!    on x86_64 an x32 number (`0x40000000..0x80000000`) kills the process;
//! 3. the shared returns (allow, `ENOSYS`, the default action);
//! 4. one block per conditional syscall: its alternatives in order, each a chain of
//!    "load one 32-bit half of an argument, mask it, compare", ending in its own returns.
//!
//! Jumps of BPF only go forward, with 8-bit offsets for conditional jumps; the program is
//! built back to front, so every jump's target is placed before the jump is, and a target
//! further than 255 instructions away is reached through an unconditional `ja` (32-bit
//! offset) placed right behind the jump.

/// One classic BPF instruction of a compiled filter, as the kernel's `struct sock_filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BpfInstruction {
    /// The opcode.
    pub code: u16,
    /// Jump offset if the condition is true.
    pub jt: u8,
    /// Jump offset if the condition is false.
    pub jf: u8,
    /// The constant operand.
    pub k: u32,
}

/// A comparison on one argument, as the generator compiles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ArgCmp {
    /// `arg & mask == value`, on the bits the argument has.
    Masked { mask: u64, value: u64 },
    /// A plain comparison of a full 64-bit argument.
    Native { op: NativeOp, value: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum NativeOp {
    Eq,
}

impl ArgCmp {
    /// Whether the comparison holds for `arg` as the kernel reads it.
    #[cfg(test)]
    pub(crate) fn holds(self, arg: u64) -> bool {
        match self {
            ArgCmp::Masked { mask, value } => arg & mask == value,
            ArgCmp::Native { op, value } => match op {
                NativeOp::Eq => arg == value,
            },
        }
    }
}

/// One way for a rule to match: a comparison (or none) per argument, all of which must hold.
pub(crate) type Alternative = [Option<ArgCmp>; 6];

const BPF_LD: u16 = 0x00;
const BPF_ALU: u16 = 0x04;
const BPF_JMP: u16 = 0x05;
const BPF_RET: u16 = 0x06;
const BPF_W: u16 = 0x00;
const BPF_ABS: u16 = 0x20;
const BPF_K: u16 = 0x00;
const BPF_AND: u16 = 0x50;
const BPF_JA: u16 = 0x00;
const BPF_JEQ: u16 = 0x10;
const BPF_JGT: u16 = 0x20;
const BPF_JGE: u16 = 0x30;

pub(crate) const LD_W_ABS: u16 = BPF_LD | BPF_W | BPF_ABS;
pub(crate) const AND_K: u16 = BPF_ALU | BPF_AND | BPF_K;
pub(crate) const JA: u16 = BPF_JMP | BPF_JA;
pub(crate) const JEQ_K: u16 = BPF_JMP | BPF_JEQ | BPF_K;
pub(crate) const JGT_K: u16 = BPF_JMP | BPF_JGT | BPF_K;
pub(crate) const JGE_K: u16 = BPF_JMP | BPF_JGE | BPF_K;
pub(crate) const RET_K: u16 = BPF_RET | BPF_K;

pub(crate) const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
pub(crate) const SECCOMP_RET_TRAP: u32 = 0x0003_0000;
pub(crate) const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
pub(crate) const SECCOMP_RET_LOG: u32 = 0x7ffc_0000;
pub(crate) const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;

/// `struct seccomp_data`: offsets, and its size.
pub(crate) const OFFSET_NR: u32 = 0;
pub(crate) const OFFSET_ARCH: u32 = 4;
pub(crate) const OFFSET_ARGS: u32 = 16;

/// The kernel's limit on the length of one BPF program (`BPF_MAXINSNS`).
pub(crate) const BPF_MAXINSNS: usize = 4096;

const fn insn(code: u16, jt: u8, jf: u8, k: u32) -> BpfInstruction {
    BpfInstruction { code, jt, jf, k }
}

/// What the program does with one syscall the policy names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// Allowed with any arguments.
    Allow,
    /// Answered with `ENOSYS` (clone3).
    Enosys,
    /// Allowed when one of the alternatives holds (each is an AND of its comparisons);
    /// otherwise the default action. Never empty, and no alternative is empty.
    AllowIf(Vec<Alternative>),
}

/// The constants of the prologue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    /// The native `AUDIT_ARCH_*` value.
    pub(crate) arch: u32,
    /// The highest syscall number in extrasafe's table.
    pub(crate) max_nr: u32,
    /// Whether x32 numbers (bit 30) exist and must kill the process (x86_64).
    pub(crate) x32: bool,
}

/// A place in the program being built back to front: the index of an instruction in the
/// reversed program.
type Label = usize;

/// A program built back to front.
struct Rev {
    insns: Vec<BpfInstruction>,
}

impl Rev {
    /// The offset from the next instruction pushed to `target`.
    fn dist(&self, target: Label) -> usize {
        self.insns.len() - target - 1
    }

    fn push(&mut self, i: BpfInstruction) -> Label {
        self.insns.push(i);
        self.insns.len() - 1
    }

    fn ret(&mut self, k: u32) -> Label {
        self.push(insn(RET_K, 0, 0, k))
    }

    fn ja(&mut self, target: Label) -> Label {
        let off = u32::try_from(self.dist(target)).unwrap_or(u32::MAX);
        self.push(insn(JA, 0, 0, off))
    }

    /// A conditional jump to `jt` (condition true) or `jf`, through `ja` trampolines where a
    /// target is out of the 8-bit range.
    fn jump(&mut self, code: u16, k: u32, mut jt: Label, mut jf: Label) -> Label {
        loop {
            match (u8::try_from(self.dist(jt)), u8::try_from(self.dist(jf))) {
                (Ok(t), Ok(f)) => return self.push(insn(code, t, f, k)),
                (t, f) => {
                    if t.is_err() {
                        jt = self.ja(jt);
                    }
                    if f.is_err() && u8::try_from(self.dist(jf)).is_err() {
                        jf = self.ja(jf);
                    }
                }
            }
        }
    }

    fn finish(mut self) -> Vec<BpfInstruction> {
        self.insns.reverse();
        self.insns
    }
}

/// One comparison of a 32-bit half of an argument: `(word & mask) == value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WordCheck {
    offset: u32,
    mask: u32,
    value: u32,
}

/// Offsets of the low and high 32 bits of argument `idx` in `struct seccomp_data`.
fn arg_offsets(idx: usize) -> (u32, u32) {
    let base = OFFSET_ARGS + 8 * u32::try_from(idx).expect("argument index is at most 5");
    if cfg!(target_endian = "little") {
        (base, base + 4)
    } else {
        (base + 4, base)
    }
}

/// The word checks of one alternative, in order (low half before high half).
fn word_checks(alt: &Alternative) -> Vec<WordCheck> {
    let mut out = Vec::new();
    for (idx, cmp) in alt.iter().enumerate() {
        let Some(cmp) = cmp else { continue };
        let (mask, value) = match *cmp {
            ArgCmp::Masked { mask, value } => (mask, value),
            ArgCmp::Native { value, .. } => (u64::MAX, value),
        };
        let (lo, hi) = arg_offsets(idx);
        for (offset, shift) in [(lo, 0), (hi, 32)] {
            // Truncation is the point: one 32-bit half at a time.
            #[allow(clippy::cast_possible_truncation)]
            let (m, v) = ((mask >> shift) as u32, (value >> shift) as u32);
            if m != 0 {
                out.push(WordCheck {
                    offset,
                    mask: m,
                    value: v & m,
                });
            }
        }
    }
    out
}

/// Emits one conditional syscall's block; returns its first instruction.
fn emit_block(rev: &mut Rev, alternatives: &[Alternative], default_ret: u32) -> Label {
    let deny = rev.ret(default_ret);
    let allow = rev.ret(SECCOMP_RET_ALLOW);
    // Where a failing check goes: the start of the next alternative, or the denial. A check
    // that fails leaves `word & mask` in the accumulator (`jeq` does not change it); when the
    // next alternative begins with a check of that same word under that same mask, the
    // failing check jumps straight to that check's comparison, past its load (and mask).
    let mut next = deny;
    let mut next_first: Option<(u32, u32, Label)> = None;
    for alt in alternatives.iter().rev() {
        let checks = word_checks(alt);
        debug_assert!(!checks.is_empty(), "an empty alternative is an Allow");
        let mut on_pass = allow;
        let mut first_cmp = None;
        for check in checks.iter().rev() {
            let on_fail = match next_first {
                Some((offset, mask, cmp)) if offset == check.offset && mask == check.mask => cmp,
                _ => next,
            };
            let cmp = rev.jump(JEQ_K, check.value, on_pass, on_fail);
            first_cmp = Some(cmp);
            if check.mask != u32::MAX {
                rev.push(insn(AND_K, 0, 0, check.mask));
            }
            on_pass = rev.push(insn(LD_W_ABS, 0, 0, check.offset));
        }
        next = on_pass;
        next_first = checks
            .first()
            .zip(first_cmp)
            .map(|(c, cmp)| (c.offset, c.mask, cmp));
    }
    next
}

/// The syscalls worth reaching in the fewest instructions, where they are the lowest numbers
/// a policy names (as on x86_64, where `read` is 0 and `write` 1): a program spends most of
/// its syscalls on them.
const HOT: [&str; 2] = ["read", "write"];

/// The number line cut into segments, each going to one label: from `start` up to the next
/// segment's start.
type Segment = (u32, Label);

/// The segments of `entries` (sorted by number): a run of consecutive numbers with the same
/// label is one segment, a gap between entries goes to `default`, and every number above the
/// last entry to `past_end`.
fn segments(entries: &[(u32, Label)], default: Label, past_end: Label) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut next = 0u32;
    for &(nr, label) in entries {
        if nr > next || out.is_empty() && nr > 0 {
            out.push((next, default));
        }
        match out.last() {
            Some(&(_, last)) if last == label && nr == next && !out.is_empty() => {}
            _ => out.push((nr, label)),
        }
        next = nr + 1;
    }
    out.push((next, past_end));
    // Neighbours with the same label (a gap between two runs of the default) are one.
    out.dedup_by(|b, a| a.1 == b.1);
    out
}

/// The binary search over `segments` (sorted by start, never empty): `jge` nodes only; a
/// leaf is its segment's label, so a syscall costs one comparison per level and nothing
/// more. Returns its first instruction.
fn emit_tree(rev: &mut Rev, segments: &[Segment]) -> Label {
    debug_assert!(!segments.is_empty(), "a search over no segment");
    if let [(_, label)] = segments {
        return *label;
    }
    let mid = segments.len() / 2;
    let right = emit_tree(rev, &segments[mid..]);
    let left = emit_tree(rev, &segments[..mid]);
    rev.jump(JGE_K, segments[mid].0, right, left)
}

/// Generates the program for `syscalls` (sorted by number, each at most once).
pub(crate) fn generate(
    syscalls: &[(u32, Block)],
    default_ret: u32,
    target: Target,
) -> Vec<BpfInstruction> {
    let enosys = SECCOMP_RET_ERRNO | libc::ENOSYS.unsigned_abs();
    let mut rev = Rev { insns: Vec::new() };
    let mut labels: Vec<(u32, Option<Label>)> = Vec::with_capacity(syscalls.len());
    // The blocks, last first, so that the first block is nearest to the search.
    let mut blocks: Vec<(u32, Label)> = Vec::new();
    for (nr, block) in syscalls.iter().rev() {
        if let Block::AllowIf(alts) = block {
            blocks.push((*nr, emit_block(&mut rev, alts, default_ret)));
        }
    }
    let default = rev.ret(default_ret);
    let deny_enosys = rev.ret(enosys);
    let allow = rev.ret(SECCOMP_RET_ALLOW);
    for (nr, block) in syscalls {
        let label = match block {
            Block::Allow => Some(allow),
            Block::Enosys => Some(deny_enosys),
            Block::AllowIf(_) => None,
        };
        labels.push((*nr, label));
    }
    let entries: Vec<(u32, Label)> = labels
        .into_iter()
        .map(|(nr, label)| {
            let label = label.unwrap_or_else(|| {
                blocks
                    .iter()
                    .find(|(n, _)| *n == nr)
                    .map(|(_, l)| *l)
                    .expect("every conditional syscall has a block")
            });
            (nr, label)
        })
        .collect();
    // A number above the last one the policy names: above the table it is `ENOSYS` (on
    // x86_64 an x32 number kills), else the default action. Checked there, in the rightmost
    // leaf of the search, and not in front of it: no other syscall pays for it.
    let past_end = if target.x32 {
        let x32 = rev.ret(SECCOMP_RET_KILL_PROCESS);
        let below_bit31 = rev.jump(JGE_K, 0x4000_0000, x32, deny_enosys);
        let above = rev.jump(JGE_K, 0x8000_0000, deny_enosys, below_bit31);
        rev.jump(JGT_K, target.max_nr, above, default)
    } else {
        rev.jump(JGT_K, target.max_nr, deny_enosys, default)
    };
    let hot_nrs: Vec<u32> = HOT
        .iter()
        .filter_map(|name| crate::syscalls::Sysno::from_name(name))
        .filter_map(|s| u32::try_from(s.id()).ok())
        .collect();
    let segments = segments(&entries, default, past_end);
    // The segments of the hot syscalls, where they are the first one or two (x86_64): in a
    // subtree of their own, one comparison below the root.
    let highest_hot = hot_nrs.iter().copied().max().unwrap_or(0);
    let hot = segments
        .iter()
        .take_while(|&&(start, _)| start <= highest_hot)
        .count();
    let tree = if !hot_nrs.is_empty() && (1..=2).contains(&hot) && segments.len() > hot + 1 {
        let rest = emit_tree(&mut rev, &segments[hot..]);
        let first = emit_tree(&mut rev, &segments[..hot]);
        rev.jump(JGE_K, segments[hot].0, rest, first)
    } else {
        emit_tree(&mut rev, &segments)
    };

    // The prologue (see the module docs); the number it loads stays in the accumulator for
    // the search, which comes right after it.
    if rev.insns.len().checked_sub(1) != Some(tree) {
        // The search is a single segment (a label placed earlier): jump to it.
        rev.ja(tree);
    }
    let load_nr = rev.push(insn(LD_W_ABS, 0, 0, OFFSET_NR));
    let foreign = rev.ret(SECCOMP_RET_KILL_PROCESS);
    rev.jump(JEQ_K, target.arch, load_nr, foreign);
    rev.push(insn(LD_W_ABS, 0, 0, OFFSET_ARCH));
    rev.finish()
}
