//! Thin entry point: run the app on the real process streams and map the result to an exit code.

use dsf_connections::app::{Io, run};
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stdout_is_terminal = stdout.is_terminal();
    let env = |name: &str| match std::env::var(name) {
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err("the value is not valid Unicode".to_string()),
    };
    let mut io = Io {
        // not locked either: `lsp` hands both streams to its reader and writer threads, which
        // take the locks themselves (every other output is written in one piece)
        stdin: &mut std::io::stdin(),
        stdout: &mut std::io::stdout(),
        // not locked for the whole run: a panic on another thread (the parser, the probes)
        // writes its message to standard error, and must not wait forever for this lock
        stderr: &mut std::io::stderr(),
        env: &env,
        env_names: &|| {
            std::env::vars_os()
                .filter_map(|(k, _)| k.into_string().ok())
                .collect()
        },
        stdout_is_terminal,
        stderr_is_terminal: std::io::stderr().is_terminal(),
    };
    ExitCode::from(run(std::env::args_os(), &mut io).code())
}
