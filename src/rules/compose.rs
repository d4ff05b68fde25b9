//! Rules of the docker compose layer: compose's own interpolation of the value (a `$` it eats, a
//! variable that is not set, a required one, a `${` it cannot read), and the container's files
//! (a secret the config names that the service does not mount, a folder no mount covers). They
//! point into the compose file; the interpolation rules at the `${...}` as written.

use super::{Ctx, Rule, on_value};
use crate::compose::interpolate::{Finding, FindingKind};
use crate::diag::{Applicability, Diagnostic, Fix, FixDoc, Outcome, Severity};
use crate::files::{Found, Unmounted};
use crate::model::{Connection, FileRef, Trust};
use crate::secrets::{Piece, Text};
use crate::source::{FileId, Span};
use crate::text;

pub static COMPOSE_UNESCAPED_DOLLAR: Rule = Rule {
    fix: Some(FixDoc {
        applicability: Applicability::Unsafe,
        why: "that the `$` is a literal one (a password's) and not a variable meant to be set is a guess: the fix doubles it (`$$`), which compose reads as one `$`",
    }),
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
    fix: None,
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
    fix: None,
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
    fix: None,
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
    fix: None,
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
    fix: None,
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
    fix: None,
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
pub fn interpolation(
    file: FileId,
    text: &str,
    span: Span,
    variable: &str,
    f: &Finding,
) -> Diagnostic {
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
    // `$word` written where the diagnostic is: `$$word`
    let fix = (std::ptr::eq(rule, &COMPOSE_UNESCAPED_DOLLAR)
        && text.get(span.range()).is_some_and(|t| t.starts_with('$')))
    .then(|| crate::diag::Edit::insert(span.start, "$"))
    .map(|e| Fix {
        description: Text::from("write `$$` for a literal `$`"),
        applicability: Applicability::Unsafe,
        edits: vec![e],
    });
    Diagnostic::new(rule, file, span, message)
        .at("")
        .label(label)
        .help(help)
        .maybe_fix(fix)
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

pub static COMPOSE_INVALID_ENVIRONMENT: Rule = Rule {
    fix: None,
    name: "compose-invalid-environment",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "an entry of `environment:` docker compose refuses: compose does not start",
    docs: r##"**What:** An entry of a service's `environment:` is not what compose accepts: in the list form an item that is a mapping (`- DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |` instead of `- DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG=...`) or a list, in the mapping form a value that is a list or mapping instead of a string, number, boolean or null.

**Why it matters:** `docker compose up` stops with `services.bpe.environment... must be a string`: the BPE is not started. A tool that skipped the entry would report a clean file.

Bad:

```yaml
services:
  bpe:
    environment:
      - TZ=Europe/Berlin
      - DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
          fhir:
            base-url: https://fhir.example.org/fhir
```

**Fix:** Use one form for the whole block: the mapping form (`KEY: value` lines, a block scalar for the config), or list items `- KEY=value`."##,
};

/// An entry of `environment:` compose refuses, where it is written.
pub fn invalid_environment(file: FileId, span: Span, why: &'static str) -> Diagnostic {
    Diagnostic::new(
        &COMPOSE_INVALID_ENVIRONMENT,
        file,
        span,
        text!("docker compose refuses this `environment:` entry: {}", why),
    )
    .label("compose refuses this")
    .help("write the whole block in one form: `KEY: value` lines (a block scalar `KEY: |` for the config), or `- KEY=value` items")
}

pub static VARIABLE_MISSPELT: Rule = Rule {
    fix: None,
    name: "variable-misspelt",
    severity: Severity::Error,
    outcome: Some(Outcome::SilentlyWrong),
    summary: "a variable named almost like one the BPE reads, which the server does not find",
    docs: r##"**What:** A variable of the BPE's environment (a compose service's `environment:` or `env_file:`, or the environment of this tool) is named almost like `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG`, one of its `..._DEFAULT_*` variables, the OIDC cache variables or `DEV_DSF_PROXY_*`: a letter or word missing or extra, mixed case, `-` for `_`, the `DEV_DSF_BPE_...` start left out, or a `_FILE` the BPE reads only for passwords and secrets. It is not one of the BPE's documented variables either (the table of DSF 2.1.1's variables is built in).

The BPE reads its variables through Spring's placeholders: for `dev.dsf.bpe.fhir.client.connections.config` it looks for `dev.dsf.bpe.fhir.client.connections.config`, `dev_dsf_bpe_fhir_client_connections_config`, `DEV.DSF.BPE.FHIR.CLIENT.CONNECTIONS.CONFIG` and `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG`, nothing else (no mixed case, no `-`; the BPE does not use Spring Boot's relaxed binding). Those other spellings are found (see `variable-spelling`); this code is for names the server does not find.

**Why it matters:** The server never sees the value and starts without complaint: a misspelt config variable leaves the BPE with only its built-in `#dsf` connection, a misspelt default or proxy variable leaves the built-in value. Process plugins fail hours later.

Bad:

```yaml
services:
  bpe:
    environment:
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTION_CONFIG: |     # CONNECTIONS
        fhir:
          base-url: https://fhir.example.org/fhir
```

**Fix:** Rename the variable as the help says."##,
};

pub static VARIABLE_SPELLING: Rule = Rule {
    fix: None,
    name: "variable-spelling",
    severity: Severity::Warning,
    outcome: None,
    summary: "a variable the server finds under another spelling than the documented one",
    docs: r##"**What:** A variable of the connections family is spelt as Spring also finds it, not as documented: all lower case with `_` (`dev_dsf_bpe_fhir_client_connections_config`), or with `.` (`dev.dsf.bpe...`, `DEV.DSF.BPE...`); for `*_PASSWORD_FILE` any case. The tool checks it as the variable it stands for.

**Why it matters:** It works, but the spelling hides it from people and tools that look for the documented name, and when both spellings are set the server takes the first Spring tries (`dev.dsf...`, then `dev_dsf...`, then `DEV.DSF...`, then `DEV_DSF...`): a lower-case leftover in an `env_file` wins over the `DEV_DSF_...` value in `environment:`.

Bad:

```yaml
    environment:
      dev_dsf_bpe_fhir_client_connections_config: |
        fhir:
          base-url: https://fhir.example.org/fhir
```

**Fix:** Use the documented name (`DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG`), and set each variable once."##,
};

/// A variable name the BPE takes otherwise than meant.
pub fn variable_name(
    file: FileId,
    span: Span,
    name: &str,
    service: Option<&str>,
    finding: &crate::compose::NameFinding,
) -> Diagnostic {
    use crate::compose::NameFinding;
    use crate::compose::names::How;
    // variable names are not secrets; the name is quoted from where it is written
    let written = Piece::decoded(file, span, name);
    let of = match service {
        Some(s) => text!(" of service `{}`", Piece::value(s)),
        None => Text::new(),
    };
    match finding {
        NameFinding::Misspelt { meant, how, set } => {
            let what = if *meant == crate::input::ENV_VAR {
                Text::from(
                    "the server does not read it, and without the config it runs with only the built-in `#dsf` connection",
                )
            } else {
                Text::from("the server does not read it and uses the built-in value instead")
            };
            let why = match how {
                How::Case => {
                    " (the server looks only for `DEV_DSF_...` with `_` or `.`, or the property's own spelling in lower case: not mixed case, not `-`)"
                }
                How::Prefix => " (the name lacks the start the server looks for)",
                How::File => {
                    " (the BPE reads a `_FILE` variable only for passwords and secrets: put the value itself into the variable)"
                }
                How::Letters => "",
            };
            let also = if *set {
                text!("; {} is set too, so this one is only a leftover", *meant)
            } else {
                Text::new()
            };
            Diagnostic::new(
                &VARIABLE_MISSPELT,
                file,
                span,
                text!(
                    "variable `{}`{} is not one the BPE reads: {}{}",
                    written.clone(),
                    of,
                    what,
                    also
                ),
            )
            .label(text!("did you mean {}?", *meant))
            .help(text!("rename it to `{}`{}", *meant, why))
        }
        NameFinding::Spelling {
            canonical,
            shadows,
            shadowed_by,
        } => {
            let mut d = Diagnostic::new(
                &VARIABLE_SPELLING,
                file,
                span,
                text!(
                    "variable `{}`{} is found by the server as {} (Spring also looks up the lower-case and dotted spellings), but it is not the documented name",
                    written.clone(),
                    of.clone(),
                    *canonical
                ),
            )
            .label("an undocumented spelling")
            .help(text!("write `{}`, and set it only once", *canonical));
            if let Some((f, s, n)) = shadows {
                d = d.outcome(Some(Outcome::SilentlyWrong)).related(
                    crate::diag::Label::new(*f, *s).message(text!(
                        "`{}` is set too, and ignored: the server reads this spelling first",
                        Piece::decoded(*f, *s, n)
                    )),
                );
            }
            if let Some((f, s, n)) = shadowed_by {
                d.message = text!(
                    "variable `{}`{} is ignored: the server reads `{}` for {} first (Spring's order: `dev.dsf...`, `dev_dsf...`, `DEV.DSF...`, `DEV_DSF...`)",
                    written,
                    of,
                    Piece::decoded(*f, *s, n),
                    *canonical
                );
                d = d
                    .outcome(Some(Outcome::SilentlyWrong))
                    .related(crate::diag::Label::new(*f, *s).message("the server reads this one"));
            }
            d
        }
    }
}

pub static COMPOSE_NO_CONFIG: Rule = Rule {
    fix: None,
    name: "compose-no-config",
    severity: Severity::Warning,
    outcome: None,
    summary: "a DSF BPE service of a compose file does not set the connections config",
    docs: r##"**What:** A service of the compose file is a DSF BPE (its image is `ghcr.io/datasharingframework/bpe`, or it sets other `DEV_DSF_BPE_*` variables) and sets no `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG` (nor a misspelling of it, which is `variable-misspelt`), neither in `environment:` nor in an `env_file:`.

**Why it matters:** The BPE then runs with only its built-in `#dsf` connection: process plugins that use another connection fail when they run. That may be intended (a site without such plugins), so this is a warning; the config may also come from a `conf/config.properties` in the image, which this tool does not see.

**Fix:** Set the variable in the service's `environment:` (a block scalar `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |`), or ignore the code if the BPE needs no connection."##,
};

/// A BPE service without the config, at its name.
pub fn no_config(file: FileId, span: Span, service: &str) -> Diagnostic {
    Diagnostic::new(
        &COMPOSE_NO_CONFIG,
        file,
        span,
        text!(
            "service `{}` is a DSF BPE but sets no {}: it runs with only the built-in `#dsf` connection",
            Piece::value(service),
            crate::input::ENV_VAR
        ),
    )
    .label("no connections config")
    .help(text!(
        "set {} in its `environment:` (`{}: |` and the YAML below it), or ignore this if the BPE needs no connection",
        crate::input::ENV_VAR,
        crate::input::ENV_VAR
    ))
}

pub static CONFIG_TOO_LARGE: Rule = Rule {
    fix: None,
    name: "config-too-large",
    severity: Severity::Error,
    outcome: Some(Outcome::DoesNotStart),
    summary: "the config is over the 131,028 bytes Linux allows an environment variable of its name",
    docs: r##"**What:** Linux refuses one environment string over 131,072 bytes (`MAX_ARG_STRLEN`; the name, `=` and the closing NUL included), so `DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG` can hold at most 131,028 bytes. The config (as the container gets it, after compose's interpolation) is larger. This is an error where the config travels in the environment (a compose file, its `env_file:` or `.env`, the variable itself) and a warning for a standalone config file, which could also reach the BPE through a properties file, without that limit.

**Why it matters:** The container cannot start: `exec` fails with "argument list too long" before the BPE runs.

**Fix:** Make the config smaller (connections the BPE does not use, comments, long `required-audience` lists), or give it to the BPE in `conf/config.properties` (`dev.dsf.bpe.fhir.client.connections.config=...`), which has no such limit."##,
};

/// A config over the limit of one environment string; `in_environment`: it travels there.
pub fn too_large(file: FileId, text: &str, bytes: usize, in_environment: bool) -> Diagnostic {
    // the first line with text, at most 64 bytes of it
    let mut start = text.len() - text.trim_start().len();
    // past comment lines (a generated config's header)
    while text[start..].starts_with('#') {
        let next = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        start = next + (text[next..].len() - text[next..].trim_start().len());
    }
    let rest = &text[start..];
    let end = rest.find(['\n', '\r']).unwrap_or(rest.len()).min(64);
    let end = start + crate::source::floor_char(rest, end);
    let first = start;
    let limit = crate::compose::MAX_ENV_STRING - crate::input::ENV_VAR.len() - 2;
    let size = bytes - crate::input::ENV_VAR.len() - 2;
    let mut d = Diagnostic::new(
        &CONFIG_TOO_LARGE,
        file,
        Span::new(first, end),
        text!(
            "the config is {} bytes, over the {} bytes Linux allows in {}: {}",
            Piece::own(thousands(size)),
            Piece::own(thousands(limit)),
            crate::input::ENV_VAR,
            if in_environment {
                "the container cannot start (\"argument list too long\")"
            } else {
                "given in the environment, the container could not start (\"argument list too long\")"
            }
        ),
    )
    .at("")
    .label(text!("{} bytes", Piece::own(thousands(size))))
    .help("make the config smaller, or give it to the BPE in conf/config.properties, which has no such limit");
    if !in_environment {
        d.severity = Severity::Warning;
        d.outcome = Some(Outcome::MayFail);
    }
    d
}

/// `131028` as `131,028`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
