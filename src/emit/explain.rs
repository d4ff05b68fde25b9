//! Human output of `explain`: per connection a table of effective settings with their origin,
//! certificates indented below the setting that names them.

use super::human::Style;
use crate::explain::{Explained, Origin};
use owo_colors::OwoColorize;
use std::io::Write;

fn origin(o: &Origin) -> String {
    match o {
        Origin::Config { line } => format!("config, line {line}"),
        Origin::Env { variable } => format!("${variable}"),
        Origin::BuiltIn => "built-in default".into(),
        Origin::Derived => "derived".into(),
    }
}

pub fn emit(explained: &[Explained], style: &Style, w: &mut dyn Write) -> std::io::Result<()> {
    for e in explained {
        let head = format!("{} ({}:{})", e.id, e.file, e.line);
        writeln!(w)?;
        if style.color {
            writeln!(w, "{}", head.bold())?;
        } else {
            writeln!(w, "{head}")?;
        }
        writeln!(w, "  authentication: {}", e.auth.join(" + "))?;
        let width = e.settings.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let vwidth = e
            .settings
            .iter()
            .map(|s| value_text(s).chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for s in &e.settings {
            let value = value_text(s);
            let pad = vwidth.saturating_sub(value.chars().count());
            let o = origin(&s.origin);
            if style.color {
                writeln!(
                    w,
                    "  {:width$}  {value}{}  {}",
                    s.name,
                    " ".repeat(pad),
                    o.dimmed()
                )?;
            } else {
                writeln!(w, "  {:width$}  {value}{}  {o}", s.name, " ".repeat(pad))?;
            }
            for c in &s.certificates {
                let state = if c.expired { "expired" } else { "valid until" };
                writeln!(
                    w,
                    "  {:width$}    certificate {}, {state} {}",
                    "", c.subject, c.not_after
                )?;
            }
        }
    }
    Ok(())
}

fn value_text(s: &crate::explain::Setting) -> String {
    let mut v = s.value.clone();
    if let Some(h) = &s.human {
        v.push_str(&format!(" ({h})"));
    }
    if s.invalid {
        v.push_str(" (invalid, see above)");
    }
    v
}
