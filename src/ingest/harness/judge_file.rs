//! One judge file: `{"ASR": .., "judge_result": [{question, answer, label}, ..]}`, reduced to
//! per-item labels and refusal flags.
//!
//! The file is read by serde visitors over `judge_result`: each item is classified as it is read
//! and its answer dropped at once. There is never a `serde_json::Value` tree. Everything that is
//! not a label or an answer is skipped with `IgnoredAny`, which serde_json skips without
//! allocating. The [`guard`] checks UTF-8, caps every string and caps nesting.
//!
//! Files up to [`WHOLE_FILE_BYTES`] (real ones are a few MB) are read whole and parsed from
//! memory: serde_json's slice reader finds string ends with memchr where its stream reader
//! takes one byte per call, and that made the stream the larger part of an import. Larger files
//! are streamed through the guard (the parser's scratch buffer then holds one capped string at a
//! time), so memory stays bounded whatever the file holds.

mod guard;
mod outcome;

use crate::domain::refusal::RuleSet;
use crate::domain::submission::{Problem, Problems};
use crate::domain::taxonomy::Relation;
use guard::{Fault, Guard, MAX_DEPTH, MAX_STRING_BYTES};
use outcome::{e_kind, stored_asr_warning};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::{self, BufReader, Read};

/// One judge file, reduced to labels.
#[derive(Debug)]
pub(super) struct FileLabels {
    /// Per item: unsafe? Kept for at most [`max_kept_items`] items: a file with more is refused
    /// by the item count check whatever its labels, so the rest are only counted.
    pub(super) unsafe_flags: Vec<bool>,
    /// Items in `judge_result` (also those not kept).
    pub(super) items: usize,
    /// Per item: explicit refusal? (`None` for unsafe items.) `None` overall when the file
    /// carried no answer text to classify.
    pub(super) refusals: Option<Vec<Option<bool>>>,
    /// Oddities that do not invalidate the file.
    pub(super) warnings: Vec<Problem>,
}

/// What a visited file turned out to be.
#[derive(Debug)]
pub(super) enum Parsed {
    Labels(FileLabels),
    /// Not parsed as judge output; the reason is reported only if the file turns out to sit
    /// where judge output belongs.
    Unreadable(Problems),
    /// Skipped without reading: inference outputs (results/infer/).
    Skipped,
}

/// The largest relation's item count: no single file of a valid upload holds more.
pub(super) fn max_kept_items() -> usize {
    Relation::ALL.iter().map(|r| r.instance_count() as usize).max().unwrap_or(0)
}

/// Files up to this size are parsed from memory; larger ones stream (see the module notes).
const WHOLE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Parses one judge file, keeping at most `cap` problems (the rest are counted).
/// Problems name the file and item, never the text.
pub(super) fn parse_judge_file(location: &str, reader: &mut dyn Read, rules: &RuleSet, cap: usize) -> Parsed {
    parse_up_to(location, reader, rules, cap, WHOLE_FILE_BYTES)
}

/// [`parse_judge_file`] with the size up to which a file is held whole (tests use 0: stream).
fn parse_up_to(location: &str, reader: &mut dyn Read, rules: &RuleSet, cap: usize, whole: u64) -> Parsed {
    let mut head = Vec::new();
    if (&mut *reader).take(whole + 1).read_to_end(&mut head).is_err() {
        return unreadable(read_failure(location));
    }
    if let Some(text) = (head.len() as u64 <= whole).then(|| guard::checked(&head)).flatten() {
        let mut state = State::new(location, rules, cap);
        // From text already checked as UTF-8, so the parser does not check each string again.
        let mut de = serde_json::Deserializer::from_str(text);
        let top = TopSeed { state: &mut state }.deserialize(&mut de).and_then(|top| de.end().map(|()| top));
        return conclude(location, state, top, None);
    }
    // Too large to hold, or refused by a check: streamed through the guard, which also names
    // where a refused file went wrong (the item holding a long string).
    let mut rest = io::Cursor::new(head).chain(reader);
    let guard = Guard::new(&mut rest);
    let fault = guard.fault_cell();
    let mut state = State::new(location, rules, cap);
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, guard));
    let top = TopSeed { state: &mut state }.deserialize(&mut de).and_then(|top| de.end().map(|()| top));
    conclude(location, state, top, fault.get())
}

fn read_failure(location: &str) -> Problem {
    Problem::new(location, "could not be read to its end", "the archive is damaged; create it again and re-upload it")
}

/// The parse's outcome as labels or problems.
fn conclude(location: &str, state: State<'_>, top: Result<Top, serde_json::Error>, fault: Option<Fault>) -> Parsed {
    let problem = |message: String, fix: &str| Problem::new(location, message, fix);
    let top = match top {
        Ok(top) => top,
        Err(e) => {
            let problem = match fault {
                Some(Fault::NotUtf8 { offset }) => problem(
                    format!("not UTF-8 text (invalid byte at offset {offset})"),
                    "the harness writes UTF-8 JSON; re-export the file as UTF-8",
                ),
                Some(Fault::LongString) => {
                    let p = problem(
                        format!("holds a JSON string longer than {} MiB", MAX_STRING_BYTES / (1024 * 1024)),
                        "answers of real runs are far shorter; check that this is the judge's output",
                    );
                    match state.in_item {
                        Some(i) => p.at_item(i),
                        None => p,
                    }
                }
                Some(Fault::TooDeep) => problem(
                    format!("the JSON is nested deeper than {MAX_DEPTH} levels"),
                    "judge files are an object holding a list of flat objects; restore the original",
                ),
                None if e.is_io() => read_failure(location),
                None => problem(
                    format!("not valid JSON: {} at line {}, column {}", e_kind(&e), e.line(), e.column()),
                    "the file is damaged or was edited by hand; re-run the judge step or restore the original",
                ),
            };
            let mut problems = Problems::with_cap(state.cap);
            problems.push(problem);
            return Parsed::Unreadable(problems);
        }
    };
    let (asr, list) = match top {
        Top::List => {
            return unreadable(problem(
                "this is a JSON list, as in inference output (results/infer/), not a judge file".into(),
                "upload the judge output results/harmbench/<model>/, whose files are objects with `judge_result`",
            ));
        }
        Top::Other => {
            return unreadable(problem(
                "the JSON is not an object".into(),
                "judge files are objects with a `judge_result` list",
            ));
        }
        Top::Object { asr, list } => (asr, list),
    };
    match list {
        ListSeen::Missing => {
            return unreadable(problem(
                "no `judge_result` key".into(),
                "judge files written by harmbench_judge.py have `ASR` and `judge_result`; re-run the judge step",
            ));
        }
        ListSeen::NotList => {
            return unreadable(problem(
                "`judge_result` is not a list".into(),
                "it must be a list of {question, answer, label} objects",
            ));
        }
        ListSeen::List => {}
    }
    if !state.problems.is_empty() {
        return Parsed::Unreadable(state.problems);
    }
    let warnings = stored_asr_warning(location, asr, state.unsafe_count, state.items).into_iter().collect();
    Parsed::Labels(FileLabels {
        unsafe_flags: state.unsafe_flags,
        items: state.items,
        refusals: state.has_text.then_some(state.refusals),
        warnings,
    })
}

fn unreadable(problem: Problem) -> Parsed {
    Parsed::Unreadable(Problems::from(vec![problem]))
}

/// What the parse has found so far.
struct State<'a> {
    location: &'a str,
    rules: &'a RuleSet,
    problems: Problems,
    unsafe_flags: Vec<bool>,
    refusals: Vec<Option<bool>>,
    items: usize,
    unsafe_count: usize,
    has_text: bool,
    /// The item being read, for messages about a failure inside it.
    in_item: Option<usize>,
    cap: usize,
}

impl<'a> State<'a> {
    fn new(location: &'a str, rules: &'a RuleSet, cap: usize) -> Self {
        State {
            location,
            rules,
            problems: Problems::with_cap(cap),
            unsafe_flags: Vec::new(),
            refusals: Vec::new(),
            items: 0,
            unsafe_count: 0,
            has_text: true,
            in_item: None,
            cap,
        }
    }

    /// A second `judge_result` key replaces the first, as it would in a parsed JSON object.
    fn restart(&mut self) {
        *self = State::new(self.location, self.rules, self.cap);
    }

    /// One entry of `judge_result`, as read.
    fn record(&mut self, index: usize, item: Item) {
        self.items += 1;
        let (is_unsafe, answer) = match item {
            Item::NotObject => {
                let location = self.location;
                self.problems.push_with(|| {
                    Problem::new(location, "entry is not an object", "each entry is {question, answer, label}")
                        .at_item(index)
                });
                return;
            }
            Item::Object { label, answer } => match label {
                Label::Unsafe => (true, answer),
                Label::Safe => (false, answer),
                bad => {
                    let location = self.location;
                    self.problems.push_with(|| bad.problem(location).at_item(index));
                    return;
                }
            },
        };
        self.unsafe_count += usize::from(is_unsafe);
        let refusal = match answer {
            Answer::Text { refusal } if !is_unsafe => Some(refusal),
            Answer::Text { .. } => None,
            Answer::Other => {
                self.has_text = false;
                None
            }
        };
        if self.unsafe_flags.len() <= max_kept_items() {
            self.unsafe_flags.push(is_unsafe);
            self.refusals.push(refusal);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The visitors: each reads one level and keeps only what the level above needs.

/// Every visitor here accepts any JSON value; the kinds it does not care about come out as one
/// value, consuming containers with `IgnoredAny` (skipped without allocating).
macro_rules! other_values {
    ($other:expr) => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
    };
}

macro_rules! other_strings {
    ($other:expr) => {
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
    };
}

macro_rules! other_lists {
    ($other:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($other)
        }
    };
}

macro_rules! other_maps {
    ($other:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($other)
        }
    };
}

enum Top {
    Object { asr: Option<f64>, list: ListSeen },
    List,
    Other,
}

enum ListSeen {
    Missing,
    NotList,
    List,
}

/// The keys this reader looks at; any other key is skipped with its value.
enum Key {
    Asr,
    JudgeResult,
    Label,
    Answer,
    Other,
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "ASR" => Key::Asr,
                    "judge_result" => Key::JudgeResult,
                    "label" => Key::Label,
                    "answer" => Key::Answer,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

struct TopSeed<'s, 'a> {
    state: &'s mut State<'a>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = Top;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = Top;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a judge file")
    }
    other_values!(Top::Other);
    other_strings!(Top::Other);
    other_lists!(Top::List);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut asr = None;
        let mut list = ListSeen::Missing;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Asr => asr = map.next_value_seed(NumberSeed)?,
                Key::JudgeResult => {
                    if !matches!(list, ListSeen::Missing) {
                        self.state.restart();
                    }
                    list = map.next_value_seed(ListSeed { state: &mut *self.state })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Top::Object { asr, list })
    }
}

/// The stored `ASR`, if it is a number.
struct NumberSeed;

impl<'de> DeserializeSeed<'de> for NumberSeed {
    type Value = Option<f64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumberSeed {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    other_strings!(None);
    other_lists!(None);
    other_maps!(None);
}

struct ListSeed<'s, 'a> {
    state: &'s mut State<'a>,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_, '_> {
    type Value = ListSeen;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ListSeen, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_, '_> {
    type Value = ListSeen;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    other_values!(ListSeen::NotList);
    other_strings!(ListSeen::NotList);
    other_maps!(ListSeen::NotList);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ListSeen, A::Error> {
        let rules = self.state.rules;
        let mut index = 0;
        loop {
            self.state.in_item = Some(index);
            let Some(item) = seq.next_element_seed(ItemSeed { rules })? else { break };
            self.state.record(index, item);
            index += 1;
        }
        self.state.in_item = None;
        Ok(ListSeen::List)
    }
}

/// One entry, reduced to its label and whether its answer is an explicit refusal.
enum Item {
    NotObject,
    Object { label: Label, answer: Answer },
}

enum Label {
    Missing,
    NotString,
    Unsafe,
    Safe,
    /// Another string: its first 20 characters, for the message.
    Other(String),
}

impl Label {
    fn problem(self, location: &str) -> Problem {
        match self {
            Label::Other(shown) => Problem::new(
                location,
                format!("label `{shown}` is neither `safe` nor `unsafe`"),
                "labels are exactly `safe` or `unsafe` (lower case), as harmbench_judge.py writes them",
            ),
            Label::NotString => {
                Problem::new(location, "label is not a string", "labels are the strings `safe` or `unsafe`")
            }
            Label::Missing | Label::Unsafe | Label::Safe => {
                Problem::new(location, "entry has no `label`", "re-run the judge step; every entry gets a label")
            }
        }
    }
}

/// The answer: text, classified as it is read (the label may come after it) and then dropped,
/// or anything else (no text to classify).
enum Answer {
    Text { refusal: bool },
    Other,
}

struct ItemSeed<'a> {
    rules: &'a RuleSet,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = Item;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Item, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_> {
    type Value = Item;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an entry")
    }
    other_values!(Item::NotObject);
    other_strings!(Item::NotObject);
    other_lists!(Item::NotObject);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        let mut label = Label::Missing;
        let mut answer = Answer::Other;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Label => label = map.next_value_seed(LabelSeed)?,
                Key::Answer => answer = map.next_value_seed(AnswerSeed { rules: self.rules })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Item::Object { label, answer })
    }
}

struct LabelSeed;

impl<'de> DeserializeSeed<'de> for LabelSeed {
    type Value = Label;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Label, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LabelSeed {
    type Value = Label;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a label")
    }
    other_values!(Label::NotString);
    other_lists!(Label::NotString);
    other_maps!(Label::NotString);

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Label, E> {
        Ok(match s {
            "unsafe" => Label::Unsafe,
            "safe" => Label::Safe,
            other => Label::Other(other.chars().take(20).collect()),
        })
    }
}

struct AnswerSeed<'a> {
    rules: &'a RuleSet,
}

impl<'de> DeserializeSeed<'de> for AnswerSeed<'_> {
    type Value = Answer;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Answer, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnswerSeed<'_> {
    type Value = Answer;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answer")
    }
    other_values!(Answer::Other);
    other_lists!(Answer::Other);
    other_maps!(Answer::Other);

    /// The text lives only in the parser's scratch buffer for this call.
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Answer, E> {
        Ok(Answer::Text { refusal: self.rules.is_explicit_refusal(s) })
    }
}

#[cfg(test)]
mod tests;
