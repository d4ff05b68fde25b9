//! One run: arguments → inputs → checks → report → output → exit status. Standard streams and
//! the environment are passed in, so tests can run the whole tool in-process.

use crate::checks::Checker;
use crate::cli::{CheckArgs, Cli, ColorChoice, Command, Format};
use crate::diag::{Code, Diagnostic, sort_and_dedup};
use crate::emit;
use crate::exit::ExitStatus;
use crate::input::{self, ENV_VAR, InputError, Loaded};
use crate::report::{InputReport, Report};
use crate::source::{SourceFile, Span};
use crate::yaml::Limits;
use clap::Parser;
use std::ffi::OsString;
use std::io::{Read, Write};

pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Looks up an environment variable; `Err` when it is set but not valid Unicode.
    pub env: &'a dyn Fn(&str) -> Result<Option<String>, String>,
    pub stdout_is_terminal: bool,
}

pub fn run(args: impl IntoIterator<Item = OsString>, io: &mut Io) -> std::io::Result<ExitStatus> {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let status = if e.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Valid
            };
            let text = e.render().to_string();
            if e.use_stderr() {
                io.stderr.write_all(text.as_bytes())?;
            } else {
                io.stdout.write_all(text.as_bytes())?;
            }
            return Ok(status);
        }
    };
    match cli.command {
        Command::Schema => {
            io.stdout.write_all(crate::schema::SCHEMA_TEXT.as_bytes())?;
            Ok(ExitStatus::Valid)
        }
        Command::Check(args) => check(&args, false, io),
        Command::Explain(args) => check(&args, true, io),
    }
}

fn fail(io: &mut Io, message: &str) -> std::io::Result<ExitStatus> {
    writeln!(io.stderr, "dsf-connections: error: {message}")?;
    Ok(ExitStatus::Usage)
}

fn load_inputs(args: &CheckArgs, io: &mut Io) -> Result<Vec<Loaded>, String> {
    let limit = args.max_input_size;
    let err = |e: InputError| e.to_string();
    if args.inputs.is_empty() {
        let value = (io.env)(ENV_VAR).map_err(|e| format!("${ENV_VAR}: {e}"))?;
        return match input::from_env(value, limit).map_err(err)? {
            Some(l) => Ok(vec![l]),
            None => Err(format!(
                "no INPUT given and ${ENV_VAR} is not set; pass a file, or `-` for standard input"
            )),
        };
    }
    if args.inputs.iter().filter(|i| *i == "-").count() > 1 {
        return Err("`-` (standard input) can be given only once".into());
    }
    let mut loaded = Vec::with_capacity(args.inputs.len());
    for name in &args.inputs {
        loaded.push(if name == "-" {
            input::read_stdin(&mut *io.stdin, limit).map_err(err)?
        } else {
            input::read_file(name, limit).map_err(err)?
        });
    }
    Ok(loaded)
}

fn check(args: &CheckArgs, explain: bool, io: &mut Io) -> std::io::Result<ExitStatus> {
    let loaded = match load_inputs(args, io) {
        Ok(l) => l,
        Err(m) => return fail(io, &m),
    };
    let mut report = Report::default();
    let env = |name: &str| (io.env)(name).ok().flatten();
    let defaults = crate::defaults::read(&env, &mut report.sources, &mut report.diagnostics);
    let mut checker = match Checker::new(Limits::default(), args.file_options(), defaults) {
        Ok(c) => c,
        Err(m) => return fail(io, &m),
    };
    checker.explain = explain;
    if explain {
        report.explained = Some(Vec::new());
    }
    for l in loaded {
        let file = report.sources.add(SourceFile::new(l.name.clone(), l.text));
        let source = report.sources.get(file);
        let mut input = InputReport {
            name: l.name,
            file,
            connections: Vec::new(),
            secrets: Vec::new(),
            readable: true,
        };
        if let Some(at) = l.invalid_utf8_at {
            let len = source.text[at..].chars().next().map_or(0, char::len_utf8);
            report.diagnostics.push(
                Diagnostic::new(
                    Code::InputNotUtf8,
                    file,
                    Span::new(at, at + len),
                    "the input is not valid UTF-8",
                )
                .label("first invalid byte")
                .help("save the file as UTF-8 (the server decodes the variable as UTF-8)"),
            );
            input.readable = false;
        } else {
            let r = checker.check(file, source);
            input.connections = r.connections;
            input.secrets = r.secrets;
            input.readable = r.readable;
            if let Some(e) = report.explained.as_mut() {
                e.extend(r.explained);
            }
            report.diagnostics.extend(r.diagnostics);
        }
        report.inputs.push(input);
    }
    checker.finish(&mut report.diagnostics);
    sort_and_dedup(&mut report.diagnostics);
    // the inputs first, then what concerns the environment
    let env_file = checker.defaults.file;
    report.diagnostics.sort_by_key(|d| d.file == env_file);
    match args.format {
        Format::Json => emit::json::emit(&report, io.stdout)?,
        Format::Human => {
            let no_color = (io.env)("NO_COLOR")
                .ok()
                .flatten()
                .is_some_and(|v| !v.is_empty());
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => io.stdout_is_terminal && !no_color,
            };
            let style = emit::human::Style { color, width: 100 };
            emit::human::emit(&report, &style, io.stdout)?;
            if let Some(explained) = &report.explained {
                emit::explain::emit(explained, &style, io.stdout)?;
            }
        }
    }
    io.stdout.flush()?;
    Ok(if report.errors() > 0 {
        ExitStatus::Invalid
    } else {
        ExitStatus::Valid
    })
}
