//! Rules about the input as a whole, before any YAML: bytes that are not UTF-8, safety limits,
//! and a config that is blank (the server then has only its built-in `#dsf` connection).

use super::Rule;
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::source::{FileId, SourceKind, Span};

pub static INPUT_NOT_UTF8: Rule = Rule {
    fix: None,
    name: "input-not-utf8",
    severity: Severity::Error,
    outcome: None,
    summary: "the input is not valid UTF-8",
    docs: r##"**What:** The input contains bytes that are not UTF-8.

**Why it matters:** The server decodes the variable as UTF-8; mangled characters end up in URLs, user names or passwords.

Bad:

```yaml
base-url: https://b\xe4r/fhir   # Latin-1 byte
```

**Fix:** Save the file as UTF-8."##,
};
/// The first byte that is not UTF-8.
pub fn not_utf8(file: FileId, text: &str, at: usize) -> Diagnostic {
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    Diagnostic::new(
        &INPUT_NOT_UTF8,
        file,
        Span::new(at, at + len),
        "the input is not valid UTF-8",
    )
    .label("first invalid byte")
    .help("save the file as UTF-8 (the server decodes the variable as UTF-8)")
}

pub static INPUT_LIMIT: Rule = Rule {
    fix: None,
    name: "input-limit",
    severity: Severity::Error,
    outcome: None,
    summary: "the input exceeds a safety limit (size, nesting or aliases)",
    docs: r##"**What:** The input nests deeper than 64 levels or holds more than 1000 aliases.

**Why it matters:** A connections config needs neither; such input is almost certainly the wrong file or hostile, and the tool refuses it quickly instead of spending memory on it.

Bad:

```yaml
a: [[[[[[[[[[[[ ... ]]]]]]]]]]]]
```

**Fix:** Check that you are checking the right file."##,
};
pub static CONFIG_BLANK: Rule = Rule {
    fix: None,
    name: "config-blank",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "the config is empty or blank: the server has only its built-in #dsf connection",
    docs: r##"**What:** The config (the variable, standard input or a file) is set but empty or holds only blanks.

**Why it matters:** The server accepts a blank value as "no connections": it starts with only its built-in `#dsf` connection, and every plugin that needs another connection fails later. An empty variable is more often a deployment slip (an unset `.env` entry, a lost heredoc) than intent.

Bad:

```yaml
DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: ""
```

**Fix:** Put the connections into the variable, or remove the variable if the BPE needs no connections besides `#dsf`."##,
};

/// A blank config: what it is, said for the kind of input it came from.
pub fn blank(file: FileId, kind: &SourceKind) -> Diagnostic {
    let what = match kind {
        SourceKind::EnvVar => "$DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG is set but empty",
        SourceKind::Stdin { .. } => "standard input is empty or blank",
        _ => "the config is empty or blank",
    };
    Diagnostic::new(
        &CONFIG_BLANK,
        file,
        Span::default(),
        crate::text!(
            "{}: the server will start with only its built-in #dsf connection",
            what
        ),
    )
    .help("put the connections here, or leave the variable unset if the BPE needs none")
}
