//! Directories on disk.

use super::*;

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
