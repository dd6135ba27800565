//! [`Pipes`]: creating pipes.

use crate::rules::RuleSet;
use crate::syscalls::Sysno;

/// Creating pipes: pipe (x86_64) and pipe2. Reading and writing them needs
/// [`SystemIO`](crate::builtins::SystemIO)'s read and write.
///
/// ```
/// use extrasafe::{builtins::pipes::Pipes, RuleSet};
/// assert!(Pipes.simple_rules().contains(&extrasafe::syscalls::Sysno::pipe2));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Pipes;

impl RuleSet for Pipes {
    fn simple_rules(&self) -> Vec<Sysno> {
        vec![
            #[cfg(target_arch = "x86_64")]
            Sysno::pipe,
            Sysno::pipe2,
        ]
    }

    fn name(&self) -> &'static str {
        "Pipes"
    }
}
