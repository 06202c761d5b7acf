#!/usr/bin/env bash
# The storage benchmark: the emulator's --data-dir beside --state FILE and no persistence, and the
# registry plane beside skopeo, in one run. Prints the table and writes bench/STORAGE.md.
# Options: --runs N (default 5), --deletes N (BatchDeleteImage calls per mode, default 51),
#          --only datadir,registry (STORAGE.md is then not written), --no-results.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --offline --bench storage -- "$@"
