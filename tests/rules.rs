//! Server rules on files and key material, and the warnings beyond the server: each with its
//! code, severity, pointer and line, on real files made by the test.

use crate::pki::{self, PASSWORD, Usage};
use crate::util::{TempDir, diagnostics, json_of, run, temp_dir};
use serde_json::Value;

struct Dir(TempDir);

impl Dir {
    fn new(tag: &str) -> Dir {
        let d = Dir(temp_dir(tag));
        d.write("default-ca.pem", pki::ca().pem);
        d
    }
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.display().to_string()
    }
    /// `check --format json` of `yaml` (with `{dir}` replaced by this directory), with a valid
    /// default trust store.
    fn check(&self, yaml: &str, extra: &[&str]) -> (i32, Value) {
        let ca = self.0.join("default-ca.pem").display().to_string();
        self.check_env(yaml, extra, &[(DEFAULT_CAS, ca.as_str())])
    }

    fn check_env(&self, yaml: &str, extra: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
        let dir = self.0.display().to_string();
        let config = self.write("config.yaml", yaml.replace("{dir}", &dir));
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(extra);
        args.push(&config);
        json_of(run(&args, None, env))
    }
}

/// The single diagnostic with `code`, and its (severity, pointer, line, outcome).
fn one(json: &Value, code: &str) -> (String, String, u64, String) {
    let found: Vec<&Value> = diagnostics(json)
        .iter()
        .filter(|d| d["code"] == code)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "want one {code}, got {}",
        json["diagnostics"]
    );
    let d = found[0];
    (
        d["severity"].as_str().unwrap_or("").into(),
        d["pointer"].as_str().unwrap_or("").into(),
        d["line"].as_u64().unwrap_or(0),
        d["outcome"].as_str().unwrap_or("").into(),
    )
}

fn codes(json: &Value) -> Vec<String> {
    crate::util::codes(json)
}

const DEFAULT_CAS: &str =
    "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS";

const BASIC: &str =
    "c:\n  base-url: https://x/fhir\n  basic-auth:\n    username: u\n    password-file: {dir}/pw\n";

#[test]
fn secret_files() {
    let d = Dir::new("secret");
    // fine: one line, with or without a trailing CRLF
    for ok in ["secret\n", "secret\r\n", "secret"] {
        d.write("pw", ok);
        let (code, json) = d.check(BASIC, &[]);
        assert_eq!((code, codes(&json)), (0, vec![]), "{ok:?}");
    }
    let cases: &[(&[u8], &str, &str)] = &[
        (b"", "secret-file-empty", "does-not-start"),
        (b"  \nx\n", "secret-file-empty", "no-connections"),
        (b"secret\nmore\n", "secret-file-multiline", "no-connections"),
        (b"secret\n\n", "secret-file-multiline", "no-connections"),
        (b"s\xe4cret\n", "secret-file-not-utf8", "no-connections"),
        (
            "pässwört🙂\n".as_bytes(),
            "password-not-latin1",
            "no-connections",
        ),
    ];
    for (content, code, outcome) in cases {
        d.write("pw", content);
        let (exit, json) = d.check(BASIC, &[]);
        assert_eq!(exit, 1);
        assert_eq!(
            one(&json, code),
            (
                "error".into(),
                "/c/basic-auth/password-file".into(),
                5,
                outcome.to_string()
            ),
            "{content:?}"
        );
    }
    // an empty token file is a validation error, not a crash
    d.write("tok", "");
    let (_, json) = d.check(
        "c:\n  base-url: https://x/fhir\n  bearer-auth:\n    token-file: {dir}/tok\n",
        &[],
    );
    assert_eq!(one(&json, "secret-file-empty").3, "no-connections");
}

#[test]
fn missing_and_empty_files_and_path_options() {
    let d = Dir::new("files");
    let yaml = "c:\n  base-url: https://x/fhir\n  trusted-root-certificates-file: {dir}/nope.pem\n";
    let (exit, json) = d.check(yaml, &[]);
    assert_eq!(exit, 1);
    assert_eq!(
        one(&json, "file-not-readable"),
        (
            "error".into(),
            "/c/trusted-root-certificates-file".into(),
            3,
            "no-connections".into()
        )
    );
    let msg = diagnostics(&json)[0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(msg.contains("nope.pem: no such file"), "{msg}");

    // a directory
    let (_, json) = d.check(
        "c:\n  base-url: https://x/fhir\n  trusted-root-certificates-file: {dir}\n",
        &[],
    );
    assert!(
        diagnostics(&json)[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("directory")
    );

    // empty
    d.write("empty.pem", "");
    let (_, json) = d.check(
        "c:\n  base-url: https://x/fhir\n  trusted-root-certificates-file: {dir}/empty.pem\n",
        &[],
    );
    assert_eq!(
        one(&json, "file-empty").1,
        "/c/trusted-root-certificates-file"
    );

    // --skip-file-checks reads nothing
    let (exit, json) = d.check(yaml, &["--skip-file-checks"]);
    assert_eq!((exit, codes(&json)), (0, vec![]));

    // --base-dir resolves relative paths; --path-map maps container paths
    let ca = pki::ca();
    d.write("ca.pem", &ca.pem);
    let base = d.0.display().to_string();
    let (exit, json) = d.check(
        "c:\n  base-url: https://x/fhir\n  trusted-root-certificates-file: ca.pem\n",
        &["--base-dir", &base],
    );
    assert_eq!((exit, codes(&json)), (0, vec![]));
    let map = format!("/run/secrets={base}");
    let (exit, json) = d.check(
        "c:\n  base-url: https://x/fhir\n  trusted-root-certificates-file: /run/secrets/ca.pem\n",
        &["--path-map", &map],
    );
    assert_eq!((exit, codes(&json)), (0, vec![]));
    // the message shows where the file was looked for
    let (_, json) = d.check(
        "c:\n  base-url: https://x/fhir\n  trusted-root-certificates-file: /run/secrets/gone.pem\n",
        &["--path-map", &map],
    );
    let msg = diagnostics(&json)[0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(msg.contains(&format!("{base}/gone.pem")), "{msg}");
}

#[test]
fn trust_stores() {
    let d = Dir::new("trust");
    let ca = pki::ca();
    let leaf = pki::leaf(&ca, "client", Usage::Client, -1, 100);
    d.write(
        "with-key.pem",
        format!("{}{}", ca.pem, leaf.key.serialize_pem()),
    );
    d.write("no-cert.pem", "just text\n");
    let (_, json) = d.check(
        "c:\n  base-url: https://x/fhir\n  trusted-root-certificates-file: {dir}/with-key.pem\n",
        &[],
    );
    assert_eq!(
        one(&json, "trust-store-invalid"),
        (
            "error".into(),
            "/c/trusted-root-certificates-file".into(),
            3,
            "no-connections".into()
        )
    );
    assert!(
        diagnostics(&json)[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("PEM object 2 is a `PRIVATE KEY`")
    );
    let (_, json) = d.check("c:\n  base-url: https://x/fhir\n  oidc-auth:\n    base-url: https://o\n    client-id: i\n    client-secret: s\n    trusted-root-certificates-file: {dir}/no-cert.pem\n", &[]);
    assert_eq!(
        one(&json, "trust-store-invalid").1,
        "/c/oidc-auth/trusted-root-certificates-file"
    );
}

fn cert_auth_yaml(cert: &str, key: &str, password: &str) -> String {
    format!(
        "c:\n  base-url: https://x/fhir\n  cert-auth:\n    certificate-file: {{dir}}/{cert}\n    private-key-file: {{dir}}/{key}\n    password: '{password}'\n"
    )
}

#[test]
fn pem_key_material() {
    let d = Dir::new("pem");
    let ca = pki::ca();
    let client = pki::leaf(&ca, "client", Usage::Client, -1, 365);
    let other = pki::leaf(&ca, "other", Usage::Client, -1, 365);
    let server = pki::leaf(&ca, "server", Usage::Server, -1, 365);
    let no_eku = pki::leaf(&ca, "no-eku", Usage::NoEku, -1, 365);
    d.write("client.crt", format!("{}{}", client.pem, ca.pem));
    d.write("client.key", pki::encrypted_key(&client.key, PASSWORD));
    d.write("client-plain.key", client.key.serialize_pem());
    d.write("other.key", pki::encrypted_key(&other.key, PASSWORD));
    d.write("server.crt", &server.pem);
    d.write("server.key", pki::encrypted_key(&server.key, PASSWORD));
    d.write("no-eku.crt", &no_eku.pem);
    d.write("no-eku.key", pki::encrypted_key(&no_eku.key, PASSWORD));
    d.write("no-pem.key", "not a key\n");
    d.write(
        "cert-first.key",
        format!("{}{}", client.pem, client.key.serialize_pem()),
    );
    d.write(
        "legacy.key",
        pki::legacy_encrypted_ec_key(&client.key, PASSWORD),
    );
    d.write("legacy-rc4.key", "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: RC4,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END EC PRIVATE KEY-----\n");
    d.write("key-as-cert.crt", client.key.serialize_pem());

    // good: encrypted PKCS#8, OpenSSL's legacy encrypted SEC1, and a plain key with a password
    // (the server needs one anyway)
    for key in ["client.key", "legacy.key", "client-plain.key"] {
        let (exit, json) = d.check(&cert_auth_yaml("client.crt", key, PASSWORD), &[]);
        assert_eq!((exit, codes(&json)), (0, vec![]), "{key}");
    }
    let cases = [
        (
            ("client.crt", "client.key", "wrong"),
            "private-key-password",
            "/c/cert-auth/private-key-file",
            5,
            "error",
            "no-connections",
        ),
        (
            ("client.crt", "other.key", PASSWORD),
            "key-mismatch",
            "/c/cert-auth/private-key-file",
            5,
            "error",
            "no-connections",
        ),
        (
            ("server.crt", "server.key", PASSWORD),
            "not-client-certificate",
            "/c/cert-auth/certificate-file",
            4,
            "error",
            "no-connections",
        ),
        (
            ("no-eku.crt", "no-eku.key", PASSWORD),
            "not-client-certificate",
            "/c/cert-auth/certificate-file",
            4,
            "error",
            "does-not-start",
        ),
        (
            ("client.crt", "no-pem.key", PASSWORD),
            "private-key-invalid",
            "/c/cert-auth/private-key-file",
            5,
            "error",
            "does-not-start",
        ),
        (
            ("client.crt", "cert-first.key", PASSWORD),
            "private-key-invalid",
            "/c/cert-auth/private-key-file",
            5,
            "error",
            "no-connections",
        ),
        (
            ("client.crt", "legacy.key", "wrong"),
            "private-key-password",
            "/c/cert-auth/private-key-file",
            5,
            "error",
            "no-connections",
        ),
        (
            ("client.crt", "legacy-rc4.key", PASSWORD),
            "key-not-verified",
            "/c/cert-auth/private-key-file",
            5,
            "warning",
            "",
        ),
        (
            ("key-as-cert.crt", "client.key", PASSWORD),
            "certificate-invalid",
            "/c/cert-auth/certificate-file",
            4,
            "error",
            "no-connections",
        ),
    ];
    for ((cert, key, pw), code, pointer, line, severity, outcome) in cases {
        let (_, json) = d.check(&cert_auth_yaml(cert, key, pw), &[]);
        assert_eq!(
            one(&json, code),
            (severity.into(), pointer.into(), line, outcome.into()),
            "{cert} {key}: {}",
            json["diagnostics"]
        );
    }
    // the wrong password points back at where the password comes from
    let (_, json) = d.check(&cert_auth_yaml("client.crt", "client.key", "wrong"), &[]);
    assert_eq!(
        diagnostics(&json)[0]["related"][0]["pointer"],
        "/c/cert-auth/password"
    );
}

#[test]
fn pkcs12_key_material() {
    let d = Dir::new("p12");
    let ca = pki::ca();
    let client = pki::leaf(&ca, "client", Usage::Client, -1, 365);
    d.write("client.p12", pki::pkcs12(&client, &ca, PASSWORD));
    d.write("not.p12", "not pkcs12");
    let yaml = |file: &str, pw: &str| {
        format!(
            "c:\n  base-url: https://x/fhir\n  cert-auth:\n    p12-file: {{dir}}/{file}\n    password: '{pw}'\n"
        )
    };
    let (exit, json) = d.check(&yaml("client.p12", PASSWORD), &[]);
    assert_eq!((exit, codes(&json)), (0, vec![]));
    for (file, pw) in [("client.p12", "wrong"), ("not.p12", PASSWORD)] {
        let (_, json) = d.check(&yaml(file, pw), &[]);
        assert_eq!(
            one(&json, "pkcs12-invalid"),
            (
                "error".into(),
                "/c/cert-auth/p12-file".into(),
                4,
                "no-connections".into()
            )
        );
    }
}

#[test]
fn certificate_validity_warnings() {
    let d = Dir::new("validity");
    let ca = pki::ca();
    for (name, from, to, code) in [
        ("expired", -30, -1, "certificate-expired"),
        ("future", 5, 300, "certificate-not-yet-valid"),
        ("soon", -30, 10, "certificate-expires-soon"),
    ] {
        let leaf = pki::leaf(&ca, name, Usage::Client, from, to);
        d.write(&format!("{name}.crt"), &leaf.pem);
        d.write(
            &format!("{name}.key"),
            pki::encrypted_key(&leaf.key, PASSWORD),
        );
        let (exit, json) = d.check(
            &cert_auth_yaml(&format!("{name}.crt"), &format!("{name}.key"), PASSWORD),
            &[],
        );
        assert_eq!(exit, 0, "warnings only");
        assert_eq!(
            one(&json, code),
            (
                "warning".into(),
                "/c/cert-auth/certificate-file".into(),
                4,
                "may-fail".into()
            )
        );
        let msg = diagnostics(&json)[0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            msg.contains(&format!("CN={name}")) && msg.contains("20"),
            "{msg}"
        );
        // the same certificate in a trust store
        let (_, json) = d.check(&format!("c:\n  base-url: https://x/fhir\n  trusted-root-certificates-file: {{dir}}/{name}.crt\n"), &[]);
        assert_eq!(one(&json, code).1, "/c/trusted-root-certificates-file");
    }
}

#[test]
fn warnings_beyond_the_server() {
    let d = Dir::new("warn");
    let cases = [
        (
            "\"#x\":\n  base-url: https://x/fhir\n",
            "id-starts-with-hash",
            "warning",
            "/#x",
            1,
        ),
        (
            "c:\n  base-url: https://x/fhir\n  cert-auth:\n",
            "null-auth-block",
            "warning",
            "/c/cert-auth",
            3,
        ),
        (
            "c:\n  base-url: https://x/fhir\n  basic-auth: {username: u, password: p}\n  bearer-auth: {token: t}\n",
            "several-auth-blocks",
            "warning",
            "/c/bearer-auth",
            4,
        ),
        (
            "c:\n  base-url: http://x/fhir\n  bearer-auth: {token: t}\n",
            "credentials-over-http",
            "warning",
            "/c/base-url",
            2,
        ),
        (
            "c:\n  base-url: x.example.org/fhir\n",
            "invalid-url",
            "error",
            "/c/base-url",
            2,
        ),
        (
            "c:\n  base-url: ftp://x/fhir\n",
            "invalid-url",
            "error",
            "/c/base-url",
            2,
        ),
        (
            "c:\n  base-url: https://x/fhir?a=b\n",
            "url-query-or-fragment",
            "warning",
            "/c/base-url",
            2,
        ),
        (
            "c:\n  base-url: https://x/fhir\n  oidc-auth:\n    base-url: http://kc/realms/r\n    client-id: i\n    client-secret: s\n",
            "oidc-not-https",
            "warning",
            "/c/oidc-auth/base-url",
            4,
        ),
        (
            "c:\n  base-url: https://x/fhir\n  oidc-auth:\n    base-url: kc\n    client-id: i\n    client-secret: s\n",
            "invalid-url",
            "error",
            "/c/oidc-auth/base-url",
            4,
        ),
    ];
    for (yaml, code, severity, pointer, line) in cases {
        let (exit, json) = d.check(yaml, &[]);
        assert_eq!(exit, i32::from(severity == "error"), "{yaml}");
        assert_eq!(codes(&json), [code], "{yaml}");
        let (s, p, l, _) = one(&json, code);
        assert_eq!(
            (s.as_str(), p.as_str(), l),
            (severity, pointer, line),
            "{yaml}"
        );
    }
}

#[test]
fn secrets_read_from_files_never_appear() {
    let d = Dir::new("canary");
    d.write("pw", "FILECANARY1\nFILECANARY2\n");
    d.write("tok", "FILECANARY3🙂\n");
    let yaml = "c:\n  base-url: https://x/fhir\n  basic-auth:\n    username: u\n    password-file: {dir}/pw\nd:\n  base-url: https://x/fhir\n  basic-auth:\n    username: u\n    password-file: {dir}/tok\n";
    let config = d.write(
        "config.yaml",
        yaml.replace("{dir}", &d.0.display().to_string()),
    );
    for args in [
        vec!["check", &config],
        vec!["check", "--format", "json", &config],
    ] {
        let out = run(&args, None, &[]);
        assert_eq!(out.code, 1);
        assert!(
            out.stdout.contains("secret-file-multiline")
                && out.stdout.contains("password-not-latin1")
        );
        for canary in ["FILECANARY1", "FILECANARY2", "FILECANARY3"] {
            assert!(
                !out.stdout.contains(canary) && !out.stderr.contains(canary),
                "{canary} leaked"
            );
        }
    }
}

#[test]
fn defaults_from_the_environment() {
    let d = Dir::new("defaults");
    let https = "a:\n  base-url: https://a/fhir\nb:\n  base-url: https://b/fhir\n";
    // a bad value: an error in <environment>, at the variable's line
    let ca = d.0.join("default-ca.pem").display().to_string();
    let (exit, json) = d.check_env(
        https,
        &[],
        &[
            (DEFAULT_CAS, ca.as_str()),
            (
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT",
                "5s",
            ),
        ],
    );
    assert_eq!(exit, 1);
    assert_eq!(
        one(&json, "invalid-default"),
        ("error".into(), "".into(), 3, "does-not-start".into())
    );
    assert_eq!(diagnostics(&json)[0]["file"], "<environment>");
    assert!(
        diagnostics(&json)[0]["help"]
            .as_str()
            .unwrap_or("")
            .contains("PT5S")
    );

    // the built-in default trust store (ca/server_root_cas, inside the BPE image) is not here:
    // a note in the summary, not a warning about a value the user never set
    let (exit, json) = d.check_env(https, &[], &[]);
    assert_eq!((exit, codes(&json)), (0, Vec::<String>::new()));
    assert!(
        json["summary"]["notes"][0]
            .as_str()
            .unwrap_or("")
            .contains("ca/server_root_cas"),
        "{}",
        json["summary"]
    );
    // set by the user but missing here: one warning for both connections
    let (exit, json) = d.check_env(https, &[], &[(DEFAULT_CAS, "/nowhere/cas")]);
    assert_eq!(exit, 0);
    assert_eq!(
        one(&json, "default-trust-store-missing"),
        ("warning".into(), "".into(), 5, "".into())
    );
    // not needed when every connection has its own trust store or is plain http
    let (_, json) = d.check_env("a:\n  base-url: http://a/fhir\n", &[], &[]);
    assert_eq!(codes(&json), Vec::<String>::new());

    // a folder: *.pem and *.crt files, at least one certificate, all of them certificate files
    let folder = d.0.join("cas");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let f = folder.display().to_string();
    let (exit, json) = d.check_env(https, &[], &[(DEFAULT_CAS, f.as_str())]);
    assert_eq!(exit, 1);
    assert_eq!(
        one(&json, "default-trust-store-invalid"),
        ("error".into(), "".into(), 5, "does-not-start".into())
    );
    std::fs::write(folder.join("root.crt"), pki::ca().pem).expect("write");
    std::fs::write(folder.join("notes.txt"), "ignored").expect("write");
    let (exit, json) = d.check_env(https, &[], &[(DEFAULT_CAS, f.as_str())]);
    assert_eq!((exit, codes(&json)), (0, vec![]));
    std::fs::write(
        folder.join("key.pem"),
        pki::leaf(&pki::ca(), "x", Usage::Client, -1, 9)
            .key
            .serialize_pem(),
    )
    .expect("write");
    let (_, json) = d.check_env(https, &[], &[(DEFAULT_CAS, f.as_str())]);
    assert!(
        diagnostics(&json)[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("key.pem")
    );
}
