//! `explain`'s trust-store section: each distinct trust store of the shown connections that
//! holds more than [`MAX_CERTIFICATES`] certificates (a row would cut it), once per run, with the
//! connections that name it and its certificates. Their rows refer to it by index instead of
//! listing certificates, so 1,000 connections naming one store of thousands of certificates
//! all fit the output budget; the section gets what the connections leave of it
//! ([`super::explain::OUTPUT_BUDGET`]), past which certificates and connection ids are counted,
//! not listed (each store keeps its first [`MAX_CERTIFICATES`] of both whatever the budget says).

use super::explain::{CertSummary, Explained, MAX_CERTIFICATES, summarize};
use crate::crypto::CertInfo;
use crate::model::Trust;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

#[derive(Debug, Clone, Serialize)]
pub struct StoreOut {
    /// The path as the first connection naming it writes it.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    pub certificate_count: usize,
    pub certificates: Vec<CertSummary>,
    /// Certificates past the budget, counted.
    #[serde(skip_serializing_if = "is_zero")]
    pub certificates_omitted: usize,
    /// The shown connections naming it (once each, also when both their FHIR and their OIDC
    /// trust are this store).
    pub connections: Vec<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub connections_omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One trust store loaded for the run: the same `Arc` for every connection naming the same
/// canonical file (the trust-store cache), so its address tells stores apart.
pub(super) fn store_key(t: &Trust) -> Option<usize> {
    match t {
        Trust::Own { certificates, .. } => {
            certificates.ok().map(|c| std::sync::Arc::as_ptr(c).addr())
        }
        Trust::Default { store, .. } => store.as_ref().map(|s| std::sync::Arc::as_ptr(s).addr()),
    }
}

/// The certificates of each store, by [`store_key`].
pub(super) type Certs<'m> = HashMap<usize, Vec<&'m CertInfo>>;

/// Which stores get the section: those holding more certificates than a row lists (a row
/// lists a smaller store in full, as before). Their rows list no certificates: the section does.
pub(super) fn strip(e: &mut Explained, certs: &Certs) {
    let listed = |k: usize| certs.get(&k).is_some_and(|c| c.len() > MAX_CERTIFICATES);
    for r in &mut e.settings {
        if r.store_key.is_some_and(listed) {
            r.certificates.clear();
            // an index is given once the shown connections are known
            r.trust_store = Some(usize::MAX);
        }
    }
}

/// The section for the `shown` connections (their rows get their store's index), every text
/// passed through `fix` (the run's scrubber and clip).
pub(super) fn section(
    shown: &mut [Explained],
    certs: &Certs,
    now: i64,
    budget: usize,
    fix: &dyn Fn(&mut String),
) -> Vec<StoreOut> {
    let mut index: HashMap<usize, usize> = HashMap::new();
    let mut stores: Vec<(usize, StoreOut)> = Vec::new();
    for e in shown.iter_mut() {
        for r in e.settings.iter_mut().filter(|r| r.trust_store.is_some()) {
            let Some(k) = r.store_key else { continue };
            let i = *index.entry(k).or_insert_with(|| {
                stores.push((
                    k,
                    StoreOut {
                        file: r.value.clone(),
                        checked_at: r.checked_at.clone(),
                        certificate_count: r.certificate_count,
                        certificates: Vec::new(),
                        certificates_omitted: 0,
                        connections: Vec::new(),
                        connections_omitted: 0,
                    },
                ));
                stores.len() - 1
            });
            r.trust_store = Some(i);
            let ids = &mut stores[i].1.connections;
            if ids.last() != Some(&e.id) {
                ids.push(e.id.clone());
            }
        }
    }
    // pretty JSON, four levels deep
    let mut spent = stores
        .iter()
        .map(|(_, s)| super::explain::pretty_len(s, 2))
        .sum::<usize>();
    let mut out = Vec::with_capacity(stores.len());
    for (k, mut s) in stores {
        let ids = std::mem::take(&mut s.connections);
        for (n, id) in ids.into_iter().enumerate() {
            spent += id.len() + 12;
            if n < MAX_CERTIFICATES || spent <= budget {
                s.connections.push(id);
            } else {
                s.connections_omitted += 1;
            }
        }
        let all = certs.get(&k).map(Vec::as_slice).unwrap_or_default();
        for (n, c) in all.iter().enumerate() {
            if n >= MAX_CERTIFICATES && spent > budget {
                s.certificates_omitted = all.len() - n;
                break;
            }
            let mut c = summarize(std::slice::from_ref(c), now, 1).remove(0);
            fix(&mut c.subject);
            spent += super::explain::pretty_len(&c, 4);
            s.certificates.push(c);
        }
        out.push(s);
    }
    out
}

pub fn emit_human(stores: &[StoreOut], w: &mut dyn Write) -> std::io::Result<()> {
    use super::text::visible;
    use crate::crypto::kdf::grouped;
    if stores.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(
        w,
        "trust stores (each listed once; the connections refer to them by number)"
    )?;
    for (i, s) in stores.iter().enumerate() {
        writeln!(w)?;
        writeln!(w, "[{}] {}", i + 1, visible(&s.file))?;
        if let Some(at) = &s.checked_at {
            writeln!(w, "    checked at {}", visible(at))?;
        }
        let ids: Vec<_> = s.connections.iter().map(|c| visible(c)).collect();
        let more = match s.connections_omitted {
            0 => String::new(),
            n => format!(" and {} more", grouped(n as u64)),
        };
        writeln!(w, "    named by {}{more}", ids.join(", "))?;
        for c in &s.certificates {
            let state = if c.expired { "expired" } else { "valid until" };
            writeln!(
                w,
                "    certificate {}, {state} {}",
                visible(&c.subject),
                c.not_after
            )?;
        }
        if s.certificates_omitted > 0 {
            writeln!(
                w,
                "    and {} more certificates (over the output budget; all are checked)",
                grouped(s.certificates_omitted as u64)
            )?;
        }
    }
    Ok(())
}
