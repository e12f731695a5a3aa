//! The benchmark's concepts and arithmetic, free of I/O. Everything else depends on this
//! module; it depends on nothing of ours. It compiles for the browser too, so the page can
//! re-sort rows with the very code the server used.

pub mod agreement;
pub mod compare;
pub mod consensus;
pub mod day;
pub mod history;
pub mod labels;
pub mod leaderboard;
pub mod metrics;
pub mod model;
pub mod moderation;
pub mod page_data;
pub mod ranking;
pub mod refusal;
pub mod stats;
pub mod submission;
pub mod taxonomy;
pub mod text;
pub mod units;
