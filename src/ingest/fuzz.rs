//! Entry points for the fuzz targets in `fuzz/` (README, "Fuzzing"): each takes arbitrary bytes,
//! runs one reader on them as an upload would, and must neither panic nor run away. Limits are
//! small so that the fuzzer spends its time on structure, not on decompressing.

use super::archive::{Cancel, Limits};
use crate::domain::refusal::RuleSet;
use std::io::{Seek, SeekFrom, Write};

fn limits() -> Limits {
    Limits { max_entries: 64, max_total_bytes: 4 << 20, max_entry_bytes: 1 << 20 }
}

/// The bytes as an uploaded file (zip, tar.gz, tar or CSV): the archive reader, then the tree
/// reader or the CSV parser. The upload is a real file, as the server spools it; one per
/// process, rewritten for each input.
pub fn upload(bytes: &[u8]) {
    thread_local! {
        static FILE: std::fs::File = tempfile_for_fuzzing();
    }
    FILE.with(|file| {
        let mut f = file;
        f.set_len(0).expect("temp file");
        f.seek(SeekFrom::Start(0)).expect("temp file");
        f.write_all(bytes).expect("temp file");
        let copy = file.try_clone().expect("temp file");
        let _ = super::read_file(copy, &limits(), &Cancel::new());
    });
}

fn tempfile_for_fuzzing() -> std::fs::File {
    let path = std::env::temp_dir().join(format!("mir-fuzz-upload-{}", std::process::id()));
    let file = std::fs::File::options().read(true).write(true).create(true).truncate(true).open(&path);
    let file = file.expect("temp file");
    let _ = std::fs::remove_file(&path);
    file
}

/// The bytes as the one judge file of a harness tree.
pub fn judge_file(bytes: &[u8]) {
    let mut reader = super::harness::TreeReader::new(RuleSet::builtin());
    let path = super::archive::EntryPath::parse("results/harmbench/m/Violence/Analogy.json").expect("a valid path");
    reader.add(&path, bytes);
    let _ = reader.finish();
}

/// The bytes as an aggregate CSV.
pub fn table(bytes: &[u8]) {
    let _ = super::table::parse_table(bytes);
}

#[cfg(test)]
mod tests {
    /// The entry points run (the fuzz runs themselves are in fuzz/).
    #[test]
    fn entry_points_take_any_bytes() {
        for input in [&b""[..], b"PK\x03\x04", b"\x1f\x8b\x08", b"model,relation,asr_percent\nm,Analogy,1\n", b"{"] {
            super::upload(input);
            super::judge_file(input);
            super::table(input);
        }
    }
}
