//! Fuzz target: see mir_leaderboard::ingest::fuzz::judge_file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mir_leaderboard::ingest::fuzz::judge_file(data);
});
