//! Streaming: entries are handed over as counted readers; metadata counts against the total;
//! the zip end record is checked first; several gzip members are read whole; a visit can be
//! cancelled.

use super::*;

#[test]
fn a_tar_gz_of_two_gzip_members_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_bytes(&[], &tree_files());
    // `cat a.gz b.gz`: the archive split across two members, as `tar -xzf` reads it.
    let (first, second) = tar.split_at(1024);
    let mut two = gzip(first);
    two.extend(gzip(second));
    let (_, visited) = accepted(&put(&dir, "two.tgz", &two));
    assert_eq!(visited, tree_files());
}

#[test]
fn names_and_headers_count_against_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = ::tar::Builder::new(Vec::new());
    for i in 0..8 {
        raw_member(
            &mut builder,
            format!("PaxHeaders/{i}").as_bytes(),
            EntryType::XHeader,
            &pax_record("comment", &"c".repeat(200 * KIB as usize)),
        );
        raw_member(&mut builder, format!("f{i}.json").as_bytes(), EntryType::Regular, b"{}");
    }
    let tar = put(&dir, "pax.tar", &builder.into_inner().unwrap());
    let limits = Limits { max_total_bytes: MIB, ..Limits::default() };
    let error = refused_with(&tar, &limits);
    assert!(matches!(error, ArchiveError::TotalTooLarge { limit, .. } if limit == MIB), "{error}");
    assert!(error.to_string().contains("names and headers count too"), "{error}");
}

#[test]
fn a_name_longer_than_1024_bytes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("{}.json", "n".repeat(1100));
    let error = refused(&put(&dir, "long.tar", &tar_bytes(&[], &[(long, body("x"))])));
    assert!(matches!(error, ArchiveError::InvalidName { reason, .. } if reason.contains("1024")), "{error}");
}

#[test]
fn a_zip_end_record_claiming_too_many_entries_is_refused_before_the_directory_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut zip = zip_bytes(&[], &tree_files());
    let end = zip.len() - 22;
    assert_eq!(&zip[end..end + 4], b"PK\x05\x06");
    zip[end + 8..end + 10].copy_from_slice(&60_000u16.to_le_bytes());
    zip[end + 10..end + 12].copy_from_slice(&60_000u16.to_le_bytes());
    let error = refused(&put(&dir, "claim.zip", &zip));
    assert!(matches!(error, ArchiveError::DirectoryTooLarge { entries: 60_000, .. }), "{error}");
    assert!(error.to_string().contains("60000 entries"), "{error}");
}

#[test]
fn a_visitor_that_stops_early_still_has_the_rest_counted() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![("big.json".to_string(), vec![b' '; 3 * MIB as usize])];
    let limits = Limits { max_entry_bytes: 2 * MIB, ..Limits::default() };
    for path in [put(&dir, "t.zip", &zip_bytes(&[], &files)), put(&dir, "t.tgz", &gzip(&tar_bytes(&[], &files)))] {
        let result = visit_path(&path, &limits, &Cancel::new(), |_: &EntryPath, r: &mut dyn Read| {
            let mut head = [0u8; 10];
            r.read_exact(&mut head).unwrap();
            Ok::<(), Infallible>(())
        });
        assert!(matches!(result, Err(VisitError::Archive(ArchiveError::EntryTooLarge { .. }))), "{result:?}");
    }
}

#[test]
fn a_cancelled_visit_stops_with_its_own_error() {
    let dir = tempfile::tempdir().unwrap();
    let zip = put(&dir, "t.zip", &zip_bytes(&[], &tree_files()));
    let cancel = Cancel::new();
    let mut seen = 0;
    let result = visit_path(&zip, &Limits::default(), &cancel, |_: &EntryPath, _: &mut dyn Read| {
        seen += 1;
        cancel.cancel();
        Ok::<(), Infallible>(())
    });
    assert!(matches!(result, Err(VisitError::Archive(ArchiveError::Cancelled))), "{result:?}");
    assert_eq!(seen, 1);
}
