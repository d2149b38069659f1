//! The apps, one folder per prefix. Apps never import each other.

pub mod ar;
pub mod dealer;
pub mod exchange;
pub mod shop;
pub mod todo;
