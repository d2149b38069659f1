//! The integration tests: one binary, one module per app.

mod admin;
mod platform;
mod shop;
mod todo;
