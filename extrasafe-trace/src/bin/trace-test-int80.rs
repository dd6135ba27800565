//! A test helper for the tracer: makes the i386 `getpid` (20) and `write` (4) calls through
//! `int 0x80` from an x86_64 program, then exits. The whole file is a syscall wrapper.

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn int80(nr: u32, a: u32, b: u32, c: u32) -> i64 {
    let mut ret = i64::from(nr);
    // SAFETY: `int 0x80` enters the kernel's i386 syscall path; the only calls made here are
    // getpid (no arguments) and write of a static buffer, whose address fits in 32 bits
    // only if the loader put it there, else the kernel answers EFAULT: no memory of this
    // program is written. rbx, rcx and rdx carry the arguments and are restored by the
    // kernel; rbx is saved around the call because the compiler reserves it.
    unsafe {
        std::arch::asm!(
            "xchg {a:r}, rbx",
            "int 0x80",
            "xchg {a:r}, rbx",
            a = inout(reg) u64::from(a) => _,
            inout("rax") ret,
            in("rcx") c,
            in("rdx") b,
            options(nostack),
        );
    }
    ret
}

fn main() {
    #[cfg(target_arch = "x86_64")]
    {
        let pid = int80(20, 0, 0, 0);
        assert_eq!(pid, i64::from(std::process::id()), "i386 getpid");
        // write(1, NULL, 0): an i386 write that writes nothing.
        let wrote = int80(4, 1, 0, 0);
        println!("int80: getpid {pid}, write {wrote}");
    }
}
