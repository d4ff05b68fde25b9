//! What a compose service mounts into its container, read from the compose file: its `secrets`
//! (short syntax `- name`, long syntax `source`/`target`; mounted at `/run/secrets/<target>`,
//! the file from the top-level `secrets:` entry's `file:`), its `configs` (at `/<target>`), and
//! its `volumes` (short `./host:/container:ro`, long `type: bind` with `source`/`target`; named
//! volumes are in the container but not here). Relative host paths count from the compose
//! file's folder, `~` from `$HOME`. The result is the container view of the file service.

use super::tree::Tree;
use crate::files::container::{Container, Mount, MountSource, SECRETS_DIR, normalize};
use crate::yaml::Node;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What is needed besides the tree: the project folder, `$HOME`, and compose's interpolation
/// of the paths (`./${DIR}/x`).
pub struct Ctx<'c> {
    pub project_dir: &'c Path,
    pub home: Option<String>,
    pub interpolate: &'c dyn Fn(&str) -> String,
}

impl Ctx<'_> {
    /// A host path as compose resolves it.
    fn host(&self, written: &str) -> PathBuf {
        let p = (self.interpolate)(written);
        let p = match (p.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => Path::new(home).join(rest),
            _ => PathBuf::from(&p),
        };
        if p.is_absolute() {
            normalize(&p)
        } else {
            normalize(&self.project_dir.join(p))
        }
    }
}

/// A bind mount's source is a path: `.`, `/` or `~` first; anything else names a volume.
fn is_path(source: &str) -> bool {
    source.starts_with(['.', '/', '~'])
}

/// Top-level `secrets:` or `configs:`: name → file here (`None`: from the environment,
/// external, or content inline).
fn top_level<'n>(
    tree: &Tree<'n, '_>,
    root: &'n Node<'_>,
    key: &str,
    ctx: &Ctx,
) -> HashMap<String, Option<PathBuf>> {
    let Some(section) = tree.get(root, key) else {
        return HashMap::new();
    };
    tree.entries(section)
        .into_iter()
        .map(|(name, def, _)| {
            let file = tree
                .get(def, "file")
                .and_then(|f| tree.text(f))
                .map(|f| ctx.host(f));
            (name.to_string(), file)
        })
        .collect()
}

/// The top-level `secrets:` and `configs:` of a compose file, read once for all its services.
#[derive(Default)]
pub struct Declared {
    secrets: HashMap<String, Option<PathBuf>>,
    configs: HashMap<String, Option<PathBuf>>,
    names: Arc<HashSet<String>>,
}

impl Declared {
    /// `over` merged over this one (a later compose file's top-level entries win by name).
    pub fn merge(&mut self, over: Declared) {
        self.secrets.extend(over.secrets);
        self.configs.extend(over.configs);
        self.names = Arc::new(self.secrets.keys().cloned().collect());
    }

    /// The names of its secrets, for the container.
    pub fn names(&self) -> Arc<HashSet<String>> {
        Arc::clone(&self.names)
    }
}

pub fn declared<'n>(tree: &Tree<'n, '_>, root: &'n Node<'_>, ctx: &Ctx) -> Declared {
    let secrets = top_level(tree, root, "secrets", ctx);
    let names = Arc::new(secrets.keys().cloned().collect());
    Declared {
        configs: top_level(tree, root, "configs", ctx),
        secrets,
        names,
    }
}

/// The container of `service` (its node), with `workdir` and the user's `--path-map`.
pub fn container<'n>(
    tree: &Tree<'n, '_>,
    declared: &Declared,
    name: &str,
    service: &'n Node<'_>,
    workdir: PathBuf,
    path_maps: Vec<(PathBuf, PathBuf)>,
    ctx: &Ctx,
) -> Container {
    let (secrets, configs) = (&declared.secrets, &declared.configs);
    let mut mounts = Vec::new();
    // secrets and configs: `- name` or `- {source: name, target: t}`
    for (key, defined, dir) in [("secrets", secrets, SECRETS_DIR), ("configs", configs, "/")] {
        let Some(list) = tree.get(service, key) else {
            continue;
        };
        for item in tree.items(list) {
            let (source, target) = match tree.text(item) {
                Some(s) => (s.to_string(), None),
                None => (
                    tree.get(item, "source")
                        .and_then(|s| tree.text(s))
                        .unwrap_or_default()
                        .to_string(),
                    tree.get(item, "target")
                        .and_then(|t| tree.text(t))
                        .map(str::to_string),
                ),
            };
            if source.is_empty() {
                continue;
            }
            let target = target.unwrap_or_else(|| source.clone());
            let file = defined.get(&source).cloned().flatten();
            mounts.push(Mount {
                target: normalize(&Path::new(dir).join(&target)),
                source: MountSource::Secret { name: source, file },
            });
        }
    }
    if let Some(list) = tree.get(service, "volumes") {
        for item in tree.items(list) {
            if let Some(short) = tree.text(item) {
                // `source:target[:mode]`, or `target` alone (an anonymous volume)
                let parts: Vec<&str> = short.splitn(3, ':').collect();
                let (source, target) = match parts.as_slice() {
                    [t] => ("", *t),
                    [s, t, ..] => (*s, *t),
                    [] => continue,
                };
                let source = if is_path(source) {
                    MountSource::Host(ctx.host(source))
                } else {
                    MountSource::Volume(source.to_string())
                };
                mounts.push(Mount {
                    target: normalize(Path::new(target)),
                    source,
                });
                continue;
            }
            let text = |k: &str| {
                tree.get(item, k)
                    .and_then(|v| tree.text(v))
                    .unwrap_or_default()
            };
            let target = text("target");
            if target.is_empty() {
                continue;
            }
            let source = match text("type") {
                "bind" => MountSource::Host(ctx.host(text("source"))),
                "volume" => MountSource::Volume(text("source").to_string()),
                other => MountSource::Volume(other.to_string()),
            };
            mounts.push(Mount {
                target: normalize(Path::new(target)),
                source,
            });
        }
    }
    let mut c = Container {
        service: name.to_string(),
        workdir,
        mounts,
        declared_secrets: Arc::clone(&declared.names),
        path_maps,
    };
    c.sort_mounts();
    c
}

/// The container `docker inspect` shows: its `Mounts` (`bind` from this machine's `Source`,
/// `volume` by name, anything else not on the host) at their `Destination`, its
/// `Config.WorkingDir` unless `workdir` is given.
pub fn inspected<'n>(
    tree: &Tree<'n, '_>,
    name: &str,
    container: &'n Node<'_>,
    workdir: Option<&Path>,
    path_maps: Vec<(PathBuf, PathBuf)>,
) -> Container {
    let text = |n: &'n Node<'_>, k: &str| tree.get(n, k).and_then(|v| tree.text(v));
    let mut mounts = Vec::new();
    for m in tree
        .get(container, "Mounts")
        .map(|l| tree.items(l))
        .unwrap_or_default()
    {
        let Some(target) = text(m, "Destination") else {
            continue;
        };
        let source = match (text(m, "Type"), text(m, "Source")) {
            (Some("bind"), Some(s)) => MountSource::Host(normalize(Path::new(s))),
            (Some("volume"), _) => {
                MountSource::Volume(text(m, "Name").unwrap_or("a volume").to_string())
            }
            (kind, _) => MountSource::Volume(kind.unwrap_or("a mount").to_string()),
        };
        mounts.push(Mount {
            target: normalize(Path::new(target)),
            source,
        });
    }
    let workdir = workdir.map(Path::to_path_buf).unwrap_or_else(|| {
        tree.get(container, "Config")
            .and_then(|c| text(c, "WorkingDir"))
            .filter(|w| !w.is_empty())
            .map_or_else(|| PathBuf::from(super::DEFAULT_WORKDIR), PathBuf::from)
    });
    let mut c = Container {
        service: name.to_string(),
        workdir,
        mounts,
        declared_secrets: Arc::default(),
        path_maps,
    };
    c.sort_mounts();
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::container::{Found, Unmounted};
    use crate::yaml::{Limits, load};

    #[test]
    fn secrets_and_volumes_in_both_syntaxes() {
        let text = "\
services:
  bpe:
    secrets:
      - a.key
      - source: b.key
        target: client.key
    volumes:
      - ./certs:/opt/bpe/certs:ro
      - type: bind
        source: ${DIR}/process
        target: /opt/bpe/process
      - data:/opt/bpe/data
secrets:
  a.key:
    file: ./secrets/a.key
  b.key:
    file: /abs/b.key
  c.key:
    file: ./secrets/c.key
";
        let doc = load(text, Limits::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let Some(root) = doc.root.as_ref() else {
            panic!("no root")
        };
        let tree = Tree::new(root);
        let service = tree
            .get(root, "services")
            .and_then(|s| tree.get(s, "bpe"))
            .unwrap_or(root);
        let interpolate = |s: &str| s.replace("${DIR}", "./p");
        let ctx = Ctx {
            project_dir: Path::new("/proj"),
            home: None,
            interpolate: &interpolate,
        };
        let declared = declared(&tree, root, &ctx);
        let c = container(
            &tree,
            &declared,
            "bpe",
            service,
            "/opt/bpe".into(),
            Vec::new(),
            &ctx,
        );
        let f = |p: &str| c.find(p).1;
        assert_eq!(
            f("/run/secrets/a.key"),
            Found::Host("/proj/secrets/a.key".into())
        );
        assert_eq!(
            f("/run/secrets/client.key"),
            Found::Host("/abs/b.key".into())
        );
        assert_eq!(f("certs/x.pem"), Found::Host("/proj/certs/x.pem".into()));
        assert_eq!(f("process/y"), Found::Host("/proj/p/process/y".into()));
        assert!(matches!(
            f("data/z"),
            Found::Unmounted(Unmounted::NotOnHost { .. })
        ));
        assert_eq!(
            f("/run/secrets/c.key"),
            Found::Unmounted(Unmounted::Secret {
                name: "c.key".into(),
                declared: true
            })
        );
    }
}
