//! Reading uploaded evaluation results safely.
//!
//! An upload is a folder tree of (JSON) files. It arrives from the public internet as a `.zip`, a
//! `.tar.gz`/`.tgz` or a plain `.tar`, or it is a directory on disk that the CLI imports. The
//! entry points [`visit_path`] and [`visit_file`] hand every regular file to a visitor, one at a
//! time, as a normalised [`EntryPath`] plus the file's full bytes, and return a [`Summary`].
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

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// Extension headers (tar long names, PAX records) carry only metadata. Real ones are a few
/// hundred bytes; the tar crate itself would read any size into memory, so we cap them.
const MAX_METADATA_BYTES: u64 = MIB;

/// How much data may follow the end-of-archive marker inside a `.tar.gz`. Tar pads archives to
/// 10 KiB records, so legitimate padding is far smaller than this.
const MAX_TRAILING_BYTES: u64 = MIB;

/// Size limits for one upload. Every limit is checked against bytes actually read, never against
/// sizes declared in headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of entries, directories included (the root itself is not an entry).
    pub max_entries: u64,
    /// Maximum sum of the uncompressed sizes of all files.
    pub max_total_bytes: u64,
    /// Maximum uncompressed size of one file.
    pub max_entry_bytes: u64,
}

impl Default for Limits {
    /// 20 000 entries, 2 GiB in total, 512 MiB per file.
    fn default() -> Self {
        Limits { max_entries: 20_000, max_total_bytes: 2 * GIB, max_entry_bytes: 512 * MIB }
    }
}

/// A path inside the archive, as normalised components ("a/b/c.json" -> ["a","b","c.json"]).
///
/// Components are never empty, `.` or `..`, and contain neither `/` nor `\`. Ordering is by
/// component, which is the order in which a directory is visited.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryPath(Vec<String>);

impl EntryPath {
    /// The normalised components, outermost first.
    pub fn components(&self) -> &[String] {
        &self.0
    }

    /// The last component: the file's own name.
    pub fn file_name(&self) -> &str {
        self.0.last().map_or("", String::as_str)
    }
}

impl fmt::Display for EntryPath {
    /// Components joined by `/`, e.g. `a/b/c.json`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

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

    #[error(
        "the files add up to more than the limit of {} uncompressed; the limit was passed while \
         reading entry {entry:?} (after {read} bytes in total). Remove files that are not results, \
         or split the upload.",
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
/// order (sorted by path for directories; archive order otherwise), handing the visitor the
/// entry's full bytes (read one at a time; never more than one entry in memory).
///
/// A file's format is detected by its magic bytes, not its extension. For a directory, the root
/// itself is not a path component, and the root may be reached through a symlink (it is the
/// operator's choice); everything below it is read with `symlink_metadata` semantics and links
/// are refused.
pub fn visit_path<E, F>(path: &Path, limits: &Limits, mut visitor: F) -> Result<Summary, VisitError<E>>
where
    F: FnMut(&EntryPath, &[u8]) -> Result<(), E>,
{
    let what = || format!("{:?}", path.display().to_string());
    let metadata = fs::metadata(path).map_err(|source| ArchiveError::Io { what: what(), source })?;
    if metadata.is_dir() {
        visit_dir(path, limits, &mut visitor)
    } else if !metadata.is_file() {
        // Opening a FIFO would block until something writes to it.
        Err(ArchiveError::SpecialFile { entry: path.display().to_string(), kind: "special file".to_owned() }.into())
    } else {
        let mut file = File::open(path).map_err(|source| ArchiveError::Io { what: what(), source })?;
        visit_open_file(&mut file, &what(), limits, &mut visitor)
    }
}

/// Like [`visit_path`] for an already open file, such as an uploaded temporary file. The file is
/// read from its start whatever its current position.
pub fn visit_file<E, F>(mut file: File, limits: &Limits, mut visitor: F) -> Result<Summary, VisitError<E>>
where
    F: FnMut(&EntryPath, &[u8]) -> Result<(), E>,
{
    visit_open_file(&mut file, "the uploaded file", limits, &mut visitor)
}

type Visitor<'v, E> = dyn FnMut(&EntryPath, &[u8]) -> Result<(), E> + 'v;

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
    visitor: &mut Visitor<'_, E>,
) -> Result<Summary, VisitError<E>> {
    let io_error = |source| ArchiveError::Io { what: what.to_owned(), source };
    let mut head = [0u8; 512];
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    let n = read_prefix(file, &mut head).map_err(io_error)?;
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    match sniff(&head[..n]) {
        Some(Format::Zip) => visit_zip(file, limits, visitor),
        Some(Format::Gzip) => visit_tar_gz(&*file, limits, visitor),
        Some(Format::Tar) => {
            visit_tar(BufReader::new(&*file), SourceKind::Tar, limits, visitor).map(|(summary, _)| summary)
        }
        None => Err(ArchiveError::UnrecognizedFormat {
            detail: if n == 0 { "the file is empty" } else { "its first bytes match none of the supported formats" },
        }
        .into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared bookkeeping: counting, names, duplicates, size limits

/// State shared by all formats, so that every source is held to exactly the same rules.
struct Walker<'l> {
    limits: &'l Limits,
    kind: SourceKind,
    entries: u64,
    files: u64,
    total_bytes: u64,
    /// Normalised path -> name as stored, to report both names of a duplicate.
    seen: HashMap<EntryPath, String>,
}

impl<'l> Walker<'l> {
    fn new(limits: &'l Limits, kind: SourceKind) -> Self {
        Walker { limits, kind, entries: 0, files: 0, total_bytes: 0, seen: HashMap::new() }
    }

    /// Counted before anything else about the entry is looked at, so a flood of entries is cut
    /// off at the limit whatever they contain.
    fn count_entry(&mut self, entry: &str) -> Result<(), ArchiveError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries { entry: entry.to_owned(), limit: self.limits.max_entries });
        }
        Ok(())
    }

    /// Checks a raw name and registers it. Returns `None` for the root directory itself (such as
    /// the `./` entry many tar tools write), which is counted but has no path of its own.
    fn claim(&mut self, raw: &[u8], entry: &str, is_dir: bool) -> Result<Option<EntryPath>, ArchiveError> {
        let name = std::str::from_utf8(raw).map_err(|_| ArchiveError::NonUtf8Name { entry: entry.to_owned() })?;
        let path = normalise(name).map_err(|problem| match problem {
            NameProblem::Absolute => ArchiveError::AbsolutePath { entry: entry.to_owned() },
            NameProblem::Traversal => ArchiveError::PathTraversal { entry: entry.to_owned() },
            NameProblem::Invalid(reason) => ArchiveError::InvalidName { entry: entry.to_owned(), reason },
        })?;
        if path.0.is_empty() {
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

    /// Reads one entry's content, stopping as soon as a limit is passed. Sizes declared in
    /// headers are ignored: a zip bomb declares a small size and inflates to gigabytes, so only
    /// the bytes that actually come out of the decoder are counted, and memory is never reserved
    /// up front for a declared size.
    fn read_body(&mut self, reader: &mut dyn Read, entry: &str) -> Result<Vec<u8>, ArchiveError> {
        let remaining_total = self.limits.max_total_bytes.saturating_sub(self.total_bytes);
        let cap = self.limits.max_entry_bytes.min(remaining_total);
        let body = read_at_most(reader, cap).map_err(|e| self.read_error(entry, e))?;
        let read = body.len() as u64;
        if read > cap {
            // `read` is at most cap + 1, so it exceeds the per-file limit only when that limit
            // was the binding one.
            return Err(if read > self.limits.max_entry_bytes {
                ArchiveError::EntryTooLarge { entry: entry.to_owned(), limit: self.limits.max_entry_bytes, read }
            } else {
                ArchiveError::TotalTooLarge {
                    entry: entry.to_owned(),
                    limit: self.limits.max_total_bytes,
                    read: self.total_bytes + read,
                }
            });
        }
        self.total_bytes += read;
        Ok(body)
    }

    fn read_error(&self, entry: &str, error: io::Error) -> ArchiveError {
        match self.kind {
            SourceKind::Directory => ArchiveError::Io { what: format!("{entry:?}"), source: error },
            format => corrupt(format, Some(entry), error),
        }
    }

    fn deliver<E>(&mut self, path: &EntryPath, body: &[u8], visitor: &mut Visitor<'_, E>) -> Result<(), VisitError<E>> {
        self.files += 1;
        visitor(path, body).map_err(VisitError::Visitor)
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

enum NameProblem {
    Absolute,
    Traversal,
    Invalid(&'static str),
}

/// Normalises a name as stored into path components.
///
/// Backslashes count as separators: Windows tools write them into zips, and treating them as
/// plain characters would let `..\evil.json` slip past the `..` check in any consumer that later
/// runs on Windows. `.` and empty segments are dropped; `..` is resolved lexically (no links
/// exist to make that ambiguous) and refused once it would leave the root.
fn normalise(name: &str) -> Result<EntryPath, NameProblem> {
    if name.chars().any(char::is_control) {
        return Err(NameProblem::Invalid("it contains control characters (such as a line break or NUL)"));
    }
    if name.chars().any(is_bidi_control) {
        return Err(NameProblem::Invalid("it contains invisible text-direction characters, which can disguise a name"));
    }
    let unified = name.replace('\\', "/");
    let bytes = unified.as_bytes();
    // "/x", "\x", "\\server\share" and Windows drive paths ("C:\x", "C:x") are all anchored
    // somewhere other than the archive's root.
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if unified.starts_with('/') || drive {
        return Err(NameProblem::Absolute);
    }
    let mut components: Vec<String> = Vec::new();
    for segment in unified.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if components.pop().is_none() {
                    return Err(NameProblem::Traversal);
                }
            }
            other => components.push(other.to_owned()),
        }
    }
    Ok(EntryPath(components))
}

/// Unicode characters that reorder how text is displayed (the "Trojan Source" set).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_dir_name(name: &[u8]) -> bool {
    matches!(name.last(), Some(b'/') | Some(b'\\'))
}

fn lossy(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

fn corrupt(format: SourceKind, entry: Option<&str>, detail: impl fmt::Display) -> ArchiveError {
    ArchiveError::Corrupt { format, entry: entry.map(str::to_owned), detail: sanitize(detail) }
}

/// Decoder messages can quote header bytes, which the uploader controls: escape control
/// characters and cap the length before they reach a message.
fn sanitize(text: impl fmt::Display) -> String {
    let mut out = String::new();
    for c in text.to_string().chars().take(300) {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn at_entry(entry: &Option<String>) -> String {
    match entry {
        Some(entry) => format!(" at entry {entry:?}"),
        None => String::new(),
    }
}

fn human_size(bytes: &u64) -> String {
    let n = *bytes;
    for (unit, name) in [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
        if n >= unit && n.is_multiple_of(unit) {
            return format!("{} {name}", n / unit);
        }
    }
    format!("{n} bytes")
}

// ---------------------------------------------------------------------------------------------
// Directories on disk

struct DiskItem {
    fs_path: PathBuf,
    /// The path relative to the root, as found on disk, for messages.
    entry: String,
    path: EntryPath,
    is_dir: bool,
}

/// The directory source exists for the CLI, which imports results from the operator's own disk,
/// so races against a local attacker swapping files between listing and reading are out of
/// scope. Uploads from the internet never take this path.
fn visit_dir<E>(root: &Path, limits: &Limits, visitor: &mut Visitor<'_, E>) -> Result<Summary, VisitError<E>> {
    let mut walker = Walker::new(limits, SourceKind::Directory);
    // A stack of items still to visit, kept so that popping yields them in path order: this is a
    // depth-first walk with sorted siblings, without recursion (no stack overflow on deep trees).
    let mut pending = Vec::new();
    list_dir(root, "", &mut walker, &mut pending)?;
    while let Some(item) = pending.pop() {
        if item.is_dir {
            list_dir(&item.fs_path, &item.entry, &mut walker, &mut pending)?;
            continue;
        }
        let mut file = File::open(&item.fs_path)
            .map_err(|source| ArchiveError::Io { what: format!("{:?}", item.entry), source })?;
        let body = walker.read_body(&mut file, &item.entry)?;
        walker.deliver(&item.path, &body, visitor)?;
    }
    Ok(walker.summary())
}

fn list_dir(
    dir: &Path,
    prefix: &str,
    walker: &mut Walker<'_>,
    pending: &mut Vec<DiskItem>,
) -> Result<(), ArchiveError> {
    let what = || {
        if prefix.is_empty() { format!("{:?}", dir.display().to_string()) } else { format!("{prefix:?}") }
    };
    let listing = fs::read_dir(dir).map_err(|source| ArchiveError::Io { what: what(), source })?;
    let mut children = Vec::new();
    for dirent in listing {
        let dirent = dirent.map_err(|source| ArchiveError::Io { what: what(), source })?;
        let os_name = dirent.file_name();
        let shown = os_name.to_string_lossy();
        let entry = if prefix.is_empty() { shown.into_owned() } else { format!("{prefix}/{shown}") };
        // Counted while listing, so a directory with millions of files is cut off at the limit
        // instead of being collected first.
        walker.count_entry(&entry)?;
        if os_name.to_str().is_none() {
            return Err(ArchiveError::NonUtf8Name { entry });
        }
        // `DirEntry::file_type` does not follow symlinks (like `symlink_metadata`): a link is
        // reported as a link, whatever it points to.
        let file_type = dirent.file_type().map_err(|source| ArchiveError::Io { what: format!("{entry:?}"), source })?;
        let is_dir = if file_type.is_symlink() {
            return Err(ArchiveError::Link { entry, kind: LinkKind::Symbolic });
        } else if file_type.is_dir() {
            true
        } else if file_type.is_file() {
            false
        } else {
            return Err(ArchiveError::SpecialFile { entry, kind: special_kind(&file_type).to_owned() });
        };
        // The same name rules as for archives: a file named `..\x` or `a\b.json` on disk would
        // otherwise mean something different here than in a zip made from this folder.
        let Some(path) = walker.claim(entry.as_bytes(), &entry, is_dir)? else {
            // Only a name like `x\..` gets here; skipping it would silently drop a folder.
            return Err(ArchiveError::InvalidName { entry, reason: "it resolves to the top folder itself" });
        };
        children.push(DiskItem { fs_path: dirent.path(), entry, path, is_dir });
    }
    // Descending, so that popping from the stack yields ascending order.
    children.sort_by(|a, b| b.path.cmp(&a.path));
    pending.extend(children);
    Ok(())
}

#[cfg(unix)]
fn special_kind(file_type: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_char_device() {
        "character device"
    } else if file_type.is_block_device() {
        "block device"
    } else if file_type.is_fifo() {
        "FIFO (named pipe)"
    } else if file_type.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_file_type: &fs::FileType) -> &'static str {
    "special file"
}

// ---------------------------------------------------------------------------------------------
// Zip

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

fn visit_zip<E>(file: &File, limits: &Limits, visitor: &mut Visitor<'_, E>) -> Result<Summary, VisitError<E>> {
    let kind = SourceKind::Zip;
    let mut walker = Walker::new(limits, kind);
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
        let body = walker.read_body(&mut reader, &entry)?;
        drop(reader);
        walker.deliver(&path, &body, visitor)?;
    }
    Ok(walker.summary())
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

// ---------------------------------------------------------------------------------------------
// Tar and tar.gz

fn visit_tar_gz<R: Read, E>(
    reader: R,
    limits: &Limits,
    visitor: &mut Visitor<'_, E>,
) -> Result<Summary, VisitError<E>> {
    let kind = SourceKind::TarGz;
    let mut gz = flate2::read::GzDecoder::new(reader);
    let mut head = [0u8; 512];
    let n = read_prefix(&mut gz, &mut head).map_err(|e| corrupt(kind, None, e))?;
    if !looks_like_tar(&head[..n]) {
        return Err(ArchiveError::UnrecognizedFormat {
            detail: "it is gzip-compressed, but what is inside is not a tar archive",
        }
        .into());
    }
    let stream = io::Cursor::new(head[..n].to_vec()).chain(gz);
    let (summary, mut rest) = visit_tar(stream, kind, limits, visitor)?;
    // The tar reader stops at the end-of-archive marker, before the gzip trailer. Reading on to
    // the end of the gzip stream verifies its checksum and length, so a damaged or truncated
    // upload is refused rather than half-accepted; the cap keeps a bomb hidden after the marker
    // from costing anything.
    let trailing =
        io::copy(&mut (&mut rest).take(MAX_TRAILING_BYTES + 1), &mut io::sink()).map_err(|e| corrupt(kind, None, e))?;
    if trailing > MAX_TRAILING_BYTES {
        return Err(corrupt(kind, None, "more than 1 MiB of data follows the end of the tar archive").into());
    }
    Ok(summary)
}

/// Tar members are processed in raw mode: the tar crate would otherwise read GNU long names and
/// PAX headers into memory whatever their size. Here they are read with a 1 MiB cap and applied
/// to the next member by hand.
fn visit_tar<R: Read, E>(
    reader: R,
    kind: SourceKind,
    limits: &Limits,
    visitor: &mut Visitor<'_, E>,
) -> Result<(Summary, R), VisitError<E>> {
    let mut walker = Walker::new(limits, kind);
    let mut archive = tar::Archive::new(reader);
    {
        let entries = archive.entries().map_err(|e| corrupt(kind, None, e))?.raw(true);
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link = false;
        let mut pax: Option<Vec<u8>> = None;
        let mut previous: Option<String> = None;
        for member in entries {
            // A broken header is reported with the last good entry, the best "where" we have.
            let mut member = member.map_err(|e| {
                let detail = match &previous {
                    Some(prev) => format!("after entry {prev:?}: {e}"),
                    None => e.to_string(),
                };
                corrupt(kind, None, detail)
            })?;
            let entry_type = member.header().entry_type();
            let pending_extension = match entry_type {
                tar::EntryType::GNULongName => Some(&mut long_name),
                tar::EntryType::XHeader => Some(&mut pax),
                tar::EntryType::GNULongLink if !long_link => {
                    long_link = true;
                    read_metadata(&mut member, kind)?;
                    continue;
                }
                tar::EntryType::GNULongLink => {
                    return Err(corrupt(kind, None, "two long link names describe the same member").into());
                }
                _ => None,
            };
            if let Some(slot) = pending_extension {
                if slot.is_some() {
                    return Err(corrupt(kind, None, "two extended headers of one kind describe the same member").into());
                }
                *slot = Some(read_metadata(&mut member, kind)?);
                continue;
            }

            let raw = tar_name(&member, long_name.take(), pax.take(), kind)?;
            long_link = false;
            let entry = lossy(&raw);
            walker.count_entry(&entry)?;
            previous = Some(entry.clone());

            let is_dir = match entry_type {
                // Global PAX headers (git archive writes one) only hold metadata; counted so that
                // a flood of them is still bounded, and read with a cap rather than left for the
                // tar crate to skip (skipping decompresses everything, however large).
                tar::EntryType::XGlobalHeader => {
                    read_metadata(&mut member, kind)?;
                    continue;
                }
                tar::EntryType::Regular | tar::EntryType::Continuous => is_dir_name(&raw),
                tar::EntryType::Directory => true,
                tar::EntryType::Symlink => {
                    return Err(ArchiveError::Link { entry, kind: LinkKind::Symbolic }.into());
                }
                tar::EntryType::Link => {
                    return Err(ArchiveError::Link { entry, kind: LinkKind::Hard }.into());
                }
                other => {
                    return Err(ArchiveError::SpecialFile { entry, kind: tar_type_name(other) }.into());
                }
            };
            let Some(path) = walker.claim(&raw, &entry, is_dir)? else {
                continue;
            };
            if is_dir {
                // Directories have no data, but a header can claim some; the tar crate would
                // decompress all of it to skip it, so read it here, within a cap.
                let data = read_at_most(&mut member, MAX_METADATA_BYTES).map_err(|e| corrupt(kind, Some(&entry), e))?;
                if data.len() as u64 > MAX_METADATA_BYTES {
                    return Err(
                        corrupt(kind, Some(&entry), "this directory entry carries more than 1 MiB of data").into()
                    );
                }
                continue;
            }
            let declared = member.size();
            let body = walker.read_body(&mut member, &entry)?;
            // The tar crate hands out short data when the archive ends mid-file. The declared
            // size is only used here, to notice that; limits were checked on real bytes above.
            if (body.len() as u64) < declared {
                return Err(corrupt(kind, Some(&entry), "the archive ends in the middle of this file").into());
            }
            walker.deliver(&path, &body, visitor)?;
        }
        if long_name.is_some() || long_link || pax.is_some() {
            return Err(corrupt(kind, None, "the archive ends with an extended header but no member after it").into());
        }
    }
    Ok((walker.summary(), archive.into_inner()))
}

fn read_metadata<R: Read>(member: &mut tar::Entry<'_, R>, kind: SourceKind) -> Result<Vec<u8>, ArchiveError> {
    let data = read_at_most(member, MAX_METADATA_BYTES).map_err(|e| corrupt(kind, None, e))?;
    if data.len() as u64 > MAX_METADATA_BYTES {
        return Err(corrupt(kind, None, "an extended header (long name or PAX record) is larger than 1 MiB"));
    }
    Ok(data)
}

/// The member's name: a PAX `path` record, else a GNU long name, else the header's own name.
/// Two different long names, or a PAX size that disagrees with the header, are refused: tools
/// resolve such conflicts differently, so the archive would not mean the same thing everywhere.
fn tar_name<R: Read>(
    member: &tar::Entry<'_, R>,
    long_name: Option<Vec<u8>>,
    pax: Option<Vec<u8>>,
    kind: SourceKind,
) -> Result<Vec<u8>, ArchiveError> {
    let header_name = member.path_bytes().into_owned();
    let broken = |detail: &str| corrupt(kind, Some(&lossy(&header_name)), detail);
    let mut pax_path = None;
    if let Some(records) = &pax {
        for record in tar::PaxExtensions::new(records) {
            let record = record.map_err(|_| broken("its PAX header is malformed"))?;
            match record.key_bytes() {
                b"path" => pax_path = Some(record.value_bytes().to_vec()),
                b"size" => {
                    let size = record.value().ok().and_then(|v| v.parse::<u64>().ok());
                    if size != Some(member.size()) {
                        return Err(broken("its PAX header declares a different size than its tar header"));
                    }
                }
                key if key.starts_with(b"GNU.sparse.") => {
                    return Err(ArchiveError::SpecialFile {
                        entry: lossy(&pax_path.unwrap_or(header_name)),
                        kind: "sparse file (tar --sparse)".to_owned(),
                    });
                }
                _ => {}
            }
        }
    }
    let long_name = long_name.map(|mut name| {
        while name.last() == Some(&0) {
            name.pop();
        }
        name
    });
    match (pax_path, long_name) {
        (Some(a), Some(b)) if a != b => Err(broken("its PAX path and GNU long name disagree")),
        (Some(name), _) | (None, Some(name)) => Ok(name),
        (None, None) => Ok(header_name),
    }
}

fn tar_type_name(entry_type: tar::EntryType) -> String {
    match entry_type {
        tar::EntryType::Char => "character device".to_owned(),
        tar::EntryType::Block => "block device".to_owned(),
        tar::EntryType::Fifo => "FIFO (named pipe)".to_owned(),
        tar::EntryType::GNUSparse => "sparse file (tar --sparse)".to_owned(),
        other => format!("tar member of unsupported type {}", sanitize(format!("{:?}", other.as_byte() as char))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::convert::Infallible;
    use std::io::{Cursor, Write};
    use std::rc::Rc;
    use tar::EntryType;
    use tempfile::TempDir;
    use zip::write::SimpleFileOptions;

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
        let summary = visit_path(path, limits, |p: &EntryPath, b: &[u8]| {
            seen.push((p.to_string(), b.to_vec()));
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
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
    }

    fn zip_bytes(dirs: &[&str], files: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
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
        let mut builder = tar::Builder::new(Vec::new());
        for dir in dirs {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(EntryType::Directory);
            header.set_mode(0o755);
            header.set_size(0);
            builder.append_data(&mut header, dir, io::empty()).unwrap();
        }
        for (name, bytes) in files {
            let mut header = tar::Header::new_gnu();
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
    fn raw_member(builder: &mut tar::Builder<Vec<u8>>, name: &[u8], entry_type: EntryType, data: &[u8]) {
        let mut header = tar::Header::new_ustar();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.set_entry_type(entry_type);
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }

    fn raw_tar(members: &[(&[u8], EntryType, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
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
    fn entry_path_components_and_display() {
        let path = normalise("./a//b\\c/../c.json").ok().unwrap();
        assert_eq!(path.components(), ["a", "b", "c.json"]);
        assert_eq!(path.file_name(), "c.json");
        assert_eq!(path.to_string(), "a/b/c.json");
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
        let summary = visit_file(file, &Limits::default(), |p: &EntryPath, _: &[u8]| {
            names.push(p.to_string());
            Ok::<(), Infallible>(())
        })
        .unwrap();
        assert_eq!(summary.kind, SourceKind::TarGz);
        assert_eq!(names, TREE);
    }

    #[test]
    fn normalisation_drops_dot_and_empty_components() {
        let dir = tempfile::tempdir().unwrap();
        let tar = raw_tar(&[
            (b"./", EntryType::Directory, b""),
            (b"./a//b.json", EntryType::Regular, b"{}"),
            (b"a/x/../c.json", EntryType::Regular, b"{}"),
        ]);
        let (summary, visited) = accepted(&put(&dir, "r.tar", &tar));
        assert_eq!(visited.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), ["a/b.json", "a/c.json"]);
        assert_eq!((summary.entries, summary.files), (3, 2));
    }

    #[test]
    fn backslashes_are_separators() {
        let dir = tempfile::tempdir().unwrap();
        let zip = zip_bytes(&[], &[("a\\b.json".to_string(), body("x"))]);
        let (_, visited) = accepted(&put(&dir, "r.zip", &zip));
        assert_eq!(visited[0].0, "a/b.json");
    }

    #[test]
    fn long_tar_names_from_gnu_and_pax_headers() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("{}/result.json", "d".repeat(150));
        // The builder writes a GNU long-name member for names over 100 bytes.
        let gnu = tar_bytes(&[], &[(long.clone(), body("x"))]);
        assert_eq!(accepted(&put(&dir, "gnu.tar", &gnu)).1[0].0, long);

        let mut builder = tar::Builder::new(Vec::new());
        raw_member(&mut builder, b"PaxHeaders/short", EntryType::XHeader, &pax_record("path", &long));
        raw_member(&mut builder, b"short", EntryType::Regular, b"{}");
        let pax = builder.into_inner().unwrap();
        assert_eq!(accepted(&put(&dir, "pax.tar", &pax)).1[0].0, long);
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
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("a/b.json", SimpleFileOptions::default()).unwrap();
        writer.write_all(&body("b")).unwrap();
        let mut stored = writer.finish().unwrap().into_inner();
        patch_all(&mut stored, b"never-log", b"NEVER-log");
        let error = refused(&put(&dir, "crc.zip", &stored));
        assert!(matches!(error, ArchiveError::Corrupt { entry: Some(_), .. }), "{error}");
        assert_names(&error, "a/b.json");
    }

    // ---- hostile names ----------------------------------------------------------------------

    #[test]
    fn absolute_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["/etc/x.json", "C:\\x.json", "\\x.json", "c:x.json"] {
            let zip = zip_bytes(&[], &[(name.to_string(), body(name))]);
            let tar = raw_tar(&[(name.as_bytes(), EntryType::Regular, b"{}")]);
            for path in [put(&dir, "a.zip", &zip), put(&dir, "a.tar", &tar)] {
                let error = refused(&path);
                assert!(matches!(error, ArchiveError::AbsolutePath { .. }), "{name}: {error}");
                assert_names(&error, name);
            }
        }
    }

    #[test]
    fn parent_components_that_escape_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["../x.json", "a/../../x.json", "..\\x.json", "a\\..\\..\\x.json"] {
            let zip = zip_bytes(&[], &[(name.to_string(), body(name))]);
            let tar = raw_tar(&[(name.as_bytes(), EntryType::Regular, b"{}")]);
            for path in [put(&dir, "a.zip", &zip), put(&dir, "a.tar", &tar)] {
                let error = refused(&path);
                assert!(matches!(error, ArchiveError::PathTraversal { .. }), "{name}: {error}");
                assert_names(&error, name);
            }
        }
    }

    #[test]
    fn non_utf8_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut zip = zip_bytes(&[], &[("a/X.json".to_string(), body("x"))]);
        patch_all(&mut zip, b"a/X.json", b"a/\xff.json");
        let tar = raw_tar(&[(b"a/\xff.json", EntryType::Regular, b"{}")]);
        for path in [put(&dir, "a.zip", &zip), put(&dir, "a.tar", &tar)] {
            let error = refused(&path);
            assert!(matches!(error, ArchiveError::NonUtf8Name { .. }), "{error}");
            assert_names(&error, "a/\u{FFFD}.json");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn non_utf8_names_on_disk_are_refused() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xff.json")), b"{}").unwrap();
        let error = refused(dir.path());
        assert!(matches!(error, ArchiveError::NonUtf8Name { .. }), "{error}");
        assert_names(&error, "bad\u{FFFD}.json");
    }

    #[test]
    fn names_with_control_or_direction_characters_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a/\nfake log line.json", "a/x\u{202E}nosj.exe", "a/\0.json"] {
            let zip = zip_bytes(&[], &[(name.to_string(), body(name))]);
            let error = refused(&put(&dir, "a.zip", &zip));
            assert!(matches!(error, ArchiveError::InvalidName { .. }), "{error}");
            assert_names(&error, name);
        }
        let zip = zip_bytes(&[], &[(".".to_string(), body("dot"))]);
        let error = refused(&put(&dir, "dot.zip", &zip));
        assert!(matches!(error, ArchiveError::InvalidName { .. }), "{error}");
    }

    #[test]
    fn duplicate_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        // zip 2.x silently merges entries with equal names, so this one needs the raw walk.
        let mut exact = zip_bytes(&[], &[("a/b.json".to_string(), body("1")), ("a/x.json".to_string(), body("2"))]);
        patch_all(&mut exact, b"a/x.json", b"a/b.json");
        let zips = [
            exact,
            zip_bytes(&[], &[("a/b.json".to_string(), body("1")), ("./a/b.json".to_string(), body("2"))]),
            zip_bytes(&[], &[("a/b.json".to_string(), body("1")), ("a//b.json".to_string(), body("2"))]),
            zip_bytes(&[], &[("a/b.json".to_string(), body("1")), ("a\\b.json".to_string(), body("2"))]),
        ];
        for (i, zip) in zips.iter().enumerate() {
            let error = refused(&put(&dir, "d.zip", zip));
            assert!(matches!(error, ArchiveError::DuplicatePath { .. }), "case {i}: {error}");
            assert_names(&error, "a/b.json");
        }
        let tars = [
            raw_tar(&[(b"a/b.json", EntryType::Regular, b"1"), (b"a/b.json", EntryType::Regular, b"2")]),
            raw_tar(&[(b"a/b.json", EntryType::Regular, b"1"), (b"./a/b.json", EntryType::Regular, b"2")]),
            raw_tar(&[(b"a", EntryType::Directory, b""), (b"a", EntryType::Regular, b"2")]),
        ];
        for (i, tar) in tars.iter().enumerate() {
            let error = refused(&put(&dir, "d.tar", tar));
            assert!(matches!(error, ArchiveError::DuplicatePath { .. }), "case {i}: {error}");
        }
        let error = refused(&put(&dir, "d.tar", &tars[1]));
        assert_names(&error, "./a/b.json");
        assert_names(&error, "a/b.json");
    }

    // ---- links and special files ------------------------------------------------------------

    #[test]
    fn tar_links_and_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (entry_type, link) in [(EntryType::Symlink, LinkKind::Symbolic), (EntryType::Link, LinkKind::Hard)] {
            let mut builder = tar::Builder::new(Vec::new());
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(entry_type);
            header.set_size(0);
            header.set_link_name("../../etc/passwd").unwrap();
            builder.append_data(&mut header, "a/link.json", io::empty()).unwrap();
            let error = refused(&put(&dir, "l.tar", &builder.into_inner().unwrap()));
            assert!(matches!(error, ArchiveError::Link { kind, .. } if kind == link), "{error}");
            assert_names(&error, "a/link.json");
        }
        for (entry_type, kind) in [
            (EntryType::Char, "character device"),
            (EntryType::Block, "block device"),
            (EntryType::Fifo, "FIFO"),
            (EntryType::GNUSparse, "sparse"),
            (EntryType::new(b'V'), "unsupported type"),
        ] {
            let tar = raw_tar(&[(b"dev/thing", entry_type, b"")]);
            let error = refused(&put(&dir, "s.tar", &tar));
            assert!(matches!(error, ArchiveError::SpecialFile { .. }), "{error}");
            assert!(error.to_string().contains(kind), "{error}");
            assert_names(&error, "dev/thing");
        }
    }

    #[test]
    fn zip_links_and_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.add_symlink("a/link.json", "../../etc/passwd", SimpleFileOptions::default()).unwrap();
        let zip = writer.finish().unwrap().into_inner();
        let error = refused(&put(&dir, "l.zip", &zip));
        assert!(matches!(error, ArchiveError::Link { kind: LinkKind::Symbolic, .. }), "{error}");
        assert_names(&error, "a/link.json");

        // A FIFO, as a Unix zip tool would record it in the external attributes.
        let mut zip = zip_bytes(&[], &[("a/fifo".to_string(), body("f"))]);
        let at = cd_record(&zip, b"a/fifo");
        zip[at + 5] = 3; // "version made by": Unix
        zip[at + 38..at + 42].copy_from_slice(&((0o010_644u32) << 16).to_le_bytes());
        let error = refused(&put(&dir, "f.zip", &zip));
        assert!(matches!(error, ArchiveError::SpecialFile { .. }), "{error}");
        assert_names(&error, "a/fifo");
    }

    #[test]
    fn tar_global_headers_are_counted_but_not_visited() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = tar::Builder::new(Vec::new());
        raw_member(&mut builder, b"pax_global_header", EntryType::XGlobalHeader, &pax_record("comment", "abc"));
        raw_member(&mut builder, b"x.json", EntryType::Regular, b"{}");
        let (summary, visited) = accepted(&put(&dir, "git.tar", &builder.into_inner().unwrap()));
        assert_eq!((summary.entries, summary.files, visited.len()), (2, 1, 1));
    }

    #[cfg(unix)]
    #[test]
    fn links_and_special_files_on_disk_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("r");
        write_tree(&root, &tree_files());
        std::os::unix::fs::symlink("../e.json", root.join("a/link.json")).unwrap();
        let error = refused(&root);
        assert!(matches!(error, ArchiveError::Link { kind: LinkKind::Symbolic, .. }), "{error}");
        assert_names(&error, "a/link.json");

        let root = dir.path().join("s");
        write_tree(&root, &tree_files());
        let _listener = std::os::unix::net::UnixListener::bind(root.join("a/sock")).unwrap();
        let error = refused(&root);
        assert!(matches!(error, ArchiveError::SpecialFile { .. }), "{error}");
        assert_names(&error, "a/sock");
        let error = refused(&root.join("a/sock"));
        assert!(matches!(error, ArchiveError::SpecialFile { .. }), "{error}");

        // A folder whose name resolves to the root would otherwise be dropped without a word.
        let root = dir.path().join("b");
        write_tree(&root, &[("x\\../in.json".to_string(), body("x"))]);
        let error = refused(&root);
        assert!(matches!(error, ArchiveError::InvalidName { .. }), "{error}");
    }

    // ---- zip specifics ----------------------------------------------------------------------

    #[test]
    fn encrypted_zip_entries_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut zip = zip_bytes(&[], &[("a/b.json".to_string(), body("b"))]);
        let at = cd_record(&zip, b"a/b.json");
        zip[at + 8] |= 1; // general purpose flag bit 0: encrypted
        let error = refused(&put(&dir, "e.zip", &zip));
        assert!(matches!(error, ArchiveError::Encrypted { .. }), "{error}");
        assert_names(&error, "a/b.json");
    }

    #[test]
    fn unsupported_zip_compression_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut zip = zip_bytes(&[], &[("a/b.json".to_string(), body("b"))]);
        let at = cd_record(&zip, b"a/b.json");
        zip[at + 10..at + 12].copy_from_slice(&12u16.to_le_bytes()); // bzip2
        let error = refused(&put(&dir, "c.zip", &zip));
        assert!(matches!(error, ArchiveError::UnsupportedCompression { .. }), "{error}");
        assert!(error.to_string().contains("bzip2"), "{error}");
        assert_names(&error, "a/b.json");
    }

    // ---- limits -----------------------------------------------------------------------------

    #[test]
    fn too_many_entries_counts_directories_and_stops_early() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits { max_entries: 4, ..Limits::default() };
        let root = dir.path().join("r");
        write_tree(&root, &tree_files());
        let zip = put(&dir, "r.zip", &zip_bytes(&TREE_DIRS, &tree_files()));
        let tgz = put(&dir, "r.tgz", &gzip(&tar_bytes(&TREE_DIRS, &tree_files())));
        // 2 directories + 3 files = 5 entries, one over the limit.
        for path in [&root, &zip, &tgz] {
            let error = refused_with(path, &limits);
            assert!(matches!(error, ArchiveError::TooManyEntries { limit: 4, .. }), "{error}");
        }
        assert_names(&refused_with(&zip, &limits), "e.json");

        // A long tar stream: the visitor sees only what came before the limit.
        let files: Vec<_> = (0..1000).map(|i| (format!("f{i}.json"), body("f"))).collect();
        let tar = put(&dir, "many.tar", &tar_bytes(&[], &files));
        let mut calls = 0;
        let result = visit_path(&tar, &Limits { max_entries: 3, ..Limits::default() }, |_: &EntryPath, _: &[u8]| {
            calls += 1;
            Ok::<(), Infallible>(())
        });
        let Err(VisitError::Archive(error)) = result else { panic!("accepted") };
        assert_names(&error, "f3.json");
        assert_eq!(calls, 3);
    }

    #[test]
    fn zip_bomb_stops_at_the_entry_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("bomb.json", deflated().compression_level(Some(1))).unwrap();
        io::copy(&mut zeros(50 * MIB), &mut writer).unwrap();
        let bomb = writer.finish().unwrap().into_inner();
        assert!(bomb.len() < MIB as usize, "the payload really is compressed");
        let limits = Limits { max_entry_bytes: MIB, ..Limits::default() };

        let error = refused_with(&put(&dir, "bomb.zip", &bomb), &limits);
        assert!(
            matches!(error, ArchiveError::EntryTooLarge { limit, read, .. } if limit == MIB && read == MIB + 1),
            "{error}"
        );
        assert_names(&error, "bomb.json");
        assert!(error.to_string().contains("1 MiB"), "{error}");

        // Lying headers change nothing: declare 100 bytes, the real bytes are still counted.
        let mut lying = bomb.clone();
        let at = cd_record(&lying, b"bomb.json");
        lying[at + 24..at + 28].copy_from_slice(&100u32.to_le_bytes());
        lying[22..26].copy_from_slice(&100u32.to_le_bytes()); // local header of the first entry
        let error = refused_with(&put(&dir, "lying.zip", &lying), &limits);
        assert!(matches!(error, ArchiveError::EntryTooLarge { read, .. } if read == MIB + 1), "{error}");
    }

    #[test]
    fn large_declared_sizes_are_not_trusted_either() {
        let dir = tempfile::tempdir().unwrap();
        let mut zip = zip_bytes(&[], &[("a/b.json".to_string(), body("b"))]);
        let at = cd_record(&zip, b"a/b.json");
        zip[at + 24..at + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        let limits = Limits { max_entry_bytes: 1000, max_total_bytes: 1000, ..Limits::default() };
        let (_, visited) = collect(&put(&dir, "big-claim.zip", &zip), &limits).unwrap();
        assert_eq!(visited[0].1, body("b"));
    }

    #[test]
    fn tar_gz_bomb_stops_at_the_entry_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        let mut header = tar::Header::new_gnu();
        header.set_size(50 * MIB);
        header.set_mode(0o644);
        builder.append_data(&mut header, "bomb.json", zeros(50 * MIB)).unwrap();
        let tgz = builder.into_inner().unwrap().finish().unwrap();
        let path = put(&dir, "bomb.tgz", &tgz);
        let limits = Limits { max_entry_bytes: MIB, ..Limits::default() };

        let error = refused_with(&path, &limits);
        assert!(matches!(error, ArchiveError::EntryTooLarge { read, .. } if read == MIB + 1), "{error}");
        assert_names(&error, "bomb.json");

        // Of the ~230 KiB compressed stream (level 1 keeps the test fast), only one buffer fill
        // was consumed: decompression stopped at the limit instead of running to the end.
        let count = Rc::new(Cell::new(0));
        let reader = Counting { inner: File::open(&path).unwrap(), count: count.clone() };
        let result = visit_tar_gz(reader, &limits, &mut |_: &EntryPath, _: &[u8]| Ok::<(), Infallible>(()));
        assert!(matches!(result, Err(VisitError::Archive(ArchiveError::EntryTooLarge { .. }))));
        assert!(count.get() < tgz.len() as u64 / 2, "read {} of {} compressed bytes", count.get(), tgz.len());
    }

    #[test]
    fn plain_tar_reading_stops_near_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.tar");
        let mut builder = tar::Builder::new(File::create(&path).unwrap());
        let mut header = tar::Header::new_gnu();
        header.set_size(20 * MIB);
        header.set_mode(0o644);
        builder.append_data(&mut header, "big.json", zeros(20 * MIB)).unwrap();
        builder.into_inner().unwrap();

        let count = Rc::new(Cell::new(0));
        let reader = Counting { inner: File::open(&path).unwrap(), count: count.clone() };
        let limits = Limits { max_entry_bytes: MIB, ..Limits::default() };
        let result = visit_tar(BufReader::new(reader), SourceKind::Tar, &limits, &mut |_: &EntryPath, _: &[u8]| {
            Ok::<(), Infallible>(())
        });
        let Err(VisitError::Archive(error)) = result else { panic!("accepted") };
        assert!(matches!(error, ArchiveError::EntryTooLarge { .. }), "{error}");
        assert!(count.get() <= MIB + 128 * KIB, "read {} bytes of a 20 MiB archive", count.get());
    }

    #[test]
    fn total_size_limit_counts_real_bytes_across_entries() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<_> = (0..3).map(|i| (format!("f{i}.json"), vec![b' '; 400 * KIB as usize])).collect();
        let limits = Limits { max_total_bytes: MIB, ..Limits::default() };
        let root = dir.path().join("r");
        write_tree(&root, &files);
        let sources =
            [root, put(&dir, "t.zip", &zip_bytes(&[], &files)), put(&dir, "t.tgz", &gzip(&tar_bytes(&[], &files)))];
        for path in sources {
            let mut visited = 0;
            let result = visit_path(&path, &limits, |_: &EntryPath, _: &[u8]| {
                visited += 1;
                Ok::<(), Infallible>(())
            });
            let Err(VisitError::Archive(error)) = result else { panic!("accepted") };
            assert!(matches!(error, ArchiveError::TotalTooLarge { read, .. } if read == MIB + 1), "{error}");
            assert_names(&error, "f2.json");
            assert_eq!(visited, 2);
        }
    }

    #[test]
    fn oversized_or_dangling_tar_extension_headers_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let huge_name = vec![b'n'; 2 * MIB as usize];
        let mut builder = tar::Builder::new(Vec::new());
        raw_member(&mut builder, b"././@LongLink", EntryType::GNULongName, &huge_name);
        raw_member(&mut builder, b"x.json", EntryType::Regular, b"{}");
        let error = refused(&put(&dir, "long.tar", &builder.into_inner().unwrap()));
        assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");

        // Data hidden in directory and global headers is read within the same cap, not skipped.
        for entry_type in [EntryType::Directory, EntryType::XGlobalHeader] {
            let mut builder = tar::Builder::new(Vec::new());
            raw_member(&mut builder, b"a/", entry_type, &huge_name);
            let error = refused(&put(&dir, "hidden.tar", &builder.into_inner().unwrap()));
            assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");
        }

        let mut builder = tar::Builder::new(Vec::new());
        raw_member(&mut builder, b"x.json", EntryType::Regular, b"{}");
        raw_member(&mut builder, b"PaxHeaders/y", EntryType::XHeader, &pax_record("path", "y.json"));
        let error = refused(&put(&dir, "dangling.tar", &builder.into_inner().unwrap()));
        assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");

        // A PAX size that disagrees with the header would make tools split the stream differently.
        let mut builder = tar::Builder::new(Vec::new());
        raw_member(&mut builder, b"PaxHeaders/x", EntryType::XHeader, &pax_record("size", "9999"));
        raw_member(&mut builder, b"x.json", EntryType::Regular, b"{}");
        let error = refused(&put(&dir, "pax-size.tar", &builder.into_inner().unwrap()));
        assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");
        assert_names(&error, "x.json");
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
            let result = visit_path(&path, &Limits::default(), |p: &EntryPath, _: &[u8]| {
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
}
