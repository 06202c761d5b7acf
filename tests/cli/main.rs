//! The command line: the subcommands run as the real binary (ls, push, login, prune and the rest),
//! the config file and AWS profiles parsed from fixtures (tests/fixtures/aws), and the client
//! honouring the AWS environment.

#[path = "../support/mod.rs"]
mod support;

mod cache_processes;
mod cli_subcommands;
mod client_env;
mod config_parse;
mod lifecycle;
mod login_docker;
mod ls_cli;
mod profiles_list;
mod push_cli;
