//! Five small API apps in one axum server: `/exchange`, `/todo`, `/dealer`,
//! `/shop` and `/ar`, each the exact contract of one spec (see CONTRACT.md).

pub mod admin;
pub mod apps;
pub mod auth;
pub mod client;
pub mod config;
pub mod db;
pub mod deadline;
pub mod devmode;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod image_budget;
pub mod jobs;
pub mod jpeg;
pub mod listener;
pub mod log_writer;
pub mod metrics;
pub mod mirror;
pub mod monitoring;
pub mod openapi;
pub mod platform;
pub mod pubsub;
pub mod rate_limit;
pub mod registry;
pub mod request_id;
pub mod router;
pub mod schema;
pub mod server;
pub mod state;
pub mod telemetry;
pub mod validate;
pub mod wire_time;

pub use router::{app, openapi};
