//! The enums' text forms: how outcomes, step provenance and status, roles and upload
//! statuses are written to a database column (and shown), and read back — a word the
//! code does not know is [`StoreError::Corrupt`] naming the column.

use crate::{DefinedBy, Outcome, Role, StepSource, StepStatus, StoreError, UploadStatus};

/// A column that would not decode.
pub fn corrupt(field: &'static str, value: impl ToString) -> StoreError {
    StoreError::Corrupt {
        field,
        value: value.to_string(),
    }
}

/// The stored text of an outcome (the `deals.outcome` CHECK lists the same words).
pub fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Won => "won",
        Outcome::Lost => "lost",
        Outcome::Disqualified => "disqualified",
    }
}

/// Reads back `deals.outcome`.
pub fn parse_outcome(s: Option<String>) -> Result<Option<Outcome>, StoreError> {
    match s.as_deref() {
        None => Ok(None),
        Some("won") => Ok(Some(Outcome::Won)),
        Some("lost") => Ok(Some(Outcome::Lost)),
        Some("disqualified") => Ok(Some(Outcome::Disqualified)),
        Some(other) => Err(corrupt("deals.outcome", other)),
    }
}

/// The stored text of who defined a step.
pub fn defined_by_str(d: DefinedBy) -> &'static str {
    match d {
        DefinedBy::Prospect => "prospect",
        DefinedBy::Seller => "seller",
    }
}

/// Reads back `next_steps.defined_by`.
pub fn parse_defined_by(s: &str) -> Result<DefinedBy, StoreError> {
    match s {
        "prospect" => Ok(DefinedBy::Prospect),
        "seller" => Ok(DefinedBy::Seller),
        other => Err(corrupt("next_steps.defined_by", other)),
    }
}

/// The stored text of a step's source.
pub fn source_str(s: StepSource) -> &'static str {
    match s {
        StepSource::Call => "call",
        StepSource::Manual => "manual",
    }
}

/// Reads back `next_steps.source`.
pub fn parse_source(s: &str) -> Result<StepSource, StoreError> {
    match s {
        "call" => Ok(StepSource::Call),
        "manual" => Ok(StepSource::Manual),
        other => Err(corrupt("next_steps.source", other)),
    }
}

/// The stored text of a step status (the partial unique index says `status = 'open'`).
pub fn status_str(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Open => "open",
        StepStatus::Done => "done",
        StepStatus::Missed => "missed",
        StepStatus::Cancelled => "cancelled",
        StepStatus::Superseded => "superseded",
    }
}

/// Reads back `next_steps.status`.
pub fn parse_status(s: &str) -> Result<StepStatus, StoreError> {
    match s {
        "open" => Ok(StepStatus::Open),
        "done" => Ok(StepStatus::Done),
        "missed" => Ok(StepStatus::Missed),
        "cancelled" => Ok(StepStatus::Cancelled),
        "superseded" => Ok(StepStatus::Superseded),
        other => Err(corrupt("next_steps.status", other)),
    }
}

/// The stored text of a role (`users.role`).
pub fn role_str(r: Role) -> &'static str {
    match r {
        Role::Rep => "rep",
        Role::Manager => "manager",
        Role::Admin => "admin",
    }
}

/// Reads back `users.role`.
pub fn parse_role(s: &str) -> Result<Role, StoreError> {
    match s {
        "rep" => Ok(Role::Rep),
        "manager" => Ok(Role::Manager),
        "admin" => Ok(Role::Admin),
        other => Err(corrupt("users.role", other)),
    }
}

/// The stored text of an upload status (`uploads.status`).
pub fn upload_status_str(s: UploadStatus) -> &'static str {
    match s {
        UploadStatus::Queued => "queued",
        UploadStatus::Running => "running",
        UploadStatus::Done => "done",
        UploadStatus::Failed => "failed",
    }
}

/// Reads back `uploads.status`.
pub fn parse_upload_status(s: &str) -> Result<UploadStatus, StoreError> {
    match s {
        "queued" => Ok(UploadStatus::Queued),
        "running" => Ok(UploadStatus::Running),
        "done" => Ok(UploadStatus::Done),
        "failed" => Ok(UploadStatus::Failed),
        other => Err(corrupt("uploads.status", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_texts_round_trip() {
        for o in [Outcome::Won, Outcome::Lost, Outcome::Disqualified] {
            assert_eq!(
                parse_outcome(Some(outcome_str(o).into())).ok(),
                Some(Some(o))
            );
        }
        for s in [
            StepStatus::Open,
            StepStatus::Done,
            StepStatus::Missed,
            StepStatus::Cancelled,
            StepStatus::Superseded,
        ] {
            assert_eq!(parse_status(status_str(s)).ok(), Some(s));
        }
        assert!(matches!(
            parse_status("pending"),
            Err(StoreError::Corrupt {
                field: "next_steps.status",
                ..
            })
        ));
    }
}
