//! The man pages (`dsf-connections man [COMMAND]`): clap_mangen's page, with two things of its
//! rendering fixed. Its `.TH` line leaves the empty date out instead of quoting it, so the
//! version moved into the date's place and ran over the footer; and it passes the `--help`
//! footer (`after_help`: the exit codes and notes) as lines of running text, which man fills
//! into one wrapped paragraph. Here the exit codes are an `EXIT STATUS` list (`.TP` items) and
//! the other paragraphs a `NOTES` section.

/// The page of `cmd` (the tool, or one command renamed to its page's name) as roff.
pub fn render(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let after = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|s| s.to_string());
    let title = cmd.get_name().to_string();
    let cmd = cmd.after_help(None::<&str>).after_long_help(None::<&str>);
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut page)?;
    let page = String::from_utf8_lossy(&page).into_owned();
    let mut out = String::with_capacity(page.len() + 2048);
    let sections = after.as_deref().map(sections).unwrap_or_default();
    let mut inserted = false;
    for line in page.lines() {
        if line.starts_with(".TH ") {
            out.push_str(&th(&title));
            continue;
        }
        // before VERSION (or at the end): where man pages have EXIT STATUS and NOTES
        if line.starts_with(".SH VERSION") && !inserted {
            out.push_str(&sections);
            inserted = true;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !inserted {
        out.push_str(&sections);
    }
    Ok(out.into_bytes())
}

/// `.TH title 1 date source manual`, every argument quoted (an empty one too).
fn th(title: &str) -> String {
    // the commit date of `--version` (`0.1.0 (3f2a9c1d7e4b 2025-06-01)`), when there is one
    let date = crate::VERSION
        .trim_end_matches(')')
        .rsplit(' ')
        .next()
        .filter(|d| d.len() == 10 && d.as_bytes().get(4) == Some(&b'-'))
        .unwrap_or("");
    format!(
        ".TH {} 1 {} {} {}\n",
        quoted(title),
        quoted(date),
        quoted(&format!("dsf-connections {}", env!("CARGO_PKG_VERSION"))),
        quoted("User Commands")
    )
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", escape(s).replace('"', "\\(dq"))
}

/// Text for roff: backslashes and dashes escaped, and a line never starts a request.
fn escape(s: &str) -> String {
    let out = s.replace('\\', "\\e").replace('-', "\\-");
    if out.starts_with('.') || out.starts_with('\'') {
        format!("\\&{out}")
    } else {
        out
    }
}

/// The `after_help` text as roff sections: the `Exit codes:` block (`  0  meaning`, continued
/// on lines indented deeper) and the paragraphs about exit codes after it as `EXIT STATUS`,
/// every other paragraph under `NOTES`.
fn sections(text: &str) -> String {
    let mut status = String::new();
    let mut notes = String::new();
    let mut in_status = false;
    for block in text
        .split("\n\n")
        .map(str::trim_end)
        .filter(|b| !b.trim().is_empty())
    {
        let mut lines = block.lines();
        let first = lines.next().unwrap_or_default();
        if first.trim_end() == "Exit codes:" {
            in_status = true;
            for line in lines {
                let t = line.trim_start();
                let code = t
                    .split_once("  ")
                    .filter(|(c, _)| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit()));
                match code {
                    Some((code, meaning)) => {
                        status.push_str(&format!(".TP\n.B {code}\n{}\n", escape(meaning.trim())))
                    }
                    // a continuation of the item above
                    None => {
                        status.push_str(&escape(t));
                        status.push('\n');
                    }
                }
            }
            continue;
        }
        let paragraph = block.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        let about_exit = paragraph.to_ascii_lowercase().contains("exit");
        let target = if in_status && about_exit {
            &mut status
        } else {
            in_status = false;
            &mut notes
        };
        target.push_str(&format!(".PP\n{}\n", escape(&paragraph)));
    }
    let mut out = String::new();
    if !status.is_empty() {
        out.push_str(".SH \"EXIT STATUS\"\n");
        out.push_str(&status);
    }
    if !notes.is_empty() {
        out.push_str(".SH NOTES\n");
        out.push_str(&notes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_become_a_list() {
        let text = "Intro line one\nline two.\n\nExit codes:\n  0  valid\n  2  could not run: a\n     b\n\nWith --x, warnings exit 1 too.\n\nEvery code is explained.";
        assert_eq!(
            sections(text),
            ".SH \"EXIT STATUS\"\n.TP\n.B 0\nvalid\n.TP\n.B 2\ncould not run: a\nb\n.PP\nWith \\-\\-x, warnings exit 1 too.\n\
             .SH NOTES\n.PP\nIntro line one line two.\n.PP\nEvery code is explained.\n"
        );
        assert_eq!(escape(".x\\y"), "\\&.x\\ey");
    }
}
