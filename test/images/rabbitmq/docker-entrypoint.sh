#!/bin/bash
# The official RabbitMQ image's entrypoint conventions, with Debian's RabbitMQ.
set -euo pipefail

# Started as root, rabbitmq* commands run as rabbitmq; the server first gets its data back.
if [[ "${1:-}" == rabbitmq* ]] && [ "$(id -u)" = 0 ]; then
  if [ "$1" = rabbitmq-server ]; then
    find /var/lib/rabbitmq \! -user rabbitmq -exec chown rabbitmq '{}' +
  fi
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$BASH_SOURCE" "$@"
fi

# Settings the official image refuses (they belong in a config file).
deprecated=(RABBITMQ_DEFAULT_PASS_FILE RABBITMQ_DEFAULT_USER_FILE RABBITMQ_MANAGEMENT_SSL_CACERTFILE
  RABBITMQ_MANAGEMENT_SSL_CERTFILE RABBITMQ_MANAGEMENT_SSL_DEPTH RABBITMQ_MANAGEMENT_SSL_FAIL_IF_NO_PEER_CERT
  RABBITMQ_MANAGEMENT_SSL_KEYFILE RABBITMQ_MANAGEMENT_SSL_VERIFY RABBITMQ_SSL_CACERTFILE RABBITMQ_SSL_CERTFILE
  RABBITMQ_SSL_DEPTH RABBITMQ_SSL_FAIL_IF_NO_PEER_CERT RABBITMQ_SSL_KEYFILE RABBITMQ_SSL_VERIFY
  RABBITMQ_VM_MEMORY_HIGH_WATERMARK)
refused=
for v in "${deprecated[@]}"; do
  if [ -n "${!v:-}" ]; then
    echo "error: $v is set but deprecated; use a configuration file instead" >&2
    refused=1
  fi
done
[ -z "$refused" ] || exit 1

# Long node names when the host name is a fully qualified one. Unlike the official image, the
# choice is also written to rabbitmq-env.conf, so that the CLI run by `docker exec` (health
# checks included), which does not inherit this script's environment, finds the node too.
if [ -z "${RABBITMQ_USE_LONGNAME:-}" ] && [ "$(hostname)" != "$(hostname -s)" ]; then
  export RABBITMQ_USE_LONGNAME=true
  envconf=/etc/rabbitmq/rabbitmq-env.conf
  if [ -w "$envconf" ] && ! grep -q '^USE_LONGNAME=' "$envconf"; then
    echo 'USE_LONGNAME=true' >>"$envconf"
  fi
fi

exec "$@"
