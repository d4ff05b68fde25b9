//! Which compose files `docker compose` reads as one project, in the order it merges them:
//! `-f a.yml -f b.yml` (`--compose-file`), or a project folder: `COMPOSE_FILE` (split at
//! `COMPOSE_PATH_SEPARATOR`, default `:`; from the environment, else the folder's `.env`),
//! else the first of compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml and
//! the first override file of those names (compose-go's `cli` options).

use super::dotenv;
use crate::input::{self, Loaded};
use std::path::{Path, PathBuf};

/// compose-go's `DefaultFileNames`, in its order of preference.
pub const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// compose-go's `DefaultOverrideFileNames`.
pub const OVERRIDE_FILES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The compose files of one project, merged in this order.
#[derive(Debug)]
pub struct Project {
    /// How the project is shown: its files joined by ` + `.
    pub name: String,
    /// Relative paths of every merged file count from here (the first file's folder).
    pub dir: PathBuf,
    /// The folder `docker compose` runs in, when it is not `dir` (a folder whose
    /// `COMPOSE_FILE` names a file elsewhere): its `.env` is read too, over `dir`'s.
    pub outer: Option<PathBuf>,
    pub files: Vec<Loaded>,
    /// What compose would warn about finding them (several files of the default names).
    pub notes: Vec<String>,
}

/// The folder of a file (`.` for a bare name).
pub fn parent(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The project of `-f` files, each read with `limit`.
pub fn from_files(paths: &[String], limit: u64) -> Result<Project, (String, String)> {
    let mut files = Vec::with_capacity(paths.len());
    for p in paths {
        files.push(input::read_file(p, limit).map_err(|e| (p.clone(), e.to_string()))?);
    }
    let dir = paths
        .first()
        .map_or_else(|| PathBuf::from("."), |p| parent(Path::new(p)));
    Ok(Project {
        name: paths.join(" + "),
        dir,
        outer: None,
        files,
        notes: Vec::new(),
    })
}

/// Which files `docker compose` run in `dir` reads (names as shown: `dir/...`); `Err`: none.
pub fn discover(dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Vec<PathBuf>, String> {
    // COMPOSE_FILE and its separator: the environment first, then the folder's `.env`
    let dotenv = std::fs::read_to_string(dir.join(".env"))
        .ok()
        .and_then(|t| dotenv::parse(&t).ok())
        .map(|vars| dotenv::resolve(&vars, &|n: &str| env(n)))
        .unwrap_or_default();
    let var = |name: &str| {
        env(name).or_else(|| {
            dotenv
                .iter()
                .rev()
                .find(|r| r.name == name)
                .map(|r| r.value.text.clone())
        })
    };
    if let Some(list) = var("COMPOSE_FILE") {
        let sep = var("COMPOSE_PATH_SEPARATOR")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| ":".into());
        let files: Vec<PathBuf> = list
            .split(sep.as_str())
            .filter(|f| !f.is_empty())
            .map(|f| dir.join(f))
            .collect();
        if files.is_empty() {
            return Err("COMPOSE_FILE is set but names no file".into());
        }
        return Ok(files);
    }
    let first = |names: &[&str]| names.iter().map(|n| dir.join(n)).find(|p| p.is_file());
    let Some(main) = first(&DEFAULT_FILES) else {
        return Err(format!(
            "no compose file in it ({})",
            DEFAULT_FILES.join(", ")
        ));
    };
    Ok(std::iter::once(main)
        .chain(first(&OVERRIDE_FILES))
        .collect())
}

/// Why a folder gives no project.
#[derive(Debug)]
pub enum DirError {
    /// No compose file is found there (or COMPOSE_FILE names none).
    NoProject(String),
    /// A file of it cannot be read.
    Unreadable(String, String),
}

/// Compose's warning when a folder has several files of the default names (it reads the
/// first): which ones, and which it reads.
fn several(dir: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    for names in [&DEFAULT_FILES, &OVERRIDE_FILES] {
        let found: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| dir.join(n).is_file())
            .collect();
        if found.len() > 1 {
            notes.push(format!(
                "the folder has {}: docker compose reads only {}",
                found.join(", "),
                found[0]
            ));
        }
    }
    notes
}

/// The project `docker compose` reads in folder `dir` (named as given).
pub fn from_dir(
    dir: &str,
    env: &dyn Fn(&str) -> Option<String>,
    limit: u64,
) -> Result<Project, DirError> {
    let files = discover(Path::new(dir), env).map_err(DirError::NoProject)?;
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut loaded = Vec::with_capacity(names.len());
    for n in &names {
        loaded.push(
            input::read_file(n, limit)
                .map_err(|e| DirError::Unreadable(n.clone(), e.to_string()))?,
        );
    }
    // compose-go's project directory is the first file's folder (relative paths, its `.env`),
    // which COMPOSE_FILE can put elsewhere; `docker compose` in `dir` has read `dir`'s `.env`
    // first, as its environment
    let first = files
        .first()
        .map_or_else(|| PathBuf::from(dir), |f| parent(f));
    let outer = (first != Path::new(dir)).then(|| PathBuf::from(dir));
    Ok(Project {
        name: names.join(" + "),
        dir: first,
        outer,
        files: loaded,
        notes: several(Path::new(dir)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dsf-project-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
        for (f, t) in files {
            std::fs::write(d.join(f), t).unwrap_or_else(|e| panic!("{e}"));
        }
        d
    }

    #[test]
    fn default_names_in_compose_go_order_then_the_override() {
        let d = dir(
            "defaults",
            &[
                ("docker-compose.yml", ""),
                ("compose.yml", ""),
                ("docker-compose.override.yaml", ""),
                ("compose.override.yaml", ""),
            ],
        );
        let got = discover(&d, &|_| None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            got,
            [d.join("compose.yml"), d.join("compose.override.yaml")]
        );
        let none = dir("none", &[("x.yml", "")]);
        let err = discover(&none, &|_| None).err().unwrap_or_default();
        assert!(err.starts_with("no compose file in it"), "{err}");
    }

    #[test]
    fn compose_file_from_the_environment_or_dotenv_with_its_separator() {
        let d = dir(
            "compose-file",
            &[
                ("compose.yml", ""),
                (
                    ".env",
                    "COMPOSE_FILE=a.yml;b.yml\nCOMPOSE_PATH_SEPARATOR=;\n",
                ),
            ],
        );
        let got = discover(&d, &|_| None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, [d.join("a.yml"), d.join("b.yml")]);
        let env = |n: &str| (n == "COMPOSE_FILE").then(|| "c.yml;d.yml".to_string());
        let got = discover(&d, &env).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, [d.join("c.yml"), d.join("d.yml")]);
        let env = |n: &str| match n {
            "COMPOSE_FILE" => Some("c.yml:d.yml".to_string()),
            "COMPOSE_PATH_SEPARATOR" => Some(":".to_string()),
            _ => None,
        };
        let got = discover(&d, &env).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, [d.join("c.yml"), d.join("d.yml")]);
    }
}
