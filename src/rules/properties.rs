//! Which properties a connection and its auth blocks have, as the bundled schema judges them
//! (the schema mapper calls these): unknown properties (a typo, a synonym, a property at the
//! wrong level), missing and conflicting ones, values of the wrong kind, and connections that
//! are not a mapping of settings.

use super::Rule;
use crate::diag::{Applicability, Diagnostic, Fix, FixDoc, Outcome, Severity};
use crate::props::Kind;
use crate::rules::schema_errors::{Anchor, MapCtx, Path};
use crate::secrets::{Piece, Text};
use crate::source::Span;
use crate::suggest::{self, Suggestion};
use crate::text;
use crate::yaml::Node;
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind as K;

pub static CONNECTION_EMPTY: Rule = Rule {
    fix: None,
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
    fix: Some(FixDoc {
        applicability: Applicability::Safe,
        why: "only when the tool suggests exactly one property (the same name in another spelling, a known synonym such as `url`, or the one nearest typo with no other as near) and that property is not set in the block already: the key is renamed, its value kept; a property written beside the one auth block it belongs to (`password:` next to `basic-auth:`) moves into that block, its line unchanged",
    }),
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
    fix: None,
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
    fix: None,
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
    fix: None,
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
    fix: None,
    name: "invalid-value",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "a value the schema rejects for another reason",
    docs: r##"**What:** A value the schema rejects for a reason without a more specific code. This is the fallback of the schema-error mapping: every rule of today's bundled schema has a more specific code, so only a future schema rule without its own wording would use it (the fixture marks it unreachable).

**Why it matters:** The config fails to load: no connections.

**Fix:** Follow the message; `dsf-connections schema` prints the rules."##,
};
/// A name of the bundled schema (a required property, a block): the tool's own word.
fn schema_word(s: &str) -> Piece {
    match crate::props::static_name(s) {
        Some(n) => Piece::from(n),
        None => Piece::own(s),
    }
}

/// `` `a`, `b` and `c` `` of pieces.
fn and_list(items: Vec<Piece>, word: &'static str) -> Text {
    let n = items.len();
    let mut out = Text::new();
    for (i, p) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(if i + 1 == n {
                text!(" {} ", word)
            } else {
                Text::from(", ")
            });
        }
        out.push(text!("`{}`", p));
    }
    out
}

/// `name` in the object at `path` is not a property the server knows; `key` is its span.
pub fn unknown_property(ctx: &MapCtx, path: &Path, name: &str, key: Option<Span>) -> Diagnostic {
    let at = path.child(name);
    let span = key.unwrap_or_else(|| ctx.span(&at, Anchor::Key));
    if ctx.quiet {
        return Diagnostic::new(&UNKNOWN_PROPERTY, ctx.file, span, Text::new());
    }
    let block = path.block();
    let where_ = if path.depth() <= 1 {
        ctx.label(path)
    } else {
        text!("`{}`", block.name)
    };
    let quoted = Piece::decoded(ctx.file, span, name);
    let d = Diagnostic::new(
        &UNKNOWN_PROPERTY,
        ctx.file,
        span,
        text!(
            "unknown property `{}` in {}",
            quoted.clone(),
            where_.clone()
        ),
    )
    .at(at.pointer())
    .label("not a property the server knows");
    // suggestions are names of the server's model: the tool's own words
    let suggestion = suggest::property(name, block);
    let fix = match &suggestion {
        Suggestion::Rename(to)
            if suggest::unambiguous(name, block, to) && !ctx.find(&path.child(to)).exact =>
        {
            Some(Fix::replace(
                Applicability::Safe,
                text!("rename `{}` to `{}`", quoted.clone(), schema_word(to)),
                span,
                *to,
            ))
        }
        // written beside the one auth block it belongs to
        Suggestion::Move(homes) => {
            super::relocate::entries(ctx.find(path).node).and_then(|entries| {
                let beside: Vec<&&str> = homes
                    .iter()
                    .filter(|h| entries.iter().any(|e| e.key_text() == Some(**h)))
                    .collect();
                match beside.as_slice() {
                    [home] => {
                        super::relocate::into_block(ctx.text, entries, name, home, quoted.clone())
                    }
                    _ => None,
                }
            })
        }
        _ => None,
    };
    let help = match suggestion {
        Suggestion::Rename(s) => text!(
            "did you mean `{}`? (property names are case-sensitive and use dashes)",
            schema_word(s)
        ),
        Suggestion::Move(homes) => {
            let mut list = Text::new();
            for (i, h) in homes.iter().enumerate() {
                if i > 0 {
                    list.push(" or ");
                }
                list.push(if h.starts_with("the ") {
                    Text::from(Piece::own(h.to_string()))
                } else {
                    text!("`{}`", schema_word(h))
                });
            }
            text!("`{}` belongs in {}, not in {}", quoted, list, where_)
        }
        Suggestion::None => text!(
            "{} knows: {}",
            where_,
            and_list(
                block.props.iter().map(|p| Piece::from(p.name)).collect(),
                "and"
            )
        ),
    };
    d.help(help).maybe_fix(fix)
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
                text!("`{}` has no value", schema_word(one)),
            )
            .at(at.pointer())
            .label("empty")
            .help(text!(
                "give `{}` a value; an empty value counts as not set",
                schema_word(one)
            ));
        }
    }
    let what = || and_list(props.iter().map(|p| schema_word(p)).collect(), "and");
    ctx.diag(
        &MISSING_PROPERTY,
        path,
        Anchor::Key,
        text!("{} is missing {}", ctx.label(path), what()),
    )
    .label(text!("needs {}", what()))
    .help(text!("add {} under {}", what(), ctx.label(path)))
}

/// `trigger` is set but its partner `prop` is not (`dependentRequired`).
pub fn needs_partner(ctx: &MapCtx, path: &Path, trigger: &str, prop: &str) -> Diagnostic {
    let at = path.child(trigger);
    let (trigger, prop) = (schema_word(trigger), schema_word(prop));
    ctx.diag(
        &MISSING_PROPERTY,
        &at,
        Anchor::Key,
        text!(
            "`{}` is set but `{}` is missing",
            trigger.clone(),
            prop.clone()
        ),
    )
    .label(text!("needs `{}`", prop.clone()))
    .help(text!(
        "`{}` and `{}` go together: add `{}` to {}, or use `p12-file` instead of both",
        trigger,
        prop.clone(),
        prop,
        ctx.label(path)
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
    let list = || and_list(wanted.iter().map(|p| schema_word(p)).collect(), "or");
    let message = match msg {
        // the bundled schema's own words
        Some(m) => Text::from(Piece::own(m)),
        None if all_required && !wanted.is_empty() => {
            text!("{} needs {}", ctx.label(path), list())
        }
        None => text!("{} matches none of the allowed forms", ctx.label(path)),
    };
    let help = if all_required && !wanted.is_empty() {
        text!("add exactly one of {}", list())
    } else {
        Text::from("see `dsf-connections schema` for the allowed forms")
    };
    ctx.diag(&MISSING_PROPERTY, path, Anchor::Key, message)
        .outcome(outcome.or(MISSING_PROPERTY.outcome))
        .help(help)
}

/// An auth block that is present but empty (`minProperties`).
pub fn empty_block(ctx: &MapCtx, path: &Path, schema_path: &str) -> Diagnostic {
    let (msg, outcome) = ctx.annotation(schema_path);
    let msg = match msg {
        Some(m) => Text::from(Piece::own(m)),
        None => text!("`{}` is empty", ctx.name(path)),
    };
    ctx.diag(&MISSING_PROPERTY, path, Anchor::Key, msg)
        .outcome(outcome.or(MISSING_PROPERTY.outcome))
}

/// `dependentSchemas/<first>/properties/<second>: false`: the two exclude each other.
pub fn conflict(ctx: &MapCtx, path: &Path, first: Option<&str>) -> Diagnostic {
    let second = ctx.name(path);
    let Some(first) = first else {
        return ctx.diag(
            &INVALID_VALUE,
            path,
            Anchor::Key,
            text!("`{}` is not allowed here", second),
        );
    };
    let other = path.parent().child(first);
    let first = schema_word(first);
    ctx.diag(
        &CONFLICTING_PROPERTIES,
        path,
        Anchor::Key,
        text!(
            "`{}` and `{}` cannot both be set",
            first.clone(),
            second.clone()
        ),
    )
    .label("conflicts")
    .also(
        ctx.span(&other, Anchor::Key),
        Some(other.pointer()),
        "with this",
    )
    .help(text!("keep one of `{}` and `{}`", first, second))
}

/// A connection whose value is not a mapping of settings.
pub fn connection_not_mapping(ctx: &MapCtx, path: &Path, node: Option<&Node>) -> Diagnostic {
    if ctx.quiet {
        return match node.is_none_or(Node::is_null) {
            true => ctx.diag(&CONNECTION_EMPTY, path, Anchor::Key, Text::new()),
            false => ctx.diag(&INVALID_TYPE, path, Anchor::Value, Text::new()),
        };
    }
    let name = ctx.name(path);
    if node.is_none_or(Node::is_null) {
        return ctx
            .diag(
                &CONNECTION_EMPTY,
                path,
                Anchor::Key,
                text!("connection `{}` has no settings", name.clone()),
            )
            .outcome(Some(Outcome::NoConnections))
            .help(text!(
                "give `{}` at least a `base-url`, indented below it, or remove it",
                name
            ));
    }
    let found = node.map_or("nothing", Node::kind_name);
    ctx.diag(
        &INVALID_TYPE,
        path,
        Anchor::Value,
        text!(
            "connection `{}` must be a mapping of settings, found {}",
            name.clone(),
            found
        ),
    )
    .label("not a mapping")
    .help(text!(
        "write `{}:` alone on its line and its settings indented below it, such as `  base-url: https://...`",
        name
    ))
}

/// A value of the wrong kind (a list where text is expected, text where a block is expected).
pub fn invalid_type(ctx: &MapCtx, path: &Path, node: Option<&Node>, kind: Kind) -> Diagnostic {
    let name = ctx.name(path);
    let found = node.map_or("nothing", Node::kind_name);
    match kind {
        Kind::Block(b) => ctx
            .diag(
                &INVALID_TYPE,
                path,
                Anchor::Value,
                text!(
                    "`{}` must be a mapping of {} settings, found {}",
                    name.clone(),
                    b.name,
                    found
                ),
            )
            .help(text!(
                "put the `{}` properties indented below `{}:`",
                b.name,
                name
            )),
        _ => {
            let scalar = node.is_some_and(|n| n.as_scalar().is_some());
            ctx.diag(
                &INVALID_TYPE,
                path,
                Anchor::Value,
                text!(
                    "`{}` must be {}, found {}",
                    name,
                    if kind == Kind::Audience {
                        "text or a list of text"
                    } else {
                        "text"
                    },
                    found
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
        // the keyword is the bundled schema's: the tool's own word
        text!(
            "`{}` is not valid here ({} rule of the schema)",
            ctx.name(path),
            Piece::own(keyword)
        ),
    )
}
