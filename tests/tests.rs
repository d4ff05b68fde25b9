//! The one integration test binary: it runs the real `dsf-connections` executable.

mod cli;
mod explain;
mod mistakes;
mod pki;
mod probe;
mod rules;
mod secrets;
mod server_fixtures;
mod snapshots;
mod util;
