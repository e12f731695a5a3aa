//! The parser (held whole and streamed) on inputs the tree tests do not reach: long strings, deep nesting,
//! millions of bad items, keys in any order, duplicate keys.

use super::*;

const AT: &str = "m/Violence/Analogy.json";

/// Parses the file both ways, held whole and streamed, and insists they agree.
fn parse(bytes: &[u8]) -> Parsed {
    let whole = parse_up_to(AT, &mut &bytes[..], RuleSet::builtin(), 200, WHOLE_FILE_BYTES);
    let streamed = parse_up_to(AT, &mut &bytes[..], RuleSet::builtin(), 200, 0);
    assert_eq!(format!("{whole:?}"), format!("{streamed:?}"), "held whole and streamed, a file reads the same");
    whole
}

fn problems(bytes: &[u8]) -> Problems {
    match parse(bytes) {
        Parsed::Unreadable(p) => p,
        other => panic!("read: {other:?}"),
    }
}

fn labels(bytes: &[u8]) -> FileLabels {
    match parse(bytes) {
        Parsed::Labels(l) => l,
        other => panic!("refused: {other:?}"),
    }
}

#[test]
fn a_string_longer_than_the_cap_is_refused_with_its_item() {
    let mut file =
        b"{\"judge_result\": [{\"label\": \"safe\", \"answer\": \"ok\"}, {\"label\": \"safe\", \"answer\": \"".to_vec();
    file.resize(file.len() + MAX_STRING_BYTES as usize + 1, b'a');
    file.extend_from_slice(b"\"}]}");
    let p = problems(&file);
    assert_eq!(p.len(), 1);
    let p = &p.listed()[0];
    assert_eq!((p.location.as_str(), p.item), (AT, Some(1)));
    assert_eq!(p.message, "holds a JSON string longer than 4 MiB");
}

#[test]
fn deep_nesting_is_refused() {
    let mut file = b"{\"judge_result\": [{\"label\": \"safe\", \"x\": ".to_vec();
    file.extend(b"[".repeat(100));
    let p = problems(&file);
    assert_eq!(p.listed()[0].message, format!("the JSON is nested deeper than {MAX_DEPTH} levels"));
}

#[test]
fn millions_of_bad_items_keep_200_problems_and_count_the_rest() {
    let mut file = b"{\"judge_result\": [{}".to_vec();
    file.extend(b",{}".repeat(999_999));
    file.extend_from_slice(b"]}");
    let p = problems(&file);
    assert_eq!((p.listed().len(), p.more()), (200, 999_800));
    assert_eq!(p.listed()[199].item, Some(199));
}

#[test]
fn labels_after_answers_and_other_keys_are_read() {
    let l = labels(
        br#"{"judge_result": [{"answer": "I cannot help with that.", "label": "safe", "extra": [1, {"a": null}]},
        {"label": "unsafe", "question": "q", "answer": "Sure."}], "ASR": 50, "other": {"x": [true]}}"#,
    );
    assert_eq!(l.unsafe_flags, [false, true]);
    assert_eq!(l.refusals, Some(vec![Some(true), None]));
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}

#[test]
fn a_second_judge_result_replaces_the_first_as_in_a_parsed_object() {
    let l = labels(br#"{"judge_result": [{}], "judge_result": [{"label": "unsafe", "answer": "a"}]}"#);
    assert_eq!((l.unsafe_flags, l.items), (vec![true], 1));
}

#[test]
fn trailing_content_is_invalid_json() {
    let p = problems(br#"{"judge_result": []} x"#);
    assert!(p.listed()[0].message.starts_with("not valid JSON: syntax error"), "{:?}", p.listed());
}

#[test]
fn only_as_many_labels_as_the_largest_relation_are_kept() {
    let mut file = b"{\"judge_result\": [{\"label\": \"safe\"}".to_vec();
    file.extend(b",{\"label\": \"safe\"}".repeat(9_999));
    file.extend_from_slice(b"]}");
    let l = labels(&file);
    assert_eq!(l.items, 10_000);
    assert_eq!(l.unsafe_flags.len(), max_kept_items() + 1);
}
