//! The schema for editors and YAML tools (`dsf-connections schema`), made from the bundled one.
//!
//! The bundled schema judges the config *as the server types it* (YAML 1.1: `yes` is a boolean,
//! `123` under a text property is the text "123", a null property is absent). yaml-language-server,
//! IntelliJ and check-jsonschema type the YAML as 1.2 instead, and would reject what the server
//! accepts (the DSF docs' own `test-connection-on-startup: yes`). So this form:
//!
//! - accepts, per property, every YAML 1.2 value the server reads as valid: the YAML 1.1 boolean
//!   words as strings, numbers and booleans under text properties, YAML 1.1 number forms
//!   (`1_000`, `0b101`) as durations, and `null` wherever the server takes null for "not set";
//! - keeps every rule of the bundled schema that still holds on those types (required and
//!   blank properties, exclusive properties, durations, a PEM key needs a password, ...),
//!   with null treated as absent, as the server does;
//! - is JSON Schema draft-07 with every `$ref` inlined, the form editors support best, and has
//!   no `$id`, so the address it is loaded from is its base
//!   (`# yaml-language-server: $schema=./fhir_client_connections.json` works);
//! - carries a `description`, `examples` and (for optional properties) the server's `default` on
//!   every property, which editors show on hover and use for completion. A required property
//!   has no default.
//!
//! What a schema cannot judge (files, key material, URLs, YAML-level mistakes, quoting) is listed
//! in the README; `.ci/run` runs check-jsonschema with this schema over the fixtures and requires
//! it to agree with `check --skip-file-checks` on all the others.

use serde_json::{Map, Value, json};

/// Where the schema is published in the repository (generated; a test keeps it in step).
pub const FILE: &str = "schema/fhir_client_connections.editor.json";

/// YAML 1.1 boolean words and Jackson's boolean text (blank and `null` are null), as strings.
const BOOLEAN_TEXT: &str = "^\\s*(?:true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|null)?\\s*$";

/// YAML 1.1 numbers that a YAML 1.2 tool may leave as strings (`1_000`, `0b101`, `010`).
const YAML11_NUMBER: &str = "[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?)";

/// The `$defs` of the bundled schema, retyped for YAML 1.2 values.
fn retype(name: &str, def: &mut Value) {
    let scalar = json!(["string", "number", "boolean"]);
    let scalar_or_null = json!(["string", "number", "boolean", "null"]);
    let note = match name {
        "text" | "file" | "nonBlank" => Some(
            "Any scalar: the server reads a YAML number or boolean here as its text. Null (or nothing) means not set, except for a required property.",
        ),
        "secret" | "nonBlankSecret" => Some(
            "Text: the server rejects an unquoted number or boolean here (password: 1234). A schema cannot tell an unquoted yes from a quoted 'yes'.",
        ),
        "boolean" => Some(
            "true/false, the YAML 1.1 words the server reads as booleans (yes/no/on/off, which YAML 1.2 tools see as text), an integer (0 = false), or null. Not y/n, not other text.",
        ),
        "duration" => Some(
            "java.time.Duration.parse text (PT2S, case-insensitive, no years/months/weeks) or a plain number of seconds, also as YAML 1.1 writes numbers (1_000, 0b101). Blank or null means not set.",
        ),
        _ => None,
    };
    if let (Some(note), Value::Object(m)) = (note, &mut *def) {
        m.insert("$comment".into(), json!(note));
    }
    match name {
        // text: any scalar is read as its text
        "text" => def["type"] = scalar_or_null,
        // only required properties use nonBlank: null is "missing" there
        "nonBlank" => def["type"] = scalar,
        "file" => def["type"] = scalar_or_null,
        // a secret must be a string to the server (an unquoted number or boolean is an error)
        "secret" | "nonBlankSecret" => def["type"] = json!(["string", "null"]),
        "boolean" => {
            def["type"] = json!(["boolean", "integer", "string", "null"]);
            def["pattern"] = json!(BOOLEAN_TEXT);
        }
        "duration" => {
            def["type"] = json!(["number", "string", "null"]);
            let java = def["pattern"].as_str().unwrap_or("^$");
            let inner = java.trim_start_matches('^').trim_end_matches('$');
            // blank text is "not set" (the server trims the value)
            def["pattern"] = json!(format!("^\\s*(?:{inner}|{YAML11_NUMBER})?\\s*$"));
        }
        _ => {}
    }
    // a value wrapped in typographic quotes (rule `typographic-quotes`), where the rule looks
    if matches!(name, "nonBlank" | "file" | "secret" | "nonBlankSecret")
        && let Value::Object(m) = def
    {
        let quotes: String = crate::yaml::TYPOGRAPHIC.iter().map(|(c, _)| *c).collect();
        m.insert(
            "not".into(),
            json!({"type": "string", "pattern": format!("^\\s*[{quotes}]|[{quotes}]\\s*$")}),
        );
    }
}

/// Replace every `{"$ref": "#/$defs/x", ...}` by the definition, with the siblings on top.
fn inline(node: &mut Value, defs: &Map<String, Value>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(def) = r.strip_prefix("#/$defs/").and_then(|n| defs.get(n))
            {
                let mut merged = def.clone();
                map.remove("$ref");
                if let Value::Object(m) = &mut merged {
                    for (k, v) in std::mem::take(map) {
                        m.insert(k, v);
                    }
                }
                *node = merged;
                inline(node, defs);
                return;
            }
            for v in map.values_mut() {
                inline(v, defs);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| inline(v, defs)),
        _ => {}
    }
}

fn not_null(names: &[Value]) -> Value {
    let props: Map<String, Value> = names
        .iter()
        .filter_map(Value::as_str)
        .map(|n| (n.to_string(), json!({"not": {"type": "null"}})))
        .collect();
    json!({ "properties": props })
}

/// Draft 2020-12 → draft-07, and null as "absent": `dependentRequired`/`dependentSchemas` become
/// `dependencies` that hold only when the property is not null; `required` also asks for a
/// value that is not null; an excluded property (`false`) may still be written as null.
fn to_draft7(node: &mut Value) {
    match node {
        Value::Object(map) => {
            map.remove("errorMessage");
            map.remove("x-dsf-outcome");
            let mut deps: Map<String, Value> = Map::new();
            if let Some(Value::Object(req)) = map.remove("dependentRequired") {
                for (k, v) in req {
                    deps.insert(k, json!({ "required": v }));
                }
            }
            if let Some(Value::Object(schemas)) = map.remove("dependentSchemas") {
                for (k, v) in schemas {
                    let merged = match deps.remove(&k) {
                        Some(prev) => json!({ "allOf": [prev, v] }),
                        None => v,
                    };
                    deps.insert(k, merged);
                }
            }
            if let Some(Value::Array(req)) = map.get("required") {
                let guard = not_null(req);
                match map.get_mut("allOf") {
                    Some(Value::Array(all)) => all.push(guard),
                    _ => {
                        map.insert("allOf".into(), json!([guard]));
                    }
                }
            }
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for v in props.values_mut() {
                    if *v == Value::Bool(false) {
                        *v = json!({ "type": "null" });
                    }
                }
            }
            for v in map.values_mut() {
                to_draft7(v);
            }
            if !deps.is_empty() {
                let deps: Map<String, Value> = deps
                    .into_iter()
                    .map(|(k, mut v)| {
                        to_draft7(&mut v);
                        let when_null = json!({ "properties": { k.clone(): { "type": "null" } } });
                        (k, json!({ "anyOf": [when_null, v] }))
                    })
                    .collect();
                map.insert("dependencies".into(), Value::Object(deps));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_draft7),
        _ => {}
    }
}

/// Hover text, default and examples of one property.
struct Doc {
    block: &'static str,
    prop: &'static str,
    description: &'static str,
    /// `None` for a required property (it has no default).
    default: Option<Value>,
    examples: Value,
}

fn doc(
    block: &'static str,
    prop: &'static str,
    description: &'static str,
    default: Option<Value>,
    examples: Value,
) -> Doc {
    Doc {
        block,
        prop,
        description,
        default,
        examples,
    }
}

const FLAG_WORDS: &str = "A boolean: true/false (YAML 1.1 words yes/no/on/off are read as booleans by the server; y/n and quoted 'yes' are not).";

/// Every property of the config, documented.
fn docs() -> Vec<Doc> {
    let connection_common = |block: &'static str, what: &'static str| {
        vec![
            doc(
                block,
                "test-connection-on-startup",
                if what == "fhir" {
                    "Whether the BPE tests this connection at start-up (a failure is logged; the BPE still starts). Default: $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TEST_CONNECTION_ON_STARTUP, else false."
                } else {
                    "Whether the BPE tests the OIDC provider at start-up. Falls back to the server's global default ($DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TEST_CONNECTION_ON_STARTUP, else false), not to the connection's value."
                },
                Some(json!(false)),
                json!([true, false]),
            ),
            doc(
                block,
                "enable-debug-logging",
                "Log requests and responses of this client at debug level. Default: $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_ENABLE_DEBUG_LOGGING, else false.",
                Some(json!(false)),
                json!([true, false]),
            ),
            doc(
                block,
                "connect-timeout",
                "How long to wait for the TCP connection: an ISO-8601 duration as java.time.Duration reads it (PT2S, PT0.5S; no years, months or weeks), or a plain number of seconds. At most P24DT20H31M23.647S; zero waits forever. Default: $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT, else PT2S.",
                Some(json!("PT2S")),
                json!(["PT2S", "PT0.5S", 5]),
            ),
            doc(
                block,
                "read-timeout",
                "How long to wait for a response: an ISO-8601 duration as java.time.Duration reads it (PT10M, PT30S), or a plain number of seconds. At most P24DT20H31M23.647S; zero waits forever. Default: $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_READ, else PT10M.",
                Some(json!("PT10M")),
                json!(["PT10M", "PT30S", 60]),
            ),
            doc(
                block,
                "trusted-root-certificates-file",
                "PEM file of the root certificates trusted for the server's TLS certificate; replaces the default trust store ($DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS, else ca/server_root_cas). A path in the BPE's container.",
                Some(Value::Null),
                json!(["/run/secrets/app_client_trust_certificates.pem"]),
            ),
        ]
    };
    let mut all = vec![
        doc(
            "connection",
            "base-url",
            "Required. The FHIR server's base URL, http:// or https:// (one trailing / is removed).",
            None,
            json!(["https://fhir.example.org/fhir"]),
        ),
        doc(
            "connection",
            "cert-auth",
            "Client certificate (mutual TLS): p12-file, or certificate-file with private-key-file; and password or password-file (needed even for an unencrypted key). Combines with any other auth block. Null or absent: no client certificate.",
            Some(Value::Null),
            json!([{"p12-file": "/run/secrets/client.p12", "password-file": "/run/secrets/client.p12.password"},
                   {"certificate-file": "/run/secrets/client.crt", "private-key-file": "/run/secrets/client.key", "password-file": "/run/secrets/client.key.password"}]),
        ),
        doc(
            "connection",
            "basic-auth",
            "HTTP Basic authentication: username, and password or password-file. Null or absent: none.",
            Some(Value::Null),
            json!([{"username": "dsf", "password-file": "/run/secrets/fhir.password"}]),
        ),
        doc(
            "connection",
            "bearer-auth",
            "A static bearer token: token or token-file. Null or absent: none.",
            Some(Value::Null),
            json!([{"token-file": "/run/secrets/fhir.token"}]),
        ),
        doc(
            "connection",
            "oidc-auth",
            "OIDC client credentials flow: the BPE fetches a token from the provider at base-url for client-id with client-secret or client-secret-file. Null or absent: none.",
            Some(Value::Null),
            json!([{"base-url": "https://keycloak.example.org/realms/dsf", "client-id": "dsf-bpe", "client-secret-file": "/run/secrets/oidc.secret"}]),
        ),
        doc(
            "cert-auth",
            "p12-file",
            "PKCS#12 file holding exactly one key entry (key and certificate chain); excludes certificate-file and private-key-file. A path in the BPE's container.",
            Some(Value::Null),
            json!(["/run/secrets/client.p12"]),
        ),
        doc(
            "cert-auth",
            "certificate-file",
            "PEM client certificate (first: the client certificate, with digitalSignature and clientAuth), with private-key-file.",
            Some(Value::Null),
            json!(["/run/secrets/client.crt"]),
        ),
        doc(
            "cert-auth",
            "private-key-file",
            "PEM private key matching certificate-file (PKCS#8, PKCS#1 or SEC1; encrypted or not), with certificate-file.",
            Some(Value::Null),
            json!(["/run/secrets/client.key"]),
        ),
        doc(
            "cert-auth",
            "password",
            "Password of the key or PKCS#12 file, as a quoted string (an unquoted number is an error). Prefer password-file.",
            Some(Value::Null),
            json!(["change-me"]),
        ),
        doc(
            "cert-auth",
            "password-file",
            "File whose one line is the password of the key or PKCS#12 file; excludes password.",
            Some(Value::Null),
            json!(["/run/secrets/client.key.password"]),
        ),
        doc(
            "basic-auth",
            "username",
            "Required. The user name.",
            None,
            json!(["dsf"]),
        ),
        doc(
            "basic-auth",
            "password",
            "The password (ISO-8859-1 characters only), as a quoted string. Prefer password-file; excludes it.",
            Some(Value::Null),
            json!(["change-me"]),
        ),
        doc(
            "basic-auth",
            "password-file",
            "File whose one line is the password (ISO-8859-1); excludes password.",
            Some(Value::Null),
            json!(["/run/secrets/fhir.password"]),
        ),
        doc(
            "bearer-auth",
            "token",
            "The bearer token, as a quoted string. Prefer token-file; excludes it.",
            Some(Value::Null),
            json!(["eyJhbGciOi..."]),
        ),
        doc(
            "bearer-auth",
            "token-file",
            "File whose one line is the bearer token; excludes token.",
            Some(Value::Null),
            json!(["/run/secrets/fhir.token"]),
        ),
        doc(
            "oidc-auth",
            "base-url",
            "Required. The OIDC provider's (issuer's) base URL.",
            None,
            json!(["https://keycloak.example.org/realms/dsf"]),
        ),
        doc(
            "oidc-auth",
            "discovery-path",
            "Path of the discovery document below base-url. Default: $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_OIDC_DISCOVERY_PATH, else /.well-known/openid-configuration.",
            Some(json!("/.well-known/openid-configuration")),
            json!(["/.well-known/openid-configuration"]),
        ),
        doc(
            "oidc-auth",
            "client-id",
            "Required. The client id at the OIDC provider.",
            None,
            json!(["dsf-bpe"]),
        ),
        doc(
            "oidc-auth",
            "client-secret",
            "The client secret, as a quoted string. Prefer client-secret-file; excludes it.",
            Some(Value::Null),
            json!(["change-me"]),
        ),
        doc(
            "oidc-auth",
            "client-secret-file",
            "File whose one line is the client secret; excludes client-secret.",
            Some(Value::Null),
            json!(["/run/secrets/oidc.secret"]),
        ),
        doc(
            "oidc-auth",
            "required-audience",
            "The audience (aud) the token must carry: one string or a list; no item null or blank. Absent: the audience is not checked.",
            Some(Value::Null),
            json!(["fhir-server", ["fhir-server", "dsf"]]),
        ),
        doc(
            "oidc-auth",
            "verify-authorized-party",
            "Whether the token's azp must be client-id. Default: $DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_OIDC_VERIFY_AUTHORIZED_PARTY, else true.",
            Some(json!(true)),
            json!([true, false]),
        ),
    ];
    all.extend(connection_common("connection", "fhir"));
    all.extend(connection_common("oidc-auth", "oidc"));
    all
}

/// The property objects of each block in the (inlined) schema.
fn block_props<'a>(root: &'a mut Value, block: &str) -> Option<&'a mut Map<String, Value>> {
    let conn = root.get_mut("additionalProperties")?;
    let node = if block == "connection" {
        conn
    } else {
        conn.get_mut("properties")?.get_mut(block)?
    };
    node.get_mut("properties")?.as_object_mut()
}

/// The editor schema, from the bundled one.
pub fn editor_schema() -> Result<Value, String> {
    let mut doc: Value =
        serde_json::from_str(super::SCHEMA_TEXT).map_err(|e| format!("bundled schema: {e}"))?;
    let mut defs = match doc.as_object_mut().and_then(|m| m.remove("$defs")) {
        Some(Value::Object(d)) => d,
        _ => return Err("bundled schema has no $defs".into()),
    };
    for (name, def) in defs.iter_mut() {
        retype(name, def);
    }
    // definitions may refer to each other (the connection to the scalar kinds)
    let snapshot = defs.clone();
    for def in defs.values_mut() {
        inline(def, &snapshot);
    }
    inline(&mut doc, &defs);
    if let Some(aud) =
        block_props(&mut doc, "oidc-auth").and_then(|p| p.get_mut("required-audience"))
    {
        aud["type"] = json!(["string", "number", "boolean", "array", "null"]);
        aud["items"]["type"] = json!(["string", "number", "boolean"]);
    }
    // the basic-auth password goes into the header as ISO-8859-1 (rule `password-not-latin1`)
    if let Some(pw) = block_props(&mut doc, "basic-auth").and_then(|p| p.get_mut("password")) {
        pw["allOf"] = json!([{ "pattern": "^[\\u0000-\\u00ff]*$" }]);
    }
    to_draft7(&mut doc);
    for d in docs() {
        let prop = block_props(&mut doc, d.block)
            .and_then(|p| p.get_mut(d.prop))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| {
                format!(
                    "editor docs name an unknown property {}.{}",
                    d.block, d.prop
                )
            })?;
        let mut description = d.description.to_string();
        if d.examples.get(0).is_some_and(Value::is_boolean) {
            description.push(' ');
            description.push_str(FLAG_WORDS);
        }
        prop.insert("description".into(), json!(description));
        if let Some(default) = d.default {
            prop.insert("default".into(), default);
        }
        prop.insert("examples".into(), d.examples);
    }
    let root = doc
        .as_object_mut()
        .ok_or("bundled schema is not an object")?;
    root.remove("$id");
    root.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    root.insert(
        "description".into(),
        json!("A map of connection id to FHIR server connection, as the DSF BPE 2.x server reads it from DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG. For editors and YAML 1.2 tools: values are accepted as YAML 1.2 types them whenever the server (YAML 1.1) reads them as valid. Generated by `dsf-connections schema`; `dsf-connections check` also checks what a schema cannot (files, key material, URLs, YAML-level mistakes)."),
    );
    root.insert(
        "$comment".into(),
        json!("Generated from schema/fhir_client_connections.json (the schema as the server types the YAML) by `dsf-connections schema`; do not edit. Draft-07 with every $ref inlined, no $id: editors resolve it from where it is loaded."),
    );
    root.insert(
        "examples".into(),
        json!([{"fhir": {"base-url": "https://fhir.example.org/fhir", "test-connection-on-startup": "yes"}}]),
    );
    Ok(doc)
}

/// The editor schema as text (pretty JSON with a final newline).
pub fn editor_schema_text() -> Result<String, String> {
    let v = editor_schema()?;
    serde_json::to_string_pretty(&v)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator() -> jsonschema::Validator {
        let schema = editor_schema().expect("editor schema");
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&schema)
            .expect("compiles")
    }

    #[test]
    fn yaml12_values_the_server_accepts() {
        let v = validator();
        for ok in [
            json!({"a": {"base-url": "http://x", "test-connection-on-startup": "yes", "enable-debug-logging": "off",
                "connect-timeout": "1_000", "read-timeout": 5, "trusted-root-certificates-file": null}}),
            json!({"a": {"base-url": 123, "basic-auth": {"username": true, "password": "s", "password-file": null}}}),
            json!({"a": {"base-url": "x", "cert-auth": {"p12-file": "p", "password": "x", "certificate-file": null}}}),
            json!({"a": {"base-url": "x", "oidc-auth": {"base-url": "o", "client-id": 5, "client-secret-file": "f",
                "required-audience": 7, "verify-authorized-party": "TRUE"}}}),
            json!({"a": {"base-url": "x", "connect-timeout": " pt0,5s ", "read-timeout": ""}}),
            json!({"a": {"base-url": "x", "basic-auth": {"username": 5, "password": "pässwort"}}}),
        ] {
            let errors: Vec<String> = v.iter_errors(&ok).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "rejected {ok}: {errors:?}");
        }
    }

    #[test]
    fn what_the_server_rejects() {
        let v = validator();
        for bad in [
            json!({"a": {"base-url": null}}),
            json!({"a": {"base-url": " "}}),
            json!({"a": {"base-url": "x", "test-connection-on-startup": "y"}}),
            json!({"a": {"base-url": "x", "connect-timeout": "5s"}}),
            json!({"a": {"base-url": "x", "basic-auth": {"username": "u", "password": 1234}}}),
            json!({"a": {"base-url": "x", "basic-auth": {"username": "u", "password": "p", "password-file": "f"}}}),
            json!({"a": {"base-url": "x", "basic-auth": {"username": "u", "password": null}}}),
            json!({"a": {"base-url": "x", "cert-auth": {"private-key-file": "k", "certificate-file": "c"}}}),
            json!({"a": {"base-url": "x", "cert-auth": {"password": "p", "p12-file": null}}}),
            json!({"a": {"base-url": "x", "cert-auth": {"certificate-file": "c", "password": "p"}}}),
            json!({"a": {"base-url": "x", "bearer-auth": {}}}),
            json!({"a": {"base-url": "x", "oidc-auth": {"base-url": "o", "client-id": "c", "client-secret": "s", "required-audience": ["a", null]}}}),
            json!({"a": {"base-url": "x", "unknown": 1}}),
            json!({"a": {"base-url": "“https://x”"}}),
            json!({"a": {"base-url": "x", "basic-auth": {"username": "u", "password": "€uro"}}}),
        ] {
            assert!(!v.is_valid(&bad), "accepted {bad}");
        }
    }

    #[test]
    fn every_property_is_documented() {
        let mut schema = editor_schema().expect("editor schema");
        assert!(schema.get("$id").is_none());
        assert!(
            !serde_json::to_string(&schema)
                .unwrap_or_default()
                .contains("\"$ref\":")
        );
        for block in [
            "connection",
            "cert-auth",
            "basic-auth",
            "bearer-auth",
            "oidc-auth",
        ] {
            let props = block_props(&mut schema, block).expect("block");
            for (name, p) in props.iter() {
                assert!(p["description"].is_string(), "{block}.{name}: description");
                assert!(p["examples"].is_array(), "{block}.{name}: examples");
                let required = p["description"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("Required.");
                assert_eq!(
                    p.get("default").is_some(),
                    !required,
                    "{block}.{name}: default"
                );
            }
        }
    }

    #[test]
    fn published_file_is_generated() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/fhir_client_connections.editor.json"
        );
        let generated = editor_schema_text().expect("editor schema");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &generated).expect("write the editor schema");
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "{FILE} is out of date: run UPDATE_DOCS=1 cargo test published_file_is_generated"
        );
    }
}
