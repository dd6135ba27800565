#!/usr/bin/env python3
# Generates extrasafe/tests/data/systemd-groups.txt: systemd's syscall filter groups
# (`syscall_filter_sets[]` of src/shared/seccomp-util.c) as plain data, for the test
# extrasafe/tests/profiles_systemd.rs, which compares it with the tables of
# extrasafe/src/profiles/systemd.rs (membership, nesting, help strings) and with the
# result of expanding the groups on the architecture the test runs on.
#
# Regenerate from the workspace root with:
#
#   python3 tools/gen-systemd-groups.py path/to/systemd-syscall-groups.md \
#       > extrasafe/tests/data/systemd-groups.txt
#
# The input is the reference file that lists, per group, the help string, the included
# groups, the direct members in systemd's order, the members absent from x86_64 and
# aarch64 ("Arch notes"), and for some groups the fully expanded set. The script checks
# that the counts the reference states match the lists it gives, and fails on anything it
# does not understand rather than guess.
#
# Output format, one record per line, `#` lines are comments:
#
#   group @name                 starts a group (in systemd's order)
#   help <text>                 the verbatim help string
#   include @a @b ...           included groups (may be empty)
#   members a b c ...           direct members, in systemd's order
#   absent-x86_64 a b ...       members with no syscall number on x86_64
#   absent-aarch64 a b ...      members with no syscall number on aarch64
#   expanded a b c ...          the fully expanded set, where the reference lists it
#   count-x86_64 N              (only @known) how many direct members have an x86_64 number
#   count-aarch64 N             (only @known) likewise for aarch64
#
# Python 3 standard library only.

import re
import sys

NAMES = re.compile(r"`([^`]+)`")


def fail(msg):
    sys.exit(f"gen-systemd-groups: {msg}")


def names_of(line):
    return NAMES.findall(line)


def next_list(lines, i):
    """The backticked names on the first non-empty line after line i."""
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j == len(lines):
        fail(f"a list was expected after line {i + 1}")
    return names_of(lines[j]), j


def parse(text):
    lines = text.splitlines()
    summary = {}
    groups = []
    cur = None
    for i, line in enumerate(lines):
        m = re.match(r"^\| `(@[a-z-]+)` \| (.*?) \| (\d+)", line)
        if m:
            summary[m.group(1)] = (m.group(2), int(m.group(3)))
            continue
        m = re.match(r"^### `(@[a-z-]+)`\s*$", line)
        if m:
            cur = {
                "name": m.group(1),
                "help": None,
                "include": None,
                "members": None,
                "absent-x86_64": [],
                "absent-aarch64": [],
                "expanded": None,
                "counts": None,
            }
            groups.append(cur)
            continue
        if cur is None:
            continue
        m = re.match(r'^- \*\*Help string:\*\* "(.*)"\s*$', line)
        if m:
            cur["help"] = m.group(1)
            continue
        m = re.match(r"^- \*\*Includes groups:\*\* (.*)$", line)
        if m:
            cur["include"] = [] if m.group(1).strip() == "none" else names_of(m.group(1))
            continue
        m = re.match(r"^- \*\*Direct member syscalls \((\d+), in systemd's order\):\*\*", line)
        if m:
            members, _ = next_list(lines, i)
            if len(members) != int(m.group(1)):
                fail(f"{cur['name']}: {m.group(1)} members announced, {len(members)} listed")
            cur["members"] = members
            continue
        if line.startswith("- **Direct members:**") and cur["name"] == "@known":
            m = re.search(r"listed below \((\d+) names", line)
            members, _ = next_list(lines, i)
            if not m or len(members) != int(m.group(1)):
                fail(f"@known: the member count does not match the list ({len(members)})")
            cur["members"] = members
            continue
        m = re.match(r"^- \*\*Fully expanded set \((\d+) unique names", line)
        if m:
            expanded, _ = next_list(lines, i)
            if len(expanded) != int(m.group(1)):
                fail(f"{cur['name']}: {m.group(1)} expanded names announced, {len(expanded)} listed")
            cur["expanded"] = expanded
            continue
        m = re.match(r"^- Of these (\d+) names, (\d+) have an x86_64 number and (\d+) have an aarch64", line)
        if m:
            cur["counts"] = (int(m.group(2)), int(m.group(3)))
            continue
        m = re.match(r"^  - `([^`]+)`: (.*)$", line)
        if m:
            name, note = m.group(1), m.group(2)
            if cur["members"] is None or name not in cur["members"]:
                fail(f"{cur['name']}: arch note for `{name}`, which is not a member")
            if note.startswith("neither"):
                cur["absent-x86_64"].append(name)
                cur["absent-aarch64"].append(name)
            elif note == "not on aarch64":
                cur["absent-aarch64"].append(name)
            elif note == "not on x86_64":
                cur["absent-x86_64"].append(name)
            elif re.fullmatch(r"x86_64: nr \d+ reserved, no 64-bit implementation \(always ENOSYS\); not on aarch64", note):
                # The number exists (libseccomp resolves it), the kernel answers ENOSYS.
                cur["absent-aarch64"].append(name)
            elif re.fullmatch(r"x86_64: nr \d+ reserved, no 64-bit implementation \(always ENOSYS\)", note):
                pass
            else:
                fail(f"{cur['name']}: arch note not understood: {line.strip()}")
            continue

    if [g["name"] for g in groups] != list(summary):
        fail("the per-group sections and the summary table list different groups")
    for g in groups:
        for key in ("help", "include", "members"):
            if g[key] is None:
                fail(f"{g['name']}: no {key} found")
        help_, count = summary[g["name"]]
        if g["name"] != "@known" and len(g["members"]) != count:
            fail(f"{g['name']}: the summary says {count} members, the section lists {len(g['members'])}")
        if g["name"] == "@known" and g["counts"] is None:
            fail("@known: no per-architecture counts found")
        if help_ != g["help"]:
            fail(f"{g['name']}: the help strings of the summary and the section differ")
    return groups


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen-systemd-groups.py path/to/systemd-syscall-groups.md")
    with open(sys.argv[1], encoding="utf-8") as f:
        groups = parse(f.read())
    out = [
        "# @generated by tools/gen-systemd-groups.py from the systemd syscall group reference",
        "# (systemd src/shared/seccomp-util.c, bluca/systemd 1a86520849728e8a7f10e343f996976fbd1ed851;",
        "# @known from systemd/systemd 098599e70476b75be07100367b546d5c0c614a1a syscall-list.txt;",
        "# architecture data from libseccomp 90d3f7dd6f52dbf0f4a38ebd0657032b6ef05e6a).",
        "# Do not edit: regenerate with the command at the top of the script.",
    ]
    for g in groups:
        out.append("")
        out.append(f"group {g['name']}")
        out.append(f"help {g['help']}")
        out.append(" ".join(["include"] + g["include"]))
        out.append(" ".join(["members"] + g["members"]))
        out.append(" ".join(["absent-x86_64"] + g["absent-x86_64"]))
        out.append(" ".join(["absent-aarch64"] + g["absent-aarch64"]))
        if g["expanded"] is not None:
            out.append(" ".join(["expanded"] + g["expanded"]))
        if g["counts"] is not None:
            out.append(f"count-x86_64 {g['counts'][0]}")
            out.append(f"count-aarch64 {g['counts'][1]}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
