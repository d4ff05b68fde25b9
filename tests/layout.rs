//! The layout shows the flow (issue 14): no cycle between the top-level modules of `src/`
//! (input → sources → YAML → model → rules → report → emitters, with secrets and positions as
//! services every stage uses), and the secrets layer in one module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every top-level module and the files it is made of.
fn modules() -> BTreeMap<String, Vec<std::path::PathBuf>> {
    let src = crate::util::manifest_dir().join("src");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if path.is_dir() {
            let mut files = Vec::new();
            collect(&path, &mut files);
            out.entry(name).or_insert_with(Vec::new).extend(files);
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            out.entry(name).or_insert_with(Vec::new).push(path);
        }
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `module → the other top-level modules its code (tests left out) names as `crate::x`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let mut g = BTreeMap::new();
    for (m, files) in &mods {
        let mut deps = BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(f).expect("read");
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for line in code.lines() {
                let line = line.split("//").next().unwrap_or("");
                let mut rest = line;
                while let Some(i) = rest.find("crate::") {
                    rest = &rest[i + 7..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if name != *m && mods.contains_key(&name) {
                        deps.insert(name);
                    }
                }
                // the `text!` macro is the secrets layer's
                if line.contains("text!(") && m != "secrets" {
                    deps.insert("secrets".to_string());
                }
            }
        }
        g.insert(m.clone(), deps);
    }
    g
}

#[test]
fn no_cycle_between_top_level_modules() {
    let g = graph();
    // depth-first search for a path back to the start
    for start in g.keys() {
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((m, path)) = stack.pop() {
            for d in g.get(&m).into_iter().flatten() {
                if d == start {
                    panic!("module cycle: {} -> {start}", path.join(" -> "));
                }
                if seen.insert(d.clone()) {
                    let mut p = path.clone();
                    p.push(d.clone());
                    stack.push((d.clone(), p));
                }
            }
        }
    }
    // the low layers depend on no stage of the flow
    for low in ["source", "secrets", "props", "printable", "yaml", "diag"] {
        for stage in [
            "rules", "model", "check", "pipeline", "report", "emit", "compose", "probe", "app",
        ] {
            assert!(
                !g[low].contains(stage),
                "{low} depends on {stage}: {:?}",
                g[low]
            );
        }
    }
}

#[test]
fn one_secrets_module() {
    let mods = modules();
    for (m, files) in &mods {
        if m == "secrets" {
            continue;
        }
        for f in files {
            let text = std::fs::read_to_string(f).expect("read");
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (what, pattern) in [
                ("the mask", "const MASK"),
                ("a scrubber", "struct Scrubber"),
                ("a URL redactor", "fn redact_url"),
                ("secret names", "fn secrecy("),
            ] {
                assert!(
                    !code.contains(pattern),
                    "{} defines {what} outside src/secrets",
                    f.display()
                );
            }
        }
    }
}
