//! The integration tests: one binary, one module per app.

mod ar;
mod dealer;
mod exchange;
mod monitoring;
mod platform;
mod purge;
mod shop;
mod todo;
