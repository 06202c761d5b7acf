//! The service API through the real aws-sdk-ecrpublic client against the in-process emulator:
//! every operation's behaviour, limits, validation, pagination and errors (sdk_*), and ecrp's own
//! client layer on top of it (client_layer, faults_client, forms_sdk).

#[path = "../support/mod.rs"]
mod support;

mod client_layer;
mod faults_client;
mod forms_sdk;
mod sdk_catalog;
mod sdk_delete_images;
mod sdk_images;
mod sdk_layers;
mod sdk_limits;
mod sdk_pagination;
mod sdk_policy_tags;
mod sdk_registry;
mod sdk_repository;
mod sdk_state;
mod sdk_validation;
