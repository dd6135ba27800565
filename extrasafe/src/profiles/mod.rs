//! Vocabularies people already know, as RuleSets: OpenBSD's pledge promises and systemd's
//! syscall filter groups.

pub mod pledge;
pub mod systemd;
