//! A small OpenID provider for the probe tests: discovery, JWKS and a client-credentials token
//! endpoint over TLS, signing JWT access tokens with RSA (RS256/384/512 from the throw-away
//! fixture key), ECDSA P-256/P-384 (ring) or P-521 (p521). Every field a test may break is a knob.

use super::pki::{PKI, RSA_KEY_PEM};
use super::servers::{self, ClientAuth, HttpReq, HttpResp, Server};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self as sig, KeyPair};
use serde_json::{Value, json};
use std::sync::Arc;

pub const CLIENT_ID: &str = "bpe-client";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Alg {
    Rs256,
    Rs384,
    Rs512,
    Es256,
    Es384,
    Es512,
}

impl Alg {
    pub fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::Es512 => "ES512",
        }
    }
}

/// What the issuer publishes and issues; defaults are all correct.
#[derive(Clone)]
pub struct Knobs {
    pub alg: Alg,
    pub client_secret: String,
    /// Replaces the issuer in the discovery document.
    pub issuer: Option<String>,
    /// Appended to the issuer in the discovery document.
    pub issuer_suffix: &'static str,
    pub grant_types: Vec<&'static str>,
    pub token_endpoint_scheme: &'static str,
    pub jwks_scheme: &'static str,
    pub discovery_status: u16,
    /// `use` of the JWKS key; `None` leaves it out.
    pub jwk_use: Option<&'static str>,
    /// Replaces `alg` of the JWKS key (`Some("")` leaves it out).
    pub jwk_alg: Option<&'static str>,
    /// A second key with the same kid.
    pub duplicate_kid: bool,
    /// Replaces the RSA modulus with a 1024-bit one.
    pub small_rsa: bool,
    /// The token header's kid; `None` leaves it out.
    pub token_kid: Option<&'static str>,
    /// Replaces the token header's alg.
    pub token_alg: Option<&'static str>,
    pub tamper: bool,
    pub opaque: bool,
    pub aud: Value,
    /// `None` leaves azp out.
    pub azp: Option<String>,
    /// exp relative to now, in seconds; `None` leaves it out.
    pub exp_in: Option<i64>,
    pub iat_in: i64,
    /// The `error_description` of a rejected token request, made from the client secret the
    /// request carried (an echoing provider); `None`: a fixed text.
    pub token_error: Option<fn(&str) -> String>,
    /// The token endpoint names `fhir.test` (another origin, same server) instead of `oidc.test`.
    pub token_elsewhere: bool,
    /// The token endpoint answers the POST with `303 See Other` to where a GET (with the same
    /// Basic auth, no form) gets the token.
    pub token_see_other: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            alg: Alg::Rs256,
            client_secret: "oidc-client-secret".into(),
            issuer: None,
            issuer_suffix: "",
            grant_types: vec!["authorization_code", "client_credentials"],
            token_endpoint_scheme: "https",
            jwks_scheme: "https",
            discovery_status: 200,
            jwk_use: Some("sig"),
            jwk_alg: None,
            duplicate_kid: false,
            small_rsa: false,
            token_kid: Some("key-1"),
            token_alg: None,
            tamper: false,
            opaque: false,
            aud: json!(["fhir-server", "other"]),
            azp: Some(CLIENT_ID.into()),
            exp_in: Some(300),
            iat_in: 0,
            token_error: None,
            token_elsewhere: false,
            token_see_other: false,
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

enum Signer {
    Rsa(sig::RsaKeyPair, &'static dyn sig::RsaEncoding),
    Ec(sig::EcdsaKeyPair, &'static str),
    P521(Box<p521::ecdsa::SigningKey>),
}

fn signer(alg: Alg) -> Signer {
    let rng = SystemRandom::new();
    let ec = |a: &'static sig::EcdsaSigningAlgorithm, crv: &'static str| {
        let doc = sig::EcdsaKeyPair::generate_pkcs8(a, &rng).expect("ec key");
        Signer::Ec(
            sig::EcdsaKeyPair::from_pkcs8(a, doc.as_ref(), &rng).expect("ec pair"),
            crv,
        )
    };
    match alg {
        Alg::Rs256 | Alg::Rs384 | Alg::Rs512 => {
            let der = pem::parse(RSA_KEY_PEM).expect("pem").into_contents();
            let pair = sig::RsaKeyPair::from_pkcs8(&der).expect("rsa pair");
            let enc: &'static dyn sig::RsaEncoding = match alg {
                Alg::Rs384 => &sig::RSA_PKCS1_SHA384,
                Alg::Rs512 => &sig::RSA_PKCS1_SHA512,
                _ => &sig::RSA_PKCS1_SHA256,
            };
            Signer::Rsa(pair, enc)
        }
        Alg::Es256 => ec(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256"),
        Alg::Es384 => ec(&sig::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384"),
        Alg::Es512 => {
            let mut bytes = [0u8; 66];
            ring::rand::SecureRandom::fill(&rng, &mut bytes).expect("random");
            bytes[0] = 0; // below the P-521 group order
            Signer::P521(Box::new(
                p521::ecdsa::SigningKey::from_slice(&bytes).expect("p521 key"),
            ))
        }
    }
}

impl Signer {
    fn jwk(&self, k: &Knobs) -> Value {
        let mut jwk = match self {
            Signer::Rsa(pair, _) => {
                let c: sig::RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
                let n: Vec<u8> = c.n.iter().copied().skip_while(|&b| b == 0).collect();
                let n = if k.small_rsa { n[..128].to_vec() } else { n };
                json!({"kty": "RSA", "n": b64(&n), "e": b64(&c.e)})
            }
            Signer::Ec(pair, crv) => {
                let p = pair.public_key().as_ref();
                let half = (p.len() - 1) / 2;
                json!({"kty": "EC", "crv": crv, "x": b64(&p[1..1 + half]), "y": b64(&p[1 + half..])})
            }
            Signer::P521(key) => {
                let point = key.verifying_key().to_sec1_bytes();
                json!({"kty": "EC", "crv": "P-521", "x": b64(&point[1..67]), "y": b64(&point[67..])})
            }
        };
        jwk["kid"] = json!("key-1");
        jwk["alg"] = json!(k.alg.name());
        match k.jwk_alg {
            Some("") => {
                jwk.as_object_mut().map(|o| o.remove("alg"));
            }
            Some(a) => jwk["alg"] = json!(a),
            None => {}
        }
        if let Some(u) = k.jwk_use {
            jwk["use"] = json!(u);
        }
        jwk
    }

    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match self {
            Signer::Rsa(pair, enc) => {
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(*enc, &rng, msg, &mut out).expect("rsa sign");
                out
            }
            Signer::Ec(pair, _) => pair.sign(&rng, msg).expect("ec sign").as_ref().to_vec(),
            Signer::P521(key) => {
                use p521::ecdsa::signature::Signer as _;
                let s: p521::ecdsa::Signature = key.sign(msg);
                s.to_bytes().to_vec()
            }
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub struct Issuer {
    pub server: Server,
    /// `https://oidc.test:PORT/realms/test`
    pub base_url: String,
}

/// An issuer at `https://oidc.test:PORT/realms/test` (resolve oidc.test to 127.0.0.1).
pub fn start(knobs: Knobs) -> Issuer {
    let signer = Arc::new(signer(knobs.alg));
    let tls = servers::tls_config(&PKI.server, ClientAuth::None);
    let server = servers::http_with_port(Some(tls), move |port| {
        let base = format!("https://oidc.test:{port}/realms/test");
        Arc::new(move |r: &HttpReq| handle(r, &base, &knobs, &signer))
    });
    let base_url = format!("https://oidc.test:{}/realms/test", server.port);
    Issuer { server, base_url }
}

fn handle(r: &HttpReq, base: &str, k: &Knobs, signer: &Signer) -> HttpResp {
    let path = r.path.as_str();
    let host = base.trim_start_matches("https://");
    if path == "/realms/test/.well-known/openid-configuration" {
        if k.discovery_status != 200 {
            return HttpResp::new(k.discovery_status, "text/html", "<h1>not here</h1>");
        }
        return HttpResp::json(
            200,
            &json!({
                "issuer": k.issuer.clone().unwrap_or_else(|| base.to_string()) + k.issuer_suffix,
                "token_endpoint": format!(
                    "{}://{}/{}",
                    k.token_endpoint_scheme,
                    if k.token_elsewhere { host.replace("oidc.test", "fhir.test") } else { host.to_string() },
                    if k.token_see_other { "token-303" } else { "token" }
                ),
                "jwks_uri": format!("{}://{host}/jwks", k.jwks_scheme),
                "grant_types_supported": k.grant_types,
            }),
        );
    }
    if path == "/realms/test/moved-discovery" {
        return HttpResp::new(302, "text/html", "moved").with_header(
            "Location",
            &format!("https://{host}/.well-known/openid-configuration"),
        );
    }
    if path == "/realms/test/jwks" {
        let mut keys = vec![signer.jwk(k)];
        if k.duplicate_kid {
            keys.push(signer.jwk(k));
        }
        return HttpResp::json(200, &json!({"keys": keys}));
    }
    if path == "/realms/test/token-303" && r.method == "POST" {
        return HttpResp::new(303, "text/html", "see other")
            .with_header("Location", "/realms/test/token-issued");
    }
    // the 303's GET: the server's HTTP client sends the POST's headers again, not its form
    let issued = path == "/realms/test/token-issued" && r.method == "GET" && r.body.is_empty();
    if (path == "/realms/test/token" && r.method == "POST") || issued {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{CLIENT_ID}:{}", k.client_secret))
        );
        if r.header("authorization") != Some(expected.as_str()) {
            let description = match k.token_error {
                Some(echo) => {
                    let sent = r
                        .header("authorization")
                        .and_then(|a| a.strip_prefix("Basic "))
                        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    echo(sent.split_once(':').map_or("", |(_, secret)| secret))
                }
                None => "client authentication failed".to_string(),
            };
            return HttpResp::json(
                401,
                &json!({"error": "invalid_client", "error_description": description}),
            );
        }
        if !issued && r.body != b"grant_type=client_credentials" {
            return HttpResp::json(400, &json!({"error": "unsupported_grant_type"}));
        }
        let token = if k.opaque {
            "opaque-access-token-0123456789".to_string()
        } else {
            jwt(k, base, signer)
        };
        return HttpResp::json(
            200,
            &json!({"access_token": token, "token_type": "Bearer", "expires_in": 300}),
        );
    }
    HttpResp::new(404, "text/plain", "not found")
}

fn jwt(k: &Knobs, base: &str, signer: &Signer) -> String {
    let mut header = json!({"typ": "JWT", "alg": k.token_alg.unwrap_or(k.alg.name())});
    if let Some(kid) = k.token_kid {
        header["kid"] = json!(kid);
    }
    let t = now();
    let mut claims = json!({
        "iss": base, "sub": CLIENT_ID, "aud": k.aud, "iat": t + k.iat_in, "nbf": t + k.iat_in,
        "scope": "fhir", "client_id": CLIENT_ID,
    });
    if let Some(e) = k.exp_in {
        claims["exp"] = json!(t + e);
    }
    if let Some(a) = &k.azp {
        claims["azp"] = json!(a);
    }
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut s = signer.sign(input.as_bytes());
    if k.tamper {
        s[5] ^= 0x55;
    }
    format!("{input}.{}", b64(&s))
}
