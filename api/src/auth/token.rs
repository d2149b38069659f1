//! JWTs (HS256) with the contract's claims.
//!
//! The audience names the app, so a token of one app is refused by every other.
//! Revocation is `revocations.rs`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id, as a decimal string.
    pub sub: String,
    /// The app that issued the token.
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Unique id of this token: the handle for revocation.
    pub jti: String,
    /// The one resource an app token is limited to (the /ar project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<i64>,
}

impl Claims {
    pub fn user_id(&self) -> Result<i64, ApiError> {
        self.sub.parse().map_err(|_| ApiError::Unauthorized("the token's subject is not a user id".into()))
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.exp, 0).unwrap_or_default()
    }
}

/// A freshly issued token.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    pub fn issue(
        &self,
        aud: &str,
        user_id: i64,
        ttl: Duration,
        scope: Option<i64>,
    ) -> Result<Issued, ApiError> {
        let now = Utc::now();
        let expires_at = now + ttl;
        let claims = Claims {
            sub: user_id.to_string(),
            aud: aud.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            scope,
        };
        let token = self.sign(&claims)?;
        let expires_at = claims.expires_at();
        Ok(Issued { token, jti: claims.jti, expires_at })
    }

    /// Signs claims as given: HS256 is deterministic, so the same claims give
    /// the same token (/ar hands its stored app tokens out again this way).
    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("signing a token failed: {e}")))
    }

    /// Checks signature, algorithm (HS256 only: `alg: none` is refused), expiry
    /// and audience. Revocation is checked separately (`revocations.rs`).
    pub fn verify(&self, token: &str, aud: &str) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[aud]);
        validation.set_required_spec_claims(&["exp", "aud", "sub", "iat"]);
        validation.leeway = 0;
        decode::<Claims>(token, &self.decoding, &validation).map(|data| data.claims).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            let reason = match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired",
                ErrorKind::InvalidAudience => "the token was not issued by this app",
                _ => "the token is invalid",
            };
            ApiError::Unauthorized(reason.into())
        })
    }
}
