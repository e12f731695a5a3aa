//! Zip archives, including our own walk of the central directory.

use super::limits::{Limits, MIB};
use super::names::{is_dir_name, lossy, normalise, sanitize};
use super::{ArchiveError, LinkKind, SourceKind, Summary, VisitError, Visitor, Walker, corrupt, read_prefix};
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

const S_IFMT: u32 = 0o170_000;

enum ZipType {
    File,
    Dir,
    Link,
    Special(&'static str),
}

/// Zip has no entry types, only a Unix mode in the "external attributes" (when the archive was
/// made on Unix). A symlink is stored as a small file whose content is the target: reading it as
/// a file would hand the target path to the visitor as if it were results, so the mode decides.
fn zip_type(mode: Option<u32>, name: &[u8]) -> ZipType {
    match mode.map(|m| m & S_IFMT) {
        None | Some(0) | Some(0o100_000) if is_dir_name(name) => ZipType::Dir,
        None | Some(0) | Some(0o100_000) => ZipType::File,
        Some(0o040_000) => ZipType::Dir,
        Some(0o120_000) => ZipType::Link,
        Some(0o020_000) => ZipType::Special("character device"),
        Some(0o060_000) => ZipType::Special("block device"),
        Some(0o010_000) => ZipType::Special("FIFO (named pipe)"),
        Some(0o140_000) => ZipType::Special("socket"),
        Some(_) => ZipType::Special("file of unknown type"),
    }
}

pub(super) fn visit_zip<E>(
    file: &File,
    mut walker: Walker<'_>,
    visitor: &mut Visitor<'_, E>,
) -> Result<Summary, VisitError<E>> {
    let kind = SourceKind::Zip;
    let limits = walker.limits;
    check_end_records(file, &mut walker)?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| corrupt(kind, None, e))?;
    check_central_directory(file, archive.central_directory_start(), archive.len() as u64, limits)?;

    for index in 0..archive.len() {
        // Metadata first, from a raw (not decompressing) handle: nothing is decrypted or
        // decompressed for an entry that is going to be refused anyway.
        let (entry, path) = {
            let stored_name = archive.name_for_index(index).map(str::to_owned);
            let meta = archive.by_index_raw(index).map_err(|e| corrupt(kind, stored_name.as_deref(), e))?;
            // The raw bytes, not `name()`: zip decodes names without the UTF-8 flag as CP437,
            // which would turn undecodable bytes into plausible-looking text.
            let raw = meta.name_raw().to_vec();
            let entry = lossy(&raw);
            walker.count_entry(&entry)?;
            let is_dir = match zip_type(meta.unix_mode(), &raw) {
                ZipType::Dir => true,
                ZipType::File => false,
                ZipType::Link => {
                    return Err(ArchiveError::Link { entry, kind: LinkKind::Symbolic }.into());
                }
                ZipType::Special(what) => {
                    return Err(ArchiveError::SpecialFile { entry, kind: what.to_owned() }.into());
                }
            };
            if !is_dir {
                if meta.encrypted() {
                    return Err(ArchiveError::Encrypted { entry }.into());
                }
                let method = meta.compression();
                if method != zip::CompressionMethod::Stored && method != zip::CompressionMethod::DEFLATE {
                    return Err(ArchiveError::UnsupportedCompression { entry, method: method_name(method) }.into());
                }
            }
            match walker.claim(&raw, &entry, is_dir)? {
                Some(path) if !is_dir => (entry, path),
                _ => continue,
            }
        };
        let mut reader = archive.by_index(index).map_err(|e| corrupt(kind, Some(&entry), e))?;
        walker.deliver(&path, &entry, &mut reader, visitor)?;
    }
    Ok(walker.summary())
}

/// Largest central directory accepted: real ones take a few hundred bytes per entry, and the zip
/// crate keeps the whole directory in memory.
const MAX_DIRECTORY_BYTES: u64 = 16 * MIB;

/// How far from the end an end-of-central-directory record can start (22 bytes plus a comment
/// of up to 65535).
const END_SEARCH_BYTES: u64 = 22 + 65_535;

/// Reads the entry count and the central directory's size from every end-of-central-directory
/// record near the end of the file (and the ZIP64 record a locator points to), before the zip
/// crate reads the directory into memory: an archive that claims a million entries is refused
/// here, having cost one small read. Every candidate is checked, because readers differ in
/// which one they pick. The largest directory size counts against the total.
fn check_end_records(file: &File, walker: &mut Walker<'_>) -> Result<(), ArchiveError> {
    let broken = |e: io::Error| corrupt(SourceKind::Zip, None, format_args!("end of central directory: {e}"));
    let mut reader = file;
    let len = reader.seek(SeekFrom::End(0)).map_err(broken)?;
    let tail_start = len.saturating_sub(END_SEARCH_BYTES);
    reader.seek(SeekFrom::Start(tail_start)).map_err(broken)?;
    let mut tail = Vec::new();
    reader.take(END_SEARCH_BYTES).read_to_end(&mut tail).map_err(broken)?;
    let u16_at = |b: &[u8], at: usize| u64::from(u16::from_le_bytes([b[at], b[at + 1]]));
    let u32_at = |b: &[u8], at: usize| u64::from(u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]));
    let u64_at = |b: &[u8], at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    let limits = walker.limits;
    let max_bytes = MAX_DIRECTORY_BYTES.min(limits.max_total_bytes);
    let mut largest = 0u64;
    for at in (0..tail.len().saturating_sub(21)).filter(|&i| tail[i..].starts_with(b"PK\x05\x06")) {
        let mut entries = u16_at(&tail, at + 10).max(u16_at(&tail, at + 8));
        let mut bytes = u32_at(&tail, at + 12);
        if at >= 20 && tail[at - 20..].starts_with(b"PK\x06\x07") {
            let record_at = u64_at(&tail, at - 20 + 8);
            let mut record = [0u8; 56];
            let found = reader
                .seek(SeekFrom::Start(record_at))
                .and_then(|_| read_prefix(&mut reader, &mut record))
                .map_err(broken)?;
            if found == 56 && record.starts_with(b"PK\x06\x06") {
                entries = entries.max(u64_at(&record, 24)).max(u64_at(&record, 32));
                bytes = bytes.max(u64_at(&record, 40));
            }
        }
        if entries > limits.max_entries || bytes > max_bytes {
            return Err(ArchiveError::DirectoryTooLarge { entries, bytes, limit: limits.max_entries, max_bytes });
        }
        largest = largest.max(bytes);
    }
    reader.seek(SeekFrom::Start(0)).map_err(broken)?;
    walker.charge(largest, "")
}

fn method_name(method: zip::CompressionMethod) -> String {
    use zip::CompressionMethod as M;
    let known = [
        (M::SHRINK, "Shrink"),
        (M::IMPLODE, "Implode"),
        (M::DEFLATE64, "Deflate64"),
        (M::BZIP2, "bzip2"),
        (M::LZMA, "LZMA"),
        (M::ZSTD, "Zstandard"),
        (M::XZ, "XZ"),
        (M::PPMD, "PPMd"),
        (M::AES, "AES"),
    ];
    match known.iter().find(|(m, _)| *m == method) {
        Some((_, name)) => (*name).to_owned(),
        None => sanitize(format!("{method:?}")),
    }
}

/// zip 2.x keeps its entries in a map keyed by name, so a second entry with the same name
/// silently replaces the first and `len()` undercounts. To see every entry the archive really
/// lists, walk the central directory records ourselves. The first pass only counts (and enforces
/// `max_entries` before anything is read); names are collected only if the counts disagree.
fn check_central_directory(file: &File, start: u64, listed: u64, limits: &Limits) -> Result<(), ArchiveError> {
    let mut count = 0u64;
    walk_central_directory(file, start, limits.max_entries, &mut |raw| {
        count += 1;
        if count > limits.max_entries {
            return Err(ArchiveError::TooManyEntries { entry: lossy(raw), limit: limits.max_entries });
        }
        Ok(())
    })?;
    if count == listed {
        return Ok(());
    }
    let mut names: HashSet<Vec<u8>> = HashSet::new();
    walk_central_directory(file, start, limits.max_entries, &mut |raw| {
        if names.insert(raw.to_vec()) {
            return Ok(());
        }
        let entry = lossy(raw);
        let path = std::str::from_utf8(raw)
            .ok()
            .and_then(|name| normalise(name).ok())
            .map_or_else(|| entry.clone(), |path| path.to_string());
        Err(ArchiveError::DuplicatePath { first: entry.clone(), entry, path })
    })?;
    // Different raw names that zip still merged: Unicode path extra fields or undecodable bytes
    // that decode to the same text. Either way the archive reads differently in different tools.
    Err(corrupt(
        SourceKind::Zip,
        None,
        format_args!(
            "its central directory lists {count} entries but only {listed} distinct names \
             (two entries have names that decode to the same text)"
        ),
    ))
}

/// Calls `each` with the raw name of every central directory record, in order, for at most
/// `max_entries + 1` records.
fn walk_central_directory(
    file: &File,
    start: u64,
    max_entries: u64,
    each: &mut dyn FnMut(&[u8]) -> Result<(), ArchiveError>,
) -> Result<(), ArchiveError> {
    let broken = |e: io::Error| corrupt(SourceKind::Zip, None, format_args!("central directory: {e}"));
    let mut reader = BufReader::new(file);
    reader.seek(SeekFrom::Start(start)).map_err(broken)?;
    for _ in 0..=max_entries {
        let mut signature = [0u8; 4];
        if read_prefix(&mut reader, &mut signature).map_err(broken)? < 4 || signature != *b"PK\x01\x02" {
            // The records end where the zip64 or classic end-of-directory record begins.
            return Ok(());
        }
        // Fixed part of a central directory header (APPNOTE 4.3.12), after the signature.
        let mut fixed = [0u8; 42];
        reader.read_exact(&mut fixed).map_err(broken)?;
        let field = |at: usize| u16::from_le_bytes([fixed[at - 4], fixed[at - 3]]) as usize;
        let (name_len, extra_len, comment_len) = (field(28), field(30), field(32));
        let mut name = vec![0u8; name_len];
        reader.read_exact(&mut name).map_err(broken)?;
        reader.seek_relative((extra_len + comment_len) as i64).map_err(broken)?;
        each(&name)?;
    }
    Ok(())
}
