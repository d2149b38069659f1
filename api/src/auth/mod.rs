//! Authentication shared by every app: argon2id passwords, JWTs with a per-app
//! audience, revocation (PostgreSQL, mirrored in memory), and the extractor that ties them together.

pub mod extract;
pub mod hash_queue;
pub mod login;
pub mod password;
pub mod revocations;
pub mod revoked;
pub mod token;

pub use extract::{Audience, Authed, gone_or, user_gone};
pub use login::{LoggedIn, Login, login};
pub use token::{Claims, Issued, TokenKeys};
