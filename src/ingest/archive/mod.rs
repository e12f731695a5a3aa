//! Reading uploaded evaluation results safely.
//!
//! An upload is a folder tree of (JSON) files. It arrives from the public internet as a `.zip`, a
//! `.tar.gz`/`.tgz` or a plain `.tar`, or it is a directory on disk that the CLI imports. The
//! entry points [`visit_path`] and [`visit_file`] hand every regular file to a visitor, one at a
//! time, as a normalised [`EntryPath`] plus a reader of the file's bytes (counted against the
//! limits as they are read, never held whole in memory), and return a [`Summary`].
//!
//! # Threat model
//!
//! Everything inside an upload is attacker-controlled: names, types, header fields and sizes. The
//! reader therefore:
//!
//! * recognises the format from the file's **content** (magic bytes), never from its name, since
//!   the name is just another thing the uploader chooses;
//! * accepts only regular files and directories. Links and device files are refused rather than
//!   resolved: nothing here is extracted, so a link could only be a way to point at something
//!   outside the upload, or to give one file two names;
//! * refuses names that are absolute, escape the root with `..`, are not UTF-8, contain control
//!   characters, or collide with another entry after normalisation. Callers then see each path
//!   exactly once and can use it as a key without further checks;
//! * never trusts a size declared in a header. It counts the bytes actually produced while
//!   decompressing and stops as soon as a [`Limits`] value is passed, so a zip bomb costs at most
//!   `max_entry_bytes + 1` bytes of memory and the time to decompress that much;
//! * keeps file **content** out of every error message. Messages quote entry names (escaped with
//!   `{:?}`, so control characters cannot forge log lines) but never bytes of a file, because
//!   uploaded files may contain text that must never reach a log.
//!
//! # Errors can arrive after earlier entries were visited
//!
//! Archives are read as a stream with one entry in memory at a time, so a refusal can come after
//! the visitor has seen earlier entries. Treat any error as a rejection of the whole upload:
//! collect what the visitor produces in a staging area and commit it only when the visit returns
//! `Ok(Summary)`.
//!
//! # Layout
//!
//! This file holds the public API, the errors, format sniffing and the `Walker` that holds every
//! format to the same rules (counting, names, duplicates, sizes). `limits` holds the size limits,
//! `names` the name rules, `stream` the counted entry stream and [`Cancel`], and `dir`, `zip`
//! and `tar` one source each.

mod dir;
mod folder;
mod limits;
mod names;
mod stream;
mod tar;
mod zip;

#[cfg(test)]
mod tests;

pub use folder::FolderTar;
pub use limits::Limits;
pub use names::EntryPath;
pub use stream::Cancel;

use limits::human_size;
use names::{NameProblem, normalise, sanitize};
use std::collections::HashMap;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use stream::{Counted, Failure};

/// Where the entries came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Directory,
    Zip,
    TarGz,
    Tar,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::Directory => "directory",
            SourceKind::Zip => "zip archive",
            SourceKind::TarGz => "tar.gz archive",
            SourceKind::Tar => "tar archive",
        })
    }
}

/// What a successful visit saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub kind: SourceKind,
    /// Entries counted against [`Limits::max_entries`]: files, directories and tar global headers.
    pub entries: u64,
    /// Regular files handed to the visitor.
    pub files: u64,
    /// Sum of the visited files' sizes, as actually read.
    pub total_bytes: u64,
}

/// The two kinds of link an archive can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Symbolic,
    Hard,
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkKind::Symbolic => "symbolic link",
            LinkKind::Hard => "hard link",
        })
    }
}

/// Why an upload was refused. Every message says what is wrong, which entry (quoted as stored in
/// the archive), and how to fix it; none contains file content.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Reading the upload from disk failed (not a problem of its content).
    #[error("could not read {what}: {source}. Check that it exists and is readable.")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },

    /// The content matches none of the supported formats.
    #[error(
        "the upload is not a supported archive: {detail}. Upload a .zip, .tar.gz (.tgz) or .tar \
         file; the format is recognised from the file's content, so renaming a file does not help."
    )]
    UnrecognizedFormat { detail: &'static str },

    /// The archive is damaged, truncated or internally inconsistent.
    #[error(
        "the {format} is damaged or truncated{}: {detail}. Create the archive again and re-upload \
         it, making sure the upload completes.",
        at_entry(.entry)
    )]
    Corrupt {
        format: SourceKind,
        /// The entry being read when the damage was found, if any.
        entry: Option<String>,
        /// What the decoder reported, with control characters escaped.
        detail: String,
    },

    #[error(
        "entry {entry:?} has an absolute path. Entries must be relative to the top of the archive: \
         create the archive from inside the results folder (for example `cd results && zip -r \
         ../results.zip .`)."
    )]
    AbsolutePath { entry: String },

    #[error(
        "entry {entry:?} uses `..` to point outside the archive. Remove the `..` parts so that \
         every entry stays inside the archive."
    )]
    PathTraversal { entry: String },

    #[error("entry {entry:?} has an unusable name: {reason}. Rename it and create the archive again.")]
    InvalidName { entry: String, reason: &'static str },

    #[error(
        "entry {entry:?} has a name that is not valid UTF-8 (undecodable bytes are shown as \
         \u{FFFD}). Rename it using UTF-8 characters, or create the archive with a tool that \
         stores UTF-8 names."
    )]
    NonUtf8Name { entry: String },

    #[error(
        "entry {entry:?} is a {kind}; links are not accepted. Replace it with a copy of the file it \
         points to (for example `tar --dereference`, or `zip` without `--symlinks`)."
    )]
    Link { entry: String, kind: LinkKind },

    #[error(
        "entry {entry:?} is a {kind}, not a regular file. Only regular files and folders are \
         accepted: remove it from the archive."
    )]
    SpecialFile { entry: String, kind: String },

    #[error(
        "entry {entry:?} has the same path as the earlier entry {first:?} (both mean {path:?}). \
         Each path may appear only once: remove one of them."
    )]
    DuplicatePath {
        entry: String,
        first: String,
        /// The normalised path both names resolve to.
        path: String,
    },

    #[error("entry {entry:?} is encrypted. Create the archive again without a password.")]
    Encrypted { entry: String },

    #[error(
        "entry {entry:?} uses the {method} compression method, which is not supported. Create the \
         zip again with the standard Deflate compression (the default of most tools) or without \
         compression."
    )]
    UnsupportedCompression { entry: String, method: String },

    #[error(
        "the upload has more than {limit} entries (files and folders both count); the limit was \
         passed at entry {entry:?}. Remove files that are not results, or split the upload."
    )]
    TooManyEntries { entry: String, limit: u64 },

    #[error(
        "entry {entry:?} is larger than the limit of {} per file (reading stopped after {read} \
         bytes). Remove or shrink this file.",
        human_size(.limit)
    )]
    EntryTooLarge {
        entry: String,
        limit: u64,
        /// Bytes actually read from this entry before giving up (`limit + 1`).
        read: u64,
    },

    /// The visit was stopped from outside (the client went away).
    #[error("reading the upload was stopped because the request was cancelled. Send it again.")]
    Cancelled,

    /// The zip's end-of-central-directory record lists too much, checked before the directory is
    /// read.
    #[error(
        "the zip's central directory lists {entries} entries in {bytes} bytes, more than the limit \
         of {limit} entries or {}. Remove files that are not results, or split the upload.",
        human_size(.max_bytes)
    )]
    DirectoryTooLarge { entries: u64, bytes: u64, limit: u64, max_bytes: u64 },

    #[error(
        "the files add up to more than the limit of {} uncompressed (names and headers count \
         too); the limit was passed while reading entry {entry:?} (after {read} bytes in total). \
         Remove files that are not results, or split the upload.",
        human_size(.limit)
    )]
    TotalTooLarge {
        entry: String,
        limit: u64,
        /// Bytes actually read from all files, this one included, before giving up.
        read: u64,
    },
}

/// Either the upload was refused, or the caller's own visitor failed.
#[derive(Debug)]
pub enum VisitError<E> {
    Archive(ArchiveError),
    /// The visitor's error, passed through untouched.
    Visitor(E),
}

impl<E> From<ArchiveError> for VisitError<E> {
    fn from(error: ArchiveError) -> Self {
        VisitError::Archive(error)
    }
}

impl<E: fmt::Display> fmt::Display for VisitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VisitError::Archive(e) => e.fmt(f),
            VisitError::Visitor(e) => e.fmt(f),
        }
    }
}

/// Transparent: the message and the source chain are those of the wrapped error.
impl<E: std::error::Error + 'static> std::error::Error for VisitError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VisitError::Archive(e) => std::error::Error::source(e),
            VisitError::Visitor(e) => e.source(),
        }
    }
}

/// Visit every regular file of a directory, a .zip, a .tar.gz/.tgz or a plain .tar, in a stable
/// order (sorted by path for directories; archive order otherwise), handing the visitor a reader
/// of the entry's bytes. The reader fails once a limit is passed or `cancel` is set; whatever
/// the visitor leaves unread is read (and counted) after it returns, and a failure while reading
/// is the visit's error, whatever the visitor returned.
///
/// A file's format is detected by its magic bytes, not its extension. For a directory, the root
/// itself is not a path component, and the root may be reached through a symlink (it is the
/// operator's choice); everything below it is read with `symlink_metadata` semantics and links
/// are refused.
pub fn visit_path<E, F>(path: &Path, limits: &Limits, cancel: &Cancel, mut visitor: F) -> Result<Summary, VisitError<E>>
where
    F: FnMut(&EntryPath, &mut dyn Read) -> Result<(), E>,
{
    let what = || format!("{:?}", path.display().to_string());
    let metadata = fs::metadata(path).map_err(|source| ArchiveError::Io { what: what(), source })?;
    if metadata.is_dir() {
        dir::visit_dir(path, Walker::new(limits, cancel, SourceKind::Directory), &mut visitor)
    } else if !metadata.is_file() {
        // Opening a FIFO would block until something writes to it.
        Err(ArchiveError::SpecialFile { entry: path.display().to_string(), kind: "special file".to_owned() }.into())
    } else {
        let mut file = File::open(path).map_err(|source| ArchiveError::Io { what: what(), source })?;
        visit_open_file(&mut file, &what(), limits, cancel, &mut visitor)
    }
}

/// Like [`visit_path`] for an already open file, such as an uploaded temporary file. The file is
/// read from its start whatever its current position.
pub fn visit_file<E, F>(
    mut file: File,
    limits: &Limits,
    cancel: &Cancel,
    mut visitor: F,
) -> Result<Summary, VisitError<E>>
where
    F: FnMut(&EntryPath, &mut dyn Read) -> Result<(), E>,
{
    visit_open_file(&mut file, "the uploaded file", limits, cancel, &mut visitor)
}

type Visitor<'v, E> = dyn FnMut(&EntryPath, &mut dyn Read) -> Result<(), E> + 'v;

// ---------------------------------------------------------------------------------------------
// Format detection

enum Format {
    Zip,
    Gzip,
    Tar,
}

/// The name of an upload is chosen by the uploader and says nothing about its content, so the
/// format is read from the first bytes instead.
fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Format::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Some(Format::Gzip)
    } else if looks_like_tar(head) {
        Some(Format::Tar)
    } else {
        None
    }
}

/// A tar starts with a header block carrying "ustar" at offset 257 (POSIX and GNU formats), or,
/// for an archive without members, with the all-zero end-of-archive block. Pre-POSIX v7 tars have
/// no magic and are not accepted.
fn looks_like_tar(head: &[u8]) -> bool {
    head.len() >= 512 && (&head[257..262] == b"ustar" || head[..512].iter().all(|&b| b == 0))
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_prefix(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn visit_open_file<E>(
    file: &mut File,
    what: &str,
    limits: &Limits,
    cancel: &Cancel,
    visitor: &mut Visitor<'_, E>,
) -> Result<Summary, VisitError<E>> {
    let io_error = |source| ArchiveError::Io { what: what.to_owned(), source };
    let mut head = [0u8; 512];
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    let n = read_prefix(file, &mut head).map_err(io_error)?;
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    match sniff(&head[..n]) {
        Some(Format::Zip) => zip::visit_zip(file, Walker::new(limits, cancel, SourceKind::Zip), visitor),
        Some(Format::Gzip) => tar::visit_tar_gz(&*file, Walker::new(limits, cancel, SourceKind::TarGz), visitor),
        Some(Format::Tar) => {
            tar::visit_tar(BufReader::new(&*file), Walker::new(limits, cancel, SourceKind::Tar), visitor)
                .map(|(summary, _)| summary)
        }
        None => Err(ArchiveError::UnrecognizedFormat {
            detail: if n == 0 { "the file is empty" } else { "its first bytes match none of the supported formats" },
        }
        .into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared bookkeeping: counting, names, duplicates, size limits

/// Longest entry name accepted (harness paths are well under 200 bytes).
const MAX_NAME_BYTES: usize = 1024;

/// State shared by all formats, so that every source is held to exactly the same rules.
struct Walker<'l> {
    limits: &'l Limits,
    cancel: &'l Cancel,
    kind: SourceKind,
    entries: u64,
    files: u64,
    total_bytes: u64,
    /// Names, headers and other metadata, counted against the same total as the files.
    metadata_bytes: u64,
    /// Normalised path -> name as stored, to report both names of a duplicate.
    seen: HashMap<EntryPath, String>,
}

impl<'l> Walker<'l> {
    fn new(limits: &'l Limits, cancel: &'l Cancel, kind: SourceKind) -> Self {
        Walker { limits, cancel, kind, entries: 0, files: 0, total_bytes: 0, metadata_bytes: 0, seen: HashMap::new() }
    }

    /// Counted before anything else about the entry is looked at, so a flood of entries is cut
    /// off at the limit whatever they contain. The name counts against the total size.
    fn count_entry(&mut self, entry: &str) -> Result<(), ArchiveError> {
        if self.cancel.is_cancelled() {
            return Err(ArchiveError::Cancelled);
        }
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries { entry: entry.to_owned(), limit: self.limits.max_entries });
        }
        self.charge(entry.len() as u64, entry)
    }

    /// Counts metadata (names, headers, extension records, directories) against the total.
    fn charge(&mut self, bytes: u64, entry: &str) -> Result<(), ArchiveError> {
        self.metadata_bytes = self.metadata_bytes.saturating_add(bytes);
        let used = self.used();
        if used > self.limits.max_total_bytes {
            return Err(ArchiveError::TotalTooLarge {
                entry: entry.to_owned(),
                limit: self.limits.max_total_bytes,
                read: used,
            });
        }
        Ok(())
    }

    fn used(&self) -> u64 {
        self.total_bytes.saturating_add(self.metadata_bytes)
    }

    /// Checks a raw name and registers it. Returns `None` for the root directory itself (such as
    /// the `./` entry many tar tools write), which is counted but has no path of its own.
    fn claim(&mut self, raw: &[u8], entry: &str, is_dir: bool) -> Result<Option<EntryPath>, ArchiveError> {
        // Every name is kept (to find duplicates): the cap bounds that memory.
        if raw.len() > MAX_NAME_BYTES {
            return Err(ArchiveError::InvalidName {
                entry: entry.chars().take(80).collect::<String>() + "...",
                reason: "it is longer than 1024 bytes",
            });
        }
        let name = std::str::from_utf8(raw).map_err(|_| ArchiveError::NonUtf8Name { entry: entry.to_owned() })?;
        let path = normalise(name).map_err(|problem| match problem {
            NameProblem::Absolute => ArchiveError::AbsolutePath { entry: entry.to_owned() },
            NameProblem::Traversal => ArchiveError::PathTraversal { entry: entry.to_owned() },
            NameProblem::Invalid(reason) => ArchiveError::InvalidName { entry: entry.to_owned(), reason },
        })?;
        if path.components().is_empty() {
            return if is_dir {
                Ok(None)
            } else {
                Err(ArchiveError::InvalidName {
                    entry: entry.to_owned(),
                    reason: "it names no file once `.` and empty segments are removed",
                })
            };
        }
        // Duplicates are refused rather than "last one wins": which copy a reader keeps differs
        // between tools, and an uploader could use that to show reviewers one file and the
        // leaderboard another. Directories take part too, so a file cannot share a folder's name.
        if let Some(first) = self.seen.get(&path) {
            return Err(ArchiveError::DuplicatePath {
                entry: entry.to_owned(),
                first: first.clone(),
                path: path.to_string(),
            });
        }
        self.seen.insert(path.clone(), entry.to_owned());
        Ok(Some(path))
    }

    /// Hands one entry's content to the visitor as a counted stream (see [`Counted`]), reads
    /// what the visitor left, and returns the bytes read. A read failure (a limit, damage,
    /// cancellation) is the error, whatever the visitor made of the short stream.
    fn deliver<E>(
        &mut self,
        path: &EntryPath,
        entry: &str,
        reader: &mut dyn Read,
        visitor: &mut Visitor<'_, E>,
    ) -> Result<u64, VisitError<E>> {
        self.files += 1;
        let remaining_total = self.limits.max_total_bytes.saturating_sub(self.used());
        let mut counted = Counted {
            inner: reader,
            cap: self.limits.max_entry_bytes.min(remaining_total),
            read: 0,
            failure: None,
            cancel: self.cancel,
        };
        let outcome = visitor(path, &mut counted);
        if counted.failure.is_none() {
            // Errors are recorded in `failure`.
            let _ = io::copy(&mut counted, &mut io::sink());
        }
        let read = counted.read;
        if let Some(failure) = counted.failure {
            return Err(self.failure(failure, entry, read).into());
        }
        outcome.map_err(VisitError::Visitor)?;
        self.total_bytes += read;
        Ok(read)
    }

    fn failure(&self, failure: Failure, entry: &str, read: u64) -> ArchiveError {
        match failure {
            Failure::Cancelled => ArchiveError::Cancelled,
            // `read` is at most cap + 1, so it exceeds the per-file limit only when that limit
            // was the binding one.
            Failure::TooLarge if read > self.limits.max_entry_bytes => {
                ArchiveError::EntryTooLarge { entry: entry.to_owned(), limit: self.limits.max_entry_bytes, read }
            }
            Failure::TooLarge => ArchiveError::TotalTooLarge {
                entry: entry.to_owned(),
                limit: self.limits.max_total_bytes,
                read: self.used() + read,
            },
            Failure::Io(error) => self.read_error(entry, error),
        }
    }

    /// Reads a directory's or header's data (which only metadata may carry) within `cap`,
    /// counted against the total.
    fn read_metadata(&mut self, reader: &mut dyn Read, entry: &str, cap: u64) -> Result<Option<Vec<u8>>, ArchiveError> {
        let data = read_at_most(reader, cap).map_err(|e| self.read_error(entry, e))?;
        if data.len() as u64 > cap {
            return Ok(None);
        }
        self.charge(data.len() as u64, entry)?;
        Ok(Some(data))
    }

    fn read_error(&self, entry: &str, error: io::Error) -> ArchiveError {
        match self.kind {
            SourceKind::Directory => ArchiveError::Io { what: format!("{entry:?}"), source: error },
            format => corrupt(format, Some(entry), error),
        }
    }

    fn summary(&self) -> Summary {
        Summary { kind: self.kind, entries: self.entries, files: self.files, total_bytes: self.total_bytes }
    }
}

/// Reads to the end, or until `cap + 1` bytes have arrived (one more than allowed, which is how
/// the caller learns the limit was passed). The buffer grows with the data actually received.
fn read_at_most(reader: &mut dyn Read, cap: u64) -> io::Result<Vec<u8>> {
    let mut limited = reader.take(cap.saturating_add(1));
    let mut body = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        match limited.read(&mut chunk) {
            Ok(0) => return Ok(body),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn corrupt(format: SourceKind, entry: Option<&str>, detail: impl fmt::Display) -> ArchiveError {
    ArchiveError::Corrupt { format, entry: entry.map(str::to_owned), detail: sanitize(detail) }
}

fn at_entry(entry: &Option<String>) -> String {
    match entry {
        Some(entry) => format!(" at entry {entry:?}"),
        None => String::new(),
    }
}
