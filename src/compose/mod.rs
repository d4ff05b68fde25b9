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
//! [`plan`] reads a compose file as compose reads it and adds its texts to the sources: the
//! compose file (the host every position is shown in), its env files, and each service's
//! config as an embedded source; it checks nothing and reports nothing. The run checks each
//! planned config as one input (with its service name), as it checks a config file.

pub mod bpe_variables;
pub mod detect;
pub mod dotenv;
pub mod embed;
pub mod interpolate;
pub mod loader;
pub mod merge_tags;
pub mod mounts;
pub mod names;
pub mod project;
pub mod project_env;
pub mod service;
pub mod templates;
pub mod tree;

use crate::defaults::{self, Override};
use crate::files::container::MountSource;
use crate::files::{Container, FileOptions};
use crate::input::{ENV_VAR, Loaded};
use crate::secrets::{Piece, Secret, Text};
use crate::source::{FileId, SourceDb, SourceFile, SourceKind, Span};
use crate::text;
use crate::yaml::{Limits, load};

use detect::{InputKind, Shape};
use service::{Env, Place, Value, Var};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
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
    /// The environment of the tool (which is that of `docker compose` for interpolation).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// `--max-input-size`: the services' environments together, and their configs together,
    /// get the budget of one input.
    pub budget: usize,
    /// Keep each service's environment in the plan (`--compose-environment`).
    pub keep_environment: bool,
}

/// What compose's own reading found wrong, where it is written: the rules of
/// `rules::compose` word it.
#[derive(Debug)]
pub enum Finding {
    /// A `${...}` of a variable the config depends on.
    Interpolation {
        file: FileId,
        span: Span,
        variable: String,
        finding: interpolate::Finding,
    },
    /// A `${...}` compose refuses in a value outside the services' environments.
    Template {
        file: FileId,
        span: Span,
        at: String,
        finding: interpolate::Finding,
    },
    /// A required `env_file` compose cannot read.
    EnvFileUnreadable {
        file: FileId,
        span: Span,
        why: String,
    },
    /// An entry of `environment:` compose refuses (a mapping in the list form, a value that
    /// is not a scalar).
    EnvironmentEntry {
        file: FileId,
        span: Span,
        why: &'static str,
    },
    /// A variable name the BPE takes otherwise than its writer meant.
    VariableName {
        file: FileId,
        span: Span,
        name: String,
        service: Option<String>,
        finding: NameFinding,
    },
    /// A DSF BPE service that does not set the config.
    NoConfig {
        file: FileId,
        span: Span,
        service: String,
    },
    /// A config value over the kernel's limit of one environment string.
    TooLarge { config: FileId, bytes: usize },
    /// Another variable of a BPE service over that limit (`span`: where its value starts).
    VariableTooLarge {
        file: FileId,
        span: Span,
        name: String,
        bytes: usize,
    },
}

/// What is wrong with a variable's name.
#[derive(Debug, Clone)]
pub enum NameFinding {
    /// Another spelling Spring finds for `canonical`; `shadows`: the other spelling set, which
    /// the server ignores for it (or `shadowed_by`: the one it reads instead).
    Spelling {
        canonical: &'static str,
        shadows: Option<(FileId, Span, String)>,
        shadowed_by: Option<(FileId, Span, String)>,
    },
    /// Not found by the server; `set`: the meant variable is set too.
    Misspelt {
        meant: &'static str,
        how: names::How,
        set: bool,
    },
}

/// Linux's limit of one environment string (`MAX_ARG_STRLEN`), name, `=` and NUL included.
pub const MAX_ENV_STRING: usize = 131_072;

/// One service (or the fragment) whose config is checked, its sources added.
#[derive(Debug)]
pub struct ServiceSource {
    pub info: ServiceInfo,
    /// "service `x`" or "the fragment", for notes.
    pub shown: Text,
    /// The config as the container gets it; `None` when it passes an unset variable through.
    pub config: Option<FileId>,
    /// Its `DEFAULT_*` values, over those of the tool's environment.
    pub overrides: Vec<Override>,
    /// The container view of its files (`None` for the fragment).
    pub container: Option<Container>,
    /// Notes about it (each names the compose file).
    pub notes: Vec<Text>,
}

/// A compose file read as compose reads it, its texts added to the sources: pure planning,
/// nothing is checked or reported here.
#[derive(Debug)]
pub struct Plan {
    pub name: String,
    /// The first compose file (the input itself when one is read).
    pub host: FileId,
    /// Every compose file of the project (merged, included, extended), in the order read.
    pub hosts: Vec<FileId>,
    /// The DSF docs' fragment rather than a compose file.
    pub fragment: bool,
    /// `docker inspect` output: its services are containers.
    pub inspect: bool,
    pub services: Vec<ServiceSource>,
    /// Services that do not set the variable.
    pub others: usize,
    /// DSF BPE services that do not set it (nor a misspelling of it), where each is named.
    pub bare: Vec<(String, FileId, Span)>,
    /// DSF BPE services seen (those that set the config, and those that do not).
    pub bpe_services: usize,
    /// Services named by `--service` found here.
    pub matched: Vec<String>,
    pub findings: Vec<Finding>,
    /// Notes about the file (each names it).
    pub notes: Vec<Text>,
    /// Why part of it cannot be checked (exit 2).
    pub failed: Vec<(String, String)>,
    /// Values of secret-named variables (kept out of every output); `substituted` first: those
    /// interpolation put into other values (`${DB_PASSWORD}`), which can land anywhere.
    pub secrets: Vec<String>,
    pub substituted: Vec<String>,
    /// With [`Options::keep_environment`]: each service's variables as its container gets them.
    pub environments: Vec<Environment>,
}

/// A service's variables as its container gets them (`None`: passed through unset), and its
/// mounts.
#[derive(Debug, Clone)]
pub struct Environment {
    pub service: String,
    pub vars: Vec<(String, Option<String>)>,
    /// Where each path of its container comes from (a service that sets the config): the
    /// host path, or `volume:NAME` / `secret:NAME` for what is not a file here.
    pub mounts: Vec<(String, String)>,
}

/// What an input is.
pub enum Planned {
    /// Not a compose file: check it as a config.
    Config(Loaded),
    /// Named a compose file (`--input-kind compose`) but it is not one.
    NotCompose {
        name: String,
        why: String,
    },
    Compose(Plan),
}

/// The override file `docker compose` reads beside a compose file of a default name (it merges
/// it over that file when neither `-f` nor `COMPOSE_FILE` is given).
fn override_beside(l: &Loaded) -> Option<String> {
    if l.kind != SourceKind::File {
        return None;
    }
    let name = Path::new(&l.name).file_name()?.to_str()?;
    if !project::DEFAULT_FILES.contains(&name) {
        return None;
    }
    let dir = project_dir(l);
    project::OVERRIDE_FILES
        .iter()
        .map(|o| dir.join(o))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

/// The folder relative paths of a compose input count from.
fn project_dir(l: &Loaded) -> PathBuf {
    match l.kind {
        SourceKind::File => project::parent(Path::new(&l.name)),
        _ => PathBuf::from("."),
    }
}

/// One service read from the project, before its sources are added.
struct Read {
    name: Option<String>,
    /// The compose file (its index among the parts) and where its name is written there.
    key: (usize, Span),
    env: Env,
    container: Option<Container>,
    /// Whether it sets the config (in a spelling the server finds).
    config: bool,
    /// Whether it is a DSF BPE (its image, or a `DEV_DSF_BPE_*` variable).
    bpe: bool,
}

/// Whether a service or container is a DSF BPE: by its image, or a `DEV_DSF_BPE_*` variable.
fn is_bpe(image: Option<&str>, env: &Env) -> bool {
    image.is_some_and(|i| {
        let i = i.strip_prefix("docker.io/").unwrap_or(i);
        i.starts_with("ghcr.io/datasharingframework/bpe")
            || i.starts_with("datasharingframework/bpe")
    }) || env.vars.iter().any(|v| {
        v.name
            .get(..12)
            .is_some_and(|p| p.eq_ignore_ascii_case("DEV_DSF_BPE_") || p == "dev.dsf.bpe.")
    })
}

/// Of the variables of `env`, the name the server reads for documented `canonical`.
fn chosen<'e>(env: &'e Env, canonical: &str) -> Option<&'e str> {
    let set: Vec<&str> = env.vars.iter().map(|v| v.name.as_str()).collect();
    names::winner(canonical, &set)
}

/// The documented name a variable stands for (itself, or what Spring finds it as).
fn canonical(name: &str) -> std::borrow::Cow<'_, str> {
    // the other spellings Spring finds have a lower-case letter or a `.`
    if !name.bytes().any(|b| b.is_ascii_lowercase() || b == b'.') {
        return std::borrow::Cow::Borrowed(name);
    }
    match names::classify(name) {
        names::Name::Spelling { canonical } => std::borrow::Cow::Borrowed(canonical),
        _ => std::borrow::Cow::Borrowed(name),
    }
}

/// What reading an input gave, before its texts are sources.
struct Gathered {
    name: String,
    /// Its compose files (the first is the input), each with where its secrets are.
    parts: Vec<(Loaded, crate::secrets::tree::Collector)>,
    fragment: bool,
    services: Vec<Read>,
    others: usize,
    notes: Vec<Text>,
    failed: Vec<String>,
    secrets: Vec<String>,
    substituted: Vec<String>,
    templates: Vec<(usize, Span, String, interpolate::Finding)>,
    /// The project's env files with a `$` compose eats.
    dotenvs: Vec<project_env::Reported>,
}

/// Plan `l`: a compose file (or the docs' fragment) into its services' configs, added to `db`.
pub fn plan(l: Loaded, options: &Options, db: &mut SourceDb) -> Planned {
    let forced = options.kind == InputKind::Compose;
    if options.kind == InputKind::Config
        || l.invalid_utf8_at.is_some()
        || (!forced && !detect::may_be_compose(&l.text))
    {
        return Planned::Config(l);
    }
    let parsed = load(&l.text, Limits::default());
    let shape = parsed.as_ref().ok().and_then(|d| {
        let root = d.root.as_ref()?;
        let tree = Tree::new(root);
        Some(match detect::shape(&tree, root) {
            Shape::Compose(_) => 1,
            Shape::Fragment(_) | Shape::Inspect(_) => 2,
            Shape::Other => 0,
        })
    });
    let parses = shape.is_some();
    drop(parsed);
    let gathered = match shape {
        Some(1) => {
            let mut notes = Vec::new();
            if let Some(o) = override_beside(&l) {
                notes.push(text!(
                    "`docker compose up` in its folder also reads {} and merges it over this file; to check the merge, check the folder (or both with -f)",
                    Piece::value(&o)
                ));
            }
            let p = project::Project {
                name: l.name.clone(),
                dir: project_dir(&l),
                outer: None,
                files: vec![l],
                notes: Vec::new(),
            };
            read_project(p, options, notes)
        }
        Some(2) => match read(l, options) {
            Ok(g) => g,
            Err(l) => return Planned::Config(*l),
        },
        _ => {
            // YAML that does not parse is reported as such by the config check
            if forced && parses {
                return Planned::NotCompose {
                    name: l.name,
                    why: format!(
                        "not a docker compose file: no top-level `services` mapping, and no {ENV_VAR} of a fragment (check it as a config with --input-kind config)"
                    ),
                };
            }
            return Planned::Config(l);
        }
    };
    Planned::Compose(finish(gathered, options, db))
}

/// Plan a project of several compose files (`-f`, a folder), merged as compose merges them.
pub fn plan_project(p: project::Project, options: &Options, db: &mut SourceDb) -> Planned {
    let notes = p
        .notes
        .iter()
        .map(|n| text!("{}", Piece::value(n)))
        .collect();
    Planned::Compose(finish(read_project(p, options, notes), options, db))
}

/// The texts as sources and each service planned.
fn finish(g: Gathered, options: &Options, db: &mut SourceDb) -> Plan {
    let Gathered {
        name,
        parts,
        fragment,
        services,
        others,
        notes,
        failed,
        secrets,
        substituted,
        templates,
        dotenvs,
    } = g;
    let inspect = parts
        .first()
        .is_some_and(|(l, _)| detect::is_inspect(&l.text));
    let hosts: Vec<FileId> = parts
        .into_iter()
        .map(|(l, collected)| {
            let mut source = SourceFile::new(l.name, l.kind, l.text);
            source.text_masks = Some(crate::secrets::masks::patterns(&source.text));
            source.secrets = collected.spans;
            db.add(source)
        })
        .collect();
    let host = hosts.first().copied().unwrap_or_default();
    let mut plan = Plan {
        name: name.clone(),
        host,
        hosts,
        fragment,
        inspect,
        services: Vec::new(),
        others,
        bare: Vec::new(),
        bpe_services: 0,
        matched: Vec::new(),
        findings: Vec::new(),
        notes: notes
            .into_iter()
            .map(|n| text!("{}: {}", Piece::value(&name), n))
            .collect(),
        failed: failed.into_iter().map(|w| (name.clone(), w)).collect(),
        secrets,
        substituted,
        environments: Vec::new(),
    };
    for d in dotenvs {
        let mut source = SourceFile::new(d.path.display().to_string(), SourceKind::File, d.text);
        source.text_masks = Some(crate::secrets::masks::patterns(&source.text));
        source.secrets = d.secrets;
        let file = db.add(source);
        for (variable, span, finding) in d.findings {
            plan.findings.push(Finding::Interpolation {
                file,
                span,
                variable,
                finding,
            });
        }
    }
    for (k, span, at, finding) in templates {
        plan.findings.push(Finding::Template {
            file: plan.hosts.get(k).copied().unwrap_or(host),
            span,
            at,
            finding,
        });
    }
    // anchors and merge keys can give a thousand services one big config: the configs of
    // one compose file together get the budget of one input
    let mut spent = 0usize;
    for r in services {
        if let Some(n) = r.name.as_ref().filter(|_| r.config) {
            plan.matched.push(n.clone());
        }
        let before = db.total_text();
        service(r, options, db, &mut plan);
        spent += db.total_text().saturating_sub(before);
        if spent > options.budget {
            plan.failed.push((
                name.clone(),
                format!(
                    "the configs of its services come to more than {} bytes (anchors and merge keys repeat them): the remaining services were not checked",
                    options.budget
                ),
            ));
            break;
        }
    }
    // when no service sets the config, each BPE service runs with only `#dsf`; when one does,
    // the others are the site's other BPEs (the DSF dev setup's dic2-bpe)
    if plan.services.is_empty() {
        for (service, file, span) in &plan.bare {
            plan.findings.push(Finding::NoConfig {
                file: *file,
                span: *span,
                service: service.clone(),
            });
        }
    }
    plan
}

/// Where the secrets of a compose file are, for every output that shows it.
fn collect_secrets(text: &str) -> crate::secrets::tree::Collector {
    let mut c = crate::secrets::tree::Collector::default();
    if let Ok(doc) = load(text, Limits::default())
        && let Some(root) = doc.root.as_ref()
    {
        c.document(text, root);
    }
    c
}

/// Read a project as compose reads it: its files, includes and extends, merged.
fn read_project(p: project::Project, options: &Options, notes: Vec<Text>) -> Gathered {
    let mut failed = Vec::new();
    let secret = |n: &str, v: &str| secret_var(n, v);
    let project_env::Read {
        vars,
        reported: dotenvs,
        defaults,
    } = project_env::read(
        options.env_files,
        &p.dir,
        p.outer.as_deref(),
        options.env,
        &secret,
        &mut failed,
    );
    let secret_used = |n: &str, v: &str| secret_var(n, v);
    let ctx = loader::Ctx {
        env: options.env,
        budget: options.budget,
        secret_used: &secret_used,
    };
    let read = loader::project(p.files, &p.dir, &vars, &ctx);
    failed.extend(read.failed);
    let templates = read.templates;
    let declared = read.declared.unwrap_or_default();
    let mut services = Vec::new();
    let mut others = 0;
    for raw in read.services {
        if !options.services.is_empty() && !options.services.contains(&raw.name) {
            continue;
        }
        if chosen(&raw.env, ENV_VAR).is_none() {
            others += 1;
            let bpe = is_bpe(raw.image.as_deref(), &raw.env);
            services.push(Read {
                name: Some(raw.name),
                key: raw.key,
                env: raw.env,
                container: None,
                config: false,
                bpe,
            });
            continue;
        }
        let workdir = match options.workdir {
            Some(w) => w.to_path_buf(),
            None => raw
                .workdir
                .as_deref()
                .map_or_else(|| PathBuf::from(DEFAULT_WORKDIR), PathBuf::from),
        };
        let container = raw.container(&declared, workdir, options.files.path_maps.clone());
        services.push(Read {
            name: Some(raw.name),
            key: raw.key,
            env: raw.env,
            container: Some(container),
            config: true,
            bpe: true,
        });
    }
    let mut secrets = Vec::new();
    let mut substituted = read.substituted;
    substituted.extend(defaults);
    let lookup = |n: &str| (options.env)(n).or_else(|| vars.get(n).cloned());
    let parts = read
        .parts
        .into_iter()
        .map(|part| {
            let mut c = collect_secrets(&part.loaded.text);
            secrets.extend(c.values.iter().cloned());
            mask_secret_args(&part.loaded.text, &lookup, &mut c.spans, &mut substituted);
            decoded_secret_args(&part.loaded.text, &lookup, &mut substituted);
            (part.loaded, c)
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let substituted = substituted
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect();
    Gathered {
        name: p.name,
        parts,
        fragment: false,
        services,
        others,
        notes,
        failed,
        secrets,
        substituted,
        templates,
        dotenvs,
    }
}

/// Read the docs' fragment or `docker inspect` output (`Err`: neither, as a config).
fn read(l: Loaded, options: &Options) -> Result<Gathered, Box<Loaded>> {
    let Some((fragment, services, others, secrets, substituted)) = read_one(&l, options) else {
        return Err(Box::new(l));
    };
    let values = secrets.values.iter().cloned().collect();
    Ok(Gathered {
        name: l.name.clone(),
        parts: vec![(l, secrets)],
        fragment,
        services,
        others,
        notes: Vec::new(),
        failed: Vec::new(),
        secrets: values,
        substituted,
        templates: Vec::new(),
        dotenvs: Vec::new(),
    })
}

type ReadOne = (
    bool,
    Vec<Read>,
    usize,
    crate::secrets::tree::Collector,
    Vec<String>,
);

/// Read a fragment or `docker inspect` output: each service's (container's) environment.
fn read_one(l: &Loaded, options: &Options) -> Option<ReadOne> {
    let doc = load(&l.text, Limits::default()).ok()?;
    let root = doc.root.as_ref()?;
    let tree = Tree::new(root);
    let shape = detect::shape(&tree, root);
    let dir = project_dir(l);
    let mut failed = Vec::new();
    let secret = |n: &str, v: &str| secret_var(n, v);
    let project_env::Read { vars, defaults, .. } = project_env::read(
        options.env_files,
        &dir,
        None,
        options.env,
        &secret,
        &mut failed,
    );
    let env = options.env;
    let found = std::cell::RefCell::new(defaults);
    let lookup = |n: &str| {
        let v = env(n).or_else(|| vars.get(n).cloned());
        if let Some(v) = &v
            && secret_var(n, v)
        {
            found.borrow_mut().push(v.clone());
        }
        v
    };
    let mut secrets = crate::secrets::tree::Collector::default();
    secrets.document(&l.text, root);
    // `lookup` records in `found` too: not borrowed across the call
    let mut defaults = Vec::new();
    mask_secret_args(&l.text, &lookup, &mut secrets.spans, &mut defaults);
    decoded_secret_args(&l.text, &lookup, &mut defaults);
    found.borrow_mut().extend(defaults);
    let mut services = Vec::new();
    let mut others = 0;
    let fragment = matches!(shape, Shape::Fragment(_));
    match shape {
        Shape::Fragment(block) => {
            let mut rejected = Vec::new();
            let vars = service::environment(&tree, &l.text, block, &lookup, &mut rejected);
            let env = Env {
                vars,
                rejected: rejected
                    .into_iter()
                    .map(|(s, w)| (Place::Compose(0), s, w))
                    .collect(),
                ..Env::default()
            };
            services.push(Read {
                name: None,
                key: (0, block.span),
                config: chosen(&env, ENV_VAR).is_some(),
                env,
                container: None,
                bpe: true,
            });
        }
        Shape::Inspect(list) => {
            for container in tree.items(list) {
                let Some(env) = tree
                    .get(container, "Config")
                    .and_then(|c| tree.get(c, "Env"))
                else {
                    continue;
                };
                let name = tree
                    .get(container, "Name")
                    .and_then(|n| tree.text(n))
                    .map(|n| n.trim_start_matches('/').to_string())
                    .unwrap_or_default();
                let key = tree
                    .entries(container)
                    .into_iter()
                    .find(|(k, _, _)| *k == "Name")
                    .map_or(container.span, |(_, _, s)| s);
                if !options.services.is_empty() && !options.services.contains(&name) {
                    continue;
                }
                let senv = service::inspected(&tree, &l.text, env);
                let image = tree
                    .get(container, "Config")
                    .and_then(|c| tree.get(c, "Image"))
                    .and_then(|i| tree.text(i));
                let config = chosen(&senv, ENV_VAR).is_some();
                if !config {
                    others += 1;
                }
                // its files are where its mounts say
                let mounted = config.then(|| {
                    mounts::inspected(
                        &tree,
                        &name,
                        container,
                        options.workdir,
                        options.files.path_maps.clone(),
                    )
                });
                services.push(Read {
                    name: Some(name),
                    key: (0, key),
                    bpe: is_bpe(image, &senv),
                    env: senv,
                    container: mounted,
                    config,
                });
            }
        }
        Shape::Compose(_) | Shape::Other => return None,
    }
    Some((fragment, services, others, secrets, found.into_inner()))
}

/// Add one service's sources (its env files, its config) and what it found to `plan`.
fn service(r: Read, options: &Options, db: &mut SourceDb, plan: &mut Plan) {
    let Read {
        name: service,
        key,
        mut env,
        container,
        config: sets_config,
        bpe,
    } = r;
    let host = plan.host;
    let hosts = plan.hosts.clone();
    let shown = match &service {
        None => Text::from("the fragment"),
        Some(s) if plan.inspect => text!("container `{}`", Piece::value(s)),
        Some(s) => text!("service `{}`", Piece::value(s)),
    };
    let file_name = Piece::value(&plan.name);
    // the env files are sources of their own: values there are reported there
    let file_ids: Vec<FileId> = std::mem::take(&mut env.files)
        .into_iter()
        .map(|f| {
            let mut source =
                SourceFile::new(f.path.display().to_string(), SourceKind::File, f.text);
            mask_secret_args(
                &source.text,
                options.env,
                &mut source.secrets,
                &mut plan.substituted,
            );
            db.add(source)
        })
        .collect();
    let place = |p: Place| match p {
        Place::Compose(k) => hosts.get(k).copied().unwrap_or(host),
        Place::EnvFile(i) => file_ids.get(i).copied().unwrap_or(host),
    };
    if options.keep_environment {
        let vars = env
            .effective()
            .into_iter()
            .map(|v| (v.name.clone(), v.text().map(str::to_string)))
            .collect();
        let mounts = container
            .iter()
            .flat_map(|c| &c.mounts)
            .map(|m| {
                let from = match &m.source {
                    MountSource::Host(p) => p.display().to_string(),
                    MountSource::Secret { file: Some(p), .. } => p.display().to_string(),
                    MountSource::Secret { name, file: None } => format!("secret:{name}"),
                    MountSource::Volume(n) => format!("volume:{n}"),
                };
                (m.target.display().to_string(), from)
            })
            .collect();
        plan.environments.push(Environment {
            service: service.clone().unwrap_or_default(),
            vars,
            mounts,
        });
    }
    let rejected = !env.rejected.is_empty();
    for (at, span, why) in std::mem::take(&mut env.rejected) {
        plan.findings.push(Finding::EnvironmentEntry {
            file: place(at),
            span,
            why,
        });
    }
    let misspelt_config = variable_names(&env, &service, &place, plan);
    if bpe || sets_config {
        too_large_variables(&env, &place, plan);
    }
    // compose refuses an invalid `${...}` (or an unset required variable) in any variable,
    // even one a later file overrides: it interpolates every file before merging
    for v in &env.vars {
        for (span, f) in v.findings.iter().filter(|(_, f)| templates::fatal(f)) {
            plan.findings.push(Finding::Interpolation {
                file: place(v.place),
                span: *span,
                variable: v.name.clone(),
                finding: f.clone(),
            });
        }
    }
    if !sets_config {
        for v in env.effective() {
            mask_secret(v, place(v.place), db, plan);
        }
        if let Some(name) = service.filter(|_| bpe && !misspelt_config && !rejected) {
            plan.bare.push((name, place(Place::Compose(key.0)), key.1));
        } else if bpe {
            plan.bpe_services += 1;
        }
        return;
    }
    plan.bpe_services += 1;
    let mut notes = Vec::new();
    for (at, span, why) in std::mem::take(&mut env.unreadable) {
        if options.files.skip {
            notes.push(text!(
                "{}: {}: env_file not checked (--skip-file-checks): {}",
                file_name.clone(),
                shown.clone(),
                Piece::value(&why)
            ));
        } else {
            plan.findings.push(Finding::EnvFileUnreadable {
                file: place(at),
                span,
                why,
            });
        }
    }
    let relevant =
        |n: &str| n == ENV_VAR || n.starts_with(defaults::PREFIX) || PROXY_VARIABLES.contains(&n);
    let mut overrides = Vec::new();
    let mut proxy = Vec::new();
    let set: Vec<&str> = env.vars.iter().map(|v| v.name.as_str()).collect();
    // per variable of the family, the spelling the server reads (judged once: a service can
    // have 100,000 variables)
    let mut read: HashMap<String, Option<&str>> = HashMap::new();
    for v in env.effective() {
        let canon = canonical(&v.name);
        // of two spellings of one variable, the one the server reads
        if names::in_family(&canon) {
            let winner = *read
                .entry(canon.to_string())
                .or_insert_with(|| names::winner(&canon, &set));
            if winner != Some(v.name.as_str()) {
                mask_secret(v, place(v.place), db, plan);
                continue;
            }
        }
        let canon = canon.into_owned();
        if relevant(&canon) {
            for (span, f) in v.findings.iter().filter(|(_, f)| !templates::fatal(f)) {
                plan.findings.push(Finding::Interpolation {
                    file: place(v.place),
                    span: *span,
                    variable: v.name.clone(),
                    finding: f.clone(),
                });
            }
        }
        mask_secret(v, place(v.place), db, plan);
        if PROXY_VARIABLES.contains(&canon.as_str())
            && let Some(t) = v.text()
        {
            proxy.push((canon.clone(), Secret::new(t)));
        }
        if canon.starts_with(defaults::PREFIX) {
            let (value, span) = match &v.value {
                Value::Written(m) => (m.text.clone(), m.host()),
                Value::Inherited(Some(t)) => (t.clone(), v.name_span),
                Value::Inherited(None) => continue,
            };
            overrides.push(Override {
                name: canon.clone(),
                value,
                file: place(v.place),
                span,
            });
        }
    }
    // the config's text and map move into its source (a large config is not copied)
    let Some(at) = chosen(&env, ENV_VAR)
        .map(str::to_string)
        .and_then(|c| env.vars.iter().rposition(|v| v.name == c))
    else {
        return;
    };
    let config = env.vars.swap_remove(at);
    let mut too_large = None;
    if let Value::Written(m) = &config.value {
        scan_config_in_host(db, place(config.place), m.host());
    }
    if let Some(t) = config.text() {
        let bytes = config.name.len() + t.len() + 2;
        if bytes > MAX_ENV_STRING {
            too_large = Some(bytes);
        }
    }
    let source = match config.value {
        Value::Written(m) => Some(SourceFile::new(
            plan.name.clone(),
            SourceKind::Embedded {
                host: place(config.place),
                map: m.map,
            },
            m.text,
        )),
        Value::Inherited(Some(t)) => Some(SourceFile::new(
            format!("${ENV_VAR}"),
            SourceKind::EnvVar,
            t,
        )),
        Value::Inherited(None) => {
            notes.push(text!(
                "{}: {} passes {} through from the environment of docker compose, where it is not set: nothing to check",
                file_name.clone(),
                shown.clone(),
                ENV_VAR
            ));
            None
        }
    };
    let config = source.map(|s| db.add(s));
    if let (Some(bytes), Some(config)) = (too_large, config) {
        plan.findings.push(Finding::TooLarge { config, bytes });
    }
    plan.services.push(ServiceSource {
        notes,
        info: ServiceInfo {
            name: service,
            proxy,
        },
        shown,
        config,
        overrides,
        container,
    });
}

/// The variables of a BPE service (other than the config, judged as a config) whose string
/// `NAME=value` is over the kernel's limit: the container cannot start.
fn too_large_variables(env: &Env, place: &dyn Fn(Place) -> FileId, plan: &mut Plan) {
    for v in env.effective() {
        if v.name == ENV_VAR || canonical(&v.name) == ENV_VAR {
            continue;
        }
        let Some(t) = v.text() else { continue };
        let bytes = v.name.len() + t.len() + 2;
        if bytes <= MAX_ENV_STRING {
            continue;
        }
        let span = match &v.value {
            Value::Written(m) => m.host(),
            Value::Inherited(_) => v.name_span,
        };
        plan.findings.push(Finding::VariableTooLarge {
            file: place(v.place),
            span,
            name: v.name.clone(),
            bytes,
        });
    }
}

/// The summary note of a compose file once its services are checked: which ones (with their
/// number of connections), or why none was; `services` is `--service`.
pub fn summary(plan: &Plan, services: &[String], checked: &[(Text, usize)]) -> Option<Text> {
    let name = Piece::value(&plan.name);
    if plan.services.is_empty() {
        return Some(if !services.is_empty() {
            text!(
                "{}: no service named by --service ({}) sets {} here: nothing to check",
                name,
                Piece::value(&services.join(", ")),
                ENV_VAR
            )
        } else if plan.bpe_services == 0 && plan.bare.is_empty() && !plan.fragment {
            text!(
                "{}: nothing checked: no service is a DSF BPE (none has the image ghcr.io/datasharingframework/bpe or a DEV_DSF_BPE_* variable): probably not the BPE's compose file",
                name
            )
        } else if !plan.bare.is_empty() {
            text!(
                "{}: no service sets {}: {} {} with only the built-in `#dsf` connection",
                name,
                ENV_VAR,
                Piece::value(
                    &plan
                        .bare
                        .iter()
                        .map(|(n, _, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                if plan.bare.len() == 1 { "runs" } else { "run" }
            )
        } else {
            text!("{}: no service sets {}: nothing to check", name, ENV_VAR)
        });
    }
    if checked.is_empty() || plan.fragment {
        return None;
    }
    let mut listed = Text::new();
    for (i, (shown, n)) in checked.iter().take(MAX_LISTED).enumerate() {
        if i > 0 {
            listed.push(", ");
        }
        listed.push(text!(
            "{} ({} connection{})",
            shown.clone(),
            *n,
            if *n == 1 { "" } else { "s" }
        ));
    }
    if checked.len() > MAX_LISTED {
        listed.push(text!(" and {} more services", checked.len() - MAX_LISTED));
    }
    let others = plan.others;
    let others = if others > 0 {
        text!(
            "; {} other service{} set{} no {}",
            others,
            if others == 1 { "" } else { "s" },
            if others == 1 { "s" } else { "" },
            ENV_VAR
        )
    } else {
        Text::new()
    };
    Some(text!("{}: checked {}{}", name, listed, others))
}
/// Whether a variable holds a secret: its name says so (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`,
/// ...) and its value is not the path of a file (`*_PRIVATE_KEY: /run/secrets/dic1.key`).
fn secret_var(name: &str, value: &str) -> bool {
    // a variable's value is a scalar: `NPM_AUTH` counts too
    crate::secrets::names::is_scalar_secret_name(name)
        && !crate::secrets::names::looks_like_path(value)
}

/// What compose substitutes for a secret variable (`${DB_PASSWORD:-default}`) is as secret as
/// its value, wherever it comes from: the operator texts of secret variables in `text` are
/// masked where written (`spans`) and kept out of every output as written and as expanded
/// (`values`).
pub(super) fn mask_secret_args(
    text: &str,
    lookup: interpolate::Lookup,
    spans: &mut Vec<Span>,
    values: &mut Vec<String>,
) {
    for (name, r) in interpolate::secret_args(text) {
        let written = &text[r.clone()];
        let expanded = if written.contains('$') {
            interpolate::interpolate_str(written, lookup).0
        } else {
            String::new()
        };
        for v in [written, expanded.as_str()] {
            if !v.is_empty() && secret_var(&name, v) {
                values.push(v.to_string());
            }
        }
        spans.push(Span::new(r.start, r.end));
    }
}

/// [`mask_secret_args`] on the scalars of a compose file as YAML decodes them: an escape in a
/// double-quoted value (`\x41`) makes the written default differ from the one compose uses.
fn decoded_secret_args(text: &str, lookup: interpolate::Lookup, values: &mut Vec<String>) {
    if !text.contains("${") {
        return;
    }
    let Ok(doc) = load(text, Limits::default()) else {
        return;
    };
    let mut stack: Vec<&crate::yaml::Node> = doc.root.iter().collect();
    while let Some(n) = stack.pop() {
        match &n.kind {
            crate::yaml::NodeKind::Scalar(s) if s.value.contains("${") => {
                mask_secret_args(&s.value, lookup, &mut Vec::new(), values);
            }
            crate::yaml::NodeKind::Map(entries) => {
                stack.extend(entries.iter().flat_map(|e| [&e.key, &e.value]));
            }
            crate::yaml::NodeKind::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}

/// The config as written in the compose file is not the config the container gets: compose's
/// interpolation changes it (`pa$word` becomes `pa`), so the parsed config cannot say where
/// its secrets stand in the compose file's text. There, the text scan stands in.
fn scan_config_in_host(db: &mut SourceDb, file: FileId, span: Span) {
    let text = &db.get(file).text;
    let start = text
        .get(..span.start)
        .and_then(|t| t.rfind(['\n', '\r']))
        .map_or(0, |i| i + 1);
    let Some(written) = text.get(start..span.end) else {
        return;
    };
    // without a `$` compose changes nothing: the config's own masks, relocated, cover it
    if !written.contains('$') {
        return;
    }
    let found: Vec<Span> = crate::secrets::scan::scan(written)
        .into_iter()
        .map(|s| Span::new(s.start + start, s.end + start))
        .collect();
    db.get_mut(file).secrets.extend(found);
}

/// A secret variable's value is masked wherever its file is shown.
fn mask_secret(v: &Var, file: FileId, db: &mut SourceDb, plan: &mut Plan) {
    let Some(t) = v.text() else {
        return;
    };
    if !secret_var(&v.name, t) {
        return;
    }
    plan.secrets.push(t.to_string());
    if let Value::Written(m) = &v.value
        && !m.host().is_empty()
    {
        db.get_mut(file).secrets.push(m.host());
    }
}

/// The variable names of a service the server takes otherwise than meant, into `plan`;
/// whether one of them is a misspelling of the config variable.
fn variable_names(
    env: &Env,
    service: &Option<String>,
    place: &dyn Fn(Place) -> FileId,
    plan: &mut Plan,
) -> bool {
    let mut misspelt_config = false;
    // each name judged once (a service can have thousands of variables)
    let mut judged: HashMap<&str, names::Name> = HashMap::new();
    let classes: Vec<names::Name> = env
        .vars
        .iter()
        .map(|v| {
            *judged
                .entry(&v.name)
                .or_insert_with(|| names::classify(&v.name))
        })
        .collect();
    if classes.iter().all(|c| *c == names::Name::Fine) {
        return false;
    }
    let set: Vec<&str> = env.vars.iter().map(|v| v.name.as_str()).collect();
    let mut winners: HashMap<&str, Option<&str>> = HashMap::new();
    let mut winner = |canonical: &'static str| {
        *winners
            .entry(canonical)
            .or_insert_with(|| names::winner(canonical, &set))
    };
    let stands_for = |i: usize| match classes[i] {
        names::Name::Spelling { canonical } => canonical,
        _ => env.vars[i].name.as_str(),
    };
    for (i, v) in env.vars.iter().enumerate() {
        let finding = match classes[i] {
            names::Name::Fine => continue,
            names::Name::Spelling { canonical } => {
                let read = winner(canonical);
                let other = |want_read: bool| {
                    (0..env.vars.len())
                        .rev()
                        .find(|&j| {
                            let o = &env.vars[j];
                            o.name != v.name
                                && stands_for(j) == canonical
                                && (Some(o.name.as_str()) == read) == want_read
                        })
                        .map(|j| {
                            let o = &env.vars[j];
                            (place(o.place), o.name_span, o.name.clone())
                        })
                };
                if read == Some(v.name.as_str()) {
                    NameFinding::Spelling {
                        canonical,
                        shadows: other(false),
                        shadowed_by: None,
                    }
                } else {
                    NameFinding::Spelling {
                        canonical,
                        shadows: None,
                        shadowed_by: other(true),
                    }
                }
            }
            names::Name::Misspelt { meant, how } => {
                misspelt_config |= meant == ENV_VAR;
                NameFinding::Misspelt {
                    meant,
                    how,
                    set: winner(meant).is_some(),
                }
            }
        };
        plan.findings.push(Finding::VariableName {
            file: place(v.place),
            span: v.name_span,
            name: v.name.clone(),
            service: service.clone(),
            finding,
        });
    }
    misspelt_config
}
