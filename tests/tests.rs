//! The one integration test binary: it runs the real `dsf-connections` executable.

mod cli;
mod compose;
mod compose_merge;
mod dialect;
mod editor_schema;
mod environment;
mod explain;
mod fix;
mod formats;
mod fuzz;
mod golden;
mod hostile;
mod layout;
mod lsp;
mod mistakes;
mod pki;
mod placement;
mod probe;
mod rule_fixtures;
mod rules;
mod secrets;
mod server_fixtures;
mod snapshots;
mod startup;
mod util;
