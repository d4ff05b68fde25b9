//! Golden snapshots of `check --test-connections` in every `--format`, against servers on
//! 127.0.0.1 made here: a TLS FHIR server taking a bearer token or an OIDC access token, an
//! OpenID provider, a plain-http server that refuses Basic credentials, a TLS server whose
//! certificate comes from another CA, a port nothing listens on, and a connection with a config
//! error (not probed). The config goes in on standard input (`--stdin-filename probe.yaml`) and
//! names its trust store relative to `--base-dir`, so file names and fingerprints do not depend
//! on the temp dir. Normalised: ports, the temp dir, durations, dates and times (certificates and
//! tokens are made relative to now). Each snapshot is one transcript (see
//! `crate::util::transcript`).

use super::issuer::{self, CLIENT_ID, Knobs};
use super::pki::PKI;
use super::servers::{self, ClientAuth, HttpResp};
use super::{fhir_server, good_tls, pem_cert};
use crate::util::{dates_and_times, numbers_before, run, temp_dir, transcript, version};
use std::sync::Arc;

const TOKEN: &str = "tok-Vx81qLm4Zr";

/// One run of `check --test-connections --format FORMAT` on the probe config, normalised.
fn golden(format: &str) -> String {
    let fhir = fhir_server(Some(good_tls()), |r| {
        r.header("authorization").is_some_and(|a| {
            a == format!("Bearer {TOKEN}") || a.starts_with("Bearer ey") && a.len() > 40
        })
    });
    let iss = issuer::start(Knobs::default());
    let refuses_basic = fhir_server(None, |_| false);
    let untrusted = servers::http(
        Some(servers::tls_config(&PKI.other_ca, ClientAuth::None)),
        Arc::new(|_| HttpResp::new(500, "text/plain", "never reached")),
    );
    let closed = servers::closed_port();
    let dir = temp_dir("probe-golden");
    std::fs::write(dir.join("root.pem"), pem_cert(&PKI.root.der)).expect("write ca");
    let config = format!(
        "broken:\n  base-url: https://fhir.test:{f}/fhir\n  read-timeout: 5s\n  trusted-root-certificates-file: root.pem\n\
         bearer-ok:\n  base-url: https://fhir.test:{f}/fhir\n  test-connection-on-startup: yes\n  trusted-root-certificates-file: root.pem\n  bearer-auth:\n    token: '{TOKEN}'\n\
         oidc-ok:\n  base-url: https://fhir.test:{f}/fhir\n  trusted-root-certificates-file: root.pem\n  oidc-auth:\n    base-url: {oidc}\n    client-id: {CLIENT_ID}\n    client-secret: 'oidc-client-secret'\n    required-audience: fhir-server\n    trusted-root-certificates-file: root.pem\n\
         basic-refused:\n  base-url: http://fhir.test:{b}/fhir\n  basic-auth:\n    username: bpe\n    password: 'Pw-7Hq2Lz9'\n\
         untrusted:\n  base-url: https://fhir.test:{u}/fhir\n  trusted-root-certificates-file: root.pem\n\
         down:\n  base-url: https://fhir.test:{closed}/fhir\n  trusted-root-certificates-file: root.pem\n",
        f = fhir.port,
        oidc = iss.base_url,
        b = refuses_basic.port,
        u = untrusted.port,
    );
    let ports = [
        (fhir.port, "[FHIR_PORT]"),
        (iss.server.port, "[OIDC_PORT]"),
        (refuses_basic.port, "[HTTP_PORT]"),
        (untrusted.port, "[UNTRUSTED_PORT]"),
        (closed, "[CLOSED_PORT]"),
    ];
    let resolves: Vec<String> = ports
        .iter()
        .map(|(p, _)| format!("fhir.test:{p}:127.0.0.1"))
        .chain([format!("oidc.test:{}:127.0.0.1", iss.server.port)])
        .collect();
    let base_dir = dir.display().to_string();
    let mut args = vec!["check", "--test-connections", "--format", format];
    if format == "human" {
        args.extend(["--color", "never"]);
    }
    for r in &resolves {
        args.extend(["--resolve", r]);
    }
    args.extend([
        "--base-dir",
        &base_dir,
        "--stdin-filename",
        "probe.yaml",
        "-",
    ]);
    let out = run(&args, Some(config.as_bytes()), &[]);
    for secret in [TOKEN, "oidc-client-secret", "Pw-7Hq2Lz9"] {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{format}: {secret} shown:\n{}{}",
            out.stdout,
            out.stderr
        );
    }
    let mut text = transcript(&args, &out).replace(&base_dir, "[TMP]").replace(
        &format!("\"version\": \"{}\"", version()),
        "\"version\": \"[VERSION]\"",
    );
    for (port, name) in ports {
        text = text.replace(&format!(":{port}"), &format!(":{name}"));
    }
    text = numbers_before(&text, " ms");
    let mut json = String::new();
    for (i, part) in text.split("\"duration_ms\": ").enumerate() {
        if i > 0 {
            json.push_str("\"duration_ms\": [N]");
            json.push_str(part.trim_start_matches(|c: char| c.is_ascii_digit()));
        } else {
            json.push_str(part);
        }
    }
    dates_and_times(&json)
}

macro_rules! probe_goldens {
    ($($name:ident: $format:expr;)*) => {
        $(
            #[test]
            fn $name() {
                // beside the other snapshots, in tests/snapshots/
                insta::with_settings!({snapshot_path => "../snapshots"}, {
                    insta::assert_snapshot!(stringify!($name), golden($format));
                });
            }
        )*
    };
}

probe_goldens! {
    probe_human: "human";
    probe_json: "json";
    probe_concise: "concise";
    probe_github: "github";
    probe_sarif: "sarif";
    probe_gitlab: "gitlab";
}
