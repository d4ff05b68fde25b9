//! Secrets (passwords, tokens, client secrets, private-key bytes) in types that cannot be printed
//! by accident: `Debug` shows `Secret(****)`, there is no `Display` and no `Serialize`, and the
//! value is reached only through an explicit `expose()`. Every output path of the tool that sees
//! a secret therefore has to say so in the code.

use std::fmt;

/// A secret text (a password, token or client secret).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    pub fn new(value: impl Into<Box<str>>) -> Self {
        Secret(value.into())
    }
    /// The secret itself. Callers must never put it into output.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

/// Secret bytes (decoded private-key material).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Box<[u8]>);

impl SecretBytes {
    pub fn new(value: impl Into<Box<[u8]>>) -> Self {
        SecretBytes(value.into())
    }
    /// The bytes themselves. Callers must never put them into output.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_reveals() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(****)");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(****))");
        assert_eq!(s.expose(), "hunter2");
        let b = SecretBytes::new(vec![1u8, 2, 3]);
        assert_eq!(format!("{b:?}"), "SecretBytes(3 bytes)");
    }
}
