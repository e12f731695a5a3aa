//! Name normalisation and hostile names, the same in every format.

use super::*;

#[test]
fn entry_path_components_and_display() {
    let path = normalise("./a//b\\c/../c.json").ok().unwrap();
    assert_eq!(path.components(), ["a", "b", "c.json"]);
    assert_eq!(path.file_name(), "c.json");
    assert_eq!(path.to_string(), "a/b/c.json");
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
