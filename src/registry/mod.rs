//! A client for the registry API (the OCI Distribution Specification) of any registry that follows
//! it: public.ecr.aws, the CNCF distribution registry, the built-in emulator.
//!
//! Layers: `reference` (REF and digest grammar) → `transport` (HTTP, time and size bounds) →
//! `client` (auth, redirects, rate limits) → `manifest`, `blobs`, `tags` (the operations) and `upload`
//! (the push side: blob HEAD, blob uploads, manifest puts; writes refused read-only).
//! Nothing here prints: callers (`crate::inspect`) decide what reaches the terminal.

mod auth;
mod blobs;
mod challenge;
mod client;
mod error;
mod image_config;
mod manifest;
mod reference;
mod tags;
mod transport;
mod upload;

pub use auth::{Credentials, Secret};
pub use blobs::JSON_CAP;
pub use challenge::{Challenge, parse as parse_challenges};
pub use client::{
    ClientOptions, RegistryClient, parse_registry_url, registry_base, registry_url_for_endpoint,
};
pub use error::{RegistryError, ServiceError};
pub use image_config::{ContainerConfig, History, ImageConfig, RootFs};
pub use manifest::{
    DOCKER_LIST, DOCKER_MANIFEST, Descriptor, ImageIndex, ImageManifest, MANIFEST_CAP, Manifest,
    ManifestHead, ManifestKind, OCI_INDEX, OCI_MANIFEST, Platform, accept_header, is_index_type,
    parse_manifest,
};
pub use reference::{Algorithm, Digest, ECR_PUBLIC_HOST, Reference, Target, is_loopback_host};
pub use transport::Timeouts;
pub use upload::push_scope;
