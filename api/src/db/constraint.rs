//! Turning a named constraint's violation into the answer the call site
//! means, in the manner of realworld-axum-sqlx's `on_constraint`: the call
//! site names the constraint (a model's `LOGIN_TAKEN`, `TASK_OWNER`, ...)
//! and says what its violation is (a 409, a 400 in /dealer's words, a gone
//! user); every other error converts as usual.

use diesel::result::{DatabaseErrorInformation, Error};

use crate::error::ApiError;

pub trait ResultExt<T> {
    /// Maps a violation of the constraint `name` through `f`; any other
    /// error becomes an [`ApiError`] the usual way. Constraint names are
    /// unique per table, and our migrations name every constraint after its
    /// table, so the name alone says which rule was broken (a unique key, a
    /// foreign key, a check).
    fn on_constraint(
        self,
        name: &str,
        f: impl FnOnce(&dyn DatabaseErrorInformation) -> ApiError,
    ) -> Result<T, ApiError>;
}

impl<T> ResultExt<T> for Result<T, Error> {
    fn on_constraint(
        self,
        name: &str,
        f: impl FnOnce(&dyn DatabaseErrorInformation) -> ApiError,
    ) -> Result<T, ApiError> {
        self.map_err(|e| match e {
            Error::DatabaseError(_, ref info) if info.constraint_name() == Some(name) => f(info.as_ref()),
            e => e.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use diesel::result::DatabaseErrorKind;

    use super::*;

    struct Violated(Option<&'static str>);

    impl DatabaseErrorInformation for Violated {
        fn message(&self) -> &str {
            "duplicate key value violates unique constraint"
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.0
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn violation(kind: DatabaseErrorKind, constraint: Option<&'static str>) -> Result<(), Error> {
        Err(Error::DatabaseError(kind, Box::new(Violated(constraint))))
    }

    fn taken(_: &dyn DatabaseErrorInformation) -> ApiError {
        ApiError::Conflict("this login is taken".into())
    }

    #[test]
    fn the_named_constraint_answers_what_the_call_site_says() {
        let r = violation(DatabaseErrorKind::UniqueViolation, Some("users_login_key"))
            .on_constraint("users_login_key", taken);
        assert!(matches!(r, Err(ApiError::Conflict(ref m)) if m == "this login is taken"), "{r:?}");
    }

    #[test]
    fn the_closure_sees_the_violation() {
        let r = violation(DatabaseErrorKind::ForeignKeyViolation, Some("tasks_owner_fkey"))
            .on_constraint("tasks_owner_fkey", |info| {
                ApiError::Conflict(info.constraint_name().unwrap_or_default().into())
            });
        assert!(matches!(r, Err(ApiError::Conflict(ref m)) if m == "tasks_owner_fkey"), "{r:?}");
    }

    #[test]
    fn another_constraint_is_not_a_conflict() {
        let r = violation(DatabaseErrorKind::UniqueViolation, Some("users_email_key"))
            .on_constraint("users_login_key", taken);
        assert!(r.is_err());
        assert!(!matches!(r, Err(ApiError::Conflict(_))), "{r:?}");
    }

    #[test]
    fn a_violation_without_a_constraint_name_is_not_a_conflict() {
        let r = violation(DatabaseErrorKind::UniqueViolation, None).on_constraint("users_login_key", taken);
        assert!(!matches!(r, Err(ApiError::Conflict(_))), "{r:?}");
    }

    #[test]
    fn other_errors_and_successes_pass_through() {
        let r: Result<(), Error> = Err(Error::NotFound);
        assert!(!matches!(r.on_constraint("users_login_key", taken), Err(ApiError::Conflict(_))));
        let ok: Result<i64, Error> = Ok(7);
        assert!(matches!(ok.on_constraint("users_login_key", taken), Ok(7)));
    }
}
