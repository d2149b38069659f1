//! The integration tests: one binary, one module per app.

mod contract;
mod platform;
mod todo;
