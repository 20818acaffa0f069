//! `ucap-bench hostile`: the bounded load test of issue 6. Honest clients, each with its own token,
//! run the frontend operations of `docs/queries/` and write activities (create with an idempotency
//! key, then update at the version read); phase 1 measures them alone, phase 2 again while attackers
//! send hostile documents as fast as they can over HTTP and as many attack over the WebSocket
//! (subscription floods, fragment bombs, readers that never read; `ws_attacks`). Targets: no honest request gets a 5xx (or an
//! INTERNAL error, or no answer), and the honest p99 of phase 2 is at most 1.5× that of phase 1.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};

use super::attacks::{self, Attack};
use super::load::{self, percentile};
use super::queries;
use super::rng::Rng;

/// How much the honest p99 may rise while attackers run.
pub const MAX_P99_RATIO: f64 = 1.5;

/// Settings passed to the server of the hostile run: every honest client has its own token and
/// one request at a time, far under a token's limits; the attackers are anonymous on one loopback
/// address, whose allowance (10 requests a second, 2 000 complexity units a minute) they exceed at
/// once, so nearly all they send is refused before it is read.
pub const SERVER_ENV: &[(&str, &str)] = &[
    ("UCAP_RATE_LIMIT_ANONYMOUS", "600"),
    ("UCAP_COST_BUDGET_ANONYMOUS", "2000"),
];

/// What the honest clients send.
pub struct Workload {
    /// Names and JSON bodies of the read operations.
    reads: Vec<(String, String)>,
    /// A plan the editors may write to.
    plan: String,
    /// One token per honest client, and whether it writes.
    clients: Vec<(String, bool)>,
}

const ISSUE: &str = "mutation($role: Role!, $org: ID, $label: String!) { issueToken(input: { role: $role, organization: $org, label: $label, expiresIn: 86400 }) { token } }";
const PLAN_AND_ORGANIZATION: &str =
    "{ plans(first: 1) { nodes { id } } organizations(first: 1) { nodes { id } } }";
const PARTICIPATE: &str = "mutation($plan: ID!, $org: ID!) { addPlanParticipant(input: { plan: $plan, organization: $org, role: PARTNER }) { plan { id } } }";
const CREATE: &str = "mutation($plan: ID!, $t: String!, $k: String!) { createActivity(input: { plan: $plan, title: $t, kind: WORKSHOP, date: \"2024-05\", idempotencyKey: $k }) { activity { id version } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $t: String!) { updateActivity(id: $id, version: $v, input: { title: $t }) { activity { id version } } }";

impl Workload {
    /// Resolves the example operations and issues a token per client through the API: every fifth
    /// an admin, every fifth an editor of a plan's organization (both write), the rest viewers.
    pub async fn prepare(
        client: &reqwest::Client,
        url: &str,
        admin: &str,
        clients: usize,
    ) -> anyhow::Result<Self> {
        let as_admin = |query: &'static str, variables: Value| {
            let body = json!({ "query": query, "variables": variables });
            async move {
                let res = client
                    .post(url)
                    .bearer_auth(admin)
                    .json(&body)
                    .send()
                    .await?;
                let value: Value = res.json().await?;
                anyhow::ensure!(value["errors"].is_null(), "{query}: {value}");
                Ok(value)
            }
        };
        let mut reads = Vec::new();
        for op in queries::load_all(&queries::dir())? {
            let variables = queries::resolve(&op.variables, &as_admin)
                .await
                .with_context(|| format!("resolving the variables of {}", op.name))?;
            let body = json!({ "query": op.document, "variables": variables }).to_string();
            reads.push((op.name, body));
        }
        // The editors' organization takes part in the plan they write to.
        let found = as_admin(PLAN_AND_ORGANIZATION, json!({})).await?;
        let plan = found["data"]["plans"]["nodes"][0]["id"]
            .as_str()
            .context("no plan")?
            .to_owned();
        let org = found["data"]["organizations"]["nodes"][0]["id"]
            .as_str()
            .context("no organization")?
            .to_owned();
        as_admin(PARTICIPATE, json!({ "plan": plan, "org": org })).await?;
        let mut tokens = Vec::with_capacity(clients);
        for i in 0..clients {
            let (role, org) = match i % 5 {
                0 => ("ADMIN", Value::Null),
                1 => ("EDITOR", json!(org)),
                _ => ("VIEWER", json!(org)),
            };
            let label = format!("ucap-bench hostile client {i}");
            let res = as_admin(ISSUE, json!({ "role": role, "org": org, "label": label })).await?;
            let token = res["data"]["issueToken"]["token"]
                .as_str()
                .context("issueToken gave no token")?;
            tokens.push((token.to_owned(), role != "VIEWER"));
        }
        Ok(Self {
            reads,
            plan,
            clients: tokens,
        })
    }
}

/// What one group of clients saw in one phase.
#[derive(Debug, Default)]
pub struct Tally {
    pub requests: u64,
    /// 5xx, INTERNAL errors, and requests without an answer.
    pub server_errors: u64,
    /// 429 or RATE_LIMITED.
    pub rate_limited: u64,
    /// Other 4xx and GraphQL errors (a CONFLICT, a refused hostile document).
    pub refused: u64,
    pub first_server_error: Option<String>,
    /// Sorted ascending once the phase is over.
    latencies: Vec<Duration>,
    /// The latencies of each honest operation (by name), to tell which one sets the p99.
    by_operation: BTreeMap<String, Vec<Duration>>,
    pub elapsed: Duration,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.requests += other.requests;
        self.server_errors += other.server_errors;
        self.rate_limited += other.rate_limited;
        self.refused += other.refused;
        if self.first_server_error.is_none() {
            self.first_server_error = other.first_server_error;
        }
        self.latencies.extend(other.latencies);
        for (name, latencies) in other.by_operation {
            self.by_operation.entry(name).or_default().extend(latencies);
        }
    }

    /// Sorts every list of latencies, once the phase is over.
    fn sort(&mut self) {
        self.latencies.sort_unstable();
        self.by_operation
            .values_mut()
            .for_each(|l| l.sort_unstable());
    }

    pub(super) fn record(&mut self, latency: Duration, outcome: Outcome) {
        self.requests += 1;
        self.latencies.push(latency);
        match outcome {
            Outcome::Ok => {}
            Outcome::Refused => self.refused += 1,
            Outcome::RateLimited => self.rate_limited += 1,
            Outcome::ServerError(e) => {
                self.server_errors += 1;
                self.first_server_error.get_or_insert(e);
            }
        }
    }

    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Nearest-rank percentile.
    pub fn percentile(&self, q: f64) -> Duration {
        percentile(&self.latencies, q)
    }
}

pub(super) enum Outcome {
    Ok,
    Refused,
    RateLimited,
    ServerError(String),
}

/// Sends one request and classifies the answer; the body is read in full.
async fn exchange(request: reqwest::RequestBuilder) -> (Outcome, Option<Value>) {
    let res = match request.send().await {
        Ok(res) => res,
        Err(e) => return (Outcome::ServerError(format!("no answer: {e}")), None),
    };
    let status = res.status().as_u16();
    let body: Option<Value> = res
        .bytes()
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let code = body
        .as_ref()
        .and_then(|b| b["errors"][0]["extensions"]["code"].as_str());
    let outcome = match (status, code) {
        (500.., _) | (_, Some("INTERNAL")) => Outcome::ServerError(format!(
            "HTTP {status}: {}",
            body.clone().unwrap_or_default()
        )),
        (429, _) | (_, Some("RATE_LIMITED")) => Outcome::RateLimited,
        (200, None) => Outcome::Ok,
        _ => Outcome::Refused,
    };
    (outcome, body)
}

/// One honest client until `deadline`: reads, and for writers a write in four requests, each a
/// create (new idempotency key) or an update of the last activity it created at the version read.
async fn honest(
    client: reqwest::Client,
    url: String,
    work: Arc<Workload>,
    index: usize,
    deadline: Instant,
    phase: &'static str,
) -> Tally {
    let (token, writes) = work.clients[index].clone();
    let mut rng = Rng::new(0x5eed ^ index as u64 ^ (phase.len() as u64) << 32);
    let mut tally = Tally::default();
    let mut mine: Option<(Value, i64)> = None;
    let mut n = 0u64;
    while Instant::now() < deadline {
        n += 1;
        let (name, body) = if writes && rng.chance(25) {
            match &mine {
                Some((id, v)) if rng.chance(50) => ("updateActivity", json!({ "query": UPDATE, "variables": { "id": id, "v": v, "t": format!("Updated {n}") } }).to_string()),
                _ => ("createActivity", json!({ "query": CREATE, "variables": { "plan": work.plan, "t": format!("Bench activity {index}-{n}"), "k": format!("bench-{phase}-{index}-{n}") } }).to_string()),
            }
        } else {
            match rng.pick(&work.reads) {
                Some((name, body)) => (name.as_str(), body.clone()),
                None => break,
            }
        };
        let request = client
            .post(&url)
            .bearer_auth(&token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let t0 = Instant::now();
        let (outcome, answer) = exchange(request).await;
        let latency = t0.elapsed();
        tally.record(latency, outcome);
        tally
            .by_operation
            .entry(name.to_owned())
            .or_default()
            .push(latency);
        let written = answer.as_ref().map(|a| &a["data"]).and_then(|d| {
            let a = d["createActivity"]["activity"]
                .as_object()
                .or(d["updateActivity"]["activity"].as_object())?;
            Some((a.get("id")?.clone(), a.get("version")?.as_i64()?))
        });
        if written.is_some() {
            mine = written;
        }
    }
    tally
}

/// One attacker until `deadline`: the hostile requests in turn, back to back.
async fn attacker(
    client: reqwest::Client,
    url: String,
    attacks: Arc<Vec<Attack>>,
    index: usize,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut i = index;
    while Instant::now() < deadline {
        let attack = &attacks[i % attacks.len()];
        i += 1;
        let t0 = Instant::now();
        let (outcome, _) = exchange(attack.request(&client, &url)).await;
        tally.record(t0.elapsed(), outcome);
    }
    tally
}

/// Runs one phase: all honest clients and `attackers` attackers for `duration`.
pub async fn phase(
    url: &str,
    work: &Arc<Workload>,
    attackers: usize,
    duration: Duration,
    name: &'static str,
) -> anyhow::Result<(Tally, Tally)> {
    let honest_client = load::client(work.clients.len())?;
    let hostile_client = attacks::client(attackers)?;
    let attacks = Arc::new(attacks::all());
    let started = Instant::now();
    let deadline = started + duration;
    let honest_tasks: Vec<_> = (0..work.clients.len())
        .map(|i| {
            tokio::spawn(honest(
                honest_client.clone(),
                url.to_owned(),
                work.clone(),
                i,
                deadline,
                name,
            ))
        })
        .collect();
    let hostile_tasks: Vec<_> = (0..attackers)
        .map(|i| {
            tokio::spawn(attacker(
                hostile_client.clone(),
                url.to_owned(),
                attacks.clone(),
                i,
                deadline,
            ))
        })
        .collect();
    // As many WebSocket attackers: subscription floods, fragment bombs, readers that never read.
    let ws_url = format!("{}/ws", url.replacen("http", "ws", 1));
    let ws_tasks: Vec<_> = (0..attackers)
        .map(|i| tokio::spawn(super::ws_attacks::attacker(ws_url.clone(), i, deadline)))
        .collect();
    let mut good = Tally::default();
    for task in honest_tasks {
        good.add(task.await?);
    }
    good.elapsed = started.elapsed();
    let mut bad = Tally::default();
    for task in hostile_tasks.into_iter().chain(ws_tasks) {
        bad.add(task.await?);
    }
    bad.elapsed = started.elapsed();
    good.sort();
    bad.sort();
    Ok((good, bad))
}

/// Prints the table and the verdict; `Err` names every target missed.
pub fn report(phase1: &Tally, phase2: &Tally, hostile: &Tally) -> anyhow::Result<()> {
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    println!(
        "| phase | clients | requests | req/s | p50 ms | p99 ms | 5xx / INTERNAL / no answer | 429 | other refusals |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (phase, who, t) in [
        ("1", "honest", phase1),
        ("2", "honest", phase2),
        ("2", "hostile", hostile),
    ] {
        println!(
            "| {phase} | {who} | {} | {:.0} | {} | {} | {} | {} | {} |",
            t.requests,
            t.rps(),
            ms(t.percentile(0.5)),
            ms(t.percentile(0.99)),
            t.server_errors,
            t.rate_limited,
            t.refused
        );
    }
    println!();
    println!(
        "| honest operation | phase 1 requests | p50 ms | p99 ms | phase 2 requests | p50 ms | p99 ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let empty = Vec::new();
    for name in phase1
        .by_operation
        .keys()
        .chain(phase2.by_operation.keys())
        .collect::<BTreeSet<_>>()
    {
        let one = phase1.by_operation.get(name).unwrap_or(&empty);
        let two = phase2.by_operation.get(name).unwrap_or(&empty);
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            one.len(),
            ms(percentile(one, 0.5)),
            ms(percentile(one, 0.99)),
            two.len(),
            ms(percentile(two, 0.5)),
            ms(percentile(two, 0.99)),
        );
    }
    println!();
    for (who, t) in [
        ("phase 1 honest", phase1),
        ("phase 2 honest", phase2),
        ("hostile", hostile),
    ] {
        if let Some(e) = &t.first_server_error {
            println!("first server error of {who}: {e}");
        }
    }
    let ratio =
        phase2.percentile(0.99).as_secs_f64() / phase1.percentile(0.99).as_secs_f64().max(1e-9);
    let mut missed = Vec::new();
    if phase1.server_errors + phase2.server_errors > 0 {
        missed.push(format!(
            "{} honest requests got a server error",
            phase1.server_errors + phase2.server_errors
        ));
    }
    if ratio > MAX_P99_RATIO {
        missed.push(format!(
            "the honest p99 rose {ratio:.2}× under attack (at most {MAX_P99_RATIO}×)"
        ));
    }
    if phase1.requests == 0 || phase2.requests == 0 {
        missed.push("no honest request finished".to_owned());
    }
    println!(
        "honest p99 under attack: {ratio:.2}× (target ≤ {MAX_P99_RATIO}×); honest server errors: {} (target 0)",
        phase1.server_errors + phase2.server_errors
    );
    anyhow::ensure!(missed.is_empty(), "targets missed: {}", missed.join("; "));
    Ok(())
}

/// Runs `binary ARGS` against `database_url` with the server's signing key; returns its output.
pub async fn ucap(
    binary: &std::path::Path,
    database_url: &str,
    key: &std::path::Path,
    args: &[&str],
) -> anyhow::Result<String> {
    let out = tokio::process::Command::new(binary)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("UCAP_JWT_PRIVATE_KEY_FILE", key)
        .env("RUST_LOG", "warn")
        .output()
        .await?;
    anyhow::ensure!(
        out.status.success(),
        "ucap {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Warm-up, phase 1 (honest clients alone), phase 2 (with attackers), then the report.
pub async fn run(
    base: &str,
    admin: &str,
    clients: usize,
    attackers: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<()> {
    let url = format!("{base}/graphql");
    let setup = load::client(4)?;
    let work = Arc::new(Workload::prepare(&setup, &url, admin, clients).await?);
    println!(
        "{clients} honest clients ({} writing), {attackers} attackers, {} s a phase after {} s of warm-up",
        work.clients.iter().filter(|(_, w)| *w).count(),
        duration.as_secs(),
        warmup.as_secs()
    );
    phase(&url, &work, 0, warmup, "warmup").await?;
    let (phase1, _) = phase(&url, &work, 0, duration, "one").await?;
    let (phase2, hostile) = phase(&url, &work, attackers, duration, "two").await?;
    report(&phase1, &phase2, &hostile)
}
