//! Rules of the docker compose layer: compose's own interpolation of the value (a `$` it eats, a
//! variable that is not set, a required one, a `${` it cannot read), and the container's files
//! (a secret the config names that the service does not mount, a folder no mount covers). They
//! point into the compose file; the interpolation rules at the `${...}` as written.

use super::{Ctx, Rule, on_value};
use crate::compose::interpolate::{Finding, FindingKind};
use crate::diag::{Diagnostic, Outcome, Severity};
use crate::files::{Found, Unmounted};
use crate::model::{Connection, FileRef, Trust};
use crate::secrets::{Piece, Text};
use crate::source::{FileId, Span};
use crate::text;

pub static COMPOSE_UNESCAPED_DOLLAR: Rule = Rule {
    name: "compose-unescaped-dollar",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "docker compose reads a `$` of the value as a variable and replaces it",
    docs: r##"**What:** A value in a compose file holds `$` followed by a name (`pa$word`), and no variable of that name is set. Docker compose interpolates every value before the container sees it: it replaces `$word` by the variable's value, here an empty string, and only logs a warning.

**Why it matters:** A generated password with a `$` in it silently loses part of itself: the BPE gets `pa` instead of `pa$word`, and the connection fails with an authentication error that looks like a wrong password. This is a classic outage after a password rotation.

Bad:

```yaml
services:
  bpe:
    environment:
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: https://fhir.example.org/fhir
          basic-auth:
            username: dsf
            password: 'pa$word'
```

**Fix:** Write `$$` for a literal `$` (`password: 'pa$$word'`), or move the secret into a file (`password-file`) mounted as a compose secret."##,
};

pub static COMPOSE_VARIABLE_UNSET: Rule = Rule {
    name: "compose-variable-unset",
    severity: Severity::Warning,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a variable the value interpolates is not set: compose substitutes an empty string",
    docs: r##"**What:** The value uses `${NAME}` (or `$NAME`) without a default, and `NAME` is set neither in the environment of `docker compose` nor in the `.env` file beside the compose file (or the `--env-file`).

**Why it matters:** Compose substitutes an empty string and starts the container anyway, with a warning that is easy to miss: a URL loses its host, a password becomes blank.

Bad:

```yaml
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: https://${FHIR_HOST}/fhir
```

**Fix:** Set the variable in `.env`, give it a default (`${FHIR_HOST:-fhir.example.org}`), or make it required (`${FHIR_HOST:?set FHIR_HOST}`) so compose refuses to start without it."##,
};

pub static COMPOSE_VARIABLE_REQUIRED: Rule = Rule {
    name: "compose-variable-required",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "a required variable (`${NAME:?message}`) is not set: compose refuses to start",
    docs: r##"**What:** The value uses `${NAME:?message}` (set and not empty) or `${NAME?message}` (set), and `NAME` is not set (or empty) in the environment of `docker compose` or the `.env` file.

**Why it matters:** Compose stops with `required variable NAME is missing a value`: the BPE is not started at all.

Bad:

```yaml
            password: '${FHIR_PASSWORD:?set it in .env}'
```

**Fix:** Set the variable in `.env` (or the deployment's environment) before `docker compose up`."##,
};

pub static COMPOSE_INVALID_INTERPOLATION: Rule = Rule {
    name: "compose-invalid-interpolation",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "a `${` compose cannot read: compose refuses to start",
    docs: r##"**What:** The value holds `${` that is not a compose expression: not followed by a variable name, with a character a name cannot have (`${1}`, `${my var}`), or without its closing `}` on the same line.

**Why it matters:** Compose stops with `invalid interpolation format`: the BPE is not started. A password or Spring placeholder with `${` is the usual cause.

Bad:

```yaml
            password: 'x${1abc'
```

**Fix:** Write `$${` for a literal `${` (also for a Spring placeholder the BPE should resolve itself: `$${NAME}`)."##,
};

pub static COMPOSE_SECRET_NOT_MOUNTED: Rule = Rule {
    name: "compose-secret-not-mounted",
    severity: Severity::Error,
    outcome: Some(Outcome::NoConnections),
    summary: "the config names /run/secrets/NAME, but the service does not mount secret NAME",
    docs: r##"**What:** A file of the config (or the default trust store) is `/run/secrets/NAME`, and the compose service does not list secret `NAME` under its `secrets:` (short syntax `- NAME`, or long syntax with `target: NAME`).

**Why it matters:** Compose mounts only the secrets a service lists. The file does not exist in the container: the server reports `file '…' not readable` and starts with no connections.

Bad:

```yaml
services:
  bpe:
    secrets:
      - dic1.crt
    environment:
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir:
          base-url: https://fhir.example.org/fhir
          cert-auth:
            certificate-file: /run/secrets/dic1.crt
            private-key-file: /run/secrets/dic1.key
            password: 'password'
secrets:
  dic1.crt:
    file: ./secrets/dic1.crt
```

**Fix:** Add the secret to the service (`- dic1.key`) and, if it is not declared yet, at the top level (`dic1.key: {file: ./secrets/dic1.key}`)."##,
};

pub static COMPOSE_PATH_NOT_MOUNTED: Rule = Rule {
    name: "compose-path-not-mounted",
    severity: Severity::Warning,
    outcome: Some(Outcome::MayFail),
    summary: "no mount of the compose service covers a folder the config names files in",
    docs: r##"**What:** A file of the config is in a folder of the container that no bind mount, volume or secret of the compose service covers (a relative path counts from the container's working directory, `/opt/bpe` unless `--container-workdir` says otherwise). The file could not be checked; it exists only if the image has it. Reported once per folder, not once per file.

**Why it matters:** A file that is neither in the image nor mounted is not readable for the server: it starts with no connections.

Bad:

```yaml
        fhir:
          base-url: https://fhir.example.org/fhir
          trusted-root-certificates-file: certs/ca.pem   # /opt/bpe/certs: not mounted
```

**Fix:** Mount the folder (`volumes: ["./certs:/opt/bpe/certs:ro"]`) or name a mounted path; or map it for the check with `--path-map /opt/bpe/certs=./certs`."##,
};

pub static COMPOSE_ENV_FILE_UNREADABLE: Rule = Rule {
    name: "compose-env-file-unreadable",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "an `env_file` of the service cannot be read: compose refuses to start",
    docs: r##"**What:** The service lists an `env_file` (short syntax, or long syntax without `required: false`) that does not exist, is not a regular file, is not UTF-8, or has a line compose cannot parse. The path counts from the compose file's folder.

**Why it matters:** `docker compose up` stops with `env file … not found`: the BPE is not started at all. The variables of that file (`DEFAULT_*` defaults, proxy settings, the connections config itself) could not be checked either.

Bad:

```yaml
services:
  bpe:
    env_file: bpe.env        # not beside the compose file
```

**Fix:** Create the file beside the compose file, fix the path, or mark it optional with the long syntax (`env_file: [{path: bpe.env, required: false}]`). In CI without the deployment's files, `--skip-file-checks` turns this check off."##,
};

/// A required `env_file` compose cannot read, at its path in the compose file.
pub fn env_file_unreadable(file: FileId, span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        &COMPOSE_ENV_FILE_UNREADABLE,
        file,
        span,
        // why: the file error, naming the path written at `span`
        text!("`env_file`: {}", Piece::value(why)),
    )
    .label("compose cannot read this file")
    .help("create the file, fix the path (it counts from the compose file's folder), or make it optional: `- path: …` with `required: false`")
}

/// A finding of compose's interpolation, at the expression as written in the host.
pub fn interpolation(file: FileId, span: Span, variable: &str, f: &Finding) -> Diagnostic {
    // the variable is written in the expression at `span`; the setting it is in has its name
    // in the compose file
    let var = |name: &str| Piece::decoded(file, span, name);
    let variable = Piece::value(variable);
    let (rule, message, label, help): (_, Text, _, Text) = match &f.kind {
        FindingKind::Unset {
            name,
            braced: false,
        } if name.chars().any(|c| c.is_ascii_lowercase()) => (
            &COMPOSE_UNESCAPED_DOLLAR,
            text!(
                "docker compose reads `${}` in ${} as a variable, and `{}` is not set: the container gets an empty string in its place",
                var(name),
                variable,
                var(name)
            ),
            "compose replaces this",
            Text::from("write `$$` for a literal `$`"),
        ),
        FindingKind::Unset { name, braced } => (
            &COMPOSE_VARIABLE_UNSET,
            text!(
                "`{}` is not set (neither in the environment nor in .env): compose puts an empty string into ${}",
                var(name),
                variable
            ),
            "empty string",
            if *braced {
                text!(
                    "set {} in .env, or give a default: `${{{}:-value}}`; write `$${{` for a literal `${{`",
                    var(name),
                    var(name)
                )
            } else {
                text!(
                    "set {} in .env, or give a default: `${{{}:-value}}`; write `$$` for a literal `$`",
                    var(name),
                    var(name)
                )
            },
        ),
        FindingKind::Required {
            name,
            message,
            empty_ok,
        } => (
            &COMPOSE_VARIABLE_REQUIRED,
            text!(
                "required variable `{}` is {}: compose refuses to start{}",
                var(name),
                if *empty_ok {
                    "not set"
                } else {
                    "not set or empty"
                },
                if message.is_empty() {
                    Text::new()
                } else {
                    text!(" (\"{}\")", var(message))
                }
            ),
            "required",
            text!(
                "set {} in .env or in the environment of `docker compose`",
                var(name)
            ),
        ),
        FindingKind::TooLarge => (
            &COMPOSE_INVALID_INTERPOLATION,
            text!(
                "the value of ${} grows beyond {} bytes through variables that refer to each other: not followed further",
                variable,
                crate::compose::interpolate::MAX_VALUE
            ),
            "grows too large",
            Text::from("check the variables this value refers to: they repeat each other"),
        ),
        FindingKind::Invalid => (
            &COMPOSE_INVALID_INTERPOLATION,
            text!(
                "invalid interpolation in ${}: compose refuses to start",
                variable
            ),
            "not a compose expression",
            Text::from(
                "a variable is `${NAME}`, `${NAME:-default}` or `${NAME:?message}`; write `$${` for a literal `${`",
            ),
        ),
    };
    Diagnostic::new(rule, file, span, message)
        .at("")
        .label(label)
        .help(help)
}

/// Every file a connection names, with its property.
fn files(c: &Connection) -> Vec<(&'static str, &FileRef)> {
    let mut out = Vec::new();
    if let Trust::Own { file, .. } = &c.trust {
        out.push(("trusted-root-certificates-file", file));
    }
    if let Some(a) = c.cert_auth.get() {
        for (p, f) in [
            ("p12-file", &a.p12_file),
            ("private-key-file", &a.private_key_file),
            ("certificate-file", &a.certificate_file),
        ] {
            if let Some(f) = f {
                out.push((p, f));
            }
        }
        if let Some(f) = &a.password_file {
            out.push(("password-file", &f.file));
        }
    }
    if let Some(f) = c.basic_auth.get().and_then(|a| a.password_file.as_ref()) {
        out.push(("password-file", &f.file));
    }
    if let Some(f) = c.bearer_auth.get().and_then(|a| a.token_file.as_ref()) {
        out.push(("token-file", &f.file));
    }
    if let Some(o) = c.oidc_auth.get() {
        if let Some(f) = &o.client_secret_file {
            out.push(("client-secret-file", &f.file));
        }
        if let Trust::Own { file, .. } = &o.trust {
            out.push(("trusted-root-certificates-file", file));
        }
    }
    out
}

/// What to say about a path no mount brings here (`None`: nothing, or said before).
pub fn unmounted(
    ctx: &Ctx,
    configured: &str,
    inside: &std::path::Path,
    u: &Unmounted,
    at: impl FnOnce(&'static Rule, Text) -> Diagnostic,
) -> Option<Diagnostic> {
    // names and paths of the compose file and the container: not secrets, shown as values
    let service = Piece::value(ctx.container.as_ref().map_or("", |c| c.service.as_str()));
    let path = |p: &std::path::Path| Piece::value(&p.display().to_string());
    match u {
        Unmounted::Secret { name, declared } => ctx.first(format!("secret:{name}")).then(|| {
            let n = Piece::value(name);
            let help = if *declared {
                text!(
                    "add `- {}` to the `secrets:` of service `{}`",
                    n.clone(),
                    service.clone()
                )
            } else {
                text!(
                    "declare it at the top level (`secrets:` → `{}:` → `file: ./secrets/{}`) and add `- {}` to the `secrets:` of service `{}`",
                    n.clone(),
                    n.clone(),
                    n.clone(),
                    service.clone()
                )
            };
            at(
                &COMPOSE_SECRET_NOT_MOUNTED,
                text!(
                    "service `{}` does not mount secret `{}`: {} does not exist in its container",
                    service,
                    n,
                    path(inside)
                ),
            )
            .label("not mounted")
            .help(help)
        }),
        Unmounted::Path { dir } => ctx.first(format!("dir:{}", dir.display())).then(|| {
            let shown = if std::path::Path::new(configured) == inside {
                Text::new()
            } else {
                text!(
                    " (`{}` is {} in the container)",
                    Piece::value(configured),
                    path(inside)
                )
            };
            at(
                &COMPOSE_PATH_NOT_MOUNTED,
                text!(
                    "no mount of service `{}` covers {}{}: its files were not checked and exist only if the image has them",
                    service,
                    path(dir),
                    shown
                ),
            )
            .label("not mounted")
            .help(text!(
                "mount the folder (`volumes: [\"./host-folder:{}:ro\"]`), or map it for the check with --path-map {}=DIR; reported once per folder",
                path(dir),
                path(dir)
            ))
        }),
        Unmounted::NotOnHost { .. } => None,
    }
}

/// Files of a compose service's connection that no mount brings into its container.
pub fn check(ctx: &Ctx, c: &Connection, out: &mut Vec<Diagnostic>) {
    let Some(container) = ctx.container.as_deref() else {
        return;
    };
    for (_, f) in files(c) {
        let (Some(p), Some(at)) = (f.path.ok(), f.path.at()) else {
            continue;
        };
        if p.trim().is_empty() || super::values::has_typographic_quotes(p) {
            continue;
        }
        let (inside, found) = container.find(p);
        if let Found::Unmounted(u) = found
            && let Some(d) = unmounted(ctx, p, &inside, &u, |rule, m| on_value(rule, at, m))
        {
            out.push(d);
        }
    }
}
