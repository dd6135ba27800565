//! The Landlock vocabulary of a policy: rights on paths ([`LandlockRule`]) and TCP ports
//! ([`PortRule`]) that a [`RuleSet`](crate::rules::RuleSet) asks for, and the named sets of
//! filesystem rights ([`access`]). Plain data; [`crate::landlock`] applies it. Re-exported
//! from there and from the crate root.

use std::path::{Path, PathBuf};

use ::landlock::{AccessFs, AccessNet, BitFlags};

/// Rights `access_rules` beneath `path` (the path itself, and for a directory everything
/// under it).
///
/// ```
/// use extrasafe::{access, LandlockRule};
/// let rule = LandlockRule::new("/etc", access::read_path());
/// assert_eq!(rule.path, std::path::Path::new("/etc"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandlockRule {
    /// The file or directory.
    pub path: PathBuf,
    /// The rights granted beneath it.
    pub access_rules: BitFlags<AccessFs>,
}

impl LandlockRule {
    /// Rights `access_rules` beneath `path`. The path is opened when the context is applied.
    pub fn new<P: AsRef<Path>>(path: P, access_rules: BitFlags<AccessFs>) -> LandlockRule {
        LandlockRule {
            path: path.as_ref().to_path_buf(),
            access_rules,
        }
    }
}

/// TCP rights on one port: bind to it, or connect to it.
///
/// ```
/// use extrasafe::{AccessNet, PortRule};
/// let https = PortRule::new(443, AccessNet::ConnectTcp.into());
/// assert_eq!(https.port, 443);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRule {
    /// The TCP port.
    pub port: u16,
    /// `BindTcp`, `ConnectTcp`, or both.
    pub access: BitFlags<AccessNet>,
}

impl PortRule {
    /// Rights `access` on TCP port `port`.
    #[must_use]
    pub fn new(port: u16, access: BitFlags<AccessNet>) -> PortRule {
        PortRule { port, access }
    }
}

/// Sets of filesystem rights for common jobs (the names of extrasafe 0.5.1).
pub mod access {
    use ::landlock::{AccessFs, BitFlags};

    /// Read files and list directories: `ReadFile | ReadDir`.
    #[must_use]
    pub fn read_path() -> BitFlags<AccessFs> {
        AccessFs::ReadFile | AccessFs::ReadDir
    }

    /// Write to (and truncate) existing files: `WriteFile | Truncate`. Truncation is a right
    /// of its own since Landlock ABI 3; `File::create` on an existing file needs it.
    #[must_use]
    pub fn write_file() -> BitFlags<AccessFs> {
        AccessFs::WriteFile | AccessFs::Truncate
    }

    /// List directories: `ReadDir`.
    #[must_use]
    pub fn list_dir() -> BitFlags<AccessFs> {
        AccessFs::ReadDir.into()
    }

    /// Create regular files: `MakeReg`.
    #[must_use]
    pub fn create_file() -> BitFlags<AccessFs> {
        AccessFs::MakeReg.into()
    }

    /// Create directories: `MakeDir`.
    #[must_use]
    pub fn create_dir() -> BitFlags<AccessFs> {
        AccessFs::MakeDir.into()
    }

    /// Remove files: `RemoveFile`.
    #[must_use]
    pub fn delete_file() -> BitFlags<AccessFs> {
        AccessFs::RemoveFile.into()
    }

    /// Remove empty directories: `RemoveDir`.
    #[must_use]
    pub fn delete_dir() -> BitFlags<AccessFs> {
        AccessFs::RemoveDir.into()
    }

    /// Execute files: `Execute`.
    #[must_use]
    pub fn execute() -> BitFlags<AccessFs> {
        AccessFs::Execute.into()
    }
}
