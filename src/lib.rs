//! dsf-connections: checks the FHIR client connections config of a DSF BPE server
//! (`DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG`) the way the server reads it, and says, at the
//! exact key or value, what the server would do with each mistake.
//!
//! Pipeline: `input` (file, stdin, env) → `source` (texts, positions) → `yaml` (spanned tree in
//! the server's dialect) → `checks` (structure, typed instance through the bundled `schema`,
//! value rules) → `diag` (one diagnostic model) → `emit` (human, JSON).

pub mod app;
pub mod checks;
pub mod cli;
pub mod crypto;
pub mod defaults;
pub mod diag;
pub mod duration;
pub mod emit;
pub mod exit;
pub mod explain;
pub mod files;
pub mod input;
pub mod model;
pub mod probe;
pub mod report;
pub mod schema;
pub mod secret;
pub mod source;
pub mod suggest;
pub mod yaml;
