//! The access-token checks of the server's OIDC client (`OidcClientJersey.verifyAndDecodeAccessToken`
//! with java-jwt 4.5, spec fact 42), as pure functions: JWKS reading, JWS decoding, the key of
//! `kid` (`use` = `sig`, RSA ≥ 2048 bit or EC P-256/384/521, `alg` RS/ES 256/384/512), the
//! algorithm match, the signature, `exp`/`nbf`/`iat` with leeway, `aud`, `azp`.
//!
//! Signatures are verified by `ring` (RSA PKCS#1 v1.5, ECDSA P-256/P-384) and RustCrypto's `p521`
//! (ECDSA P-521, which ring lacks); no cryptography is written here.

use base64::Engine;
use serde_json::Value;

/// One JWKS key, as the server's `Jwks.JwksKey` record reads it (unknown members ignored).
#[derive(Debug, Clone, Default)]
pub(crate) struct Jwk {
    pub kid: Option<String>,
    pub kty: Option<String>,
    pub alg: Option<String>,
    pub crv: Option<String>,
    pub use_: Option<String>,
    pub n: Option<String>,
    pub e: Option<String>,
    pub x: Option<String>,
    pub y: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        // Jackson turns scalars into strings for String fields
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(_) => None,
    }
}

/// The JWKS document. Errors are those that make the server's `Jwks` constructor throw.
pub(crate) fn parse_jwks(body: &[u8]) -> Result<Vec<Jwk>, String> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let keys = match doc.get("keys") {
        Some(Value::Array(a)) => a,
        Some(Value::Null) | None => return Ok(Vec::new()),
        Some(_) => return Err("`keys` is not an array".into()),
    };
    let mut out: Vec<Jwk> = Vec::new();
    for k in keys {
        let jwk = Jwk {
            kid: text(k, "kid"),
            kty: text(k, "kty"),
            alg: text(k, "alg"),
            crv: text(k, "crv"),
            use_: text(k, "use"),
            n: text(k, "n"),
            e: text(k, "e"),
            x: text(k, "x"),
            y: text(k, "y"),
        };
        if out.iter().any(|o| o.kid == jwk.kid) {
            return Err(format!(
                "two keys have the kid `{}` (the server's JWKS map rejects duplicates)",
                jwk.kid.as_deref().unwrap_or("null")
            ));
        }
        out.push(jwk);
    }
    Ok(out)
}

/// `kid (kty alg use)` for messages.
pub(crate) fn describe_key(k: &Jwk) -> String {
    let kid = k.kid.clone().unwrap_or_else(|| "-".into());
    format!("{kid} ({})", describe_key_type(k))
}

/// `kty alg [crv] use` for messages.
pub(crate) fn describe_key_type(k: &Jwk) -> String {
    let f = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    format!(
        "{} {}{}, use {}",
        f(&k.kty),
        f(&k.alg),
        k.crv.as_ref().map(|c| format!(" {c}")).unwrap_or_default(),
        f(&k.use_)
    )
}

/// A decoded JWS (compact serialisation).
pub(crate) struct Jws {
    pub header: Value,
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

fn b64(part: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| "a part is not base64url".to_string())
}

pub(crate) fn decode(token: &str) -> Result<Jws, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "it has {} part{} separated by `.`, a JWT has 3 (an opaque token? the provider must issue JWT access tokens)",
            parts.len(),
            if parts.len() == 1 { "" } else { "s" }
        ));
    }
    let header: Value = serde_json::from_slice(&b64(parts[0])?)
        .map_err(|_| "the header is not JSON".to_string())?;
    let claims: Value = serde_json::from_slice(&b64(parts[1])?)
        .map_err(|_| "the payload is not JSON".to_string())?;
    if !header.is_object() || !claims.is_object() {
        return Err("header or payload is not a JSON object".into());
    }
    Ok(Jws {
        header,
        claims,
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature: b64(parts[2])?,
    })
}

/// A JWKS key the server can use, with its algorithm.
pub(crate) struct VerifyKey {
    pub alg: &'static str,
    kind: KeyKind,
}

enum KeyKind {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ec { curve: &'static str, point: Vec<u8> },
}

/// The server's `JwksKey.toAlgorithm()`; `Err` is what makes it throw (the BPE does not start).
pub(crate) fn usable_key(k: &Jwk) -> Result<VerifyKey, String> {
    let kty = k.kty.as_deref().ok_or("the key has no `kty`")?;
    match kty {
        "RSA" => {
            let n = b64(k.n.as_deref().ok_or("the RSA key has no `n`")?)?;
            let e = b64(k.e.as_deref().ok_or("the RSA key has no `e`")?)?;
            let n: Vec<u8> = n.iter().copied().skip_while(|&b| b == 0).collect();
            let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
            if bits < 2048 {
                return Err(format!(
                    "the RSA key has {bits} bits; the server needs at least 2048"
                ));
            }
            let alg = match k.alg.as_deref() {
                Some("RS256") => "RS256",
                Some("RS384") => "RS384",
                Some("RS512") => "RS512",
                Some(a) => return Err(format!("`alg` {a} is not RS256, RS384 or RS512")),
                None => return Err("the key has no `alg` (the server needs it)".into()),
            };
            Ok(VerifyKey {
                alg,
                kind: KeyKind::Rsa { n, e },
            })
        }
        "EC" => {
            let x = b64(k.x.as_deref().ok_or("the EC key has no `x`")?)?;
            let y = b64(k.y.as_deref().ok_or("the EC key has no `y`")?)?;
            let (curve, size) = match k.crv.as_deref() {
                Some("P-256") => ("P-256", 32),
                Some("P-384") => ("P-384", 48),
                Some("P-521") => ("P-521", 66),
                Some(c) => return Err(format!("`crv` {c} is not P-256, P-384 or P-521")),
                None => return Err("the EC key has no `crv`".into()),
            };
            let alg = match k.alg.as_deref() {
                Some("ES256") => "ES256",
                Some("ES384") => "ES384",
                Some("ES512") => "ES512",
                Some(a) => return Err(format!("`alg` {a} is not ES256, ES384 or ES512")),
                None => return Err("the key has no `alg` (the server needs it)".into()),
            };
            let pad = |v: Vec<u8>| -> Result<Vec<u8>, String> {
                let v: Vec<u8> = v.into_iter().skip_while(|&b| b == 0).collect();
                if v.len() > size {
                    return Err(format!("a coordinate is too long for {curve}"));
                }
                let mut out = vec![0u8; size - v.len()];
                out.extend(v);
                Ok(out)
            };
            let mut point = vec![4u8];
            point.extend(pad(x)?);
            point.extend(pad(y)?);
            Ok(VerifyKey {
                alg,
                kind: KeyKind::Ec { curve, point },
            })
        }
        other => Err(format!("`kty` {other} is not RSA or EC")),
    }
}

impl Jws {
    pub(crate) fn header_text(&self, key: &str) -> Option<String> {
        text(&self.header, key)
    }

    /// java-jwt's signature check with the key's algorithm (the caller compared `alg` first).
    pub(crate) fn verify(&self, key: &VerifyKey) -> Result<(), String> {
        use ring::signature as sig;
        let msg = self.signing_input.as_bytes();
        let ok = match &key.kind {
            KeyKind::Rsa { n, e } => {
                let params = match key.alg {
                    "RS384" => &sig::RSA_PKCS1_2048_8192_SHA384,
                    "RS512" => &sig::RSA_PKCS1_2048_8192_SHA512,
                    _ => &sig::RSA_PKCS1_2048_8192_SHA256,
                };
                sig::RsaPublicKeyComponents { n, e }
                    .verify(params, msg, &self.signature)
                    .is_ok()
            }
            KeyKind::Ec { curve, point } => match (*curve, key.alg) {
                ("P-256", "ES256") => {
                    sig::UnparsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, point)
                        .verify(msg, &self.signature)
                        .is_ok()
                }
                ("P-384", "ES384") => {
                    sig::UnparsedPublicKey::new(&sig::ECDSA_P384_SHA384_FIXED, point)
                        .verify(msg, &self.signature)
                        .is_ok()
                }
                ("P-521", "ES512") => verify_p521(point, msg, &self.signature),
                (c, a) => {
                    return Err(format!(
                        "the key is on {c} but its `alg` is {a}: the server's check fails for this pair"
                    ));
                }
            },
        };
        if ok {
            Ok(())
        } else {
            Err("the signature does not verify with the JWKS key".into())
        }
    }

    fn number(&self, claim: &str) -> Result<Option<i64>, String> {
        match self.claims.get(claim) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| format!("`{claim}` is not a number")),
            Some(_) => Err(format!("`{claim}` is not a number")),
        }
    }

    pub(crate) fn exp(&self) -> Result<Option<i64>, String> {
        self.number("exp")
    }

    /// java-jwt's time checks: `exp` not before now − leeway, `nbf` and `iat` not after now + leeway.
    pub(crate) fn check_times(&self, now: i64, leeway: i64) -> Result<String, TimeProblem> {
        let exp = self.number("exp").map_err(TimeProblem::Invalid)?;
        let nbf = self.number("nbf").map_err(TimeProblem::Invalid)?;
        let iat = self.number("iat").map_err(TimeProblem::Invalid)?;
        if let Some(exp) = exp
            && now > exp + leeway
        {
            return Err(TimeProblem::Expired(format!(
                "the token expired at {} ({} s ago, leeway {leeway} s): check the clocks of the BPE and the OIDC provider",
                timestamp(exp),
                now - exp
            )));
        }
        for (name, value) in [("nbf", nbf), ("iat", iat)] {
            if let Some(t) = value
                && now < t - leeway
            {
                return Err(TimeProblem::NotYet(format!(
                    "`{name}` is {} ({} s in the future, leeway {leeway} s): the clocks of the BPE and the OIDC provider differ",
                    timestamp(t),
                    t - now
                )));
            }
        }
        Ok(match exp {
            Some(e) => format!("valid until {} (leeway {leeway} s)", timestamp(e)),
            None => format!("no `exp` (leeway {leeway} s)"),
        })
    }

    /// `aud` as a list (a string is one audience).
    pub(crate) fn audiences(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn claim_text(&self, claim: &str) -> Option<String> {
        text(&self.claims, claim)
    }

    /// The claims an operator may see: iss, aud, azp, client_id, exp, scope (never the token).
    pub(crate) fn public_claims(&self) -> String {
        let mut parts = Vec::new();
        for c in ["iss", "aud", "azp", "client_id", "scope"] {
            match self.claims.get(c) {
                Some(Value::String(s)) => parts.push(format!("{c}={s}")),
                Some(Value::Array(a)) => {
                    let items: Vec<String> = a
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .collect();
                    parts.push(format!("{c}=[{}]", items.join(", ")));
                }
                _ => {}
            }
        }
        if let Ok(Some(exp)) = self.exp() {
            parts.push(format!("exp={}", timestamp(exp)));
        }
        if parts.is_empty() {
            "no iss, aud, azp, exp or scope claims".into()
        } else {
            parts.join(" ")
        }
    }
}

pub(crate) enum TimeProblem {
    Expired(String),
    NotYet(String),
    Invalid(String),
}

fn verify_p521(point: &[u8], msg: &[u8], signature: &[u8]) -> bool {
    use p521::ecdsa::signature::Verifier;
    let Ok(key) = p521::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
        return false;
    };
    let Ok(sig) = p521::ecdsa::Signature::from_slice(signature) else {
        return false;
    };
    key.verify(msg, &sig).is_ok()
}

/// `2026-05-01 12:00:00 UTC`.
pub(crate) fn timestamp(unix: i64) -> String {
    let secs = unix.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        crate::crypto::date(unix),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    }

    #[test]
    fn duplicate_kids_break_the_jwks() {
        let body = br#"{"keys":[{"kid":"a","kty":"EC"},{"kid":"a","kty":"RSA"}]}"#;
        assert!(parse_jwks(body).is_err());
        let body = br#"{"keys":[{"kid":"a","kty":"EC","use":"sig"},{"kid":"b"}]}"#;
        let keys = parse_jwks(body).unwrap_or_default();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].use_.as_deref(), Some("sig"));
    }

    #[test]
    fn unusable_keys_say_why() {
        let k = Jwk {
            kty: Some("RSA".into()),
            n: Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xC1u8; 128])),
            e: Some("AQAB".into()),
            alg: Some("RS256".into()),
            ..Jwk::default()
        };
        let e = usable_key(&k).err().unwrap_or_default();
        assert!(e.contains("1024 bits"), "{e}");
        let k = Jwk {
            kty: Some("OKP".into()),
            ..Jwk::default()
        };
        assert!(usable_key(&k).err().unwrap_or_default().contains("OKP"));
        let k = Jwk {
            kty: Some("EC".into()),
            crv: Some("P-256".into()),
            x: Some("AA".into()),
            y: Some("AA".into()),
            ..Jwk::default()
        };
        assert!(usable_key(&k).err().unwrap_or_default().contains("alg"));
    }

    #[test]
    fn times_with_leeway() {
        let claims = serde_json::json!({"exp": 1000, "nbf": 900, "iat": 900});
        let token = format!(
            "{}.{}.",
            enc(&serde_json::json!({"alg":"RS256"})),
            enc(&claims)
        );
        let jws = decode(&token).unwrap_or_else(|e| panic!("{e}"));
        assert!(jws.check_times(1005, 10).is_ok());
        assert!(matches!(
            jws.check_times(1011, 10),
            Err(TimeProblem::Expired(_))
        ));
        assert!(matches!(
            jws.check_times(880, 10),
            Err(TimeProblem::NotYet(_))
        ));
        assert!(jws.check_times(890, 10).is_ok());
    }

    #[test]
    fn not_a_jwt() {
        assert!(
            decode("opaque-token")
                .err()
                .unwrap_or_default()
                .contains("1 part")
        );
        assert!(decode("a.b.c").is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(timestamp(86_399), "1970-01-01 23:59:59 UTC");
    }
}
