//! `ucap-bench`: generates a synthetic but realistic dataset on SQLite or PostgreSQL, starts the
//! release server on it and drives it over loopback HTTP with concurrent keep-alive clients on the
//! frontend operations of `docs/queries/`, then prints requests/s, p50/p99 latency, SQL statements per
//! request, the server's peak RSS and the latency of page 1 vs page 500. See docs/benchmarks.md.
//!
//! ```sh
//! cargo build --release -p ucap -p ucap-bench
//! cargo run --release -p ucap-bench -- --db postgres
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use serde_json::{Value, json};

use ucap_bench::cpu::Snapshot;
use ucap_bench::dataset::write::{self, Backend, BenchDb};
use ucap_bench::dataset::{self, Sizes};
use ucap_bench::load;
use ucap_bench::queries;
use ucap_bench::report::{self, PageFigures, QueryFigures};
use ucap_bench::server::Server;

/// Benchmark the ucap server on a generated dataset.
#[derive(Debug, Parser)]
#[command(name = "ucap-bench")]
struct Args {
    /// Database to generate and serve from.
    #[arg(long, value_enum, default_value = "sqlite")]
    db: Backend,
    #[arg(long, default_value_t = 2_000)]
    plans: usize,
    #[arg(long, default_value_t = 100_000)]
    activities: usize,
    #[arg(long, default_value_t = 20_000)]
    mous: usize,
    #[arg(long, default_value_t = 500)]
    cities: usize,
    /// Concurrent client connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Measured seconds per query.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Unmeasured warm-up seconds per query.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Operations of docs/queries to load, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "plan-explorer,city-profile,activity-timeline,dashboard-stats"
    )]
    queries: Vec<String>,
    /// Which page to compare with page 1 (20 activities a page, walked by cursor).
    #[arg(long, default_value_t = 500)]
    page: usize,
    /// Timed requests of page 1 and of the far page each.
    #[arg(long, default_value_t = 50)]
    page_samples: usize,
    /// Seed of the dataset.
    #[arg(long, default_value_t = 2017)]
    seed: u64,
    /// Admin connection used to create and drop the PostgreSQL database.
    #[arg(
        long,
        env = "UCAP_TEST_PG_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    pg_admin_url: String,
    /// The server binary (default: `ucap` next to this binary, i.e. the release build).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Leave the generated database in place (and print where it is), to look into it.
    #[arg(long)]
    keep_db: bool,
    /// The server's RUST_LOG; `info` logs every request.
    #[arg(long, default_value = "warn")]
    server_log: String,
    /// Run the server without its response cache (UCAP_RESPONSE_CACHE=false), so that every
    /// request executes its query: the cost of a query rather than of a repeated answer.
    #[arg(long)]
    no_response_cache: bool,
    #[command(subcommand)]
    mode: Option<Mode>,
}

#[derive(Debug, clap::Subcommand)]
enum Mode {
    /// The exports (`/export/…`) on a quarter of the dataset and on all of it: bytes, seconds and
    /// the server's peak memory, which must not grow with the data (fails otherwise).
    Export,
    /// The bounded load test: honest clients with tokens alone, then with attackers sending
    /// hostile documents; fails unless honest requests get no 5xx and their p99 rises at most
    /// 1.5× (on the sample plus the generated dataset; loopback only, stops by itself).
    Hostile {
        /// Seconds of each phase.
        #[arg(long, default_value_t = 60)]
        duration: u64,
        /// Honest clients, one token each.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Attackers in phase 2.
        #[arg(long, default_value_t = 10)]
        attackers: usize,
    },
    /// The cost of sharing the rate limits (PostgreSQL only): the same operations, as an
    /// anonymous client with limits too high to refuse anything, checked by the instance alone,
    /// then also in PostgreSQL, then also in Redis.
    Limits {
        /// The Redis of the third run.
        #[arg(long, default_value = "redis://127.0.0.1:6379/")]
        redis: String,
    },
}

/// The page walked for the page 1 vs page N comparison.
const ACTIVITY_PAGE: &str = "query($after: String) { activities(first: 20, after: $after, orderBy: DATE_ASC) { pageInfo { hasNextPage endCursor } nodes { id title kind date { text precision start end } } } }";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let outcome = tokio::select! {
        r = run(&args) => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ucap-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> anyhow::Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let binary = match &args.server {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("ucap"),
    };
    anyhow::ensure!(
        binary.exists(),
        "no server binary at {}: run `cargo build --release -p ucap` first (or pass --server)",
        binary.display()
    );
    let sizes = Sizes {
        plans: args.plans,
        activities: args.activities,
        mous: args.mous,
        cities: args.cities,
    };
    if let Some(Mode::Hostile {
        duration,
        clients,
        attackers,
    }) = &args.mode
    {
        return hostile(
            args,
            &binary,
            &sizes,
            &repo,
            (*duration, *clients, *attackers),
        )
        .await;
    }
    if let Some(Mode::Export) = &args.mode {
        return exports(args, &binary, &sizes, &repo).await;
    }
    if let Some(Mode::Limits { redis }) = &args.mode {
        return limits(args, &binary, &sizes, &repo, redis).await;
    }
    println!("ucap-bench: {:?}, {sizes:?}, seed {}", args.db, args.seed);
    println!("machine: {}", report::machine());

    let mut db = BenchDb::create(args.db, &args.pg_admin_url).await?;
    if args.keep_db {
        db.keep();
        println!("keeping the database: {}", db.url);
    }
    generate(&db, &sizes, args.seed, &repo).await?;

    let log = std::env::temp_dir().join(format!("ucap-bench-{}.log", std::process::id()));
    let server = Server::start(
        &binary,
        &db.url,
        &args.server_log,
        !args.no_response_cache,
        &log,
        &[],
    )
    .await?;
    println!(
        "server: {} (pid {}) on {}, response cache {}, log {}",
        binary.display(),
        server.pid,
        db.describe(),
        if args.no_response_cache { "off" } else { "on" },
        log.display()
    );
    let measured = measure(args, &server).await;
    let memory = server.memory();
    if measured.is_err() {
        eprintln!("server log:\n{}", server.log_tail());
    }
    server.stop().await;
    // The server's development signing key (`Server::start` puts it next to the log).
    let _ = std::fs::remove_file(log.with_extension("pem"));
    drop(db);
    let (rows, pages) = measured?;

    println!(
        "\n{} connections, {} s per query after {} s warm-up; load average at the end {}",
        args.connections,
        args.seconds,
        args.warmup,
        report::load_average()
    );
    report::print_table(&rows);
    match &pages {
        Ok(pages) => report::print_pages(pages),
        Err(e) => println!("page 1 vs page {}: failed: {e:#}", args.page),
    }
    report::print_memory(memory);
    if pages.is_ok() && rows.iter().all(|r| r.sample.errors == 0) {
        let _ = std::fs::remove_file(&log);
    } else {
        println!("server log kept: {}", log.display());
    }
    Ok(())
}

/// `ucap-bench hostile`: the generated dataset plus the bundled sample, a release server with the
/// settings of [`ucap_bench::hostile::SERVER_ENV`], an admin token from the command line, then the run.
async fn hostile(
    args: &Args,
    binary: &Path,
    sizes: &Sizes,
    repo: &Path,
    (duration, clients, attackers): (u64, usize, usize),
) -> anyhow::Result<()> {
    println!(
        "ucap-bench hostile: {:?}, {sizes:?}, seed {}",
        args.db, args.seed
    );
    println!("machine: {}", report::machine());
    let mut db = BenchDb::create(args.db, &args.pg_admin_url).await?;
    if args.keep_db {
        db.keep();
        println!("keeping the database: {}", db.url);
    }
    generate(&db, sizes, args.seed, repo).await?;
    let log = std::env::temp_dir().join(format!("ucap-bench-hostile-{}.log", std::process::id()));
    let key = log.with_extension("pem");
    let sample = repo.join("api/tests/fixtures/summaries/guangzhou.txt");
    let sample = sample.to_string_lossy();
    ucap_bench::hostile::ucap(binary, &db.url, &key, &["import", &sample]).await?;
    let env = ucap_bench::hostile::SERVER_ENV;
    let server = Server::start(binary, &db.url, &args.server_log, true, &log, env).await?;
    let issued = ucap_bench::hostile::ucap(
        binary,
        &db.url,
        &key,
        &[
            "token",
            "issue",
            "--role",
            "ADMIN",
            "--label",
            "ucap-bench hostile",
        ],
    )
    .await;
    let outcome = match issued {
        Ok(out) => {
            let admin = out.lines().last().unwrap_or_default().trim().to_owned();
            let (warmup, duration) = (
                Duration::from_secs(args.warmup),
                Duration::from_secs(duration),
            );
            ucap_bench::hostile::run(&server.base, &admin, clients, attackers, warmup, duration)
                .await
        }
        Err(e) => Err(e),
    };
    println!("load average at the end {}", report::load_average());
    if outcome.is_err() {
        println!("server log kept: {}\n{}", log.display(), server.log_tail());
    } else {
        let _ = std::fs::remove_file(&log);
    }
    server.stop().await;
    let _ = std::fs::remove_file(&key);
    outcome
}

/// `ucap-bench limits`: one dataset, three servers in turn whose limits are checked per instance,
/// in PostgreSQL and in Redis; the difference between their rows is the shared check's cost (its
/// store's CPU shows in the "rest of machine" column).
async fn limits(
    args: &Args,
    binary: &Path,
    sizes: &Sizes,
    repo: &Path,
    redis: &str,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        matches!(args.db, Backend::Postgres),
        "the limits are shared on PostgreSQL only: run with --db postgres"
    );
    println!("ucap-bench limits: {sizes:?}, seed {}", args.seed);
    println!("machine: {}", report::machine());
    let mut db = BenchDb::create(args.db, &args.pg_admin_url).await?;
    if args.keep_db {
        db.keep();
    }
    generate(&db, sizes, args.seed, repo).await?;
    let prefix = format!("ucap-bench-{}", std::process::id());
    // Far above what the load sends (u32 allowances), so that every check admits.
    let high = [
        ("UCAP_RATE_LIMIT_ANONYMOUS", "4000000000"),
        ("UCAP_COST_BUDGET_ANONYMOUS", "4000000000"),
    ];
    let stores: [(&str, Vec<(&str, &str)>); 3] = [
        ("this instance alone", vec![("UCAP_SHARED_LIMITS", "false")]),
        ("shared in PostgreSQL", vec![]),
        (
            "shared in Redis",
            vec![("UCAP_REDIS_URL", redis), ("UCAP_REDIS_PREFIX", &prefix)],
        ),
    ];
    let log = std::env::temp_dir().join(format!("ucap-bench-limits-{}.log", std::process::id()));
    for (store, env) in stores {
        let env: Vec<_> = high.iter().copied().chain(env).collect();
        let server = Server::start(
            binary,
            &db.url,
            &args.server_log,
            !args.no_response_cache,
            &log,
            &env,
        )
        .await?;
        let rows = measure_queries(args, &server).await;
        let fallbacks = server.counter("ucap_rate_limit_fallbacks_total").await;
        server.stop().await;
        let rows = rows?;
        println!(
            "\nlimits checked {store}, response cache {} ({} connections, {} s per query; checks decided alone: {}):",
            if args.no_response_cache { "off" } else { "on" },
            args.connections,
            args.seconds,
            fallbacks.map_or_else(|e| format!("unknown ({e})"), |n| n.unwrap_or(0).to_string())
        );
        report::print_table(&rows);
    }
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(log.with_extension("pem"));
    Ok(())
}

/// `ucap-bench export`: the same server binary on a quarter of the dataset, then on all of it.
async fn exports(args: &Args, binary: &Path, sizes: &Sizes, repo: &Path) -> anyhow::Result<()> {
    println!(
        "ucap-bench export: {:?}, {sizes:?}, seed {}",
        args.db, args.seed
    );
    println!("machine: {}", report::machine());
    let quarter = Sizes {
        plans: sizes.plans / 4,
        activities: sizes.activities / 4,
        mous: sizes.mous / 4,
        cities: sizes.cities,
    };
    let mut figures = Vec::new();
    for sizes in [quarter, *sizes] {
        let db = BenchDb::create(args.db, &args.pg_admin_url).await?;
        generate(&db, &sizes, args.seed, repo).await?;
        let log =
            std::env::temp_dir().join(format!("ucap-bench-export-{}.log", std::process::id()));
        let server = Server::start(binary, &db.url, &args.server_log, true, &log, &[]).await?;
        let measured = ucap_bench::export::measure(&server, sizes.plans).await;
        if measured.is_err() {
            eprintln!("server log:\n{}", server.log_tail());
        }
        server.stop().await;
        let _ = std::fs::remove_file(&log);
        let _ = std::fs::remove_file(log.with_extension("pem"));
        figures.push(measured?);
    }
    anyhow::ensure!(
        ucap_bench::export::report(&figures[0], &figures[1]),
        "the server's memory grew with the exported data"
    );
    Ok(())
}

async fn generate(db: &BenchDb, sizes: &Sizes, seed: u64, repo: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let conn = write::connect_and_migrate(&db.url).await?;
    let codes = write::codes(&conn).await?;
    let cities = ucap_bench::gazetteer::read(&repo.join("data/gazetteer/cities.tsv"))?;
    let tables = dataset::build(sizes, seed, &cities, &codes);
    let built = started.elapsed();
    let counts = write::insert(&conn, tables).await?;
    conn.close().await?;
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    println!(
        "dataset: {total} rows in {:.1} s (migrate and build {:.1} s, insert {:.1} s)",
        started.elapsed().as_secs_f64(),
        built.as_secs_f64(),
        (started.elapsed() - built).as_secs_f64()
    );
    let listed: Vec<String> = counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
    println!("  {}", listed.join(", "));
    Ok(())
}

async fn measure(
    args: &Args,
    server: &Server,
) -> anyhow::Result<(Vec<QueryFigures>, anyhow::Result<PageFigures>)> {
    let rows = measure_queries(args, server).await?;
    let url = format!("{}/graphql", server.base);
    let client = load::client(args.connections)?;
    // A broken deep page is a finding to report with the rest, not a reason to lose the figures.
    let pages = far_page(args, server, &client, &url).await;
    Ok((rows, pages))
}

/// Each operation of `args.queries` under load.
async fn measure_queries(args: &Args, server: &Server) -> anyhow::Result<Vec<QueryFigures>> {
    let url = format!("{}/graphql", server.base);
    let client = load::client(args.connections)?;
    let ops = queries::load_all(&queries::dir())?;
    let mut rows = Vec::new();
    for name in &args.queries {
        let op = ops
            .iter()
            .find(|o| &o.name == name)
            .with_context(|| format!("no docs/queries/{name}.graphql"))?;
        let variables = queries::resolve(&op.variables, |q, v| {
            let (client, url) = (&client, &url);
            async move { load::graphql(client, url, q, &v).await }
        })
        .await?;
        // Fails loudly, with the server's answer, before any load is sent.
        load::graphql(&client, &url, &op.document, &variables)
            .await
            .with_context(|| format!("{name} fails"))?;
        let statements = statements_of(server, &client, &url, &op.document, &variables).await?;
        let body = json!({ "query": op.document, "variables": variables }).to_string();
        let warmup = Duration::from_secs(args.warmup);
        load::run(&client, &url, &body, args.connections, warmup).await;
        let cpu_before = Snapshot::take(server.pid);
        let seconds = Duration::from_secs(args.seconds);
        let sample = load::run(&client, &url, &body, args.connections, seconds).await;
        let cpu = Snapshot::take(server.pid)
            .zip(cpu_before)
            .map(|(after, before)| after.since(&before));
        println!(
            "{name}: {:.0} req/s, p50 {} ms, p99 {} ms, {} errors",
            sample.rps(),
            report::ms(sample.percentile(0.5)),
            report::ms(sample.percentile(0.99)),
            sample.errors
        );
        rows.push(QueryFigures {
            name: name.clone(),
            sample,
            statements,
            cpu,
            memory: server.memory(),
        });
    }
    Ok(rows)
}

/// The server's SQL statement counter around one request sent alone.
async fn statements_of(
    server: &Server,
    client: &reqwest::Client,
    url: &str,
    document: &str,
    variables: &Value,
) -> anyhow::Result<Option<u64>> {
    let before = server.sql_statements().await?;
    load::graphql(client, url, document, variables).await?;
    let after = server.sql_statements().await?;
    Ok(after.zip(before).map(|(a, b)| a.saturating_sub(b)))
}

/// Walks the activities page by page to `args.page`, then times page 1 and that page alternately.
async fn far_page(
    args: &Args,
    server: &Server,
    client: &reqwest::Client,
    url: &str,
) -> anyhow::Result<PageFigures> {
    let first = json!({ "after": null });
    let mut after = Value::Null;
    for page in 1..args.page {
        let res = load::graphql(client, url, ACTIVITY_PAGE, &json!({ "after": after })).await?;
        let info = &res["data"]["activities"]["pageInfo"];
        anyhow::ensure!(
            info["hasNextPage"] == true,
            "page {page} says it is the last (hasNextPage false): {}",
            clip(&res)
        );
        after = info["endCursor"].clone();
    }
    let last = json!({ "after": after });
    let mut first_times = Vec::with_capacity(args.page_samples);
    let mut last_times = Vec::with_capacity(args.page_samples);
    for _ in 0..args.page_samples.max(1) {
        for (vars, times) in [(&first, &mut first_times), (&last, &mut last_times)] {
            let t0 = Instant::now();
            let res = load::graphql(client, url, ACTIVITY_PAGE, vars).await?;
            times.push(t0.elapsed());
            let n = res["data"]["activities"]["nodes"]
                .as_array()
                .map_or(0, Vec::len);
            anyhow::ensure!(
                n == 20,
                "a page of {n} activities instead of 20: {}",
                clip(&res)
            );
        }
    }
    Ok(PageFigures {
        page: args.page,
        first_median: median(&mut first_times),
        last_median: median(&mut last_times),
        first_statements: statements_of(server, client, url, ACTIVITY_PAGE, &first).await?,
        last_statements: statements_of(server, client, url, ACTIVITY_PAGE, &last).await?,
    })
}

/// The start of a response, for messages.
fn clip(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}
