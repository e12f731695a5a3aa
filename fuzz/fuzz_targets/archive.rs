//! Fuzz target: see mir_leaderboard::ingest::fuzz::upload.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mir_leaderboard::ingest::fuzz::upload(data);
});
