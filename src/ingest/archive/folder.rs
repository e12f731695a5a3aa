//! A folder sent as separate files (a browser's directory upload: repeated `files` parts whose
//! file names carry the relative paths), collected into a tar spool. The archive reader then
//! judges the spool exactly as it judges an uploaded archive, so a folder's paths are
//! normalised and checked, and its files and bytes counted, by the very same code; names are
//! also checked here, on arrival, so a bad one stops the upload before the rest is sent.

use super::names::{NameProblem, normalise};
use super::{ArchiveError, Limits};
use std::fs::File;
use std::io;

/// The growing spool of one folder upload.
pub struct FolderTar {
    builder: ::tar::Builder<File>,
    files: u64,
    limits: Limits,
}

impl FolderTar {
    pub fn new(spool: File, limits: Limits) -> Self {
        Self { builder: ::tar::Builder::new(spool), files: 0, limits }
    }

    /// Checks a part's file name as an archive entry name, before its content is read.
    /// Returns the normalised path the part will have in the tree.
    pub fn check(&self, name: &str) -> Result<String, ArchiveError> {
        let entry = name.to_owned();
        if self.files >= self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries { entry, limit: self.limits.max_entries });
        }
        let path = normalise(name).map_err(|problem| match problem {
            NameProblem::Absolute => ArchiveError::AbsolutePath { entry: entry.clone() },
            NameProblem::Traversal => ArchiveError::PathTraversal { entry: entry.clone() },
            NameProblem::Invalid(reason) => ArchiveError::InvalidName { entry: entry.clone(), reason },
        })?;
        if path.components().is_empty() {
            return Err(ArchiveError::InvalidName {
                entry,
                reason: "it names no file; send each file with its relative path",
            });
        }
        Ok(path.to_string())
    }

    /// Appends one file (already spooled, `size` bytes) under its checked path.
    pub fn append(&mut self, path: &str, content: &mut File, size: u64) -> io::Result<()> {
        let mut header = ::tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_entry_type(::tar::EntryType::Regular);
        // A fixed time: the same folder always makes the same spool, so its digest identifies
        // a repeated upload as an archive's does.
        header.set_mtime(0);
        self.builder.append_data(&mut header, path, content)?;
        self.files += 1;
        Ok(())
    }

    pub fn files(&self) -> u64 {
        self.files
    }

    /// Ends the tar; the spool is ready to be read as an archive.
    pub fn finish(self) -> io::Result<File> {
        self.builder.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, Write};

    fn spool(limits: Limits) -> FolderTar {
        FolderTar::new(tempfile::tempfile().unwrap(), limits)
    }

    #[test]
    fn names_are_checked_like_archive_entries() {
        let f = spool(Limits::default());
        assert_eq!(f.check("run/Hate_Speech/./Analogy.json").unwrap(), "run/Hate_Speech/Analogy.json");
        assert!(matches!(f.check("../etc/passwd"), Err(ArchiveError::PathTraversal { .. })));
        assert!(matches!(f.check("/abs/x.json"), Err(ArchiveError::AbsolutePath { .. })));
        assert!(matches!(f.check("C:\\x.json"), Err(ArchiveError::AbsolutePath { .. })));
        assert!(matches!(f.check("a/\u{202E}b.json"), Err(ArchiveError::InvalidName { .. })));
        assert!(matches!(f.check("./"), Err(ArchiveError::InvalidName { .. })));
    }

    #[test]
    fn the_entry_limit_counts_parts() {
        let mut f = spool(Limits { max_entries: 1, ..Limits::default() });
        let mut part = tempfile::tempfile().unwrap();
        part.write_all(b"{}").unwrap();
        part.rewind().unwrap();
        f.append("a.json", &mut part, 2).unwrap();
        assert!(matches!(f.check("b.json"), Err(ArchiveError::TooManyEntries { limit: 1, .. })));
    }
}
