//! The integration tests: one binary, one module per app.

mod ar;
mod platform;
mod purge;
mod todo;
