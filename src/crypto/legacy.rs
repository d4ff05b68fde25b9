//! OpenSSL's legacy encrypted PEM keys (`Proc-Type: 4,ENCRYPTED` with `DEK-Info: <cipher>,<iv>`),
//! which the server reads through Bouncy Castle: the key is derived from the password and the
//! first 8 bytes of the IV with OpenSSL's `EVP_BytesToKey` (MD5, one round), then the body is
//! decrypted in CBC mode with PKCS#7 padding.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyError {
    /// A cipher this tool does not decrypt (the name as in DEK-Info).
    Unsupported(String),
    Malformed,
    /// Bad padding after decryption: almost always a wrong password.
    WrongPassword,
}

/// `EVP_BytesToKey(MD5, salt = iv[..8], count = 1)`.
pub fn derive_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(len + 16);
    let mut prev: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut h = Md5::new();
        h.update(&prev);
        h.update(password);
        h.update(salt);
        prev = h.finalize().to_vec();
        key.extend_from_slice(&prev);
    }
    key.truncate(len);
    key
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn decrypt_with<C: KeyIvInit + BlockModeDecrypt>(
    key: &[u8],
    iv: &[u8],
    body: &[u8],
) -> Result<Vec<u8>, LegacyError> {
    let mut buf = body.to_vec();
    let cipher = C::new_from_slices(key, iv).map_err(|_| LegacyError::Malformed)?;
    let plain = cipher
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| LegacyError::WrongPassword)?;
    Ok(plain.to_vec())
}

/// Decrypt the body of a legacy encrypted PEM key, given its `DEK-Info` header.
pub fn decrypt(dek_info: &str, password: &[u8], body: &[u8]) -> Result<Vec<u8>, LegacyError> {
    let (cipher, iv_hex) = dek_info.split_once(',').ok_or(LegacyError::Malformed)?;
    let name = cipher.trim().to_ascii_uppercase();
    let key_len = match name.as_str() {
        "AES-128-CBC" => 16,
        "AES-192-CBC" | "DES-EDE3-CBC" => 24,
        "AES-256-CBC" => 32,
        _ => return Err(LegacyError::Unsupported(cipher.trim().to_string())),
    };
    let iv = hex(iv_hex.trim()).ok_or(LegacyError::Malformed)?;
    let salt = iv.get(..8).ok_or(LegacyError::Malformed)?;
    let key = derive_key(password, salt, key_len);
    match name.as_str() {
        "AES-128-CBC" => decrypt_with::<cbc::Decryptor<aes::Aes128>>(&key, &iv, body),
        "AES-192-CBC" => decrypt_with::<cbc::Decryptor<aes::Aes192>>(&key, &iv, body),
        "AES-256-CBC" => decrypt_with::<cbc::Decryptor<aes::Aes256>>(&key, &iv, body),
        _ => decrypt_with::<cbc::Decryptor<des::TdesEde3>>(&key, &iv, body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // `openssl enc -aes-256-cbc -k password -S 0102030405060708 -P -md md5`
        let key = derive_key(b"password", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        assert_eq!(
            hex("E7B0971E52CA5CC8D0539FB3412F6316F7BA2E6EE293D9F3457B99436B51CE02"),
            Some(key.clone())
        );
        assert_eq!(
            derive_key(b"password", &[1, 2, 3, 4, 5, 6, 7, 8], 16),
            key[..16]
        );
        assert_eq!(
            decrypt("RC4,00", b"x", b""),
            Err(LegacyError::Unsupported("RC4".into()))
        );
        assert_eq!(
            decrypt("AES-128-CBC,zz", b"x", b""),
            Err(LegacyError::Malformed)
        );
    }
}
