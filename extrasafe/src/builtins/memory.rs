//! [`Memory`]: what the program may do with executable memory.

use std::collections::HashMap;

use super::{push_rule, Conditional};
use crate::rules::{RuleSet, SeccompArgumentFilter, SeccompRule};
use crate::syscalls::Sysno;
use crate::Comparator;

const PROT_WRITE: u64 = libc::PROT_WRITE.unsigned_abs() as u64;
const PROT_EXEC: u64 = libc::PROT_EXEC.unsigned_abs() as u64;

/// Narrows the memory calls of [`BasicCapabilities`](crate::builtins::BasicCapabilities):
/// `mmap` and `mprotect` (the `prot` argument) without executable pages, or never writable
/// and executable at once. Because the basics yield to conditional rules, enabling this
/// replaces their unconditional `mmap` and `mprotect`. `pkey_mprotect` stays denied.
///
/// ```
/// use extrasafe::{builtins::memory::Memory, SafetyContext};
/// SafetyContext::new().enable(Memory::no_exec())?.apply_to_current_thread()?;
/// let v = vec![0u8; 1 << 22]; // ordinary allocations still work
/// # drop(v);
/// # Ok::<(), extrasafe::ExtraSafeError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Memory {
    custom: Conditional,
    name: &'static str,
}

impl Memory {
    /// No new executable memory: `mmap` and `mprotect` only without `PROT_EXEC`. Loading
    /// libraries (`dlopen`) and JIT compilers then fail.
    pub fn no_exec() -> Memory {
        let mut custom = Conditional::new();
        for sysno in [Sysno::mmap, Sysno::mprotect] {
            push_rule(&mut custom, prot(sysno, PROT_EXEC, 0));
        }
        Memory {
            custom,
            name: "Memory::no_exec",
        }
    }

    /// W^X: `mmap` and `mprotect` never make pages writable and executable at once. (A page
    /// can still be made writable, then executable, in two calls: for that, use
    /// [`no_exec`](Memory::no_exec).)
    pub fn write_xor_execute() -> Memory {
        let mut custom = Conditional::new();
        for sysno in [Sysno::mmap, Sysno::mprotect] {
            // Not executable, or executable but not writable.
            push_rule(&mut custom, prot(sysno, PROT_EXEC, 0));
            push_rule(&mut custom, prot(sysno, PROT_WRITE | PROT_EXEC, PROT_EXEC));
        }
        Memory {
            custom,
            name: "Memory::write_xor_execute",
        }
    }
}

/// `sysno` allowed when `prot & mask == value` (`prot` is the third argument of both).
fn prot(sysno: Sysno, mask: u64, value: u64) -> SeccompRule {
    SeccompRule::new(sysno).and_condition(SeccompArgumentFilter::new64(
        2,
        Comparator::MaskedEq(mask),
        value,
    ))
}

impl RuleSet for Memory {
    fn simple_rules(&self) -> Vec<Sysno> {
        Vec::new()
    }

    fn conditional_rules(&self) -> HashMap<Sysno, Vec<SeccompRule>> {
        self.custom.clone()
    }

    fn name(&self) -> &'static str {
        self.name
    }
}
