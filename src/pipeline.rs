//! The checks of one run, in one direction: inputs (read by `input`) → sources (a compose file
//! planned into its services' configs by `compose::plan`, which adds texts and checks nothing)
//! → each source checked by the one function [`check_source`] → the [`Report`], built from the
//! results at the end. Nothing here prints; `app` renders the report.

use crate::check::Checker;
use crate::cli::CheckArgs;
use crate::compose::{self, Planned};
use crate::diag::filter::Sink;
use crate::diag::{Diagnostic, Outcome, sort_and_dedup};
use crate::input::Loaded;
use crate::model::Connection;
use crate::report::{InputReport, Report};
use crate::secrets::{Piece, Text};
use crate::source::{FileId, SourceDb, SourceFile};
use crate::text;

/// An input read, or its name and why it could not be.
pub type InputResult = Result<Input, (String, String)>;

/// One input: a file (standard input, the variable), or the compose files of one project
/// (`-f`, a folder).
pub enum Input {
    One(Loaded),
    Project(compose::project::Project),
}

/// What a run checks and keeps.
pub struct Run<'a> {
    pub args: &'a CheckArgs,
    /// The tool's environment (the `DEFAULT_*` variables, compose's interpolation).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The names of the tool's environment's variables.
    pub env_names: Vec<String>,
    /// How many resolved connections to keep (for `explain` and the probes; 0: none).
    pub keep_models: usize,
    /// Who keeps them, for the note when some are left out.
    pub keeper: &'static str,
}

/// A checked run: the report, and the resolved connections kept.
pub struct Checked {
    pub report: Report,
    pub models: Vec<Connection>,
}

/// Check every input of a run. `Err` is a usage error (the tool cannot run at all).
pub fn run(run: &Run, loaded: Vec<InputResult>) -> Result<Checked, String> {
    let args = run.args;
    let mut db = SourceDb::default();
    let mut sink = Sink::new(args.filter());
    let mut bad = Vec::new();
    // the variables as the server finds them: Spring also finds `dev_dsf_..._default_...`
    let set: Vec<&str> = run.env_names.iter().map(String::as_str).collect();
    let spring_env = |name: &str| {
        let found = compose::names::winner(name, &set).unwrap_or(name);
        (run.env)(found)
    };
    let defaults = crate::defaults::read(&spring_env, &mut db, &mut bad);
    environment_names(&set, &mut db, &mut sink);
    sink.extend(bad.into_iter().map(crate::rules::defaults::invalid));
    let env_file = defaults.file;
    // one key cache and one budget of key derivation for every input and compose service
    let file_options = args.file_options();
    let mut checker = Checker::new(file_options.clone(), defaults.clone())?;
    checker.set_proxy(crate::rules::proxy::enabled(run.env));
    let compose_options = compose::Options {
        kind: args.input_kind,
        services: &args.services,
        env_files: &args.env_files,
        workdir: args.container_workdir.as_deref(),
        files: file_options.clone(),
        env: run.env,
        budget: usize::try_from(args.max_input_size).unwrap_or(usize::MAX),
        keep_environment: args.compose_environment,
    };
    let mut out = Out {
        keep: run.keep_models,
        ..Out::default()
    };
    let mut matched = std::collections::BTreeSet::new();
    for l in loaded {
        let planned = match l {
            Ok(Input::One(l)) => compose::plan(l, &compose_options, &mut db),
            Ok(Input::Project(p)) => compose::plan_project(p, &compose_options, &mut db),
            Err(failed) => {
                out.failed.push(failed);
                continue;
            }
        };
        match planned {
            Planned::Config(l) => {
                let in_environment = l.kind == crate::source::SourceKind::EnvVar;
                let bytes = crate::input::ENV_VAR.len() + l.text.len() + 2;
                let file = db.add(SourceFile::new(l.name.clone(), l.kind.clone(), l.text));
                // (a compose file read as a config, because it could not be read as one, is
                // not a config value)
                if bytes > compose::MAX_ENV_STRING
                    && !compose::detect::is_compose_text(&db.get(file).text)
                {
                    sink.push(crate::rules::compose::too_large(
                        file,
                        &db.get(file).text,
                        bytes,
                        in_environment,
                    ));
                }
                let input = check_source(
                    &mut checker,
                    &mut db,
                    file,
                    l.invalid_utf8_at,
                    args,
                    &mut sink,
                    &mut out,
                );
                out.inputs.push(input);
            }
            Planned::NotCompose { name, why } => out.failed.push((name, why)),
            Planned::Compose(plan) => {
                matched.extend(plan.matched.iter().cloned());
                let defaults = &defaults;
                let make = |container| {
                    let mut files = file_options.clone();
                    files.container = container;
                    files
                };
                compose_input(plan, defaults, &make, run, &mut db, &mut sink, &mut out)?;
            }
        }
    }
    for s in &args.services {
        if !matched.contains(s) {
            out.failed.push((
                format!("--service {s}"),
                format!(
                    "no compose input has a service `{s}` that sets {}",
                    crate::input::ENV_VAR
                ),
            ));
        }
    }
    out.notes.extend(checker.finish(&mut sink));
    out.dropped += checker.models_dropped;
    // the cap holds across inputs and compose services too
    if out.models.len() > run.keep_models {
        out.dropped += out.models.len() - run.keep_models;
        out.models.truncate(run.keep_models);
    }
    if out.dropped > 0 && run.keep_models > 0 {
        out.notes.push(text!(
            "{} shows the first {} connections, {} more were left out: pick them with --connection ID",
            run.keeper,
            run.keep_models,
            out.dropped
        ));
    }
    for id in &args.connections {
        if !out.inputs.iter().any(|i| i.connections.contains(id)) {
            out.failed.push((
                format!("--connection {id}"),
                "no connection of that id in the config".into(),
            ));
        }
    }
    let mut diagnostics = sink.kept;
    sort_and_dedup(&mut diagnostics);
    crate::diag::sort_by_place(&mut diagnostics, &db);
    // the inputs first, then what concerns the environment
    diagnostics.sort_by_key(|d| d.file() == env_file);
    let report = Report {
        sources: db,
        inputs: out.inputs,
        failed: out.failed,
        diagnostics,
        omitted: sink.omitted,
        notes: out.notes,
        models: None,
        probes: None,
        scrub: out.scrub,
        scrub_first: out.scrub_first,
        environments: out.environments,
    };
    Ok(Checked {
        report,
        models: out.models,
    })
}

/// What the checks of a run collect besides diagnostics.
#[derive(Default)]
struct Out {
    inputs: Vec<InputReport>,
    failed: Vec<(String, String)>,
    notes: Vec<Text>,
    models: Vec<Connection>,
    /// How many resolved connections the run keeps in all.
    keep: usize,
    dropped: usize,
    scrub: std::collections::HashSet<String>,
    scrub_first: Vec<String>,
    environments: Vec<crate::compose::Environment>,
}

/// Check one source (a config file, standard input, the variable, or a config embedded in a
/// compose file) into its input of the report.
fn check_source(
    checker: &mut Checker,
    db: &mut SourceDb,
    file: FileId,
    invalid_utf8_at: Option<usize>,
    args: &CheckArgs,
    sink: &mut Sink,
    out: &mut Out,
) -> InputReport {
    let source = db.get(file);
    sink.scan_source(file, &source.text);
    let mut input = InputReport {
        name: source.name.clone(),
        file,
        connections: Vec::new(),
        readable: true,
        service: None,
    };
    if let Some(at) = invalid_utf8_at {
        sink.push(crate::rules::input::not_utf8(file, &source.text, at));
        input.readable = false;
        return input;
    }
    let kept_before = sink.kept.len();
    // the connections kept for explain and the probes: one budget for the whole run
    checker.keep_models = out.keep.saturating_sub(out.models.len());
    checker.wants_models = out.keep > 0;
    let mut checked = checker.check(file, source, sink);
    if !checked.readable && compose::detect::is_compose_text(&source.text) {
        compose_syntax(&mut sink.kept[kept_before..], file);
    }
    if !args.connections.is_empty() {
        checked.connections.retain(|c| args.connections.contains(c));
        checked.models.retain(|m| args.connections.contains(&m.id));
    }
    input.connections = checked.connections;
    input.readable = checked.readable;
    out.models.extend(checked.models);
    let src = db.get_mut(file);
    src.secrets = checked.secrets;
    src.text_masks = checked.text_masks;
    out.scrub.extend(checked.secret_values);
    input
}

/// A compose file: what compose's reading found, then each service's config as a source.
fn compose_input(
    plan: compose::Plan,
    defaults: &crate::defaults::Defaults,
    files: &dyn Fn(Option<std::sync::Arc<crate::files::Container>>) -> crate::files::FileOptions,
    run: &Run,
    db: &mut SourceDb,
    sink: &mut Sink,
    out: &mut Out,
) -> Result<(), String> {
    let args = run.args;
    for &host in &plan.hosts {
        sink.scan_source(host, &db.get(host).text);
    }
    for f in &plan.findings {
        sink.push(match f {
            compose::Finding::Interpolation {
                file,
                span,
                variable,
                finding,
            } => crate::rules::compose::interpolation(
                *file,
                &db.get(*file).text,
                *span,
                variable,
                finding,
            ),
            compose::Finding::Template {
                file,
                span,
                at,
                finding,
            } => crate::rules::compose::template(*file, &db.get(*file).text, *span, at, finding),
            compose::Finding::EnvFileUnreadable { file, span, why } => {
                crate::rules::compose::env_file_unreadable(*file, *span, why)
            }
            compose::Finding::EnvironmentEntry { file, span, why } => {
                crate::rules::compose::invalid_environment(*file, *span, why)
            }
            compose::Finding::VariableName {
                file,
                span,
                name,
                service,
                finding,
            } => crate::rules::compose::variable_name(
                *file,
                *span,
                name,
                service.as_deref(),
                finding,
            ),
            compose::Finding::NoConfig {
                file,
                span,
                service,
            } => crate::rules::compose::no_config(*file, *span, service),
            compose::Finding::TooLarge { config, bytes } => {
                crate::rules::compose::too_large(*config, &db.get(*config).text, *bytes, true)
            }
            compose::Finding::VariableTooLarge {
                file,
                span,
                name,
                bytes,
            } => crate::rules::compose::variable_too_large(
                *file,
                &db.get(*file).text,
                *span,
                name,
                *bytes,
            ),
        });
    }
    out.failed.extend(plan.failed.iter().cloned());
    out.scrub.extend(plan.secrets.iter().cloned());
    out.scrub_first.extend(plan.substituted.iter().cloned());
    out.environments.extend(plan.environments.iter().cloned());
    let mut checked: Vec<(Text, usize)> = Vec::new();
    let mut service_notes: Vec<Text> = Vec::new();
    let name = Piece::value(&plan.name);
    for s in &plan.services {
        service_notes.extend(s.notes.iter().cloned());
        let Some(file) = s.config else {
            continue;
        };
        let mut bad = Vec::new();
        let service_defaults = defaults.with_overrides(&s.overrides, &mut bad);
        sink.extend(bad.into_iter().map(crate::rules::defaults::invalid));
        let mut checker = Checker::new(
            files(s.container.clone().map(std::sync::Arc::new)),
            service_defaults,
        )?;
        // a service's container sees its own DEV_DSF_PROXY_* values (as its probes do)
        checker.set_proxy(crate::rules::proxy::enabled(&|n: &str| s.info.env(n)));
        let mut input = check_source(&mut checker, db, file, None, args, sink, out);
        // the input is the compose file's, whatever source the config came from
        input.name = plan.name.clone();
        service_notes.extend(
            checker
                .finish(sink)
                .map(|n| text!("{}: {}", name.clone(), n)),
        );
        out.dropped += checker.models_dropped;
        checked.push((s.shown.clone(), input.connections.len()));
        input.service = Some(s.info.clone());
        out.inputs.push(input);
    }
    if checked.is_empty() {
        out.inputs.push(InputReport {
            name: plan.name.clone(),
            file: plan.host,
            connections: Vec::new(),
            readable: true,
            service: None,
        });
    }
    out.notes
        .extend(compose::summary(&plan, &args.services, &checked));
    out.notes.extend(service_notes);
    out.notes.extend(plan.notes.iter().cloned());
    Ok(())
}

/// A docker compose file that is not YAML: compose itself refuses it, so the BPE does not start
/// at all (not "starts with no connections", as for a config).
fn compose_syntax(diags: &mut [Diagnostic], file: FileId) {
    for d in diags
        .iter_mut()
        .filter(|d| d.file() == file && d.rule.name.starts_with("yaml-"))
    {
        d.outcome = Some(Outcome::DoesNotStart);
        let note = "this is a docker compose file (it has `services:`): docker compose cannot read it, so the BPE is not started";
        d.help = Some(match d.help.take() {
            Some(h) => h.then("; ").then(note),
            None => note.into(),
        });
    }
}

/// The variables of the tool's environment the BPE would misread (a misspelt or undocumented
/// name of the connections family), each reported on its line of a pseudo-source
/// `<environment>` that names them (their values are not shown), beside the documented names
/// they compete with.
fn environment_names(names: &[&str], db: &mut SourceDb, sink: &mut Sink) {
    use compose::names::{Name, classify};
    let mut found: Vec<(&str, Name)> = names
        .iter()
        .map(|n| (*n, classify(n)))
        .filter(|(_, c)| *c != Name::Fine)
        .collect();
    if found.is_empty() {
        return;
    }
    found.sort_by_key(|(n, _)| *n);
    // the documented names another spelling competes with are listed too
    let mut listed: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
    for (_, c) in &found {
        if let Name::Spelling { canonical } = c
            && names.contains(canonical)
            && !listed.contains(canonical)
        {
            listed.push(canonical);
        }
    }
    let mut text = String::new();
    let mut spans = std::collections::HashMap::new();
    for n in &listed {
        spans.insert(
            *n,
            crate::source::Span::new(text.len(), text.len() + n.len()),
        );
        text.push_str(n);
        text.push('\n');
    }
    let file = db.add(SourceFile::new(
        "<environment>",
        crate::source::SourceKind::Environment,
        text,
    ));
    let at = |n: &str| {
        (
            file,
            spans.get(n).copied().unwrap_or_default(),
            n.to_string(),
        )
    };
    for (name, class) in &found {
        let finding = match *class {
            Name::Fine => continue,
            Name::Spelling { canonical } => {
                let read = compose::names::winner(canonical, names);
                let competing = listed.iter().copied().find(|o| {
                    o != name
                        && (*o == canonical
                            || matches!(classify(o), Name::Spelling { canonical: k } if k == canonical))
                });
                if read == Some(*name) {
                    compose::NameFinding::Spelling {
                        canonical,
                        shadows: competing.map(at),
                        shadowed_by: None,
                    }
                } else {
                    compose::NameFinding::Spelling {
                        canonical,
                        shadows: None,
                        shadowed_by: read.map(at),
                    }
                }
            }
            Name::Misspelt { meant, how } => compose::NameFinding::Misspelt {
                meant,
                how,
                set: names.contains(&meant),
            },
        };
        let span = spans.get(name).copied().unwrap_or_default();
        sink.push(crate::rules::compose::variable_name(file, span, name, None, &finding).at(""));
    }
}

/// The scrubber of every secret value the run knows, the secrets near what the output shows
/// first.
pub fn scrubber(report: &Report) -> crate::secrets::scrub::Scrubber {
    use crate::secrets::scrub::{Known, NEAR_LABEL, Scrubber};
    let mut near = Vec::new();
    for d in &report.diagnostics {
        for l in std::iter::once(&d.primary).chain(&d.related) {
            let from = l.span.start.saturating_sub(NEAR_LABEL);
            let to = l.span.end.saturating_add(NEAR_LABEL);
            near.push((l.file, crate::source::Span::new(from, to)));
        }
    }
    for m in report.models.iter().flatten() {
        near.push((m.file, m.value));
    }
    Scrubber::for_run(&Known {
        first: &report.scrub_first,
        near,
        values: &report.scrub,
        db: &report.sources,
        vocabulary: crate::rules::vocabulary(),
    })
}
