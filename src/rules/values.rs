//! Values a property holds, as the server reads them: blank where it needs text, flags that are
//! not the server's boolean words, secrets written as numbers, basic-auth passwords outside
//! ISO-8859-1; and values the server accepts although they are surely not what was meant: a
//! file path written as the secret itself, one audience that is really a list, typographic
//! quotes around a value.

use super::{Ctx, Rule, name_of, on_value, value_of};
use crate::diag::{Applicability, Diagnostic, Fix, FixDoc, Outcome, Severity};
use crate::model::{At, Connection, Setting};
use crate::rules::schema_errors::{Anchor, MapCtx, Path};
use crate::secrets::{Piece, Secret, Text};
use crate::text;
use crate::yaml::scalar::{Plain, resolve_plain};
use crate::yaml::{Node, NodeKind, Style};

pub static BLANK_VALUE: Rule = Rule {
    fix: None,
    name: "blank-value",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a value the server requires to be non-blank is blank",
    docs: r##"**What:** A value the server requires to be non-blank is blank (`''`, spaces), or a `required-audience` item is empty.

**Why it matters:** The server rejects the config: no connections.

Bad:

```yaml
    client-id: ''
```

Fix:

```yaml
    client-id: dsf-bpe
```"##,
};
pub fn blank(ctx: &MapCtx, path: &Path) -> Diagnostic {
    let name = ctx.name(path);
    if let Some(d) = swallowed(ctx, path, &BLANK_VALUE) {
        return d;
    }
    ctx.diag(
        &BLANK_VALUE,
        path,
        Anchor::Value,
        text!("`{}` is blank", name.clone()),
    )
    .label("blank")
    .help(text!("give `{}` a value, or remove it", name))
}

/// When the value at `path` is empty because YAML read what was written after the key as a tag
/// (`password: !abc`) or an anchor (`&abc`), the diagnostic that says so (as `rule`): the value
/// someone wrote is there, and blank or missing would send them looking for the wrong mistake.
/// The help never quotes the value (it may be a secret).
pub fn swallowed(ctx: &MapCtx, path: &Path, rule: &'static Rule) -> Option<Diagnostic> {
    let found = ctx.find(path);
    let key = found.key.filter(|_| found.exact)?;
    if !matches!(&found.node.kind, NodeKind::Scalar(s) if s.value.trim().is_empty()) {
        return None;
    }
    let after = ctx
        .text
        .get(key.end..)?
        .trim_start_matches([' ', '\t', '"', '\'']);
    let (sign, what) = match after
        .strip_prefix(':')?
        .trim_start_matches([' ', '\t'])
        .chars()
        .next()?
    {
        '!' => ('!', "a tag"),
        '&' => ('&', "an anchor"),
        _ => return None,
    };
    let name = ctx.name(path);
    Some(
        ctx.diag(
            rule,
            path,
            Anchor::Value,
            text!(
                "`{}` starts with `{}`, which YAML reads as {}: the value is empty",
                name.clone(),
                sign,
                what
            ),
        )
        .label(text!("read as {}", what))
        .help(text!("quote the value: `{}: '{}…'`", name, sign)),
    )
}

/// A `required-audience` item that is null, blank or not text.
pub fn audience_item(ctx: &MapCtx, path: &Path, node: Option<&Node>) -> Diagnostic {
    let idx = ctx.name(path);
    if let Some(n) = node.filter(|n| matches!(n.kind, NodeKind::Map(_) | NodeKind::Seq(_))) {
        return ctx
            .diag(
                &super::properties::INVALID_TYPE,
                path,
                Anchor::Value,
                text!(
                    "`required-audience` item at index {} must be text, found {}",
                    idx,
                    n.kind_name()
                ),
            )
            .help("write each audience as plain text: `required-audience: [fhir, account]`");
    }
    let blank = node.is_some_and(|n| !n.is_null());
    ctx.diag(
        &BLANK_VALUE,
        path,
        Anchor::Value,
        text!(
            "`required-audience` item at index {} is {}",
            idx,
            if blank { "blank" } else { "empty" }
        ),
    )
    .label(if blank { "blank" } else { "no value" })
    .help("remove the item or give it an audience name")
}

pub static INVALID_BOOLEAN: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Safe,
        why: "only a quoted boolean word (`'yes'`, `\"False\"`) is rewritten, as the same word without quotes: the server reads that word as the boolean it names",
    }),
    name: "invalid-boolean",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a flag that is not one of the boolean words the server accepts",
    docs: r##"**What:** A flag that is not one of the boolean words the server accepts.

**Why it matters:** `y`/`n` are text in YAML 1.1 (the published DSF schema lists them wrongly), quoted `'yes'` is text: the config fails to load.

Bad:

```yaml
  test-connection-on-startup: y
```

Fix:

```yaml
  test-connection-on-startup: yes
```"##,
};
const BOOLEAN_WORDS: &str =
    "true/false, yes/no or on/off (all lower case, Title case or UPPER case), or 1/0";

pub fn invalid_boolean(ctx: &MapCtx, path: &Path, node: Option<&Node>) -> Diagnostic {
    let name = ctx.name(path);
    let text = node.and_then(Node::text).unwrap_or_default();
    let value = || match node {
        Some(n) => Piece::decoded(ctx.file, n.span, text),
        None => Piece::value(text),
    };
    let scalar = node.and_then(Node::as_scalar);
    let quoted = scalar.is_some_and(|s| !s.style.is_plain());
    let tagged = scalar.is_some_and(|s| s.tag != crate::yaml::Tag::None);
    let why = if quoted && crate::yaml::scalar::bool_word(text.trim()).is_some() {
        text!(
            "`{}` in quotes is text, and the server only accepts quoted true or false; remove the quotes",
            value()
        )
    } else if tagged {
        Text::from(
            "with this tag the server reads the value as text, and it only accepts the text true or false; remove the tag",
        )
    } else if matches!(text, "y" | "Y" | "n" | "N") {
        Text::from(
            "`y` and `n` are text in YAML 1.1 (the published DSF schema lists them, the server rejects them); write yes or no",
        )
    } else if matches!(resolve_plain(text), Plain::Float(_)) {
        Text::from("a decimal number is not a boolean; write true or false")
    } else {
        Text::from("write true or false")
    };
    // a quoted value is shown in its quotes, as written: they are what makes `'yes'` text
    let found = if let (Some(s), Some(n)) = (scalar, node) {
        match s.style {
            Style::SingleQuoted | Style::DoubleQuoted => {
                text!("`{}`", Piece::source(ctx.file, n.span))
            }
            _ => text!("`{}`", value()),
        }
    } else {
        Text::from(node.map_or("nothing", Node::kind_name))
    };
    // a quoted boolean word: the same word, plain
    let fix = match (node, crate::yaml::scalar::bool_word(text.trim())) {
        (Some(n), Some(_)) if quoted && !tagged && n.is_flow_scalar() => Some(Fix::replace(
            Applicability::Safe,
            text!("remove the quotes around `{}`", value()),
            n.span,
            text.trim(),
        )),
        _ => None,
    };
    ctx.diag(
        &INVALID_BOOLEAN,
        path,
        Anchor::Value,
        text!("`{}` must be a boolean, found {}", name, found),
    )
    .label("not a boolean")
    .help(text!("{}; accepted: {}", why, BOOLEAN_WORDS))
    .maybe_fix(fix)
}

pub static SECRET_NOT_STRING: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Safe,
        why: "the characters stay exactly as written, in single quotes: YAML then reads them as the text the server needs (unquoted, `0777` or `1_000` would not even be the number they look like)",
    }),
    name: "secret-not-string",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a password, token or client secret written as a number or boolean",
    docs: r##"**What:** A password, token or client secret written as an unquoted number or boolean.

**Why it matters:** The server reads secrets as `char[]` and rejects numbers and booleans: no connections.

Bad:

```yaml
    password: 1234
```

Fix:

```yaml
    password: '1234'
```"##,
};
pub fn secret_not_string(ctx: &MapCtx, path: &Path, node: Option<&Node>) -> Diagnostic {
    let name = ctx.name(path);
    let found = node.map_or("nothing", Node::kind_name);
    let scalar_typed = node
        .and_then(Node::as_scalar)
        .is_some_and(|s| s.style.is_plain());
    if ctx.quiet {
        let rule = if scalar_typed {
            &SECRET_NOT_STRING
        } else {
            &super::properties::INVALID_TYPE
        };
        return ctx.diag(rule, path, Anchor::Value, Text::new());
    }
    if scalar_typed {
        ctx.diag(
            &SECRET_NOT_STRING,
            path,
            Anchor::Value,
            text!(
                "`{}` is written as {}, but the server only accepts text here",
                name.clone(),
                found
            ),
        )
        .label("quote this")
        .help(text!(
            "put the value in quotes (`{}: '…'`); unquoted, YAML reads it as {}",
            name.clone(),
            found
        ))
        .maybe_fix(node.filter(|n| n.is_flow_scalar()).and_then(|n| {
            // the characters as written, single-quoted (a plain scalar holds no `'` to double)
            let raw = ctx.text.get(n.span.range())?;
            (!raw.contains(['\n', '\r'])).then(|| {
                Fix::replace(
                    Applicability::Safe,
                    text!("quote the value of `{}`", name),
                    n.span,
                    format!("'{}'", raw.replace('\'', "''")),
                )
            })
        }))
    } else {
        ctx.diag(
            &super::properties::INVALID_TYPE,
            path,
            Anchor::Value,
            text!("`{}` must be text, found {}", name, found),
        )
        .help("write the secret as one quoted value")
    }
}

pub static PASSWORD_NOT_LATIN1: Rule = Rule {
    fix: None,
    name: "password-not-latin1",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a basic-auth password with characters outside ISO-8859-1",
    docs: r##"**What:** A basic-auth password (inline or, once file checks exist, from `password-file`) contains characters outside ISO-8859-1.

**Why it matters:** HTTP Basic authentication sends the password encoded as ISO-8859-1; the server rejects the config: no connections.

Bad:

```yaml
    password: 'pässwörd🙂'
```

**Fix:** Use a password of Latin-1 characters only."##,
};
pub fn is_latin1(s: &str) -> bool {
    s.chars().all(|c| (c as u32) <= 0xFF)
}

/// Basic auth sends `user:password` encoded as ISO-8859-1; the server rejects other characters.
pub fn not_latin1(at: &At, what: &'static str) -> Diagnostic {
    on_value(
        &PASSWORD_NOT_LATIN1,
        at,
        text!("{} contains characters outside ISO-8859-1 (Latin-1)", what),
    )
    .label("not encodable")
    .help("HTTP Basic authentication encodes the password as ISO-8859-1: use only Latin-1 characters (no emoji, no characters from other scripts)")
}

pub static SECRET_LOOKS_LIKE_PATH: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Unsafe,
        why: "that the value is a path rather than a secret that looks like one is a guess; the key becomes the `*-file` property beside it, and the server then reads the file",
    }),
    name: "secret-looks-like-path",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a password, token or client secret that looks like a file path",
    docs: r##"**What:** An inline secret (`password`, `token`, `client-secret`) holds what looks like a file path (`/run/secrets/...`, `./token.txt`).

**Why it matters:** The server does not read a file here: it sends the path itself as the password or token, and the server at the other end rejects it. The connection fails when it is first used, hours after the deploy.

Bad:

```yaml
    basic-auth:
      username: dsf
      password: /run/secrets/basic.password
```

**Fix:** Use the `*-file` property: `password-file: /run/secrets/basic.password`."##,
};

/// Whether a secret's text looks like the path of a file rather than a secret.
fn secret_path(
    setting: Option<&Setting<Secret>>,
    file_prop: &'static str,
    file_set: bool,
    out: &mut Vec<Diagnostic>,
) {
    let Some(s) = setting else { return };
    let (Some(secret), Some(at)) = (s.ok(), s.at()) else {
        return;
    };
    if crate::secrets::names::looks_like_path(secret.expose()) {
        let name = name_of(at);
        out.push(
            on_value(
                &SECRET_LOOKS_LIKE_PATH,
                at,
                text!("`{}` looks like a file path, but it is the secret itself: the server sends this text, not the file's content", name.clone()),
            )
            .label("a path?")
            .help(text!("to read the secret from a file, write `{}:` with the path instead of `{}:`", file_prop, name.clone()))
            .maybe_fix((!file_set).then(|| {
                Fix::replace(
                    Applicability::Unsafe,
                    text!("read it from a file: rename `{}` to `{}`", name, file_prop),
                    at.key,
                    file_prop,
                )
            })),
        );
    }
}

pub static AUDIENCE_LOOKS_LIKE_LIST: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Unsafe,
        why: "that `fhir, account` means two audiences is a guess (an audience may contain a comma or blank); the value becomes a flow list of its parts",
    }),
    name: "audience-looks-like-list",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "one required audience that looks like several (`fhir, account`)",
    docs: r##"**What:** `required-audience` holds a single text with commas or blanks in it, such as `fhir, account`.

**Why it matters:** The server reads it as ONE audience named `fhir, account` and requires the access token's `aud` to contain exactly that text. No token does, so the OIDC token check fails and the connection cannot authenticate.

Bad:

```yaml
      required-audience: fhir, account
```

**Fix:** Write a list: `required-audience: [fhir, account]`, or one `- fhir` item per line."##,
};

fn audience_list(a: &crate::model::OidcAuth, out: &mut Vec<Diagnostic>) {
    let Some(setting) = &a.required_audience else {
        return;
    };
    let (Some(values), Some(at)) = (setting.ok(), setting.at()) else {
        return;
    };
    for (i, v) in values.iter().enumerate() {
        let t = v.trim();
        // an item of a list is marked itself
        let at = a.required_audience_items.get(i).unwrap_or(at);
        if t.contains(',') || t.contains(char::is_whitespace) {
            let parts: Vec<&str> = t
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .collect();
            out.push(
                on_value(
                    &AUDIENCE_LOOKS_LIKE_LIST,
                    at,
                    text!("`required-audience` holds the single audience `{}`: the server requires a token audience of exactly that text", value_of(at, t)),
                )
                .label("one audience")
                .help(text!("to require several audiences, write a list: `required-audience: [{}]`", value_of(at, &parts.join(", "))))
                // only the single value: an item of a list cannot become a list itself
                .maybe_fix((a.required_audience_items.is_empty() && at.flow).then(|| {
                    let items: Vec<String> = parts.iter().map(|p| crate::yaml::scalar::flow_item(p)).collect();
                    Fix::replace(
                        Applicability::Unsafe,
                        text!("write the {} audiences as a list", parts.len()),
                        at.value,
                        format!("[{}]", items.join(", ")),
                    )
                })),
            );
            return;
        }
    }
}

pub static TYPOGRAPHIC_QUOTES: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Safe,
        why: "typographic quotes around a value are never meant as part of it: they become ASCII quotes of the same kind, escaped as YAML needs, so the value is the text between them",
    }),
    name: "typographic-quotes",
    severity: Severity::Error,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a value wrapped in typographic quotes (“ ” ‘ ’), which YAML reads as part of the value",
    docs: r##"**What:** A value starts or ends with a typographic quote such as `“`, `”`, `‘` or `’` instead of `"` or `'`.

**Why it matters:** YAML only treats `"` and `'` as quotes. The typographic ones become part of the value: the server calls the URL `“https://…”`, looks for a file named `‘/run/secrets/x’`, or sends a password with quotes around it. Such quotes come from word processors, chat tools and web pages.

Bad:

```yaml
  base-url: “https://fhir.example.org/fhir”
```

**Fix:** Replace them with straight quotes, or remove them: `base-url: https://fhir.example.org/fhir`."##,
};

/// Whether a text starts or ends with a typographic quote.
pub fn has_typographic_quotes(s: &str) -> bool {
    let t = s.trim();
    t.chars()
        .next()
        .is_some_and(|c| super::syntax::typographic(c).is_some())
        || t.chars()
            .next_back()
            .is_some_and(|c| super::syntax::typographic(c).is_some())
}

fn typographic(name: &'static str, at: &At, value: &str, out: &mut Vec<Diagnostic>) {
    let fix = at.flow.then(|| {
        let t = value.trim();
        let open = t.chars().next();
        let inner = t
            .strip_prefix(|c| super::syntax::typographic(c).is_some())
            .unwrap_or(t);
        let inner = inner
            .strip_suffix(|c| super::syntax::typographic(c).is_some())
            .unwrap_or(inner);
        let single = matches!(open, Some('‘' | '’' | '‚' | '‛'));
        let replacement = if single {
            format!("'{}'", inner.replace('\'', "''"))
        } else {
            crate::yaml::scalar::double_quoted(inner)
        };
        Fix::replace(
            Applicability::Safe,
            text!(
                "replace the typographic quotes of `{}` with ASCII quotes",
                name
            ),
            at.value,
            replacement,
        )
    });
    out.push(
        on_value(
            &TYPOGRAPHIC_QUOTES,
            at,
            text!("`{}` is wrapped in typographic quotes, which YAML does not treat as quotes: the server reads them as part of the value", name),
        )
        .label("typographic quotes")
        .help("replace them with straight quotes (' or \"), or remove them")
        .maybe_fix(fix),
    );
}

/// Every text and secret setting of a connection, with its name.
fn texts(c: &Connection) -> Vec<(&'static str, Option<&At>, Option<&str>)> {
    fn t<'c>(
        name: &'static str,
        s: &'c Option<Setting<String>>,
    ) -> (&'static str, Option<&'c At>, Option<&'c str>) {
        (
            name,
            s.as_ref().and_then(Setting::at),
            s.as_ref().and_then(|s| s.ok()).map(String::as_str),
        )
    }
    fn sec<'c>(
        name: &'static str,
        s: &'c Option<Setting<Secret>>,
    ) -> (&'static str, Option<&'c At>, Option<&'c str>) {
        (
            name,
            s.as_ref().and_then(Setting::at),
            s.as_ref().and_then(|s| s.ok()).map(Secret::expose),
        )
    }
    fn file<'c>(
        name: &'static str,
        f: Option<&'c crate::model::FileRef>,
    ) -> (&'static str, Option<&'c At>, Option<&'c str>) {
        (
            name,
            f.and_then(|f| f.path.at()),
            f.and_then(|f| f.path.ok()).map(String::as_str),
        )
    }
    let mut v = vec![t("base-url", &c.base_url)];
    if let crate::model::Trust::Own { file: f, .. } = &c.trust {
        v.push(file("trusted-root-certificates-file", Some(f)));
    }
    if let Some(a) = c.cert_auth.get() {
        v.push(file("p12-file", a.p12_file.as_ref()));
        v.push(file("private-key-file", a.private_key_file.as_ref()));
        v.push(file("certificate-file", a.certificate_file.as_ref()));
        v.push(sec("password", &a.password));
        v.push(file(
            "password-file",
            a.password_file.as_ref().map(|f| &f.file),
        ));
    }
    if let Some(a) = c.basic_auth.get() {
        v.push(t("username", &a.username));
        v.push(sec("password", &a.password));
        v.push(file(
            "password-file",
            a.password_file.as_ref().map(|f| &f.file),
        ));
    }
    if let Some(a) = c.bearer_auth.get() {
        v.push(sec("token", &a.token));
        v.push(file("token-file", a.token_file.as_ref().map(|f| &f.file)));
    }
    if let Some(a) = c.oidc_auth.get() {
        v.push(t("base-url", &a.base_url));
        v.push(t("client-id", &a.client_id));
        v.push(sec("client-secret", &a.client_secret));
        v.push(file(
            "client-secret-file",
            a.client_secret_file.as_ref().map(|f| &f.file),
        ));
        if let crate::model::Trust::Own { file: f, .. } = &a.trust {
            v.push(file("trusted-root-certificates-file", Some(f)));
        }
    }
    v
}

pub fn check(_ctx: &Ctx, c: &Connection, out: &mut Vec<Diagnostic>) {
    for (name, at, value) in texts(c) {
        if let (Some(at), Some(v)) = (at, value)
            && has_typographic_quotes(v)
        {
            typographic(name, at, v, out);
        }
    }
    if let Some(a) = c.basic_auth.get() {
        if let Some(p) = &a.password
            && let (Some(pw), Some(at)) = (p.ok(), p.at())
            && !is_latin1(pw.expose())
        {
            out.push(not_latin1(at, "the basic-auth `password`"));
        }
        if let Some(f) = &a.password_file
            && let (Some(pw), Some(at)) = (f.secret.ok(), f.file.path.at())
            && !is_latin1(pw.expose())
        {
            out.push(not_latin1(at, "the password in `password-file`"));
        }
        secret_path(
            a.password.as_ref(),
            "password-file",
            a.password_file.is_some(),
            out,
        );
    }
    if let Some(a) = c.cert_auth.get() {
        secret_path(
            a.password.as_ref(),
            "password-file",
            a.password_file.is_some(),
            out,
        );
    }
    if let Some(a) = c.bearer_auth.get() {
        secret_path(a.token.as_ref(), "token-file", a.token_file.is_some(), out);
    }
    if let Some(a) = c.oidc_auth.get() {
        secret_path(
            a.client_secret.as_ref(),
            "client-secret-file",
            a.client_secret_file.is_some(),
            out,
        );
        audience_list(a, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_secrets() {
        for p in [
            "/run/secrets/basic.password",
            "./token.txt",
            "../x/y",
            "secret.key",
            "~/pw",
        ] {
            assert!(crate::secrets::names::looks_like_path(p), "{p}");
        }
        for s in [
            "hunter2",
            "p/a/s/s word",
            "abc.def",
            "/",
            "s3cr3t!",
            "bearer...token",
        ] {
            assert!(!crate::secrets::names::looks_like_path(s), "{s}");
        }
        assert!(has_typographic_quotes("“https://x”"));
        assert!(has_typographic_quotes("‘/run/secrets/x’"));
        assert!(!has_typographic_quotes("https://x"));
    }
}
