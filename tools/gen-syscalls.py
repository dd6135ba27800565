#!/usr/bin/env python3
# Generates extrasafe/src/syscalls/{x86_64,aarch64}.rs: the `Sysno` enum
# (system call names and numbers) and the per-argument width table.
#
# Regenerate with (from the workspace root):
#
#   python3 tools/gen-syscalls.py LINUX_RAW_SYS_DIR KERNEL_HEADERS_DIR [OUT_DIR]
#
# The checked-in files were generated from linux-raw-sys 0.12.1 (crates.io)
# and linux-headers-6.12.117+deb12-common (Debian bookworm-security), with:
#
#   cd /tmp && cargo new lrs && cd lrs && cargo add linux-raw-sys@=0.12.1 && cargo fetch
#   cd /tmp && apt-get download linux-headers-6.12.117+deb12-common
#   dpkg -x linux-headers-6.12.117+deb12-common_*.deb /tmp/hdr
#   cd WORKSPACE_ROOT && python3 tools/gen-syscalls.py \
#       ~/.cargo/registry/src/*/linux-raw-sys-0.12.1 \
#       /tmp/hdr/usr/src/linux-headers-6.12.117+deb12-common
#
# Sources:
# * numbers: `pub const __NR_name: u32 = N;` lines of linux-raw-sys's
#   src/x86_64/general.rs and src/aarch64/general.rs;
# * argument widths: the `asmlinkage long sys_NAME(...)` prototypes of
#   include/linux/syscalls.h of the Debian kernel headers package, plus the
#   explicit OVERRIDES table below for system calls defined in arch code or
#   added to Linux after those headers, then the READS_32 corrections for
#   arguments declared wider than what the kernel actually reads.
#
# The kernel reads `int`-sized arguments as their low 32 bits only, whereas
# seccomp BPF sees the full 64-bit registers; the width table tells, for each
# argument, how many bits the kernel actually reads. Any argument type that
# is not in the tables below makes this script fail rather than guess.
#
# Python 3 standard library only.

import os
import re
import sys

ARCHES = ["x86_64", "aarch64"]

# Types the kernel reads at most the low 32 bits of.
TYPES_32 = {
    "int", "signed int", "unsigned int", "unsigned", "signed",
    "short", "unsigned short", "char", "unsigned char", "signed char",
    "u32", "__u32", "s32", "__s32", "u16", "__u16", "u8", "__u8",
    "uint32_t", "int32_t", "uint16_t", "int16_t", "uint8_t", "int8_t",
    "pid_t", "uid_t", "gid_t", "old_uid_t", "old_gid_t",
    "umode_t", "key_serial_t", "clockid_t", "timer_t", "mqd_t", "qid_t",
    "rwf_t", "key_t",
    "__kernel_pid_t", "__kernel_uid32_t", "__kernel_gid32_t",
    "__kernel_clockid_t", "__kernel_timer_t", "__kernel_mqd_t",
    "__kernel_key_t", "__kernel_rwf_t",
}

# Types the kernel reads all 64 bits of (on 64-bit architectures).
TYPES_64 = {
    "long", "signed long", "unsigned long", "long long", "unsigned long long",
    "size_t", "ssize_t", "off_t", "loff_t", "u64", "__u64", "s64", "__s64",
    "uint64_t", "int64_t",
    "aio_context_t", "__kernel_old_time_t", "__kernel_time64_t",
    "__kernel_size_t", "__kernel_ssize_t", "__kernel_off_t", "__kernel_loff_t",
    "old_sigset_t",
    # pointer typedefs
    "cap_user_header_t", "cap_user_data_t", "__sighandler_t",
}

# Syscall name (without __NR_) -> prototype name in syscalls.h (without
# sys_), where the syscall table entry uses a different function.
# Both x86_64 (arch/x86/entry/syscalls/syscall_64.tbl) and aarch64
# (include/uapi/asm-generic/unistd.h) use these entry points.
ALIASES = {
    "x86_64": {
        "stat": "newstat",
        "fstat": "newfstat",
        "lstat": "newlstat",
        "uname": "newuname",
        "sendfile": "sendfile64",
        "umount2": "umount",
        "fadvise64": "fadvise64",
    },
    "aarch64": {
        "fstat": "newfstat",
        "uname": "newuname",
        "sendfile": "sendfile64",
        "umount2": "umount",
        # __NR3264_fadvise64 -> sys_fadvise64_64
        "fadvise64": "fadvise64_64",
        # (__NR_personality is arch/arm64/kernel/sys.c's
        # SYSCALL_DEFINE1(arm64_personality, unsigned int, personality), the
        # same argument type as sys_personality, so no alias is needed.)
    },
}

U = "unsigned long"

# Syscalls with no prototype in the 6.12 include/linux/syscalls.h, because
# their SYSCALL_DEFINE lives in arch code or because they were added to Linux
# after 6.12: explicit argument types, from the kernel source file (and, for
# the newer ones, the Linux release) cited in each comment.
OVERRIDES = {
    "x86_64": {
        # arch/x86/kernel/sys_x86_64.c: SYSCALL_DEFINE6(mmap, unsigned long addr,
        # unsigned long len, unsigned long prot, unsigned long flags,
        # unsigned long fd, unsigned long off)
        "mmap": [U, U, U, U, U, U],
        # arch/x86/kernel/process_64.c: SYSCALL_DEFINE2(arch_prctl, int, option,
        # unsigned long, arg2)
        "arch_prctl": ["int", U],
        # arch/x86/kernel/signal_64.c: SYSCALL_DEFINE0(rt_sigreturn)
        "rt_sigreturn": [],
        # arch/x86/kernel/ioport.c: SYSCALL_DEFINE1(iopl, unsigned int, level)
        "iopl": ["unsigned int"],
        # arch/x86/kernel/ldt.c: SYSCALL_DEFINE3(modify_ldt, int , func,
        # void __user * , ptr , unsigned long , bytecount)
        "modify_ldt": ["int", "void *", U],
        # arch/x86/kernel/tls.c: SYSCALL_DEFINE1(set_thread_area,
        # struct user_desc __user *, u_info)
        "set_thread_area": ["struct user_desc *"],
        # arch/x86/kernel/tls.c: SYSCALL_DEFINE1(get_thread_area,
        # struct user_desc __user *, u_info)
        "get_thread_area": ["struct user_desc *"],
    },
    "aarch64": {
        # arch/arm64/kernel/sys.c: SYSCALL_DEFINE6(mmap, unsigned long, addr,
        # unsigned long, len, unsigned long, prot, unsigned long, flags,
        # unsigned long, fd, unsigned long, off)
        "mmap": [U, U, U, U, U, U],
        # arch/arm64/kernel/signal.c: SYSCALL_DEFINE0(rt_sigreturn)
        "rt_sigreturn": [],
    },
}

# Generic system calls newer than the 6.12 headers (same entry point and
# argument types on both architectures); merged into OVERRIDES below.
NEWER_THAN_HEADERS = {
    # Linux 6.13, fs/xattr.c: SYSCALL_DEFINE6(setxattrat, int, dfd,
    # const char __user *, pathname, unsigned int, at_flags,
    # const char __user *, name, const struct xattr_args __user *, uargs,
    # size_t, usize)
    "setxattrat": ["int", "const char *", "unsigned int", "const char *",
                   "const struct xattr_args *", "size_t"],
    # Linux 6.13, fs/xattr.c: SYSCALL_DEFINE6(getxattrat, int, dfd,
    # const char __user *, pathname, unsigned int, at_flags,
    # const char __user *, name, struct xattr_args __user *, uargs,
    # size_t, usize)
    "getxattrat": ["int", "const char *", "unsigned int", "const char *",
                   "struct xattr_args *", "size_t"],
    # Linux 6.13, fs/xattr.c: SYSCALL_DEFINE5(listxattrat, int, dfd,
    # const char __user *, pathname, unsigned int, at_flags,
    # char __user *, list, size_t, size)
    "listxattrat": ["int", "const char *", "unsigned int", "char *", "size_t"],
    # Linux 6.13, fs/xattr.c: SYSCALL_DEFINE4(removexattrat, int, dfd,
    # const char __user *, pathname, unsigned int, at_flags,
    # const char __user *, name)
    "removexattrat": ["int", "const char *", "unsigned int", "const char *"],
    # Linux 6.15, fs/namespace.c: SYSCALL_DEFINE5(open_tree_attr, int, dfd,
    # const char __user *, filename, unsigned int, flags,
    # struct mount_attr __user *, uattr, size_t, usize)
    "open_tree_attr": ["int", "const char *", "unsigned int",
                       "struct mount_attr *", "size_t"],
    # Linux 6.17, fs/file_attr.c: SYSCALL_DEFINE5(file_getattr, int, dfd,
    # const char __user *, filename, struct file_attr __user *, ufattr,
    # size_t, usize, unsigned int, at_flags)
    "file_getattr": ["int", "const char *", "struct file_attr *", "size_t",
                     "unsigned int"],
    # Linux 6.17, fs/file_attr.c: SYSCALL_DEFINE5(file_setattr, int, dfd,
    # const char __user *, filename, struct file_attr __user *, ufattr,
    # size_t, usize, unsigned int, at_flags)
    "file_setattr": ["int", "const char *", "struct file_attr *", "size_t",
                     "unsigned int"],
}
for _arch in ARCHES:
    for _name, _types in NEWER_THAN_HEADERS.items():
        assert _name not in OVERRIDES[_arch], _name
        OVERRIDES[_arch][_name] = _types

# Arguments that the prototype (or override) declares 64 bits wide but of
# which the kernel reads only the low 32 bits, because the system call passes
# them on to a function taking a 32-bit type (or truncates them explicitly).
# Applied after the prototypes and overrides, to both architectures; each
# entry must turn a 64-bit argument into a 32-bit one, or the script fails.
# Syscall name -> argument indexes (0-based).
READS_32 = {
    # arg0 `unsigned long clone_flags`: kernel/fork.c's SYSCALL_DEFINE5(clone)
    # builds its kernel_clone_args from `lower_32_bits(clone_flags)` (both
    # .flags and .exit_signal) since Linux 5.5 (commit 3f2c788a1314, "fork:
    # prevent accidental access to clone3 features"); lower_32_bits() is
    # `(u32)((n) & 0xffffffff)` (include/linux/wordpart.h). Older kernels
    # passed all 64 bits on, but had no clone flag above bit 31 (the first,
    # CLONE_CLEAR_SIGHAND = 0x100000000ULL, came with 5.5 and is clone3-only,
    # include/uapi/linux/sched.h) and ignored unknown bits, so 32 bits is
    # exact either way.
    "clone": [0],
    # arg4 `unsigned long fd`: the x86_64 (arch/x86/kernel/sys_x86_64.c) and
    # arm64 (arch/arm64/kernel/sys.c) SYSCALL_DEFINE6(mmap) pass fd to
    # mm/mmap.c's ksys_mmap_pgoff(..., unsigned long fd, ...)
    # (include/linux/syscalls.h), whose only uses of it are
    # audit_mmap_fd(int fd, int flags) (include/linux/audit.h) and
    # fget(unsigned int fd) (include/linux/file.h); with MAP_ANONYMOUS it is
    # not read at all.
    "mmap": [4],
    # arg1 `long pid`: kernel/ptrace.c's SYSCALL_DEFINE4(ptrace, long,
    # request, long, pid, unsigned long, addr, unsigned long, data) uses pid
    # only as find_get_task_by_vpid(pid), which takes a `pid_t nr`
    # (include/linux/sched.h); PTRACE_TRACEME does not read it.
    "ptrace": [1],
    # arg0 `unsigned long fd` of the vector read/write calls: fs/read_write.c
    # passes it to do_readv/do_writev/do_preadv/do_pwritev, which take it into
    # fdget_pos()/fdget() (include/linux/file.h: `unsigned int fd`), so only the
    # low 32 bits select the descriptor.
    "readv": [0],
    "writev": [0],
    "preadv": [0],
    "pwritev": [0],
    "preadv2": [0],
    "pwritev2": [0],
}

# System calls that the kernel does not implement (their syscall table entry
# has no entry point, or is sys_ni_syscall), so that no prototype describes
# them: the only ones allowed to lack argument widths; the script prints them.
# x86_64: arch/x86/entry/syscalls/syscall_64.tbl entries without an entry
# point; aarch64: include/uapi/asm-generic/unistd.h's
# `__SYSCALL(__NR_lookup_dcookie, sys_ni_syscall)` and
# `__SYSCALL(__NR_nfsservctl, sys_ni_syscall)`.
UNIMPLEMENTED = {
    "x86_64": {
        "_sysctl", "create_module", "get_kernel_syms", "query_module",
        "nfsservctl", "getpmsg", "putpmsg", "afs_syscall", "tuxcall",
        "security", "lookup_dcookie", "epoll_ctl_old", "epoll_wait_old",
        "vserver",
    },
    "aarch64": {"lookup_dcookie", "nfsservctl"},
}

# Values of the preprocessor conditions that enclose prototypes in
# syscalls.h, for both 64-bit architectures. Conditions not listed here make
# the script fail if they enclose a prototype that is used.
CONDITIONS = {
    # include guard
    "defined(_LINUX_SYSCALLS_H)": False,
    # Both arches set it, which hides the prototypes from C code, but the
    # prototypes still describe the SYSCALL_DEFINE argument types.
    "defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER)": False,
    "BITS_PER_LONG == 32": False,
    "defined(__ARCH_WANT_STAT64) || defined(__ARCH_WANT_COMPAT_STAT64)": False,
    "defined(CONFIG_ODD_RT_SIGACTION)": False,
    "defined(CONFIG_CLONE_BACKWARDS)": False,
    "defined(CONFIG_CLONE_BACKWARDS3)": False,
    "defined(CONFIG_ARCH_SPLIT_ARG64)": False,
    "defined(__ARCH_WANT_SYS_UTIME)": True,
    "defined(CONFIG_OLD_SIGSUSPEND)": False,
    "defined(CONFIG_OLD_SIGSUSPEND3)": False,
    "defined(CONFIG_OLD_SIGACTION)": False,
    "defined(CONFIG_HAVE_UID16)": False,
    "defined(__ARCH_WANT_SYS_OLD_GETRLIMIT)": False,
}


def die(msg):
    sys.stderr.write("gen-syscalls.py: error: " + msg + "\n")
    sys.exit(1)


def read_numbers(lrs_dir, arch):
    path = os.path.join(lrs_dir, "src", arch, "general.rs")
    out = {}
    with open(path) as f:
        for line in f:
            if "__NR_" not in line:
                continue
            m = re.fullmatch(r"pub const __NR_([A-Za-z0-9_]+): u32 = (\d+);", line.strip())
            if not m:
                die("%s: unexpected __NR_ line: %r" % (path, line))
            name, num = m.group(1), int(m.group(2))
            if name in out:
                die("%s: duplicate %s" % (path, name))
            out[name] = num
    if len(set(out.values())) != len(out):
        die("%s: duplicate numbers" % path)
    return out


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def read_prototypes(headers_dir):
    """Returns {name: [param type strings]} for the active prototypes."""
    path = os.path.join(headers_dir, "include", "linux", "syscalls.h")
    with open(path) as f:
        text = strip_comments(f.read())
    # join backslash continuations
    text = text.replace("\\\n", " ")
    stack = []  # list of [condition, polarity]
    protos = {}
    stmt = None  # (accumulated text, condition stack snapshot)
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("#"):
            d = re.match(r"#\s*(\w+)\s*(.*)", s)
            kw, rest = d.group(1), d.group(2).strip()
            if kw == "ifdef":
                stack.append(["defined(%s)" % rest, True])
            elif kw == "ifndef":
                stack.append(["defined(%s)" % rest, False])
            elif kw == "if":
                stack.append([rest, True])
            elif kw == "else":
                stack[-1][1] = not stack[-1][1]
            elif kw == "endif":
                stack.pop()
            elif kw == "elif":
                die("%s: #elif not supported: %s" % (path, s))
            continue
        if stmt is None:
            if not s.startswith("asmlinkage long sys_"):
                continue
            stmt = ("", [tuple(c) for c in stack])
        stmt = (stmt[0] + " " + s, stmt[1])
        if ";" not in s:
            continue
        decl, conds = stmt
        stmt = None
        m = re.fullmatch(r"\s*asmlinkage long sys_(\w+)\s*\((.*)\)\s*;\s*", decl, flags=re.S)
        if not m:
            die("%s: cannot parse prototype: %r" % (path, decl))
        name, params = m.group(1), m.group(2)
        active = True
        unknown = []
        for cond, pol in conds:
            if cond not in CONDITIONS:
                unknown.append(cond)
                continue
            if CONDITIONS[cond] != pol:
                active = False
        if not active:
            continue
        params = [p.strip() for p in params.split(",")]
        if params == ["void"]:
            params = []
        if unknown:
            # Fail later, if this prototype is actually used.
            params = ("UNKNOWN_CONDITION", unknown)
        if name in protos:
            die("%s: two active prototypes for sys_%s" % (path, name))
        protos[name] = params
    if stack:
        die("%s: unbalanced #if" % path)
    return protos


def classify(param, where):
    """Returns 32 or 64 for one C parameter declaration."""
    if "*" in param or "[" in param or "(" in param:
        return 64
    words = [w for w in param.split() if w not in ("const", "volatile", "__user", "__force")]
    if not words:
        die("%s: empty parameter" % where)
    if words[0] == "enum":
        # C enums whose values fit in int are int-sized.
        return 32
    for cand in (words, words[:-1]):
        t = " ".join(cand)
        if t in TYPES_32:
            return 32
        if t in TYPES_64:
            return 64
    die("%s: unknown argument type %r (add it to TYPES_32 or TYPES_64)" % (where, param))


def widths_for(arch, name, protos):
    ws, src = raw_widths_for(arch, name, protos)
    if name in READS_32:
        if ws is None:
            die("READS_32 entry for %s/%s, which has no argument widths" % (arch, name))
        for i in READS_32[name]:
            if i >= len(ws):
                die("READS_32 entry for %s/%s arg%d, but it has %d arguments"
                    % (arch, name, i, len(ws)))
            if ws[i] != 64:
                die("READS_32 entry for %s/%s arg%d, which is already 32 bits"
                    % (arch, name, i))
            ws[i] = 32
    return ws, src


def raw_widths_for(arch, name, protos):
    if name in OVERRIDES[arch]:
        return [classify(p, "override %s/%s" % (arch, name)) for p in OVERRIDES[arch][name]], "override"
    proto = ALIASES[arch].get(name, name)
    if proto not in protos:
        return None, None
    params = protos[proto]
    if isinstance(params, tuple):
        die("sys_%s is under unknown preprocessor conditions %r; add them to CONDITIONS"
            % (proto, params[1]))
    ws = [classify(p, "sys_%s" % proto) for p in params]
    if len(ws) > 6:
        die("sys_%s has more than six arguments" % proto)
    return ws, "sys_" + proto


def gen_arch(arch, numbers, protos, header, out_dir):
    entries = sorted(numbers.items(), key=lambda kv: kv[1])
    max_id = entries[-1][1]
    widths = {}
    missing = []
    for name, _ in entries:
        ws, _src = widths_for(arch, name, protos)
        if ws is None:
            missing.append(name)
        widths[name] = ws

    slice_names = {}
    for ws in widths.values():
        if ws is None:
            continue
        key = tuple(ws)
        if key not in slice_names:
            slice_names[key] = "W" + ("_" + "_".join(str(w) for w in key) if key else "_NONE")
    by_id = {num: name for name, num in entries}

    o = []
    o.append(header)
    o.append("")
    o.append("use super::ArgWidth::{self, Bits32, Bits64};")
    o.append("")
    o.append("/// A Linux system call of the target architecture (`%s`)." % arch)
    o.append("///")
    o.append("/// Each variant is named exactly as the kernel names the system call (its")
    o.append("/// `__NR_` constant without the prefix) and its discriminant is the system")
    o.append("/// call number. Generated by `tools/gen-syscalls.py` from the tables of the")
    o.append("/// `linux-raw-sys` crate.")
    o.append("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]")
    o.append("#[repr(i32)]")
    o.append("#[allow(non_camel_case_types)]")
    o.append("pub enum Sysno {")
    for name, num in entries:
        o.append("    /// The `%s` system call (number %d)." % (name, num))
        o.append("    %s = %d," % (name, num))
    o.append("}")
    o.append("")
    o.append("/// Names indexed by system call number; empty for unused numbers.")
    o.append("const NAMES: [&str; %d] = [" % (max_id + 1))
    for i in range(max_id + 1):
        o.append('    "%s",' % by_id.get(i, ""))
    o.append("];")
    o.append("")
    o.append("/// System calls indexed by number.")
    o.append("const BY_ID: [Option<Sysno>; %d] = [" % (max_id + 1))
    for i in range(max_id + 1):
        o.append("    Some(Sysno::%s)," % by_id[i] if i in by_id else "    None,")
    o.append("];")
    o.append("")
    o.append("/// System calls sorted by name, for binary search.")
    o.append("const BY_NAME: [(&str, Sysno); %d] = [" % len(entries))
    for name in sorted(numbers):
        o.append('    ("%s", Sysno::%s),' % (name, name))
    o.append("];")
    o.append("")
    for key, sname in sorted(slice_names.items(), key=lambda kv: (len(kv[0]), kv[0])):
        items = ", ".join("Bits%d" % w for w in key)
        o.append("const %s: &[ArgWidth] = &[%s];" % (sname, items))
    o.append("")
    o.append("/// Argument widths indexed by system call number.")
    o.append("const WIDTHS: [Option<&[ArgWidth]>; %d] = [" % (max_id + 1))
    for i in range(max_id + 1):
        ws = widths.get(by_id[i]) if i in by_id else None
        o.append("    Some(%s)," % slice_names[tuple(ws)] if ws is not None else "    None,")
    o.append("];")
    o.append("")
    o.append("impl Sysno {")
    o.append("    /// All system calls of this architecture, in ascending order of number.")
    o.append("    pub const ALL: &'static [Sysno] = &[")
    for name, _ in entries:
        o.append("        Sysno::%s," % name)
    o.append("    ];")
    o.append("")
    o.append("    /// The highest system call number known for this architecture.")
    o.append("    pub const MAX_ID: i32 = %d;" % max_id)
    o.append("")
    o.append("    /// The kernel's name of the system call, e.g. `\"read\"`.")
    o.append("    #[must_use]")
    o.append("    pub const fn name(&self) -> &'static str {")
    o.append("        NAMES[*self as usize]")
    o.append("    }")
    o.append("")
    o.append("    /// The system call number.")
    o.append("    #[must_use]")
    o.append("    pub const fn id(&self) -> i32 {")
    o.append("        *self as i32")
    o.append("    }")
    o.append("")
    o.append("    /// The system call with number `id`, or `None` if this architecture")
    o.append("    /// has no system call with that number.")
    o.append("    #[must_use]")
    o.append("    pub const fn from_id(id: i32) -> Option<Sysno> {")
    o.append("        if id < 0 || id > Self::MAX_ID {")
    o.append("            return None;")
    o.append("        }")
    o.append("        BY_ID[id as usize]")
    o.append("    }")
    o.append("")
    o.append("    /// The system call named exactly `name`, or `None` if there is none.")
    o.append("    #[must_use]")
    o.append("    pub fn from_name(name: &str) -> Option<Sysno> {")
    o.append("        BY_NAME")
    o.append("            .binary_search_by(|(n, _)| (*n).cmp(name))")
    o.append("            .ok()")
    o.append("            .map(|i| BY_NAME[i].1)")
    o.append("    }")
    o.append("")
    o.append("    /// Iterates over all system calls, in ascending order of number.")
    o.append("    pub fn iter() -> impl Iterator<Item = Sysno> {")
    o.append("        Self::ALL.iter().copied()")
    o.append("    }")
    o.append("")
    o.append("    /// How many bits of each argument the kernel reads, one entry per")
    o.append("    /// argument the system call takes; `None` if unknown.")
    o.append("    #[must_use]")
    o.append("    pub(crate) const fn arg_widths(&self) -> Option<&'static [ArgWidth]> {")
    o.append("        WIDTHS[*self as usize]")
    o.append("    }")
    o.append("}")
    o.append("")
    o.append("impl core::fmt::Display for Sysno {")
    o.append("    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {")
    o.append("        f.write_str(self.name())")
    o.append("    }")
    o.append("}")
    o.append("")
    path = os.path.join(out_dir, arch + ".rs")
    with open(path, "w") as f:
        f.write("\n".join(o))
    return len(entries), missing


def main():
    if len(sys.argv) not in (3, 4):
        die("usage: gen-syscalls.py LINUX_RAW_SYS_DIR KERNEL_HEADERS_DIR [OUT_DIR]")
    lrs_dir, headers_dir = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[3] if len(sys.argv) == 4 else os.path.join(
        here, "..", "extrasafe", "src", "syscalls")

    m = re.search(r"linux-raw-sys-(\d+\.\d+\.\d+)", os.path.abspath(lrs_dir))
    if not m:
        die("cannot tell the linux-raw-sys version from the path %s" % lrs_dir)
    lrs_ver = m.group(1)
    hdr_pkg = os.path.basename(os.path.normpath(headers_dir))
    if not hdr_pkg.startswith("linux-headers-"):
        die("headers dir should be .../usr/src/linux-headers-VERSION-common")

    header = "\n".join([
        "// @generated by tools/gen-syscalls.py from linux-raw-sys %s and %s; do not edit."
        % (lrs_ver, hdr_pkg),
        "// Regenerate from the workspace root with the command below; the top of",
        "// tools/gen-syscalls.py says how to fetch both sources:",
        "//   python3 tools/gen-syscalls.py path/to/linux-raw-sys-%s \\" % lrs_ver,
        "//       path/to/usr/src/%s" % hdr_pkg,
    ])

    protos = read_prototypes(headers_dir)
    for arch in ARCHES:
        numbers = read_numbers(lrs_dir, arch)
        for name in OVERRIDES[arch]:
            if name not in numbers:
                die("override for %s/%s, which linux-raw-sys does not list" % (arch, name))
            if ALIASES[arch].get(name, name) in protos:
                die("override for %s/%s, which has a prototype in syscalls.h" % (arch, name))
        for name in READS_32:
            if name not in numbers:
                die("READS_32 entry for %s/%s, which linux-raw-sys does not list" % (arch, name))
        count, missing = gen_arch(arch, numbers, protos, header, out_dir)
        unexpected = [n for n in missing if n not in UNIMPLEMENTED[arch]]
        if unexpected:
            die("%s: no argument widths for %s; add them to OVERRIDES (with the kernel "
                "source they come from) or, if unimplemented, to UNIMPLEMENTED"
                % (arch, " ".join(unexpected)))
        stale = sorted(UNIMPLEMENTED[arch] - set(missing))
        if stale:
            die("%s: UNIMPLEMENTED lists %s, which have argument widths or are not system "
                "calls" % (arch, " ".join(stale)))
        print("%s: %d system calls; without argument widths (unimplemented stubs), %d: %s"
              % (arch, count, len(missing), " ".join(missing)))


if __name__ == "__main__":
    main()
