//! The apps, one folder per prefix. Apps never import each other.

pub mod shop;
pub mod todo;
