//! Ingest: turning what users and maintainers hand us into validated results. Reads the
//! harness's judge output from a directory, a `.zip`, a `.tar.gz` or a `.tar`, or the
//! documented aggregate CSV, and returns either every problem found or a result ready to
//! store. Nothing here touches the store; callers decide what to do with the result.
//!
//! This is blocking, CPU-bound code (decompression, JSON parsing): async callers run it on the
//! blocking pool. It needs no server: the `ingest` feature builds it alone (for fuzz/).

pub mod archive;
pub mod fuzz;
pub mod harness;
pub mod table;

use crate::domain::refusal::RuleSet;
use crate::domain::submission::{Problem, Rejection};
use archive::{ArchiveError, Limits, SourceKind, VisitError};

pub use archive::Cancel;
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

pub use harness::HarnessTree;
pub use table::TableModel;

/// What an upload turned out to be, after validation.
#[derive(Debug)]
pub enum Ingested {
    /// A harness judge tree (per-item labels).
    Tree { tree: Box<HarnessTree>, kind: SourceKind, sha256: Option<String> },
    /// An aggregate CSV, possibly with several models.
    Table { models: Vec<TableModel>, sha256: Option<String> },
}

impl Ingested {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Tree { kind: SourceKind::Directory, .. } => "directory",
            Self::Tree { kind: SourceKind::Zip, .. } => "zip",
            Self::Tree { kind: SourceKind::TarGz, .. } => "tar.gz",
            Self::Tree { kind: SourceKind::Tar, .. } => "tar",
            Self::Table { .. } => "csv",
        }
    }
}

/// Reads a path given by a maintainer: a directory, an archive, or a CSV file. Setting `cancel`
/// (from another thread) stops the read with a refusal.
pub fn read_path(path: &Path, limits: &Limits, cancel: &Cancel) -> Result<Ingested, Rejection> {
    if path.is_dir() {
        return read_tree(|reader| archive::visit_path(path, limits, cancel, |p, r| reader_add(reader, p, r)), None);
    }
    let file = std::fs::File::open(path).map_err(|e| {
        Rejection::single(Problem::new(path.display().to_string(), format!("cannot open: {e}"), "check the path"))
    })?;
    read_file(file, limits, cancel)
}

/// Reads an uploaded file (archive or CSV), recognised by its content, not its name. Each
/// archive entry is streamed into the judge-file parser; nothing is read whole into memory but
/// the CSV (at most 16 MiB).
pub fn read_file(mut file: std::fs::File, limits: &Limits, cancel: &Cancel) -> Result<Ingested, Rejection> {
    let io = |e: std::io::Error| {
        Rejection::single(Problem::new("upload", format!("could not read the upload: {e}"), "try again"))
    };
    let sha256 = sha256_of(&mut file).map_err(io)?;
    let mut head = [0u8; 512];
    let n = read_up_to(&mut file, &mut head).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let head = &head[..n];
    let archive_like = head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || head.starts_with(&[0x1f, 0x8b])
        || head.get(257..262) == Some(b"ustar");
    if archive_like || head.is_empty() {
        return read_tree(
            |reader| archive::visit_file(file, limits, cancel, |p, r| reader_add(reader, p, r)),
            Some(sha256),
        );
    }
    if looks_like_csv(head) {
        if file.metadata().map(|m| m.len()).unwrap_or(0) > 16 * 1024 * 1024 {
            return Err(Rejection::single(Problem::new(
                "upload",
                "the CSV is larger than 16 MiB",
                "an aggregate table is a few kilobytes; check the file",
            )));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        return table::parse_table(&bytes)
            .map(|models| Ingested::Table { models, sha256: Some(sha256) })
            .map_err(Rejection::from);
    }
    Err(Rejection::single(Problem::new(
        "upload",
        "the file is neither a .zip, a .tar.gz, a .tar, nor an aggregate CSV",
        "upload results/harmbench/<model>/ as .zip or .tar.gz, or a CSV whose header starts with `model`",
    )))
}

fn looks_like_csv(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let first_line = text.trim_start_matches('\u{feff}').lines().next().unwrap_or("").to_ascii_lowercase();
    first_line.split(',').any(|c| c.trim().trim_matches('"') == "model")
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// SHA-256 of the whole file, streamed; the upload's identity for provenance and duplicates.
pub fn sha256_of(file: &mut std::fs::File) -> std::io::Result<String> {
    file.seek(SeekFrom::Start(0))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf)? {
            0 => break,
            n => hasher.update(&buf[..n]),
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(hex::encode(hasher.finalize()))
}

fn reader_add(
    reader: &mut harness::TreeReader<'_>,
    path: &archive::EntryPath,
    entry: &mut dyn Read,
) -> Result<(), std::convert::Infallible> {
    reader.add_reader(path, entry);
    Ok(())
}

fn read_tree(
    visit: impl FnOnce(&mut harness::TreeReader<'_>) -> Result<archive::Summary, VisitError<std::convert::Infallible>>,
    sha256: Option<String>,
) -> Result<Ingested, Rejection> {
    let mut reader = harness::TreeReader::new(RuleSet::builtin());
    match visit(&mut reader) {
        Ok(summary) => {
            let tree = reader.finish().map_err(Rejection::from)?;
            Ok(Ingested::Tree { tree: Box::new(tree), kind: summary.kind, sha256 })
        }
        Err(VisitError::Archive(e)) => Err(Rejection::single(archive_problem(&e))),
        Err(VisitError::Visitor(never)) => match never {},
    }
}

/// An archive reader's refusal as the problem an upload reports.
pub fn archive_problem(e: &ArchiveError) -> Problem {
    // The archive reader's messages already say what, where and how to fix.
    Problem::new("upload", e.to_string(), "see the message")
}
