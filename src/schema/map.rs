//! Schema errors in the operator's words. Each validator error is classified by its keyword and
//! by what the server model says the location is (a flag, a timeout, a secret...), and becomes
//! one diagnostic with a stable code, anchored where the mistake is: an unknown property on its
//! key, a bad value on the value, a missing property on the enclosing block's key, a conflict on
//! both keys. Values of secrets are never quoted; the validator's own text (which can embed the
//! instance) is never used.

use super::Schema;
use crate::diag::{Code, Diagnostic, Label, Outcome};
use crate::model::{self, Kind, Place};
use crate::source::{FileId, Span};
use crate::yaml::pointer::{PointerIndex, join, unescape};
use crate::yaml::scalar::{Plain, resolve_plain};
use crate::yaml::{Node, NodeKind};
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind as K;
use std::collections::{BTreeMap, HashSet};

pub struct MapCtx<'x, 't, 'a> {
    pub file: FileId,
    pub text: &'x str,
    pub index: &'x PointerIndex<'t, 'a>,
    pub schema: &'x Schema,
    /// Pointers a structure check already reported (an alias, say): no second diagnostic there.
    pub reported: &'x HashSet<String>,
}

pub fn map_errors<'e>(
    ctx: &MapCtx,
    errors: impl Iterator<Item = ValidationError<'e>>,
    out: &mut Vec<Diagnostic>,
) {
    let errors: Vec<ValidationError<'e>> = errors.collect();
    // (object, property) a misspelt key stands for: a "missing" error for it is the same mistake
    let mut typos: HashSet<(String, &'static str)> = HashSet::new();
    for e in &errors {
        if let K::AdditionalProperties { unexpected } = e.kind() {
            let ptr = e.instance_path().as_str();
            for name in unexpected {
                if let crate::suggest::Suggestion::Rename(r) =
                    crate::suggest::property(name, block_at(ptr))
                {
                    typos.insert((ptr.to_string(), r));
                }
            }
        }
    }
    let is_typo = |ptr: &str, prop: &str| typos.iter().any(|(o, t)| o == ptr && *t == prop);
    // `required` errors for one object are merged into one diagnostic
    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in &errors {
        let ptr = e.instance_path().as_str().to_string();
        if ctx.reported.contains(&ptr) {
            continue;
        }
        let schema_path = e.schema_path().as_str().to_string();
        match e.kind() {
            K::AdditionalProperties { unexpected } => {
                for name in unexpected {
                    out.push(unknown_property(ctx, &ptr, name));
                }
            }
            K::Required { property } => {
                let prop = property.as_str().unwrap_or_default().to_string();
                if schema_path.ends_with("/dependentRequired") {
                    out.push(dependent_required(ctx, &ptr, &schema_path, &prop));
                } else {
                    missing.entry(ptr).or_default().push(prop);
                }
            }
            K::AnyOf { context } => {
                let typo = context.iter().flatten().any(|b| match b.kind() {
                    K::Required { property } => is_typo(&ptr, property.as_str().unwrap_or("")),
                    _ => false,
                });
                if !typo {
                    out.push(any_of(ctx, &ptr, &schema_path, context));
                }
            }
            K::MinProperties { .. } => {
                let (msg, outcome) = annotation(ctx, &schema_path);
                let msg = msg.unwrap_or_else(|| format!("`{}` is empty", name_of(&ptr)));
                out.push(
                    diag(ctx, Code::MissingProperty, &ptr, Anchor::Key, msg)
                        .outcome(outcome.or(Code::MissingProperty.outcome())),
                );
            }
            K::FalseSchema => out.push(false_schema(ctx, &ptr, &schema_path)),
            K::Type { .. } | K::Pattern { .. } => {
                if let Some(d) = bad_value(ctx, &ptr, matches!(e.kind(), K::Pattern { .. })) {
                    out.push(d);
                }
            }
            other => {
                let msg = format!(
                    "`{}` is not valid here ({} rule of the schema)",
                    name_of(&ptr),
                    other.keyword()
                );
                out.push(diag(ctx, Code::InvalidValue, &ptr, Anchor::Value, msg));
            }
        }
    }
    for (ptr, mut props) in missing {
        props.retain(|p| !is_typo(&ptr, p));
        if !props.is_empty() {
            out.push(missing_required(ctx, &ptr, &props));
        }
    }
}

#[derive(Clone, Copy)]
enum Anchor {
    Key,
    Value,
}

fn tokens(ptr: &str) -> Vec<String> {
    ptr.split('/').skip(1).map(unescape).collect()
}

/// The last token of a pointer, for messages: the property or connection id.
fn name_of(ptr: &str) -> String {
    ptr.rsplit('/').next().map(unescape).unwrap_or_default()
}

fn place_of(ptr: &str) -> Place {
    let t = tokens(ptr);
    let rest: Vec<&str> = t.iter().skip(1).map(String::as_str).collect();
    if t.is_empty() {
        Place::Unknown
    } else {
        model::place(&rest)
    }
}

fn span_at(ctx: &MapCtx, ptr: &str, anchor: Anchor) -> Span {
    let span = located(ctx, ptr, anchor);
    if !span.is_empty() {
        return span;
    }
    // an empty list item (`-` alone): point at its dash
    let text = ctx.text;
    let before = text.get(..span.start).unwrap_or("");
    match before
        .trim_end_matches([' ', '\t'])
        .char_indices()
        .next_back()
    {
        Some((i, '-')) => Span::new(i, i + 1),
        _ => span,
    }
}

fn located(ctx: &MapCtx, ptr: &str, anchor: Anchor) -> Span {
    match ctx.index.locate(ptr) {
        Some((loc, exact)) => match (anchor, loc.key) {
            (Anchor::Key, Some(k)) => k,
            // an empty value (`key:` alone) has no width: point at its key instead
            (_, Some(k)) if !exact || loc.value.is_empty() => k,
            _ => loc.value,
        },
        None => Span::default(),
    }
}

fn diag(ctx: &MapCtx, code: Code, ptr: &str, anchor: Anchor, message: String) -> Diagnostic {
    Diagnostic::new(code, ctx.file, span_at(ctx, ptr, anchor), message).at(ptr)
}

/// `errorMessage` / `x-dsf-outcome` annotations on the schema node holding the failed keyword.
fn annotation(ctx: &MapCtx, schema_path: &str) -> (Option<String>, Option<Outcome>) {
    let (parent, keyword) = schema_path.rsplit_once('/').unwrap_or(("", schema_path));
    let Some(node) = ctx.schema.node(parent) else {
        return (None, None);
    };
    let msg = node
        .get("errorMessage")
        .and_then(|m| m.get(keyword))
        .and_then(|m| m.as_str())
        .map(str::to_string);
    let outcome = node
        .get("x-dsf-outcome")
        .and_then(|m| m.get(keyword))
        .and_then(|m| m.as_str())
        .and_then(|o| match o {
            "does-not-start" => Some(Outcome::DoesNotStart),
            "no-connections" => Some(Outcome::NoConnections),
            _ => None,
        });
    (msg, outcome)
}

fn block_label(ptr: &str) -> String {
    let t = tokens(ptr);
    match t.len() {
        0 => "the document".to_string(),
        1 => format!("connection `{}`", t[0]),
        _ => format!("`{}`", t[t.len() - 1]),
    }
}

fn and_list(items: &[String], word: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} {word} {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// The block definition of the object at `ptr` (`/id` or `/id/<auth-block>`).
fn block_at(ptr: &str) -> &'static model::Block {
    let t = tokens(ptr);
    match t.len() {
        0 | 1 => &model::CONNECTION,
        _ => model::AUTH_BLOCKS
            .iter()
            .find(|b| b.name == t[t.len() - 1])
            .copied()
            .unwrap_or(&model::CONNECTION),
    }
}

fn unknown_property(ctx: &MapCtx, ptr: &str, name: &str) -> Diagnostic {
    let at = join(ptr, name);
    let t = tokens(ptr);
    let block = block_at(ptr);
    let where_ = if t.len() <= 1 {
        format!(
            "connection `{}`",
            t.first().map(String::as_str).unwrap_or("")
        )
    } else {
        format!("`{}`", block.name)
    };
    let d = diag(
        ctx,
        Code::UnknownProperty,
        &at,
        Anchor::Key,
        format!("unknown property `{name}` in {where_}"),
    )
    .label("not a property the server knows");
    let help = match crate::suggest::property(name, block) {
        crate::suggest::Suggestion::Rename(s) => {
            format!("did you mean `{s}`? (property names are case-sensitive and use dashes)")
        }
        crate::suggest::Suggestion::Move(homes) => format!(
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
        crate::suggest::Suggestion::None => format!(
            "{} knows: {}",
            where_,
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

fn missing_required(ctx: &MapCtx, ptr: &str, props: &[String]) -> Diagnostic {
    // a property written with no value (`base-url:`) is present in the YAML but null to the server
    if let [one] = props {
        let at = join(ptr, one);
        if let Some((loc, true)) = ctx.index.locate(&at) {
            let span = loc.key.unwrap_or(loc.value);
            return Diagnostic::new(
                Code::MissingProperty,
                ctx.file,
                span,
                format!("`{one}` has no value"),
            )
            .at(at)
            .label("empty")
            .help(format!(
                "give `{one}` a value; an empty value counts as not set"
            ));
        }
    }
    let what = and_list(props, "and");
    diag(
        ctx,
        Code::MissingProperty,
        ptr,
        Anchor::Key,
        format!("{} is missing {what}", block_label(ptr)),
    )
    .label(format!("needs {what}"))
    .help(format!("add {what} under {}", block_label(ptr)))
}

fn dependent_required(ctx: &MapCtx, ptr: &str, schema_path: &str, prop: &str) -> Diagnostic {
    // which present property asked for `prop`?
    let trigger = ctx
        .schema
        .node(schema_path)
        .and_then(|m| m.as_object())
        .and_then(|m| {
            m.iter().find_map(|(k, v)| {
                let wants = v.as_array()?.iter().any(|x| x.as_str() == Some(prop));
                let present = ctx.index.locate(&join(ptr, k)).is_some_and(|(_, e)| e);
                (wants && present).then(|| k.clone())
            })
        })
        .unwrap_or_default();
    diag(
        ctx,
        Code::MissingProperty,
        &join(ptr, &trigger),
        Anchor::Key,
        format!("`{trigger}` is set but `{prop}` is missing"),
    )
    .label(format!("needs `{prop}`"))
    .help(format!(
        "`{trigger}` and `{prop}` go together: add `{prop}` to {}, or use `p12-file` instead of both",
        block_label(ptr)
    ))
}

fn any_of(
    ctx: &MapCtx,
    ptr: &str,
    schema_path: &str,
    context: &[Vec<ValidationError<'static>>],
) -> Diagnostic {
    let (msg, outcome) = annotation(ctx, schema_path);
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
    let message = match msg {
        Some(m) => m,
        None if all_required && !wanted.is_empty() => {
            format!("{} needs {}", block_label(ptr), and_list(&wanted, "or"))
        }
        None => format!("{} matches none of the allowed forms", block_label(ptr)),
    };
    let help = if all_required && !wanted.is_empty() {
        format!("add exactly one of {}", and_list(&wanted, "or"))
    } else {
        "see `dsf-connections schema` for the allowed forms".to_string()
    };
    diag(ctx, Code::MissingProperty, ptr, Anchor::Key, message)
        .outcome(outcome.or(Code::MissingProperty.outcome()))
        .help(help)
}

/// `dependentSchemas/A/properties/B: false`: A and B exclude each other.
fn false_schema(ctx: &MapCtx, ptr: &str, schema_path: &str) -> Diagnostic {
    let segs: Vec<&str> = schema_path.split('/').collect();
    let first = segs
        .iter()
        .position(|s| *s == "dependentSchemas")
        .and_then(|i| segs.get(i + 1))
        .map(|s| unescape(s));
    let second = name_of(ptr);
    let Some(first) = first else {
        return diag(
            ctx,
            Code::InvalidValue,
            ptr,
            Anchor::Key,
            format!("`{second}` is not allowed here"),
        );
    };
    let parent = ptr.rsplit_once('/').map_or("", |(p, _)| p);
    let other = span_at(ctx, &join(parent, &first), Anchor::Key);
    diag(
        ctx,
        Code::ConflictingProperties,
        ptr,
        Anchor::Key,
        format!("`{first}` and `{second}` cannot both be set"),
    )
    .label("conflicts")
    .related(
        Label::new(other)
            .pointer(join(parent, &first))
            .message("with this"),
    )
    .help(format!("keep one of `{first}` and `{second}`"))
}

fn raw<'n>(node: Option<&'n Node>) -> Option<&'n str> {
    node.and_then(Node::text)
}

fn bad_value(ctx: &MapCtx, ptr: &str, pattern: bool) -> Option<Diagnostic> {
    let node = ctx.index.node(ptr);
    let found = node.map_or("nothing", Node::kind_name);
    let name = name_of(ptr);
    let d = match place_of(ptr) {
        Place::Connection => diag(
            ctx,
            Code::ConnectionEmpty,
            ptr,
            Anchor::Key,
            if node.is_some_and(Node::is_null) {
                format!("connection `{name}` has no settings")
            } else {
                format!("connection `{name}` must be a mapping of settings, found {found}")
            },
        )
        .outcome(if node.is_some_and(Node::is_null) {
            Some(Outcome::NoConnections)
        } else {
            Code::ConnectionEmpty.outcome()
        })
        .help(format!(
            "give `{name}` at least a `base-url`, indented below it, or remove it"
        )),
        Place::Prop(_, prop) => match prop.kind {
            Kind::Bool => invalid_boolean(ctx, ptr, node),
            Kind::Duration => invalid_duration(ctx, ptr, node),
            Kind::Secret if !pattern => secret_not_string(ctx, ptr, node, found),
            Kind::Text | Kind::Secret | Kind::Audience if pattern => diag(
                ctx,
                Code::BlankValue,
                ptr,
                Anchor::Value,
                format!("`{name}` is blank"),
            )
            .label("blank")
            .help(format!("give `{name}` a value, or remove it")),
            Kind::Block(b) => diag(
                ctx,
                Code::InvalidType,
                ptr,
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
            kind => diag(
                ctx,
                Code::InvalidType,
                ptr,
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
            .help("write a single value on the same line as the key"),
        },
        Place::AudienceItem => {
            let idx = name.clone();
            let blank = node.is_some_and(|n| !n.is_null());
            diag(
                ctx,
                Code::BlankValue,
                ptr,
                Anchor::Value,
                format!(
                    "`required-audience` item at index {idx} is {}",
                    if blank { "blank" } else { "empty" }
                ),
            )
            .label(if blank { "blank" } else { "no value" })
            .help("remove the item or give it an audience name")
        }
        Place::Unknown => return None,
    };
    Some(d)
}

const BOOLEAN_WORDS: &str =
    "true/false, yes/no or on/off (all lower case, Title case or UPPER case), or 1/0";

fn invalid_boolean(ctx: &MapCtx, ptr: &str, node: Option<&Node>) -> Diagnostic {
    let name = name_of(ptr);
    let text = raw(node).unwrap_or_default();
    let quoted = node
        .and_then(Node::as_scalar)
        .is_some_and(|s| !s.style.is_plain());
    let why = if quoted && crate::yaml::scalar::bool_word(text.trim()).is_some() {
        format!(
            "`{text}` in quotes is text, and the server only accepts quoted true or false; remove the quotes"
        )
    } else if matches!(text, "y" | "Y" | "n" | "N") {
        "`y` and `n` are text in YAML 1.1 (the published DSF schema lists them, the server rejects them); write yes or no".to_string()
    } else if matches!(resolve_plain(text), Plain::Float(_)) {
        "a decimal number is not a boolean; write true or false".to_string()
    } else {
        "write true or false".to_string()
    };
    let found = if node.is_some_and(|n| matches!(n.kind, NodeKind::Scalar(_))) {
        format!("`{text}`")
    } else {
        node.map_or("nothing", Node::kind_name).to_string()
    };
    diag(
        ctx,
        Code::InvalidBoolean,
        ptr,
        Anchor::Value,
        format!("`{name}` must be a boolean, found {found}"),
    )
    .label("not a boolean")
    .help(format!("{why}; accepted: {BOOLEAN_WORDS}"))
}

fn invalid_duration(ctx: &MapCtx, ptr: &str, node: Option<&Node>) -> Diagnostic {
    let name = name_of(ptr);
    let scalar = node.and_then(Node::as_scalar);
    let text = raw(node).unwrap_or_default().trim().to_string();
    let accepted = "an ISO-8601 duration such as PT30S, PT0.5S, PT5M, PT1H or P1D (no years, months or weeks), or a plain number of seconds";
    let mut help = match crate::duration::parse_java(&text) {
        Err(crate::duration::ParseError::CalendarUnit(u)) => {
            format!("Java durations have no years, months or weeks (`{u}`).")
        }
        Err(crate::duration::ParseError::Overflow) => "The number is too large.".to_string(),
        _ => String::new(),
    };
    let quoted_number = scalar.is_some_and(|s| !s.style.is_plain()) && text.parse::<f64>().is_ok();
    if quoted_number {
        help = format!(
            "A quoted number is text, not seconds: write {text} without quotes for {text} seconds, or `{}`.",
            crate::duration::suggest(&text).unwrap_or_else(|| "PT…S".into())
        );
    } else if let Some(s) = crate::duration::suggest(&text) {
        if !help.is_empty() {
            help.push(' ');
        }
        help.push_str(&format!("Did you mean `{s}`?"));
    }
    if !help.is_empty() {
        help.push(' ');
    }
    help.push_str(&format!("Accepted: {accepted}."));
    let found = match node {
        Some(n) if matches!(n.kind, NodeKind::Scalar(_)) => format!("`{text}`"),
        Some(n) => n.kind_name().to_string(),
        None => "nothing".to_string(),
    };
    diag(
        ctx,
        Code::InvalidDuration,
        ptr,
        Anchor::Value,
        format!("`{name}` is not a duration: found {found}"),
    )
    .label("not a duration")
    .help(help)
}

fn secret_not_string(ctx: &MapCtx, ptr: &str, node: Option<&Node>, found: &str) -> Diagnostic {
    let name = name_of(ptr);
    let scalar_typed = node
        .and_then(Node::as_scalar)
        .is_some_and(|s| s.style.is_plain());
    if scalar_typed {
        diag(
            ctx,
            Code::SecretNotString,
            ptr,
            Anchor::Value,
            format!("`{name}` is written as {found}, but the server only accepts text here"),
        )
        .label("quote this")
        .help(format!(
            "put the value in quotes (`{name}: '…'`); unquoted, YAML reads it as {found}"
        ))
    } else {
        diag(
            ctx,
            Code::InvalidType,
            ptr,
            Anchor::Value,
            format!("`{name}` must be text, found {found}"),
        )
        .help("write the secret as one quoted value")
    }
}
