//! What every per-connection rule gets: the typed instance of one connection, the spanned tree
//! (through the pointer index) to anchor diagnostics, and the file reader (absent with
//! `--skip-file-checks`). Rules read values from the instance, which is what the server sees.

use crate::diag::{Code, Diagnostic};
use crate::files::Files;
use crate::source::{FileId, Span};
use crate::yaml::pointer::{PointerIndex, join};
use serde_json::Value;

pub struct RuleCtx<'x, 't, 'a> {
    pub file: FileId,
    /// `/id` of the connection.
    pub ptr: &'x str,
    pub instance: &'x Value,
    pub index: &'x PointerIndex<'t, 'a>,
    pub files: Option<&'x Files>,
    /// Seconds since the epoch, for certificate validity.
    pub now: i64,
}

impl RuleCtx<'_, '_, '_> {
    /// Pointer of `prop` in `block` (`None` = the connection itself).
    pub fn at(&self, block: Option<&str>, prop: &str) -> String {
        match block {
            Some(b) => join(&join(self.ptr, b), prop),
            None => join(self.ptr, prop),
        }
    }

    pub fn block(&self, block: Option<&str>) -> Option<&Value> {
        match block {
            Some(b) => self.instance.get(b).filter(|v| v.is_object()),
            None => Some(self.instance),
        }
    }

    /// A string property as the server reads it.
    pub fn text(&self, block: Option<&str>, prop: &str) -> Option<&str> {
        self.block(block)?.get(prop)?.as_str()
    }

    /// The value span at `ptr` (its key when the value has no width).
    pub fn value_span(&self, ptr: &str) -> Span {
        match self.index.locate(ptr) {
            Some((l, _)) if l.value.is_empty() => l.key.unwrap_or(l.value),
            Some((l, _)) => l.value,
            None => Span::default(),
        }
    }

    pub fn key_span(&self, ptr: &str) -> Span {
        match self.index.locate(ptr) {
            Some((l, _)) => l.key.unwrap_or(l.value),
            None => Span::default(),
        }
    }

    /// A diagnostic on the value at `ptr`.
    pub fn on_value(&self, code: Code, ptr: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, self.file, self.value_span(ptr), message).at(ptr)
    }

    /// A diagnostic on the key at `ptr`.
    pub fn on_key(&self, code: Code, ptr: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, self.file, self.key_span(ptr), message).at(ptr)
    }
}

pub type Rule = fn(&RuleCtx, &mut Vec<Diagnostic>);

/// Every per-connection rule, in the order they run.
pub const RULES: &[Rule] = &[
    super::durations::check,
    super::values::check,
    super::semantics::check,
    super::files::check,
];
