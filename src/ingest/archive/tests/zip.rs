//! Zip specifics: links and special files recorded in the external attributes, encryption and
//! compression methods.

use super::*;

#[test]
fn zip_links_and_special_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
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
