//! Command-line arguments (clap derive). Parsing only: no I/O happens here.

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  valid (warnings allowed)
  1  invalid: at least one error (YAML syntax errors included)
  2  the tool could not run: an input missing or unreadable (the others are
     still checked), the variable unset with no INPUT, bad flags
  3  valid, but a connection test failed, or no connection could be tested
     at all (check --test-connections: a smoke check that tested nothing
     has not passed)

With --deny-warnings (or --fail-on warning), warnings exit 1 too. With
--diff: 1 when there is something to fix, else 0 (--fix: as above, for what
remains after fixing).

Every diagnostic code is explained by `dsf-connections --explain-code CODE`
(and in docs/codes.md of the repository): what it means, why it matters, a bad
example and the fix. `dsf-connections codes` lists them.";

const EXPLAIN_EXIT_CODES: &str = "\
explain prints each connection's effective settings after the diagnostics,
with the server's defaults applied and where every value comes from.

Exit codes:
  0  valid (warnings allowed)
  1  invalid: at least one error (the settings are still shown)
  2  the tool could not run: an input missing or unreadable, bad flags";

#[derive(Debug, Parser)]
#[command(
    name = "dsf-connections",
    max_term_width = 80,
    about = "Check DSF BPE FHIR client connection configs\n\
             (DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG) before the server sees them",
    after_help = EXIT_CODES,
    // `--version` names the commit when built from git (build.rs)
    version = crate::VERSION,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Print the documentation of a diagnostic or probe code (what it means,
    /// why it matters, a bad example, the fix) and exit; without CODE, list
    /// the codes
    #[arg(long, value_name = "CODE", exclusive = true, num_args = 0..=1,
          default_missing_value = "")]
    pub explain_code: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check configs against the server's rules (with no INPUT: the variable)
    #[command(after_help = EXIT_CODES)]
    Check(CheckCommand),
    /// Show each connection's effective settings, where each comes from,
    /// the certificates behind file settings; secrets as ****
    #[command(after_help = EXPLAIN_EXIT_CODES)]
    Explain(CheckArgs),
    /// Print the JSON schema of the config, for editors and YAML tools
    /// (yaml-language-server, check-jsonschema)
    Schema(SchemaArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): the tool's, or a command's (`dsf-connections man check >
    /// dsf-connections-check.1`)
    Man {
        /// The command whose page to print (check, explain, schema, codes,
        /// completions, man, lsp)
        command: Option<String>,
    },
    /// List every diagnostic and probe code with its severity and summary
    /// (`--explain-code CODE` explains one)
    Codes,
    /// Run a Language Server over standard input and output, for editors
    /// (diagnostics while typing, also inside compose files; see README "Editors")
    Lsp,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// The schema as dsf-connections applies it: to the config typed the way
    /// the server types it (YAML 1.1), not to the YAML 1.2 types editors see
    #[arg(long)]
    pub server_typed: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckCommand {
    #[command(flatten)]
    pub args: CheckArgs,
    #[command(flatten)]
    pub probe: crate::probe::args::ProbeArgs,
    #[command(flatten)]
    pub fix: FixArgs,
}

/// `check --fix` and its companions (ruff's flags).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FixArgs {
    /// Apply the safe fixes to the files (standard input: the fixed text
    /// goes to standard output, the report to standard error).
    #[arg(long, conflicts_with = "test_connections", help_heading = "Fixing")]
    pub fix: bool,

    /// Apply the unsafe fixes too (guesses at intent; with --fix or --diff).
    #[arg(long, help_heading = "Fixing")]
    pub unsafe_fixes: bool,

    /// Print a unified diff of the fixes instead of writing them; exit 1
    /// when there is something to fix.
    #[arg(long, conflicts_with = "test_connections", help_heading = "Fixing")]
    pub diff: bool,

    /// List each fix applied (with --diff, or alone, each that would be;
    /// alone, nothing is written).
    #[arg(long, help_heading = "Fixing")]
    pub show_fixes: bool,
}

impl FixArgs {
    /// Whether the run fixes (or shows what it would fix).
    pub fn active(&self) -> bool {
        self.fix || self.diff || self.show_fixes
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// YAML files to check; `-` reads standard input. Without any, the value
    /// of $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG is checked.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to use colors in human output (`auto` honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Report only these codes (repeatable, or comma-separated).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = parse_code)]
    pub select: Vec<String>,

    /// Do not report these codes (repeatable, or comma-separated).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = parse_code)]
    pub ignore: Vec<String>,

    /// Keep at most N diagnostics; the rest are counted per code in the
    /// summary (their errors still make the run fail).
    #[arg(long, value_name = "N", default_value_t = crate::diag::filter::DEFAULT_MAX,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_diagnostics: u64,

    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_SIZE)]
    pub max_input_size: u64,

    /// Resolve relative file paths of the config against DIR (the BPE
    /// resolves them against its working directory) [default: .]
    #[arg(long, value_name = "DIR")]
    pub base_dir: Option<std::path::PathBuf>,

    /// Check a path of the BPE's container in a folder here (repeatable),
    /// e.g. --path-map /run/secrets=./secrets
    #[arg(long, value_name = "CONTAINER=HOST", value_parser = crate::files::parse_path_map)]
    pub path_map: Vec<(std::path::PathBuf, std::path::PathBuf)>,

    /// Read no file named in the config (for CI steps without the secrets).
    #[arg(long)]
    pub skip_file_checks: bool,

    /// Check (and probe) only this connection (repeatable).
    #[arg(long = "connection", value_name = "ID")]
    pub connections: Vec<String>,

    // --- docker compose inputs (src/compose) ---
    /// What INPUT is: `auto` recognises a docker compose file (or the DSF
    /// docs' fragment) by its content, whatever its name.
    #[arg(long, value_enum, default_value_t = crate::compose::detect::InputKind::Auto)]
    pub input_kind: crate::compose::detect::InputKind,

    /// A docker compose file of one project (repeatable, in order, as
    /// `docker compose -f a.yml -f b.yml`): the files merged as compose merges
    /// them and checked as one input. A folder as INPUT is read as `docker
    /// compose` reads its project folder (COMPOSE_FILE, or compose.yaml and
    /// its override).
    #[arg(long = "compose-file", short = 'f', value_name = "FILE")]
    pub compose_files: Vec<String>,

    /// Print each compose service's environment as JSON (compose's merged
    /// view, for comparing with `docker compose config`) instead of the report.
    #[arg(long, hide = true)]
    pub compose_environment: bool,

    /// Check only this service of a compose file (repeatable).
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,

    /// Variables for compose's interpolation, instead of the `.env` beside
    /// the compose file (repeatable; the environment still wins).
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<std::path::PathBuf>,

    /// The BPE container's working directory, against which relative paths
    /// of a compose service's config resolve [default: the service's
    /// working_dir, else /opt/bpe]
    #[arg(long, value_name = "DIR")]
    pub container_workdir: Option<std::path::PathBuf>,

    // --- CI integration (issue 10): exit policy, quiet output, naming stdin ---
    /// Make warnings fail the run too (exit 1); the same as --fail-on warning.
    #[arg(long, conflicts_with = "fail_on")]
    pub deny_warnings: bool,

    /// The least severity that fails the run (exit 1).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Print only problems: diagnostics and failed probes, no summary or notes
    /// (machine formats are unchanged).
    #[arg(long, short)]
    pub quiet: bool,

    /// The name of standard input (`-`) in every output format, as a file
    /// path: pre-commit hooks and editors pass the file they pipe in.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

impl CheckArgs {
    /// The file options of a run; each call has its own key cache and budget of key
    /// derivation (clone one for everything the run checks).
    pub fn file_options(&self) -> crate::files::FileOptions {
        crate::files::FileOptions {
            base_dir: self.base_dir.clone(),
            path_maps: self.path_map.clone(),
            skip: self.skip_file_checks,
            container: None,
            keys: Default::default(),
        }
    }

    /// Whether warnings fail the run (`--deny-warnings`, `--fail-on warning`).
    pub fn warnings_fail(&self) -> bool {
        self.deny_warnings || self.fail_on == FailOn::Warning
    }

    pub fn filter(&self) -> crate::diag::filter::Filter {
        crate::diag::filter::Filter {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            connections: self.connections.clone(),
            max: usize::try_from(self.max_diagnostics).unwrap_or(usize::MAX),
        }
    }
}

/// A diagnostic code the tool knows, with a suggestion when it does not.
fn parse_code(s: &str) -> Result<String, String> {
    let s = s.trim();
    if crate::rules::find(s).is_some() {
        return Ok(s.to_string());
    }
    let close = crate::rules::ALL
        .iter()
        .map(|r| r.name)
        .find(|n| n.contains(s) || s.contains(n));
    Err(match close {
        Some(n) => {
            format!("unknown code `{s}` (did you mean `{n}`? see dsf-connections --explain-code)")
        }
        None => format!("unknown code `{s}` (`dsf-connections codes` lists the codes)"),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with snippets, help and what the server does
    Human,
    /// One JSON object (version 1), documented in the README
    Json,
    /// One line per diagnostic: `file:line:col: severity[code] message`
    Concise,
    /// GitHub Actions workflow commands (annotations on the pull request)
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
    Sarif,
    /// GitLab Code Quality report (Code Climate JSON)
    Gitlab,
}

/// `--fail-on`: the least severity that makes the run fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
