//! One run: arguments → inputs → checks → report → output → exit status. Standard streams and
//! the environment are passed in, so tests can run the whole tool in-process. The verdict is
//! decided before anything is written, so a closed pipe (`| head`) cannot turn it into success.

use crate::cli::{CheckArgs, Cli, ColorChoice, Command, Format, SchemaArgs};
use crate::emit;
use crate::exit::ExitStatus;
use crate::input::{self, ENV_VAR};
use crate::probe::args::ProbeArgs;
use crate::report::Report;
use crate::secrets::Redactor;
use clap::Parser;
use std::ffi::OsString;

mod fixing;

// the run's scrubber lives beside the run (the language server uses it too)
use crate::pipeline::scrubber;
use std::io::{Read, Write};

pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Looks up an environment variable; `Err` when it is set but not valid Unicode.
    pub env: &'a dyn Fn(&str) -> Result<Option<String>, String>,
    /// The names of the environment's variables (for the names the BPE would misread).
    pub env_names: &'a dyn Fn() -> Vec<String>,
    pub stdout_is_terminal: bool,
    /// Progress of probes is shown on standard error only when it is a terminal.
    pub stderr_is_terminal: bool,
}

/// The one prefix of the tool's own errors.
pub fn error_line(message: &str) -> String {
    format!("dsf-connections: error: {}\n", emit::text::visible(message))
}

/// Whether human output is coloured: `--color`, else a terminal without `NO_COLOR`.
fn human_color(args: &CheckArgs, io: &Io) -> bool {
    let no_color = (io.env)("NO_COLOR")
        .ok()
        .flatten()
        .is_some_and(|v| !v.is_empty());
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io.stdout_is_terminal && !no_color,
    }
}

/// Run the tool; the exit status is returned even when writing the output failed.
pub fn run(args: impl IntoIterator<Item = OsString>, io: &mut Io) -> ExitStatus {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                // clap quotes the argument as given: a bidi override or control character in it
                // is made visible, line by line
                let text: String = text
                    .split_inclusive('\n')
                    .map(|l| {
                        let (body, end) = l.strip_suffix('\n').map_or((l, ""), |b| (b, "\n"));
                        format!("{}{end}", crate::emit::text::visible(body))
                    })
                    .collect();
                let _ = io.stderr.write_all(text.as_bytes());
                return ExitStatus::Usage;
            }
            // --help, --version: the text asked for, so a write failure is the tool's own
            let written = io
                .stdout
                .write_all(text.as_bytes())
                .and_then(|()| io.stdout.flush());
            return finish(written, ExitStatus::Valid, io.stderr);
        }
    };
    if let Some(code) = &cli.explain_code {
        return explain_code(code, io);
    }
    let Some(command) = cli.command else {
        // clap's `arg_required_else_help` answers a bare call; this is only a safety net
        let _ = io
            .stderr
            .write_all(error_line("no command given (see --help)").as_bytes());
        return ExitStatus::Usage;
    };
    match command {
        Command::Schema(args) => schema(&args, io),
        Command::Codes => print(&emit::docs::list(docs_styled(io)), io),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // clap_complete panics when its writer fails (a full disk): render first
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "dsf-connections", &mut script);
            if shell == clap_complete::Shell::Bash {
                script = bash_names_fixed(script);
            }
            let written = io
                .stdout
                .write_all(&script)
                .and_then(|()| io.stdout.flush());
            finish(written, ExitStatus::Valid, io.stderr)
        }
        Command::Man { command } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            if let Some(name) = command {
                let names: Vec<String> = cmd
                    .get_subcommands()
                    .map(|c| c.get_name().to_string())
                    .collect();
                let Some(sub) = cmd.find_subcommand(&name).cloned() else {
                    let _ = io.stderr.write_all(
                        error_line(&format!(
                            "no command `{}`: one of {}",
                            emit::text::visible(&name),
                            names.join(", ")
                        ))
                        .as_bytes(),
                    );
                    return ExitStatus::Usage;
                };
                // the page the tool's own page refers to: dsf-connections-check(1)
                let page_name = match sub.get_name() {
                    "check" => "dsf-connections-check",
                    "explain" => "dsf-connections-explain",
                    "schema" => "dsf-connections-schema",
                    "codes" => "dsf-connections-codes",
                    "completions" => "dsf-connections-completions",
                    "man" => "dsf-connections-man",
                    "lsp" => "dsf-connections-lsp",
                    _ => "dsf-connections",
                };
                cmd = sub.name(page_name);
            }
            let written = crate::manpage::render(cmd).and_then(|page| io.stdout.write_all(&page));
            finish(
                written.and_then(|()| io.stdout.flush()),
                ExitStatus::Valid,
                io.stderr,
            )
        }
        Command::Check(c) if c.fix.active() => fixing::check(&c.args, &c.fix, io),
        Command::Check(c) => check(&c.args, Some(&c.probe), false, io),
        Command::Lsp => match crate::lsp::serve() {
            Ok(()) => ExitStatus::Valid,
            Err(m) => {
                let _ = io.stderr.write_all(error_line(&m).as_bytes());
                ExitStatus::Usage
            }
        },
        Command::Explain(args) => check(&args, None, true, io),
    }
}

/// clap_complete's bash script names a subcommand's state `dsf__connections__subcmd__check`
/// where it is set (the binary's `-` made `__`) but `dsf__subcmd__connections__subcmd__check`
/// where it is used (every `-` of the path made `__subcmd__`), so nothing after a subcommand
/// was completed; one spelling for both.
fn bash_names_fixed(script: Vec<u8>) -> Vec<u8> {
    match String::from_utf8(script) {
        Ok(s) => s
            .replace("dsf__subcmd__connections", "dsf__connections")
            .into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

/// Connections `explain` shows and `--test-connections` probes at most (output and memory stay
/// bounded on hostile input; real configs have a few dozen).
const MAX_MODELS: usize = 1000;

/// Whether the docs are styled: on a terminal without `NO_COLOR` (they have no --color).
fn docs_styled(io: &Io) -> bool {
    let no_color = (io.env)("NO_COLOR")
        .ok()
        .flatten()
        .is_some_and(|v| !v.is_empty());
    io.stdout_is_terminal && !no_color
}

/// `--explain-code CODE`: the code's documentation rendered for a terminal, or a tool error
/// with a suggestion; without a code, the list of codes.
fn explain_code(code: &str, io: &mut Io) -> ExitStatus {
    let styled = docs_styled(io);
    if code.trim().is_empty() {
        return print(&emit::docs::list(styled), io);
    }
    match emit::docs::explain(code.trim()) {
        Some(text) => print(&emit::markdown::render(&text, styled), io),
        None => {
            let hint = match emit::docs::suggest(code.trim()) {
                Some(c) => format!(" (did you mean `{c}`?)"),
                None => " (`dsf-connections codes` lists the codes)".to_string(),
            };
            let _ = io
                .stderr
                .write_all(error_line(&format!("unknown code `{code}`{hint}")).as_bytes());
            ExitStatus::Usage
        }
    }
}

/// `schema`: the form for editors, or with `--server-typed` the bundled one.
fn schema(args: &SchemaArgs, io: &mut Io) -> ExitStatus {
    let text = if args.server_typed {
        Ok(crate::schema::SCHEMA_TEXT.to_string())
    } else {
        crate::schema::editor::editor_schema_text()
    };
    match text {
        Ok(t) => print(&t, io),
        Err(m) => {
            let _ = io.stderr.write_all(error_line(&m).as_bytes());
            ExitStatus::Usage
        }
    }
}

/// Print a text the command exists for (docs, a schema): success unless it cannot be written.
fn print(text: &str, io: &mut Io) -> ExitStatus {
    let written = io
        .stdout
        .write_all(text.as_bytes())
        .and_then(|()| io.stdout.flush());
    finish(written, ExitStatus::Valid, io.stderr)
}

/// The status after writing: a closed pipe (`| head`) keeps it; another write error (a full
/// disk) is the tool's own failure, exit 2 whatever the verdict was: nobody saw it.
fn finish(written: std::io::Result<()>, status: ExitStatus, stderr: &mut dyn Write) -> ExitStatus {
    match written {
        Ok(()) => status,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => status,
        Err(e) => {
            let _ =
                stderr.write_all(error_line(&format!("cannot write the output: {e}")).as_bytes());
            ExitStatus::Usage
        }
    }
}

use crate::pipeline::{Input, InputResult};

/// The inputs named on the command line, each read or failed on its own.
fn load_inputs(args: &CheckArgs, io: &mut Io) -> Result<Vec<InputResult>, String> {
    let limit = args.max_input_size;
    let io_env = io.env;
    let env = |n: &str| io_env(n).ok().flatten();
    // `-f` files: one project, before the other inputs
    let mut loaded = Vec::new();
    if !args.compose_files.is_empty() {
        loaded.push(
            crate::compose::project::from_files(&args.compose_files, limit).map(Input::Project),
        );
    }
    if args.inputs.is_empty() && !loaded.is_empty() {
        return Ok(loaded);
    }
    if args.inputs.is_empty() {
        // the variable as the server finds it (Spring also finds `dev_dsf_..._config`)
        let names = (io.env_names)();
        let set: Vec<&str> = names.iter().map(String::as_str).collect();
        let name = crate::compose::names::winner(ENV_VAR, &set).unwrap_or(ENV_VAR);
        let value = (io.env)(name).map_err(|e| format!("${name}: {e}"))?;
        return match input::from_env(value, limit) {
            Ok(Some(l)) => Ok(vec![Ok(Input::One(l))]),
            Ok(None) => Err(format!(
                "no INPUT given and ${ENV_VAR} is not set; pass a file, or `-` for standard input"
            )),
            Err(e) => Err(format!("${ENV_VAR}: {e}")),
        };
    }
    if args.inputs.iter().filter(|i| *i == "-").count() > 1 {
        return Err("`-` (standard input) can be given only once".into());
    }
    loaded.extend(args.inputs.iter().map(|name| {
        if name != "-" && std::path::Path::new(name).is_dir() {
            // a folder is a compose project, as `docker compose` run there reads it
            return crate::compose::project::from_dir(name, &env, limit)
                .map(Input::Project)
                .map_err(|e| match e {
                    crate::compose::project::DirError::NoProject(why) => {
                        (name.clone(), directory_error(name, &why))
                    }
                    crate::compose::project::DirError::Unreadable(file, why) => (file, why),
                });
        }
        let r = if name == "-" {
            input::read_stdin(&mut *io.stdin, limit, args.stdin_filename.as_deref())
        } else {
            input::read_file(name, limit)
        };
        // standard input by the name it is shown under
        let shown = match name.as_str() {
            "-" => args.stdin_filename.as_deref().unwrap_or("<stdin>"),
            n => n,
        };
        r.map(Input::One)
            .map_err(|e| (shown.to_string(), e.to_string()))
    }));
    Ok(loaded)
}

/// A folder that is not a compose project: why, and what to name instead.
fn directory_error(name: &str, why: &str) -> String {
    let glob = format!("{}/*.yaml", name.trim_end_matches('/'));
    format!(
        "is a directory: {why} for docker compose to read; name the config files in it instead, e.g. `dsf-connections check {glob}`"
    )
}

fn check(args: &CheckArgs, probe: Option<&ProbeArgs>, explain: bool, io: &mut Io) -> ExitStatus {
    let probing = probe.is_some_and(|p| p.test_connections);
    if probing && args.skip_file_checks {
        let _ = io.stderr.write_all(
            error_line("--test-connections needs the files the config names (trust stores, keys, secrets): drop --skip-file-checks").as_bytes(),
        );
        return ExitStatus::Usage;
    }
    let loaded = match load_inputs(args, io) {
        Ok(l) => l,
        Err(m) => {
            let _ = io.stderr.write_all(error_line(&m).as_bytes());
            return ExitStatus::Usage;
        }
    };
    let io_env = io.env;
    let env = |name: &str| io_env(name).ok().flatten();
    let keep = if explain || probing { MAX_MODELS } else { 0 };
    let run = crate::pipeline::Run {
        args,
        env: &env,
        env_names: (io.env_names)(),
        keep_models: keep,
        keeper: if explain {
            "explain"
        } else {
            "--test-connections"
        },
    };
    let (mut report, models) = match crate::pipeline::run(&run, loaded) {
        Ok(mut c) => {
            crate::fix::run::annotate_sources(&mut c.report);
            if !explain && let Some(n) = crate::fix::run::fixable_note(&c.report) {
                c.report.notes.push(n);
            }
            (c.report, c.models)
        }
        Err(m) => {
            let _ = io.stderr.write_all(error_line(&m).as_bytes());
            return ExitStatus::Usage;
        }
    };
    if let (true, Some(p)) = (probing, probe) {
        let env = |name: &str| (io.env)(name).ok().flatten();
        let progress = io.stderr_is_terminal && args.format == Format::Human && !args.quiet;
        // a compose service's probes use its own DEV_DSF_PROXY_* values, the others the tool's
        let (mut results, mut not_probed, mut notes) = (Vec::new(), Vec::new(), Vec::new());
        for (service, range) in probe_groups(&report, &models) {
            let service_env = |name: &str| service.and_then(|s| s.env(name));
            let env: &dyn Fn(&str) -> Option<String> = match service {
                Some(_) => &service_env,
                None => &env,
            };
            let (r, n, m) = crate::probe::from_model::run_for(
                &report.diagnostics,
                &models[range],
                p,
                env,
                progress,
            );
            results.extend(r);
            not_probed.extend(n);
            notes.extend(m);
        }
        report.notes.extend(
            notes
                .iter()
                .map(|n: &String| crate::secrets::Text::from(crate::secrets::Piece::value(n))),
        );
        report.probes = Some((results, not_probed));
    }
    if explain {
        report.models = Some(models);
    }
    let status = if !report.failed.is_empty() {
        ExitStatus::Usage
    } else if report.errors() > 0 || (args.warnings_fail() && report.warnings() > 0) {
        ExitStatus::Invalid
    } else if report
        .probes
        .as_ref()
        .is_some_and(|(r, _)| crate::probe::failed(r))
    {
        // a probe failed, or none could be run: a smoke check that tested nothing has not passed
        ExitStatus::ProbeFailed
    } else {
        ExitStatus::Valid
    };
    let scrubber = scrubber(&report);
    let redactor = Redactor::new(&report.sources, scrubber);
    for (name, why) in &report.failed {
        let line = error_line(&format!("{name}: {why}"));
        let _ = io
            .stderr
            .write_all(redactor.scrubber().text(&line).as_bytes());
    }
    let written = emit_report(&report, &redactor, args, io);
    finish(written.and_then(|()| io.stdout.flush()), status, io.stderr)
}

/// The models of a run in runs of the same input kind: those of one compose service (probed
/// with its own environment), and the others (`None`: the tool's environment).
fn probe_groups<'r>(
    report: &'r Report,
    models: &[crate::model::Connection],
) -> Vec<(
    Option<&'r crate::compose::ServiceInfo>,
    std::ops::Range<usize>,
)> {
    let service_of = |c: &crate::model::Connection| {
        report
            .inputs
            .iter()
            .find(|i| i.file == c.file)
            .and_then(|i| i.service.as_ref())
    };
    let mut groups: Vec<(Option<&crate::compose::ServiceInfo>, std::ops::Range<usize>)> =
        Vec::new();
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

/// Render the report in the chosen format, with every secret value the run knows scrubbed from
/// it (rendered whole first: outputs are bounded, and a secret cannot slip out between writes).
fn emit_report(
    report: &Report,
    r: &Redactor,
    args: &CheckArgs,
    io: &mut Io,
) -> std::io::Result<()> {
    let mut out = Vec::new();
    if args.compose_environment {
        emit::environment::emit(report, r, &mut out)?;
    } else {
        render(report, r, args, io, &mut out)?;
    }
    let out = r.bytes(out);
    io.stdout.write_all(&out)
}

fn render(
    report: &Report,
    r: &Redactor,
    args: &CheckArgs,
    io: &Io,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let ci = emit::ci::Options {
        cwd: std::env::current_dir().ok(),
        quiet: args.quiet,
        r,
    };
    match args.format {
        Format::Json => emit::json::emit(report, r, out),
        Format::Human => {
            let style = emit::human::Style {
                color: human_color(args, io),
                quiet: args.quiet,
                r,
            };
            emit::human::emit(report, &style, out)
        }
        Format::Concise => emit::concise::emit(report, &ci, out),
        Format::Github => emit::github::emit(report, &ci, out),
        Format::Sarif => emit::sarif::emit(report, &ci, out),
        Format::Gitlab => emit::gitlab::emit(report, &ci, out),
    }
}
