//! Directories on disk, for the CLI's imports.

use super::names::EntryPath;
use super::{ArchiveError, LinkKind, Summary, VisitError, Visitor, Walker};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

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
pub(super) fn visit_dir<E>(
    root: &Path,
    mut walker: Walker<'_>,
    visitor: &mut Visitor<'_, E>,
) -> Result<Summary, VisitError<E>> {
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
        walker.deliver(&item.path, &item.entry, &mut file, visitor)?;
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
