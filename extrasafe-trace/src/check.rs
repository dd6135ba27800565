//! `extrasafe-trace --check FILTER CALL...`: what a compiled filter decides for a call,
//! without loading it.
//!
//! FILTER holds the bytes of a seccomp program, as
//! [`CompiledFilter::to_bytes`](extrasafe::CompiledFilter::to_bytes) (or libseccomp's
//! `seccomp_export_bpf`) writes them. Each CALL is a syscall name or number with up to six
//! arguments, `write(1, 0, 5)`, `getpid` or `nr:39(0)`; arguments are decimal, `0x` hex or
//! negative (an `int` such as `AT_FDCWD`, `-100`, sign-extended as the register holds it).
//! Prefix a call with `i386:` for a 32-bit `int 0x80` call. The answer comes from
//! [`extrasafe::eval`], which runs the program's instructions as the kernel does.
//!
//! ```
//! use extrasafe::{builtins::SystemIO, SafetyContext};
//! let filter = SafetyContext::new().enable(SystemIO::nothing().allow_stdout())?.compile()?;
//! let program = extrasafe_trace::check::program(&filter.to_bytes())?;
//! let line = extrasafe_trace::check::check(&program, "write(1, 0, 5)")?;
//! assert!(line.starts_with("write(0x1, 0x0, 0x5): allow"), "{line}");
//! let line = extrasafe_trace::check::check(&program, "write(2, 0, 5)")?;
//! assert!(line.contains("errno 1 (EPERM)"), "{line}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use extrasafe::eval::{self, SeccompData};
use extrasafe::syscalls::Sysno;
use extrasafe::BpfInstruction;

/// The audit architecture of a 32-bit x86 (`int 0x80`) call.
const AUDIT_ARCH_I386: u32 = 0x4000_0003;

/// A program read from FILTER's bytes and checked as the kernel checks it.
///
/// # Errors
/// The reason the bytes are not a program the kernel would load.
pub fn program(bytes: &[u8]) -> Result<Vec<BpfInstruction>, String> {
    let program = eval::parse(bytes).map_err(|e| format!("not a seccomp program: {e}"))?;
    eval::check(&program).map_err(|e| format!("the kernel would refuse this program: {e}"))?;
    Ok(program)
}

/// A call as `check` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The architecture the call is made with.
    pub arch: u32,
    /// The syscall number.
    pub nr: i32,
    /// The name, if the number is in extrasafe's table (native calls only).
    pub name: Option<&'static str>,
    /// The arguments given; the others are 0.
    pub args: Vec<u64>,
}

impl Call {
    /// The `struct seccomp_data` the kernel hands the filter for this call.
    pub fn data(&self) -> SeccompData {
        let mut args = [0u64; 6];
        args[..self.args.len()].copy_from_slice(&self.args);
        SeccompData {
            nr: self.nr,
            arch: self.arch,
            instruction_pointer: 0,
            args,
        }
    }
}

fn number(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(neg) = s.strip_prefix('-') {
        let v = number(neg)?;
        let v = i64::try_from(v).ok()?;
        return Some(u64::from_ne_bytes((-v).to_ne_bytes()));
    }
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Reads a CALL: `NAME`, `NAME(ARG, ...)`, `nr:NUMBER(...)`, optionally prefixed by `i386:`.
///
/// # Errors
/// What is wrong with the text, naming the part.
pub fn parse_call(text: &str) -> Result<Call, String> {
    let text = text.trim();
    let (arch, rest) = match text.strip_prefix("i386:") {
        Some(rest) => (AUDIT_ARCH_I386, rest),
        None => (eval::NATIVE_ARCH, text),
    };
    let (head, args) = match rest.find('(') {
        Some(open) => {
            let inner = rest[open + 1..]
                .strip_suffix(')')
                .ok_or_else(|| format!("`{text}`: the arguments must end with `)`"))?;
            let args = if inner.trim().is_empty() {
                Vec::new()
            } else {
                inner
                    .split(',')
                    .map(|a| {
                        number(a).ok_or_else(|| {
                            format!(
                                "`{text}`: argument `{}` is not a number (decimal, 0x hex or \
                                 negative)",
                                a.trim()
                            )
                        })
                    })
                    .collect::<Result<Vec<u64>, String>>()?
            };
            (rest[..open].trim(), args)
        }
        None => (rest, Vec::new()),
    };
    if args.len() > 6 {
        return Err(format!(
            "`{text}`: {} arguments given, a syscall has at most 6",
            args.len()
        ));
    }
    let (nr, name) = if let Some(n) = head.strip_prefix("nr:") {
        let nr = number(n)
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| format!("`{text}`: `{n}` is not a syscall number"))?;
        let name = (arch == eval::NATIVE_ARCH)
            .then(|| Sysno::from_id(nr).map(|s| s.name()))
            .flatten();
        (nr, name)
    } else if arch == AUDIT_ARCH_I386 {
        return Err(format!(
            "`{text}`: give i386 calls by number (`i386:nr:20`): extrasafe's table has the \
             native numbers only"
        ));
    } else {
        let sysno = Sysno::from_name(head)
            .ok_or_else(|| format!("`{text}`: `{head}` is not a syscall of this architecture"))?;
        (sysno.id(), Some(sysno.name()))
    };
    Ok(Call {
        arch,
        nr,
        name,
        args,
    })
}

/// What `program` decides for the call in `text`, as one line:
/// `write(0x1, 0x0, 0x5): allow (7 instructions)`.
///
/// # Errors
/// What is wrong with `text` (see [`parse_call`]).
pub fn check(program: &[BpfInstruction], text: &str) -> Result<String, String> {
    let call = parse_call(text)?;
    let outcome = eval::run(program, &call.data()).map_err(|e| e.to_string())?;
    let name = match (call.name, call.arch) {
        (Some(name), _) => name.to_string(),
        (None, AUDIT_ARCH_I386) => format!("i386:nr:{}", call.nr),
        (None, _) => format!("nr:{}", call.nr),
    };
    let args: Vec<String> = call.args.iter().map(|a| format!("{a:#x}")).collect();
    let action = outcome.action;
    Ok(format!(
        "{name}({}): {action} ({} instructions)",
        args.join(", "),
        outcome.executed
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use extrasafe::builtins::{Networking, SystemIO};
    use extrasafe::SafetyContext;

    fn stdout_only() -> Vec<BpfInstruction> {
        let filter = SafetyContext::new()
            .enable(SystemIO::nothing().allow_stdout())
            .unwrap()
            .compile()
            .unwrap();
        program(&filter.to_bytes()).unwrap()
    }

    #[test]
    fn calls_are_read_with_names_numbers_and_negative_ints() {
        let c = parse_call("openat(-100, 0x10, 0)").unwrap();
        assert_eq!(c.nr, Sysno::openat.id());
        assert_eq!(c.args, vec![(-100i64).cast_unsigned(), 16, 0]);
        assert_eq!(parse_call("getpid").unwrap().args, Vec::<u64>::new());
        assert_eq!(parse_call("getpid()").unwrap().args, Vec::<u64>::new());
        let raw = parse_call("nr:39").unwrap();
        assert_eq!(raw.name, Sysno::from_id(39).map(|s| s.name()));
        let i386 = parse_call("i386:nr:20(1)").unwrap();
        assert_eq!((i386.arch, i386.nr, i386.name), (AUDIT_ARCH_I386, 20, None));
    }

    #[test]
    fn bad_calls_are_errors_naming_the_part() {
        for (text, part) in [
            ("frobnicate(1)", "`frobnicate` is not a syscall"),
            ("write(1, x)", "argument `x`"),
            ("write(1", "must end with `)`"),
            ("write(1,2,3,4,5,6,7)", "7 arguments"),
            ("nr:abc", "`abc` is not a syscall number"),
            ("nr:99999999999", "is not a syscall number"),
            ("i386:write(1)", "by number"),
            ("write(-99999999999999999999)", "is not a number"),
        ] {
            let err = parse_call(text).unwrap_err();
            assert!(err.contains(part), "{text}: {err}");
        }
    }

    #[test]
    fn the_answer_is_the_filters() {
        let p = stdout_only();
        assert!(check(&p, "write(1, 0, 5)").unwrap().contains(": allow ("));
        assert!(check(&p, "write(2)")
            .unwrap()
            .contains(": errno 1 (EPERM) ("));
        // Junk above the 32 bits of an `int` fd: the kernel reads fd 1.
        assert!(check(&p, "write(0xffffffff00000001)")
            .unwrap()
            .contains(": allow ("));
        assert!(check(&p, "clone3").unwrap().contains("errno 38 (ENOSYS)"));
        assert!(check(&p, "i386:nr:4(1)")
            .unwrap()
            .contains("kill the process"));
        let tcp = SafetyContext::new()
            .enable(Networking::nothing().allow_start_tcp_clients())
            .unwrap()
            .compile()
            .unwrap();
        let p = program(&tcp.to_bytes()).unwrap();
        let inet = format!("socket({}, {}, 0)", libc::AF_INET, libc::SOCK_STREAM);
        assert!(check(&p, &inet).unwrap().contains(": allow ("));
        let unix = format!("socket({}, {}, 0)", libc::AF_UNIX, libc::SOCK_STREAM);
        assert!(check(&p, &unix).unwrap().contains(": errno 1"));
    }

    #[test]
    fn bytes_that_are_not_a_program_are_an_error() {
        assert!(program(&[1, 2, 3])
            .unwrap_err()
            .contains("not a seccomp program"));
        // `ld [1]`: a misaligned load, then a return.
        let bytes = [0x20u8, 0, 0, 0, 1, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0xff, 0x7f];
        assert!(program(&bytes).unwrap_err().contains("would refuse"));
    }
}
