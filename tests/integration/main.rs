//! The integration tests: one binary, one module per app.

mod dealer;
mod exchange;
mod monitoring;
mod platform;
mod shop;
mod todo;
