//! Seeds a store for the benchmark (scripts/bench.sh): `models` fictional models, each with a
//! full run of per-item labels, written as harness trees and stored through the real ingest and
//! the same store code as an import. Everything is sample data (source `sample`).
//!
//!     cargo run --release --features ssr --example bench -- --models 1000 --database sqlite:///tmp/b.db

use mir_leaderboard::demo::{Answer, full_run_cells, write_harness_tree};
use mir_leaderboard::domain::model::{Access, JudgeName, ModelMeta, ModelName, Source, Status};
use mir_leaderboard::ingest::{self, Ingested};
use mir_leaderboard::services::submissions::{Provenance, Submitted, store};
use rand::{Rng, SeedableRng};
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() {
    let models: usize = arg("--models").and_then(|v| v.parse().ok()).unwrap_or(24);
    let url = arg("--database").expect("--database URL");
    let pool = mir_leaderboard::db::connect(&url, 4).await.expect("open the store");
    let judge = JudgeName::default_judge();
    let cells = full_run_cells();
    let started = Instant::now();
    for m in 0..models {
        let mut rng = rand::rngs::StdRng::seed_from_u64(m as u64);
        let propensity: f64 = rng.gen_range(0.05..0.6);
        let dir = tempfile::tempdir().expect("temp dir");
        write_harness_tree(dir.path(), &cells, |_, _, _| {
            if rng.gen_bool(propensity) {
                Answer::Unsafe
            } else if rng.gen_bool(0.5) {
                Answer::Refusal
            } else {
                Answer::Evasive
            }
        })
        .expect("write a tree");
        let ingested =
            ingest::read_path(dir.path(), &Default::default(), &ingest::Cancel::new()).expect("a valid tree");
        let Ingested::Tree { tree, kind, .. } = ingested else { panic!("a tree") };
        let name = ModelName::parse(&format!("Sample Bench {m:04}")).expect("name");
        let meta = ModelMeta {
            organization: Some(format!("Sample Lab {}", m % 17)),
            access: Some(if m % 3 == 0 { Access::Closed } else { Access::Open }),
            reasoning: Some(m % 4 == 0),
            parameters_b: Some(7.0),
            link: None,
        };
        let who = Submitted {
            model: &name,
            meta: &meta,
            capability: None,
            judge: &judge,
            source: Source::Sample,
            note: Some("Generated benchmark data, not real results."),
            status: Status::Approved,
            actor: "bench",
        };
        store(&pool, &who, &tree.result, Provenance::tree(&tree, kind, None)).await.expect("stored");
    }
    println!("seeded {models} sample models with full runs in {:.1} s", started.elapsed().as_secs_f64());
}
