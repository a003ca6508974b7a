#!/bin/sh
# The official Redis image's entrypoint conventions, with Debian's redis-server:
# bare options (`--appendonly yes`) or a config file (`x.conf`) run redis-server; started as
# root, redis-server gets /data (the working directory) handed to redis and runs as redis.
set -e
case "$1" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
# A umask that keeps dumps and AOF files private, unless the caller set one.
if [ "$(umask)" = 0022 ]; then
  umask 0077
fi
exec "$@"
