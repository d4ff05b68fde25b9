//! Outcomes that depend on what the server builds at start-up (issue 16, section 1): each case
//! is a config and environment, and the server's verdict on it (JSON `code`, `outcome`,
//! `pointer`, `line:column`), with the DSF source line it follows (DSF develop 2.1.1-SNAPSHOT,
//! identical to v2.1.0 for these classes; paths under
//! `dsf-bpe/dsf-bpe-server/src/main/java/dev/dsf/bpe/` unless named otherwise).

use crate::util::{diagnostics, json_of, run};
use serde_json::Value;

/// `check --skip-file-checks --format json -` of `yaml` with `env`.
fn check(yaml: &str, env: &[(&str, &str)]) -> (i32, Value) {
    json_of(run(
        &["check", "--skip-file-checks", "--format", "json", "-"],
        Some(yaml.as_bytes()),
        env,
    ))
}

/// Every diagnostic as `code outcome pointer line:column`.
fn seen(json: &Value) -> Vec<String> {
    diagnostics(json)
        .iter()
        .map(|d| {
            format!(
                "{} {} {} {}:{}",
                d["code"].as_str().unwrap_or(""),
                d["outcome"].as_str().unwrap_or("-"),
                d["pointer"].as_str().unwrap_or(""),
                d["line"],
                d["column"]
            )
        })
        .collect()
}

const OIDC: &str = "  oidc-auth:\n    base-url: https://oidc.example.org/realms/dsf\n    client-id: bpe\n    client-secret: s3cret\n";

#[test]
fn negative_connection_timeout_stops_the_bpe_only_where_its_client_is_built_at_startup() {
    // not tested at start-up: the FHIR client is built when a plugin uses the connection
    // (spring/config/FhirClientConnectionsConfig.java:141-142; the negative value throws in
    // Jersey's ClientBuilder, client/fhir/FhirConnectionTestClientJersey.java:86-87)
    let (exit, json) = check(
        "a:\n  base-url: https://x/fhir\n  connect-timeout: -PT5S\n",
        &[],
    );
    assert_eq!(exit, 1);
    assert_eq!(
        seen(&json),
        ["duration-negative may-fail /a/connect-timeout 3:20"]
    );
    // tested at start-up, by the connection's flag or by the default
    // (config/FhirClientConfigYamlReaderImpl.java:168)
    let yaml = "a:\n  base-url: https://x/fhir\n  test-connection-on-startup: true\n  read-timeout: -PT5S\n";
    assert_eq!(
        seen(&check(yaml, &[]).1),
        ["duration-negative does-not-start /a/read-timeout 4:17"]
    );
    let env = [(
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TEST_CONNECTION_ON_STARTUP",
        "yes",
    )];
    assert_eq!(
        seen(
            &check(
                "a:\n  base-url: https://x/fhir\n  read-timeout: -PT5S\n",
                &env
            )
            .1
        ),
        ["duration-negative does-not-start /a/read-timeout 3:17"]
    );
    // with oidc-auth the OIDC client is built at start-up (FhirClientConnectionsConfig.java:138),
    // with the oidc-auth timeouts (FhirClientConfigYamlReaderImpl.java:215-216): the
    // connection's own timeout still serves only its FHIR client
    let yaml = format!(
        "a:\n  base-url: https://x/fhir\n  connect-timeout: -PT1S\n{OIDC}    read-timeout: -PT1S\n"
    );
    assert_eq!(
        seen(&check(&yaml, &[]).1),
        [
            "duration-negative may-fail /a/connect-timeout 3:20",
            "duration-negative does-not-start /a/oidc-auth/read-timeout 8:19"
        ]
    );
}

#[test]
fn a_user_dsf_connection_is_replaced_before_anything_is_built() {
    // FhirClientConnectionsConfig.java:105 puts the built-in #dsf over the user's entry
    // (config/FhirClientConfigsImpl.java:54) before the tests of :138-142 run
    let yaml = format!(
        "'#dsf':\n  base-url: https://x/fhir\n  test-connection-on-startup: true\n  connect-timeout: -PT1S\n{OIDC}"
    );
    let found = seen(&check(&yaml, &[]).1);
    assert!(
        found.contains(&"duration-negative silently-wrong /#dsf/connect-timeout 4:20".to_string()),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|d| d.contains("does-not-start")),
        "{found:?}"
    );
}

#[test]
fn default_timeouts_are_strings_for_duration_parse() {
    // spring/config/PropertiesConfig.java:165-170 (String), :656-664 (Duration.parse): `5s` throws
    // when the connections are configured at start-up
    let env = [(
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT",
        "5s",
    )];
    let (exit, json) = check("a:\n  base-url: https://x/fhir\n", &env);
    assert_eq!(exit, 1);
    assert_eq!(seen(&json), ["invalid-default does-not-start  3:68"]);
    // a negative default is accepted there (no sign check); it fails where a client is built:
    // only the built-in #dsf and plugin-time clients use it here
    let env = [(
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ",
        "-PT1S",
    )];
    assert_eq!(
        seen(&check("a:\n  base-url: https://x/fhir\n", &env).1),
        ["duration-negative may-fail  4:65"]
    );
    // ... an OIDC client built at start-up takes it when its oidc-auth sets no read timeout
    let yaml = format!("a:\n  base-url: https://x/fhir\n{OIDC}");
    assert_eq!(
        seen(&check(&yaml, &env).1),
        ["duration-negative does-not-start  4:65"]
    );
    // ... not when it sets its own
    let yaml = format!("a:\n  base-url: https://x/fhir\n{OIDC}    read-timeout: PT5S\n");
    assert_eq!(
        seen(&check(&yaml, &env).1),
        ["duration-negative may-fail  4:65"]
    );
    // Duration.parse does not trim (a Spring boolean does: CustomBooleanEditor)
    let env = [
        (
            "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ",
            "PT5S ",
        ),
        (
            "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_ENABLE_DEBUG_LOGGING",
            " On",
        ),
    ];
    assert_eq!(
        seen(&check("a:\n  base-url: https://x/fhir\n", &env).1),
        ["invalid-default does-not-start  4:65"]
    );
}

#[test]
fn oidc_cache_variables_are_read_and_checked_as_the_server_does() {
    // PropertiesConfig.java:181-198, checked by assertPositive (:501-507) when the OIDC client
    // provider is made at start-up (spring/config/OidcClientProviderConfig.java), whatever the
    // connections are; also client/oidc/OidcClientProviderImpl.java:76-90
    let yaml = "a:\n  base-url: https://x/fhir\n";
    for (suffix, value, line) in [
        ("OIDC_CACHE_TIMEOUT_CONFIGURATION_RESOURCE", "-PT1H", 10),
        ("OIDC_CACHE_TIMEOUT_JWKS_RESOURCE", "1h", 11),
        ("OIDC_CACHE_TIMEOUT_ACCESS_TOKEN", "-PT1S", 12),
        ("OIDC_TIME_VALIDATION_LEEWAY", "-PT10S", 8),
        ("OIDC_CACHE", "enabled", 9),
    ] {
        let name = format!("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_{suffix}");
        let (exit, json) = check(yaml, &[(name.as_str(), value)]);
        assert_eq!(exit, 1, "{suffix}");
        let found = seen(&json);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with(&format!("invalid-default does-not-start  {line}:")),
            "{suffix}: {found:?}"
        );
    }
    // zero is not negative; Spring's booleans in any case
    let env = [
        (
            "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE_TIMEOUT_ACCESS_TOKEN",
            "PT0S",
        ),
        (
            "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE",
            "OFF",
        ),
    ];
    assert_eq!(check(yaml, &env), (0, check(yaml, &env).1));
    assert!(seen(&check(yaml, &env).1).is_empty());
}

#[test]
fn explain_shows_the_oidc_cache_and_the_discovery_path_default_with_its_slash() {
    // config/FhirClientConfigYamlReaderImpl.java:94-96 adds the leading `/`
    let yaml = format!("a:\n  base-url: https://x/fhir\n{OIDC}");
    let out = run(
        &["explain", "--skip-file-checks", "-"],
        Some(yaml.as_bytes()),
        &[
            (
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_OIDC_DISCOVERY_PATH",
                "custom/discovery",
            ),
            (
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE_TIMEOUT_JWKS_RESOURCE",
                "PT30M",
            ),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for want in [
        "/custom/discovery",
        "oidc-auth.cache ",
        "oidc-auth.cache-timeout-configuration-resource",
        "PT30M",
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_OIDC_CACHE_TIMEOUT_JWKS_RESOURCE",
        "oidc-auth.cache-timeout-access-token",
    ] {
        assert!(out.stdout.contains(want), "{want}: {}", out.stdout);
    }
    assert!(!out.stdout.contains(" custom/discovery"), "{}", out.stdout);
}

#[test]
fn upper_case_scheme_throws_in_the_proxy_code() {
    // dsf-common/dsf-common-config/.../ProxyConfigImpl.java:148, 160-167: without an explicit
    // port the default port is looked up by the scheme, case-sensitively; the FHIR client asks at
    // client/fhir/FhirConnectionTestClientJersey.java:92, the OIDC client at
    // client/oidc/OidcClientProviderImpl.java:104
    let yaml = format!(
        "a:\n  base-url: HTTPS://x/fhir\nb:\n  base-url: HTTPS://x:443/fhir\n  test-connection-on-startup: true\nc:\n  base-url: Https://x/fhir\n  test-connection-on-startup: true\n{}",
        OIDC.replace("https://oidc", "HTTPS://oidc")
    );
    // no proxy: the URLs are fine
    assert!(seen(&check(&yaml, &[]).1).is_empty());
    let proxy = [("DEV_DSF_PROXY_URL", "HTTP://proxy.example.org:3128")];
    let want = [
        "proxy-url-scheme may-fail /a/base-url 2:13",
        "proxy-url-scheme does-not-start /c/base-url 7:13",
        "proxy-url-scheme does-not-start /c/oidc-auth/base-url 10:15",
    ];
    assert_eq!(seen(&check(&yaml, &proxy).1), want);
    // a no-proxy entry for the host does not help (the port is looked up first: :148)
    let env = [proxy[0], ("DEV_DSF_PROXY_NOPROXY", "x, oidc.example.org")];
    assert_eq!(seen(&check(&yaml, &env).1), want);
    // `*` turns the proxy off (:95-98, :130); so does a proxy URL without a host (:61-65)
    let env = [proxy[0], ("DEV_DSF_PROXY_NOPROXY", "x,*")];
    assert!(seen(&check(&yaml, &env).1).is_empty());
    assert!(seen(&check(&yaml, &[("DEV_DSF_PROXY_URL", "proxy:3128")]).1).is_empty());
}

#[test]
fn typographic_closing_quote_is_named_wherever_it_stands() {
    // SnakeYAML reads on past `’` (not a quote) until the next `'`: the error it reports lies
    // after the slip (the DSF docs' own `'password.file’`)
    let slip = "    password-file: 'password.file\u{2019}\n";
    for (yaml, line) in [
        // the end of the file (named before this change too)
        (
            format!(
                "fhir:\n  base-url: https://f/fhir\n  cert-auth:\n    p12-file: /c.p12\n{slip}"
            ),
            5,
        ),
        // another connection after it
        (
            format!(
                "fhir:\n  base-url: https://f/fhir\n  cert-auth:\n    p12-file: /c.p12\n{slip}other:\n  base-url: https://o/fhir\n"
            ),
            5,
        ),
        // the middle of a block
        (
            format!(
                "fhir:\n  base-url: https://f/fhir\n  cert-auth:\n{slip}    p12-file: /c.p12\n"
            ),
            4,
        ),
        // a later quote that the parser pairs with the open one
        (
            format!(
                "fhir:\n  base-url: https://f/fhir\n  cert-auth:\n{slip}    p12-file: /c.p12\nother:\n  base-url: 'https://o/fhir'\n"
            ),
            4,
        ),
    ] {
        let (exit, json) = check(&yaml, &[]);
        assert_eq!(exit, 1);
        assert_eq!(
            seen(&json),
            [format!("yaml-typographic-quote no-connections  {line}:20")],
            "{yaml}"
        );
    }
}

#[test]
fn typographic_closing_quote_inside_a_compose_file() {
    let dir = crate::util::temp_dir("typo-compose");
    let compose = "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.0.2\n    environment:\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: https://f/fhir\n          cert-auth:\n            p12-file: /c.p12\n            password-file: 'password.file\u{2019}\n        other:\n          base-url: https://o/fhir\n";
    let path = dir.join("compose.yaml");
    std::fs::write(&path, compose).expect("write");
    let path = path.display().to_string();
    let (exit, json) = json_of(run(
        &["check", "--skip-file-checks", "--format", "json", &path],
        None,
        &[],
    ));
    assert_eq!(exit, 1);
    assert_eq!(
        seen(&json),
        ["yaml-typographic-quote no-connections  10:28"]
    );
}

#[test]
fn a_compose_service_is_judged_with_its_own_proxy() {
    // the BPE container sees the service's DEV_DSF_PROXY_URL, not the tool's
    let dir = crate::util::temp_dir("proxy-compose");
    let compose = |proxy: &str| {
        format!(
            "services:\n  bpe:\n    image: ghcr.io/datasharingframework/bpe:2.0.2\n    environment:\n{proxy}      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        fhir:\n          base-url: HTTPS://f/fhir\n          test-connection-on-startup: true\n"
        )
    };
    let path = dir.join("compose.yaml");
    let path_s = path.display().to_string();
    let check = |env: &[(&str, &str)]| {
        let (_, json) = json_of(run(
            &["check", "--skip-file-checks", "--format", "json", &path_s],
            None,
            env,
        ));
        seen(&json)
    };
    std::fs::write(
        &path,
        compose("      DEV_DSF_PROXY_URL: http://proxy:3128\n"),
    )
    .expect("write");
    assert_eq!(
        check(&[]),
        ["proxy-url-scheme does-not-start /fhir/base-url 8:21"]
    );
    std::fs::write(&path, compose("")).expect("write");
    assert!(check(&[("DEV_DSF_PROXY_URL", "http://proxy:3128")]).is_empty());
}

#[test]
fn an_empty_cert_auth_password_file_stops_the_bpe_only_when_the_server_reads_it() {
    use crate::pki::{self, PASSWORD, Usage};
    // a 0-byte password file throws in readAllLines(...).get(0) (config/FhirClientConfigYaml.java:710),
    // reached only through readKeyStore (:120-143) once the key files are readable (:145-164);
    // otherwise validation's own check says "first line empty or blank" (:626-650)
    let dir = crate::util::temp_dir("empty-password-file");
    let ca = pki::ca();
    let client = pki::leaf(&ca, "client", Usage::Client, -1, 365);
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.display().to_string()
    };
    let p12 = write("client.p12", &pki::pkcs12(&client, &ca, PASSWORD));
    let cert = write("client.crt", client.pem.as_bytes());
    let key = write(
        "client.key",
        pki::encrypted_key(&client.key, PASSWORD).as_bytes(),
    );
    let pw = write("pw", b"");
    let ca_file = write("ca.pem", ca.pem.as_bytes());
    let check = |cert_auth: String| {
        let yaml = format!(
            "c:\n  base-url: https://x/fhir\n  cert-auth:\n{cert_auth}    password-file: {pw}\n"
        );
        let (_, json) = json_of(run(
            &["check", "--format", "json", "-"],
            Some(yaml.as_bytes()),
            &[(
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
                ca_file.as_str(),
            )],
        ));
        seen(&json)
            .into_iter()
            .filter(|d| d.starts_with("secret-file-empty"))
            .collect::<Vec<_>>()
    };
    // key material read: p12 alone, or certificate and key
    assert_eq!(
        check(format!("    p12-file: {p12}\n")),
        ["secret-file-empty does-not-start /c/cert-auth/password-file 5:20"]
    );
    assert_eq!(
        check(format!(
            "    certificate-file: {cert}\n    private-key-file: {key}\n"
        )),
        ["secret-file-empty does-not-start /c/cert-auth/password-file 6:20"]
    );
    // not read: the p12 file is missing, there is no key material, the certificate file is a key
    for cert_auth in [
        format!("    p12-file: {}/missing.p12\n", dir.display()),
        String::new(),
        format!("    certificate-file: {key}\n    private-key-file: {key}\n"),
    ] {
        let line = 4 + cert_auth.lines().count();
        assert_eq!(
            check(cert_auth.clone()),
            [format!(
                "secret-file-empty no-connections /c/cert-auth/password-file {line}:20"
            )],
            "{cert_auth}"
        );
    }
}

/// A variable set to an empty or blank value is a value to Spring, not an unset variable:
/// `${name:default}` takes the default only when the variable is absent
/// (spring-core `PropertyPlaceholderHelper`), and `spring/config/PropertiesConfig.java:153-198`
/// gets "" as it is. A boolean then fails in `CustomBooleanEditor` (no empty value for a
/// primitive `boolean`: "Invalid boolean value []"), a duration in `Duration.parse`
/// (`PropertiesConfig.java:656-664, 685-703`), the default trust store in
/// `dsf-common-config …/AbstractCertificateConfig.java` `checkFileOrFolder` ("not defined"):
/// the BPE does not start. The discovery path becomes `/` (`FhirClientConfigYamlReaderImpl.java:94-96`),
/// and a blank config is no connections (`FhirClientConfigYamlReaderImpl.java:114-115`).
#[test]
fn a_blank_variable_is_a_value_to_the_server() {
    const P: &str = "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_";
    let yaml = "a:\n  base-url: https://x.example.org/fhir\n";
    for (suffix, value, line, column) in [
        ("DEFAULT_TIMEOUT_CONNECT", "", 3, 68),
        ("DEFAULT_TIMEOUT_READ", " ", 4, 65),
        ("DEFAULT_TEST_CONNECTION_ON_STARTUP", "", 1, 79),
        ("OIDC_CACHE", "  ", 9, 55),
        ("OIDC_CACHE_TIMEOUT_ACCESS_TOKEN", "", 12, 76),
        ("DEFAULT_TRUST_SERVER_CERTIFICATE_CAS", "", 5, 81),
    ] {
        let name = format!("{P}{suffix}");
        let (exit, json) = check(yaml, &[(name.as_str(), value)]);
        assert_eq!(exit, 1, "{name}={value:?}: {json:#}");
        assert_eq!(
            seen(&json),
            [format!("invalid-default does-not-start  {line}:{column}")],
            "{name}={value:?}"
        );
        let d = &diagnostics(&json)[0];
        assert!(
            d["message"].as_str().unwrap_or("").ends_with(" is empty"),
            "{d:#}"
        );
        assert!(
            d["help"].as_str().unwrap_or("").contains("not as unset"),
            "{d:#}"
        );
    }
    // the same set by a compose service
    let compose = format!(
        "services:\n  bpe:\n    environment:\n      {P}DEFAULT_TIMEOUT_CONNECT: ''\n      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |\n        a:\n          base-url: https://x.example.org/fhir\n"
    );
    let dir = crate::util::temp_dir("startup-blank-compose");
    let file = dir.join("docker-compose.yml");
    std::fs::write(&file, compose).expect("write");
    let file = file.display().to_string();
    let (exit, json) = json_of(run(
        &["check", "--skip-file-checks", "--format", "json", &file],
        None,
        &[],
    ));
    assert_eq!(exit, 1, "{json:#}");
    assert_eq!(
        seen(&json),
        ["invalid-default does-not-start  4:75"],
        "{json:#}"
    );
    // the discovery path: `/`, as the server makes it
    let oidc = format!("a:\n  base-url: https://x.example.org/fhir\n{OIDC}");
    let name = format!("{P}DEFAULT_OIDC_DISCOVERY_PATH");
    let (_, json) = json_of(run(
        &["explain", "--skip-file-checks", "--format", "json", "-"],
        Some(oidc.as_bytes()),
        &[(name.as_str(), "")],
    ));
    assert!(seen(&json).is_empty(), "{json:#}");
    let rows = json["connections"][0]["settings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let url = rows
        .iter()
        .find(|r| r["name"] == "oidc-auth.discovery-url")
        .map(|r| r["value"].clone());
    assert_eq!(
        url,
        Some(Value::from("https://oidc.example.org/realms/dsf/"))
    );
    // a blank config: no connections, the server starts with its #dsf one
    let (exit, json) = json_of(run(
        &["check", "--format", "json"],
        None,
        &[("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG", " ")],
    ));
    assert_eq!(exit, 0, "{json:#}");
    assert_eq!(seen(&json), ["config-blank silently-wrong  1:1"]);
}

/// A `p12-file` with neither `password` nor `password-file` is opened as the JDK opens it then
/// (`config/FhirClientConfigYaml.java:120-125`: crypto-utils' `KeyStoreReader.readPkcs12` with a
/// null password, `KeyStore.load(stream, null)`; measured with Java 17): encrypted safes
/// skipped, keys kept encrypted. Validation then wants one entry with a certificate chain
/// (`FhirClientConfigYaml.java:166-174`: "KeyStore has no certificate chain for entry …",
/// "KeyStore has 2 entries …", no connections); a file whose certificates are in the clear
/// passes it, and its key cannot be used when the TLS client is built
/// (`client/fhir/FhirConnectionTestClientJersey.java:77-85`, `UnrecoverableKeyException`): the
/// BPE does not start only when that connection is tested at start-up.
#[test]
fn a_pkcs12_without_password_is_judged_as_the_jdk_opens_it() {
    use crate::pki::{self, PASSWORD, Usage};
    let dir = crate::util::temp_dir("p12-without-password");
    let ca = pki::ca();
    let client = pki::leaf(&ca, "client", Usage::Client, -1, 365);
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.display().to_string()
    };
    let default = write("default.p12", &pki::pkcs12(&client, &ca, PASSWORD));
    let two = write("two.p12", &pki::pkcs12_two_entries(&client, PASSWORD));
    let clear = write(
        "clear.p12",
        &pki::pkcs12_certs_in_clear(&client, &ca, PASSWORD),
    );
    let ca_file = write("ca.pem", ca.pem.as_bytes());
    let env = [(
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
        ca_file.as_str(),
    )];
    let check = |p12: &str, extra: &str, args: &[&str]| {
        let yaml =
            format!("c:\n  base-url: https://x/fhir\n{extra}  cert-auth:\n    p12-file: {p12}\n");
        let mut a = vec!["check", "--format", "json"];
        a.extend_from_slice(args);
        a.push("-");
        let (_, json) = json_of(run(&a, Some(yaml.as_bytes()), &env));
        let messages: Vec<String> = diagnostics(&json)
            .iter()
            .map(|d| d["message"].as_str().unwrap_or("").to_string())
            .collect();
        (seen(&json), messages)
    };
    // OpenSSL 3's and keytool's default: the certificates are in an encrypted safe
    let (seen_default, messages) = check(&default, "", &[]);
    assert_eq!(
        seen_default,
        ["pkcs12-invalid no-connections /c/cert-auth/p12-file 4:15"]
    );
    assert!(
        messages[0].contains("no certificate chain") && messages[0].contains("encrypted part"),
        "{messages:?}"
    );
    // two key entries
    let (seen_two, messages) = check(&two, "", &[]);
    assert_eq!(
        seen_two,
        ["pkcs12-invalid no-connections /c/cert-auth/p12-file 4:15"]
    );
    assert!(messages[0].contains("holds 2 entries"), "{messages:?}");
    // certificates in the clear: the server starts; the connection fails when its client is built
    let (seen_clear, messages) = check(&clear, "", &[]);
    assert_eq!(
        seen_clear,
        ["pkcs12-invalid may-fail /c/cert-auth/p12-file 4:15"]
    );
    assert!(messages[0].contains("stays encrypted"), "{messages:?}");
    let (seen_tested, _) = check(&clear, "  test-connection-on-startup: true\n", &[]);
    assert_eq!(
        seen_tested,
        ["pkcs12-invalid does-not-start /c/cert-auth/p12-file 5:15"]
    );
    // not read here: the common case said, at the block
    let (seen_skipped, _) = check(&default, "", &["--skip-file-checks"]);
    assert_eq!(
        seen_skipped,
        ["missing-property no-connections /c/cert-auth 3:3"]
    );
    // with its password the same files open as before: the default one is fine
    let yaml = format!(
        "c:\n  base-url: https://x/fhir\n  cert-auth:\n    p12-file: {default}\n    password: {PASSWORD}\n"
    );
    let (exit, json) = json_of(run(
        &["check", "--format", "json", "-"],
        Some(yaml.as_bytes()),
        &env,
    ));
    assert_eq!((exit, seen(&json)), (0, Vec::<String>::new()), "{json:#}");
}
