//! Limits, counted on the bytes actually read.

use super::*;

#[test]
fn too_many_entries_counts_directories_and_stops_early() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits { max_entries: 4, ..Limits::default() };
    let root = dir.path().join("r");
    write_tree(&root, &tree_files());
    let zip = put(&dir, "r.zip", &zip_bytes(&TREE_DIRS, &tree_files()));
    let tgz = put(&dir, "r.tgz", &gzip(&tar_bytes(&TREE_DIRS, &tree_files())));
    // 2 directories + 3 files = 5 entries, one over the limit.
    for path in [&root, &tgz] {
        let error = refused_with(path, &limits);
        assert!(matches!(error, ArchiveError::TooManyEntries { limit: 4, .. }), "{error}");
    }
    // A zip says how many entries it has in its end record: refused before anything is read.
    let error = refused_with(&zip, &limits);
    assert!(matches!(error, ArchiveError::DirectoryTooLarge { entries: 5, limit: 4, .. }), "{error}");

    // A long tar stream: the visitor sees only what came before the limit.
    let files: Vec<_> = (0..1000).map(|i| (format!("f{i}.json"), body("f"))).collect();
    let tar = put(&dir, "many.tar", &tar_bytes(&[], &files));
    let mut calls = 0;
    let result = visit_path(
        &tar,
        &Limits { max_entries: 3, ..Limits::default() },
        &Cancel::new(),
        |_: &EntryPath, _: &mut dyn Read| {
            calls += 1;
            Ok::<(), Infallible>(())
        },
    );
    let Err(VisitError::Archive(error)) = result else { panic!("accepted") };
    assert_names(&error, "f3.json");
    assert_eq!(calls, 3);
}

#[test]
fn zip_bomb_stops_at_the_entry_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
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
    let mut builder = ::tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    let mut header = ::tar::Header::new_gnu();
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
    let result = visit_tar_gz(
        reader,
        Walker::new(&limits, &Cancel::new(), SourceKind::TarGz),
        &mut |_: &EntryPath, _: &mut dyn Read| Ok::<(), Infallible>(()),
    );
    assert!(matches!(result, Err(VisitError::Archive(ArchiveError::EntryTooLarge { .. }))));
    assert!(count.get() < tgz.len() as u64 / 2, "read {} of {} compressed bytes", count.get(), tgz.len());
}

#[test]
fn plain_tar_reading_stops_near_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.tar");
    let mut builder = ::tar::Builder::new(File::create(&path).unwrap());
    let mut header = ::tar::Header::new_gnu();
    header.set_size(20 * MIB);
    header.set_mode(0o644);
    builder.append_data(&mut header, "big.json", zeros(20 * MIB)).unwrap();
    builder.into_inner().unwrap();

    let count = Rc::new(Cell::new(0));
    let reader = Counting { inner: File::open(&path).unwrap(), count: count.clone() };
    let limits = Limits { max_entry_bytes: MIB, ..Limits::default() };
    let result = visit_tar(
        BufReader::new(reader),
        Walker::new(&limits, &Cancel::new(), SourceKind::Tar),
        &mut |_: &EntryPath, _: &mut dyn Read| Ok::<(), Infallible>(()),
    );
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
        let result = visit_path(&path, &limits, &Cancel::new(), |_: &EntryPath, _: &mut dyn Read| {
            visited += 1;
            Ok::<(), Infallible>(())
        });
        let Err(VisitError::Archive(error)) = result else { panic!("accepted") };
        assert!(matches!(error, ArchiveError::TotalTooLarge { read, .. } if read == MIB + 1), "{error}");
        assert_names(&error, "f2.json");
        // Entries are streamed: the third one is handed over and fails while it is read.
        assert_eq!(visited, 3);
    }
}
