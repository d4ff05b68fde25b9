//! Names the git commit in `--version` when the crate is built from a git checkout (`cargo
//! install --path .`, `--git`): `dsf-connections 0.1.0 (3f2a9c1d7e4b 2025-06-01)`. Anywhere
//! else (a crates.io package, no git on the machine) the version is the plain crate version:
//! every failure here is silent, since a missing commit must never break a build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    let mut suffix = String::new();
    let inside = git(&["rev-parse", "--is-inside-work-tree"]).is_some_and(|s| s == "true");
    // a crate unpacked inside some other repository (a vendored copy) must not take its commit
    let same = |a: &Path, b: &Path| a.canonicalize().ok() == b.canonicalize().ok();
    let own = git(&["rev-parse", "--show-toplevel"])
        .zip(std::env::var_os("CARGO_MANIFEST_DIR"))
        .is_some_and(|(top, dir)| same(&PathBuf::from(top), &PathBuf::from(dir)));
    if inside
        && own
        && let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"])
    {
        let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap_or_default();
        suffix = format!(
            " ({commit}{}{date})",
            if date.is_empty() { "" } else { " " }
        );
        // rebuild when HEAD moves: HEAD itself, and the branch file it points to
        for path in [
            git(&["rev-parse", "--git-path", "HEAD"]),
            git(&["symbolic-ref", "-q", "HEAD"])
                .and_then(|r| git(&["rev-parse", "--git-path", &r])),
            git(&["rev-parse", "--git-path", "packed-refs"]),
        ]
        .into_iter()
        .flatten()
        // a path that does not exist would make cargo rerun this script on every build
        .filter(|p| Path::new(p).exists())
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    if suffix.is_empty() {
        // a package made by `cargo package` records its commit
        let info = std::fs::read_to_string(".cargo_vcs_info.json").unwrap_or_default();
        if let Some(at) = info.find("\"sha1\"") {
            let sha: String = info[at + 6..]
                .chars()
                .skip_while(|c| !c.is_ascii_hexdigit())
                .take_while(char::is_ascii_hexdigit)
                .take(12)
                .collect();
            if sha.len() == 12 {
                suffix = format!(" ({sha})");
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=DSF_CONNECTIONS_GIT_SUFFIX={suffix}");
}
