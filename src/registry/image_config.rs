//! The image configuration blob (OCI image config / Docker image v1 JSON): what `inspect` shows.
//! Every field is optional because real configs omit or null them freely.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub config: Option<ContainerConfig>,
    #[serde(default)]
    pub history: Option<Vec<History>>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
}

/// The run-time defaults (`config` in the JSON). Field names are Docker's, capitalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub working_dir: Option<String>,
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    #[serde(default)]
    pub env: Option<Vec<String>>,
    #[serde(default)]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub stop_signal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub empty_layer: Option<bool>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub diff_ids: Option<Vec<String>>,
}

impl ImageConfig {
    pub fn parse(bytes: &[u8]) -> Result<ImageConfig, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("the image config is invalid ({e})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_with_nulls_parses() {
        let c = ImageConfig::parse(
            br#"{"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05Z",
            "config":{"User":"app","WorkingDir":"/srv","Entrypoint":null,"Cmd":["run"],
              "Env":["A=1"],"ExposedPorts":{"80/tcp":{}},"Volumes":null,"Labels":{"k":"v"},
              "StopSignal":"SIGTERM"},
            "history":[{"created_by":"ADD x","empty_layer":true},{"comment":"c"}],
            "rootfs":{"type":"layers","diff_ids":["sha256:00"]}}"#,
        )
        .unwrap();
        let cc = c.config.unwrap();
        assert_eq!(cc.user.as_deref(), Some("app"));
        assert_eq!(cc.entrypoint, None);
        assert_eq!(cc.exposed_ports.unwrap().keys().next().unwrap(), "80/tcp");
        assert_eq!(c.history.unwrap()[0].empty_layer, Some(true));
        assert_eq!(c.rootfs.unwrap().diff_ids.unwrap().len(), 1);
        assert!(ImageConfig::parse(b"[1]").unwrap_err().contains("invalid"));
    }
}
