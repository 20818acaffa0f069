//! What the benchmark prints: the conditions of the run and one Markdown table row per query, ready to
//! paste into docs/benchmarks.md.

use std::time::Duration;

use super::cpu::Split;
use super::load::Sample;
use super::server::Memory;

/// The measurements of one query.
pub struct QueryFigures {
    pub name: String,
    pub sample: Sample,
    pub statements: Option<u64>,
    pub cpu: Option<Split>,
    pub memory: Option<Memory>,
}

/// First versus 500th page of a cursor walk.
pub struct PageFigures {
    pub page: usize,
    pub first_median: Duration,
    pub last_median: Duration,
    pub first_statements: Option<u64>,
    pub last_statements: Option<u64>,
}

pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn or_na<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "n/a".to_owned(), |v| v.to_string())
}

/// The machine: CPU count and model, load average (others' builds show up there).
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_default();
    format!("{cpus} CPUs ({model}), load average {}", load_average())
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

pub fn print_table(rows: &[QueryFigures]) {
    println!(
        "| query | req/s | p50 ms | p99 ms | errors | SQL statements/request | CPU ms/request: server / load generator / rest of machine | server RSS after |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|---:|");
    for r in rows {
        let per_request = |d: Duration| d.as_secs_f64() * 1000.0 / r.sample.requests.max(1) as f64;
        let cpu = r.cpu.map(|c| {
            format!(
                "{:.2} / {:.2} / {:.2}",
                per_request(c.server),
                per_request(c.client),
                per_request(c.other)
            )
        });
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.sample.rps(),
            ms(r.sample.percentile(0.50)),
            ms(r.sample.percentile(0.99)),
            r.sample.errors,
            or_na(r.statements),
            or_na(cpu),
            or_na(r.memory.map(|m| mib(m.rss_kib))),
        );
    }
    for r in rows {
        if let Some(e) = &r.sample.first_error {
            println!("first error of {}: {e}", r.name);
        }
    }
}

pub fn print_pages(p: &PageFigures) {
    let ratio = p.last_median.as_secs_f64() / p.first_median.as_secs_f64().max(1e-9);
    println!(
        "page 1 vs page {}: median {} ms vs {} ms ({ratio:.2}×); SQL statements {} vs {}",
        p.page,
        ms(p.first_median),
        ms(p.last_median),
        or_na(p.first_statements),
        or_na(p.last_statements),
    );
}

pub fn print_memory(m: Option<Memory>) {
    match m {
        Some(m) => println!(
            "server peak RSS (VmHWM): {}; RSS at the end: {}",
            mib(m.peak_kib),
            mib(m.rss_kib)
        ),
        None => println!("server peak RSS: n/a (no /proc)"),
    }
}
