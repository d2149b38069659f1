//! Authentication shared by every app: argon2id passwords, JWTs with a per-app
//! audience, revocation in Redis, and the extractor that ties them together.

pub mod extract;
pub mod password;
pub mod token;

pub use extract::{Audience, Authed};
pub use token::{Claims, Issued, TokenKeys};
