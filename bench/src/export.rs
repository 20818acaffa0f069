//! `ucap-bench export`: the open-data exports on a dataset and on one four times its size. An
//! export streams from a cursor, so the server's peak memory may not grow with the data: the run
//! fails when the larger dataset's exports raise the peak by more than 1.5× the smaller one's
//! (plus 8 MiB of allocator noise).

use std::time::{Duration, Instant};

use super::server::Server;

/// The exports measured, largest first.
pub const FILES: [&str; 4] = ["plans.json", "iati.xml", "activities.csv", "plans.csv"];

/// What the exports of one dataset cost.
#[derive(Debug, Clone)]
pub struct Figures {
    pub plans: usize,
    /// (file, bytes, seconds) per export.
    pub files: Vec<(&'static str, u64, f64)>,
    /// The server's peak RSS before the first export and after the last, in KiB.
    pub peak_before_kib: u64,
    pub peak_after_kib: u64,
}

impl Figures {
    pub fn growth_kib(&self) -> u64 {
        self.peak_after_kib.saturating_sub(self.peak_before_kib)
    }
}

/// Downloads every export of [`FILES`] once, as an anonymous client, counting bytes as they come.
pub async fn measure(server: &Server, plans: usize) -> anyhow::Result<Figures> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(900))
        .build()?;
    let peak_before_kib = server.memory().map(|m| m.peak_kib).unwrap_or_default();
    let mut files = Vec::new();
    for file in FILES {
        let started = Instant::now();
        let res = client
            .get(format!("{}/export/{file}", server.base))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "{file}: {}", res.status());
        let mut res = res;
        let mut bytes = 0u64;
        while let Some(chunk) = res.chunk().await? {
            bytes += chunk.len() as u64;
        }
        files.push((file, bytes, started.elapsed().as_secs_f64()));
    }
    let peak_after_kib = server.memory().map(|m| m.peak_kib).unwrap_or_default();
    Ok(Figures {
        plans,
        files,
        peak_before_kib,
        peak_after_kib,
    })
}

/// Prints both runs and says whether memory stayed flat.
pub fn report(small: &Figures, large: &Figures) -> bool {
    for f in [small, large] {
        println!("\n{} plans:", f.plans);
        println!(
            "  {:<16} {:>12} {:>9} {:>9}",
            "file", "bytes", "seconds", "MB/s"
        );
        for (file, bytes, secs) in &f.files {
            println!(
                "  {file:<16} {bytes:>12} {secs:>9.2} {:>9.1}",
                *bytes as f64 / 1e6 / secs.max(1e-9)
            );
        }
        println!(
            "  server peak RSS: {:.1} MiB before the exports, {:.1} MiB after (+{:.1} MiB)",
            f.peak_before_kib as f64 / 1024.0,
            f.peak_after_kib as f64 / 1024.0,
            f.growth_kib() as f64 / 1024.0
        );
    }
    let bytes = |f: &Figures| f.files.iter().map(|(_, b, _)| b).sum::<u64>() as f64;
    let limit = small.growth_kib() as f64 * 1.5 + 8.0 * 1024.0;
    let flat = (large.growth_kib() as f64) <= limit;
    println!(
        "\n{:.1}× the bytes exported; peak growth {:.1} MiB vs {:.1} MiB (limit {:.1} MiB): {}",
        bytes(large) / bytes(small).max(1.0),
        large.growth_kib() as f64 / 1024.0,
        small.growth_kib() as f64 / 1024.0,
        limit / 1024.0,
        if flat {
            "constant memory"
        } else {
            "MEMORY GROWS WITH THE DATA"
        }
    );
    flat
}
