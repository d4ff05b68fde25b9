//! `explain`: the effective settings of a config using every auth method and every default.

use crate::util::run;

const ENV: [(&str, &str); 3] = [
    (
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
        "/run/secrets/root_ca.crt",
    ),
    (
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ",
        "PT5M",
    ),
    (
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_ENABLE_DEBUG_LOGGING",
        "true",
    ),
];

fn explain(format: &str) -> crate::util::Out {
    run(
        &[
            "explain",
            "--color",
            "never",
            "--format",
            format,
            "--path-map",
            "/run/secrets=fixtures/secrets",
            "tests/fixtures/explain/every-method.yaml",
        ],
        None,
        &ENV,
    )
}

#[test]
fn human() {
    let out = explain("human");
    assert_eq!(out.code, 1, "the `broken` connection is invalid");
    assert!(!out.stdout.contains("not-shown"));
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn json() {
    let out = explain("json");
    assert!(!out.stdout.contains("not-shown"));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let conns = json["connections"].as_array().expect("connections");
    assert_eq!(conns.len(), 8);
    let setting = |conn: usize, name: &str| {
        conns[conn]["settings"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["name"] == name))
            .cloned()
            .unwrap_or_default()
    };
    // a trailing slash is dropped; the connection's own timeouts do not reach oidc-auth
    assert_eq!(
        setting(0, "base-url")["value"],
        "http://plain.example.org/fhir"
    );
    assert_eq!(setting(1, "connect-timeout")["value"], "PT0.5S");
    assert_eq!(setting(1, "connect-timeout")["human"], "500ms");
    assert_eq!(setting(1, "connect-timeout")["origin"]["line"], 8);
    assert_eq!(setting(0, "read-timeout")["origin"]["kind"], "env");
    assert_eq!(setting(0, "connect-timeout")["origin"]["kind"], "built-in");
    assert_eq!(setting(5, "oidc-auth.connect-timeout")["value"], "PT2S");
    assert_eq!(
        setting(5, "oidc-auth.discovery-url")["value"],
        "https://keycloak.example.org/realms/dsf/custom/.well-known/openid-configuration"
    );
    assert_eq!(setting(3, "basic-auth.password")["value"], "****");
    assert_eq!(
        setting(2, "cert-auth.p12-file")["certificates"][0]["subject"],
        "CN=dsf-connections example client"
    );
    assert_eq!(setting(7, "read-timeout")["invalid"], true);
    assert_eq!(
        setting(6, "oidc-auth.verify-authorized-party")["origin"]["kind"],
        "built-in"
    );
    assert_eq!(
        setting(6, "oidc-auth.time-validation-leeway")["value"],
        "PT10S"
    );
    // explained after the diagnostics, which are still there
    assert_eq!(json["summary"]["errors"], 2);
}

/// Issue 15: a trust store of many certificates named by many connections is listed once, in
/// its own section, and each connection refers to it with its count, so every connection fits
/// the output budget (1,000 connections naming a store of 6,538 printed 618 MB before, then only
/// the first connection, then 451 with three certificates each).
#[test]
fn a_large_trust_store_is_listed_once_and_referred_to() {
    let dir = crate::util::temp_dir("explain-large-store");
    let ca =
        std::fs::read_to_string(crate::util::manifest_dir().join("fixtures/secrets/root_ca.crt"))
            .expect("fixture CA");
    std::fs::write(dir.join("store.pem"), ca.repeat(500)).expect("write");
    let yaml: String = (0..1000)
        .map(|i| format!("c{i}:\n  base-url: https://fhir-{i}.example.org/fhir\n  trusted-root-certificates-file: store.pem\n"))
        .collect();
    let base = dir.display().to_string();
    let explain = |format: &str| {
        run(
            &[
                "explain",
                "--color",
                "never",
                "--format",
                format,
                "--base-dir",
                &base,
                "--max-input-size",
                "16777216",
                "-",
            ],
            Some(yaml.as_bytes()),
            &[],
        )
    };
    let out = explain("json");
    assert!(out.stdout.len() < 2_000_000, "{} bytes", out.stdout.len());
    let (_, json) = crate::util::json_of(out);
    let conns = json["connections"].as_array().expect("connections");
    // a run keeps 1,000 connections: all shown, none left out for the budget
    assert_eq!(conns.len(), 1000, "{:#}", json["summary"]);
    let row = |c: &serde_json::Value| {
        c["settings"]
            .as_array()
            .and_then(|s| {
                s.iter()
                    .find(|x| x["name"] == "trusted-root-certificates-file")
            })
            .cloned()
            .expect("trust row")
    };
    for c in conns {
        let store = row(c);
        assert_eq!(store["trust_store"], 0, "{store:#}");
        assert!(store.get("certificates").is_none(), "{store:#}");
        assert_eq!(store["certificate_count"], 500);
    }
    let stores = json["trust_stores"].as_array().expect("trust stores");
    assert_eq!(stores.len(), 1, "only the shown connections' stores");
    assert_eq!(stores[0]["file"], "store.pem");
    assert_eq!(stores[0]["certificate_count"], 500);
    assert_eq!(
        stores[0]["connections"].as_array().map(Vec::len),
        Some(1000)
    );
    assert_eq!(stores[0]["connections"][999], "c999");
    let listed = stores[0]["certificates"].as_array().map_or(0, Vec::len);
    let omitted = stores[0]["certificates_omitted"].as_u64().unwrap_or(0) as usize;
    assert!(
        listed >= 3 && listed + omitted == 500,
        "{listed} + {omitted}"
    );
    assert_eq!(stores[0]["certificates"][0]["subject"], "CN=Test CA");
    let human = explain("human");
    assert!(
        human.stdout.len() < 2_000_000,
        "{} bytes",
        human.stdout.len()
    );
    assert_eq!(
        human
            .stdout
            .matches("500 certificates, listed once under trust store [1] below")
            .count(),
        1000
    );
    assert!(
        human.stdout.contains("\n[1] store.pem\n"),
        "{}",
        &human.stdout[human.stdout.len() - 2000..]
    );
    assert!(!human.stdout.contains("[2]"));
}

/// The section gets what the connections leave of the output budget: a store of the most
/// certificates a file may hold (4 MiB) named by 999 connections is cut with a count; a store of
/// at most three certificates stays in its rows.
#[test]
fn a_trust_store_over_the_budget_is_cut_with_a_count() {
    let dir = crate::util::temp_dir("explain-cut-store");
    let ca =
        std::fs::read_to_string(crate::util::manifest_dir().join("fixtures/secrets/root_ca.crt"))
            .expect("fixture CA");
    let most = 4 * 1024 * 1024 / ca.len();
    std::fs::write(dir.join("big.pem"), ca.repeat(most)).expect("write");
    std::fs::write(dir.join("small.pem"), ca.repeat(2)).expect("write");
    let mut yaml = String::from(
        "s:\n  base-url: https://s.example.org/fhir\n  trusted-root-certificates-file: small.pem\n",
    );
    for i in 0..999 {
        yaml.push_str(&format!("b{i}:\n  base-url: https://b{i}.example.org/fhir\n  trusted-root-certificates-file: big.pem\n"));
    }
    let base = dir.display().to_string();
    let explain = |format: &str| {
        run(
            &[
                "explain",
                "--format",
                format,
                "--color",
                "never",
                "--base-dir",
                &base,
                "-",
            ],
            Some(yaml.as_bytes()),
            &[],
        )
    };
    let out = explain("json");
    assert!(out.stdout.len() < 2_000_000, "{} bytes", out.stdout.len());
    let (_, json) = crate::util::json_of(out);
    let stores = json["trust_stores"].as_array().expect("trust stores");
    assert_eq!(stores.len(), 1, "{stores:#?}");
    assert_eq!(stores[0]["certificate_count"], most);
    let listed = stores[0]["certificates"].as_array().map_or(0, Vec::len);
    let omitted = stores[0]["certificates_omitted"].as_u64().unwrap_or(0) as usize;
    assert!(
        listed > 3 && omitted > 0 && listed + omitted == most,
        "{listed} + {omitted}"
    );
    let small = json["connections"][0]["settings"]
        .as_array()
        .and_then(|s| {
            s.iter()
                .find(|x| x["name"] == "trusted-root-certificates-file")
        })
        .cloned()
        .expect("row");
    assert_eq!(
        small["certificates"].as_array().map(Vec::len),
        Some(2),
        "{small:#}"
    );
    assert!(small.get("trust_store").is_none(), "{small:#}");
    let human = explain("human").stdout;
    assert!(human.len() < 2_000_000, "{} bytes", human.len());
    assert!(
        human.contains(&format!(
            "    and {} more certificates (over the output budget; all are checked)",
            dsf_connections::crypto::kdf::grouped(omitted as u64)
        )),
        "{}",
        &human[human.len().saturating_sub(600)..]
    );
}
