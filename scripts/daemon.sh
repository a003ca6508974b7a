# shellcheck shell=bash
# detached LOG COMMAND...: runs COMMAND in the background as a daemon of its own session (setsid:
# it outlives the shell that started it and does not receive its signals), output to LOG, input
# from /dev/null, and without the caller's other open files: a lock taken around the caller
# (flock(1) passes its descriptor on) would otherwise be held for as long as the daemon runs.
# The daemon's PID is in $! afterwards, as for any background job.
detached() {
  local log=$1
  shift
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec setsid "$@" >"$log" 2>&1 </dev/null
  ) &
}
