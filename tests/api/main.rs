//! Integration tests: the real server on port 0 with a fresh database per test. Run against
//! SQLite by default and against PostgreSQL when `TEST_DATABASE_URL` is set (scripts/test.sh
//! does both).

mod helpers;

mod architecture;
mod cache;
mod compare;
mod crash;
mod edge;
mod folder;
mod history;
mod input_rules;
mod items;
mod leaderboard;
mod memory;
mod moderation;
mod openapi;
mod pages;
mod refusals;
mod store;
mod uploads;
mod views;
