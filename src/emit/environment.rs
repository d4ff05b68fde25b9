//! The hidden `--compose-environment`: each compose service's environment as this tool reads
//! it (files merged, includes and extends applied, values interpolated), in the shape of
//! `docker compose config --format json`'s `services.NAME.environment`, so tests can compare
//! the two. Values go through the run's Redactor like every other output.

use crate::report::Report;
use crate::secrets::Redactor;
use std::collections::BTreeMap;
use std::io::Write;

pub fn emit(report: &Report, r: &Redactor, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut services: BTreeMap<&str, BTreeMap<&str, Option<String>>> = BTreeMap::new();
    for (service, vars) in &report.environments {
        let shown = services.entry(service.as_str()).or_default();
        for (name, value) in vars {
            shown.insert(name.as_str(), value.as_deref().map(|v| r.value(v)));
        }
    }
    let json = serde_json::json!({ "services": services });
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
