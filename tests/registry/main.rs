//! The registry data plane: the emulator's OCI distribution API and ecrp's registry client, against
//! the emulator and independent servers and clients (the CNCF distribution registry, skopeo).

#[path = "../support/mod.rs"]
mod support;

mod emulator_range_scopes;
mod emulator_registry;
mod emulator_storage;
mod registry_client;
mod registry_upload;
