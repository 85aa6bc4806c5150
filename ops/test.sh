#!/usr/bin/env bash
# Run the whole test suite against the local RabbitMQ, sshd, headless Chromium, SQLite and (when reachable) PostgreSQL.
# Arguments are passed to pytest, e.g. ops/test.sh -k retry
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
ensure_rabbitmq
ensure_sshd_binary
ensure_chromium
ensure_python_env test
cd "$ESB_ROOT"
exec "$ESB_VENV/bin/python" -m pytest -q "$@"
