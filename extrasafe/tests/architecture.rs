//! The layering of ARCHITECTURE.md, checked against the source: every `crate::` path (and
//! `super::`, `self::` and child-module path) of a file of `src/` must be allowed by
//! [`LAYERS`], which is the table ARCHITECTURE.md shows. Test code (`#[cfg(test)]` items and
//! modules) and comments are not looked at.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may import every module of a lower layer and, within
/// its own layer, the modules listed with it. A module is a top-level module of the crate,
/// or a submodule placed apart from its parent (`isolate/config`); a file belongs to the
/// longest module its path starts with.
/// A module, and the modules of its own layer it may import.
type Module = (&'static str, &'static [&'static str]);

const LAYERS: &[(&str, &[Module])] = &[
    (
        "foundation",
        &[
            ("syscalls", &[]),
            ("sys", &[]),
            ("report", &[]),
            ("rights", &[]),
            ("error", &["syscalls"]),
            ("rules", &["syscalls", "rights"]),
        ],
    ),
    (
        "compiler",
        &[
            ("bpf", &[]),
            ("eval", &["bpf"]),
            ("filter", &["bpf", "eval"]),
        ],
    ),
    (
        "rule sets",
        &[
            ("builtins", &[]),
            ("landlock", &["builtins"]),
            ("profiles", &["builtins", "landlock"]),
            ("isolate/capability", &[]),
            ("isolate/config", &["isolate/capability"]),
        ],
    ),
    ("context", &[("context", &[])]),
    (
        "runtime",
        &[
            ("runtime", &[]),
            ("isolate", &[]),
            ("trace", &[]),
            ("worker", &["runtime", "isolate"]),
        ],
    ),
    ("glue", &[("__private", &[]), ("lib", &[])]),
];

/// Test-only modules: not part of the layering.
const TEST_ONLY: &[&str] = &["differential"];

struct Table {
    /// Module -> (layer index, same-layer modules it may import).
    modules: BTreeMap<&'static str, (usize, &'static [&'static str])>,
}

impl Table {
    fn new() -> Table {
        let mut modules = BTreeMap::new();
        for (i, (_, layer)) in LAYERS.iter().enumerate() {
            for &(name, same) in *layer {
                assert!(
                    modules.insert(name, (i, same)).is_none(),
                    "{name} listed twice"
                );
            }
        }
        Table { modules }
    }

    /// The module of the table a module path belongs to.
    fn owner(&self, path: &str) -> Option<&'static str> {
        self.modules
            .keys()
            .copied()
            .filter(|m| path == *m || path.starts_with(&format!("{m}/")))
            .max_by_key(|m| m.len())
    }

    fn allows(&self, from: &str, to: &str) -> bool {
        if from == to {
            return true;
        }
        let (lf, same) = self.modules[from];
        let (lt, _) = self.modules[to];
        lt < lf || (lt == lf && same.contains(&to))
    }
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its module path (`isolate/setup`, `lib`).
fn files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if path.is_dir() {
            files(&path, &format!("{prefix}{name}/"), out);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let module = match stem {
                "mod" => prefix.trim_end_matches('/').to_string(),
                _ => format!("{prefix}{stem}"),
            };
            out.push((module, path));
        }
    }
}

/// The code of a file without comments and with the contents of string and character
/// literals blanked.
fn code_of(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), or a lifetime.
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `code` without its `#[cfg(test)]` items (a test module, a test-only function or `use`).
fn without_test_items(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        // The item ends at the first `;` before any `{`, or with the `}` matching its `{`.
        let mut depth = 0usize;
        let mut end = item.len();
        let mut in_attr = 0usize;
        for (k, ch) in item.char_indices() {
            match ch {
                '[' => in_attr += 1,
                ']' => in_attr = in_attr.saturating_sub(1),
                ';' if depth == 0 && in_attr == 0 => {
                    end = k + 1;
                    break;
                }
                '{' => depth += 1,
                '}' if depth == 0 => {
                    // The end of the enclosing block: the item ended before.
                    end = k;
                    break;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The items of a `{a, b::c, d::{e, f}}` group starting at `s[0] == '{'`.
fn group_items(s: &str) -> Vec<String> {
    let mut depth = 0;
    let mut items = Vec::new();
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '{' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    items.push(cur);
    items
        .into_iter()
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .collect()
}

/// The paths a path (or `use` tree) starting at `s` names, each as its segments after
/// `base`.
fn paths(base: &[String], s: &str, out: &mut Vec<Vec<String>>) {
    let s = s.trim_start();
    if s.starts_with('{') {
        for item in group_items(s) {
            paths(base, &item, out);
        }
        return;
    }
    let mut segs = base.to_vec();
    let mut rest = s;
    loop {
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        let seg = &rest[..len];
        if seg != "self" || segs.is_empty() {
            segs.push(seg.to_string());
        }
        rest = rest[len..].trim_start();
        match rest.strip_prefix("::") {
            Some(r) => {
                rest = r.trim_start();
                if rest.starts_with('{') {
                    out.push(segs.clone());
                    for item in group_items(rest) {
                        paths(&segs, &item, out);
                    }
                    return;
                }
            }
            None => break,
        }
    }
    out.push(segs);
}

/// Where `needle` occurs in `code` as a path start (not after an identifier or `::`).
fn path_starts<'a>(code: &'a str, needle: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(needle) {
        let at = from + at;
        let before = code[..at].chars().next_back();
        let ok = !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        let after = code[at + needle.len()..].trim_start();
        if ok {
            if let Some(rest) = after.strip_prefix("::") {
                found.push(rest);
            }
        }
        from = at + needle.len();
    }
    found
}

struct Crate {
    /// Module path -> its code, test items removed.
    code: BTreeMap<String, String>,
    /// Names the crate root re-exports or exports (`SafetyContext`, `seccomp_arg_filter`)
    /// -> the module path that defines them.
    root_names: BTreeMap<String, String>,
}

impl Crate {
    fn load() -> Crate {
        let mut all = Vec::new();
        files(&src_dir(), "", &mut all);
        let mut code = BTreeMap::new();
        for (module, path) in all {
            if TEST_ONLY.contains(&module.as_str()) {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap();
            // lib.rs names private.rs `__private`.
            let module = if module == "private" {
                "__private".to_string()
            } else {
                module
            };
            code.insert(module, without_test_items(&code_of(&text)));
        }
        let mut root_names = BTreeMap::new();
        for rest in path_starts(&code["lib"], "crate") {
            let mut found = Vec::new();
            paths(&[], rest, &mut found);
            for p in found {
                let defined_in = (1..p.len())
                    .rev()
                    .map(|k| p[..k].join("/"))
                    .find(|m| code.contains_key(m));
                if let Some(m) = defined_in {
                    root_names.insert(p.last().unwrap().clone(), m);
                }
            }
        }
        for (module, c) in &code {
            let mut rest = c.as_str();
            while let Some(at) = rest.find("#[macro_export]") {
                rest = &rest[at..];
                let name_at = rest.find("macro_rules!").unwrap() + "macro_rules!".len();
                let name: String = rest[name_at..]
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                root_names.insert(name, module.clone());
                rest = &rest[name_at..];
            }
        }
        Crate { code, root_names }
    }

    /// The module a path from the crate root names.
    fn resolve(&self, segs: &[String]) -> Option<String> {
        for k in (1..=segs.len()).rev() {
            let m = segs[..k].join("/");
            if self.code.contains_key(&m) {
                return Some(m);
            }
        }
        segs.first().and_then(|s| self.root_names.get(s).cloned())
    }

    /// The modules (paths) the code of `module` names, with the path as written.
    fn references(&self, module: &str) -> Vec<(String, String)> {
        let code = &self.code[module];
        let parts: Vec<String> = if module == "lib" {
            Vec::new()
        } else {
            module.split('/').map(str::to_string).collect()
        };
        let is_dir_module = module == "lib"
            || self
                .code
                .keys()
                .any(|m| m.starts_with(&format!("{module}/")));
        // The module `self::` names, and `super::`.
        let this: Vec<String> = parts.clone();
        let parent: Vec<String> = parts[..parts.len().saturating_sub(1)].to_vec();
        let mut starts: Vec<(Vec<String>, &str, bool)> = Vec::new();
        // (`$crate::` in a macro counts too.)
        for rest in path_starts(code, "crate") {
            starts.push((Vec::new(), rest, false));
        }
        for rest in path_starts(code, "super") {
            starts.push((parent.clone(), rest, true));
        }
        for rest in path_starts(code, "self") {
            starts.push((this.clone(), rest, true));
        }
        if is_dir_module {
            // `mod setup;` makes `setup::…` a path to the child.
            for decl in code.split("mod ").skip(1) {
                let name: String = decl
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if decl[name.len()..].trim_start().starts_with(';') {
                    for rest in path_starts(code, &name) {
                        let mut base = this.clone();
                        base.push(name.clone());
                        starts.push((base, rest, true));
                    }
                }
            }
        }
        let mut refs = Vec::new();
        for (base, rest, relative) in starts {
            let mut found = Vec::new();
            paths(&base, rest, &mut found);
            for p in found {
                let written = p.join("::");
                match self.resolve(&p) {
                    Some(m) => refs.push((m, written)),
                    // `super::` in an inline module (`mod transport { … }`): this file.
                    None if relative => {
                        refs.push((module.to_string(), written));
                    }
                    None => panic!("{module}: cannot tell which module `{written}` is in"),
                }
            }
        }
        refs
    }
}

/// Every import between modules of the table that the table does not allow.
fn violations(krate: &Crate, table: &Table) -> Vec<String> {
    let mut bad = BTreeSet::new();
    for module in krate.code.keys() {
        let from = table
            .owner(module)
            .unwrap_or_else(|| panic!("{module} is in no layer of the table"));
        for (to_path, written) in krate.references(module) {
            let to = table
                .owner(&to_path)
                .unwrap_or_else(|| panic!("{to_path} is in no layer of the table"));
            if !table.allows(from, to) {
                bad.insert(format!("{module} -> {to} (`{written}`)"));
            }
        }
    }
    bad.into_iter().collect()
}

#[test]
fn every_import_runs_down_the_layers() {
    let krate = Crate::load();
    let bad = violations(&krate, &Table::new());
    assert!(
        bad.is_empty(),
        "imports the layering does not allow:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_same_layer_imports_have_no_cycle() {
    let table = Table::new();
    // Depth-first: a module's allowed same-layer imports never lead back to it.
    fn reaches(table: &Table, from: &str, target: &str, seen: &mut BTreeSet<String>) -> bool {
        let (_, same) = table.modules[from];
        same.iter().any(|&m| {
            m == target || (seen.insert(m.to_string()) && reaches(table, m, target, seen))
        })
    }
    for &m in table.modules.keys() {
        assert!(
            !reaches(&table, m, m, &mut BTreeSet::new()),
            "{m} may import itself"
        );
        for &s in table.modules[m].1 {
            assert_eq!(
                table.modules[m].0, table.modules[s].0,
                "{m} lists {s} of another layer"
            );
        }
    }
}

#[test]
fn sys_files_import_nothing_of_their_module() {
    // A `sys.rs` holds syscall wrappers only: it may use the crate's own `sys`, no sibling.
    let krate = Crate::load();
    for module in krate
        .code
        .keys()
        .filter(|m| m.ends_with("/sys") || *m == "sys")
    {
        for (to, written) in krate.references(module) {
            assert!(
                to == "sys" || to == *module || to == "syscalls",
                "{module} imports {to} (`{written}`)"
            );
        }
    }
}

#[test]
fn unsafe_code_is_only_in_sys_files() {
    let krate = Crate::load();
    for (module, code) in &krate.code {
        let is_sys = module == "sys" || module.ends_with("/sys");
        let has_unsafe = path_like_words(code).any(|w| w == "unsafe");
        assert!(is_sys || !has_unsafe, "{module} has unsafe code");
    }
}

fn path_like_words(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
}

#[test]
fn architecture_md_shows_the_table() {
    let doc = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md"))
        .unwrap();
    for (layer, modules) in LAYERS {
        assert!(
            doc.contains(layer),
            "ARCHITECTURE.md does not name the layer `{layer}`"
        );
        for (module, same) in *modules {
            let line = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `{module}` ")))
                .unwrap_or_else(|| panic!("ARCHITECTURE.md has no line for `{module}`"));
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            assert_eq!(cells[2], *layer, "ARCHITECTURE.md: the layer of `{module}`");
            let listed: Vec<String> = same.iter().map(|s| format!("`{s}`")).collect();
            let expected = if listed.is_empty() {
                "—".to_string()
            } else {
                listed.join(", ")
            };
            assert_eq!(
                cells[3], expected,
                "ARCHITECTURE.md: what `{module}` imports of its layer"
            );
        }
    }
}

#[test]
fn an_upward_import_is_caught() {
    // The check itself: builtins naming the context, and the foundation naming profiles.
    let mut krate = Crate::load();
    let table = Table::new();
    krate
        .code
        .get_mut("builtins/basic")
        .unwrap()
        .push_str("\nuse crate::context::SafetyContext;\n");
    krate
        .code
        .get_mut("error")
        .unwrap()
        .push_str("\nfn f() { crate::profiles::systemd::x() }\n");
    let bad = violations(&krate, &table);
    assert!(
        bad.iter()
            .any(|b| b.starts_with("builtins/basic -> context")),
        "{bad:?}"
    );
    assert!(
        bad.iter().any(|b| b.starts_with("error -> profiles")),
        "{bad:?}"
    );
    // A test module may import anything.
    let mut krate = Crate::load();
    let tests = without_test_items(&code_of(
        "#[cfg(test)]\nmod tests {\n    use crate::context::SafetyContext; // x\n}\n",
    ));
    krate.code.insert("error".into(), tests);
    assert!(violations(&krate, &table).is_empty());
}
