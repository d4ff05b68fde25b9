//! Secrets that reached the probe's output, each found by a canary and grepped in every output
//! format (human, json, concise, github, sarif, gitlab) of one `check --test-connections` run:
//! a query value of `base-url` in the probe's own texts and where a server echoes its request
//! path or a `Location`; a secret a server echoes in another encoding than the config's (a bearer
//! token as base64, URL-encoded or JSON-escaped; a non-ASCII Basic password as the server decoded
//! its ISO-8859-1 bytes, or in UTF-8 base64). The servers here are plain http on 127.0.0.1.

use super::pki::PKI;
use super::servers::{self, HttpReq, HttpResp};
use super::{base64, pem_cert};
use crate::util::{run, temp_dir};
use std::sync::Arc;

/// Canaries: no 6 characters of any of them occur in the tool's own words.
const QUERY: &str = "Qv7Lm2Xp9Rt4Wz";
const BEARER: &str = "Bz4-Kq8Lx2Vm7Np";
const PASSWORD: &str = "Päss-Wörd-7Zq81x";
const USER: &str = "bpe";

const FORMATS: [&str; 6] = ["human", "json", "concise", "github", "sarif", "gitlab"];

/// `check --test-connections` of `config` in every format: (format, stdout and stderr).
fn every_format(config: &str, ports: &[u16]) -> Vec<(&'static str, String)> {
    let dir = temp_dir("probe-leaks");
    std::fs::write(dir.join("root.pem"), pem_cert(&PKI.root.der)).expect("write ca");
    let base_dir = dir.display().to_string();
    let resolves: Vec<String> = ports
        .iter()
        .map(|p| format!("fhir.test:{p}:127.0.0.1"))
        .collect();
    FORMATS
        .iter()
        .map(|format| {
            let mut args = vec!["check", "--test-connections", "--format", format];
            for r in &resolves {
                args.extend(["--resolve", r]);
            }
            args.extend(["--base-dir", &base_dir, "-"]);
            let out = run(&args, Some(config.as_bytes()), &[]);
            assert_eq!(out.code, 3, "{format}: {}{}", out.stdout, out.stderr);
            (*format, format!("{}\n{}", out.stdout, out.stderr))
        })
        .collect()
}

/// Neither `secret` nor any 6 characters of it in any output.
fn assert_not_shown(outs: &[(&str, String)], secret: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for (format, out) in outs {
        for w in chars.windows(6.min(chars.len())) {
            let piece: String = w.iter().collect();
            assert!(
                !out.contains(&piece),
                "{format}: `{piece}` of `{secret}` shown:\n{out}"
            );
        }
    }
}

/// Each output shows the probe's verdict, so the echo arrived (and was masked, not lost).
fn assert_probed(outs: &[(&str, String)], connection: &str) {
    for (format, out) in outs.iter().filter(|(f, _)| *f != "gitlab") {
        assert!(out.contains(connection), "{format}: {out}");
    }
}

#[test]
fn query_values_of_base_url_are_masked_in_own_texts_echoed_paths_and_locations() {
    // a path echo, an absolute Location (made from the Host header) and a relative one
    let s = servers::http(
        None,
        Arc::new(|r: &HttpReq| {
            let host = r.header("host").unwrap_or("");
            if r.path.starts_with("/moved") {
                HttpResp::new(302, "text/plain", "").with_header(
                    "Location",
                    &format!("http://{host}/fhir/metadata?apikey={QUERY}&_format=json"),
                )
            } else if r.path.starts_with("/relative") {
                HttpResp::new(301, "text/plain", "")
                    .with_header("Location", &format!("/fhir/metadata?apikey={QUERY}"))
            } else {
                HttpResp::new(
                    404,
                    "text/plain",
                    format!("no such path: GET {} HTTP/1.1", r.path),
                )
            }
        }),
    );
    let p = s.port;
    let config = format!(
        "path-echo:\n  base-url: http://fhir.test:{p}/fhir?apikey={QUERY}\n\
         moved:\n  base-url: http://fhir.test:{p}/moved?apikey={QUERY}\n\
         relative:\n  base-url: http://fhir.test:{p}/relative?apikey={QUERY}\n\
         oidc-query:\n  base-url: http://fhir.test:{p}/fhir\n  oidc-auth:\n    base-url: http://fhir.test:{p}/realm?apikey={QUERY}\n    client-id: bpe\n    client-secret: 'Cs9-Hw3Lp7Xq2'\n    trusted-root-certificates-file: root.pem\n"
    );
    let outs = every_format(&config, &[p]);
    assert_not_shown(&outs, QUERY);
    for id in ["path-echo", "moved", "relative", "oidc-query"] {
        assert_probed(&outs, id);
    }
    let (_, json) = &outs[1];
    // the FHIR formatting parameter is shown, the query value is not
    assert!(json.contains("_format=json"), "{json}");
    assert!(json.contains("apikey=****"), "{json}");
}

/// `s` with every character as a JSON `\uXXXX` escape.
fn json_escaped(s: &str) -> String {
    s.encode_utf16().map(|u| format!("\\u{u:04x}")).collect()
}

/// `s` with every byte percent-encoded.
fn percent_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn a_bearer_token_echoed_as_base64_url_encoded_or_json_escaped_is_masked() {
    let s = servers::http(
        None,
        Arc::new(|r: &HttpReq| {
            let token = r
                .header("authorization")
                .and_then(|a| a.strip_prefix("Bearer "))
                .unwrap_or("")
                .to_string();
            let body = if r.path.starts_with("/b64-header") {
                format!(
                    "Authorization: {}",
                    base64(format!("Bearer {token}").as_bytes())
                )
            } else if r.path.starts_with("/b64") {
                format!("token {} is not known", base64(token.as_bytes()))
            } else if r.path.starts_with("/url") {
                format!("GET /x?access_token={} denied", percent_all(&token))
            } else {
                format!(
                    "{{\"resourceType\": \"OperationOutcome\", \"issue\": [{{\"severity\": \"error\", \"code\": \"login\", \"diagnostics\": \"token {}\"}}]}}",
                    json_escaped(&token)
                )
            };
            HttpResp::new(401, "application/fhir+json", body)
        }),
    );
    let p = s.port;
    let mut config = String::new();
    for id in ["b64", "b64-header", "url", "json"] {
        config.push_str(&format!(
            "{id}:\n  base-url: http://fhir.test:{p}/{id}\n  bearer-auth:\n    token: '{BEARER}'\n"
        ));
    }
    let outs = every_format(&config, &[p]);
    assert_not_shown(&outs, BEARER);
    assert_not_shown(&outs, &base64(BEARER.as_bytes()));
    for id in ["b64", "url", "json"] {
        assert_probed(&outs, id);
    }
}

#[test]
fn a_non_ascii_basic_password_echoed_as_the_server_decoded_it_is_masked() {
    let s = servers::http(
        None,
        Arc::new(|r: &HttpReq| {
            use base64::Engine;
            let sent = r
                .header("authorization")
                .and_then(|a| a.strip_prefix("Basic "))
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .unwrap_or_default();
            // ISO-8859-1 bytes read as UTF-8 (U+FFFD for each ä, ö), as Latin-1 and re-encoded
            // in UTF-8 base64, and the password alone in base64
            let as_utf8 = String::from_utf8_lossy(&sent).into_owned();
            let as_latin1: String = sent.iter().map(|&b| char::from(b)).collect();
            let password = as_latin1.split_once(':').map_or("", |(_, p)| p).to_string();
            let body = if r.path.starts_with("/lossy") {
                format!("login failed for {as_utf8}")
            } else if r.path.starts_with("/utf8-b64") {
                format!("credentials {} rejected", base64(as_latin1.as_bytes()))
            } else {
                format!("password {} rejected", base64(password.as_bytes()))
            };
            HttpResp::new(401, "text/plain", body)
        }),
    );
    let p = s.port;
    let mut config = String::new();
    for id in ["lossy", "utf8-b64", "password-b64"] {
        config.push_str(&format!(
            "{id}:\n  base-url: http://fhir.test:{p}/{id}\n  basic-auth:\n    username: {USER}\n    password: '{PASSWORD}'\n"
        ));
    }
    let outs = every_format(&config, &[p]);
    assert_not_shown(&outs, PASSWORD);
    // the password as the server read it: its ASCII runs are what could show
    assert_not_shown(&outs, "-W\u{fffd}rd-7Zq81x");
    assert_not_shown(&outs, &base64(PASSWORD.as_bytes()));
    for id in ["lossy", "utf8-b64", "password-b64"] {
        assert_probed(&outs, id);
    }
}
