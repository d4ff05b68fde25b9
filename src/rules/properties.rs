//! Which properties a connection and its auth blocks have, as the bundled schema judges them
//! (the schema mapper calls these): unknown properties (a typo, a synonym, a property at the
//! wrong level), missing and conflicting ones, values of the wrong kind, and connections that
//! are not a mapping of settings.

use super::Rule;
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::props::Kind;
use crate::schema::map::{Anchor, MapCtx, Path};
use crate::source::Span;
use crate::suggest::{self, Suggestion};
use crate::yaml::Node;
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind as K;

pub static CONNECTION_EMPTY: Rule = Rule {
    name: "connection-empty",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a connection id with nothing under it",
    docs: r##"**What:** A connection id has no settings, or a plain value instead of a mapping.

**Why it matters:** The server reports `Config <id> not configured` (or fails to parse a plain value) and starts with no connections.

Bad:

```yaml
fhir:
next:
  base-url: https://x/fhir
```

**Fix:** Give the connection its settings indented below it, or remove it."##,
};
pub static UNKNOWN_PROPERTY: Rule = Rule {
    name: "unknown-property",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a property the server does not know (often a typo)",
    docs: r##"**What:** A property the server does not know, often a typo (`base_url`, `baseUrl`) or a property at the wrong level.

**Why it matters:** Jackson fails on unknown properties: one typo anywhere drops every connection.

Bad:

```yaml
fhir:
  base_url: https://x/fhir
```

Fix:

```yaml
fhir:
  base-url: https://x/fhir
```"##,
};
pub static INVALID_TYPE: Rule = Rule {
    name: "invalid-type",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a value of the wrong kind (a list where text is expected, ...)",
    docs: r##"**What:** A value of the wrong kind: a list or mapping where text is expected, text where a block is expected.

**Why it matters:** The config fails to load: no connections.

Bad:

```yaml
fhir:
  base-url: [https://x/fhir]
```

Fix:

```yaml
fhir:
  base-url: https://x/fhir
```"##,
};
pub static MISSING_PROPERTY: Rule = Rule {
    name: "missing-property",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a required property is missing",
    docs: r##"**What:** A required property is missing, or one that another property needs (`certificate-file` needs `private-key-file`, `p12-file` needs a password).

**Why it matters:** The server rejects the config (no connections) or, for empty `cert-auth`/`bearer-auth` blocks and key material without a password, fails to start.

Bad:

```yaml
fhir:
  basic-auth:
    username: u
```

Fix:

```yaml
fhir:
  base-url: https://x/fhir
  basic-auth:
    username: u
    password-file: /run/secrets/pw
```"##,
};
pub static CONFLICTING_PROPERTIES: Rule = Rule {
    name: "conflicting-properties",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "two properties that exclude each other are both set",
    docs: r##"**What:** Two properties that exclude each other are both set (`password` and `password-file`, `p12-file` and `certificate-file`, ...).

**Why it matters:** The server rejects the config: no connections.

Bad:

```yaml
    token: abc
    token-file: /run/secrets/token
```

**Fix:** Keep one of them."##,
};
pub static INVALID_VALUE: Rule = Rule {
    name: "invalid-value",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a value the schema rejects for another reason",
    docs: r##"**What:** A value the schema rejects for a reason without a more specific code. This is the fallback of the schema-error mapping: every rule of today's bundled schema has a more specific code, so only a future schema rule without its own wording would use it (the fixture marks it unreachable).

**Why it matters:** The config fails to load: no connections.

**Fix:** Follow the message; `dsf-connections schema` prints the rules."##,
};
fn and_list(items: &[String], word: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} {word} {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// `name` in the object at `path` is not a property the server knows; `key` is its span.
pub fn unknown_property(ctx: &MapCtx, path: &Path, name: &str, key: Option<Span>) -> Diagnostic {
    let at = path.child(name);
    if ctx.quiet {
        let span = key.unwrap_or_else(|| ctx.span(&at, Anchor::Key));
        return Diagnostic::new(&UNKNOWN_PROPERTY, ctx.file, span, String::new());
    }
    let block = path.block();
    let where_ = if path.depth() <= 1 {
        path.label()
    } else {
        format!("`{}`", block.name)
    };
    let span = key.unwrap_or_else(|| ctx.span(&at, Anchor::Key));
    let d = Diagnostic::new(
        &UNKNOWN_PROPERTY,
        ctx.file,
        span,
        format!("unknown property `{name}` in {where_}"),
    )
    .at(at.pointer())
    .label("not a property the server knows");
    let help = match suggest::property(name, block) {
        Suggestion::Rename(s) => {
            format!("did you mean `{s}`? (property names are case-sensitive and use dashes)")
        }
        Suggestion::Move(homes) => format!(
            "`{name}` belongs in {}, not in {where_}",
            homes
                .iter()
                .map(|h| if h.starts_with("the ") {
                    h.to_string()
                } else {
                    format!("`{h}`")
                })
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Suggestion::None => format!(
            "{where_} knows: {}",
            and_list(
                &block
                    .props
                    .iter()
                    .map(|p| p.name.to_string())
                    .collect::<Vec<_>>(),
                "and"
            )
        ),
    };
    d.help(help)
}

/// Required properties missing from the object at `path`.
pub fn missing(ctx: &MapCtx, path: &Path, props: &[String]) -> Diagnostic {
    // a property written with no value (`base-url:`) is present in the YAML but null to the server
    if let [one] = props {
        let at = path.child(one);
        if let Some(d) = super::values::swallowed(ctx, &at, &MISSING_PROPERTY) {
            return d;
        }
        let f = ctx.find(&at);
        if f.exact {
            return Diagnostic::new(
                &MISSING_PROPERTY,
                ctx.file,
                f.key.unwrap_or(f.value),
                format!("`{one}` has no value"),
            )
            .at(at.pointer())
            .label("empty")
            .help(format!(
                "give `{one}` a value; an empty value counts as not set"
            ));
        }
    }
    let what = and_list(props, "and");
    ctx.diag(
        &MISSING_PROPERTY,
        path,
        Anchor::Key,
        format!("{} is missing {what}", path.label()),
    )
    .label(format!("needs {what}"))
    .help(format!("add {what} under {}", path.label()))
}

/// `trigger` is set but its partner `prop` is not (`dependentRequired`).
pub fn needs_partner(ctx: &MapCtx, path: &Path, trigger: &str, prop: &str) -> Diagnostic {
    ctx.diag(
        &MISSING_PROPERTY,
        &path.child(trigger),
        Anchor::Key,
        format!("`{trigger}` is set but `{prop}` is missing"),
    )
    .label(format!("needs `{prop}`"))
    .help(format!(
        "`{trigger}` and `{prop}` go together: add `{prop}` to {}, or use `p12-file` instead of both",
        path.label()
    ))
}

/// None of the allowed forms (`anyOf`): usually one of several properties is needed.
pub fn any_of(
    ctx: &MapCtx,
    path: &Path,
    schema_path: &str,
    context: &[Vec<ValidationError<'static>>],
) -> Diagnostic {
    let (msg, outcome) = ctx.annotation(schema_path);
    let mut wanted = Vec::new();
    let all_required = context.iter().all(|branch| {
        branch.iter().all(|e| match e.kind() {
            K::Required { property } => {
                if let Some(p) = property.as_str() {
                    wanted.push(p.to_string());
                }
                true
            }
            _ => false,
        })
    });
    // `client-secret: &abc`: written, but YAML read the value as an anchor
    if all_required
        && let Some(d) = wanted
            .iter()
            .find_map(|p| super::values::swallowed(ctx, &path.child(p), &MISSING_PROPERTY))
    {
        return d.outcome(outcome.or(MISSING_PROPERTY.outcome));
    }
    let message = match msg {
        Some(m) => m,
        None if all_required && !wanted.is_empty() => {
            format!("{} needs {}", path.label(), and_list(&wanted, "or"))
        }
        None => format!("{} matches none of the allowed forms", path.label()),
    };
    let help = if all_required && !wanted.is_empty() {
        format!("add exactly one of {}", and_list(&wanted, "or"))
    } else {
        "see `dsf-connections schema` for the allowed forms".to_string()
    };
    ctx.diag(&MISSING_PROPERTY, path, Anchor::Key, message)
        .outcome(outcome.or(MISSING_PROPERTY.outcome))
        .help(help)
}

/// An auth block that is present but empty (`minProperties`).
pub fn empty_block(ctx: &MapCtx, path: &Path, schema_path: &str) -> Diagnostic {
    let (msg, outcome) = ctx.annotation(schema_path);
    let msg = msg.unwrap_or_else(|| format!("`{}` is empty", path.name()));
    ctx.diag(&MISSING_PROPERTY, path, Anchor::Key, msg)
        .outcome(outcome.or(MISSING_PROPERTY.outcome))
}

/// `dependentSchemas/<first>/properties/<second>: false`: the two exclude each other.
pub fn conflict(ctx: &MapCtx, path: &Path, first: Option<&str>) -> Diagnostic {
    let second = path.name();
    let Some(first) = first else {
        return ctx.diag(
            &INVALID_VALUE,
            path,
            Anchor::Key,
            format!("`{second}` is not allowed here"),
        );
    };
    let other = path.parent().child(first);
    ctx.diag(
        &CONFLICTING_PROPERTIES,
        path,
        Anchor::Key,
        format!("`{first}` and `{second}` cannot both be set"),
    )
    .label("conflicts")
    .also(
        ctx.span(&other, Anchor::Key),
        Some(other.pointer()),
        "with this",
    )
    .help(format!("keep one of `{first}` and `{second}`"))
}

/// A connection whose value is not a mapping of settings.
pub fn connection_not_mapping(ctx: &MapCtx, path: &Path, node: Option<&Node>) -> Diagnostic {
    if ctx.quiet {
        return match node.is_none_or(Node::is_null) {
            true => ctx.diag(&CONNECTION_EMPTY, path, Anchor::Key, String::new()),
            false => ctx.diag(&INVALID_TYPE, path, Anchor::Value, String::new()),
        };
    }
    let name = path.name();
    if node.is_none_or(Node::is_null) {
        return ctx
            .diag(
                &CONNECTION_EMPTY,
                path,
                Anchor::Key,
                format!("connection `{name}` has no settings"),
            )
            .outcome(Some(Outcome::NoConnections))
            .help(format!(
                "give `{name}` at least a `base-url`, indented below it, or remove it"
            ));
    }
    let found = node.map_or("nothing", Node::kind_name);
    ctx.diag(
        &INVALID_TYPE,
        path,
        Anchor::Value,
        format!("connection `{name}` must be a mapping of settings, found {found}"),
    )
    .label("not a mapping")
    .help(format!(
        "write `{name}:` alone on its line and its settings indented below it, such as `  base-url: https://...`"
    ))
}

/// A value of the wrong kind (a list where text is expected, text where a block is expected).
pub fn invalid_type(ctx: &MapCtx, path: &Path, node: Option<&Node>, kind: Kind) -> Diagnostic {
    let name = path.name();
    let found = node.map_or("nothing", Node::kind_name);
    match kind {
        Kind::Block(b) => ctx
            .diag(
                &INVALID_TYPE,
                path,
                Anchor::Value,
                format!(
                    "`{name}` must be a mapping of {} settings, found {found}",
                    b.name
                ),
            )
            .help(format!(
                "put the `{}` properties indented below `{name}:`",
                b.name
            )),
        _ => {
            let scalar = node.is_some_and(|n| n.as_scalar().is_some());
            ctx.diag(
                &INVALID_TYPE,
                path,
                Anchor::Value,
                format!(
                    "`{name}` must be {}, found {found}",
                    if kind == Kind::Audience {
                        "text or a list of text"
                    } else {
                        "text"
                    }
                ),
            )
            .help(if scalar {
                "the server reads this value as a number it cannot turn into text: put it in quotes"
            } else {
                "write a single value on the same line as the key"
            })
        }
    }
}

/// Any other schema rule.
pub fn invalid_value(ctx: &MapCtx, path: &Path, keyword: &str) -> Diagnostic {
    ctx.diag(
        &INVALID_VALUE,
        path,
        Anchor::Value,
        format!(
            "`{}` is not valid here ({keyword} rule of the schema)",
            path.name()
        ),
    )
}
