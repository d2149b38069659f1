//! The integration tests: one binary, one module per app.

mod platform;
mod shop;
mod todo;
