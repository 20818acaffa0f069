//! Where the CPU time of a load phase goes, from `/proc`: the server process, this load generator
//! (which shares the machine's cores with the server) and everything else — PostgreSQL's backends, and
//! whatever else runs on the machine at the time.

use std::time::Duration;

/// CPU time used so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot {
    server: Duration,
    client: Duration,
    machine: Duration,
}

/// CPU time used between two snapshots.
#[derive(Debug, Clone, Copy, Default)]
pub struct Split {
    pub server: Duration,
    pub client: Duration,
    /// The rest of the machine: the database server's processes and anything else running.
    pub other: Duration,
}

impl Snapshot {
    /// `None` without `/proc`.
    pub fn take(server_pid: u32) -> Option<Self> {
        Some(Self {
            server: process(&format!("/proc/{server_pid}/stat"))?,
            client: process("/proc/self/stat")?,
            machine: machine()?,
        })
    }

    pub fn since(&self, earlier: &Self) -> Split {
        let server = self.server.saturating_sub(earlier.server);
        let client = self.client.saturating_sub(earlier.client);
        let machine = self.machine.saturating_sub(earlier.machine);
        Split {
            server,
            client,
            other: machine.saturating_sub(server + client),
        }
    }
}

/// User plus system time of a process, from its `stat` file.
fn process(path: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(path).ok()?;
    // After the command name (which may hold spaces and parentheses): utime and stime are the 12th
    // and 13th fields.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(from_ticks(ticks))
}

/// Busy time of all CPUs together (user, nice, system, irq, softirq, steal), from `/proc/stat`.
fn machine() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let f: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let busy = [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|i| f.get(*i))
        .sum::<u64>();
    Some(from_ticks(busy))
}

fn from_ticks(ticks: u64) -> Duration {
    Duration::from_millis(ticks * 1000 / clock_ticks())
}

/// Kernel clock ticks a second (`getconf CLK_TCK`; 100 on every Linux this runs on).
fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(100)
    })
}
