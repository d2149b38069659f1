//! Which database errors are faults of the moment (answered 503, nothing
//! committed) rather than bugs (500): the one place that tells them apart.
//!
//! Diesel gives a kind for some SQLSTATEs (closed connection, serialization
//! failure, read-only transaction) but not the SQLSTATE itself, so the others
//! are recognised by PostgreSQL's primary message. Those messages are
//! English unless the server's `lc_messages` says otherwise; in another
//! language such an error answers 500, still with nothing committed.

use diesel::result::{DatabaseErrorKind, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection is gone (server restart, terminated backend, network):
    /// it is discarded, and nothing of the statement was committed.
    Lost,
    /// A statement or lock timeout cancelled the statement.
    Timeout,
    /// The server refused for now: deadlock, serialization failure, a
    /// read-only standby after a failover, a server starting or stopping.
    Busy,
}

impl Fault {
    /// What the client reads: generic, no server text.
    pub fn detail(self) -> &'static str {
        match self {
            Self::Lost => "the connection to the database was lost; nothing was changed, try again",
            Self::Timeout => "the database did not answer in time; nothing was changed, try again",
            Self::Busy => "the database is busy; nothing was changed, try again",
        }
    }
}

/// Primary messages of the SQLSTATEs diesel leaves as `Unknown`, by fault.
const MESSAGES: &[(&str, Fault)] = &[
    // 57014 query_canceled, from our statement_timeout or an operator's pg_cancel_backend
    ("canceling statement due to statement timeout", Fault::Timeout),
    ("canceling statement due to user request", Fault::Busy),
    // 55P03 lock_not_available, from our lock_timeout
    ("canceling statement due to lock timeout", Fault::Timeout),
    ("could not obtain lock", Fault::Timeout),
    // 40P01 deadlock_detected
    ("deadlock detected", Fault::Busy),
    // 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown), 57P02 crash_shutdown
    ("terminating connection due to administrator command", Fault::Lost),
    ("terminating connection because of crash of another server process", Fault::Lost),
    ("terminating connection due to idle-in-transaction timeout", Fault::Lost),
    ("terminating connection due to conflict with recovery", Fault::Lost),
    // 57P03 cannot_connect_now
    ("the database system is", Fault::Lost),
    // 53300 too_many_connections, 53xxx insufficient resources
    ("sorry, too many clients already", Fault::Busy),
    ("out of shared memory", Fault::Busy),
    // libpq's own, when the server vanished under a statement
    ("server closed the connection unexpectedly", Fault::Lost),
    ("no connection to the server", Fault::Lost),
    ("could not receive data from server", Fault::Lost),
    ("could not send data to server", Fault::Lost),
    ("connection to server was lost", Fault::Lost),
    ("SSL SYSCALL error", Fault::Lost),
    ("SSL connection has been closed unexpectedly", Fault::Lost),
];

/// The fault behind `err`, or `None` for an error that is not one (a bug or
/// a constraint the caller maps).
pub fn classify(err: &Error) -> Option<Fault> {
    match err {
        Error::DatabaseError(kind, info) => match kind {
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => Some(Fault::Lost),
            DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::ReadOnlyTransaction => {
                Some(Fault::Busy)
            }
            DatabaseErrorKind::Unknown => {
                let message = info.message();
                MESSAGES.iter().find(|(prefix, _)| message.starts_with(prefix)).map(|(_, fault)| *fault)
            }
            _ => None,
        },
        // A transaction whose ROLLBACK failed: the connection is unusable.
        Error::BrokenTransactionManager => Some(Fault::Lost),
        Error::RollbackErrorOnCommit { commit_error, .. } => classify(commit_error),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(message: &str) -> Error {
        Error::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))
    }

    #[test]
    fn faults_of_the_moment_are_told_from_bugs() {
        let closed = Error::DatabaseError(DatabaseErrorKind::ClosedConnection, Box::new(String::new()));
        assert_eq!(classify(&closed), Some(Fault::Lost));
        assert_eq!(
            classify(&unknown("terminating connection due to administrator command")),
            Some(Fault::Lost)
        );
        assert_eq!(classify(&unknown("the database system is shutting down")), Some(Fault::Lost));
        assert_eq!(classify(&unknown("canceling statement due to lock timeout")), Some(Fault::Timeout));
        assert_eq!(classify(&unknown("deadlock detected")), Some(Fault::Busy));
        assert_eq!(classify(&unknown("syntax error at or near \"SELEC\"")), None);
        let unique = Error::DatabaseError(DatabaseErrorKind::UniqueViolation, Box::new(String::new()));
        assert_eq!(classify(&unique), None);
        assert_eq!(classify(&Error::NotFound), None);
    }
}
