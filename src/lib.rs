//! dsf-connections: checks the FHIR client connections config of a DSF BPE server
//! (`DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG`) the way the server reads it, and says, at the
//! exact key or value, what the server would do with each mistake.
//!
//! Data flows one way: `input` (bytes and where they came from) → `source` (texts, embedded
//! offset maps, the one line/column resolver) → `yaml` (spanned tree in the server's dialect) →
//! `model` (one resolved connection: typed settings with origins and spans, secrets, decoded key
//! material through the `files` service) → `rules` (each reads the model or the tree, returns
//! diagnostics into `diag`'s filtered sink) → `report` → `emit` (human, JSON, explain, and the
//! CI formats: concise, GitHub annotations, SARIF, GitLab Code Quality). `check` drives one
//! source through it; `app` drives a run. A docker compose file is not a config: `compose`
//! finds the configs in its services and checks each as a source embedded in it.

/// `--version`: the crate version, and the commit when built from git (see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    env!("DSF_CONNECTIONS_GIT_SUFFIX")
);

pub mod app;
pub mod check;
pub mod cli;
pub mod compose;
pub mod crypto;
pub mod defaults;
pub mod diag;
pub mod duration;
pub mod emit;
pub mod exit;
pub mod files;
pub mod fix;
pub mod input;
pub mod lsp;
pub mod manpage;
pub mod model;
pub mod pipeline;
pub mod printable;
pub mod probe;
pub mod props;
pub mod report;
pub mod rules;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod suggest;
pub mod yaml;
