//! The source text handed to miette for snippets. miette finds the lines around a span by
//! scanning from the start of the text, which is quadratic over many diagnostics in a large file;
//! this gives it only a window of whole lines around each span (our line index finds them) and
//! shifts the result back, so what is shown is exactly what miette would show for the whole text.

use crate::source::SourceFile;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::sync::Arc;

pub struct Snippets(SourceFile);

impl Snippets {
    pub fn new(name: &str, text: String) -> Arc<Snippets> {
        Arc::new(Snippets(SourceFile::new(name, text)))
    }
}

/// A cheap handle for one report.
pub struct Shared(pub Arc<Snippets>);

impl SourceCode for Shared {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let s = &self.0.0;
        let start = span.offset().min(s.text.len());
        let end = (span.offset() + span.len()).min(s.text.len());
        // whole lines, one more on each side than asked for
        let first = s.line_index(start).saturating_sub(context_lines_before + 1);
        let last = s.line_index(end) + context_lines_after + 2;
        let from = s.line_start(first).unwrap_or(0);
        let to = s.line_start(last).unwrap_or(s.text.len());
        let window = &s.text.as_bytes()[from..to];
        let local = SourceSpan::new((start - from).into(), end - start);
        let c = window.read_span(&local, context_lines_before, context_lines_after)?;
        let data: &'a [u8] =
            &s.text.as_bytes()[from + c.span().offset()..from + c.span().offset() + c.span().len()];
        Ok(Box::new(MietteSpanContents::new_named(
            s.name.clone(),
            data,
            SourceSpan::new((from + c.span().offset()).into(), c.span().len()),
            first + c.line(),
            c.column(),
            first + c.line_count(),
        )))
    }
}
