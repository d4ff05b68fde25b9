//! Benchmark of the probe engine: 200 connections against local servers (an in-process TLS FHIR
//! server), one of which never answers. Prints the total time against the single timeout that
//! bounds the silent one, and the peak memory of the process (servers included); then 200
//! connections to a server streaming endless bodies, and the peak memory after them.
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
        "probe bench: 200 connections, some never answer (TLS FHIR server on 127.0.0.1, 2 cores)"
    );
    println!(
        "{:<38} {:>11} {:>10} {:>12} {:>9}",
        "case", "concurrency", "timeout", "total", "ok"
    );
    let timeout = Duration::from_secs(2);
    // (case, concurrency, silent connections among the 200, silent ones end by read-timeout)
    let cases: Vec<(&str, usize, usize, bool)> = vec![
        ("200 answering (baseline)", 16, 0, false),
        ("1 silent, cut by --probe-timeout", 16, 1, false),
        ("1 silent, ended by its read-timeout", 16, 1, true),
        ("1 silent, cut by --probe-timeout", 1, 1, false),
        ("1 silent, cut by --probe-timeout", 64, 1, false),
        ("20 silent, cut by --probe-timeout", 16, 20, false),
        ("20 silent, cut by --probe-timeout", 64, 20, false),
    ];
    for (name, concurrency, silent_count, by_read_timeout) in cases {
        let read = if by_read_timeout {
            timeout
        } else {
            Duration::from_secs(600)
        };
        // the silent ones spread evenly among the answering ones
        let every = 200usize.checked_div(silent_count).unwrap_or(usize::MAX);
        let targets: Vec<ProbeTarget> = (0..200)
            .map(|i| {
                if i % every == every / 2 {
                    target(i, silent_url.clone(), read)
                } else {
                    target(i, url.clone(), Duration::from_secs(600))
                }
            })
            .collect();
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

    // hostile: every connection streams an endless CapabilityStatement (plain HTTP); the 16 MiB
    // cap and the process-wide body budget bound the memory
    let mut chunk = br#"{"resourceType": "CapabilityStatement", "x": ""#.to_vec();
    chunk.resize(64 * 1024, b'a');
    let endless = servers::streaming(
        "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json",
        chunk,
        Duration::ZERO,
    );
    let endless_url = format!("http://127.0.0.1:{endless}/fhir");
    for concurrency in [16, 200] {
        let targets: Vec<ProbeTarget> = (0..200)
            .map(|i| target(i, endless_url.clone(), Duration::from_secs(10)))
            .collect();
        let options = ProbeOptions {
            concurrency,
            probe_timeout: Duration::from_secs(120),
            ..ProbeOptions::default()
        };
        let start = Instant::now();
        let results = probe::run(&targets, &options).expect("run");
        let capped = results
            .iter()
            .filter(|r| {
                r.steps
                    .last()
                    .is_some_and(|s| s.code == Some(&probe::codes::BODY_TOO_LARGE))
            })
            .count();
        println!(
            "200 endless 16 MiB+ bodies, concurrency {concurrency:>3}: {:.2} s, {capped}/200 capped at 16 MiB, peak memory so far {:.1} MiB",
            start.elapsed().as_secs_f64(),
            peak_rss_kib() as f64 / 1024.0
        );
    }
}
