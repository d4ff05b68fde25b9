//! Where a config comes from: a file, standard input (`-`), or, with no INPUT at all, the value
//! of `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG` as the server would read it. Input is read
//! with a size cap (a runaway stdin cannot exhaust memory), decoded as UTF-8 and freed of a
//! byte-order mark. Failing to read is a tool error (exit 2); bad bytes are a diagnostic.

use crate::source::SourceKind;
use std::io::Read;

pub const ENV_VAR: &str = "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG";
/// The default input cap. Linux refuses an environment string over 131,072 bytes (name, `=` and
/// NUL included), so the config's value can never exceed 131,028 bytes in a container, and a
/// compose file for one host is rarely over 100 KB: 1 MiB leaves room for any real input
/// (`--max-input-size` raises it).
pub const DEFAULT_MAX_SIZE: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Loaded {
    pub name: String,
    pub kind: SourceKind,
    pub text: String,
    /// Byte offset (in `text`) of the first byte that was not UTF-8, if any.
    pub invalid_utf8_at: Option<usize>,
    /// Whether the bytes began with a byte-order mark (removed from `text`; `--fix` keeps it).
    pub bom: bool,
}

#[derive(Debug)]
pub enum InputError {
    /// The tool could not read the input at all (exit 2).
    Unreadable(String),
    /// The input is larger than the cap.
    TooLarge { name: String, limit: u64 },
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Unreadable(m) => f.write_str(m),
            // the caller names the input
            InputError::TooLarge { limit, .. } => write!(
                f,
                "larger than {limit} bytes; a connections config is a few kilobytes (raise the cap with --max-input-size if this is intended)"
            ),
        }
    }
}

pub fn read_file(path: &str, limit: u64) -> Result<Loaded, InputError> {
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::Unreadable(format!("cannot open {path}: {}", plain(&e))))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        // the caller names the input; directories are not searched for configs
        let glob = format!("{}/*.yaml", path.trim_end_matches('/'));
        return Err(InputError::Unreadable(format!(
            "is a directory: name the config files in it instead, e.g. `dsf-connections check {glob}`"
        )));
    }
    let bytes = read_capped(file, limit, path)?;
    Ok(decode(path.to_string(), SourceKind::File, bytes))
}

/// Standard input, named `<stdin>` or as `--stdin-filename` says.
pub fn read_stdin(reader: impl Read, limit: u64, name: Option<&str>) -> Result<Loaded, InputError> {
    let shown = name.unwrap_or("<stdin>");
    if stdin_is_closed() {
        return Err(InputError::Unreadable(
            "standard input is closed (or /dev/null): there is nothing to check".into(),
        ));
    }
    let bytes = read_capped(reader, limit, shown)?;
    Ok(decode(
        shown.to_string(),
        SourceKind::Stdin {
            named: name.is_some(),
        },
        bytes,
    ))
}

/// A closed standard input: the Rust runtime reopens a closed fd 0 as /dev/null, which would
/// read as an empty (and valid) config.
fn stdin_is_closed() -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(stdin), Ok(null)) = (
            std::fs::metadata("/proc/self/fd/0"),
            std::fs::metadata("/dev/null"),
        ) {
            return stdin.dev() == null.dev() && stdin.ino() == null.ino();
        }
    }
    false
}

/// `None` when the variable is unset. The environment only holds valid strings here, since the
/// caller passes what it could read.
pub fn from_env(value: Option<String>, limit: u64) -> Result<Option<Loaded>, InputError> {
    let Some(value) = value else { return Ok(None) };
    let name = format!("${ENV_VAR}");
    if value.len() as u64 > limit {
        return Err(InputError::TooLarge { name, limit });
    }
    Ok(Some(decode(name, SourceKind::EnvVar, value.into_bytes())))
}

fn read_capped(reader: impl Read, limit: u64, name: &str) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| match e.kind() {
            // `check - < some-dir`
            std::io::ErrorKind::IsADirectory => InputError::Unreadable(
                "is a directory: redirect a config file, e.g. `dsf-connections check - < config.yaml`"
                    .into(),
            ),
            _ => InputError::Unreadable(format!("cannot read {name}: {}", plain(&e))),
        })?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            name: name.to_string(),
            limit,
        });
    }
    Ok(bytes)
}

fn decode(name: String, kind: SourceKind, mut bytes: Vec<u8>) -> Loaded {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    if bom {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Loaded {
            name,
            kind,
            text,
            invalid_utf8_at: None,
            bom,
        },
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // the lossy text keeps every valid byte before the first bad one in place
            Loaded {
                name,
                kind,
                text,
                invalid_utf8_at: Some(valid),
                bom,
            }
        }
    }
}

/// An io::Error without the "(os error 2)" noise.
fn plain(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
