#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine.
#   scripts/docker-engine.sh start   start dockerd if no daemon answers (installs Debian's docker.io
#                                    when dockerd is missing); records that golive started it
#   scripts/docker-engine.sh stop    stop dockerd only if this script started it
#   scripts/docker-engine.sh status  exit 0 when a daemon answers
# The docker provider pings the daemon even at preview, so every stack on the docker runtime needs it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/daemon.sh
source "$here/scripts/daemon.sh"
state="${GOLIVE_STATE_DIR:-$here/.golive}"
pidfile="$state/dockerd.pid"
logfile="$state/dockerd.log"
mkdir -p "$state"

answers() { docker info >/dev/null 2>&1; }

start() {
  if answers; then
    echo "docker-engine: a Docker daemon already answers; using it"
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      echo "docker-engine: dockerd is not installed and installing Debian's docker.io needs root" >&2
      exit 1
    fi
    echo "docker-engine: installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >"$state/apt.log" 2>&1 || { echo "docker-engine: apt-get update failed, see $state/apt.log" >&2; exit 1; }
    apt-get install -y -qq docker.io >>"$state/apt.log" 2>&1 || { echo "docker-engine: apt-get install docker.io failed, see $state/apt.log" >&2; exit 1; }
  fi
  echo "docker-engine: starting dockerd (log: $logfile)"
  detached "$logfile" dockerd
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if answers; then
      echo "docker-engine: dockerd answers (pid $(cat "$pidfile"))"
      return 0
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "docker-engine: dockerd exited at start; last lines of $logfile:" >&2
      tail -n 20 "$logfile" >&2
      rm -f "$pidfile"
      exit 1
    fi
    sleep 0.5
  done
  echo "docker-engine: dockerd did not answer within 60 s; see $logfile" >&2
  exit 1
}

stop() {
  if [ ! -f "$pidfile" ]; then
    echo "docker-engine: golive did not start a daemon; leaving Docker as it is"
    return 0
  fi
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    echo "docker-engine: stopped dockerd (pid $pid)"
  fi
  rm -f "$pidfile"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
