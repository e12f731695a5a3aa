//! The store: the only module that speaks SQL. One function per query; each takes the pool
//! (or an open transaction) and returns domain types.
//!
//! Queries are checked at run time through sqlx's `Any` driver, so one binary serves SQLite
//! (the embedded default) and PostgreSQL (production). The SQL is written once for both:
//! `$N` placeholders, integer flags instead of BOOLEAN, unix seconds instead of timestamps,
//! and no dialect-only functions. The integration tests run every query against both.

mod auth;
mod connection;
mod history;
mod migrations;
mod moderation;
mod reads;
mod sql;
mod writes;

pub use auth::*;
pub use connection::{Backend, ConnectError, Pool, Tx, begin_write, connect};
pub use history::*;
pub use moderation::*;
pub use reads::*;
pub use sql::{data_version, is_unique_violation, now};
pub use writes::*;
