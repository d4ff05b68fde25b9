//! The cost of the key derivations a key file asks for, bounded before any of them runs.
//!
//! An encrypted key names its own key derivation: PBKDF2 with any iteration count, scrypt with
//! any N, r and p, the PKCS#12 KDF of a keystore's MAC and PBES1 bags. Taken as written, one 2 KB
//! file asks for hours of work or terabytes of memory. Every derivation is therefore priced
//! first ([`Kdf::cost`]), in one unit: the work of one PBKDF2-HMAC-SHA-256 iteration (0.1-0.16 µs
//! here), and checked against three limits before it runs:
//!
//! - memory: [`MAX_MEMORY`], 128 MiB for one derivation (scrypt's 128·r·(N + p + 2) bytes). OpenSSL
//!   reads and writes scrypt keys up to 32 MiB only (`openssl pkcs8 -scrypt` refuses N = 2^15,
//!   r = 8: "memory limit exceeded"); its default is N = 2^14, r = 8, 16 MiB.
//! - work per file: [`MAX_WORK_PER_FILE`], 5,000,000 units for all derivations one key file or
//!   PKCS#12 file needs: the JDK's own limit for one PKCS#12 derivation (5,000,000 iterations),
//!   8x the 600,000 PBKDF2-HMAC-SHA-256 iterations OWASP recommends, 2,400x OpenSSL's default
//!   2,048, 500x keytool's 10,000.
//! - work per run: [`RUN_BUDGET`], 10,000,000 units (about 1-1.6 s here) for all files of a run
//!   together, so that many files cannot add up past the per-file limit either.
//!
//! A derivation over a limit is not run; the key is reported as not verified, and why.

use std::sync::atomic::{AtomicU64, Ordering};

/// Memory one key derivation may use.
pub const MAX_MEMORY: u64 = 128 * 1024 * 1024;
/// Work (in PBKDF2-HMAC-SHA-256 iterations) all derivations of one file may take.
pub const MAX_WORK_PER_FILE: u64 = 5_000_000;
/// Work all files of one run may take together.
pub const RUN_BUDGET: u64 = 10_000_000;
/// The JDK's PKCS12KeyStore opens no file whose MAC, encrypted safe or key uses more iterations
/// ("MAC iteration count too large", "cert PBE iteration count too large", "key PBE iteration
/// count too large").
pub const JDK_MAX_ITERATIONS: u64 = 5_000_000;

/// A hash function as a key derivation uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }
    /// Output length in bytes.
    pub fn output_len(self) -> u64 {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
    /// Work of one use, in SHA-256 uses (measured: 1,000,000 PBKDF2 iterations take 0.14 s with
    /// SHA-1, 0.16 s with SHA-256, 0.5 s with SHA-512, which has no instructions of its own).
    fn weight(self) -> u64 {
        match self {
            Hash::Sha1 | Hash::Sha224 | Hash::Sha256 => 1,
            Hash::Sha384 | Hash::Sha512 => 3,
        }
    }
}

/// One key derivation, as a file asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kdf {
    /// PBKDF2-HMAC (PBES2) deriving `key_len` bytes.
    Pbkdf2 {
        prf: Hash,
        iterations: u64,
        key_len: u64,
    },
    /// scrypt (PBES2).
    Scrypt { n: u64, r: u64, p: u64 },
    /// The PKCS#12 KDF (RFC 7292 appendix B) of a MAC or a PBES1 scheme, deriving `outputs`
    /// values of `len` bytes each (a key and an IV, or a MAC key).
    Pkcs12 {
        hash: Hash,
        iterations: u64,
        outputs: Vec<u64>,
    },
}

/// What a derivation takes: work in PBKDF2-HMAC-SHA-256 iterations, memory in bytes (saturated
/// at `u64::MAX`: a product that does not fit is over every limit anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub work: u64,
    pub memory: u64,
}

impl Kdf {
    pub fn cost(&self) -> Cost {
        match *self {
            Kdf::Pbkdf2 {
                prf,
                iterations,
                key_len,
            } => Cost {
                // one HMAC chain of `iterations` per output block of the hash's length
                work: iterations
                    .saturating_mul(key_len.div_ceil(prf.output_len()).max(1))
                    .saturating_mul(prf.weight()),
                memory: 0,
            },
            Kdf::Scrypt { n, r, p } => Cost {
                // ROMix: 2N BlockMix per lane, each 2r Salsa20/8 (about one SHA-256 each)
                work: 4u64.saturating_mul(n).saturating_mul(r).saturating_mul(p),
                // V (128·r·N), B (128·r·p) and XY (256·r)
                memory: n
                    .checked_add(p)
                    .and_then(|x| x.checked_add(2))
                    .and_then(|x| x.checked_mul(r))
                    .and_then(|x| x.checked_mul(128))
                    .unwrap_or(u64::MAX),
            },
            Kdf::Pkcs12 {
                hash,
                iterations,
                ref outputs,
            } => Cost {
                work: outputs
                    .iter()
                    .map(|len| len.div_ceil(hash.output_len()).max(1))
                    .sum::<u64>()
                    .saturating_mul(iterations)
                    .saturating_mul(hash.weight()),
                memory: 0,
            },
        }
    }

    /// The iteration count the JDK checks against [`JDK_MAX_ITERATIONS`] (none for scrypt).
    pub fn iterations(&self) -> Option<u64> {
        match *self {
            Kdf::Pbkdf2 { iterations, .. } | Kdf::Pkcs12 { iterations, .. } => Some(iterations),
            Kdf::Scrypt { .. } => None,
        }
    }

    /// `PBKDF2-HMAC-SHA-256 with 4,294,967,295 iterations`, `scrypt with N = 2^40, r = 8, p = 1`.
    pub fn describe(&self) -> String {
        match *self {
            Kdf::Pbkdf2 {
                prf, iterations, ..
            } => format!(
                "PBKDF2-HMAC-{} with {} iterations",
                prf.name(),
                grouped(iterations)
            ),
            Kdf::Scrypt { n, r, p } => {
                let n = if n.is_power_of_two() && n > 1024 {
                    format!("2^{}", n.trailing_zeros())
                } else {
                    grouped(n)
                };
                format!("scrypt with N = {n}, r = {r}, p = {p}")
            }
            Kdf::Pkcs12 {
                hash, iterations, ..
            } => format!(
                "the PKCS#12 KDF with {} and {} iterations",
                hash.name(),
                grouped(iterations)
            ),
        }
    }
}

/// Why a derivation was not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TooCostly {
    /// It needs more than [`MAX_MEMORY`].
    Memory { kdf: String, memory: u64 },
    /// It (or with the derivations of the same file before it) is more than
    /// [`MAX_WORK_PER_FILE`].
    Work {
        /// The derivation (the dearest, of several priced together).
        kdf: String,
        /// All derivations of the file up to this one.
        total: u64,
        /// How many derivations the file needed up to this one.
        count: u32,
    },
    /// The run's budget is spent.
    Budget,
}

impl TooCostly {
    /// Why the key was not decrypted, for a message ("... was not decrypted: {}").
    pub fn describe(&self) -> String {
        match self {
            TooCostly::Memory { kdf, memory } => format!(
                "its key derivation, {kdf}, needs {} of memory; this tool gives one derivation at most {} (OpenSSL reads scrypt keys of up to 32 MiB)",
                bytes(*memory),
                bytes(MAX_MEMORY)
            ),
            TooCostly::Work { kdf, count: 1, .. } => format!(
                "its key derivation, {kdf}, is more work than this tool spends on one file (the work of {} PBKDF2-HMAC-SHA-256 iterations; OpenSSL and keytool write 2,048 to 600,000)",
                grouped(MAX_WORK_PER_FILE)
            ),
            TooCostly::Work { kdf, total, count } => format!(
                "its {count} key derivations (the dearest: {kdf}) add up to the work of {} PBKDF2-HMAC-SHA-256 iterations, more than this tool spends on one file ({})",
                grouped(*total),
                grouped(MAX_WORK_PER_FILE)
            ),
            TooCostly::Budget => format!(
                "the run's budget for key derivation (the work of {} PBKDF2-HMAC-SHA-256 iterations for all files together) was spent on the files before it",
                grouped(RUN_BUDGET)
            ),
        }
    }
}

/// The key-derivation work left to a run, shared by everything that opens keys in it.
#[derive(Debug)]
pub struct Budget {
    left: AtomicU64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(RUN_BUDGET)
    }
}

impl Budget {
    pub fn new(work: u64) -> Self {
        Budget {
            left: AtomicU64::new(work),
        }
    }

    /// Take `work` from what is left, or nothing when not that much is left.
    fn take(&self, work: u64) -> bool {
        self.left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(work)
            })
            .is_ok()
    }

    pub fn left(&self) -> u64 {
        self.left.load(Ordering::SeqCst)
    }

    /// A meter for the derivations of one file.
    pub fn meter(&self) -> Meter<'_> {
        Meter {
            budget: self,
            spent: 0,
            count: 0,
        }
    }
}

/// The derivations of one file, charged one by one before each runs.
#[derive(Debug)]
pub struct Meter<'a> {
    budget: &'a Budget,
    spent: u64,
    count: u32,
}

impl Meter<'_> {
    /// Whether `kdf` may run: within the memory limit, within the file's limit with what the
    /// file took before, and within what is left of the run's budget (then it is taken from it).
    pub fn charge(&mut self, kdf: &Kdf) -> Result<(), TooCostly> {
        let cost = kdf.cost();
        if cost.memory > MAX_MEMORY {
            return Err(TooCostly::Memory {
                kdf: kdf.describe(),
                memory: cost.memory,
            });
        }
        let total = self.spent.saturating_add(cost.work);
        let count = self.count.saturating_add(1);
        if total > MAX_WORK_PER_FILE {
            return Err(TooCostly::Work {
                kdf: kdf.describe(),
                total,
                count,
            });
        }
        if !self.budget.take(cost.work) {
            return Err(TooCostly::Budget);
        }
        self.spent = total;
        self.count = count;
        Ok(())
    }
}

impl Meter<'_> {
    /// Whether all of `kdfs` could run, without charging them: each within the memory limit,
    /// together within the file's limit and what is left of the run's budget. For what can be
    /// priced before any of it runs (the layers of a PKCS#12 file).
    pub fn fits<'k>(&self, kdfs: impl Iterator<Item = &'k Kdf>) -> Result<(), TooCostly> {
        let mut work = 0u64;
        let mut count = self.count;
        let mut dearest: Option<(u64, &Kdf)> = None;
        for k in kdfs {
            let cost = k.cost();
            if cost.memory > MAX_MEMORY {
                return Err(TooCostly::Memory {
                    kdf: k.describe(),
                    memory: cost.memory,
                });
            }
            work = work.saturating_add(cost.work);
            count = count.saturating_add(1);
            if dearest.is_none_or(|(w, _)| cost.work > w) {
                dearest = Some((cost.work, k));
            }
        }
        let total = self.spent.saturating_add(work);
        if let Some((_, k)) = dearest
            && total > MAX_WORK_PER_FILE
        {
            return Err(TooCostly::Work {
                kdf: k.describe(),
                total,
                count,
            });
        }
        if work > self.budget.left() {
            return Err(TooCostly::Budget);
        }
        Ok(())
    }
}

/// `4,294,967,295`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `128 MiB`, `1 PiB` (rounded, in the largest unit it reaches; `u64::MAX`: more than any).
fn bytes(n: u64) -> String {
    if n == u64::MAX {
        return "more than 16 EiB".into();
    }
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let i = (0..units.len())
        .rev()
        .find(|&i| n >= 1u64 << (10 * i))
        .unwrap_or(0);
    let v = n as f64 / (1u64 << (10 * i)) as f64;
    if v < 10.0 && v.fract() >= 0.05 {
        format!("{v:.1} {}", units[i])
    } else {
        format!("{} {}", grouped(v.round() as u64), units[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_of_what_real_tools_write_are_within_the_limits() {
        // OpenSSL's pkcs8 default, keytool's PKCS#12 default, OWASP's recommendation
        for iterations in [2_048, 10_000, 600_000] {
            let k = Kdf::Pbkdf2 {
                prf: Hash::Sha256,
                iterations,
                key_len: 32,
            };
            assert_eq!(k.cost().work, iterations);
        }
        // SHA-1 for AES-256 runs two chains (20-byte blocks)
        let sha1 = Kdf::Pbkdf2 {
            prf: Hash::Sha1,
            iterations: 1_300_000,
            key_len: 32,
        };
        assert_eq!(sha1.cost().work, 2_600_000);
        // OpenSSL's scrypt default: N = 2^14, r = 8, p = 1 is 16 MiB
        let s = Kdf::Scrypt {
            n: 1 << 14,
            r: 8,
            p: 1,
        };
        assert_eq!(s.cost().memory, 128 * 8 * ((1 << 14) + 3));
        assert!(s.cost().work < MAX_WORK_PER_FILE);
        let budget = Budget::default();
        assert!(budget.meter().charge(&s).is_ok());
    }

    #[test]
    fn hostile_parameters_are_refused_before_they_run() {
        let budget = Budget::default();
        let huge = Kdf::Scrypt {
            n: 1 << 40,
            r: 8,
            p: 1,
        };
        assert!(matches!(
            budget.meter().charge(&huge),
            Err(TooCostly::Memory { .. })
        ));
        let overflow = Kdf::Scrypt {
            n: u64::MAX,
            r: u64::from(u16::MAX),
            p: 1,
        };
        assert_eq!(overflow.cost().memory, u64::MAX);
        let many = Kdf::Pbkdf2 {
            prf: Hash::Sha512,
            iterations: u64::from(u32::MAX),
            key_len: 32,
        };
        assert!(matches!(
            budget.meter().charge(&many),
            Err(TooCostly::Work { count: 1, .. })
        ));
        assert_eq!(budget.left(), RUN_BUDGET, "nothing refused is charged");
    }

    #[test]
    fn a_file_and_a_run_add_up() {
        let budget = Budget::default();
        let million = Kdf::Pbkdf2 {
            prf: Hash::Sha256,
            iterations: 1_000_000,
            key_len: 32,
        };
        let mut one = budget.meter();
        for _ in 0..5 {
            one.charge(&million).expect("five fit one file");
        }
        assert!(matches!(
            one.charge(&million),
            Err(TooCostly::Work { count: 6, .. })
        ));
        let mut two = budget.meter();
        for _ in 0..5 {
            two.charge(&million).expect("and five more the run");
        }
        assert_eq!(budget.meter().charge(&million), Err(TooCostly::Budget));
    }

    #[test]
    fn numbers_for_messages() {
        assert_eq!(grouped(4_294_967_295), "4,294,967,295");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(bytes(MAX_MEMORY), "128 MiB");
        assert_eq!(bytes(1 << 50), "1 PiB");
        assert_eq!(bytes((1 << 50) + 3072), "1 PiB");
        assert_eq!(bytes(5 * 1024 * 1024 + 1), "5 MiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(100), "100 bytes");
        assert_eq!(bytes(u64::MAX), "more than 16 EiB");
        assert_eq!(
            Kdf::Scrypt {
                n: 1 << 40,
                r: 8,
                p: 1
            }
            .describe(),
            "scrypt with N = 2^40, r = 8, p = 1"
        );
    }
}
