//! The result of one run over all inputs: what every output format renders.

use crate::diag::filter::Omitted;
use crate::diag::{Diagnostic, Severity};
use crate::model::Connection;
use crate::probe::ProbeResult;
use crate::probe::from_model::NotProbed;
use crate::source::{FileId, SourceDb};

#[derive(Debug)]
pub struct InputReport {
    pub name: String,
    pub file: FileId,
    pub connections: Vec<String>,
    /// False when the input could not be read as YAML at all (its connections are unknown).
    pub readable: bool,
    /// The compose service whose config this is (a compose file is one input per service).
    pub service: Option<crate::compose::ServiceInfo>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub sources: SourceDb,
    pub inputs: Vec<InputReport>,
    /// Inputs the tool could not read at all, with why (exit 2).
    pub failed: Vec<(String, String)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Left out by the filters and the cap.
    pub omitted: Omitted,
    /// One-line notes for the summary (things checked or not, that need no diagnostic).
    pub notes: Vec<crate::secrets::Text>,
    /// The resolved connections, for `explain`.
    pub models: Option<Vec<Connection>>,
    /// With `--test-connections`: each probe, and the connections not probed with why.
    pub probes: Option<(Vec<ProbeResult>, Vec<NotProbed>)>,
    /// Secret values known to the run (decoded secret settings, secret variables compose
    /// substituted): scrubbed from every output, beside the masked spans of the sources.
    pub scrub: std::collections::HashSet<String>,
    /// Secret values that go into the scrubber before all others (the secret variables compose
    /// substituted: few, and able to turn up in any setting).
    pub scrub_first: Vec<String>,
    /// With the hidden `--compose-environment`: each compose service's environment as its
    /// container gets it (name, value; `None`: passed through unset), for the comparison with
    /// `docker compose config`.
    pub environments: Vec<crate::compose::Environment>,
}

impl Report {
    /// Errors, including those left out by the cap: they still decide the verdict.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error) + self.omitted.capped_of(Severity::Error)
    }
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning) + self.omitted.capped_of(Severity::Warning)
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
}
