//! The inspector's registry reads: connect to the caller's own registry when no connection is kept
//! (DescribeRegistries for the alias, GetAuthorizationToken for the token), then one manifest or
//! one config blob. Each answer is a message; nothing here touches the app's state.

use tokio::sync::mpsc::UnboundedSender;

use crate::app::inspector_content::ConfigBlob;
use crate::app::inspector_state::{
    FailureKind, InspectError, InspectRequest, InspectorMsg, Part, Shared, Source, config_key,
};
use crate::app::msg::Msg;
use crate::aws::{Api, AwsError};
use crate::own_registry::OwnRegistry;
use crate::registry::{Digest, ManifestKind, RegistryClient, Target};

pub async fn run(api: Result<Api, AwsError>, req: InspectRequest, tx: UnboundedSender<Msg>) {
    let InspectRequest {
        client: generation,
        source,
        own,
        key,
        part,
    } = req;
    let answer = |result: Result<Answer, InspectError>| match (&part, result) {
        (Part::Manifest(_), r) => InspectorMsg::Manifest {
            client: generation,
            key: key.clone(),
            result: r.and_then(|a| match a {
                Answer::Manifest(m) => Ok(m),
                Answer::Config(_) => Err(internal()),
            }),
        },
        (Part::Config(_), r) => InspectorMsg::Config {
            client: generation,
            key: key.clone(),
            result: r.and_then(|a| match a {
                Answer::Config(c) => Ok(c),
                Answer::Manifest(_) => Err(internal()),
            }),
        },
    };
    let reader = match &source {
        Source::Registry { reference, client } => Ok(Reader::Any {
            client: client.clone(),
            name: reference.name.clone(),
        }),
        Source::Own {
            registry_id,
            repo,
            registry_url,
        } => match own {
            Some(o) => Ok(Reader::Own {
                name: o.name(repo),
                own: o,
            }),
            None => {
                let own = connect(api, registry_id.as_deref(), registry_url.as_deref()).await;
                // Only a new connection is news to the app: a message costs it a frame.
                if let Ok(own) = &own {
                    let _ = tx.send(Msg::Inspected(InspectorMsg::Connected {
                        client: generation,
                        registry: own.clone(),
                    }));
                }
                own.map(|o| Reader::Own {
                    name: o.name(repo),
                    own: o,
                })
            }
        },
    };
    let reader = match reader {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Msg::Inspected(answer(Err(e))));
            return;
        }
    };
    let result = read(reader.client(), reader.name(), &part, reader.anonymous()).await;
    // An image's config is read at once: handing the digest to the app first would cost a trip
    // through its loop and a frame before the second request even starts. The app marks it as
    // on its way when the manifest arrives.
    let config = match &result {
        Ok(Answer::Manifest(m)) => match &m.kind {
            ManifestKind::Image(img) => Some(img.config.clone()),
            ManifestKind::Index(_) => None,
        },
        _ => None,
    };
    let _ = tx.send(Msg::Inspected(answer(result)));
    if let Some(desc) = config {
        let key = config_key(&source, &desc.digest).into();
        let part = Part::Config(desc);
        let result = read(reader.client(), reader.name(), &part, reader.anonymous())
            .await
            .and_then(|a| match a {
                Answer::Config(c) => Ok(c),
                Answer::Manifest(_) => Err(internal()),
            });
        let _ = tx.send(Msg::Inspected(InspectorMsg::Config {
            client: generation,
            key,
            result,
        }));
    }
}

/// Where a read goes: a client the caller handed over, or the own registry's connection.
enum Reader {
    Any {
        client: Shared<RegistryClient>,
        name: String,
    },
    Own {
        own: Shared<OwnRegistry>,
        name: String,
    },
}

impl Reader {
    fn client(&self) -> &RegistryClient {
        match self {
            Reader::Any { client, .. } => client,
            Reader::Own { own, .. } => &own.client,
        }
    }

    fn name(&self) -> &str {
        match self {
            Reader::Any { name, .. } | Reader::Own { name, .. } => name,
        }
    }

    fn anonymous(&self) -> bool {
        match self {
            Reader::Any { client, .. } => client.is_anonymous(),
            Reader::Own { .. } => false,
        }
    }
}

enum Answer {
    Manifest(Shared<crate::registry::Manifest>),
    Config(Shared<ConfigBlob>),
}

fn internal() -> InspectError {
    InspectError {
        kind: FailureKind::Other,
        message: "internal: the answer does not match the request".into(),
        anonymous: false,
    }
}

async fn connect(
    api: Result<Api, AwsError>,
    registry_id: Option<&str>,
    registry_url: Option<&str>,
) -> Result<Shared<OwnRegistry>, InspectError> {
    let failed = |message: String| InspectError {
        kind: FailureKind::Other,
        message,
        anonymous: false,
    };
    let api = api.map_err(|e| failed(e.to_string()))?;
    OwnRegistry::connect(&api, registry_id, registry_url)
        .await
        .map(Shared::new)
        .map_err(|e| failed(format!("{e:#}")))
}

async fn read(
    client: &RegistryClient,
    name: &str,
    part: &Part,
    anonymous: bool,
) -> Result<Answer, InspectError> {
    let err = |e: crate::registry::RegistryError| InspectError::from_registry(&e, anonymous);
    match part {
        Part::Manifest(target) => {
            let target = match Digest::parse(target) {
                Ok(d) => Target::Digest(d),
                Err(_) => Target::Tag(target.clone()),
            };
            let m = client.get_manifest(name, &target).await.map_err(err)?;
            Ok(Answer::Manifest(Shared::new(m)))
        }
        Part::Config(desc) => {
            let (bytes, config) = client.get_config(name, desc).await.map_err(err)?;
            Ok(Answer::Config(Shared::new(ConfigBlob { bytes, config })))
        }
    }
}
