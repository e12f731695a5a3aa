//! The archive reader's tests, by the part of the reader they exercise. This file holds the
//! fixtures and the tests that hold for every source alike.

mod dir;
mod limits;
mod names;
mod stream;
mod tar;
mod zip;

use super::limits::{GIB, KIB, MIB, human_size};
use super::names::{normalise, sanitize};
use super::tar::{visit_tar, visit_tar_gz};
use super::{
    ArchiveError, Cancel, EntryPath, Limits, LinkKind, SourceKind, Summary, VisitError, Walker, visit_file, visit_path,
};
use ::tar::EntryType;
use ::zip::write::SimpleFileOptions;
use std::cell::Cell;
use std::convert::Infallible;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use tempfile::TempDir;

/// Every test file carries this marker; no error message may ever contain it.
const SECRET: &str = "SECRET-BODY-never-log-me";

const TREE: [&str; 3] = ["a/b.json", "a/c/d.json", "e.json"];
const TREE_DIRS: [&str; 2] = ["a/", "a/c/"];

type Visited = Vec<(String, Vec<u8>)>;

fn body(name: &str) -> Vec<u8> {
    format!("{{\"file\": \"{name}\", \"note\": \"{SECRET}\"}}\n").into_bytes()
}

fn tree_files() -> Vec<(String, Vec<u8>)> {
    TREE.iter().map(|n| (n.to_string(), body(n))).collect()
}

fn collect(path: &Path, limits: &Limits) -> Result<(Summary, Visited), VisitError<Infallible>> {
    let mut seen = Vec::new();
    let summary = visit_path(path, limits, &Cancel::new(), |p: &EntryPath, r: &mut dyn Read| {
        let mut bytes = Vec::new();
        // A failed read (a limit, damage) comes back as the visit's error.
        let _ = r.read_to_end(&mut bytes);
        seen.push((p.to_string(), bytes));
        Ok(())
    })?;
    Ok((summary, seen))
}

fn accepted(path: &Path) -> (Summary, Visited) {
    collect(path, &Limits::default()).unwrap_or_else(|e| panic!("refused: {e}"))
}

fn refused_with(path: &Path, limits: &Limits) -> ArchiveError {
    match collect(path, limits) {
        Err(VisitError::Archive(e)) => {
            let message = e.to_string();
            assert!(!message.contains(SECRET), "message leaks file content: {message}");
            assert!(!message.contains('\n'), "message has a raw line break: {message}");
            e
        }
        Err(VisitError::Visitor(never)) => match never {},
        Ok((summary, _)) => panic!("accepted: {summary:?}"),
    }
}

fn refused(path: &Path) -> ArchiveError {
    refused_with(path, &Limits::default())
}

/// The message quotes the entry as stored in the archive.
fn assert_names(error: &ArchiveError, entry: &str) {
    let message = error.to_string();
    assert!(message.contains(&format!("{entry:?}")), "{entry:?} not named in: {message}");
}

fn put(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    path
}

fn write_tree(root: &Path, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(::zip::CompressionMethod::Deflated)
}

fn zip_bytes(dirs: &[&str], files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    for dir in dirs {
        writer.add_directory(*dir, deflated()).unwrap();
    }
    for (name, bytes) in files {
        writer.start_file(name.as_str(), deflated()).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn tar_bytes(dirs: &[&str], files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = ::tar::Builder::new(Vec::new());
    for dir in dirs {
        let mut header = ::tar::Header::new_gnu();
        header.set_entry_type(EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        builder.append_data(&mut header, dir, io::empty()).unwrap();
    }
    for (name, bytes) in files {
        let mut header = ::tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(bytes.len() as u64);
        builder.append_data(&mut header, name, bytes.as_slice()).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A tar member written verbatim: `set_path` refuses hostile names, which is exactly what we
/// need to produce here.
fn raw_member(builder: &mut ::tar::Builder<Vec<u8>>, name: &[u8], entry_type: EntryType, data: &[u8]) {
    let mut header = ::tar::Header::new_ustar();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_entry_type(entry_type);
    header.set_mode(0o644);
    header.set_size(data.len() as u64);
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

fn raw_tar(members: &[(&[u8], EntryType, &[u8])]) -> Vec<u8> {
    let mut builder = ::tar::Builder::new(Vec::new());
    for (name, entry_type, data) in members {
        raw_member(&mut builder, name, *entry_type, data);
    }
    builder.into_inner().unwrap()
}

fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let rest = format!(" {key}={value}\n");
    let mut len = rest.len() + 1;
    while len.to_string().len() + rest.len() != len {
        len = len.to_string().len() + rest.len();
    }
    format!("{len}{rest}").into_bytes()
}

/// Replaces every occurrence of `from` (local header and central directory) with `to`.
fn patch_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut found = 0;
    for i in 0..=bytes.len() - from.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            found += 1;
        }
    }
    assert!(found > 0);
}

/// Offset of the central directory record of `name`.
fn cd_record(bytes: &[u8], name: &[u8]) -> usize {
    (0..bytes.len() - 46)
        .find(|&i| {
            let name_len = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            &bytes[i..i + 4] == b"PK\x01\x02" && bytes.get(i + 46..i + 46 + name_len) == Some(name)
        })
        .expect("central directory record")
}

/// A file of `size` zeros: compresses ~1000:1, the classic bomb payload.
fn zeros(size: u64) -> impl Read {
    io::repeat(0).take(size)
}

struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

// ---- same tree from every source -------------------------------------------------------

#[test]
fn directory_zip_targz_and_tar_yield_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("results");
    write_tree(&root, &tree_files());
    let zip = put(&dir, "r.zip", &zip_bytes(&TREE_DIRS, &tree_files()));
    let tar = tar_bytes(&TREE_DIRS, &tree_files());
    let tgz = put(&dir, "r.tar.gz", &gzip(&tar));
    let tar = put(&dir, "r.tar", &tar);

    let (from_dir, expected) = accepted(&root);
    assert_eq!(
        expected.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        TREE.to_vec(),
        "directory visits in path order, root not a component"
    );
    assert_eq!(expected[1].1, body("a/c/d.json"));
    assert_eq!(from_dir.kind, SourceKind::Directory);
    assert_eq!((from_dir.entries, from_dir.files), (5, 3));

    for (path, kind) in [(zip, SourceKind::Zip), (tgz, SourceKind::TarGz), (tar, SourceKind::Tar)] {
        let (summary, visited) = accepted(&path);
        assert_eq!(visited, expected, "{kind}");
        assert_eq!(summary, Summary { kind, ..from_dir });
    }
}

#[test]
fn archives_keep_their_own_order() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![("z.json".to_string(), body("z")), ("a.json".to_string(), body("a"))];
    let zip = put(&dir, "r.zip", &zip_bytes(&[], &files));
    let tar = put(&dir, "r.tar", &tar_bytes(&[], &files));
    for path in [zip, tar] {
        let (_, visited) = accepted(&path);
        assert_eq!(visited.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), ["z.json", "a.json"]);
    }
}

#[test]
fn visit_file_reads_from_the_start_of_an_open_upload() {
    let dir = tempfile::tempdir().unwrap();
    let path = put(&dir, "upload.bin", &gzip(&tar_bytes(&[], &tree_files())));
    let mut file = File::open(&path).unwrap();
    file.seek(SeekFrom::End(0)).unwrap();
    let mut names = Vec::new();
    let summary = visit_file(file, &Limits::default(), &Cancel::new(), |p: &EntryPath, _: &mut dyn Read| {
        names.push(p.to_string());
        Ok::<(), Infallible>(())
    })
    .unwrap();
    assert_eq!(summary.kind, SourceKind::TarGz);
    assert_eq!(names, TREE);
}

#[test]
fn empty_sources_have_zero_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty_dir = dir.path().join("empty");
    fs::create_dir(&empty_dir).unwrap();
    let empty_tar = tar_bytes(&[], &[]);
    let sources = [
        (empty_dir, SourceKind::Directory),
        (put(&dir, "e.zip", &zip_bytes(&[], &[])), SourceKind::Zip),
        (put(&dir, "e.tgz", &gzip(&empty_tar)), SourceKind::TarGz),
        (put(&dir, "e.tar", &empty_tar), SourceKind::Tar),
    ];
    for (path, kind) in sources {
        let (summary, visited) = accepted(&path);
        assert!(visited.is_empty());
        assert_eq!(summary, Summary { kind, entries: 0, files: 0, total_bytes: 0 });
    }
}

// ---- format detection -------------------------------------------------------------------

#[test]
fn format_is_detected_by_magic_bytes_not_extension() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_bytes(&[], &tree_files());
    let cases = [
        (put(&dir, "really-a-zip.tar.gz", &zip_bytes(&[], &tree_files())), SourceKind::Zip),
        (put(&dir, "really-a-tgz.zip", &gzip(&tar)), SourceKind::TarGz),
        (put(&dir, "really-a-tar.json", &tar), SourceKind::Tar),
    ];
    for (path, kind) in cases {
        assert_eq!(accepted(&path).0.kind, kind);
    }
}

#[test]
fn non_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("results.zip", format!("{{\"note\": \"{SECRET}\"}}").into_bytes()),
        ("empty.tar.gz", Vec::new()),
        ("json.gz", gzip(format!("{{\"note\": \"{SECRET}\"}}").as_bytes())),
        ("short.tar", vec![0u8; 100]),
    ] {
        let error = refused(&put(&dir, name, &bytes));
        assert!(matches!(error, ArchiveError::UnrecognizedFormat { .. }), "{name}: {error}");
        assert!(error.to_string().contains(".zip, .tar.gz"));
    }
}

#[test]
fn damaged_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_bytes(&TREE_DIRS, &tree_files());
    let tar = tar_bytes(&TREE_DIRS, &tree_files());
    let tgz = gzip(&tar);
    // Cut in the middle of the last file's data (the tar ends there, no end marker).
    let cut_in_file = tar.iter().rposition(|&b| b == b'{').unwrap() + 5;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated.zip", zip[..zip.len() - 30].to_vec()),
        ("truncated.tgz", tgz[..tgz.len() / 2].to_vec()),
        ("no-trailer.tgz", tgz[..tgz.len() - 8].to_vec()),
        ("truncated.tar", tar[..cut_in_file].to_vec()),
    ];
    for (name, bytes) in cases {
        let error = refused(&put(&dir, name, &bytes));
        assert!(matches!(error, ArchiveError::Corrupt { .. }), "{name}: {error}");
    }
    let error = refused(&put(&dir, "t.tar", &tar[..cut_in_file]));
    assert_names(&error, "e.json");

    // A flipped byte in a stored file's data fails the CRC check; the entry is named.
    let mut writer = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("a/b.json", SimpleFileOptions::default()).unwrap();
    writer.write_all(&body("b")).unwrap();
    let mut stored = writer.finish().unwrap().into_inner();
    patch_all(&mut stored, b"never-log", b"NEVER-log");
    let error = refused(&put(&dir, "crc.zip", &stored));
    assert!(matches!(error, ArchiveError::Corrupt { entry: Some(_), .. }), "{error}");
    assert_names(&error, "a/b.json");
}

// ---- visitor errors ---------------------------------------------------------------------

#[derive(Debug, PartialEq)]
struct Stop(String);

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "visitor stopped at {}", self.0)
    }
}

impl std::error::Error for Stop {}

#[test]
fn visitor_errors_pass_through_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("r");
    write_tree(&root, &tree_files());
    let zip = put(&dir, "r.zip", &zip_bytes(&TREE_DIRS, &tree_files()));
    let tar = put(&dir, "r.tar", &tar_bytes(&TREE_DIRS, &tree_files()));
    for path in [root, zip, tar] {
        let mut calls = 0;
        let result = visit_path(&path, &Limits::default(), &Cancel::new(), |p: &EntryPath, _: &mut dyn Read| {
            calls += 1;
            if calls == 2 { Err(Stop(p.to_string())) } else { Ok(()) }
        });
        match result {
            Err(VisitError::Visitor(stop)) => assert_eq!(stop, Stop("a/c/d.json".into())),
            other => panic!("{other:?}"),
        }
        assert_eq!(calls, 2, "no entry is visited after the visitor fails");
    }
    let error: VisitError<Stop> = VisitError::Visitor(Stop("x".into()));
    assert_eq!(error.to_string(), "visitor stopped at x");
}

#[test]
fn every_message_says_what_where_and_how() {
    let sample = [
        ArchiveError::AbsolutePath { entry: "/x".into() },
        ArchiveError::PathTraversal { entry: "../x".into() },
        ArchiveError::Link { entry: "l".into(), kind: LinkKind::Hard },
        ArchiveError::DuplicatePath { entry: "./a".into(), first: "a".into(), path: "a".into() },
        ArchiveError::EntryTooLarge { entry: "big".into(), limit: 512 * MIB, read: 512 * MIB + 1 },
        ArchiveError::TotalTooLarge { entry: "big".into(), limit: 2 * GIB, read: 2 * GIB + 1 },
        ArchiveError::Corrupt {
            format: SourceKind::TarGz,
            entry: Some("a\u{1b}[31m".into()),
            detail: sanitize("bad\nline"),
        },
    ];
    for error in sample {
        let message = error.to_string();
        assert!(message.contains('"'), "quotes the entry: {message}");
        assert!(!message.contains('\n') && !message.contains('\u{1b}'), "escaped: {message}");
        assert!(message.ends_with('.'), "ends with a fix: {message}");
    }
    assert_eq!(human_size(&(2 * GIB)), "2 GiB");
    assert_eq!(human_size(&1000), "1000 bytes");
}
