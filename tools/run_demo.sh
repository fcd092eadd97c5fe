#!/usr/bin/env bash
# The main-job command of the README: installs what is missing, builds the Release configuration, runs `htp demo`.
# Extra arguments go to `htp demo` (see `build/cpu/apps/htp demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh --with-data
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset cpu "${launcher[@]}" >/dev/null
cmake --build --preset cpu -j "$(nproc)" --target htp
exec build/cpu/apps/htp demo "$@"
