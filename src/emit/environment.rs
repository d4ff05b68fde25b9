//! The hidden `--compose-environment`: each compose service's environment as this tool reads
//! it (files merged, includes and extends applied, values interpolated), in the shape of
//! `docker compose config --format json`'s `services.NAME.environment`, so tests can compare
//! the two; `mounts`: each container path of a service that sets the config, and where it
//! comes from. Values go through the run's Redactor like every other output.

use crate::report::Report;
use crate::secrets::Redactor;
use std::collections::BTreeMap;
use std::io::Write;

pub fn emit(report: &Report, r: &Redactor, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut services: BTreeMap<&str, BTreeMap<&str, Option<String>>> = BTreeMap::new();
    let mut mounts: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    for e in &report.environments {
        let shown = services.entry(e.service.as_str()).or_default();
        for (name, value) in &e.vars {
            shown.insert(name.as_str(), value.as_deref().map(|v| r.value(v)));
        }
        if !e.mounts.is_empty() {
            let m = mounts.entry(e.service.as_str()).or_default();
            for (target, from) in &e.mounts {
                m.insert(target.as_str(), r.value(from));
            }
        }
    }
    let json = serde_json::json!({ "services": services, "mounts": mounts });
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
