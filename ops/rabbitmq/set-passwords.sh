#!/bin/sh
# Set the passwords of the esb-bus users created by definitions.json (they have none until then and cannot
# log in). Each password comes from an environment variable; users whose variable is unset are left alone:
#   ESB_RUNTIME_PASSWORD, ESB_INBOUND_PASSWORD, ESB_OPS_PASSWORD, ESB_MONITORING_PASSWORD
# Run it where rabbitmqctl reaches the node (as root or the rabbitmq user); RABBITMQ_NODENAME picks the node.
set -eu
node=${RABBITMQ_NODENAME:+-n $RABBITMQ_NODENAME}
# shellcheck disable=SC2086
rabbitmqctl $node await_startup
set_password() {
    user=$1
    password=$2
    [ -n "$password" ] || return 0
    # shellcheck disable=SC2086
    rabbitmqctl $node change_password "$user" "$password" >/dev/null
    echo "password set for $user"
}
set_password esb-runtime "${ESB_RUNTIME_PASSWORD:-}"
set_password esb-inbound "${ESB_INBOUND_PASSWORD:-}"
set_password esb-ops "${ESB_OPS_PASSWORD:-}"
set_password esb-monitoring "${ESB_MONITORING_PASSWORD:-}"
