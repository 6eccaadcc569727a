//! The sandbox's error replies: `{"error", "message", "fields"}` with the right status.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A refusal the sandbox sends back, in the error body format it defines for the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine code, `snake_case`.
    pub code: &'static str,
    /// Human message.
    pub message: String,
    /// Per-field problems.
    pub fields: BTreeMap<String, String>,
}

impl SandboxError {
    /// An error without field details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    /// 404 for an unknown chat.
    pub fn chat_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "chat_not_found",
            format!("no chat with id '{id}'"),
        )
    }

    /// 422 listing every field problem.
    pub fn validation(fields: BTreeMap<String, String>) -> Self {
        let names = fields.keys().cloned().collect::<Vec<_>>().join(", ");
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            message: format!("invalid fields: {names}"),
            fields,
        }
    }

    /// A single-field refusal with its own code.
    pub fn field(
        status: StatusCode,
        code: &'static str,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        let mut fields = BTreeMap::new();
        fields.insert(field.to_owned(), message.clone());
        Self {
            status,
            code,
            message,
            fields,
        }
    }
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "message": self.message, "fields": self.fields});
        (self.status, Json(body)).into_response()
    }
}
