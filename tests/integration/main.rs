//! The integration tests: one binary, one module per app.

mod monitoring;
mod platform;
mod shop;
mod todo;
