#!/usr/bin/env bash
# Installs the Debian packages the build needs, when they are missing. As root it runs apt-get; otherwise it prints
# the exact command to run and fails. Usage: tools/install_deps.sh [--with-data]
set -euo pipefail

packages=(cmake ninja-build g++ libstb-dev doctest-dev libbenchmark-dev libopenblas-dev zlib1g-dev nlohmann-json3-dev)
[[ "${1:-}" == "--with-data" ]] && packages+=(dataset-fashion-mnist)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "howtoprobe needs these Debian packages: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
