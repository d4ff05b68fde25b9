//! Progress of a probe run on a terminal: one line on standard error, rewritten as probes
//! finish (only when standard error is a terminal).

use super::words::elapsed;
use super::{Progress, ProgressFn};
use crate::printable::visible;
use std::io::{self, Write};
use std::sync::Arc;

/// `probing 12/200 done, slowest: fhir-x (12 s)`.
pub fn progress_line(p: &Progress) -> String {
    let mut s = format!("probing {}/{} done", p.done, p.total);
    if let Some((id, t)) = &p.slowest {
        s.push_str(&format!(", slowest: {} ({})", visible(id), elapsed(*t)));
    }
    s
}

/// A progress callback that rewrites one line on standard error; pass it only when standard
/// error is a terminal, and call [`clear_progress`] after the run.
pub fn stderr_progress() -> ProgressFn {
    Arc::new(|p: &Progress| {
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}", progress_line(p));
        let _ = err.flush();
    })
}

pub fn clear_progress() {
    let mut err = io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K");
    let _ = err.flush();
}
