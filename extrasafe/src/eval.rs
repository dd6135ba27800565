//! What will the kernel decide? An interpreter of seccomp programs, in pure Rust.
//!
//! [`run`] executes a classic-BPF seccomp program the way the kernel does, on one
//! [`SeccompData`] (architecture, syscall number, six argument words), and returns the
//! [`Action`] the kernel would take with the number of instructions it executed. It runs the
//! very instructions [`CompiledFilter::to_bytes`](crate::CompiledFilter::to_bytes) exports,
//! so it answers "what happens if my program calls X with Y" without loading anything, and
//! it can check a program that came from elsewhere ([`parse`] reads the `struct
//! sock_filter` bytes that `seccomp_export_bpf`, `bpf_asm` or `to_bytes` write).
//!
//! Before running, a program is checked as the kernel checks it when it is loaded
//! (`bpf_check_classic` and `seccomp_check_filter`): only the instructions a seccomp filter
//! may use, aligned loads inside `struct seccomp_data`, jumps that stay inside the program,
//! no scratch-memory word read before it is written on every path, a return at the end. A
//! program the kernel would refuse is an [`EvalError`], never a panic.
//!
//! ```
//! use extrasafe::eval::{Action, SeccompData};
//! use extrasafe::{builtins::SystemIO, syscalls::Sysno, SafetyContext};
//!
//! let filter = SafetyContext::new().enable(SystemIO::nothing().allow_stdout())?.compile()?;
//! // write(1, ...) is allowed, write(2, ...) is not.
//! assert_eq!(filter.decide(Sysno::write, [1, 0, 0, 0, 0, 0])?, Action::Allow);
//! assert_eq!(filter.decide(Sysno::write, [2, 0, 0, 0, 0, 0])?, Action::Errno(libc::EPERM as u16));
//! // An i386 `int 0x80` call kills the process, whatever its number.
//! let foreign = SeccompData { arch: 0x4000_0003, ..SeccompData::native(Sysno::write, [1; 6]) };
//! assert_eq!(filter.evaluate(&foreign)?.action, Action::KillProcess);
//! // The same bytes, read back, decide the same.
//! let program = extrasafe::eval::parse(&filter.to_bytes())?;
//! assert_eq!(extrasafe::eval::run(&program, &foreign)?.action, Action::KillProcess);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Where the kernel's behaviour depends on the machine (a shift of the accumulator by 32 or
//! more, given in `X`), the interpreter takes the count modulo 32, as the x86_64 and arm64
//! JITs and the kernel's interpreter do. A division by `X == 0` makes a classic filter return
//! 0, which is `SECCOMP_RET_KILL_THREAD`, here too.

use std::fmt;

use crate::bpf::BpfInstruction;
use crate::syscalls::Sysno;

const BPF_LD: u16 = 0x00;
const BPF_LDX: u16 = 0x01;
const BPF_ST: u16 = 0x02;
const BPF_STX: u16 = 0x03;
const BPF_ALU: u16 = 0x04;
const BPF_JMP: u16 = 0x05;
const BPF_RET: u16 = 0x06;
const BPF_MISC: u16 = 0x07;
const BPF_W: u16 = 0x00;
const BPF_IMM: u16 = 0x00;
const BPF_ABS: u16 = 0x20;
const BPF_MEM: u16 = 0x60;
const BPF_LEN: u16 = 0x80;
const BPF_K: u16 = 0x00;
const BPF_X: u16 = 0x08;
const BPF_A: u16 = 0x10;
const BPF_ADD: u16 = 0x00;
const BPF_SUB: u16 = 0x10;
const BPF_MUL: u16 = 0x20;
const BPF_DIV: u16 = 0x30;
const BPF_OR: u16 = 0x40;
const BPF_AND: u16 = 0x50;
const BPF_LSH: u16 = 0x60;
const BPF_RSH: u16 = 0x70;
const BPF_NEG: u16 = 0x80;
#[cfg(test)]
const BPF_MOD: u16 = 0x90;
const BPF_XOR: u16 = 0xa0;
const BPF_JA: u16 = 0x00;
const BPF_JEQ: u16 = 0x10;
const BPF_JGT: u16 = 0x20;
const BPF_JGE: u16 = 0x30;
const BPF_JSET: u16 = 0x40;
const BPF_TAX: u16 = 0x00;
const BPF_TXA: u16 = 0x80;

/// Words of scratch memory (`BPF_MEMWORDS`).
const MEMWORDS: u32 = 16;
/// `sizeof(struct seccomp_data)`.
const DATA_SIZE: u32 = 64;
/// The kernel's limit on the length of one program (`BPF_MAXINSNS`).
pub const MAX_INSTRUCTIONS: usize = 4096;

/// The native architecture's `AUDIT_ARCH_*` value, as the kernel puts it in
/// [`SeccompData::arch`].
#[cfg(target_arch = "x86_64")]
pub const NATIVE_ARCH: u32 = 0xc000_003e;
/// The native architecture's `AUDIT_ARCH_*` value, as the kernel puts it in
/// [`SeccompData::arch`].
#[cfg(target_arch = "aarch64")]
pub const NATIVE_ARCH: u32 = 0xc000_00b7;

/// The input of a seccomp program: the kernel's `struct seccomp_data`.
///
/// ```
/// use extrasafe::{eval::SeccompData, syscalls::Sysno};
/// let data = SeccompData::native(Sysno::openat, [libc::AT_FDCWD as u64, 0, 0, 0, 0, 0]);
/// assert_eq!(data.nr, Sysno::openat.id());
/// assert_eq!(data.arch, extrasafe::eval::NATIVE_ARCH);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeccompData {
    /// The syscall number.
    pub nr: i32,
    /// The `AUDIT_ARCH_*` value of the calling convention used.
    pub arch: u32,
    /// The address of the syscall instruction.
    pub instruction_pointer: u64,
    /// The six argument registers, whole: the kernel does not clear the upper half of a
    /// register that holds a 32-bit argument.
    pub args: [u64; 6],
}

impl SeccompData {
    /// A native call of `sysno` with `args` (instruction pointer 0).
    #[must_use]
    pub fn native(sysno: Sysno, args: [u64; 6]) -> Self {
        SeccompData {
            nr: sysno.id(),
            arch: NATIVE_ARCH,
            instruction_pointer: 0,
            args,
        }
    }

    /// The 32-bit word at byte `offset` (a multiple of 4 below 64), in native byte order, as
    /// the kernel's `BPF_LD|BPF_W|BPF_ABS` reads it.
    fn word(&self, offset: u32) -> Option<u32> {
        if offset % 4 != 0 || offset >= DATA_SIZE {
            return None;
        }
        // The words of `struct seccomp_data` in memory order: a 64-bit field's low half
        // comes first on a little-endian machine, its high half on a big-endian one.
        let half = |v: u64, second: bool| -> u32 {
            let high = second != cfg!(target_endian = "big");
            // Truncation intended: the 32-bit half of a 64-bit field.
            #[allow(clippy::cast_possible_truncation)]
            let w = if high { (v >> 32) as u32 } else { v as u32 };
            w
        };
        Some(match offset {
            0 => u32::from_ne_bytes(self.nr.to_ne_bytes()),
            4 => self.arch,
            8 | 12 => half(self.instruction_pointer, offset == 12),
            _ => {
                let i = usize::try_from((offset - 16) / 8).ok()?;
                half(*self.args.get(i)?, offset % 8 == 4)
            }
        })
    }
}

/// What the kernel does with a syscall, from the value a filter returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// `SECCOMP_RET_ALLOW`: the syscall runs.
    Allow,
    /// `SECCOMP_RET_ERRNO`: the syscall fails with this errno (the kernel caps it at 4095).
    Errno(u16),
    /// `SECCOMP_RET_KILL_PROCESS`, and any value that is no action the kernel knows.
    KillProcess,
    /// `SECCOMP_RET_KILL_THREAD` (the value 0).
    KillThread,
    /// `SECCOMP_RET_TRAP`: `SIGSYS` is delivered, with this value in `si_errno`.
    Trap(u16),
    /// `SECCOMP_RET_LOG`: the syscall runs and is logged.
    Log,
    /// `SECCOMP_RET_USER_NOTIF`: a supervisor holding the listener decides.
    UserNotif,
    /// `SECCOMP_RET_TRACE`: a ptrace tracer is told, with this value.
    Trace(u16),
}

const RET_ACTION_FULL: u32 = 0xffff_0000;
const RET_DATA: u32 = 0x0000_ffff;

impl Action {
    /// The action for the value `ret` a filter returned, as the kernel reads it.
    ///
    /// ```
    /// use extrasafe::eval::Action;
    /// assert_eq!(Action::from_ret(0x7fff_0000), Action::Allow);
    /// assert_eq!(Action::from_ret(0x0005_0001), Action::Errno(1));
    /// assert_eq!(Action::from_ret(0x0005_ffff), Action::Errno(4095));
    /// assert_eq!(Action::from_ret(0x1234_0000), Action::KillProcess);
    /// ```
    #[must_use]
    pub fn from_ret(ret: u32) -> Action {
        // The mask keeps 16 bits: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let data = (ret & RET_DATA) as u16;
        match ret & RET_ACTION_FULL {
            0x7fff_0000 => Action::Allow,
            0x7ffc_0000 => Action::Log,
            0x7ff0_0000 => Action::Trace(data),
            0x7fc0_0000 => Action::UserNotif,
            0x0005_0000 => Action::Errno(data.min(4095)),
            0x0003_0000 => Action::Trap(data),
            0x0000_0000 => Action::KillThread,
            _ => Action::KillProcess,
        }
    }

    /// Whether the syscall runs (allowed or logged).
    #[must_use]
    pub fn runs(self) -> bool {
        matches!(self, Action::Allow | Action::Log)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Action::Allow => f.write_str("allow"),
            Action::Errno(e) => match errno_name(e) {
                Some(name) => write!(f, "errno {e} ({name})"),
                None => write!(f, "errno {e}"),
            },
            Action::KillProcess => f.write_str("kill the process"),
            Action::KillThread => f.write_str("kill the thread"),
            Action::Trap(d) => write!(f, "trap (SIGSYS, data {d})"),
            Action::Log => f.write_str("allow and log"),
            Action::UserNotif => f.write_str("notify the supervisor"),
            Action::Trace(d) => write!(f, "notify the tracer (data {d})"),
        }
    }
}

/// The symbolic name of the errnos a filter commonly returns.
fn errno_name(e: u16) -> Option<&'static str> {
    Some(match i32::from(e) {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EINVAL => "EINVAL",
        libc::ENOSYS => "ENOSYS",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        _ => return None,
    })
}

/// The outcome of running a program on one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    /// What the kernel does with the syscall.
    pub action: Action,
    /// The value the program returned.
    pub ret: u32,
    /// How many instructions ran, the return included: the work the kernel does for this
    /// syscall in the filter.
    pub executed: usize,
}

/// Why a program cannot be run: the kernel would refuse to load it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalError {
    /// The program is empty or longer than the kernel's 4096 instructions.
    Length {
        /// Its length in instructions.
        len: usize,
    },
    /// The bytes given to [`parse`] are not a whole number of 8-byte instructions.
    Bytes {
        /// How many bytes there were.
        len: usize,
    },
    /// Instruction `at` is not one a seccomp filter may use, or is malformed.
    Invalid {
        /// Its index.
        at: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Length { len } => write!(
                f,
                "a seccomp program has 1 to {MAX_INSTRUCTIONS} instructions, this one has {len}"
            ),
            EvalError::Bytes { len } => write!(
                f,
                "{len} bytes are not a whole number of 8-byte `struct sock_filter` instructions"
            ),
            EvalError::Invalid { at, reason } => write!(
                f,
                "instruction {at}: {reason}; the kernel would refuse to load this program"
            ),
        }
    }
}

impl std::error::Error for EvalError {}

/// Reads a program from the bytes of `struct sock_filter`s in native byte order (what
/// [`CompiledFilter::to_bytes`](crate::CompiledFilter::to_bytes) and `seccomp_export_bpf`
/// write), and checks it as the kernel would before loading it.
///
/// ```
/// assert!(extrasafe::eval::parse(&[0u8; 7]).is_err()); // not whole instructions
/// assert!(extrasafe::eval::parse(&[]).is_err()); // empty
/// // `ret #0x7fff0000`: allow everything.
/// let allow_all = [0x06, 0x00, 0, 0, 0x00, 0x00, 0xff, 0x7f];
/// assert_eq!(extrasafe::eval::parse(&allow_all)?.len(), 1);
/// # Ok::<(), extrasafe::eval::EvalError>(())
/// ```
///
/// # Errors
/// [`EvalError`] if the bytes are no program the kernel would load.
pub fn parse(bytes: &[u8]) -> Result<Vec<BpfInstruction>, EvalError> {
    if bytes.len() % 8 != 0 {
        return Err(EvalError::Bytes { len: bytes.len() });
    }
    let program: Vec<BpfInstruction> = bytes
        .chunks_exact(8)
        .map(|c| BpfInstruction {
            code: u16::from_ne_bytes([c[0], c[1]]),
            jt: c[2],
            jf: c[3],
            k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect();
    check(&program)?;
    Ok(program)
}

/// Checks `program` as the kernel does when it is loaded as a seccomp filter.
///
/// # Errors
/// [`EvalError`] naming the first instruction the kernel would refuse.
pub fn check(program: &[BpfInstruction]) -> Result<(), EvalError> {
    let len = program.len();
    if len == 0 || len > MAX_INSTRUCTIONS {
        return Err(EvalError::Length { len });
    }
    // Which scratch words are written on every path into each instruction (the kernel's
    // `check_load_and_stores`): jumps only go forward, so one pass suffices.
    let mut valid_in = vec![u16::MAX; len];
    let mut valid: u16 = 0;
    for (pc, i) in program.iter().enumerate() {
        let invalid = |reason| Err(EvalError::Invalid { at: pc, reason });
        valid &= valid_in[pc];
        let k = i.k;
        let mem_bit = || {
            if k < MEMWORDS {
                Some(1u16 << k)
            } else {
                None
            }
        };
        match i.code {
            c if c == BPF_LD | BPF_W | BPF_ABS => {
                if k % 4 != 0 || k >= DATA_SIZE {
                    return invalid("load outside `struct seccomp_data` or not word-aligned");
                }
            }
            c if c == BPF_LD | BPF_W | BPF_LEN
                || c == BPF_LDX | BPF_W | BPF_LEN
                || c == BPF_LD | BPF_IMM
                || c == BPF_LDX | BPF_IMM
                || c == BPF_MISC | BPF_TAX
                || c == BPF_MISC | BPF_TXA
                || c == BPF_RET | BPF_K
                || c == BPF_RET | BPF_A => {}
            c if c == BPF_LD | BPF_MEM || c == BPF_LDX | BPF_MEM => match mem_bit() {
                None => return invalid("scratch memory index above 15"),
                Some(bit) if valid & bit == 0 => {
                    return invalid("scratch memory read before it is written on some path")
                }
                Some(_) => {}
            },
            c if c == BPF_ST || c == BPF_STX => match mem_bit() {
                None => return invalid("scratch memory index above 15"),
                Some(bit) => valid |= bit,
            },
            c if c & 0x07 == BPF_ALU => {
                let op = c & 0xf0;
                let known = matches!(
                    op,
                    BPF_ADD
                        | BPF_SUB
                        | BPF_MUL
                        | BPF_DIV
                        | BPF_OR
                        | BPF_AND
                        | BPF_LSH
                        | BPF_RSH
                        | BPF_XOR
                ) || (op == BPF_NEG && c & BPF_X == 0);
                // BPF_MOD exists for sockets, not for seccomp.
                if !known || c > 0xff {
                    return invalid("not an ALU operation a seccomp filter may use");
                }
                if c & BPF_X == 0 {
                    if op == BPF_DIV && k == 0 {
                        return invalid("division by the constant 0");
                    }
                    if matches!(op, BPF_LSH | BPF_RSH) && k >= 32 {
                        return invalid("shift by 32 or more");
                    }
                }
            }
            c if c & 0x07 == BPF_JMP => {
                let next = pc + 1;
                if c == BPF_JMP | BPF_JA {
                    let target = usize::try_from(k).ok().and_then(|k| next.checked_add(k));
                    match target {
                        Some(t) if t < len => valid_in[t] &= valid,
                        _ => return invalid("jump past the end of the program"),
                    }
                    // Nothing falls through an unconditional jump: the next instruction
                    // starts with what the jumps to it say (as the kernel's
                    // check_load_and_stores does).
                    valid = u16::MAX;
                    continue;
                }
                if !matches!(c & 0xf0, BPF_JEQ | BPF_JGT | BPF_JGE | BPF_JSET) || c > 0xff {
                    return invalid("not a jump a seccomp filter may use");
                }
                let (t, f) = (next + usize::from(i.jt), next + usize::from(i.jf));
                if t >= len || f >= len {
                    return invalid("jump past the end of the program");
                }
                valid_in[t] &= valid;
                valid_in[f] &= valid;
                valid = u16::MAX;
                continue;
            }
            _ => return invalid("not an instruction a seccomp filter may use"),
        }
        if next_is_fallthrough(i.code) && pc + 1 < len {
            valid_in[pc + 1] &= valid;
            valid = u16::MAX;
        }
    }
    match program[len - 1].code {
        c if c == BPF_RET | BPF_K || c == BPF_RET | BPF_A => Ok(()),
        _ => Err(EvalError::Invalid {
            at: len - 1,
            reason: "the last instruction is not a return",
        }),
    }
}

/// Whether control can go on to the next instruction.
fn next_is_fallthrough(code: u16) -> bool {
    code & 0x07 != BPF_RET
}

/// Runs `program` on `data` as the kernel's seccomp does, after checking it as the kernel
/// would (see [`check`]).
///
/// ```
/// use extrasafe::eval::{run, Action, SeccompData};
/// use extrasafe::{syscalls::Sysno, BpfInstruction};
/// // `ld [0]; jeq #39, allow, deny` (39 is getpid on x86_64, 172 on arm64)
/// let nr = Sysno::getpid.id() as u32;
/// let program = [
///     BpfInstruction { code: 0x20, jt: 0, jf: 0, k: 0 },
///     BpfInstruction { code: 0x15, jt: 0, jf: 1, k: nr },
///     BpfInstruction { code: 0x06, jt: 0, jf: 0, k: 0x7fff_0000 },
///     BpfInstruction { code: 0x06, jt: 0, jf: 0, k: 0x0005_0001 },
/// ];
/// let getpid = run(&program, &SeccompData::native(Sysno::getpid, [0; 6]))?;
/// assert_eq!((getpid.action, getpid.executed), (Action::Allow, 3));
/// let read = run(&program, &SeccompData::native(Sysno::read, [0; 6]))?;
/// assert_eq!(read.action, Action::Errno(1));
/// # Ok::<(), extrasafe::eval::EvalError>(())
/// ```
///
/// # Errors
/// [`EvalError`] if the kernel would refuse to load `program`.
pub fn run(program: &[BpfInstruction], data: &SeccompData) -> Result<Evaluation, EvalError> {
    check(program)?;
    Ok(run_checked(program, data))
}

/// Runs a program that [`check`] accepted.
pub(crate) fn run_checked(program: &[BpfInstruction], data: &SeccompData) -> Evaluation {
    let (mut a, mut x) = (0u32, 0u32);
    let mut mem = [0u32; 16];
    let mut pc = 0usize;
    let mut executed = 0usize;
    let done = |ret: u32, executed: usize| Evaluation {
        action: Action::from_ret(ret),
        ret,
        executed,
    };
    // A checked program only jumps forward and ends with a return, so this loop ends; the
    // fallbacks below (a zero return) are never reached for a checked program.
    while let Some(i) = program.get(pc) {
        executed += 1;
        let k = i.k;
        let slot = (k as usize) & 15;
        let src = if i.code & BPF_X != 0 { x } else { k };
        match i.code & 0x07 {
            BPF_LD => {
                a = match i.code {
                    c if c == BPF_LD | BPF_W | BPF_ABS => data.word(k).unwrap_or(0),
                    c if c == BPF_LD | BPF_W | BPF_LEN => DATA_SIZE,
                    c if c == BPF_LD | BPF_MEM => mem[slot],
                    _ => k,
                }
            }
            BPF_LDX => {
                x = match i.code {
                    c if c == BPF_LDX | BPF_W | BPF_LEN => DATA_SIZE,
                    c if c == BPF_LDX | BPF_MEM => mem[slot],
                    _ => k,
                }
            }
            BPF_ST => mem[slot] = a,
            BPF_STX => mem[slot] = x,
            BPF_ALU => {
                a = match i.code & 0xf0 {
                    BPF_ADD => a.wrapping_add(src),
                    BPF_SUB => a.wrapping_sub(src),
                    BPF_MUL => a.wrapping_mul(src),
                    BPF_DIV => match a.checked_div(src) {
                        Some(v) => v,
                        // A classic filter dividing by X == 0 returns 0.
                        None => return done(0, executed),
                    },
                    BPF_OR => a | src,
                    BPF_AND => a & src,
                    BPF_XOR => a ^ src,
                    BPF_LSH => a << (src & 31),
                    BPF_RSH => a >> (src & 31),
                    _ => a.wrapping_neg(),
                }
            }
            BPF_JMP => {
                let next = pc + 1;
                pc = if i.code == BPF_JMP | BPF_JA {
                    next.saturating_add(k as usize)
                } else {
                    let taken = match i.code & 0xf0 {
                        BPF_JEQ => a == src,
                        BPF_JGT => a > src,
                        BPF_JGE => a >= src,
                        _ => a & src != 0,
                    };
                    next + usize::from(if taken { i.jt } else { i.jf })
                };
                continue;
            }
            BPF_RET => {
                let ret = if i.code & 0x18 == BPF_A { a } else { k };
                return done(ret, executed);
            }
            _ => {
                if i.code == BPF_MISC | BPF_TAX {
                    x = a;
                } else {
                    a = x;
                }
            }
        }
        pc += 1;
    }
    done(0, executed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn insn(code: u16, jt: u8, jf: u8, k: u32) -> BpfInstruction {
        BpfInstruction { code, jt, jf, k }
    }
    const RET_ALLOW: BpfInstruction = insn(BPF_RET | BPF_K, 0, 0, 0x7fff_0000);

    fn data() -> SeccompData {
        SeccompData::native(Sysno::read, [1, 2, 3, 4, 5, 6])
    }

    fn reason(program: &[BpfInstruction]) -> String {
        match check(program) {
            Err(e) => e.to_string(),
            Ok(()) => panic!("accepted: {program:?}"),
        }
    }

    #[test]
    fn programs_the_kernel_refuses_are_errors() {
        assert!(reason(&[]).contains("has 0"));
        assert!(reason(&vec![RET_ALLOW; 4097]).contains("4097"));
        assert!(reason(&[insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64), RET_ALLOW]).contains("outside"));
        assert!(reason(&[insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2), RET_ALLOW]).contains("aligned"));
        assert!(
            reason(&[insn(BPF_LD | BPF_MEM, 0, 0, 0), RET_ALLOW]).contains("before it is written")
        );
        assert!(reason(&[insn(BPF_ST, 0, 0, 16), RET_ALLOW]).contains("above 15"));
        assert!(
            reason(&[insn(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), RET_ALLOW]).contains("constant 0")
        );
        assert!(reason(&[insn(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32), RET_ALLOW]).contains("shift"));
        assert!(reason(&[insn(BPF_JMP | BPF_JA, 0, 0, 1), RET_ALLOW]).contains("past the end"));
        assert!(reason(&[insn(BPF_JMP | BPF_JEQ, 1, 0, 0), RET_ALLOW]).contains("past the end"));
        assert!(
            reason(&[insn(BPF_JMP | BPF_JA, 0, 0, u32::MAX), RET_ALLOW]).contains("past the end")
        );
        assert!(reason(&[insn(BPF_LD | BPF_IMM, 0, 0, 0)]).contains("not a return"));
        // Packet loads (BPF_IND, BPF_B, BPF_H) do not exist for seccomp.
        assert!(reason(&[insn(0x40, 0, 0, 0), RET_ALLOW]).contains("may use"));
        assert!(reason(&[insn(0x28, 0, 0, 0), RET_ALLOW]).contains("may use"));
        assert!(reason(&[insn(BPF_ALU | 0xb0, 0, 0, 1), RET_ALLOW]).contains("ALU"));
        // The kernel refuses BPF_MOD and BPF_NEG|BPF_X in seccomp filters.
        assert!(reason(&[insn(BPF_ALU | BPF_MOD, 0, 0, 3), RET_ALLOW]).contains("ALU"));
        assert!(reason(&[insn(BPF_ALU | BPF_NEG | BPF_X, 0, 0, 0), RET_ALLOW]).contains("ALU"));
        assert!(reason(&[insn(BPF_JMP | 0x50, 0, 0, 0), RET_ALLOW]).contains("jump"));
    }

    #[test]
    fn a_word_stored_on_one_path_only_cannot_be_read_after_the_join() {
        // jeq #0, +1, +0 ; st M[0] ; ld M[0] ; ret a
        let program = [
            insn(BPF_JMP | BPF_JEQ, 1, 0, 0),
            insn(BPF_ST, 0, 0, 0),
            insn(BPF_LD | BPF_MEM, 0, 0, 0),
            insn(BPF_RET | BPF_A, 0, 0, 0),
        ];
        assert!(reason(&program).contains("before it is written"));
        // Stored before the branch: fine.
        let program = [
            insn(BPF_ST, 0, 0, 0),
            insn(BPF_JMP | BPF_JEQ, 1, 0, 0),
            insn(BPF_LD | BPF_IMM, 0, 0, 5),
            insn(BPF_LD | BPF_MEM, 0, 0, 0),
            insn(BPF_RET | BPF_A, 0, 0, 0),
        ];
        assert_eq!(run(&program, &data()).unwrap().ret, 0);
        // An instruction only reached by falling through an unconditional jump (so never)
        // starts with nothing read before written: the kernel loads `ja +1; ld M[0]; ret`.
        let program = [
            insn(BPF_JMP | BPF_JA, 0, 0, 1),
            insn(BPF_LD | BPF_MEM, 0, 0, 0),
            RET_ALLOW,
        ];
        assert_eq!(check(&program), Ok(()));
        // But a jump to it carries its state: `jeq +0,+1; ja +1; ld M[0]; ret`, where the
        // `jeq` reaches `ld M[0]` with nothing written, is refused.
        let program = [
            insn(BPF_JMP | BPF_JEQ, 1, 0, 0),
            insn(BPF_JMP | BPF_JA, 0, 0, 1),
            insn(BPF_LD | BPF_MEM, 0, 0, 0),
            RET_ALLOW,
        ];
        assert!(reason(&program).contains("before it is written"));
    }

    #[test]
    fn every_instruction_computes_as_the_kernel_does() {
        let ld = |off| insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, off);
        let alu = |op, k| insn(BPF_ALU | op, 0, 0, k);
        let ret_a = insn(BPF_RET | BPF_A, 0, 0, 0);
        let cases: Vec<(Vec<BpfInstruction>, u32)> = vec![
            (vec![ld(16), alu(BPF_ADD, 10), ret_a], 11),
            (vec![ld(16), alu(BPF_SUB, 2), ret_a], u32::MAX),
            (vec![ld(24), alu(BPF_MUL, 3), ret_a], 6),
            (vec![ld(32), alu(BPF_DIV, 2), ret_a], 1),
            (vec![ld(48), alu(BPF_OR, 8), ret_a], 13),
            (vec![ld(56), alu(BPF_AND, 4), ret_a], 4),
            (vec![ld(56), alu(BPF_XOR, 7), ret_a], 1),
            (vec![ld(16), alu(BPF_LSH, 4), ret_a], 16),
            (vec![ld(48), alu(BPF_RSH, 1), ret_a], 2),
            (vec![ld(16), alu(BPF_NEG, 0), ret_a], u32::MAX),
            (vec![ld(4), ret_a], NATIVE_ARCH),
            (vec![insn(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), ret_a], 64),
            // X: tax, txa, ldx imm, alu with X.
            (
                vec![
                    insn(BPF_LDX | BPF_IMM, 0, 0, 5),
                    ld(16),
                    insn(BPF_ALU | BPF_ADD | BPF_X, 0, 0, 0),
                    ret_a,
                ],
                6,
            ),
            (
                vec![
                    ld(24),
                    insn(BPF_MISC | BPF_TAX, 0, 0, 0),
                    insn(BPF_LD | BPF_IMM, 0, 0, 9),
                    insn(BPF_MISC | BPF_TXA, 0, 0, 0),
                    ret_a,
                ],
                2,
            ),
            // Scratch memory.
            (
                vec![
                    ld(32),
                    insn(BPF_ST, 0, 0, 3),
                    insn(BPF_LDX | BPF_MEM, 0, 0, 3),
                    insn(BPF_MISC | BPF_TXA, 0, 0, 0),
                    ret_a,
                ],
                3,
            ),
            // Division by X == 0 returns 0 (kill the thread).
            (
                vec![
                    insn(BPF_LDX | BPF_IMM, 0, 0, 0),
                    ld(16),
                    insn(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0),
                    RET_ALLOW,
                ],
                0,
            ),
            // Shift counts in X are taken modulo 32.
            (
                vec![
                    insn(BPF_LDX | BPF_IMM, 0, 0, 33),
                    ld(16),
                    insn(BPF_ALU | BPF_LSH | BPF_X, 0, 0, 0),
                    ret_a,
                ],
                2,
            ),
            // jset, jgt, jge, ja.
            (
                vec![
                    ld(48),
                    insn(BPF_JMP | BPF_JSET, 0, 1, 4),
                    insn(BPF_RET, 0, 0, 1),
                    insn(BPF_RET, 0, 0, 2),
                ],
                1,
            ),
            (
                vec![
                    ld(48),
                    insn(BPF_JMP | BPF_JGT, 0, 1, 5),
                    insn(BPF_RET, 0, 0, 1),
                    insn(BPF_RET, 0, 0, 2),
                ],
                2,
            ),
            (
                vec![
                    ld(48),
                    insn(BPF_JMP | BPF_JGE, 0, 1, 5),
                    insn(BPF_RET, 0, 0, 1),
                    insn(BPF_RET, 0, 0, 2),
                ],
                1,
            ),
            (
                vec![
                    insn(BPF_JMP | BPF_JA, 0, 0, 1),
                    insn(BPF_RET, 0, 0, 1),
                    insn(BPF_RET, 0, 0, 2),
                ],
                2,
            ),
        ];
        for (program, want) in cases {
            assert_eq!(
                run(&program, &data()).map(|e| e.ret),
                Ok(want),
                "{program:?}"
            );
        }
    }

    #[test]
    fn the_high_half_of_an_argument_is_the_word_after_the_low_half() {
        let d = SeccompData::native(Sysno::read, [0x1111_2222_3333_4444, 0, 0, 0, 0, 0]);
        let (lo, hi) = if cfg!(target_endian = "little") {
            (16, 20)
        } else {
            (20, 16)
        };
        assert_eq!(d.word(lo), Some(0x3333_4444));
        assert_eq!(d.word(hi), Some(0x1111_2222));
        assert_eq!(d.word(0), Some(u32::try_from(Sysno::read.id()).unwrap()));
    }

    #[test]
    fn return_values_map_to_the_kernels_actions() {
        for (ret, action) in [
            (0x8000_0000, Action::KillProcess),
            (0x0000_0000, Action::KillThread),
            (0x0000_1234, Action::KillThread),
            (0x0003_0007, Action::Trap(7)),
            (0x0005_000d, Action::Errno(13)),
            (0x0005_1000, Action::Errno(4095)),
            (0x7fc0_0000, Action::UserNotif),
            (0x7ff0_0009, Action::Trace(9)),
            (0x7ffc_0000, Action::Log),
            (0x7fff_0000, Action::Allow),
            (0x7fff_0001, Action::Allow),
            (0x0004_0000, Action::KillProcess),
            (0xffff_ffff, Action::KillProcess),
        ] {
            assert_eq!(Action::from_ret(ret), action, "{ret:#x}");
        }
        assert!(Action::Log.runs() && Action::Allow.runs() && !Action::Errno(1).runs());
        assert_eq!(Action::Errno(1).to_string(), "errno 1 (EPERM)");
        assert_eq!(Action::Errno(4000).to_string(), "errno 4000");
    }

    #[test]
    fn parse_reads_what_to_bytes_writes() {
        let program = [
            insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
            insn(BPF_JMP | BPF_JEQ, 0, 1, 7),
            RET_ALLOW,
            insn(BPF_RET, 0, 0, 0x0005_0001),
        ];
        let mut bytes = Vec::new();
        for i in &program {
            bytes.extend_from_slice(&i.code.to_ne_bytes());
            bytes.extend_from_slice(&[i.jt, i.jf]);
            bytes.extend_from_slice(&i.k.to_ne_bytes());
        }
        assert_eq!(parse(&bytes), Ok(program.to_vec()));
        assert_eq!(parse(&bytes[..9]), Err(EvalError::Bytes { len: 9 }));
    }

    /// Random programs, valid or not, never make the checker or the interpreter panic or
    /// loop: every one is refused with an error or runs to a return.
    #[test]
    fn random_programs_are_checked_or_run_never_panic() {
        use proptest::prelude::*;
        let codes: Vec<u16> = vec![
            0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x20, 0x80, 0x81, 0x60, 0x61, 0x15,
            0x1d, 0x25, 0x35, 0x45, 0x05, 0x14, 0x24, 0x34, 0x94, 0x64, 0x74, 0x84, 0x0c, 0x3c,
            0x16, 0x87,
        ];
        let insn_strategy = (
            prop_oneof![proptest::sample::select(codes), any::<u16>()],
            0u8..4,
            0u8..4,
            prop_oneof![0u32..70, any::<u32>()],
        )
            .prop_map(|(code, jt, jf, k)| insn(code, jt, jf, k));
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 20_000,
            failure_persistence: None,
            ..Default::default()
        });
        runner
            .run(
                &(
                    proptest::collection::vec(insn_strategy, 1..12),
                    any::<[u64; 6]>(),
                    any::<i32>(),
                ),
                |(program, args, nr)| {
                    let d = SeccompData {
                        nr,
                        arch: NATIVE_ARCH,
                        instruction_pointer: 0,
                        args,
                    };
                    if let Ok(e) = run(&program, &d) {
                        prop_assert!(e.executed >= 1 && e.executed <= program.len());
                    }
                    Ok(())
                },
            )
            .unwrap();
    }
}
