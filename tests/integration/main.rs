//! The integration tests: one binary, one module per app.

mod admin;
mod ar;
mod contract;
mod dealer;
mod devmode;
mod exchange;
mod faults;
mod floods;
mod harness;
mod idempotency;
mod messages;
mod monitoring;
mod platform;
mod purge;
mod security_state;
mod shop;
mod todo;
