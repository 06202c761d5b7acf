#!/usr/bin/env bash
# The scale benchmark (issue 5): ecrp beside the AWS CLI and the SDK floor, in one run.
# Prints the table and writes bench/RESULTS.md. Options (after the script name):
#   --runs N             runs per ecrp/SDK figure, median reported (default 3)
#   --list-runs N        runs per listing figure (default 7)
#   --cli-runs N         runs per AWS CLI figure (default 1; each takes a minute or more)
#   --no-cli             skip the AWS CLI comparisons
#   --cli-delete-calls N time N of the CLI's 100 delete calls and extrapolate (labelled)
#   --only LIST          some of: emulator,list,tui,delete,inspector,open,lifecycle,cache (RESULTS.md is then not written)
#   --no-results         do not write bench/RESULTS.md
# The AWS CLI is $ECRP_AWS_CLI (the executable or a venv holding bin/aws), else `aws` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench scale -- "$@"
