//! The variables compose interpolates a project with: `--env-file` or the `.env` of the
//! project folder, each value interpolated itself (unquoted and double-quoted values expand
//! `$VAR`, single-quoted ones do not). A `$` compose would eat there (`pa$word` becomes `pa`)
//! is reported in that file, which then becomes a source of the run, its secret values masked.

use super::dotenv;
use super::interpolate::{Finding, FindingKind};
use super::templates;
use crate::source::Span;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// An env file of the project with something to report: its text, what and where.
#[derive(Debug)]
pub struct Reported {
    pub path: PathBuf,
    pub text: String,
    /// The variable, where in `text`, and what compose does there.
    pub findings: Vec<(String, Span, Finding)>,
    /// The values of its secret variables, to mask.
    pub secrets: Vec<Span>,
}

/// What [`read`] gives.
pub struct Read {
    pub vars: HashMap<String, String>,
    pub reported: Vec<Reported>,
    /// What the env files' secret variables' defaults come to (`X=${DB_PASSWORD:-...}`):
    /// secret wherever they land.
    pub defaults: Vec<String>,
}

/// A `$` compose takes for a variable that is not set, where the writer meant a literal `$`
/// (a lower-case name: `pa$word`).
fn eaten(f: &Finding) -> bool {
    matches!(&f.kind, FindingKind::Unset { name, braced: false } if name.chars().any(|c| c.is_ascii_lowercase()))
}

/// The variables (from `env_files`, else the `.env` of `dir` and of `outer`), the env files
/// to report, and why compose refuses one (into `failed`).
pub fn read(
    env_files: &[PathBuf],
    dir: &Path,
    outer: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    secret: &dyn Fn(&str, &str) -> bool,
    failed: &mut Vec<String>,
) -> Read {
    let files: Vec<PathBuf> = if env_files.is_empty() {
        // the outer folder's `.env` last: its values win, as the environment's do
        std::iter::once(dir)
            .chain(outer)
            .map(|d| d.join(".env"))
            .filter(|f| f.is_file())
            .collect()
    } else {
        env_files.to_vec()
    };
    let mut vars = HashMap::new();
    let mut reported = Vec::new();
    let mut defaults = Vec::new();
    for f in files {
        let text = crate::files::read_regular(&f)
            .map_err(|e| e.describe())
            .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".to_string()));
        let parsed = text.and_then(|t| dotenv::parse(&t).map(|p| (t, p)));
        let (text, parsed) = match parsed {
            Ok(p) => p,
            Err(why) => {
                failed.push(format!(
                    "env file {}: {why} (docker compose would refuse to start)",
                    f.display()
                ));
                continue;
            }
        };
        let mut findings = Vec::new();
        let mut secrets = Vec::new();
        super::mask_secret_args(&text, env, &mut secrets, &mut defaults);
        for r in dotenv::resolve(&parsed, &|n: &str| env(n)) {
            for (span, finding) in r.findings {
                if templates::fatal(&finding) {
                    failed.push(format!(
                        "env file {}: {} in {} (docker compose refuses to start)",
                        f.display(),
                        templates::describe(&finding),
                        r.name
                    ));
                } else if eaten(&finding) {
                    findings.push((r.name.clone(), span, finding));
                }
            }
            if secret(&r.name, &r.value.text) && !r.value.host().is_empty() {
                secrets.push(r.value.host());
            }
            vars.insert(r.name, r.value.text);
        }
        if !findings.is_empty() {
            reported.push(Reported {
                path: f,
                text,
                findings,
                secrets,
            });
        }
    }
    Read {
        vars,
        reported,
        defaults,
    }
}
