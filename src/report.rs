//! The result of one run over all inputs: what every output format renders.

use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceDb, Span};

#[derive(Debug)]
pub struct InputReport {
    pub name: String,
    pub file: FileId,
    pub connections: Vec<String>,
    /// Spans of secret values in this input, masked in every rendered snippet.
    pub secrets: Vec<Span>,
    /// False when the input could not be read as YAML at all (its connections are unknown).
    pub readable: bool,
}

#[derive(Debug, Default)]
pub struct Report {
    pub sources: SourceDb,
    pub inputs: Vec<InputReport>,
    pub diagnostics: Vec<Diagnostic>,
    /// Effective settings per connection, for `explain`.
    pub explained: Option<Vec<crate::explain::Explained>>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }
    fn count(&self, s: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == s).count()
    }
    pub fn connections(&self) -> usize {
        self.inputs.iter().map(|i| i.connections.len()).sum()
    }
    pub fn unreadable(&self) -> usize {
        self.inputs.iter().filter(|i| !i.readable).count()
    }
    pub fn input_for(&self, file: FileId) -> Option<&InputReport> {
        self.inputs.iter().find(|i| i.file == file)
    }
}
