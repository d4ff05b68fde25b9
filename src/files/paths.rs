//! Paths of the BPE's container, looked up on this machine: the longest `--path-map` prefix
//! wins, then a relative path resolves against `--base-dir` (default: the current directory).

use super::FileOptions;
use super::container::normalize;
use std::path::{Path, PathBuf};

pub fn resolve(options: &FileOptions, configured: &str) -> PathBuf {
    let path = Path::new(configured);
    let mapped = options
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
    match &options.base_dir {
        Some(base) => normalize(&base.join(mapped)),
        None => mapped,
    }
}

/// The files of a trust-store folder as the server takes them: `*.pem` and `*.crt` (case-sensitive),
/// not recursive, sorted for stable output.
pub fn trust_folder_files(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
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
        let mut options = FileOptions {
            base_dir: Some(PathBuf::from("/srv/bpe")),
            path_maps: vec![
                (PathBuf::from("/run"), PathBuf::from("/host/run")),
                (
                    PathBuf::from("/run/secrets"),
                    PathBuf::from("/host/secrets"),
                ),
            ],
            skip: false,
            container: None,
            keys: Default::default(),
        };
        options
            .path_maps
            .sort_by_key(|(c, _)| std::cmp::Reverse(c.components().count()));
        let r = |p: &str| resolve(&options, p);
        assert_eq!(
            r("/run/secrets/a.pem"),
            PathBuf::from("/host/secrets/a.pem")
        );
        assert_eq!(r("/run/x"), PathBuf::from("/host/run/x"));
        assert_eq!(r("/run/secretsX"), PathBuf::from("/host/run/secretsX"));
        assert_eq!(r("ca/./b.pem"), PathBuf::from("/srv/bpe/ca/b.pem"));
        assert_eq!(r("/etc/x"), PathBuf::from("/etc/x"));
    }
}
