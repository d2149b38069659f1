//! The integration tests: one binary, one module per app.

mod dealer;
mod exchange;
mod platform;
mod todo;
