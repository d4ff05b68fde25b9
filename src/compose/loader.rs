//! A compose project read as compose-go's loader reads it: every file of the project, the
//! files its `include:` entries import and those its services' `extends: {file}` name (each a
//! part, with the folder its relative paths count from and its interpolation variables);
//! each part's services with `extends:` applied (the base under the child), the included
//! services imported into the file that includes them, then the files merged in order
//! (`Env::merge` for `environment` and `env_file`, mounts by their target for `volumes`,
//! `secrets` and `configs`, top-level `secrets` and `configs` by name). Every value keeps the
//! part it is written in, so diagnostics point into the file that sets it.

use super::interpolate::interpolate_str;
use super::merge_tags::{MergeTag, Tags};
use super::mounts::{self, Declared};
use super::project::parent;
use super::service::{self, Env};
use super::tree::Tree;
use crate::files::container::{Container, Mount, MountSource, normalize};
use crate::input::Loaded;
use crate::source::{SourceKind, Span};
use crate::yaml::{Limits, Node, load};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Parts a project may have in all (includes and extends of includes...).
const MAX_PARTS: usize = 64;
/// `extends:` chains at most this long: compose has no limit, this bounds the tool's cost only
/// (each service is resolved once, so a chain costs one merge a link).
const MAX_EXTENDS: usize = 1000;

/// One compose file of the project.
pub struct Part {
    pub loaded: Loaded,
    /// Where its relative paths count from.
    pub dir: PathBuf,
    /// Its path, to find it again (`extends: {file}`, include cycles).
    path: PathBuf,
    /// Its interpolation variables (besides the environment, which wins).
    vars: HashMap<String, String>,
    /// Its `include:` entries: each the parts it names (the first, then its overrides).
    includes: Vec<Vec<usize>>,
    /// The parts that included it, for cycles.
    chain: Vec<PathBuf>,
}

/// A service as one part writes it, or merged.
#[derive(Clone)]
pub struct Raw {
    pub name: String,
    /// The part and where its name is written.
    pub key: (usize, Span),
    pub env: Env,
    /// Each with the key it comes from (`volumes`, `secrets`, `configs`).
    mounts: Vec<(&'static str, Mount)>,
    /// Its merge tags: what it resets or overrides of the service it is merged over.
    tags: Tags,
    pub image: Option<String>,
    pub workdir: Option<String>,
    /// `extends:`: the part of its file (`None`: this one) and the base service.
    extends: Option<(Option<usize>, String)>,
}

impl Raw {
    /// `over` merged over this one; `key_of_over`: the merged service is named where `over` is
    /// (an `extends:` child), else where it was first.
    fn merge(self, over: Raw, key_of_over: bool) -> Raw {
        let t = &over.tags;
        let mut mounts: Vec<(&'static str, Mount)> = self
            .mounts
            .into_iter()
            .filter(|(k, m)| {
                t.mounts(k).is_none() && !over.mounts.iter().any(|(_, o)| o.target == m.target)
            })
            .collect();
        mounts.extend(over.mounts);
        // what the later file resets or overrides is dropped from the earlier one
        let mut env = self.env.without_vars(&t.reset_vars);
        if t.environment.is_some() {
            env = env.without_environment();
        }
        if t.env_file.is_some() {
            env = env.without_env_files();
        }
        Raw {
            name: over.name,
            key: if key_of_over { over.key } else { self.key },
            env: env.merge(over.env),
            mounts,
            tags: over.tags,
            image: over.image.or(self.image),
            workdir: over.workdir.or(self.workdir),
            extends: None,
        }
    }

    /// Its container, with `workdir` and `--path-map`.
    pub fn container(
        &self,
        declared: &Declared,
        workdir: PathBuf,
        path_maps: Vec<(PathBuf, PathBuf)>,
    ) -> Container {
        let mut c = Container {
            service: self.name.clone(),
            workdir,
            mounts: self.mounts.iter().map(|(_, m)| m.clone()).collect(),
            declared_secrets: declared.names(),
            path_maps,
        };
        c.sort_mounts();
        c
    }
}

/// What the loader needs of the run.
pub struct Ctx<'c> {
    pub env: &'c dyn Fn(&str) -> Option<String>,
    /// Bytes one file, and the environments of all services together, may have.
    pub budget: usize,
    /// Values of secret-named variables interpolation used (kept out of every output).
    pub secret_used: &'c dyn Fn(&str, &str) -> bool,
}

/// A project read: its parts (the sources to add, in order), its services merged, its
/// top-level secrets and configs, and why compose would refuse it.
pub struct Loaded2 {
    pub parts: Vec<Part>,
    pub services: Vec<Raw>,
    pub declared: Option<Declared>,
    /// What compose refuses in values outside the services' environments: the part, where,
    /// the setting (`services.bpe.image`).
    pub templates: Vec<(usize, Span, String, super::interpolate::Finding)>,
    pub failed: Vec<String>,
    /// The secret values interpolation put into values.
    pub substituted: Vec<String>,
}

fn read_text(path: &Path, budget: usize) -> Result<String, String> {
    let limit = u64::try_from(budget).unwrap_or(u64::MAX);
    crate::files::read_regular_within(path, limit)
        .map_err(|e| e.describe())
        .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".to_string()))
}

fn part(loaded: Loaded, dir: PathBuf, vars: HashMap<String, String>, chain: Vec<PathBuf>) -> Part {
    let path = normalize(Path::new(&loaded.name));
    Part {
        loaded,
        dir,
        path,
        vars,
        includes: Vec::new(),
        chain,
    }
}

fn file(path: &Path, text: String) -> Loaded {
    Loaded {
        name: path.display().to_string(),
        kind: SourceKind::File,
        text,
        invalid_utf8_at: None,
        // a merged project is not written by --fix
        bom: false,
    }
}

/// The strings of a node that is a string or a list of them.
fn strings<'n>(tree: &Tree<'n, '_>, node: Option<&'n Node<'_>>) -> Vec<&'n str> {
    let Some(node) = node else { return Vec::new() };
    match tree.text(node) {
        Some(t) => vec![t],
        None => tree
            .items(node)
            .iter()
            .filter_map(|i| tree.text(i))
            .collect(),
    }
}

/// The project's parts: `files` (merged in order, relative paths from `dir`, interpolated
/// with `vars`), then every file their includes and extends name.
fn gather(
    files: Vec<Loaded>,
    dir: &Path,
    vars: &HashMap<String, String>,
    ctx: &Ctx,
    failed: &mut Vec<String>,
) -> Vec<Part> {
    let mut parts: Vec<Part> = files
        .into_iter()
        .map(|l| part(l, dir.to_path_buf(), vars.clone(), Vec::new()))
        .collect();
    let mut k = 0;
    while k < parts.len() {
        let (includes, extends) = references(&parts[k], ctx);
        let mut entries = Vec::new();
        for (paths, project_dir, env_files) in includes {
            let mut group = Vec::new();
            let base = parts[k].dir.clone();
            let mut chain = parts[k].chain.clone();
            chain.push(parts[k].path.clone());
            let Some(first) = paths.first() else { continue };
            let first = normalize(&base.join(first));
            let inc_dir = project_dir.map_or_else(|| parent(&first), |d| normalize(&base.join(d)));
            // the including file's variables win over the included project's env file
            let mut inc_vars = HashMap::new();
            let env_files: Vec<PathBuf> = if env_files.is_empty() {
                let dot = inc_dir.join(".env");
                if dot.is_file() { vec![dot] } else { Vec::new() }
            } else {
                env_files.iter().map(|f| normalize(&base.join(f))).collect()
            };
            for f in env_files {
                match read_text(&f, ctx.budget).and_then(|t| super::dotenv::parse(&t)) {
                    Ok(p) => {
                        let lookup =
                            |n: &str| (ctx.env)(n).or_else(|| parts[k].vars.get(n).cloned());
                        for r in super::dotenv::resolve(&p, &lookup) {
                            inc_vars.insert(r.name, r.value.text);
                        }
                    }
                    Err(why) => failed.push(format!(
                        "include's env file {}: {why} (docker compose would refuse to start)",
                        f.display()
                    )),
                }
            }
            inc_vars.extend(parts[k].vars.clone());
            for p in &paths {
                let path = normalize(&base.join(p));
                if chain.contains(&path) || path == parts[k].path {
                    failed.push(format!(
                        "include cycle: {} includes {} again (docker compose refuses it)",
                        parts[k].loaded.name,
                        path.display()
                    ));
                    continue;
                }
                if parts.len() >= MAX_PARTS {
                    failed.push(format!("more than {MAX_PARTS} compose files in one project: {} and those after it were not read", path.display()));
                    break;
                }
                match read_text(&path, ctx.budget) {
                    Ok(t) => {
                        group.push(parts.len());
                        parts.push(part(
                            file(&path, t),
                            inc_dir.clone(),
                            inc_vars.clone(),
                            chain.clone(),
                        ));
                    }
                    Err(why) => failed.push(format!(
                        "included file {}: {why} (docker compose would refuse to start)",
                        path.display()
                    )),
                }
            }
            entries.push(group);
        }
        parts[k].includes = entries;
        for f in extends {
            let path = normalize(&parts[k].dir.join(&f));
            if parts.iter().any(|p| p.path == path) {
                continue;
            }
            if parts.len() >= MAX_PARTS {
                failed.push(format!(
                    "more than {MAX_PARTS} compose files in one project: {} was not read",
                    path.display()
                ));
                break;
            }
            match read_text(&path, ctx.budget) {
                Ok(t) => {
                    let (vars, chain) = (parts[k].vars.clone(), parts[k].chain.clone());
                    parts.push(part(file(&path, t), parent(&path), vars, chain));
                }
                Err(why) => failed.push(format!(
                    "extended file {}: {why} (docker compose would refuse to start)",
                    path.display()
                )),
            }
        }
        k += 1;
    }
    parts
}

type Include = (Vec<String>, Option<String>, Vec<String>);

/// A part's `include:` entries (paths, project_directory, env_file) and the files its
/// services' `extends:` name, interpolated.
fn references(p: &Part, ctx: &Ctx) -> (Vec<Include>, Vec<String>) {
    let Ok(doc) = load(&p.loaded.text, Limits::default()) else {
        return Default::default();
    };
    let Some(root) = doc.root.as_ref() else {
        return Default::default();
    };
    let tree = Tree::new(root);
    let lookup = |n: &str| (ctx.env)(n).or_else(|| p.vars.get(n).cloned());
    let i = |s: &str| interpolate_str(s, &lookup).0;
    let mut includes = Vec::new();
    if let Some(list) = tree.get(root, "include") {
        for item in tree.items(list) {
            if let Some(path) = tree.text(item) {
                includes.push((vec![i(path)], None, Vec::new()));
                continue;
            }
            let paths = strings(&tree, tree.get(item, "path"))
                .into_iter()
                .map(i)
                .collect();
            let dir = tree
                .get(item, "project_directory")
                .and_then(|d| tree.text(d))
                .map(i);
            let envs = strings(&tree, tree.get(item, "env_file"))
                .into_iter()
                .map(i)
                .collect();
            includes.push((paths, dir, envs));
        }
    }
    let mut extends = Vec::new();
    if let Some(services) = tree.get(root, "services") {
        for (_, node, _) in tree.entries(services) {
            if let Some(f) = tree
                .get(node, "extends")
                .and_then(|e| tree.get(e, "file"))
                .and_then(|f| tree.text(f))
            {
                extends.push(i(f));
            }
        }
    }
    (includes, extends)
}

/// Read the project of `files`: relative paths from `dir`, interpolation with `vars`.
pub fn project(
    files: Vec<Loaded>,
    dir: &Path,
    vars: &HashMap<String, String>,
    ctx: &Ctx,
) -> Loaded2 {
    let mut failed = Vec::new();
    let top = files.len();
    let parts = gather(files, dir, vars, ctx, &mut failed);
    let substituted = std::cell::RefCell::new(Vec::new());
    let lookup_in = |p: &Part, n: &str| {
        let v = (ctx.env)(n).or_else(|| p.vars.get(n).cloned());
        if let Some(v) = &v
            && (ctx.secret_used)(n, v)
        {
            substituted.borrow_mut().push(v.clone());
        }
        v
    };
    // the top-level secrets and configs of every part first: a service of one file mounts a
    // secret another declares
    let mut declared = Declared::default();
    let mut templates = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let lookup = |n: &str| lookup_in(p, n);
        let interpolate = |s: &str| interpolate_str(s, &lookup).0;
        let mctx = mounts::Ctx {
            project_dir: &p.dir,
            home: (ctx.env)("HOME"),
            interpolate: &interpolate,
        };
        if let Ok(doc) = load(&p.loaded.text, Limits::default())
            && let Some(root) = doc.root.as_ref()
        {
            let tree = Tree::new(root);
            declared.merge(mounts::declared(&tree, root, &mctx));
            for (span, at, f) in super::templates::refused(&tree, &p.loaded.text, root, &lookup) {
                templates.push((k, span, at, f));
            }
        }
    }
    // each part's services, as written there
    let mut raws: Vec<Vec<Raw>> = Vec::with_capacity(parts.len());
    let mut spent = 0usize;
    for (k, p) in parts.iter().enumerate() {
        raws.push(services_of(
            p,
            k,
            &parts,
            &declared,
            ctx,
            &lookup_in,
            &mut spent,
            &mut failed,
        ));
    }
    // extends within each part, then each part's includes imported, then the files merged
    let index: Vec<HashMap<&str, usize>> = raws
        .iter()
        .map(|own| {
            own.iter()
                .enumerate()
                .map(|(i, r)| (r.name.as_str(), i))
                .collect()
        })
        .collect();
    let bases = Bases {
        raws: &raws,
        index: &index,
    };
    let extended = extend_all(&bases, ctx.budget, &mut failed);
    let mut merged: Vec<Raw> = Vec::new();
    for k in 0..top.min(parts.len()) {
        let model = with_includes(&parts, &extended, k, 0, &mut failed);
        merge_into(&mut merged, model);
    }
    Loaded2 {
        parts,
        services: merged,
        declared: Some(declared),
        templates,
        failed,
        substituted: substituted.into_inner(),
    }
}

/// The services part `k` writes, as written there (`spent`: the bytes of environments so far).
#[allow(clippy::too_many_arguments)]
fn services_of(
    p: &Part,
    k: usize,
    parts: &[Part],
    declared: &Declared,
    ctx: &Ctx,
    lookup_in: &dyn Fn(&Part, &str) -> Option<String>,
    spent: &mut usize,
    failed: &mut Vec<String>,
) -> Vec<Raw> {
    let lookup = |n: &str| lookup_in(p, n);
    let interpolate = |s: &str| interpolate_str(s, &lookup).0;
    let mctx = mounts::Ctx {
        project_dir: &p.dir,
        home: (ctx.env)("HOME"),
        interpolate: &interpolate,
    };
    let mut own = Vec::new();
    let doc = match load(&p.loaded.text, Limits::default()) {
        Ok(doc) => doc,
        Err(e) => {
            // the line, for an error line without a snippet
            let line = p
                .loaded
                .text
                .get(..e.span.start)
                .map_or(1, |t| t.matches('\n').count() + 1);
            let why = match e.kind {
                crate::yaml::LoadErrorKind::Syntax => "not YAML: docker compose refuses it",
                crate::yaml::LoadErrorKind::Limit => "more than this tool reads of a compose file",
            };
            failed.push(format!("{}:{line}: {} ({why})", p.loaded.name, e.message));
            return own;
        }
    };
    let Some(root) = doc.root.as_ref() else {
        return own;
    };
    let tree = Tree::new(root);
    if root.as_map().is_none() {
        failed.push(format!(
            "{}: not a compose file (not a mapping)",
            p.loaded.name
        ));
        return own;
    }
    let Some(services) = tree.get(root, "services") else {
        return own;
    };
    for (name, node, key) in tree.entries(services) {
        let env = service::service_env(&tree, &p.loaded.text, node, &p.dir, &lookup).relocate(k);
        *spent = spent.saturating_add(env.bytes());
        if *spent > ctx.budget {
            failed.push(format!(
                "the environments of its services come to more than {} bytes (env files, anchors and ${{VAR}}s repeat them): service `{name}` and those after it were not checked",
                ctx.budget
            ));
            break;
        }
        let c = mounts::container(
            &tree,
            declared,
            name,
            node,
            PathBuf::new(),
            Vec::new(),
            &mctx,
        );
        let text = |k: &str| {
            tree.get(node, k)
                .and_then(|v| tree.text(v))
                .map(&interpolate)
        };
        let extends = tree.get(node, "extends").and_then(|e| match tree.text(e) {
            Some(base) => Some((None, interpolate(base))),
            None => {
                let base = tree.get(e, "service").and_then(|s| tree.text(s))?;
                let file = tree.get(e, "file").and_then(|f| tree.text(f)).map(|f| {
                    let path = normalize(&p.dir.join(interpolate(f)));
                    parts
                        .iter()
                        .position(|q| q.path == path)
                        .unwrap_or(usize::MAX)
                });
                Some((file, interpolate(base)))
            }
        });
        let tags = Tags::of(&tree, &p.loaded.text, key, node);
        let secrets = mount_names(&tree, node, "secrets");
        let mut mounts: Vec<(&'static str, Mount)> = c
            .mounts
            .into_iter()
            .map(|m| {
                let from = match &m.source {
                    MountSource::Secret { name, .. } if secrets.contains(name) => "secrets",
                    MountSource::Secret { .. } => "configs",
                    _ => "volumes",
                };
                (from, m)
            })
            .collect();
        // `!reset` drops the file's own value too
        let reset = |t: Option<MergeTag>| t == Some(MergeTag::Reset);
        mounts.retain(|(k, _)| !reset(tags.mounts(k)));
        let mut env = env.without_vars(&tags.reset_vars);
        if reset(tags.environment) {
            env = env.without_environment();
        }
        if reset(tags.env_file) {
            env = env.without_env_files();
        }
        own.push(Raw {
            name: name.to_string(),
            key: (k, key),
            env,
            mounts,
            tags,
            image: text("image"),
            workdir: text("working_dir"),
            extends,
        });
    }
    own
}

/// The names a service's `secrets:` (or `configs:`) entries mount.
fn mount_names(tree: &Tree, service: &Node, key: &str) -> Vec<String> {
    let Some(list) = tree.get(service, key) else {
        return Vec::new();
    };
    tree.items(list)
        .into_iter()
        .filter_map(|i| {
            tree.text(i)
                .or_else(|| tree.get(i, "source").and_then(|s| tree.text(s)))
        })
        .map(str::to_string)
        .collect()
}

/// `model` merged over `into`, service by service (new ones appended in order); a service
/// tagged `!reset` is dropped, one tagged `!override` replaces the earlier one whole.
fn merge_into(into: &mut Vec<Raw>, model: Vec<Raw>) {
    // where each service is (a project can have thousands)
    let index = |into: &Vec<Raw>| -> HashMap<String, usize> {
        into.iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect()
    };
    let mut at = index(into);
    for r in model {
        match (at.get(&r.name).copied(), r.tags.service) {
            (Some(i), Some(MergeTag::Reset)) => {
                into.remove(i);
                at = index(into);
            }
            (None, Some(MergeTag::Reset)) => {}
            (Some(i), Some(MergeTag::Override)) => into[i] = r,
            (Some(i), None) => {
                let base = into[i].clone();
                into[i] = base.merge(r, false);
            }
            (None, _) => {
                at.insert(r.name.clone(), into.len());
                into.push(r);
            }
        }
    }
}

/// Part `k`'s services with its included services imported (a name both define is an error).
fn with_includes(
    parts: &[Part],
    extended: &[Vec<Raw>],
    k: usize,
    depth: usize,
    failed: &mut Vec<String>,
) -> Vec<Raw> {
    let mut own = extended[k].clone();
    if depth > MAX_PARTS {
        return own;
    }
    for group in &parts[k].includes {
        let mut imported = Vec::new();
        for &j in group {
            let model = with_includes(parts, extended, j, depth + 1, failed);
            merge_into(&mut imported, model);
        }
        let names: std::collections::HashSet<String> = own.iter().map(|o| o.name.clone()).collect();
        for r in imported {
            if names.contains(&r.name) {
                failed.push(format!(
                    "{}: service `{}` is defined here and by an included file too (docker compose refuses the conflict)",
                    parts[k].loaded.name, r.name
                ));
                continue;
            }
            own.push(r);
        }
    }
    own
}

/// Every part's services as written, and where each is by name.
struct Bases<'r> {
    raws: &'r [Vec<Raw>],
    index: &'r [HashMap<&'r str, usize>],
}

/// Where `extends:` resolution stands for one service.
#[derive(Clone)]
enum State {
    Todo,
    /// On the chain being resolved: met again, it is a cycle.
    Visiting,
    /// Resolved (`None`: it cannot be, and why is said).
    Done(Option<Box<Raw>>),
}

/// Every part's services with `extends:` applied (the base first, the child over it), each
/// resolved once and without recursion: a chain of a thousand costs a thousand merges.
/// The environments the merges make get `budget` bytes together: each child holds its bases'
/// variables, a long chain of services adding some would grow as its square.
fn extend_all(bases: &Bases, budget: usize, failed: &mut Vec<String>) -> Vec<Vec<Raw>> {
    let mut state: Vec<Vec<State>> = bases
        .raws
        .iter()
        .map(|own| vec![State::Todo; own.len()])
        .collect();
    let mut left = Some(budget);
    for k in 0..bases.raws.len() {
        for i in 0..bases.raws[k].len() {
            resolve(bases, &mut state, (k, i), (&mut left, budget), failed);
        }
    }
    state
        .into_iter()
        .map(|own| {
            own.into_iter()
                .filter_map(|s| match s {
                    State::Done(r) => r.map(|r| *r),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// Resolve service `at` (part, index) and the chain of bases under it; `left`: what remains of
/// the environments' `budget` (`None`: spent).
fn resolve(
    bases: &Bases,
    state: &mut [Vec<State>],
    at: (usize, usize),
    (left, budget): (&mut Option<usize>, usize),
    failed: &mut Vec<String>,
) {
    let mut chain = vec![at];
    while let Some(&(k, i)) = chain.last() {
        if matches!(state[k][i], State::Done(_)) {
            chain.pop();
            continue;
        }
        let r = &bases.raws[k][i];
        let Some((file, base)) = &r.extends else {
            state[k][i] = State::Done(Some(Box::new(r.clone())));
            chain.pop();
            continue;
        };
        let in_part = file.unwrap_or(k);
        let Some(&j) = bases.index.get(in_part).and_then(|x| x.get(base.as_str())) else {
            failed.push(format!(
                "service `{}` extends service `{base}`, which its file does not define (docker compose refuses it)",
                r.name
            ));
            state[k][i] = State::Done(None);
            chain.pop();
            continue;
        };
        match &state[in_part][j] {
            State::Done(b) => {
                let mut child = r.clone();
                child.extends = None;
                let merged = b.clone().map(|b| Box::new(b.merge(child, true)));
                let bytes = merged.as_ref().map_or(0, |m| m.env.bytes());
                let merged = match left.map(|l| l.checked_sub(bytes)) {
                    Some(Some(rest)) => {
                        *left = Some(rest);
                        merged
                    }
                    Some(None) => {
                        *left = None;
                        failed.push(format!(
                            "the environments its `extends:` make come to more than {} bytes (a limit of this tool, not of docker compose): service `{}` and the later ones that extend a service were not checked",
                            budget, r.name
                        ));
                        None
                    }
                    None => None,
                };
                state[k][i] = State::Done(merged);
                chain.pop();
            }
            State::Visiting => {
                failed.push(format!(
                    "service `{}`: `extends:` goes in a circle (docker compose refuses a cycle)",
                    r.name
                ));
                state[k][i] = State::Done(None);
                chain.pop();
            }
            State::Todo if chain.len() > MAX_EXTENDS => {
                let (k0, i0) = chain[0];
                failed.push(format!(
                    "service `{}`: its `extends:` chain is more than {MAX_EXTENDS} services long (a limit of this tool, not of docker compose)",
                    bases.raws[k0][i0].name
                ));
                state[k][i] = State::Done(None);
                chain.pop();
            }
            State::Todo => {
                state[k][i] = State::Visiting;
                chain.push((in_part, j));
            }
        }
    }
}
