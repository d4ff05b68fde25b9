//! The client's configuration (`initializationOptions`, `workspace/didChangeConfiguration`)
//! as the arguments of `check`: parsed by the same command-line definition, so a code the CLI
//! refuses is refused here too, with the CLI's words.

use crate::cli::{CheckArgs, Cli, Command};
use clap::Parser;
use lsp_types::DiagnosticSeverity;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// What a client may set, under `dsf-connections` (or at the top level of the options).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Report only these codes (`--select`).
    pub select: Vec<String>,
    /// Do not report these codes (`--ignore`).
    pub ignore: Vec<String>,
    /// A severity per code: `error`, `warning`, `information`, `hint` (shown with that
    /// severity) or `off` (not shown).
    pub severity: HashMap<String, String>,
    /// `--skip-file-checks`.
    pub skip_file_checks: bool,
    /// `--path-map CONTAINER=HOST`, relative HOST paths against the document's folder.
    pub path_map: Vec<String>,
    /// `--env-file FILE`.
    pub env_file: Vec<String>,
    /// `--container-workdir DIR`.
    pub container_workdir: Option<String>,
    /// `--service NAME`.
    pub service: Vec<String>,
}

/// A code's shown severity: `None` keeps the rule's, `Some(None)` hides it.
pub type SeverityOverride = Option<Option<DiagnosticSeverity>>;

impl Settings {
    /// The settings of a client's JSON: `{"dsf-connections": {...}}`, `{"dsfConnections":
    /// {...}}` or the object itself; `Err` says what is wrong.
    pub fn from_json(v: &serde_json::Value) -> Result<Settings, String> {
        let inner = v
            .get("dsf-connections")
            .or_else(|| v.get("dsfConnections"))
            .unwrap_or(v);
        if inner.is_null() {
            return Ok(Settings::default());
        }
        let s: Settings = serde_json::from_value(inner.clone())
            .map_err(|e| format!("dsf-connections settings: {e}"))?;
        for (code, sev) in &s.severity {
            if parse_severity(sev).is_none() {
                return Err(format!(
                    "dsf-connections settings: severity of `{code}`: `{sev}` is not one of error, warning, information, hint, off"
                ));
            }
        }
        // the codes are checked by the CLI's parser
        s.args(Path::new("/")).map(|_| s)
    }

    pub fn severity_of(&self, code: &str) -> SeverityOverride {
        self.severity.get(code).and_then(|s| parse_severity(s))
    }

    /// `check`'s arguments for a document in `dir`: relative paths of a standalone config
    /// resolve against that folder (a compose service's against its mounts, as `check`'s).
    pub fn args(&self, dir: &Path) -> Result<CheckArgs, String> {
        let mut argv: Vec<std::ffi::OsString> = vec!["dsf-connections".into(), "check".into()];
        let mut push = |flag: &str, v: &std::ffi::OsStr| {
            argv.push(flag.into());
            argv.push(v.into());
        };
        push("--base-dir", dir.as_os_str());
        for c in &self.select {
            push("--select", c.as_ref());
        }
        for c in &self.ignore {
            push("--ignore", c.as_ref());
        }
        for m in &self.path_map {
            let joined = match m.split_once('=') {
                Some((c, h)) if !Path::new(h).is_absolute() => {
                    format!("{c}={}", dir.join(h).display())
                }
                _ => m.clone(),
            };
            push("--path-map", joined.as_ref());
        }
        for f in &self.env_file {
            push("--env-file", dir.join(f).as_os_str());
        }
        if let Some(w) = &self.container_workdir {
            push("--container-workdir", w.as_ref());
        }
        for s in &self.service {
            push("--service", s.as_ref());
        }
        if self.skip_file_checks {
            argv.push("--skip-file-checks".into());
        }
        match Cli::try_parse_from(argv) {
            Ok(Cli {
                command: Some(Command::Check(c)),
                ..
            }) => Ok(c.args),
            Ok(_) => Err("dsf-connections settings: not a check".into()),
            Err(e) => Err(format!(
                "dsf-connections settings: {}",
                e.render().to_string().lines().next().unwrap_or_default()
            )),
        }
    }
}

fn parse_severity(s: &str) -> SeverityOverride {
    Some(match s {
        "error" => Some(DiagnosticSeverity::ERROR),
        "warning" => Some(DiagnosticSeverity::WARNING),
        "information" | "info" => Some(DiagnosticSeverity::INFORMATION),
        "hint" => Some(DiagnosticSeverity::HINT),
        "off" => None,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_code_is_refused_with_the_cli_words() {
        let v = serde_json::json!({"dsf-connections": {"ignore": ["no-such-code"]}});
        let e = Settings::from_json(&v).err().unwrap_or_default();
        assert!(e.contains("no-such-code"), "{e}");
        let v = serde_json::json!({"severity": {"duration-format": "loud"}});
        assert!(Settings::from_json(&v).is_err());
    }

    #[test]
    fn relative_paths_count_from_the_document_folder() {
        let s = Settings {
            path_map: vec!["/run/secrets=secrets".into()],
            ..Settings::default()
        };
        let args = s
            .args(Path::new("/srv/site"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.base_dir.as_deref(), Some(Path::new("/srv/site")));
        assert_eq!(
            args.path_map,
            vec![("/run/secrets".into(), "/srv/site/secrets".into())]
        );
    }
}
