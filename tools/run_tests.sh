#!/usr/bin/env bash
# The test command of the README (and of .ci/run): installs what is missing, then
#   1. builds the CPU configuration and runs the whole doctest suite through CTest,
#   2. when nvcc is present, compiles the tests, the tool and the GPU benchmarks with the CUDA backend for sm_80 and
#      sm_90 and runs the `cuda` suite (its cases skip, with one visible line saying so, on a machine without a GPU),
#   3. builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the whole suite again.
# Set HTP_SKIP_ASAN=1 to skip step 3 while iterating locally.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh

jobs=$(nproc)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)

step() { echo; echo "==== $* ===="; }

step "CPU build (Release)"
cmake --preset cpu "${launcher[@]}" >/dev/null
cmake --build --preset cpu -j "$jobs"
step "CPU tests"
ctest --preset cpu -j "$jobs"

if command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]]; then
  export PATH="$PATH:/usr/local/cuda/bin"
  step "CUDA build (sm_80, sm_90)"
  cmake --preset cuda "${launcher[@]}" >/dev/null
  cmake --build --preset cuda -j "$jobs" --target htp_tests htp bench_cuda_gemm bench_cuda_conv bench_cuda_bandwidth
  step "CUDA tests (skipped, visibly, without a GPU)"
  ctest --preset cuda -R '^cuda$' --verbose
else
  step "nvcc not found: CUDA build skipped"
fi

if [[ "${HTP_SKIP_ASAN:-0}" != 1 ]]; then
  step "AddressSanitizer + UBSan build"
  cmake --preset asan "${launcher[@]}" >/dev/null
  cmake --build --preset asan -j "$jobs" --target htp_tests
  step "AddressSanitizer + UBSan tests"
  ctest --preset asan -j "$jobs"
fi
