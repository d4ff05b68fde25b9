//! Variable names as the DSF BPE finds them. The BPE is a plain Spring Framework application
//! (no Spring Boot): it reads `@Value("${dev.dsf.bpe.fhir.client.connections.config:}")`, and
//! Spring's `SystemEnvironmentPropertySource` looks a property up in the environment under
//! four names, the first one set winning: the property as written (`dev.dsf.bpe...config`),
//! with `.` and `-` made `_` (`dev_dsf_bpe_..._config`), then both again in upper case
//! (`DEV.DSF.BPE...CONFIG`, `DEV_DSF_BPE_..._CONFIG`). Nothing else binds: no mixed case, no
//! `-` for `_`, and (without Spring Boot) no relaxed matching. A `*_PASSWORD_FILE` or
//! `*_SECRET_FILE` variable is DSF's docker secrets reader's: any case, lower-cased and `_`
//! made `.`.
//!
//! [`classify`] judges one variable name of a BPE's environment against the variables of the
//! connections family (the config, its `DEFAULT_*`, the OIDC cache, `DEV_DSF_PROXY_*`): a
//! documented name of any BPE variable is fine, another spelling Spring finds stands for its
//! variable, and a name close to a family variable that the server does not find is misspelt.

use super::bpe_variables::BPE_VARIABLES;
use crate::input::ENV_VAR;

/// How the server takes a variable name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    /// A documented BPE variable, or a name not close to the connections family.
    Fine,
    /// Another spelling of `canonical` that Spring finds (`dev_dsf_..._config`).
    Spelling { canonical: &'static str },
    /// Close to `meant`, which the server does not find under this name.
    Misspelt { meant: &'static str, how: How },
}

/// Why a misspelt name is not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Only its case, `-` or `.` differ, in a way Spring does not look up (`Dev_Dsf_...`).
    Case,
    /// Letters or words differ.
    Letters,
    /// The name without its `DEV_DSF_BPE_...` start.
    Prefix,
    /// A `_FILE` the BPE does not read for this variable.
    File,
}

/// Whether `name` (documented spelling) is of the connections family.
pub fn in_family(name: &str) -> bool {
    name.starts_with(ENV_VAR) || name.starts_with("DEV_DSF_PROXY_")
}

/// The family's variables, documented spelling.
fn family() -> impl Iterator<Item = (&'static str, &'static str)> {
    BPE_VARIABLES.iter().copied().filter(|(n, _)| in_family(n))
}

/// The property a documented variable sets.
pub fn property(name: &str) -> Option<&'static str> {
    BPE_VARIABLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| *p)
}

fn is_file_variable(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [
        "_password_file",
        ".password.file",
        "_secret_file",
        ".secret.file",
    ]
    .iter()
    .any(|s| l.ends_with(s))
}

/// The names Spring looks `property` up under, in its order (the first one set wins).
pub fn spring_names(property: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in [property.to_string(), property.to_uppercase()] {
        for n in [
            p.clone(),
            p.replace('.', "_"),
            p.replace('-', "_"),
            p.replace(['.', '-'], "_"),
        ] {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Whether the server finds variable `name` as the documented `canonical`.
fn finds(name: &str, canonical: &str, property: &str) -> bool {
    // every spelling found has the documented name's length
    if name.len() != canonical.len() {
        return false;
    }
    if is_file_variable(canonical) {
        // DSF's docker secrets reader: lower-cased, `_` made `.`, `.file` cut
        let l = name.to_ascii_lowercase().replace('_', ".");
        return is_file_variable(name) && l.strip_suffix(".file") == Some(property);
    }
    spring_names(property).iter().any(|n| n == name)
}

/// Edit distance, a swap of neighbours counting once (names are at most 160 bytes here);
/// `usize::MAX` when the lengths alone put it over `max`.
fn distance_within(a: &str, b: &str, max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return usize::MAX;
    }
    // what both start and end with changes nothing: compare the rest (names of the family
    // share long starts, and a service can have thousands of variables)
    let start = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let (a, b) = (&a[start..], &b[start..]);
    let end = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>();
    strsim::osa_distance(&a[..a.len() - end], &b[..b.len() - end])
}

/// Upper case with `-` and `.` as `_`.
fn normal(name: &str) -> String {
    name.to_ascii_uppercase().replace(['-', '.'], "_")
}

/// Edit distance allowed for a name of `len` bytes.
fn limit(len: usize) -> usize {
    match len {
        0..12 => 1,
        12..24 => 2,
        _ => 3,
    }
}

/// Words a shortened name of the family starts with.
const STARTS: [&str; 9] = [
    "DSF",
    "BPE",
    "FHIR",
    "CLIENT",
    "CONNECTIONS",
    "CONFIG",
    "DEFAULT",
    "OIDC",
    "PROXY",
];

/// How far `n` (normalised) is from `f`, and how, when it is close.
fn closeness(n: &str, f: &str) -> Option<(usize, How)> {
    let d = distance_within(n, f, limit(f.len()));
    if d <= limit(f.len()) {
        return Some((d, How::Letters));
    }
    let (ns, fs): (Vec<&str>, Vec<&str>) = (n.split('_').collect(), f.split('_').collect());
    // one word more or less
    let one_off = |long: &[&str], short: &[&str]| {
        long.len() == short.len() + 1
            && (0..long.len()).any(|i| {
                long.iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, w)| *w)
                    .eq(short.iter().copied())
            })
    };
    if fs.len() >= 4 && one_off(&fs, &ns) {
        return Some((f.len() - n.len(), How::Letters));
    }
    if ns.len() >= 4 && one_off(&ns, &fs) {
        let how = if ns.last() == Some(&"FILE") {
            How::File
        } else {
            How::Letters
        };
        return Some((n.len() - f.len(), how));
    }
    // cut short
    if ns.len() >= 3 && f.starts_with(n) && n.len() * 4 >= f.len() * 3 {
        return Some((f.len() - n.len(), How::Letters));
    }
    // the end of the name only (a name with the start has been compared whole)
    if n.starts_with("DEV_DSF_") {
        return None;
    }
    for i in 1..fs.len().saturating_sub(1) {
        if !STARTS.contains(&fs[i]) {
            continue;
        }
        let suffix = fs[i..].join("_");
        let max = limit(suffix.len()).saturating_sub(1);
        if suffix.len() >= 9 && distance_within(n, &suffix, max) <= max {
            let d = distance_within(n, &suffix, max);
            return Some((d + 1, How::Prefix));
        }
    }
    None
}

/// Whether `name` could be close to the family at all: a cheap look before any distance.
fn may_be_close(n: &str) -> bool {
    (8..=160).contains(&n.len())
        && [
            "DSF",
            "BPE",
            "FHIR",
            "CONNECTION",
            "PROXY",
            "DEFAULT",
            "OIDC",
            "LEEWAY",
        ]
        .iter()
        .any(|w| n.contains(w))
}

/// How the server takes variable `name` of a BPE's environment.
pub fn classify(name: &str) -> Name {
    if BPE_VARIABLES.iter().any(|(n, _)| *n == name) {
        return Name::Fine;
    }
    for (f, p) in family() {
        if finds(name, f, p) {
            return Name::Spelling { canonical: f };
        }
    }
    let n = normal(name);
    if !may_be_close(&n) {
        return Name::Fine;
    }
    // the same name but for case, `-` or `.`: of a family variable, not found; of another
    // BPE variable, not ours to judge
    if let Some((f, _)) = BPE_VARIABLES.iter().find(|(f, _)| *f == n) {
        return if in_family(f) {
            Name::Misspelt {
                meant: f,
                how: How::Case,
            }
        } else {
            Name::Fine
        };
    }
    let Some((meant, (cost, how))) = family()
        .filter_map(|(f, _)| closeness(&n, f).map(|c| (f, c)))
        .min_by_key(|(_, (c, _))| *c)
    else {
        return Name::Fine;
    };
    // closer to another BPE variable: a misspelling of that one, not of the family
    let closer = BPE_VARIABLES
        .iter()
        .filter(|(f, _)| !in_family(f))
        .any(|(f, _)| cost > 0 && distance_within(&n, f, cost - 1) < cost);
    if closer {
        return Name::Fine;
    }
    Name::Misspelt { meant, how }
}

/// Of the names set in an environment, the one the server reads for documented `canonical`
/// (Spring's order; the documented name when it is the only one).
pub fn winner<'a>(canonical: &str, set: &[&'a str]) -> Option<&'a str> {
    let property = property(canonical)?;
    if is_file_variable(canonical) {
        return set
            .iter()
            .copied()
            .find(|n| *n == canonical)
            .or_else(|| set.iter().copied().find(|n| finds(n, canonical, property)));
    }
    spring_names(property)
        .into_iter()
        .find_map(|s| set.iter().copied().find(|n| *n == s))
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = ENV_VAR;

    #[test]
    fn spring_finds_four_spellings() {
        let lower = "dev_dsf_bpe_fhir_client_connections_config";
        assert_eq!(classify(lower), Name::Spelling { canonical: C });
        assert_eq!(
            classify("DEV.DSF.BPE.FHIR.CLIENT.CONNECTIONS.CONFIG"),
            Name::Spelling { canonical: C }
        );
        assert_eq!(classify(C), Name::Fine);
        // the lower-case spelling wins over the documented one
        assert_eq!(winner(C, &[C, lower]), Some(lower));
        // camel case in the property: all lower case is not found
        assert!(matches!(
            classify("dev_dsf_proxy_noproxy"),
            Name::Misspelt {
                meant: "DEV_DSF_PROXY_NOPROXY",
                how: How::Case
            }
        ));
        assert_eq!(
            classify("dev_dsf_proxy_noProxy"),
            Name::Spelling {
                canonical: "DEV_DSF_PROXY_NOPROXY"
            }
        );
        assert_eq!(
            classify("Dev_Dsf_Proxy_Password_File"),
            Name::Spelling {
                canonical: "DEV_DSF_PROXY_PASSWORD_FILE"
            }
        );
    }

    #[test]
    fn misspellings() {
        for (name, meant) in [
            ("DEV_DSF_BPE_FHIR_CLIENT_CONNECTION_CONFIG", C),
            ("Dev_Dsf_Bpe_Fhir_Client_Connections_Config", C),
            ("DEV-DSF-BPE-FHIR-CLIENT-CONNECTIONS-CONFIG", C),
            ("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_FILE", C),
            ("DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS", C),
            (
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATES_CAS",
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
            ),
            (
                "DEFAULT_TRUST_SERVER_CERTIFICATES_CAS",
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TRUST_SERVER_CERTIFICATE_CAS",
            ),
            (
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_TIMEOUT_CONNECT",
                "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG_DEFAULT_TIMEOUT_CONNECT",
            ),
            ("DEV_DSF_PROXY_NO_PROXY", "DEV_DSF_PROXY_NOPROXY"),
            ("DEV_DSF_PROXY_USER", "DEV_DSF_PROXY_USERNAME"),
        ] {
            assert!(
                matches!(classify(name), Name::Misspelt { meant: m, .. } if m == meant),
                "{name}: {:?}",
                classify(name)
            );
        }
    }

    #[test]
    fn real_variables_and_strangers_are_fine() {
        for name in [
            "DEV_DSF_BPE_FHIR_CLIENT_TRUST_SERVER_CERTIFICATE_CAS",
            "DEV_DSF_BPE_FHIR_CLIENT_TRUST_SERVER_CERTIFICATES_CAS",
            "DEV_DSF_BPE_DB_URL",
            "DEV_DSF_PROXY_PASSWORD_FILE",
            "DEV_DSF_SERVER_AUTH_OIDC_PROVIDER_CLIENT_TIMEOUT_CONNECT",
            "TZ",
            "HTTPS_PROXY",
            "JAVA_OPTS",
            "EXTRA_JVM_ARGS",
        ] {
            assert_eq!(classify(name), Name::Fine, "{name}");
        }
    }

    /// The table as `bpe_variables.rs` holds it, made from the DSF documentation's list.
    fn generated() -> String {
        let md = include_str!("../../tests/fixtures/dsf/dsf-bpe-2.1.1-configuration.md");
        let mut out = String::from(
            "//! Generated from `tests/fixtures/dsf/dsf-bpe-2.1.1-configuration.md` (the DSF documentation's\n//! list of every BPE variable, v2.1.1) by `UPDATE_DOCS=1 cargo test bpe_variables_are_generated`.\n\n/// (variable, Spring property) of every documented BPE variable; a `*_FILE` variable names the\n/// property its file's first line sets (DSF's docker secrets reader).\n#[rustfmt::skip]\npub static BPE_VARIABLES: &[(&str, &str)] = &[\n",
        );
        let mut lines = md.lines().peekable();
        while let Some(l) = lines.next() {
            let Some(heading) = l.strip_prefix("### ") else {
                continue;
            };
            let Some(property) = lines
                .peek()
                .and_then(|p| p.strip_prefix("- **Property:** "))
            else {
                continue;
            };
            for name in heading.split(" or ") {
                out.push_str(&format!(
                    "    (\"{}\", \"{}\"),\n",
                    name.trim(),
                    property.trim()
                ));
            }
        }
        out.push_str("];\n");
        out
    }

    #[test]
    fn bpe_variables_are_generated() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/compose/bpe_variables.rs");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, generated()).unwrap_or_else(|e| panic!("{e}"));
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == generated(),
            "src/compose/bpe_variables.rs is out of date: UPDATE_DOCS=1 cargo test bpe_variables_are_generated"
        );
        assert_eq!(BPE_VARIABLES.len(), 145);
    }
}
