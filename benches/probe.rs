//! Benchmark of the probe engine: 200 connections against local servers (an in-process TLS FHIR
//! server), one of which never answers. Prints the total time against the single timeout that
//! bounds the silent one, and the peak memory of the process (servers included).
//!
//!     cargo bench --bench probe
//!
//! No network beyond 127.0.0.1; the servers are the tests' own (tests/probe/{pki,servers}.rs).

#[path = "../tests/probe/pki.rs"]
#[allow(dead_code)]
mod pki;
#[path = "../tests/probe/servers.rs"]
#[allow(dead_code)]
mod servers;

use dsf_connections::probe::{self, ProbeOptions, ProbeTarget, Resolve};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn target(i: usize, url: String, read_timeout: Duration) -> ProbeTarget {
    ProbeTarget {
        id: format!("conn-{i:03}"),
        base_url: url,
        test_on_startup: true,
        connect_timeout: Duration::from_secs(2),
        read_timeout,
        trust: pki::trust_root(),
        client_identity: None,
        basic: None,
        bearer: None,
        oidc: None,
    }
}

fn main() {
    let capability = serde_json::json!({"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1",
        "software": {"name": "bench", "version": "1"}});
    let tls = servers::tls_config(&pki::PKI.server, servers::ClientAuth::None);
    let server = servers::http(
        Some(tls),
        Arc::new(move |_r: &servers::HttpReq| servers::HttpResp::fhir(200, &capability)),
    );
    let silent = servers::silent();
    let base_rss = peak_rss_kib();
    let resolve = vec![Resolve {
        host: "fhir.test".into(),
        port: server.port,
        addr: "127.0.0.1".parse().expect("ip"),
    }];
    let url = format!("https://fhir.test:{}/fhir", server.port);
    let silent_url = format!("https://127.0.0.1:{silent}/fhir");

    println!(
        "probe bench: 200 connections, 1 never answers (TLS FHIR server on 127.0.0.1, 2 cores)"
    );
    println!(
        "{:<38} {:>11} {:>10} {:>12} {:>9}",
        "case", "concurrency", "timeout", "total", "ok"
    );
    let timeout = Duration::from_secs(2);
    let cases: Vec<(&str, usize, bool, bool)> = vec![
        ("199 answering only (baseline)", 16, false, false),
        ("200, silent one cut by --probe-timeout", 16, true, false),
        ("200, silent one ends by its read-timeout", 16, true, true),
        ("200, silent one cut by --probe-timeout", 1, true, false),
        ("200, silent one cut by --probe-timeout", 64, true, false),
    ];
    for (name, concurrency, with_silent, by_read_timeout) in cases {
        let mut targets: Vec<ProbeTarget> = (0..199)
            .map(|i| target(i, url.clone(), Duration::from_secs(600)))
            .collect();
        if with_silent {
            let read = if by_read_timeout {
                timeout
            } else {
                Duration::from_secs(600)
            };
            targets.insert(100, target(999, silent_url.clone(), read));
        }
        let options = ProbeOptions {
            concurrency,
            probe_timeout: if by_read_timeout {
                Duration::from_secs(30)
            } else {
                timeout
            },
            resolve: resolve.clone(),
            ..ProbeOptions::default()
        };
        let start = Instant::now();
        let results = probe::run(&targets, &options).expect("run");
        let total = start.elapsed();
        let ok = results.iter().filter(|r| r.ok).count();
        println!(
            "{name:<38} {concurrency:>11} {:>10} {:>10.2} s {:>5}/{}",
            format!("{} s", timeout.as_secs()),
            total.as_secs_f64(),
            ok,
            results.len()
        );
    }
    println!(
        "peak memory (VmHWM): {:.1} MiB for the whole process, {:.1} MiB before the first probe",
        peak_rss_kib() as f64 / 1024.0,
        base_rss as f64 / 1024.0
    );
}
