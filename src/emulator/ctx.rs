//! Per-request context handed to every operation.

#[derive(Debug, Clone)]
pub struct Ctx {
    /// Time of the request, in epoch milliseconds.
    pub now_ms: i64,
    /// The emulator's own base URL (`http://127.0.0.1:PORT`), for URLs it serves itself (logos).
    pub base_url: String,
    /// The caller's access key id, from the Authorization header.
    pub access_key: String,
    /// The service quotas in force (`--quota`, else the documented defaults).
    pub quotas: super::quota::Quotas,
}

/// Epoch milliseconds as the epoch-seconds JSON number the protocol uses.
pub fn ts(ms: i64) -> serde_json::Value {
    if ms % 1000 == 0 {
        serde_json::Value::from(ms / 1000)
    } else {
        serde_json::Value::from(ms as f64 / 1000.0)
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
