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

/// Issue 15: a trust store of many certificates named by many connections shows three of them
/// per connection and counts the rest, so every connection fits the output budget (1,000
/// connections naming a store of 6,538 printed 618 MB before, then only the first connection).
#[test]
fn a_large_trust_store_is_counted_not_listed() {
    let dir = crate::util::temp_dir("explain-large-store");
    let ca =
        std::fs::read_to_string(crate::util::manifest_dir().join("fixtures/secrets/root_ca.crt"))
            .expect("fixture CA");
    std::fs::write(dir.join("store.pem"), ca.repeat(500)).expect("write");
    let yaml: String = (0..200)
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
                "-",
            ],
            Some(yaml.as_bytes()),
            &[],
        )
    };
    let (_, json) = crate::util::json_of(explain("json"));
    let conns = json["connections"].as_array().expect("connections");
    assert_eq!(conns.len(), 200, "every connection is shown");
    for c in conns {
        let store = c["settings"]
            .as_array()
            .and_then(|s| {
                s.iter()
                    .find(|x| x["name"] == "trusted-root-certificates-file")
            })
            .expect("trust row");
        assert_eq!(store["certificates"].as_array().map(Vec::len), Some(3));
        assert_eq!(store["certificate_count"], 500);
    }
    let human = explain("human");
    assert_eq!(
        human.stdout.matches("and 497 more certificates").count(),
        200
    );
    assert!(
        human.stdout.len() < 200 * 1_000,
        "{} bytes",
        human.stdout.len()
    );
}
