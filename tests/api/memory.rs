//! Bounded memory: hostile uploads, built here, are checked by `mir-leaderboard validate
//! --peak-memory` in a child process, and its peak resident memory (VmHWM) must stay within
//! 64 MiB of the same command's peak on a tiny valid tree. Each must be refused with a clear
//! message; a full valid run with long answers must pass. The server answers the worst of them
//! with a 4xx and stays up.

use crate::helpers::spawn_app;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;
use zip::write::SimpleFileOptions;

const MIB: u64 = 1024 * 1024;

/// What one `validate --peak-memory` run reported.
struct Run {
    ok: bool,
    peak_kib: u64,
    read_ms: u64,
    stdout: String,
    stderr: String,
}

fn validate(path: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_mir-leaderboard"))
        .args(["validate", "--peak-memory"])
        .arg(path)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run validate");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let figure = |prefix: &str| -> u64 {
        let line = stdout.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix}: {stdout}"));
        line[prefix.len()..].split_whitespace().next().and_then(|n| n.parse().ok()).expect("a number")
    };
    Run {
        ok: out.status.success(),
        peak_kib: figure("peak memory:"),
        read_ms: figure("read in"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout,
    }
}

fn sample_tree(output: &Path, answer_bytes: usize) {
    let out = Command::new(env!("CARGO_BIN_EXE_mir-leaderboard"))
        .arg("sample-tree")
        .arg(output)
        .args(["--answer-bytes", &answer_bytes.to_string()])
        .output()
        .expect("run sample-tree");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).compression_level(Some(9))
}

/// Writes `unit` `count` times, in large chunks.
fn repeat(w: &mut dyn Write, unit: &[u8], count: usize) {
    let per_chunk = (1 << 20) / unit.len().max(1);
    let chunk = unit.repeat(per_chunk);
    let mut left = count;
    while left > 0 {
        let n = left.min(per_chunk);
        w.write_all(&chunk[..n * unit.len()]).expect("write");
        left -= n;
    }
}

/// One `Analogy.json` whose `judge_result` holds `items` entries without a label.
fn bad_items_zip(path: &Path, items: usize) -> u64 {
    let mut zip = zip::ZipWriter::new(File::create(path).expect("create"));
    zip.start_file("model-x/Violence/Analogy.json", deflated()).expect("entry");
    zip.write_all(b"{\"judge_result\": [{}").expect("write");
    repeat(&mut zip, b",{}", items - 1);
    zip.write_all(b"]}").expect("write");
    zip.finish().expect("finish");
    std::fs::metadata(path).expect("size").len()
}

/// One JSON string of `len` bytes as an answer.
fn long_string_zip(path: &Path, len: usize) -> u64 {
    let mut zip = zip::ZipWriter::new(File::create(path).expect("create"));
    zip.start_file("model-x/Violence/Analogy.json", deflated()).expect("entry");
    zip.write_all(b"{\"judge_result\": [{\"label\": \"safe\", \"answer\": \"").expect("write");
    repeat(&mut zip, b"a", len);
    zip.write_all(b"\"}]}").expect("write");
    zip.finish().expect("finish");
    std::fs::metadata(path).expect("size").len()
}

/// A .tar.gz with one member of `size` zero bytes.
fn big_member_tar_gz(path: &Path, size: u64) -> u64 {
    let gz =
        flate2::write::GzEncoder::new(BufWriter::new(File::create(path).expect("create")), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    tar.append_data(&mut header, "model-x/Violence/Analogy.json", io::repeat(0).take(size)).expect("append");
    tar.into_inner().expect("tar").finish().expect("gzip").flush().expect("flush");
    std::fs::metadata(path).expect("size").len()
}

/// A PAX record `"<len> key=value\n"`, whose length counts its own digits.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let rest = key.len() + value.len() + 3;
    let mut len = rest + 1;
    while len != rest + len.to_string().len() {
        len = rest + len.to_string().len();
    }
    let mut record = format!("{len} {key}=").into_bytes();
    record.extend_from_slice(value);
    record.push(b'\n');
    record
}

/// `members` small files, each after a PAX header of nearly 1 MiB of comment: the headers'
/// data adds up past the total budget.
fn pax_flood_tar_gz(path: &Path, members: usize) -> u64 {
    let gz =
        flate2::write::GzEncoder::new(BufWriter::new(File::create(path).expect("create")), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let comment = vec![b'c'; (MIB - 64 * 1024) as usize];
    for i in 0..members {
        let record = pax_record("comment", &comment);
        let mut pax = tar::Header::new_ustar();
        pax.set_entry_type(tar::EntryType::XHeader);
        pax.set_size(record.len() as u64);
        pax.set_mode(0o644);
        tar.append_data(&mut pax, format!("PaxHeaders/f{i}"), &record[..]).expect("pax");
        let mut header = tar::Header::new_ustar();
        header.set_size(2);
        header.set_mode(0o644);
        tar.append_data(&mut header, format!("model-x/notes/f{i}.txt"), &b"{}"[..]).expect("member");
    }
    tar.into_inner().expect("tar").finish().expect("gzip").flush().expect("flush");
    std::fs::metadata(path).expect("size").len()
}

/// A zip whose ZIP64 end record claims `records` central-directory entries, and really holds
/// them (54 bytes each): the count must be refused before the directory is read.
fn zip64_directory(path: &Path, records: u32) -> u64 {
    let mut out = Vec::new();
    let u16le = |v: u16| v.to_le_bytes();
    let u32le = |v: u32| v.to_le_bytes();
    // One empty stored file, so the file starts like a zip.
    out.extend_from_slice(b"PK\x03\x04");
    for v in [20u16, 0, 0, 0, 0] {
        out.extend_from_slice(&u16le(v));
    }
    for v in [0u32, 0, 0] {
        out.extend_from_slice(&u32le(v));
    }
    out.extend_from_slice(&u16le(1));
    out.extend_from_slice(&u16le(0));
    out.push(b'a');
    let cd_start = out.len() as u64;
    for i in 0..records {
        let name = format!("f{i:07}");
        out.extend_from_slice(b"PK\x01\x02");
        for v in [20u16, 20, 0, 0, 0, 0] {
            out.extend_from_slice(&u16le(v));
        }
        for v in [0u32, 0, 0] {
            out.extend_from_slice(&u32le(v));
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            out.extend_from_slice(&u16le(v));
        }
        out.extend_from_slice(&u32le(0));
        out.extend_from_slice(&u32le(0));
        out.extend_from_slice(name.as_bytes());
    }
    let cd_size = out.len() as u64 - cd_start;
    let z64_at = out.len() as u64;
    out.extend_from_slice(b"PK\x06\x06");
    out.extend_from_slice(&44u64.to_le_bytes());
    out.extend_from_slice(&u16le(45));
    out.extend_from_slice(&u16le(45));
    out.extend_from_slice(&u32le(0));
    out.extend_from_slice(&u32le(0));
    for v in [u64::from(records), u64::from(records), cd_size, cd_start] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(b"PK\x06\x07");
    out.extend_from_slice(&u32le(0));
    out.extend_from_slice(&z64_at.to_le_bytes());
    out.extend_from_slice(&u32le(1));
    out.extend_from_slice(b"PK\x05\x06");
    for v in [0u16, 0, 0xFFFF, 0xFFFF] {
        out.extend_from_slice(&u16le(v));
    }
    out.extend_from_slice(&u32le(0xFFFF_FFFF));
    out.extend_from_slice(&u32le(0xFFFF_FFFF));
    out.extend_from_slice(&u16le(0));
    std::fs::write(path, &out).expect("write");
    out.len() as u64
}

#[test]
fn no_upload_grows_memory_by_more_than_64_mib() {
    let dir = tempfile::tempdir().expect("temp dir");
    let at = |name: &str| dir.path().join(name);

    sample_tree(&at("tiny"), 0);
    let baseline = validate(&at("tiny"));
    assert!(baseline.ok, "{}", baseline.stderr);

    sample_tree(&at("full.zip"), 4096);
    let started = Instant::now();
    let full = validate(&at("full.zip"));
    let full_wall = started.elapsed();
    assert!(full.ok, "{}", full.stderr);
    assert!(full.stdout.contains("Total"), "{}", full.stdout);

    // (name, compressed size, run, what the message must say)
    let mut cases: Vec<(&str, u64, Run, &str)> = Vec::new();
    let size = bad_items_zip(&at("items-4m.zip"), 4_000_000);
    cases.push(("4M items without a label (zip)", size, validate(&at("items-4m.zip")), "more problems"));
    let size = bad_items_zip(&at("items-32m.zip"), 32_000_000);
    cases.push(("32M items without a label (zip)", size, validate(&at("items-32m.zip")), "64 MiB per file"));
    let size = big_member_tar_gz(&at("big.tar.gz"), 600 * MIB);
    cases.push(("one 600 MiB member (tar.gz)", size, validate(&at("big.tar.gz")), "64 MiB per file"));
    let size = zip64_directory(&at("zip64.zip"), 1_000_000);
    cases.push(("zip64, a million directory records", size, validate(&at("zip64.zip")), "1000000 entries"));
    let size = long_string_zip(&at("string-200m.zip"), 200_000_000);
    cases.push(("one 200 MB JSON string (zip)", size, validate(&at("string-200m.zip")), "64 MiB per file"));
    let size = long_string_zip(&at("string-30m.zip"), 30_000_000);
    cases.push(("one 30 MB JSON string (zip)", size, validate(&at("string-30m.zip")), "longer than 4 MiB"));
    let size = pax_flood_tar_gz(&at("pax.tar.gz"), 600);
    cases.push(("600 PAX headers of ~1 MiB (tar.gz)", size, validate(&at("pax.tar.gz")), "names and headers count"));

    eprintln!("baseline (tiny valid tree): peak {} KiB", baseline.peak_kib);
    eprintln!(
        "full run, 4 KB answers (zip): peak {} KiB (+{} KiB), ingest {} ms ({} ms with process start)",
        full.peak_kib,
        full.peak_kib.saturating_sub(baseline.peak_kib),
        full.read_ms,
        full_wall.as_millis()
    );
    let budget = 64 * 1024;
    let mut failures = Vec::new();
    for (name, size, run, says) in &cases {
        let growth = run.peak_kib.saturating_sub(baseline.peak_kib);
        eprintln!("{name}: {} KiB upload, peak {} KiB (+{growth} KiB), {} ms", size / 1024, run.peak_kib, run.read_ms);
        if run.ok {
            failures.push(format!("{name}: accepted"));
        }
        if !run.stderr.contains(says) {
            failures.push(format!("{name}: the message does not say {says:?}: {}", run.stderr));
        }
        if growth > budget {
            failures.push(format!("{name}: grew by {growth} KiB"));
        }
    }
    assert!(full.peak_kib.saturating_sub(baseline.peak_kib) <= budget, "the full run grew by too much");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn the_server_refuses_an_item_bomb_and_stays_up() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bomb.zip");
    bad_items_zip(&path, 32_000_000);
    let bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() < 200 * 1024, "{} bytes", bytes.len());
    let (status, body) = app.api_upload(&[("model", "Bomb Model")], "results.zip", bytes).await;
    assert!((400..500).contains(&status), "{status}: {body}");
    let (status, _) = app.get_text("/healthz").await;
    assert_eq!(status, 200, "the server is still up");
}
