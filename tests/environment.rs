//! The environment around the config (issue 17): variable names the BPE would misread, in a
//! compose service (`environment:` in both forms, `env_file:`) and in the tool's own
//! environment, with Spring's lookup deciding which spellings the server still finds; compose
//! files in which no service sets the config; entries compose refuses; the kernel's limit of
//! one environment string.

use crate::util::{diagnostics, json_of, run, temp_dir};
use serde_json::Value;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

fn check(file: &str, env: &[(&str, &str)]) -> (i32, Value) {
    json_of(run(
        &["check", "--format", "json", "--skip-file-checks", file],
        None,
        env,
    ))
}

/// `(code, severity, [line, column, end_line, end_column], file name)` of every diagnostic.
fn found(json: &Value) -> Vec<(String, String, [u64; 4], String)> {
    diagnostics(json)
        .iter()
        .map(|d| {
            let n = |k: &str| d[k].as_u64().unwrap_or(0);
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_str().unwrap_or_default().to_string(),
                [n("line"), n("column"), n("end_line"), n("end_column")],
                Path::new(d["file"].as_str().unwrap_or_default())
                    .file_name()
                    .and_then(|f| f.to_str())
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

const CONFIG: &str = "fhir: {base-url: 'https://fhir.example.org/fhir'}";

#[test]
fn a_misspelt_config_variable_fails_in_every_form() {
    let dir = temp_dir("env-misspelt");
    // the mapping form, the list form, an env_file: each a name the server does not find
    for (tag, body, env_file, want) in [
        (
            "map",
            "    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTION_CONFIG: \"fhir: {}\"\n",
            None,
            ([5, 7, 5, 48], "compose.yml"),
        ),
        (
            "list",
            "    environment:\n      - Dev_Dsf_Bpe_Fhir_Client_Connections_Config=x\n",
            None,
            ([5, 9, 5, 51], "compose.yml"),
        ),
        (
            "dash",
            "    environment:\n      - DEV-DSF-BPE-FHIR-CLIENT-CONNECTIONS-CONFIG=x\n",
            None,
            ([5, 9, 5, 51], "compose.yml"),
        ),
        (
            "env_file",
            "    env_file: bpe.env\n",
            Some(
                "TZ=Europe/Berlin\nDEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_FILE=/run/secrets/c.yml\n",
            ),
            ([2, 1, 2, 48], "bpe.env"),
        ),
    ] {
        let sub = dir.join(tag);
        std::fs::create_dir_all(&sub).expect("dir");
        if let Some(text) = env_file {
            write(&sub, "bpe.env", text);
        }
        let file = write(
            &sub,
            "compose.yml",
            &format!(
                "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n{body}"
            ),
        );
        let (code, json) = check(&file, &[]);
        assert_eq!(code, 1, "{tag}: {json:#}");
        assert_eq!(
            found(&json),
            vec![(
                "variable-misspelt".to_string(),
                "error".to_string(),
                want.0,
                want.1.to_string()
            )],
            "{tag}: {json:#}"
        );
        let d = &diagnostics(&json)[0];
        assert!(
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("only the built-in `#dsf` connection")),
            "{tag}: {d:#}"
        );
        assert!(
            d["help"]
                .as_str()
                .is_some_and(|m| m.contains("`DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG`")),
            "{tag}: {d:#}"
        );
    }
}

#[test]
fn misspelt_defaults_and_proxy_variables_get_their_name() {
    let dir = temp_dir("env-defaults");
    let file = write(
        &dir,
        "compose.yml",
        &format!(
            "services:\n  bpe:\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"{CONFIG}\"\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATES_CAS: /run/secrets/ca.pem\n      DEFAULT_TIMEOUT_CONECT: PT5S\n      DEV_DSF_PROXY_NO_PROXY: localhost\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE_TIMEOUT_JWKS: PT1H\n      DEV_DSF_BPE_FHIR_CLIENT_TRUST_SERVER_CERTIFICATE_CAS: /run/secrets/ca.pem\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE: 'false'\n"
        ),
    );
    let (code, json) = check(&file, &[]);
    assert_eq!(code, 1, "{json:#}");
    let labels: Vec<(u64, &str)> = diagnostics(&json)
        .iter()
        .map(|d| {
            assert_eq!(d["code"], "variable-misspelt", "{d:#}");
            (
                d["line"].as_u64().unwrap_or(0),
                d["related"][0]["message"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        labels.len(),
        4,
        "the real DEV_DSF_BPE_FHIR_CLIENT_TRUST_SERVER_CERTIFICATE_CAS and OIDC_CACHE are not misspellings: {json:#}"
    );
    let helps: Vec<&str> = diagnostics(&json)
        .iter()
        .map(|d| d["help"].as_str().unwrap_or_default())
        .collect();
    for (i, want) in [
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS`",
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT`",
        "DEV_DSF_PROXY_NOPROXY`",
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE_TIMEOUT_JWKS_RESOURCE`",
    ]
    .iter()
    .enumerate()
    {
        assert!(helps[i].contains(want), "{i}: {}", helps[i]);
        assert_eq!(labels[i].0, 5 + i as u64);
    }
}

#[test]
fn spellings_spring_finds_are_checked_and_the_winner_named() {
    let dir = temp_dir("env-spring");
    // the lower-case spelling in the env_file wins over the documented one in `environment:`
    write(
        &dir,
        "bpe.env",
        "dev_dsf_bpe_fhir_client_connections_config=fhir: {base-url: 'https://fhir.example.org/fhir', connect-timeout: 5s}\n",
    );
    let file = write(
        &dir,
        "compose.yml",
        &format!(
            "services:\n  bpe:\n    env_file: bpe.env\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"{CONFIG}\"\n      dev_dsf_bpe_fhir_client_connections_config_default_timeout_read: 10m\n"
        ),
    );
    let (code, json) = check(&file, &[]);
    assert_eq!(code, 1, "{json:#}");
    let got = found(&json);
    let want = [
        ("variable-spelling", "warning", [6, 7, 6, 70], "compose.yml"),
        ("invalid-default", "error", [6, 72, 6, 75], "compose.yml"),
        ("variable-spelling", "warning", [1, 1, 1, 43], "bpe.env"),
        ("invalid-duration", "error", [1, 111, 1, 113], "bpe.env"),
    ];
    assert_eq!(got.len(), want.len(), "{json:#}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (g.0.as_str(), g.1.as_str(), g.2, g.3.as_str()),
            w,
            "{json:#}"
        );
    }
    let first = &diagnostics(&json)[2];
    assert_eq!(first["outcome"], "silently-wrong");
    assert_eq!(first["related"][0]["line"], 5, "{first:#}");
}

#[test]
fn a_compose_file_without_the_config_says_why() {
    let dir = temp_dir("env-none");
    // a BPE service without the config: a warning at its name, exit 0
    let bpe = write(
        &dir,
        "bpe.yml",
        "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n  db:\n    image: postgres:18\n",
    );
    let (code, json) = check(&bpe, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        found(&json),
        vec![(
            "compose-no-config".to_string(),
            "warning".to_string(),
            [2, 3, 2, 6],
            "bpe.yml".to_string()
        )]
    );
    let strict = run(&["check", "--deny-warnings", &bpe], None, &[]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    // recognised by a DEV_DSF_BPE_* variable too
    let by_var = write(
        &dir,
        "var.yml",
        "services:\n  app:\n    image: registry.example.org/bpe:1\n    environment:\n      DEV_DSF_BPE_SERVER_BASE_URL: https://bpe/bpe\n",
    );
    assert_eq!(found(&check(&by_var, &[]).1)[0].0, "compose-no-config");
    // no BPE at all: probably the wrong file, said so, never a bare `ok`
    let other = write(
        &dir,
        "fhir.yml",
        "services:\n  fhir:\n    image: ghcr.io/datasharingframework/fhir:2.1.1\n",
    );
    let out = run(&["check", &other], None, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout
            .starts_with("ok: nothing was checked: see the note below\nnote: "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("probably not the BPE's compose file"),
        "{}",
        out.stdout
    );
}

#[test]
fn entries_compose_refuses_are_errors() {
    let dir = temp_dir("env-refused");
    let file = write(
        &dir,
        "compose.yml",
        "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n    environment:\n      - TZ=UTC\n      - DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: x\n  other:\n    environment:\n      A: [1, 2]\n      B: {c: d}\n",
    );
    let (code, json) = check(&file, &[]);
    assert_eq!(code, 1, "{json:#}");
    let got: Vec<(String, [u64; 4])> = diagnostics(&json)
        .iter()
        .map(|d| {
            assert_eq!(d["outcome"], "does-not-start", "{d:#}");
            let n = |k: &str| d[k].as_u64().unwrap_or(0);
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                [n("line"), n("column"), n("end_line"), n("end_column")],
            )
        })
        .collect();
    // each mark ends at the value (a block mapping's node runs on to the next line)
    let code = "compose-invalid-environment".to_string();
    assert_eq!(
        got,
        vec![
            (code.clone(), [6, 9, 6, 54]),
            (code.clone(), [9, 10, 9, 16]),
            (code.clone(), [10, 10, 10, 16]),
        ],
        "{json:#}"
    );
    // CRLF, a comment and a blank line after the entry: the mark still ends at the value
    let file = write(
        &dir,
        "crlf.yml",
        "services:\r\n  bpe:\r\n    environment:\r\n      - DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: x   # c\r\n\r\n      - A=1\r\n  o:\r\n    environment:\r\n      B:\r\n        c: d  # e\r\n\r\n      C: 1\r\n",
    );
    let (code_, json) = check(&file, &[]);
    assert_eq!(code_, 1, "{json:#}");
    let got: Vec<[u64; 4]> = diagnostics(&json)
        .iter()
        .map(|d| {
            let n = |k: &str| d[k].as_u64().unwrap_or(0);
            [n("line"), n("column"), n("end_line"), n("end_column")]
        })
        .collect();
    assert_eq!(got, vec![[4, 9, 4, 54], [10, 9, 10, 13]], "{json:#}");
}

#[test]
fn the_tool_environment_is_judged_too() {
    let (code, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks"],
        None,
        &[
            ("dev_dsf_bpe_fhir_client_connections_config", CONFIG),
            (
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONECT",
                "PT5S",
            ),
        ],
    ));
    assert_eq!(code, 1, "{json:#}");
    // the lower-case variable is the config the server reads
    assert_eq!(
        json["inputs"][0]["connections"],
        serde_json::json!(["fhir"])
    );
    let got = found(&json);
    assert_eq!(got.len(), 2, "{json:#}");
    assert_eq!(
        (got[0].0.as_str(), got[0].2, got[0].3.as_str()),
        ("variable-misspelt", [1, 1, 1, 66], "<environment>")
    );
    assert_eq!(
        (got[1].0.as_str(), got[1].2),
        ("variable-spelling", [2, 1, 2, 43])
    );
}

#[test]
fn the_kernel_limit_of_one_environment_string() {
    let dir = temp_dir("env-limit");
    let config: String = (0..2600)
        .map(|i| format!("c{i}:\n  base-url: https://fhir{i}.example.org/fhir\n"))
        .collect();
    assert!(config.len() > 131_028, "{}", config.len());
    let indented: String = config.lines().map(|l| format!("        {l}\n")).collect();
    let compose = write(
        &dir,
        "compose.yml",
        &format!(
            "services:\n  bpe:\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n{indented}"
        ),
    );
    let (code, json) = check(&compose, &[]);
    assert_eq!(code, 1, "{json:#}");
    let d = &diagnostics(&json)[0];
    assert_eq!(
        (&d["code"], &d["severity"], &d["line"], &d["column"]),
        (
            &Value::from("config-too-large"),
            &Value::from("error"),
            &Value::from(5),
            &Value::from(9)
        ),
        "{d:#}"
    );
    let size = format!("{}", config.len());
    let size = format!("{},{}", &size[..size.len() - 3], &size[size.len() - 3..]);
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("the config is {size} bytes, over the 131,028"))),
        "{d:#}"
    );
    // standalone: a warning (a properties file has no such limit)
    let file = write(&dir, "config.yaml", &config);
    let (code, json) = check(&file, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        found(&json),
        vec![(
            "config-too-large".to_string(),
            "warning".to_string(),
            [1, 1, 1, 4],
            "config.yaml".to_string()
        )]
    );
    // one byte under the limit: nothing
    let exact = format!("{}{}", "#".repeat(131_028 - CONFIG.len() - 1), "\n");
    let file = write(&dir, "exact.yaml", &format!("{CONFIG}\n{}", &exact[1..]));
    assert_eq!(
        std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0),
        131_028
    );
    assert!(found(&check(&file, &[]).1).is_empty());
}

/// Every variable of a BPE service is held to the kernel's limit, in the file that sets it; a
/// value just under it is fine, and a service that is no BPE is not judged.
#[test]
fn the_kernel_limit_holds_for_every_variable_of_a_bpe_service() {
    let dir = temp_dir("env-limit-vars");
    let name = "JAVA_TOOL_OPTIONS";
    let at_limit = "x".repeat(131_072 - name.len() - 2);
    let over = format!("{at_limit}y");
    let compose = write(
        &dir,
        "compose.yml",
        &format!(
            "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.1.1\n    env_file: big.env\n    environment:\n      {name}: {over}\n      FINE: {at_limit}\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"{CONFIG}\"\n  db:\n    image: postgres\n    environment:\n      {name}: {over}\n"
        ),
    );
    write(
        &dir,
        "big.env",
        &format!("# large\nBIG_LIST_OF_HOSTS={over}\n"),
    );
    let (code, json) = json_of(run(
        &[
            "check",
            "--format",
            "json",
            "--skip-file-checks",
            "--max-input-size",
            "10000000",
            &compose,
        ],
        None,
        &[],
    ));
    assert_eq!(code, 1, "{json:#}");
    let got = found(&json);
    assert_eq!(
        got,
        vec![
            (
                "config-too-large".to_string(),
                "error".to_string(),
                [6, 26, 6, 90],
                "compose.yml".to_string()
            ),
            (
                "config-too-large".to_string(),
                "error".to_string(),
                [2, 19, 2, 83],
                "big.env".to_string()
            ),
        ],
        "{json:#}"
    );
    let d = diagnostics(&json)
        .iter()
        .find(|d| d["file"] == compose.as_str())
        .cloned()
        .unwrap_or_default();
    assert!(
        d["message"].as_str().is_some_and(|m| m
            .contains("the value of JAVA_TOOL_OPTIONS is 131,054 bytes, over the 131,053 bytes")),
        "{d:#}"
    );
}

const INSPECT: &str = "tests/fixtures/inspect/docker-inspect-dic1-bpe.json";

#[test]
fn docker_inspect_output_is_the_container_environment() {
    // `docker inspect dic1-bpe | dsf-connections check -`: recognised by its content
    let text = std::fs::read(crate::util::manifest_dir().join(INSPECT)).expect("fixture");
    let (code, json) = json_of(run(
        &["check", "--format", "json", "--skip-file-checks", "-"],
        Some(&text),
        &[],
    ));
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["inputs"][0]["service"], "dic1-bpe", "{json:#}");
    assert_eq!(
        json["inputs"][0]["connections"],
        serde_json::json!(["dic1-fhir"])
    );
    // positions in the JSON: the name in its string, the value through the `\n` escapes
    assert_eq!(
        found(&json),
        vec![
            (
                "variable-misspelt".to_string(),
                "error".to_string(),
                [80, 18, 80, 83],
                "<stdin>".to_string()
            ),
            (
                "invalid-duration".to_string(),
                "error".to_string(),
                [81, 137, 81, 140],
                "<stdin>".to_string()
            ),
        ]
    );
    assert_eq!(diagnostics(&json)[1]["pointer"], "/dic1-fhir/read-timeout");
    // the password (written `s3cr\u0026t-Pa55` in the JSON) is in no output
    for format in ["human", "json", "sarif", "concise"] {
        let out = run(
            &[
                "check",
                "--format",
                format,
                "--color",
                "never",
                "--skip-file-checks",
                INSPECT,
            ],
            None,
            &[],
        );
        assert_eq!(out.code, 1, "{format}");
        for secret in ["s3cr", "Pa55"] {
            assert!(!out.stdout.contains(secret), "{format}: {}", out.stdout);
        }
        if format == "human" {
            assert!(
                out.stdout
                    .contains("checked container `dic1-bpe` (1 connection)"),
                "{}",
                out.stdout
            );
            assert!(out.stdout.contains("password: '****'"), "{}", out.stdout);
        }
    }
}

#[test]
fn an_override_file_beside_the_compose_file_is_named() {
    let dir = temp_dir("env-override");
    let file = write(
        &dir,
        "docker-compose.yml",
        &format!(
            "services:\n  bpe:\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"{CONFIG}\"\n"
        ),
    );
    let plain = run(&["check", "--skip-file-checks", &file], None, &[]);
    assert_eq!(plain.code, 0);
    assert!(!plain.stdout.contains("also reads"), "{}", plain.stdout);
    write(
        &dir,
        "docker-compose.override.yml",
        "services:\n  bpe:\n    environment:\n      TZ: UTC\n",
    );
    let out = run(&["check", "--skip-file-checks", &file], None, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("`docker compose up` in its folder also reads")
            && out.stdout.contains("docker-compose.override.yml"),
        "{}",
        out.stdout
    );
    // a file of another name is not what compose picks up by itself
    let other = write(
        &dir,
        "bpe.yml",
        &format!(
            "services:\n  bpe:\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: \"{CONFIG}\"\n"
        ),
    );
    let out = run(&["check", "--skip-file-checks", &other], None, &[]);
    assert!(!out.stdout.contains("also reads"), "{}", out.stdout);
}

const INSPECT_MOUNTS: &str = "tests/fixtures/inspect/docker-inspect-dic1-bpe-mounts.json";

/// The files a container's config names are looked for where its `Mounts` put them: each
/// `bind` mount's `Source` on this machine (relative paths through `Config.WorkingDir`), a
/// volume not at all.
#[test]
fn docker_inspect_mounts_are_followed_for_the_config_files() {
    let (_, json) = json_of(run(
        &["explain", "--format", "json", INSPECT_MOUNTS],
        None,
        &[],
    ));
    let mut got = Vec::new();
    for c in json["connections"].as_array().into_iter().flatten() {
        for r in c["settings"].as_array().into_iter().flatten() {
            if r["name"].as_str().is_some_and(|n| n.ends_with("-file")) {
                got.push(format!(
                    "{} {} {}",
                    c["id"].as_str().unwrap_or_default(),
                    r["name"].as_str().unwrap_or_default(),
                    r["checked_at"].as_str().unwrap_or("-")
                ));
            }
        }
    }
    assert_eq!(
        got,
        [
            "dic1-fhir trusted-root-certificates-file /srv/dsf/dic1/secrets/ca.pem",
            "dic1-fhir cert-auth.certificate-file /srv/dsf/dic1/secrets/client_certificate.pem",
            "dic1-fhir cert-auth.private-key-file /srv/dsf/dic1/secrets/client_certificate_private_key.pem",
            "dic1-fhir cert-auth.password-file /srv/dsf/dic1/secrets/client_certificate_private_key.pem.password",
            "ttp-fhir trusted-root-certificates-file /srv/dsf/dic1/certs/ttp_ca.pem",
            "ttp-fhir oidc-auth.client-secret-file -",
            // the default trust store: in the image (not mounted), where the container has it
            "ttp-fhir oidc-auth.trusted-root-certificates-file /opt/bpe/ca/server_root_cas",
        ],
        "{json:#}"
    );
    // the same recording with its sources in a folder here: the CA is read and fine
    let dir = temp_dir("inspect-mounts");
    let ca = crate::pki::ca();
    std::fs::create_dir_all(dir.join("certs")).expect("mkdir");
    std::fs::write(dir.join("ca.pem"), &ca.pem).expect("write");
    std::fs::write(dir.join("certs/ttp_ca.pem"), &ca.pem).expect("write");
    let text = std::fs::read_to_string(crate::util::manifest_dir().join(INSPECT_MOUNTS))
        .expect("fixture")
        .replace(
            "/srv/dsf/dic1/secrets/ca.pem",
            &dir.join("ca.pem").display().to_string(),
        )
        .replace(
            "/srv/dsf/dic1/certs",
            &dir.join("certs").display().to_string(),
        );
    let (code, json) = json_of(run(
        &["check", "--format", "json", "-"],
        Some(text.as_bytes()),
        &[],
    ));
    assert_eq!(code, 1, "{json:#}");
    let unreadable: Vec<&str> = diagnostics(&json)
        .iter()
        .filter(|d| d["code"] == "file-not-readable")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(unreadable.len(), 3, "the client key files only: {json:#}");
    assert!(
        unreadable
            .iter()
            .all(|m| m.contains("/srv/dsf/dic1/secrets/client_certificate")),
        "{unreadable:?}"
    );
}
