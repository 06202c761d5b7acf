//! The emulator as a service: its protocol (JSON 1.1 over HTTP, SigV4), its operations against the
//! service model, hostile requests, concurrent clients, and the official AWS CLI and boto3 driving
//! it (interop; the scripts are in tests/interop/).

#[path = "../support/mod.rs"]
mod support;

mod emulator_fuzz_concurrency;
mod emulator_hostile_requests;
mod emulator_model;
mod emulator_protocol;
mod interop;
mod sigv4_verify;
