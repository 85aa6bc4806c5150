# Shared set-up steps for ops/run.sh and ops/test.sh (sourced, not run).
# Installs only what is missing; uses a broker that already answers.

ESB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ESB_VENV="${ESB_VENV:-$ESB_ROOT/.venv}"
AMQP_HOST="${ESB_SETUP_AMQP_HOST:-127.0.0.1}"
AMQP_PORT="${ESB_SETUP_AMQP_PORT:-5672}"

say() { printf '[esb setup] %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "needs root for: $*"; return 1; fi
}

apt_install() {
    say "installing Debian packages: $*"
    if [ -z "${ESB_APT_UPDATED:-}" ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        ESB_APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

port_answers() {  # host port
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

ensure_python_env() {  # extras, e.g. "test" or "postgres"
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
        apt_install python3 python3-venv python3-pip
    fi
    if [ ! -x "$ESB_VENV/bin/python" ]; then
        say "creating $ESB_VENV"
        python3 -m venv "$ESB_VENV"
    fi
    say "installing the bus into $ESB_VENV (extras: $1)"
    local log="$ESB_VENV/pip-install.log"
    if ! { "$ESB_VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip &&
           "$ESB_VENV/bin/python" -m pip install --disable-pip-version-check -e "$ESB_ROOT[$1]"; } >"$log" 2>&1; then
        cat "$log" >&2
        say "pip install failed (log above, also in $log)"
        return 1
    fi
}

ensure_rabbitmq() {
    if port_answers "$AMQP_HOST" "$AMQP_PORT"; then
        say "RabbitMQ answers on $AMQP_HOST:$AMQP_PORT"
        return 0
    fi
    command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
    say "starting RabbitMQ"
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
        as_root systemctl start rabbitmq-server
    else
        # every queue and connection holds file descriptors: the shell's default of 1024 is too few
        as_root sh -c 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec rabbitmq-server -detached'
    fi
    for _ in $(seq 1 120); do
        port_answers "$AMQP_HOST" "$AMQP_PORT" && { as_root rabbitmqctl -q await_startup; say "RabbitMQ is up"; return 0; }
        sleep 1
    done
    say "RabbitMQ did not start within 120 s; see /var/log/rabbitmq/"
    return 1
}

ensure_sshd_binary() {
    # the SFTP tests start their own sshd on a loopback port; they only need the program
    [ -x /usr/sbin/sshd ] || apt_install openssh-server
}

ensure_chromium() {
    # the console tests drive the web console in headless Chromium through its driver
    { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || apt_install chromium chromium-driver
}
