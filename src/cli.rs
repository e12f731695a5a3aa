//! The command line: `serve` (the default) and the maintainers' tools. Imports by a maintainer
//! are approved at once; everything else goes through the same ingest and store code as the
//! web uploads.

use crate::config::Settings;
use crate::domain::leaderboard::query::LeaderboardQuery;
use crate::domain::metrics::format_pct;
use crate::domain::model::{
    Access, Capability, JudgeName, ModelMeta, ModelName, Source, parse_link, parse_organization, parse_parameters,
};
use crate::domain::taxonomy::Relation;
use crate::http::exports;
use crate::services::leaderboard;
use crate::services::moderation::{self, ModelRef};
use crate::services::submissions::{self, Provenance, Submitted};
use crate::{demo, ingest, startup};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "mir-leaderboard", version, about = "The MIR-SafetyBench leaderboard: server and maintainer tools")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default). Address from LEPTOS_SITE_ADDR, store from DATABASE_URL.
    Serve {
        /// Fill an empty store with generated sample data (clearly labelled as such).
        #[arg(long)]
        demo: bool,
    },
    /// Import one model's harness judge output (results/harmbench/<model>/ as a folder, .zip or .tar.gz).
    Import {
        path: PathBuf,
        #[arg(long)]
        model: String,
        #[arg(long, default_value = crate::domain::taxonomy::DEFAULT_JUDGE)]
        judge: String,
        #[arg(long)]
        organization: Option<String>,
        #[arg(long, value_enum)]
        access: Option<AccessArg>,
        /// The model is a reasoning ("thinking") model.
        #[arg(long)]
        reasoning: bool,
        /// Parameter count, e.g. 7B.
        #[arg(long)]
        parameters: Option<String>,
        #[arg(long)]
        link: Option<String>,
        #[arg(long, value_enum, default_value = "self-reported")]
        source: SourceArg,
        #[arg(long)]
        note: Option<String>,
        /// A multi-image capability score (needs --capability-benchmark).
        #[arg(long, requires = "capability_benchmark")]
        capability_score: Option<f64>,
        #[arg(long)]
        capability_benchmark: Option<String>,
        #[arg(long)]
        capability_source: Option<String>,
    },
    /// Import published aggregate numbers from the documented CSV (docs/aggregate-csv.md).
    ImportTable {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "paper")]
        source: SourceArg,
    },
    /// Check an upload (a folder, .zip, .tar.gz, .tar or aggregate CSV) exactly as the server
    /// would, without touching a store: prints the statics.py table, or every problem.
    Validate {
        path: PathBuf,
        /// Also print the time the read took and the process's peak resident memory (VmHWM).
        #[arg(long)]
        peak_memory: bool,
    },
    /// Print the leaderboard (default view, or the one a query string describes).
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// The same query string the page and API take, e.g. "access=open&sort=Temporal_Jump".
        #[arg(long, default_value = "")]
        query: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Approve a pending submission.
    Approve {
        id: i64,
        /// Mark the result as verified (re-run by the maintainers) instead of self-reported.
        #[arg(long)]
        verified: bool,
    },
    /// Reject a pending (or withdraw an approved) submission, with a public reason.
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Write a generated SAMPLE harness run of a fictional model as a .zip, to try the upload
    /// page or the API without running the benchmark.
    SampleTree {
        /// A `.zip` to write, or a folder (any other name) to write the run into.
        output: PathBuf,
        /// Which fictional model (0, 1, 2, ...); different variants give different archives.
        #[arg(long, default_value_t = 0)]
        variant: usize,
        /// Pad every answer to about this many bytes with a reasoning trace, as real runs are.
        #[arg(long, default_value_t = 0)]
        answer_bytes: usize,
    },
    /// Set or clear a model's multi-image capability score.
    SetCapability {
        #[arg(long)]
        model: String,
        #[arg(long, required_unless_present = "clear")]
        score: Option<f64>,
        #[arg(long, required_unless_present = "clear")]
        benchmark: Option<String>,
        #[arg(long)]
        source: Option<String>,
        #[arg(long)]
        clear: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum AccessArg {
    Open,
    Closed,
}

#[derive(Clone, Copy, ValueEnum)]
enum SourceArg {
    Paper,
    SelfReported,
    Verified,
}

impl From<SourceArg> for Source {
    fn from(s: SourceArg) -> Self {
        match s {
            SourceArg::Paper => Source::Paper,
            SourceArg::SelfReported => Source::SelfReported,
            SourceArg::Verified => Source::Verified,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

/// Parses the command line and runs it; errors are printed for people, with a non-zero exit.
/// The server gets tokio's multi-threaded runtime; a maintainer's command, one sequence of
/// steps, a single thread (its file reading still runs beside it on the blocking pool): no
/// worker threads to start and wake for a command that lasts a few tens of milliseconds.
pub fn main() -> ExitCode {
    let command = Cli::parse().command.unwrap_or(Command::Serve { demo: false });
    let runtime = match command {
        Command::Serve { .. } => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
        _ => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    };
    let runtime = match runtime {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    if let Command::SampleTree { output, variant, answer_bytes } = &command {
        demo::write_sample_run(output, *variant, *answer_bytes)?;
        println!("wrote {} (sample data, not real results)", output.display());
        return Ok(());
    }
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    if let Command::Validate { path, peak_memory } = &command {
        return validate(path, &settings.archive_limits, *peak_memory);
    }
    if let Command::Serve { demo: with_demo } = command {
        let addr = settings.site_addr();
        let state = startup::build_state(settings).await.map_err(|e| e.to_string())?;
        if with_demo {
            let added = demo::seed_if_empty(&state.pool)
                .await
                .map_err(|e| format!("generating the sample data failed: {e}"))?;
            if added > 0 {
                tracing::info!(models = added, "filled the empty store with SAMPLE data (not real results)");
            }
        }
        let listener =
            tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        tracing::info!("serving on http://{}", listener.local_addr().map_err(|e| e.to_string())?);
        return startup::run(listener, state).await.map_err(|e| e.to_string());
    }
    // An import's reading (CPU work on the blocking pool) starts before the store is opened,
    // so the two overlap.
    let reading = match &command {
        Command::Import { path, .. } => {
            let (path, limits) = (path.clone(), settings.archive_limits);
            Some(tokio::task::spawn_blocking(move || ingest::read_path(&path, &limits, &ingest::Cancel::new())))
        }
        _ => None,
    };
    // A maintainer's command is one sequence of statements: one connection serves it, and
    // opening no second one saves a millisecond of an import (the pool would otherwise open
    // another while the migration's connection is still being handed back).
    let settings = Settings { max_db_connections: 1, ..settings };
    let state = startup::build_state(settings).await.map_err(|e| e.to_string())?;
    let pool = &state.pool;
    match command {
        Command::Serve { .. } | Command::SampleTree { .. } | Command::Validate { .. } => {
            unreachable!("handled above")
        }
        Command::Import {
            path: _,
            model,
            judge,
            organization,
            access,
            reasoning,
            parameters,
            link,
            source,
            note,
            capability_score,
            capability_benchmark,
            capability_source,
        } => {
            let model = ModelName::parse(&model).map_err(|e| e.to_string())?;
            let judge = JudgeName::parse(&judge).map_err(|e| e.to_string())?;
            let meta = ModelMeta {
                organization: parse_organization(organization.as_deref().unwrap_or("")).map_err(|e| e.to_string())?,
                access: access.map(|a| match a {
                    AccessArg::Open => Access::Open,
                    AccessArg::Closed => Access::Closed,
                }),
                reasoning: Some(reasoning),
                parameters_b: parse_parameters(parameters.as_deref().unwrap_or("")).map_err(|e| e.to_string())?,
                link: parse_link(link.as_deref().unwrap_or("")).map_err(|e| e.to_string())?,
            };
            let capability = Capability::parse(
                &capability_score.map(|s| s.to_string()).unwrap_or_default(),
                capability_benchmark.as_deref().unwrap_or(""),
                capability_source.as_deref().unwrap_or(""),
            )
            .map_err(|e| e.to_string())?;
            let ingested = reading
                .ok_or("the import's reading did not start")?
                .await
                .map_err(|e| e.to_string())?
                .map_err(|r| format!("the import was refused; nothing was stored.\n{r}"))?;
            let ingest::Ingested::Tree { tree, kind, sha256 } = ingested else {
                return Err("this is an aggregate CSV; import it with `mir-leaderboard import-table`".into());
            };
            let who = Submitted {
                model: &model,
                meta: &meta,
                capability: capability.as_ref(),
                judge: &judge,
                source: source.into(),
                note: note.as_deref(),
                status: crate::domain::model::Status::Approved,
                actor: "cli",
            };
            let id = submissions::store(pool, &who, &tree.result, Provenance::tree(&tree, kind, sha256.as_deref()))
                .await
                .map_err(|e| e.to_string())?;
            print_summary(&tree.result.summary, &model, id);
            Ok(())
        }
        Command::ImportTable { file, source } => {
            let limits = state.settings.archive_limits;
            let ingested =
                tokio::task::spawn_blocking(move || ingest::read_path(&file, &limits, &ingest::Cancel::new()))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|r| format!("the import was refused; nothing was stored.\n{r}"))?;
            let ingest::Ingested::Table { models, .. } = ingested else {
                return Err("this is a harness tree; import it with `mir-leaderboard import PATH --model NAME`".into());
            };
            let ids = submissions::store_table(pool, &models, source.into(), "cli").await.map_err(|e| e.to_string())?;
            for (m, id) in models.iter().zip(ids) {
                let o = m.result.summary.breakdown.overall;
                println!(
                    "imported #{id}: {} ({}) overall {}% ({}/{})",
                    m.name,
                    m.judge,
                    o.asr_percent().map(format_pct).unwrap_or_default(),
                    o.unsafe_count,
                    o.total
                );
            }
            Ok(())
        }
        Command::Export { format, query, output } => {
            let (q, problems) = LeaderboardQuery::parse(&query);
            if !problems.is_empty() {
                return Err(problems.join("\n"));
            }
            let data = leaderboard::view(&state, &q).await.map_err(|e| e.to_string())?;
            let text = match format {
                Format::Csv => exports::to_csv(&data, &q),
                Format::Json => serde_json::to_string_pretty(&exports::LeaderboardJson::new(&data, &q))
                    .map_err(|e| e.to_string())?,
            };
            match output {
                Some(path) => std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display())),
                None => {
                    print!("{text}");
                    Ok(())
                }
            }
        }
        Command::Approve { id, verified } => {
            let source = moderation::approve(pool, id, verified, "cli").await.map_err(|e| e.to_string())?;
            println!("approved submission #{id} ({})", source.as_str());
            Ok(())
        }
        Command::Reject { id, reason } => {
            moderation::reject(pool, id, &reason, "cli").await.map_err(|e| e.to_string())?;
            println!("rejected submission #{id}");
            Ok(())
        }
        Command::SetCapability { model, score, benchmark, source, clear } => {
            let name = ModelName::parse(&model).map_err(|e| e.to_string())?;
            let capability = if clear {
                None
            } else {
                Capability::parse(
                    &score.map(|s| s.to_string()).unwrap_or_default(),
                    benchmark.as_deref().unwrap_or(""),
                    source.as_deref().unwrap_or(""),
                )
                .map_err(|e| e.to_string())?
            };
            moderation::set_capability(pool, ModelRef::Name(&name), capability.as_ref())
                .await
                .map_err(|e| e.to_string())?;
            println!("{} capability of {name}", if clear { "cleared the" } else { "set the" });
            Ok(())
        }
    }
}

/// `validate`: the same ingest as an upload, on the calling thread, with its figures.
fn validate(path: &std::path::Path, limits: &ingest::archive::Limits, peak_memory: bool) -> Result<(), String> {
    let started = std::time::Instant::now();
    let ingested = ingest::read_path(path, limits, &ingest::Cancel::new());
    let elapsed = started.elapsed();
    if peak_memory {
        println!("read in {} ms", elapsed.as_millis());
        println!("peak memory: {} KiB", peak_rss_kib().map_or_else(|| "unknown".to_owned(), |k| k.to_string()));
    }
    match ingested.map_err(|r| format!("the upload would be refused.\n{r}"))? {
        ingest::Ingested::Tree { tree, kind, .. } => {
            println!(
                "valid {kind} harness tree{}",
                tree.folder_name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
            );
            print_table(&tree.result.summary);
        }
        ingest::Ingested::Table { models, .. } => {
            for m in &models {
                let o = m.result.summary.breakdown.overall;
                println!(
                    "valid row group: {} ({}) overall {}% ({}/{})",
                    m.name,
                    m.judge,
                    o.asr_percent().map(format_pct).unwrap_or_default(),
                    o.unsafe_count,
                    o.total
                );
            }
        }
    }
    Ok(())
}

/// The process's peak resident set size (`VmHWM` in /proc/self/status; Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn print_summary(summary: &crate::domain::submission::ResultSummary, model: &ModelName, id: i64) {
    println!("imported submission #{id} for {model} (approved)");
    print_table(summary);
}

/// Prints the per-relation table in `statics.py`'s layout, so the two can be compared by eye.
fn print_table(summary: &crate::domain::submission::ResultSummary) {
    println!("{:<30} {:<13} {:<13} {:<10}", "Relation", "Unsafe Count", "Total Count", "ASR(%)");
    let mut rows: Vec<(&str, crate::domain::metrics::Counts)> = Relation::ALL
        .into_iter()
        .filter_map(|r| summary.breakdown.relation(r).map(|c| (r.harness_name(), c)))
        .collect();
    rows.sort_by_key(|r| r.0);
    for (name, c) in rows {
        println!(
            "{:<30} {:<13} {:<13} {}%",
            format!("{name}.json"),
            c.unsafe_count,
            c.total,
            c.asr_percent().map(format_pct).unwrap_or_default()
        );
    }
    let o = summary.breakdown.overall;
    println!(
        "{:<30} {:<13} {:<13} {}%",
        "Total",
        o.unsafe_count,
        o.total,
        o.asr_percent().map(format_pct).unwrap_or_default()
    );
    for w in &summary.warnings {
        println!("note: {}", w.headline());
    }
}
