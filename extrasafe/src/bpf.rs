//! Classic BPF for seccomp: extrasafe's own code generator, and an interpreter of programs.
//!
//! The generator turns a merged policy (per syscall: allowed, `ENOSYS`, or allowed when one
//! of several alternatives of masked equalities holds) into a program. It needs no syscall
//! and no file: a thread that is already sandboxed can compile and load a narrower context
//! with nothing but `seccomp(2)` and `prctl(2)` allowed, as in 0.5.1.
//!
//! Layout, front to back:
//!
//! 1. the prologue: a foreign architecture kills the process; on x86_64 an x32 number
//!    (`0x40000000..0x80000000`) kills the process; any other number above the highest one
//!    extrasafe knows returns `ENOSYS`;
//! 2. a binary search over the syscall numbers the policy names (`jge` nodes, with short
//!    `jeq` chains as leaves), whose leaves jump to the shared returns or to a syscall's
//!    block;
//! 3. the shared returns (allow, `ENOSYS`, the default action);
//! 4. one block per conditional syscall: its alternatives in order, each a chain of
//!    "load one 32-bit half of an argument, mask it, compare", ending in its own returns.
//!
//! Jumps of BPF only go forward, with 8-bit offsets for conditional jumps; the program is
//! built back to front, so every jump's target is placed before the jump is, and a target
//! further than 255 instructions away is reached through an unconditional `ja` (32-bit
//! offset) placed right behind the jump.

use crate::filter::{Alternative, ArgCmp, BpfInstruction};

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
#[cfg(test)]
pub(crate) const SECCOMP_DATA_SIZE: u32 = 64;

/// The kernel's limit on the length of one BPF program (`BPF_MAXINSNS`).
pub(crate) const BPF_MAXINSNS: usize = 4096;

/// The most syscalls a leaf of the binary search compares one after the other.
const LEAF: usize = 3;

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
    // Where a failing check goes: the start of the next alternative, or the denial. When the
    // next alternative begins by loading a word with a full mask and every check of this one
    // is on that same word with a full mask, a failing check can skip the load (the
    // accumulator already holds that word).
    let mut next = deny;
    let mut next_after_load: Option<(u32, Label)> = None;
    for alt in alternatives.iter().rev() {
        let checks = word_checks(alt);
        debug_assert!(!checks.is_empty(), "an empty alternative is an Allow");
        let on_fail = match next_after_load {
            Some((offset, label))
                if checks
                    .iter()
                    .all(|c| c.offset == offset && c.mask == u32::MAX) =>
            {
                label
            }
            _ => next,
        };
        let mut on_pass = allow;
        let mut first_after_load = None;
        for check in checks.iter().rev() {
            let cmp = rev.jump(JEQ_K, check.value, on_pass, on_fail);
            first_after_load = Some(cmp);
            if check.mask != u32::MAX {
                first_after_load = Some(rev.push(insn(AND_K, 0, 0, check.mask)));
            }
            on_pass = rev.push(insn(LD_W_ABS, 0, 0, check.offset));
        }
        next = on_pass;
        next_after_load = match (checks.first(), first_after_load) {
            (Some(c), Some(label)) if c.mask == u32::MAX => Some((c.offset, label)),
            _ => None,
        };
    }
    next
}

/// The binary search over `entries` (sorted by number); returns its first instruction.
fn emit_tree(rev: &mut Rev, entries: &[(u32, Label)], default: Label) -> Label {
    if entries.len() <= LEAF {
        let mut next = default;
        for &(nr, target) in entries.iter().rev() {
            next = rev.jump(JEQ_K, nr, target, next);
        }
        return next;
    }
    let mid = entries.len() / 2;
    let right = emit_tree(rev, &entries[mid..], default);
    let left = emit_tree(rev, &entries[..mid], default);
    rev.jump(JGE_K, entries[mid].0, right, left)
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
    let tree = emit_tree(&mut rev, &entries, default);

    // The prologue (see the module docs); the number stays in the accumulator for the tree.
    if target.x32 {
        let too_new = rev.ret(enosys);
        let x32 = rev.ret(SECCOMP_RET_KILL_PROCESS);
        let below_bit31 = rev.jump(JGE_K, 0x4000_0000, x32, too_new);
        let above = rev.jump(JGE_K, 0x8000_0000, too_new, below_bit31);
        rev.jump(JGT_K, target.max_nr, above, tree);
    } else {
        let too_new = rev.ret(enosys);
        rev.jump(JGT_K, target.max_nr, too_new, tree);
    }
    let load_nr = rev.push(insn(LD_W_ABS, 0, 0, OFFSET_NR));
    let foreign = rev.ret(SECCOMP_RET_KILL_PROCESS);
    rev.jump(JEQ_K, target.arch, load_nr, foreign);
    rev.push(insn(LD_W_ABS, 0, 0, OFFSET_ARCH));
    rev.finish()
}

/// An interpreter of seccomp programs, the way the kernel runs them.
#[cfg(test)]
pub(crate) mod eval {
    use super::{
        BpfInstruction, BPF_ABS, BPF_ALU, BPF_AND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_K,
        BPF_LD, BPF_MAXINSNS, BPF_RET, BPF_W, JA, SECCOMP_DATA_SIZE,
    };

    const BPF_LDX: u16 = 0x01;
    const BPF_ST: u16 = 0x02;
    const BPF_STX: u16 = 0x03;
    const BPF_MISC: u16 = 0x07;
    const BPF_IMM: u16 = 0x00;
    const BPF_MEM: u16 = 0x60;
    const BPF_LEN: u16 = 0x80;
    const BPF_X: u16 = 0x08;
    const BPF_A: u16 = 0x10;
    const BPF_ADD: u16 = 0x00;
    const BPF_SUB: u16 = 0x10;
    const BPF_MUL: u16 = 0x20;
    const BPF_DIV: u16 = 0x30;
    const BPF_OR: u16 = 0x40;
    const BPF_LSH: u16 = 0x60;
    const BPF_RSH: u16 = 0x70;
    const BPF_NEG: u16 = 0x80;
    const BPF_MOD: u16 = 0x90;
    const BPF_XOR: u16 = 0xa0;
    const BPF_JSET: u16 = 0x40;
    const BPF_TAX: u16 = 0x00;
    const BPF_TXA: u16 = 0x80;

    /// The input of a seccomp program: `struct seccomp_data`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) struct SeccompData {
        pub(crate) nr: i32,
        pub(crate) arch: u32,
        pub(crate) instruction_pointer: u64,
        pub(crate) args: [u64; 6],
    }

    impl SeccompData {
        /// The 32-bit word at byte `offset` (a multiple of 4 below 64), as the kernel reads it.
        fn word(&self, offset: u32) -> Option<u32> {
            if offset % 4 != 0 || offset >= SECCOMP_DATA_SIZE {
                return None;
            }
            let mut bytes = [0u8; 64];
            bytes[0..4].copy_from_slice(&self.nr.to_ne_bytes());
            bytes[4..8].copy_from_slice(&self.arch.to_ne_bytes());
            bytes[8..16].copy_from_slice(&self.instruction_pointer.to_ne_bytes());
            for (i, a) in self.args.iter().enumerate() {
                bytes[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_ne_bytes());
            }
            let o = usize::try_from(offset).ok()?;
            Some(u32::from_ne_bytes([
                bytes[o],
                bytes[o + 1],
                bytes[o + 2],
                bytes[o + 3],
            ]))
        }
    }

    /// Why a program cannot be run.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(crate) enum EvalError {
        /// The program is empty or longer than the kernel accepts.
        Length(usize),
        /// Instruction `at` is not one a seccomp filter may use, or is malformed.
        Invalid { at: usize, reason: &'static str },
        /// Control ran past the last instruction without returning.
        NoReturn,
    }

    /// Runs `program` on `data` as the kernel's seccomp would, and returns the action word.
    ///
    /// Only what the kernel accepts in a seccomp filter is accepted here: loads of aligned words
    /// of `struct seccomp_data`, the scratch memory, ALU and jump instructions, and returns.
    pub(crate) fn evaluate(
        program: &[BpfInstruction],
        data: &SeccompData,
    ) -> Result<u32, EvalError> {
        if program.is_empty() || program.len() > BPF_MAXINSNS {
            return Err(EvalError::Length(program.len()));
        }
        let (mut a, mut x) = (0u32, 0u32);
        let mut mem = [0u32; 16];
        let mut pc = 0usize;
        while let Some(i) = program.get(pc) {
            let invalid = |reason| EvalError::Invalid { at: pc, reason };
            let k = i.k;
            let scratch = || usize::try_from(k).ok().filter(|&k| k < 16);
            let src = if i.code & BPF_X != 0 { x } else { k };
            match i.code & 0x07 {
                BPF_LD => match i.code {
                    c if c == BPF_LD | BPF_W | BPF_ABS => {
                        a = data.word(k).ok_or(invalid("load outside seccomp_data"))?
                    }
                    c if c == BPF_LD | BPF_W | BPF_LEN => a = SECCOMP_DATA_SIZE,
                    c if c == BPF_LD | BPF_IMM => a = k,
                    c if c == BPF_LD | BPF_MEM => {
                        a = mem[scratch().ok_or(invalid("bad scratch"))?]
                    }
                    _ => return Err(invalid("unsupported load")),
                },
                BPF_LDX => match i.code {
                    c if c == BPF_LDX | BPF_W | BPF_LEN => x = SECCOMP_DATA_SIZE,
                    c if c == BPF_LDX | BPF_IMM => x = k,
                    c if c == BPF_LDX | BPF_MEM => {
                        x = mem[scratch().ok_or(invalid("bad scratch"))?]
                    }
                    _ => return Err(invalid("unsupported load into X")),
                },
                BPF_ST if i.code == BPF_ST => mem[scratch().ok_or(invalid("bad scratch"))?] = a,
                BPF_STX if i.code == BPF_STX => mem[scratch().ok_or(invalid("bad scratch"))?] = x,
                BPF_ALU => {
                    a = match i.code & 0xf0 {
                        BPF_ADD => a.wrapping_add(src),
                        BPF_SUB => a.wrapping_sub(src),
                        BPF_MUL => a.wrapping_mul(src),
                        BPF_DIV => a.checked_div(src).ok_or(invalid("division by zero"))?,
                        BPF_MOD => a.checked_rem(src).ok_or(invalid("division by zero"))?,
                        BPF_OR => a | src,
                        BPF_AND => a & src,
                        BPF_XOR => a ^ src,
                        BPF_LSH => a.checked_shl(src).unwrap_or(0),
                        BPF_RSH => a.checked_shr(src).unwrap_or(0),
                        BPF_NEG if i.code & BPF_X == 0 => a.wrapping_neg(),
                        _ => return Err(invalid("unsupported ALU operation")),
                    }
                }
                BPF_JMP => {
                    let next = pc + 1;
                    let target = if i.code == JA {
                        next.checked_add(usize::try_from(k).map_err(|_| invalid("jump too far"))?)
                            .ok_or(invalid("jump too far"))?
                    } else {
                        let taken = match i.code & 0xf0 {
                            BPF_JEQ => a == src,
                            BPF_JGT => a > src,
                            BPF_JGE => a >= src,
                            BPF_JSET => a & src != 0,
                            _ => return Err(invalid("unsupported jump")),
                        };
                        next + usize::from(if taken { i.jt } else { i.jf })
                    };
                    if target >= program.len() {
                        return Err(invalid("jump past the end of the program"));
                    }
                    pc = target;
                    continue;
                }
                BPF_RET => {
                    return match i.code & 0x18 {
                        BPF_K => Ok(k),
                        BPF_A => Ok(a),
                        _ => Err(invalid("unsupported return")),
                    }
                }
                BPF_MISC => match i.code {
                    c if c == BPF_MISC | BPF_TAX => x = a,
                    c if c == BPF_MISC | BPF_TXA => a = x,
                    _ => return Err(invalid("unsupported instruction")),
                },
                _ => return Err(invalid("unsupported instruction")),
            }
            pc += 1;
        }
        Err(EvalError::NoReturn)
    }
}
