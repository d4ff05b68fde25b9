//! The one diagnostic model every check produces and every output format renders. Checks never
//! print: they return `Diagnostic`s (byte spans only), which are filtered, sorted and
//! de-duplicated here before any emitter turns spans into lines and columns.

pub mod filter;

use crate::secrets::Text;
use crate::source::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// What the server does, in a few words (human output says it once per diagnostic).
    pub fn sentence(self) -> &'static str {
        match self {
            Outcome::NoConnections => "starts with NO connections (not even #dsf)",
            Outcome::DoesNotStart => "does not start",
            Outcome::SilentlyWrong => "accepts it silently, with another value than meant",
            Outcome::MayFail => "accepts it; the connection may fail when used",
        }
    }
}

/// A rule: what it is called and what it means. The check lives beside it.
#[derive(Debug)]
pub struct Rule {
    /// The stable code (JSON `code`, `--ignore`, inline suppression). Never renamed.
    pub name: &'static str,
    pub severity: Severity,
    /// What the DSF BPE usually does with the mistake (a diagnostic may say otherwise).
    pub outcome: Option<Outcome>,
    pub summary: &'static str,
    /// Markdown: what it means, why it matters, a bad example, the fix.
    pub docs: &'static str,
    /// Whether the rule offers a fix (`check --fix`), of which kind and why that kind.
    pub fix: Option<FixDoc>,
}

/// How sure a fix is of what was meant (ruff's applicability).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// The meaning is certain and the server's verdict on the result is known: `--fix` applies it.
    Safe,
    /// A guess at intent: applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A rule's fix, as its documentation states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixDoc {
    pub applicability: Applicability,
    /// Why the fix is of that kind (one sentence, Markdown).
    pub why: &'static str,
}

/// One replacement of bytes of the diagnostic's own source (`primary.file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn replace(span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(Span::new(at, at), text)
    }
}

/// A repair of what a diagnostic found: edits of its source, a one-line description and how
/// sure it is. Produced by the rule that finds the problem, next to it.
#[derive(Debug, Clone)]
pub struct Fix {
    pub description: Text,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(description: impl Into<Text>, edits: Vec<Edit>) -> Fix {
        Fix {
            description: description.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }
    pub fn unsafe_(description: impl Into<Text>, edits: Vec<Edit>) -> Fix {
        Fix {
            description: description.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }
    /// One edit replacing `span`.
    pub fn replace(
        applicability: Applicability,
        description: impl Into<Text>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Fix {
        Fix {
            description: description.into(),
            applicability,
            edits: vec![Edit::replace(span, replacement)],
        }
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.name == other.name
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    /// RFC 6901 pointer of what the label marks, when it marks a node of the document.
    pub pointer: Option<String>,
    pub message: Option<Text>,
}

impl Label {
    pub fn new(file: FileId, span: Span) -> Self {
        Label {
            file,
            span,
            pointer: None,
            message: None,
        }
    }
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
    pub fn message(mut self, message: impl Into<Text>) -> Self {
        self.message = Some(message.into());
        self
    }
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: Text,
    pub help: Option<Text>,
    pub outcome: Option<Outcome>,
    pub primary: Label,
    pub related: Vec<Label>,
    /// The connection id the diagnostic concerns.
    pub connection: Option<String>,
    /// RFC 6901 pointer into the connections document ("" for the document itself).
    pub pointer: String,
    /// The repair, when the rule knows one.
    pub fix: Option<Fix>,
    /// Why no fix is offered although the rule has one (e.g. a folded scalar in a compose file).
    pub fix_unavailable: Option<Text>,
}

impl Diagnostic {
    /// A diagnostic with the rule's severity and outcome.
    pub fn new(rule: &'static Rule, file: FileId, span: Span, message: impl Into<Text>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            outcome: rule.outcome,
            primary: Label::new(file, span),
            related: Vec::new(),
            connection: None,
            pointer: String::new(),
            fix: None,
            fix_unavailable: None,
        }
    }
    /// Attach the rule's repair.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
    /// Attach a repair when there is one.
    pub fn maybe_fix(mut self, fix: Option<Fix>) -> Self {
        if fix.is_some() {
            self.fix = fix;
        }
        self
    }
    pub fn file(&self) -> FileId {
        self.primary.file
    }
    pub fn code(&self) -> &'static str {
        self.rule.name
    }
    pub fn help(mut self, help: impl Into<Text>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn outcome(mut self, outcome: Option<Outcome>) -> Self {
        self.outcome = outcome;
        self
    }
    pub fn label(mut self, message: impl Into<Text>) -> Self {
        self.primary.message = Some(message.into());
        self
    }
    pub fn related(mut self, label: Label) -> Self {
        self.related.push(label);
        self
    }
    /// A related label in the primary label's file.
    pub fn also(self, span: Span, pointer: Option<String>, message: impl Into<Text>) -> Self {
        let file = self.primary.file;
        let mut l = Label::new(file, span).message(message);
        l.pointer = pointer;
        self.related(l)
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
    let key = |d: &Diagnostic| {
        (
            d.primary.file,
            d.primary.span.start,
            d.primary.span.end,
            d.rule.name,
        )
    };
    diags.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message)));
    diags.dedup_by(|a, b| key(a) == key(b) && a.message == b.message);
}

/// Order diagnostics by where they are shown: a source embedded in a compose file is shown in
/// that file, so its diagnostics interleave with the compose file's own by line. Stable: equal
/// places keep the order of [`sort_and_dedup`].
pub fn sort_by_place(diags: &mut [Diagnostic], db: &crate::source::SourceDb) {
    if !db
        .iter()
        .any(|(_, s)| matches!(s.kind, crate::source::SourceKind::Embedded { .. }))
    {
        return;
    }
    diags.sort_by_cached_key(|d| db.relocate(d.primary.file, d.primary.span));
}
