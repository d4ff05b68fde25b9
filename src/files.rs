//! Files named in a config, read the way the BPE would find them: a container path can be mapped
//! to a host folder (`--path-map /run/secrets=./secrets`), a relative path resolves against
//! `--base-dir` (default: the current directory, like the server's working directory). Reads are
//! capped and cached: one CA file named by a thousand connections is read once. File contents
//! (secrets, keys) stay in memory and are never printed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// Key, certificate and secret files are small; anything bigger is not what the config means.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct FileOptions {
    pub base_dir: Option<PathBuf>,
    /// (container prefix, host folder), longest prefix first.
    pub path_maps: Vec<(PathBuf, PathBuf)>,
    pub skip: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    NotFound,
    PermissionDenied,
    IsDirectory,
    TooLarge,
    Other(String),
}

impl FileError {
    pub fn describe(&self) -> String {
        match self {
            FileError::NotFound => "no such file".into(),
            FileError::PermissionDenied => "permission denied".into(),
            FileError::IsDirectory => "it is a directory, not a file".into(),
            FileError::TooLarge => format!("larger than {MAX_FILE_SIZE} bytes"),
            FileError::Other(m) => m.clone(),
        }
    }
}

pub type Content = Rc<Result<Vec<u8>, FileError>>;

pub struct Files {
    pub options: FileOptions,
    cache: RefCell<HashMap<PathBuf, Content>>,
}

impl Files {
    pub fn new(options: FileOptions) -> Self {
        let mut options = options;
        options
            .path_maps
            .sort_by_key(|(c, _)| std::cmp::Reverse(c.components().count()));
        Files {
            options,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// Where the BPE's `configured` path is on this machine.
    pub fn resolve(&self, configured: &str) -> PathBuf {
        let path = Path::new(configured);
        let mapped = self
            .options
            .path_maps
            .iter()
            .find_map(|(container, host)| {
                path.strip_prefix(container).ok().map(|rest| {
                    if rest.as_os_str().is_empty() {
                        host.clone()
                    } else {
                        host.join(rest)
                    }
                })
            })
            .unwrap_or_else(|| path.to_path_buf());
        if mapped.is_absolute() {
            return mapped;
        }
        match &self.options.base_dir {
            Some(base) => normalize(&base.join(mapped)),
            None => mapped,
        }
    }

    pub fn read(&self, configured: &str) -> (PathBuf, Content) {
        let path = self.resolve(configured);
        if let Some(c) = self.cache.borrow().get(&path) {
            return (path, Rc::clone(c));
        }
        let content = Rc::new(read_capped(&path));
        self.cache
            .borrow_mut()
            .insert(path.clone(), Rc::clone(&content));
        (path, content)
    }
}

fn read_capped(path: &Path) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if meta.is_dir() {
        return Err(FileError::IsDirectory);
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(FileError::TooLarge);
    }
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(FileError::TooLarge);
    }
    Ok(bytes)
}

fn io_error(e: std::io::Error) -> FileError {
    match e.kind() {
        std::io::ErrorKind::NotFound => FileError::NotFound,
        std::io::ErrorKind::PermissionDenied => FileError::PermissionDenied,
        std::io::ErrorKind::IsADirectory => FileError::IsDirectory,
        _ => FileError::Other(e.to_string()),
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system (for readable messages).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The files of a trust-store folder as the server takes them: `*.pem` and `*.crt` (case-sensitive),
/// not recursive, sorted for stable output.
pub fn trust_folder_files(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.ends_with(".pem") || n.ends_with(".crt"))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Parse `CONTAINER=HOST` for `--path-map`.
pub fn parse_path_map(s: &str) -> Result<(PathBuf, PathBuf), String> {
    let (c, h) = s
        .split_once('=')
        .ok_or_else(|| format!("expected CONTAINER=HOST, got `{s}`"))?;
    if c.is_empty() || h.is_empty() {
        return Err(format!("expected CONTAINER=HOST, got `{s}`"));
    }
    Ok((PathBuf::from(c), PathBuf::from(h)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_maps_and_base_dir() {
        let files = Files::new(FileOptions {
            base_dir: Some(PathBuf::from("/srv/bpe")),
            path_maps: vec![
                (
                    PathBuf::from("/run/secrets"),
                    PathBuf::from("/host/secrets"),
                ),
                (PathBuf::from("/run"), PathBuf::from("/host/run")),
            ],
            skip: false,
        });
        assert_eq!(
            files.resolve("/run/secrets/a.pem"),
            PathBuf::from("/host/secrets/a.pem")
        );
        assert_eq!(files.resolve("/run/x"), PathBuf::from("/host/run/x"));
        assert_eq!(
            files.resolve("/run/secretsX"),
            PathBuf::from("/host/run/secretsX")
        );
        assert_eq!(
            files.resolve("ca/./b.pem"),
            PathBuf::from("/srv/bpe/ca/b.pem")
        );
        assert_eq!(files.resolve("/etc/x"), PathBuf::from("/etc/x"));
    }
}
