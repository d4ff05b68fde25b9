//! Golden snapshots of every output format on one sample, to pin today's output whole: `check`
//! in every `--format` (human without and with colour), `explain` in human and JSON, and
//! `check --quiet`, each as one snapshot of command line, exit code, standard output and standard
//! error (see [`transcript`]).
//!
//! The sample, `tests/fixtures/golden/config.yaml`, has CRLF line ends and holds errors and
//! warnings of several kinds, a duplicate key (a related label), secrets next to errors and in
//! a URL's query (masked as `****`), multi-byte text (`é`, and `🔑`, two UTF-16 code units, before
//! an error on its line), a tab inside a quoted value, and a warning and an error silenced by
//! `# dsf-connections: ignore[...]`. `docker-compose.yml` beside it is the same config embedded in
//! a compose file as a block scalar, so that every format pins positions in the compose file.
//! Every run also has a bad `DEFAULT_*` variable, reported against the pseudo-file
//! `<environment>`.
//!
//! Only the version (it names the commit) is normalised. Update with
//! `INSTA_UPDATE=always cargo test golden` and review the diff.

use crate::util::{run, transcript, version};

const CONFIG: &str = "tests/fixtures/golden/config.yaml";
const COMPOSE: &str = "tests/fixtures/golden/docker-compose.yml";

/// A bad default (reported against `<environment>`) and a good one (shown by `explain`).
const ENV: [(&str, &str); 2] = [
    (
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT",
        "5s",
    ),
    (
        "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_ENABLE_DEBUG_LOGGING",
        "true",
    ),
];

/// The run of `args` as one snapshot text, the version normalised; the standard output of a
/// JSON format must be JSON.
fn golden(args: &[&str]) -> String {
    let out = run(args, None, &ENV);
    let format = args.iter().skip_while(|a| **a != "--format").nth(1);
    if matches!(format, Some(&"json" | &"sarif" | &"gitlab"))
        && let Err(e) = serde_json::from_str::<serde_json::Value>(&out.stdout)
    {
        panic!("not JSON ({e}):\n{}", out.stdout);
    }
    transcript(args, &out).replace(
        &format!("\"version\": \"{}\"", version()),
        "\"version\": \"[VERSION]\"",
    )
}

macro_rules! goldens {
    ($($name:ident: $input:expr, [$($arg:expr),*];)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(stringify!($name), golden(&[$($arg,)* $input]));
            }
        )*
    };
}

goldens! {
    config_human: CONFIG, ["check", "--color", "never"];
    config_human_color: CONFIG, ["check", "--color", "always"];
    config_json: CONFIG, ["check", "--format", "json"];
    config_concise: CONFIG, ["check", "--format", "concise"];
    config_github: CONFIG, ["check", "--format", "github"];
    config_sarif: CONFIG, ["check", "--format", "sarif"];
    config_gitlab: CONFIG, ["check", "--format", "gitlab"];
    config_explain_human: CONFIG, ["explain", "--color", "never"];
    config_explain_json: CONFIG, ["explain", "--format", "json"];
    config_quiet: CONFIG, ["check", "--quiet", "--color", "never"];
    compose_human: COMPOSE, ["check", "--color", "never"];
    compose_human_color: COMPOSE, ["check", "--color", "always"];
    compose_json: COMPOSE, ["check", "--format", "json"];
    compose_concise: COMPOSE, ["check", "--format", "concise"];
    compose_github: COMPOSE, ["check", "--format", "github"];
    compose_sarif: COMPOSE, ["check", "--format", "sarif"];
    compose_gitlab: COMPOSE, ["check", "--format", "gitlab"];
    compose_explain_human: COMPOSE, ["explain", "--color", "never"];
    compose_explain_json: COMPOSE, ["explain", "--format", "json"];
    compose_quiet: COMPOSE, ["check", "--quiet", "--color", "never"];
}

/// The sample's bytes are what the doc comment says: a change of the fixture (an editor that
/// turns CRLF into LF, expands the tab or drops a character) fails here, not as a puzzling
/// snapshot diff.
#[test]
fn golden_fixtures_keep_their_bytes() {
    for path in [CONFIG, COMPOSE] {
        let bytes = std::fs::read(path).expect("golden fixture");
        let text = std::str::from_utf8(&bytes).expect("UTF-8");
        let lf = bytes.iter().filter(|&&b| b == b'\n').count();
        let crlf = text.matches("\r\n").count();
        assert!(lf > 20 && lf == crlf, "{path}: every line ends in CRLF");
        for needle in [
            "\"b\tpe\"",
            "r\u{e9}ad-timeout",
            "t\u{f6}k\u{e9}n\u{1f511}",
            "\u{20ac}",
        ] {
            assert!(text.contains(needle), "{path}: holds {needle:?}");
        }
    }
    let config = std::fs::read_to_string(CONFIG).expect("config");
    let compose = std::fs::read_to_string(COMPOSE).expect("compose");
    let embedded: String = compose
        .split_inclusive('\n')
        .filter_map(|l| l.strip_prefix("        "))
        .collect();
    assert_eq!(embedded, config, "the compose file embeds config.yaml");
}
