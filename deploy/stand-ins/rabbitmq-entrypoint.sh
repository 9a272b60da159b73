#!/bin/sh
# The official image's RABBITMQ_DEFAULT_USER, _PASS and _VHOST as configuration (read on a node's
# first start only, as there), then the server itself as user rabbitmq, as PID 1: Debian's
# rabbitmq-server wrapper would not pass the stop signal on.
set -eu
{
    echo "loopback_users = none"
    [ -n "${RABBITMQ_DEFAULT_USER:-}" ] && echo "default_user = $RABBITMQ_DEFAULT_USER"
    [ -n "${RABBITMQ_DEFAULT_PASS:-}" ] && echo "default_pass = $RABBITMQ_DEFAULT_PASS"
    [ -n "${RABBITMQ_DEFAULT_VHOST:-}" ] && echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"
    true
} > /etc/rabbitmq/conf.d/10-stand-in.conf
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
if [ "$1" = "rabbitmq-server" ]; then
    shift
    export HOME=/var/lib/rabbitmq
    exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
fi
exec "$@"
