//! The bundled JSON schema (`schema/fhir_client_connections.json`): embedded in the binary,
//! compiled once, and run over each connection's typed instance. `map` turns the validator's
//! errors into diagnostics in the operator's words. `editor` derives the form for editors and
//! YAML 1.2 tools that `dsf-connections schema` prints.

pub mod editor;

use serde_json::Value;

pub const SCHEMA_TEXT: &str = include_str!("../../schema/fhir_client_connections.json");

pub struct Schema {
    validator: jsonschema::Validator,
    document: Value,
}

impl Schema {
    /// Compile the bundled schema. It is part of the binary, so failing here is a build defect,
    /// reported as a tool error rather than a panic.
    pub fn bundled() -> Result<Schema, String> {
        let document: Value =
            serde_json::from_str(SCHEMA_TEXT).map_err(|e| format!("bundled schema: {e}"))?;
        Schema::from_document(document)
    }

    /// The bundled schema, compiled once per process (a compose file's services are checked
    /// by one checker each; they share it).
    pub fn shared() -> Result<std::sync::Arc<Schema>, String> {
        static SHARED: std::sync::OnceLock<Result<std::sync::Arc<Schema>, String>> =
            std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| Schema::bundled().map(std::sync::Arc::new))
            .clone()
    }

    /// Compile a schema document (the bundled one, or another in tests).
    pub fn from_document(document: Value) -> Result<Schema, String> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&document)
            .map_err(|e| format!("bundled schema does not compile: {}", e.masked()))?;
        Ok(Schema {
            validator,
            document,
        })
    }

    pub fn validator(&self) -> &jsonschema::Validator {
        &self.validator
    }

    /// The schema node at a JSON pointer (an error's schema path, minus its keyword).
    pub fn node(&self, pointer: &str) -> Option<&Value> {
        self.document.pointer(pointer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bundled_schema_compiles_and_judges() {
        let s = Schema::bundled().expect("bundled schema");
        let ok = json!({"a": {"base-url": "http://x", "connect-timeout": "pt0.5s", "read-timeout": 5,
            "enable-debug-logging": 1, "test-connection-on-startup": "TRUE",
            "oidc-auth": {"base-url": "https://o", "client-id": "c", "client-secret": "s", "required-audience": "aud"},
            "cert-auth": null}});
        assert!(s.validator().is_valid(&ok));
        for bad in [
            json!({"a": {}}),
            json!({"a": {"base-url": " "}}),
            json!({"a": {"base-url": "x", "connect-timeout": "P1W"}}),
            json!({"a": {"base-url": "x", "connect-timeout": "PT"}}),
            json!({"a": {"base-url": "x", "enable-debug-logging": "y"}}),
            json!({"a": {"base-url": "x", "enable-debug-logging": "yes"}}),
            json!({"a": {"base-url": "x", "bearer-auth": {}}}),
            json!({"a": {"base-url": "x", "cert-auth": {"p12-file": "p", "certificate-file": "c", "password": "x"}}}),
            json!({"a": {"base-url": "x", "basic-auth": {"username": "u", "password": 1234}}}),
            json!({"a": {"base-url": "x", "oidc-auth": {"base-url": "o", "client-id": "c", "client-secret": "s", "required-audience": ["a", ""]}}}),
        ] {
            assert!(!s.validator().is_valid(&bad), "accepted {bad}");
        }
    }
}
