//! The one integration test binary: it runs the real `dsf-connections` executable.

mod mistakes;
mod server_fixtures;
mod util;
