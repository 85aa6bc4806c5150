#!/usr/bin/env bash
# Run the bus with the route catalogue in routes/ (installs what is missing first).
#   ESB_ROUTES_DIR, ESB_AMQP_URL, ESB_DATABASE_URL, ESB_HTTP_PORT ... override the defaults (see README).
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
ensure_rabbitmq
ensure_python_env postgres
cd "$ESB_ROOT"
"$ESB_VENV/bin/esb" routes validate
exec "$ESB_VENV/bin/esb" run "$@"
