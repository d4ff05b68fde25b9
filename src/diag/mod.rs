//! The one diagnostic model every check produces and every output format renders. Checks never
//! print: they return `Diagnostic`s, which are sorted and de-duplicated here before emitting.

pub mod codes;

pub use codes::Code;

use crate::source::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What the DSF BPE server does with the mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server logs one line and runs with an empty connection set (also without `#dsf`).
    NoConnections,
    /// The server throws while building the connections: the BPE does not start.
    DoesNotStart,
    /// The server accepts it, but the connection does not do what the config seems to say.
    SilentlyWrong,
    /// The server accepts it; the connection may fail when used.
    MayFail,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NoConnections => "no-connections",
            Outcome::DoesNotStart => "does-not-start",
            Outcome::SilentlyWrong => "silently-wrong",
            Outcome::MayFail => "may-fail",
        }
    }
    pub fn sentence(self) -> &'static str {
        match self {
            Outcome::NoConnections => {
                "the DSF BPE would start with NO connections (not even the built-in #dsf)"
            }
            Outcome::DoesNotStart => "the DSF BPE would not start",
            Outcome::SilentlyWrong => {
                "the DSF BPE accepts this silently, with a value other than the one you meant"
            }
            Outcome::MayFail => "the DSF BPE accepts this, but the connection may fail when used",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    /// RFC 6901 pointer of what the label marks, when it marks a node of the document.
    pub pointer: Option<String>,
    pub message: Option<String>,
}

impl Label {
    pub fn new(span: Span) -> Self {
        Label {
            span,
            pointer: None,
            message: None,
        }
    }
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub outcome: Option<Outcome>,
    pub file: FileId,
    pub primary: Label,
    pub related: Vec<Label>,
    /// The connection id the diagnostic concerns.
    pub connection: Option<String>,
    /// RFC 6901 pointer into the connections document ("" for the document itself).
    pub pointer: String,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and outcome.
    pub fn new(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            help: None,
            outcome: code.outcome(),
            file,
            primary: Label::new(span),
            related: Vec::new(),
            connection: None,
            pointer: String::new(),
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn outcome(mut self, outcome: Option<Outcome>) -> Self {
        self.outcome = outcome;
        self
    }
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = Some(message.into());
        self
    }
    pub fn related(mut self, label: Label) -> Self {
        self.related.push(label);
        self
    }
    /// Set the pointer; the connection id is its first token.
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = pointer.into();
        self.connection = self
            .pointer
            .split('/')
            .nth(1)
            .map(crate::yaml::pointer::unescape);
        self.primary.pointer = Some(self.pointer.clone());
        self
    }
}

/// Sort by position then code, and drop exact duplicates (an alias can surface one mistake twice).
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (
            a.file,
            a.primary.span.start,
            a.primary.span.end,
            a.code,
            &a.message,
        )
            .cmp(&(
                b.file,
                b.primary.span.start,
                b.primary.span.end,
                b.code,
                &b.message,
            ))
    });
    diags.dedup_by(|a, b| {
        a.file == b.file
            && a.primary.span == b.primary.span
            && a.code == b.code
            && a.message == b.message
    });
}
