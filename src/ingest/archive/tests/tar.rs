//! Tar specifics: long names, links and special member types, and extension headers.

use super::*;

#[test]
fn long_tar_names_from_gnu_and_pax_headers() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("{}/result.json", "d".repeat(150));
    // The builder writes a GNU long-name member for names over 100 bytes.
    let gnu = tar_bytes(&[], &[(long.clone(), body("x"))]);
    assert_eq!(accepted(&put(&dir, "gnu.tar", &gnu)).1[0].0, long);

    let mut builder = ::tar::Builder::new(Vec::new());
    raw_member(&mut builder, b"PaxHeaders/short", EntryType::XHeader, &pax_record("path", &long));
    raw_member(&mut builder, b"short", EntryType::Regular, b"{}");
    let pax = builder.into_inner().unwrap();
    assert_eq!(accepted(&put(&dir, "pax.tar", &pax)).1[0].0, long);
}

#[test]
fn tar_links_and_special_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (entry_type, link) in [(EntryType::Symlink, LinkKind::Symbolic), (EntryType::Link, LinkKind::Hard)] {
        let mut builder = ::tar::Builder::new(Vec::new());
        let mut header = ::tar::Header::new_gnu();
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
fn tar_global_headers_are_counted_but_not_visited() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = ::tar::Builder::new(Vec::new());
    raw_member(&mut builder, b"pax_global_header", EntryType::XGlobalHeader, &pax_record("comment", "abc"));
    raw_member(&mut builder, b"x.json", EntryType::Regular, b"{}");
    let (summary, visited) = accepted(&put(&dir, "git.tar", &builder.into_inner().unwrap()));
    assert_eq!((summary.entries, summary.files, visited.len()), (2, 1, 1));
}

#[test]
fn oversized_or_dangling_tar_extension_headers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let huge_name = vec![b'n'; 2 * MIB as usize];
    let mut builder = ::tar::Builder::new(Vec::new());
    raw_member(&mut builder, b"././@LongLink", EntryType::GNULongName, &huge_name);
    raw_member(&mut builder, b"x.json", EntryType::Regular, b"{}");
    let error = refused(&put(&dir, "long.tar", &builder.into_inner().unwrap()));
    assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");

    // Data hidden in directory and global headers is read within the same cap, not skipped.
    for entry_type in [EntryType::Directory, EntryType::XGlobalHeader] {
        let mut builder = ::tar::Builder::new(Vec::new());
        raw_member(&mut builder, b"a/", entry_type, &huge_name);
        let error = refused(&put(&dir, "hidden.tar", &builder.into_inner().unwrap()));
        assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");
    }

    let mut builder = ::tar::Builder::new(Vec::new());
    raw_member(&mut builder, b"x.json", EntryType::Regular, b"{}");
    raw_member(&mut builder, b"PaxHeaders/y", EntryType::XHeader, &pax_record("path", "y.json"));
    let error = refused(&put(&dir, "dangling.tar", &builder.into_inner().unwrap()));
    assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");

    // A PAX size that disagrees with the header would make tools split the stream differently.
    let mut builder = ::tar::Builder::new(Vec::new());
    raw_member(&mut builder, b"PaxHeaders/x", EntryType::XHeader, &pax_record("size", "9999"));
    raw_member(&mut builder, b"x.json", EntryType::Regular, b"{}");
    let error = refused(&put(&dir, "pax-size.tar", &builder.into_inner().unwrap()));
    assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");
    assert_names(&error, "x.json");
}
