//! Command-line arguments (clap derive). Parsing only: no I/O happens here.

use clap::{Parser, Subcommand, ValueEnum};

pub const AFTER_HELP: &str = "\
Exit codes:
  0  valid (warnings allowed)
  1  invalid: at least one error (YAML syntax errors included)
  2  the tool could not run (no such file, unreadable input, variable unset with no INPUT, bad flags)
  3  reserved: valid, but a connection test failed

Every diagnostic code is explained in docs/codes.md (in the source tree and the release
archive): what it means, why it matters, a bad example and the fix.";

#[derive(Debug, Parser)]
#[command(
    name = "dsf-connections",
    version,
    about = "Check DSF BPE FHIR client connection configs (DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG) before the server sees them",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check configs against the server's rules; with no INPUT, check $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// Show the effective settings of each connection: defaults applied, where each value comes
    /// from, certificates behind file settings, secrets as ****
    #[command(after_help = AFTER_HELP)]
    Explain(CheckArgs),
    /// Print the bundled JSON schema (for editors and other tools)
    Schema,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// YAML files to check; `-` reads standard input. Without any, the value of
    /// $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG is checked.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to use colors in human output (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_SIZE)]
    pub max_input_size: u64,

    /// Resolve relative file paths of the config against DIR (the BPE resolves them against its
    /// working directory) [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub base_dir: Option<std::path::PathBuf>,

    /// Map a path of the BPE's container to a folder here (repeatable), e.g.
    /// --path-map /run/secrets=./secrets
    #[arg(long, value_name = "CONTAINER=HOST", value_parser = crate::files::parse_path_map)]
    pub path_map: Vec<(std::path::PathBuf, std::path::PathBuf)>,

    /// Do not read any file named in the config (for CI lint steps without the secrets).
    #[arg(long)]
    pub skip_file_checks: bool,
}

impl CheckArgs {
    pub fn file_options(&self) -> crate::files::FileOptions {
        crate::files::FileOptions {
            base_dir: self.base_dir.clone(),
            path_maps: self.path_map.clone(),
            skip: self.skip_file_checks,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
