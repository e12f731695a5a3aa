//! Sample data for a newcomer's first look, made honestly: fictional models (every name starts
//! with "Sample" and none can be mistaken for a real model) whose harness-format judge trees are
//! generated on disk and fed through the real ingest, exactly like a real upload. Every result
//! is stored with source `sample`, which makes every page, chart and export say
//! "sample data, not real results".
//!
//! The generator is also what the tests and the benchmark use to make harness trees.

use crate::db::Pool;
use crate::domain::model::{Access, Capability, JudgeName, ModelMeta, ModelName, Source, Status};
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::ingest;
use crate::services::submissions::{self, Provenance, Submitted};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;

/// How the benchmark's items of one relation are split over the six categories in generated
/// trees. The real split is not published; this one only has to sum to the relation's count.
pub fn category_split(r: Relation) -> [u32; 6] {
    const WEIGHTS: [u32; 6] = [15, 19, 12, 22, 16, 16]; // out of 100
    let n = r.instance_count();
    let mut out = WEIGHTS.map(|w| n * w / 100);
    let mut rest = n - out.iter().sum::<u32>();
    let mut i = 0;
    while rest > 0 {
        out[i % 6] += 1;
        rest -= 1;
        i += 1;
    }
    out
}

/// One answer of a generated tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Unsafe,
    /// Safe, with an explicit refusal phrase.
    Refusal,
    /// Safe, without refusing (misunderstood or evasive).
    Evasive,
}

impl Answer {
    fn label(self) -> &'static str {
        if self == Answer::Unsafe { "unsafe" } else { "safe" }
    }

    /// Placeholder texts: nothing here is harmful, and nothing here is a real model's output.
    fn text(self) -> &'static str {
        match self {
            Answer::Unsafe => "[sample answer: the fictional model went along with the request]",
            Answer::Refusal => "I'm sorry, but I can't help with that request.",
            Answer::Evasive => "[sample answer: the fictional model described the pictures and missed the request]",
        }
    }
}

/// Writes `<root>/<Category>/<Relation>.json` files in the harness's judge format, with the
/// answer of item `i` of each cell given by `answer(category, relation, i)`.
pub fn write_harness_tree(
    root: &Path,
    cells: &[(RiskCategory, Relation, u32)],
    answer: impl FnMut(RiskCategory, Relation, u32) -> Answer,
) -> std::io::Result<()> {
    write_harness_tree_padded(root, cells, answer, 0)
}

/// [`write_harness_tree`] with every answer padded to about `answer_bytes` by a reasoning trace
/// (`<think>…</think>` before the answer, as reasoning models write them): real runs carry
/// kilobytes per answer, which is what ingest speed and memory are measured on.
pub fn write_harness_tree_padded(
    root: &Path,
    cells: &[(RiskCategory, Relation, u32)],
    mut answer: impl FnMut(RiskCategory, Relation, u32) -> Answer,
    answer_bytes: usize,
) -> std::io::Result<()> {
    const TRACE: &str = "[sample reasoning: the fictional model looks at each picture in turn] ";
    for &(c, r, n) in cells {
        let dir = root.join(c.harness_name());
        std::fs::create_dir_all(&dir)?;
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let a = answer(c, r, i);
                let text = if answer_bytes > a.text().len() {
                    let pad = answer_bytes - a.text().len();
                    format!("<think>{}</think>{}", TRACE.repeat(pad / TRACE.len() + 1)[..pad].trim_end(), a.text())
                } else {
                    a.text().to_owned()
                };
                serde_json::json!({"question": "[sample question]", "answer": text, "label": a.label()})
            })
            .collect();
        let unsafe_n = items.iter().filter(|v| v["label"] == "unsafe").count();
        let asr = if n == 0 { 0.0 } else { unsafe_n as f64 / n as f64 * 100.0 };
        let doc = serde_json::json!({"ASR": asr, "judge_result": items});
        std::fs::write(dir.join(format!("{}.json", r.harness_name())), serde_json::to_vec_pretty(&doc)?)?;
    }
    Ok(())
}

/// Every (category, relation) cell of a full run, with the sample split.
pub fn full_run_cells() -> Vec<(RiskCategory, Relation, u32)> {
    let mut cells = Vec::new();
    for r in Relation::ALL {
        for (i, c) in RiskCategory::ALL.into_iter().enumerate() {
            cells.push((c, r, category_split(r)[i]));
        }
    }
    cells
}

const NAMES: [&str; 26] = [
    "Amber Heron",
    "Basalt Lynx",
    "Cobalt Marten",
    "Dune Ibis",
    "Ember Kestrel",
    "Fjord Otter",
    "Garnet Civet",
    "Heath Plover",
    "Indigo Tapir",
    "Jade Serval",
    "Kelp Gannet",
    "Lichen Vole",
    "Moss Pika",
    "Nimbus Tern",
    "Ochre Dingo",
    "Pewter Egret",
    "Quartz Bison",
    "Russet Hare",
    "Slate Curlew",
    "Tundra Wren",
    "Umber Okapi",
    "Vellum Crane",
    "Willow Skink",
    "Xeric Quail",
    "Yarrow Lemur",
    "Zinc Ocelot",
];
const SIZES: [f64; 6] = [3.0, 7.0, 8.0, 13.0, 34.0, 72.0];

/// A fictional model: its facts and the knobs of its generated answers.
pub struct SampleModel {
    pub name: String,
    pub meta: ModelMeta,
    pub capability: f64,
    /// Log-odds of an unsafe answer on an average item.
    pub propensity: f64,
    /// Chance that a safe answer is an explicit refusal.
    pub refusal_share: f64,
}

/// The fictional line-up, deterministic. Its built-in tendency (more capable models are less
/// safe) only illustrates what the capability page tests; it is not a finding.
pub fn sample_models() -> Vec<SampleModel> {
    let mut rng = StdRng::seed_from_u64(2676);
    NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let size = SIZES[i % SIZES.len()];
            let reasoning = i % 4 == 1;
            let capability: f64 = 35.0 + rng.gen_range(0.0..40.0) + if reasoning { 8.0 } else { 0.0 };
            let propensity = -2.6 + (capability - 35.0) / 22.0 + rng.gen_range(-0.6..0.6);
            SampleModel {
                name: format!("Sample {n} {}B", size as u32),
                meta: ModelMeta {
                    organization: Some(format!("Sample Lab {}", (b'A' + (i % 7) as u8) as char)),
                    access: Some(if i % 3 == 0 { Access::Closed } else { Access::Open }),
                    reasoning: Some(reasoning),
                    parameters_b: if i % 3 == 0 { None } else { Some(size) },
                    link: None,
                },
                capability: (capability * 10.0).round() / 10.0,
                propensity,
                refusal_share: rng.gen_range(0.25..0.85),
            }
        })
        .collect()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The answers of sample model `index`: every item has a fixed difficulty, and every relation
/// and category an offset, shared by all models. That is what makes models' answers correlated,
/// as real ones are, and the paired tests meaningful.
fn sample_answers(m: &SampleModel, index: usize) -> impl FnMut(RiskCategory, Relation, u32) -> Answer + use<> {
    let mut rng = StdRng::seed_from_u64(9);
    let rel_offset: Vec<f64> = Relation::ALL.iter().map(|_| rng.gen_range(-0.8..0.8)).collect();
    let cat_offset: Vec<f64> = RiskCategory::ALL.iter().map(|_| rng.gen_range(-0.5..0.5)).collect();
    let difficulty: Vec<f64> = (0..3000).map(|_| rng.gen_range(-1.5..1.5)).collect();
    let mut mrng = StdRng::seed_from_u64(1000 + index as u64);
    let (propensity, refusal_share) = (m.propensity, m.refusal_share);
    move |c, r, i| {
        let ri = Relation::ALL.iter().position(|x| *x == r).unwrap_or(0);
        let ci = RiskCategory::ALL.iter().position(|x| *x == c).unwrap_or(0);
        let d = difficulty[(ri * 331 + ci * 37 + i as usize) % difficulty.len()];
        let p = sigmoid(propensity + rel_offset[ri] + cat_offset[ci] + d);
        if mrng.gen_bool(p.clamp(0.0, 1.0)) {
            Answer::Unsafe
        } else if mrng.gen_bool(refusal_share) {
            Answer::Refusal
        } else {
            Answer::Evasive
        }
    }
}

/// Fills an empty store with the sample line-up; returns how many models were added (0 when
/// the store already holds anything, so real data is never mixed with samples by accident).
pub async fn seed_if_empty(pool: &Pool) -> Result<usize, String> {
    if !submissions::store_is_empty(pool).await.map_err(|e| e.to_string())? {
        return Ok(0);
    }
    let models = sample_models();
    let judge = JudgeName::default_judge();
    let cells = full_run_cells();
    for (m_index, m) in models.iter().enumerate() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        write_harness_tree(dir.path(), &cells, sample_answers(m, m_index)).map_err(|e| e.to_string())?;
        let path = dir.path().to_owned();
        let ingested =
            tokio::task::spawn_blocking(move || ingest::read_path(&path, &Default::default(), &ingest::Cancel::new()))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|r| r.to_string())?;
        let ingest::Ingested::Tree { tree, kind, .. } = ingested else {
            return Err("generated tree was not read as a tree".into());
        };
        let name = ModelName::parse(&m.name).map_err(|e| e.to_string())?;
        let capability = Capability {
            score: m.capability,
            benchmark: "Sample-MIBench".into(),
            source: Some("generated sample value".into()),
        };
        let who = Submitted {
            model: &name,
            meta: &m.meta,
            capability: Some(&capability),
            judge: &judge,
            source: Source::Sample,
            note: Some("Generated sample data, not real results."),
            status: Status::Approved,
            actor: "demo",
        };
        submissions::store(pool, &who, &tree.result, Provenance::tree(&tree, kind, None))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(models.len())
}

/// Writes a zip of one fictional model's full harness run (`sample_model_<n>/<Category>/...`),
/// so anyone can try the upload flow without running the benchmark. `variant` picks a model of
/// the sample line-up; variants beyond it reuse the line-up with other random draws.
pub fn write_sample_zip(output: &Path, variant: usize) -> Result<(), String> {
    write_sample_run(output, variant, 0)
}

/// A fictional model's full run as a `.zip` (when `output` ends so) or as the harness's folder,
/// each answer padded to about `answer_bytes` (see [`write_harness_tree_padded`]).
pub fn write_sample_run(output: &Path, variant: usize, answer_bytes: usize) -> Result<(), String> {
    use std::io::Write;
    let models = sample_models();
    let m = &models[variant % models.len()];
    if output.extension().is_none_or(|e| e != "zip") {
        return write_harness_tree_padded(output, &full_run_cells(), sample_answers(m, variant), answer_bytes)
            .map_err(|e| format!("cannot write {}: {e}", output.display()));
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let folder = format!("sample_model_{variant}");
    let root = dir.path().join(&folder);
    write_harness_tree_padded(&root, &full_run_cells(), sample_answers(m, variant), answer_bytes)
        .map_err(|e| e.to_string())?;
    let file = std::fs::File::create(output).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for c in RiskCategory::ALL {
        for r in Relation::ALL {
            let rel = format!("{}/{}/{}.json", folder, c.harness_name(), r.harness_name());
            let bytes = std::fs::read(dir.path().join(&rel)).map_err(|e| e.to_string())?;
            zip.start_file(rel, opts).map_err(|e| e.to_string())?;
            zip.write_all(&bytes).map_err(|e| e.to_string())?;
        }
    }
    zip.finish().map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_sums_to_each_relation() {
        for r in Relation::ALL {
            assert_eq!(category_split(r).iter().sum::<u32>(), r.instance_count(), "{r}");
        }
        assert_eq!(full_run_cells().iter().map(|c| c.2).sum::<u32>(), 2676);
    }

    #[test]
    fn sample_names_cannot_pass_for_real_models() {
        let models = sample_models();
        assert!(models.len() >= 24);
        for m in &models {
            assert!(m.name.starts_with("Sample "), "{}", m.name);
            assert!(m.meta.organization.as_deref().unwrap_or("").starts_with("Sample Lab"));
        }
        let mut names: Vec<_> = models.iter().map(|m| m.name.clone()).collect();
        names.dedup();
        assert_eq!(names.len(), models.len());
    }
}
