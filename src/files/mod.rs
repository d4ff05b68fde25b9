//! The file and key service: files named in a config, read the way the BPE would find them (a
//! container path mapped to a host folder with `--path-map`, a relative path against
//! `--base-dir`), and decoded into key material once. It is shared by every connection (and by
//! threads: `Send + Sync`), reads only regular files (a FIFO or device named as a key file would
//! block forever), caps each file at 4 MiB, and caches by the canonical file within a total
//! budget, so a thousand connections naming one CA file read and decode it once, and three
//! hundred spellings of one large file cost one read. Nothing read is ever printed. For a
//! compose service, paths are the container's and are looked up through its mounts
//! (`container`).
//!
//! Keys are opened once too: a private key decrypted and its public point derived, a PKCS#12
//! file opened, per canonical file and password ([`Keys`], shared by every file service of a
//! run, compose services too), every key derivation charged to the run's one budget
//! (`crypto::kdf`). One encrypted key named by 100,000 connections is decrypted once.

pub mod container;
pub mod paths;

pub use container::{Container, Found, Unmounted};

pub use paths::{parse_path_map, trust_folder_files};

use crate::crypto::{self, CertInfo, CertsError, KeyError, P12Error, P12Info, PrivateKey};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Key, certificate and secret files are small; anything bigger is not what the config means.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;
/// Total bytes the cache keeps; beyond it files are read each time they are named.
pub const MAX_CACHE: usize = 64 * 1024 * 1024;
/// Total bytes (about) the cache of opened keys keeps; beyond it keys are opened each time,
/// within the run's budget of key derivation.
pub const MAX_KEY_CACHE: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct FileOptions {
    pub base_dir: Option<PathBuf>,
    /// (container prefix, host folder).
    pub path_maps: Vec<(PathBuf, PathBuf)>,
    pub skip: bool,
    /// The BPE's container when checking a compose service: paths go through its mounts.
    pub container: Option<Arc<Container>>,
    /// The keys opened in this run and its budget of key derivation (clones share them).
    pub keys: Arc<Keys>,
}

/// A key file's password as a cache key (kept as the config's `Secret` keeps it: in memory
/// only, never printed).
type KeyId = (PathBuf, Box<[u8]>);

/// Opened keys of a run, per canonical file and password, and the run's budget of key
/// derivation work.
#[derive(Default)]
pub struct Keys {
    pub budget: crypto::kdf::Budget,
    cache: Mutex<KeyCache>,
}

#[derive(Default)]
struct KeyCache {
    pem: HashMap<KeyId, Result<Arc<PrivateKey>, KeyError>>,
    p12: HashMap<KeyId, Result<Arc<P12Info>, P12Error>>,
    total: usize,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the cache holds passwords and keys: only how much work is left
        f.debug_struct("Keys")
            .field("budget_left", &self.budget.left())
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// Keys with a budget of `work` for the run (see `crypto::kdf`; the default is
    /// [`crypto::kdf::RUN_BUDGET`]).
    pub fn with_budget(work: u64) -> Keys {
        Keys {
            budget: crypto::kdf::Budget::new(work),
            cache: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KeyCache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// About what an opened key keeps in memory.
fn key_size(k: &PrivateKey) -> usize {
    256 + k.der.expose().len()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    NotFound,
    PermissionDenied,
    IsDirectory,
    /// A FIFO, socket or device: reading it could block forever.
    NotRegular(&'static str),
    /// Larger than the limit (in bytes) it was read with.
    TooLarge(u64),
    /// A path of the container that no mount brings here (reported by the compose rules).
    NotMounted(Unmounted),
    Other(String),
}

impl FileError {
    pub fn describe(&self) -> String {
        match self {
            FileError::NotFound => "no such file".into(),
            FileError::PermissionDenied => "permission denied".into(),
            FileError::IsDirectory => "it is a directory, not a file".into(),
            FileError::NotRegular(what) => format!("it is {what}, not a regular file"),
            FileError::TooLarge(limit) => format!("larger than {limit} bytes"),
            FileError::NotMounted(u) => match u {
                Unmounted::Secret { name, .. } => {
                    format!("the service does not mount secret `{name}`")
                }
                Unmounted::Path { dir } => {
                    format!("no mount of the service covers {}", dir.display())
                }
                Unmounted::NotOnHost { what } => format!("it is in {what}"),
            },
            FileError::Other(m) => m.clone(),
        }
    }
}

pub type Bytes = Arc<[u8]>;

/// One read: where the configured path was looked up, and what was found there.
#[derive(Debug, Clone)]
pub struct FileRead {
    /// Where it was looked up here (the container path itself when no mount brings it here).
    pub host: PathBuf,
    /// The path inside the BPE's container, when checking a compose service.
    pub container: Option<PathBuf>,
    pub content: Result<Bytes, FileError>,
}

/// A decoded file of PEM certificates (a trust store or a client certificate chain).
pub type Certificates = Result<Arc<Vec<CertInfo>>, CertsError>;

#[derive(Default)]
struct Cache {
    bytes: HashMap<PathBuf, Bytes>,
    certs: HashMap<PathBuf, Certificates>,
    total: usize,
}

pub struct FileService {
    pub options: FileOptions,
    cache: Mutex<Cache>,
    /// The default trust store, decoded on first use.
    default_trust: OnceLock<Arc<DefaultTrust>>,
}

/// The server's default trust store as found here.
#[derive(Debug)]
pub struct DefaultTrust {
    pub host: PathBuf,
    pub state: DefaultTrustState,
    /// Why a compose service's container has no such path here.
    pub unmounted: Option<Unmounted>,
}

#[derive(Debug)]
pub enum DefaultTrustState {
    /// Nothing at that path on this machine.
    Missing,
    /// Certificates, and problems with single files of a folder.
    Loaded {
        certificates: Vec<CertInfo>,
        problems: Vec<String>,
    },
}

impl FileService {
    pub fn new(mut options: FileOptions) -> Self {
        // the longest container prefix wins
        options
            .path_maps
            .sort_by_key(|(c, _)| std::cmp::Reverse(c.components().count()));
        FileService {
            options,
            cache: Mutex::new(Cache::default()),
            default_trust: OnceLock::new(),
        }
    }

    /// Where the BPE's `configured` path is on this machine, and its path in the container
    /// when checking a compose service (`Err`: no mount brings it here).
    pub fn locate(&self, configured: &str) -> (Option<PathBuf>, Result<PathBuf, Unmounted>) {
        match &self.options.container {
            Some(c) => match c.find(configured) {
                (inside, Found::Host(host)) => (Some(inside), Ok(host)),
                (inside, Found::Unmounted(u)) => (Some(inside), Err(u)),
            },
            None => (None, Ok(paths::resolve(&self.options, configured))),
        }
    }

    /// Where the BPE's `configured` path is on this machine (its container path when no mount
    /// brings it here).
    pub fn resolve(&self, configured: &str) -> PathBuf {
        match self.locate(configured) {
            (_, Ok(host)) => host,
            (inside, Err(_)) => inside.unwrap_or_else(|| PathBuf::from(configured)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // a panic while holding the lock cannot leave the cache inconsistent: use it anyway
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Read the file the config names `configured`.
    pub fn read(&self, configured: &str) -> FileRead {
        match self.locate(configured) {
            (container, Ok(host)) => {
                let content = self.read_path(&host);
                FileRead {
                    host,
                    container,
                    content,
                }
            }
            (container, Err(u)) => FileRead {
                host: container
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(configured)),
                container,
                content: Err(FileError::NotMounted(u)),
            },
        }
    }

    /// Read a file already resolved to this machine's path.
    pub fn read_host(&self, host: &Path) -> Result<Bytes, FileError> {
        self.read_path(host)
    }

    /// The private key at this machine's path, decrypted with `password` and its public half
    /// derived once per canonical file and password (`None`: the file cannot be read).
    pub fn private_key_host(
        &self,
        host: &Path,
        password: &[u8],
    ) -> Option<Result<Arc<PrivateKey>, KeyError>> {
        let keys = &self.options.keys;
        let id: KeyId = (std::fs::canonicalize(host).ok()?, password.into());
        if let Some(k) = keys.lock().pem.get(&id) {
            return Some(k.clone());
        }
        let bytes = self.read_path(&id.0).ok()?;
        let opened =
            crypto::private_key(&bytes, Some(password), &mut keys.budget.meter()).map(Arc::new);
        let size =
            id.0.as_os_str().len() + password.len() + opened.as_ref().map_or(256, |k| key_size(k));
        let mut cache = keys.lock();
        if cache.total + size <= MAX_KEY_CACHE {
            cache.total += size;
            cache.pem.insert(id, opened.clone());
        }
        Some(opened)
    }

    /// The PKCS#12 file at this machine's path, opened with `password` once per canonical file
    /// and password; without a password as the JDK opens it then (`None`: the file cannot be
    /// read).
    pub fn pkcs12_host(
        &self,
        host: &Path,
        password: Option<&str>,
    ) -> Option<Result<Arc<P12Info>, P12Error>> {
        let keys = &self.options.keys;
        // no password: a key no text password can have (0xFF is never UTF-8)
        let key: Box<[u8]> = password.map_or_else(|| Box::from([0xFF_u8]), |p| p.as_bytes().into());
        let id: KeyId = (std::fs::canonicalize(host).ok()?, key);
        if let Some(k) = keys.lock().p12.get(&id) {
            return Some(k.clone());
        }
        let bytes = self.read_path(&id.0).ok()?;
        let opened = match password {
            Some(p) => crypto::pkcs12(&bytes, p, &mut keys.budget.meter()),
            None => crypto::pkcs12_without_password(&bytes),
        }
        .map(Arc::new);
        let size = id.0.as_os_str().len()
            + id.1.len()
            + opened.as_ref().map_or(256, |p| {
                p.chain.iter().map(|c| 256 + c.der.len()).sum::<usize>()
                    + p.key.as_ref().map_or(0, key_size)
            });
        let mut cache = keys.lock();
        if cache.total + size <= MAX_KEY_CACHE {
            cache.total += size;
            cache.p12.insert(id, opened.clone());
        }
        Some(opened)
    }

    /// A file of PEM certificates at this machine's path, decoded once per canonical file.
    pub fn certificates_host(&self, host: &Path) -> Result<Certificates, FileError> {
        self.certificates_at(host)
    }

    fn read_path(&self, host: &Path) -> Result<Bytes, FileError> {
        let canonical = std::fs::canonicalize(host).map_err(io_error)?;
        if let Some(b) = self.lock().bytes.get(&canonical) {
            return Ok(Arc::clone(b));
        }
        let bytes: Bytes = read_regular(&canonical)?.into();
        let mut cache = self.lock();
        if cache.total + bytes.len() <= MAX_CACHE {
            cache.total += bytes.len();
            cache.bytes.insert(canonical, Arc::clone(&bytes));
        }
        Ok(bytes)
    }

    /// A file of PEM certificates, decoded once per canonical file.
    pub fn certificates(&self, configured: &str) -> (PathBuf, Result<Certificates, FileError>) {
        let host = self.resolve(configured);
        let result = match self.locate(configured).1 {
            Ok(_) => self.certificates_at(&host),
            Err(u) => Err(FileError::NotMounted(u)),
        };
        (host, result)
    }

    fn certificates_at(&self, host: &Path) -> Result<Certificates, FileError> {
        let canonical = std::fs::canonicalize(host).map_err(io_error)?;
        if let Some(c) = self.lock().certs.get(&canonical) {
            return Ok(c.clone());
        }
        let bytes = self.read_path(&canonical)?;
        let decoded = crypto::certificates(&bytes).map(Arc::new);
        let mut cache = self.lock();
        if cache.total + bytes.len() <= MAX_CACHE {
            cache.total += bytes.len();
            cache.certs.insert(canonical, decoded.clone());
        }
        Ok(decoded)
    }

    /// The default trust store (a PEM file, or a folder of `*.pem`/`*.crt` files), once.
    pub fn default_trust(&self, configured: &str) -> Arc<DefaultTrust> {
        Arc::clone(self.default_trust.get_or_init(|| {
            let (_, found) = self.locate(configured);
            let host = self.resolve(configured);
            let unmounted = found.err();
            let state = match std::fs::metadata(&host) {
                _ if unmounted.is_some() => DefaultTrustState::Missing,
                Err(_) => DefaultTrustState::Missing,
                Ok(meta) => {
                    let files = if meta.is_dir() {
                        trust_folder_files(&host)
                    } else {
                        vec![host.clone()]
                    };
                    let mut certificates = Vec::new();
                    let mut problems = Vec::new();
                    for f in files {
                        match self.certificates_at(&f) {
                            Ok(Ok(c)) => certificates.extend(c.iter().cloned()),
                            Ok(Err(e)) => {
                                problems.push(format!("{}: {}", f.display(), e.describe()))
                            }
                            Err(e) => problems.push(format!("{}: {}", f.display(), e.describe())),
                        }
                    }
                    DefaultTrustState::Loaded {
                        certificates,
                        problems,
                    }
                }
            };
            Arc::new(DefaultTrust {
                host,
                state,
                unmounted,
            })
        }))
    }
}

/// Read a regular file, capped at [`MAX_FILE_SIZE`]; anything else (a FIFO, a device, a
/// directory) is refused before it is opened. For every file the tool reads besides its inputs.
pub fn read_regular(path: &Path) -> Result<Vec<u8>, FileError> {
    read_regular_within(path, MAX_FILE_SIZE)
}

/// [`read_regular`] with another cap: a larger file is refused before it is read.
pub fn read_regular_within(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(io_error)?;
    check_type(&meta)?;
    if meta.len() > limit {
        return Err(FileError::TooLarge(limit));
    }
    let file = std::fs::File::open(path).map_err(io_error)?;
    // the path could have been swapped between the two looks: check the opened file itself
    check_type(&file.metadata().map_err(io_error)?)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge(limit));
    }
    Ok(bytes)
}

fn check_type(meta: &std::fs::Metadata) -> Result<(), FileError> {
    let t = meta.file_type();
    if t.is_dir() {
        return Err(FileError::IsDirectory);
    }
    if t.is_file() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Err(FileError::NotRegular("a named pipe (FIFO)"));
        }
        if t.is_socket() {
            return Err(FileError::NotRegular("a socket"));
        }
        if t.is_char_device() || t.is_block_device() {
            return Err(FileError::NotRegular("a device"));
        }
    }
    Err(FileError::NotRegular("not a regular file"))
}

fn io_error(e: std::io::Error) -> FileError {
    match e.kind() {
        std::io::ErrorKind::NotFound => FileError::NotFound,
        std::io::ErrorKind::PermissionDenied => FileError::PermissionDenied,
        std::io::ErrorKind::IsADirectory => FileError::IsDirectory,
        _ => FileError::Other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_spellings_of_one_file_are_read_and_kept_once() {
        let dir = std::env::temp_dir().join(format!("dsf-files-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("a/b"));
        std::fs::write(dir.join("ca.pem"), vec![b'x'; 1 << 20]).expect("write");
        let files = FileService::new(FileOptions {
            base_dir: Some(dir.clone()),
            ..FileOptions::default()
        });
        for i in 0..300 {
            let spelling = format!("{}ca.pem", "a/b/../../".repeat(i % 7) + &"./".repeat(i / 7));
            assert!(files.read(&spelling).content.is_ok(), "{spelling}");
        }
        let cache = files.lock();
        assert_eq!((cache.bytes.len(), cache.total), (1, 1 << 20));
        drop(cache);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// One budget for the run: five copies of a key (2,048 PBKDF2 iterations each) with room
    /// for three; each named a thousand times, by two services sharing the keys (compose
    /// services do), costs nothing more: with the budget spent, any work redone would fail.
    #[test]
    fn keys_are_opened_once_within_the_runs_budget() {
        let dir = std::env::temp_dir().join(format!("dsf-keys-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let key = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/secrets/client.key"
        ))
        .expect("fixture key");
        for i in 0..5 {
            std::fs::write(dir.join(format!("k{i}.key")), &key).expect("write");
        }
        let keys = Arc::new(Keys::with_budget(3 * 2_048));
        let service = || {
            FileService::new(FileOptions {
                base_dir: Some(dir.clone()),
                keys: Arc::clone(&keys),
                ..FileOptions::default()
            })
        };
        let (one, two) = (service(), service());
        let pw = b"fixture-password";
        for round in 0..1_000 {
            for (i, files) in [&one, &two].into_iter().cycle().take(5).enumerate() {
                let k = files
                    .private_key_host(&dir.join(format!("k{i}.key")), pw)
                    .expect("readable");
                if i < 3 {
                    assert!(k.is_ok(), "round {round}, key {i}: {:?}", k.err());
                } else {
                    assert_eq!(
                        k.err(),
                        Some(KeyError::TooCostly(crypto::kdf::TooCostly::Budget)),
                        "round {round}, key {i}"
                    );
                }
            }
        }
        assert_eq!(keys.budget.left(), 0);
        // another password is another key: not in the cache, and no budget left for it
        assert_eq!(
            one.private_key_host(&dir.join("k0.key"), b"other")
                .and_then(Result::err),
            Some(KeyError::TooCostly(crypto::kdf::TooCostly::Budget))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn service_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<FileService>();
    }
}
