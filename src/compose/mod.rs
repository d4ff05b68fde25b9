//! Docker compose files: the config where it lives. A compose file (recognised by its content,
//! `detect`) is not checked as a config; instead, for every service whose environment sets
//! `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG`, that value is checked as an embedded source of
//! the compose file, as the service's container will see it:
//!
//! - `embed`: the YAML scalar decoded with a source map into the compose file, for every style
//!   compose allows, so diagnostics, labels and secret masks land on the compose file's lines;
//! - `interpolate`: compose's own `${VAR}` interpolation first (from the environment and the
//!   `.env` beside the compose file, `dotenv`), keeping the map;
//! - `service`: the service's environment (`environment:` in both forms, `env_file:`), whose
//!   `DEFAULT_*` values are the defaults of its config and whose `DEV_DSF_PROXY_*` values the
//!   probes use;
//! - `mounts`: its secrets, configs and bind mounts, the container view through which the file
//!   service finds the config's files on this machine.
//!
//! Each service becomes one input of the report (with its service name); the compose file is
//! the host every position is shown in.

pub mod detect;
pub mod dotenv;
pub mod embed;
pub mod interpolate;
pub mod mounts;
pub mod service;
pub mod tree;

use crate::check::Checker;
use crate::defaults::{self, Defaults, Override};
use crate::diag::filter::Sink;
use crate::files::{Container, FileOptions};
use crate::input::{ENV_VAR, Loaded};
use crate::model::Connection;
use crate::report::{InputReport, Report};
use crate::secrets::Secret;
use crate::source::{FileId, SourceFile, SourceKind};
use crate::yaml::{Limits, load};
use detect::{InputKind, Shape};
use service::{Env, Place, Value, Var};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tree::Tree;

/// The DSF BPE image's working directory: relative paths of the config count from here.
pub const DEFAULT_WORKDIR: &str = "/opt/bpe";

/// Services named one by one in the summary line; the others are counted.
const MAX_LISTED: usize = 10;

/// Variables of the service that the probes take from it (instead of the tool's environment).
pub const PROXY_VARIABLES: [&str; 5] = [
    "DEV_DSF_PROXY_URL",
    "DEV_DSF_PROXY_USERNAME",
    "DEV_DSF_PROXY_PASSWORD",
    "DEV_DSF_PROXY_PASSWORD_FILE",
    "DEV_DSF_PROXY_NOPROXY",
];

/// A checked compose service, on its input in the report.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    /// `None` for the docs' fragment.
    pub name: Option<String>,
    /// The service's `DEV_DSF_PROXY_*` values, for the probes.
    pub proxy: Vec<(String, Secret)>,
}

impl ServiceInfo {
    /// The service's environment as the probes look variables up.
    pub fn env(&self, name: &str) -> Option<String> {
        self.proxy
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.expose().to_string())
    }
}

pub struct Options<'a> {
    pub kind: InputKind,
    /// `--service`: only these (empty: every service that sets the variable).
    pub services: &'a [String],
    /// `--env-file`: instead of `.env` beside the compose file.
    pub env_files: &'a [PathBuf],
    /// `--container-workdir`: instead of the service's `working_dir` or `/opt/bpe`.
    pub workdir: Option<&'a Path>,
    /// The user's file options (`--path-map`, `--skip-file-checks`).
    pub files: FileOptions,
    /// `--connection`: only these connections.
    pub connections: &'a [String],
    /// How many resolved connections to keep (for `explain` and the probes).
    pub keep_models: usize,
    /// The environment of the tool (which is that of `docker compose` for interpolation).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The defaults of the tool's environment, which a service's own values replace.
    pub defaults: &'a Defaults,
    /// `--max-input-size`: the services' environments together, and their configs together,
    /// get the budget of one input.
    pub budget: usize,
}

/// Checks the compose inputs of a run.
pub struct Driver<'a> {
    pub options: Options<'a>,
    /// `--service` names found in some compose input.
    matched: BTreeSet<String>,
    /// Values of secret-named variables that interpolation substituted (`${DB_PASSWORD}`): kept
    /// out of every output, wherever the value lands.
    substituted_secrets: std::cell::RefCell<Vec<String>>,
}

/// One service (or the fragment) whose config is checked.
struct Planned {
    name: Option<String>,
    env: Env,
    container: Option<Container>,
}

/// What was read from a compose file, before any source is added.
struct Plan {
    fragment: bool,
    services: Vec<Planned>,
    /// Services that do not set the variable.
    others: usize,
    notes: Vec<String>,
    /// Why an `--env-file` (or the `.env` beside the file) cannot be used: compose refuses to
    /// start, and what the container sees is unknown.
    failed: Vec<String>,
}

/// The folder relative paths of a compose input count from.
fn project_dir(l: &Loaded) -> PathBuf {
    match l.kind {
        SourceKind::File => Path::new(&l.name)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        _ => PathBuf::from("."),
    }
}

impl<'a> Driver<'a> {
    pub fn new(options: Options<'a>) -> Self {
        Driver {
            options,
            matched: BTreeSet::new(),
            substituted_secrets: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// The variables compose interpolates with: `--env-file` or `.env` in `dir`, each value
    /// interpolated itself; the environment wins over them at lookup.
    fn project_vars(&self, dir: &Path, failed: &mut Vec<String>) -> HashMap<String, String> {
        let env = self.options.env;
        let files: Vec<PathBuf> = if self.options.env_files.is_empty() {
            let dot = dir.join(".env");
            if dot.is_file() { vec![dot] } else { Vec::new() }
        } else {
            self.options.env_files.to_vec()
        };
        let mut vars = HashMap::new();
        for f in files {
            let parsed = crate::files::read_regular(&f)
                .map_err(|e| e.describe())
                .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".to_string()))
                .and_then(|t| dotenv::parse(&t));
            match parsed {
                Ok(parsed) => {
                    for r in dotenv::resolve(&parsed, &|n: &str| env(n)) {
                        vars.insert(r.name, r.value.text);
                    }
                }
                Err(why) => failed.push(format!(
                    "env file {}: {why} (docker compose would refuse to start)",
                    f.display()
                )),
            }
        }
        vars
    }

    /// Read the compose file: its shape, and each service's environment and mounts.
    fn plan(&self, l: &Loaded) -> Option<Plan> {
        let doc = load(&l.text, Limits::default()).ok()?;
        let root = doc.root.as_ref()?;
        let tree = Tree::new(root);
        let shape = detect::shape(&tree, root);
        if matches!(shape, Shape::Other) {
            return None;
        }
        let dir = project_dir(l);
        let mut failed = Vec::new();
        let vars = self.project_vars(&dir, &mut failed);
        let env = self.options.env;
        // each variable judged once per file (a file can refer to it 100,000 times)
        let seen = std::cell::RefCell::new(std::collections::HashSet::new());
        let lookup = |n: &str| {
            let v = env(n).or_else(|| vars.get(n).cloned());
            if let Some(v) = &v
                && !seen.borrow().contains(n)
                && seen.borrow_mut().insert(n.to_string())
                && secret_var(n, v)
            {
                self.substituted_secrets.borrow_mut().push(v.clone());
            }
            v
        };
        let mut plan = Plan {
            fragment: matches!(shape, Shape::Fragment(_)),
            services: Vec::new(),
            others: 0,
            notes: Vec::new(),
            failed,
        };
        match shape {
            Shape::Fragment(block) => {
                let vars = service::environment(&tree, &l.text, block, &lookup);
                plan.services.push(Planned {
                    name: None,
                    env: Env {
                        vars,
                        ..Env::default()
                    },
                    container: None,
                });
            }
            Shape::Compose(services) => {
                let interpolate = |s: &str| interpolate::interpolate_str(s, &lookup).0;
                let mctx = mounts::Ctx {
                    project_dir: &dir,
                    home: env("HOME"),
                    interpolate: &interpolate,
                };
                let declared = mounts::declared(&tree, root, &mctx);
                // the services' environments together get the budget of one input, counted as
                // they are made: env files, anchors and `${VAR}`s can give thousands of services
                // the same megabytes (1.7 MB of compose file and .env were 10 GB)
                let budget = self.options.budget;
                let mut planned = 0usize;
                for (name, node, _) in tree.entries(services) {
                    if !self.options.services.is_empty()
                        && !self.options.services.iter().any(|s| s == name)
                    {
                        continue;
                    }
                    let senv = service::service_env(&tree, &l.text, node, &dir, &lookup);
                    planned = planned.saturating_add(senv.bytes());
                    if planned > budget {
                        plan.failed.push(format!(
                            "the environments of its services come to more than {budget} bytes (env files, anchors and ${{VAR}}s repeat them): service `{name}` and those after it were not checked"
                        ));
                        break;
                    }
                    if senv.get(ENV_VAR).is_none() {
                        plan.others += 1;
                        continue;
                    }
                    let workdir = match self.options.workdir {
                        Some(w) => w.to_path_buf(),
                        None => tree
                            .get(node, "working_dir")
                            .and_then(|w| tree.text(w))
                            .map_or_else(|| PathBuf::from(DEFAULT_WORKDIR), PathBuf::from),
                    };
                    let container = mounts::container(
                        &tree,
                        &declared,
                        name,
                        node,
                        workdir,
                        self.options.files.path_maps.clone(),
                        &mctx,
                    );
                    plan.services.push(Planned {
                        name: Some(name.to_string()),
                        env: senv,
                        container: Some(container),
                    });
                }
            }
            Shape::Other => {}
        }
        Some(plan)
    }

    /// Check `l` if it is a compose file (or fragment); otherwise hand it back.
    pub fn check(
        &mut self,
        l: Loaded,
        report: &mut Report,
        sink: &mut Sink,
        models: &mut Vec<Connection>,
    ) -> Result<(), Loaded> {
        let forced = self.options.kind == InputKind::Compose;
        if self.options.kind == InputKind::Config
            || l.invalid_utf8_at.is_some()
            || (!forced && !detect::may_be_compose(&l.text))
        {
            return Err(l);
        }
        let Some(mut plan) = self.plan(&l) else {
            // YAML that does not parse is reported as such by the config check
            let parses = load(&l.text, Limits::default()).is_ok_and(|d| d.root.is_some());
            if forced && parses {
                report.failed.push((
                    l.name.clone(),
                    format!("not a docker compose file: no top-level `services` mapping, and no {ENV_VAR} of a fragment (check it as a config with --input-kind config)"),
                ));
                return Ok(());
            }
            return Err(l);
        };
        for why in std::mem::take(&mut plan.failed) {
            report.failed.push((l.name.clone(), why));
        }
        let host = report
            .sources
            .add(SourceFile::new(l.name.clone(), l.kind.clone(), l.text));
        sink.scan_source(host, &report.sources.get(host).text);
        let mut checked: Vec<String> = Vec::new();
        // the services' own notes follow the line saying which services were checked
        let notes_before = report.notes.len();
        let setting = plan.services.len();
        // anchors and merge keys can give a thousand services one big config: the configs of
        // one compose file together get the budget of one input
        let budget = self.options.budget;
        let mut spent = 0usize;
        for planned in plan.services {
            if let Some(n) = &planned.name {
                self.matched.insert(n.clone());
            }
            let before = report.sources.total_text();
            if let Some(line) = self.check_service(&l.name, host, planned, report, sink, models) {
                checked.push(line);
            }
            spent += report.sources.total_text().saturating_sub(before);
            if spent > budget {
                report.failed.push((
                    l.name.clone(),
                    format!("the configs of its services come to more than {budget} bytes (anchors and merge keys repeat them): the remaining services were not checked"),
                ));
                break;
            }
        }
        let service_notes = report.notes.split_off(notes_before);
        let listed = if checked.len() > MAX_LISTED {
            format!(
                "{} and {} more services",
                checked[..MAX_LISTED].join(", "),
                checked.len() - MAX_LISTED
            )
        } else {
            checked.join(", ")
        };
        let others = if plan.others > 0 {
            format!(
                "; {} other service{} set{} no {ENV_VAR}",
                plan.others,
                if plan.others == 1 { "" } else { "s" },
                if plan.others == 1 { "s" } else { "" }
            )
        } else {
            String::new()
        };
        // a service that sets the variable but was not checked has a note of its own
        let summary = match (setting, checked.is_empty()) {
            (0, _) if !self.options.services.is_empty() => Some(format!(
                "no service named by --service ({}) sets {ENV_VAR} here: nothing to check",
                self.options.services.join(", ")
            )),
            (0, _) => Some(format!("no service sets {ENV_VAR}: nothing to check")),
            (_, true) => None,
            _ if plan.fragment => None,
            _ => Some(format!("checked {listed}{others}")),
        };
        if let Some(summary) = summary {
            report.notes.push(format!("{}: {summary}", l.name));
        }
        if checked.is_empty() {
            report.inputs.push(InputReport {
                name: l.name.clone(),
                file: host,
                connections: Vec::new(),
                readable: true,
                service: None,
            });
        }
        report
            .notes
            .extend(plan.notes.into_iter().map(|n| format!("{}: {n}", l.name)));
        report.notes.extend(service_notes);
        Ok(())
    }

    /// Check one service's config; a line for the summary when it was checked.
    fn check_service(
        &self,
        name: &str,
        host: FileId,
        planned: Planned,
        report: &mut Report,
        sink: &mut Sink,
        models: &mut Vec<Connection>,
    ) -> Option<String> {
        let Planned {
            name: service,
            mut env,
            container,
        } = planned;
        let shown = service
            .as_deref()
            .map_or_else(|| "the fragment".to_string(), |s| format!("service `{s}`"));
        // the env files are sources of their own: values there are reported there
        let file_ids: Vec<FileId> = std::mem::take(&mut env.files)
            .into_iter()
            .map(|f| {
                report.sources.add(SourceFile::new(
                    f.path.display().to_string(),
                    SourceKind::File,
                    f.text,
                ))
            })
            .collect();
        let place = |p: Place| match p {
            Place::Host => host,
            Place::EnvFile(i) => file_ids.get(i).copied().unwrap_or(host),
        };
        for (span, why) in std::mem::take(&mut env.unreadable) {
            if self.options.files.skip {
                report.notes.push(format!(
                    "{name}: {shown}: env_file not checked (--skip-file-checks): {why}"
                ));
            } else {
                sink.push(crate::rules::compose::env_file_unreadable(host, span, &why));
            }
        }
        let relevant = |n: &str| {
            n == ENV_VAR || n.starts_with(defaults::PREFIX) || PROXY_VARIABLES.contains(&n)
        };
        let mut overrides = Vec::new();
        let mut proxy = Vec::new();
        for v in env.effective() {
            if relevant(&v.name) {
                for (span, f) in &v.findings {
                    sink.push(crate::rules::compose::interpolation(
                        place(v.place),
                        *span,
                        &v.name,
                        f,
                    ));
                }
            }
            mask_secret(v, place(v.place), report);
            if PROXY_VARIABLES.contains(&v.name.as_str())
                && let Some(t) = v.text()
            {
                proxy.push((v.name.clone(), Secret::new(t)));
            }
            if v.name.starts_with(defaults::PREFIX) {
                let (value, span) = match &v.value {
                    Value::Written(m) => (m.text.clone(), m.host()),
                    Value::Inherited(Some(t)) => (t.clone(), v.name_span),
                    Value::Inherited(None) => continue,
                };
                overrides.push(Override {
                    name: v.name.clone(),
                    value,
                    file: place(v.place),
                    span,
                });
            }
        }
        // the config's text and map move into its source (a large config is not copied)
        let at = env.vars.iter().rposition(|v| v.name == ENV_VAR)?;
        let config = env.vars.swap_remove(at);
        let source = match config.value {
            Value::Written(m) => SourceFile::new(
                name,
                SourceKind::Embedded {
                    host: place(config.place),
                    map: m.map,
                },
                m.text,
            ),
            Value::Inherited(Some(t)) => {
                SourceFile::new(format!("${ENV_VAR}"), SourceKind::EnvVar, t)
            }
            Value::Inherited(None) => {
                report.notes.push(format!(
                    "{name}: {shown} passes {ENV_VAR} through from the environment of docker compose, where it is not set: nothing to check"
                ));
                return None;
            }
        };
        let mut found = Vec::new();
        let service_defaults = self.options.defaults.with_overrides(&overrides, &mut found);
        sink.extend(found);
        let mut files = self.options.files.clone();
        files.container = container.map(Arc::new);
        let mut checker = match Checker::new(files, service_defaults) {
            Ok(c) => c,
            Err(why) => {
                report.failed.push((name.to_string(), why));
                return None;
            }
        };
        checker.keep_models = self.options.keep_models;
        let file = report.sources.add(source);
        let src = report.sources.get(file);
        sink.scan_source(file, &src.text);
        let mut checked = checker.check(file, src, sink);
        let wanted = self.options.connections;
        if !wanted.is_empty() {
            checked.connections.retain(|c| wanted.contains(c));
            checked.models.retain(|m| wanted.contains(&m.id));
        }
        let src = report.sources.get_mut(file);
        src.secrets = checked.secrets;
        src.text_masks = checked.text_masks;
        report.scrub.extend(checked.secret_values);
        report
            .notes
            .extend(checker.finish(sink).map(|n| format!("{name}: {n}")));
        models.extend(checked.models);
        let n = checked.connections.len();
        report.inputs.push(InputReport {
            name: name.to_string(),
            file,
            connections: checked.connections,
            readable: checked.readable,
            service: Some(ServiceInfo {
                name: service,
                proxy,
            }),
        });
        Some(format!(
            "{shown} ({n} connection{})",
            if n == 1 { "" } else { "s" }
        ))
    }

    /// `--service` names no compose input has (or whose service sets no config).
    pub fn finish(&self, report: &mut Report) {
        report
            .scrub_first
            .extend(self.substituted_secrets.borrow_mut().drain(..));
        for s in self.options.services {
            if !self.matched.contains(s) {
                report.failed.push((
                    format!("--service {s}"),
                    format!("no compose input has a service `{s}` that sets {ENV_VAR}"),
                ));
            }
        }
    }
}

/// Whether a variable holds a secret: its name says so (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`,
/// ...) and its value is not the path of a file (`*_PRIVATE_KEY: /run/secrets/dic1.key`).
fn secret_var(name: &str, value: &str) -> bool {
    // a variable's value is a scalar: `NPM_AUTH` counts too
    crate::secrets::names::is_scalar_secret_name(name)
        && !crate::rules::values::looks_like_path(value)
}

/// A secret variable's value is masked wherever its file is shown.
fn mask_secret(v: &Var, file: FileId, report: &mut Report) {
    let Some(t) = v.text() else {
        return;
    };
    if !secret_var(&v.name, t) {
        return;
    }
    report.scrub.insert(t.to_string());
    if let Value::Written(m) = &v.value
        && !m.host().is_empty()
    {
        report.sources.get_mut(file).secrets.push(m.host());
    }
}

/// The models of a run in runs of the same input kind: those of one compose service (probed
/// with its own environment), and the others (`None`: the tool's environment).
pub fn probe_groups<'r>(
    report: &'r Report,
    models: &[Connection],
) -> Vec<(Option<&'r ServiceInfo>, std::ops::Range<usize>)> {
    let service_of = |c: &Connection| {
        report
            .inputs
            .iter()
            .find(|i| i.file == c.file)
            .and_then(|i| i.service.as_ref())
    };
    let mut groups: Vec<(Option<&ServiceInfo>, std::ops::Range<usize>)> = Vec::new();
    for (i, c) in models.iter().enumerate() {
        let s = service_of(c);
        match groups.last_mut() {
            Some((last, range))
                if range.end == i && last.map(|l| l as *const _) == s.map(|x| x as *const _) =>
            {
                range.end = i + 1
            }
            _ => groups.push((s, i..i + 1)),
        }
    }
    if groups.is_empty() {
        groups.push((None, 0..0));
    }
    groups
}
