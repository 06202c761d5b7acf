//! API errors as the awsJson1.1 protocol carries them: an HTTP status and a `{"__type", "message"}` body
//! (plus the extra members some exceptions model, such as InvalidLayerPartException's).

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// Additional modelled members of the exception shape.
    pub extra: Map<String, Value>,
}

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        let status = match code {
            "ServerException" => 500,
            "MissingAuthenticationTokenException" => 403,
            "RequestEntityTooLargeException" => 413,
            _ => 400,
        };
        ApiError {
            status,
            code,
            message: message.into(),
            extra: Map::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    pub fn body(&self) -> Value {
        let mut body = self.extra.clone();
        body.insert("__type".into(), Value::String(self.code.into()));
        body.insert("message".into(), Value::String(self.message.clone()));
        Value::Object(body)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", message)
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", message)
    }

    pub fn repo_not_found(name: &str, registry_id: &str) -> Self {
        Self::new(
            "RepositoryNotFoundException",
            format!(
                "The repository with name '{name}' does not exist in the registry with id '{registry_id}'"
            ),
        )
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}
