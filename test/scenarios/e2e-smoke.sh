#!/bin/sh
# The end-to-end stack's smoke suite, as an application ships one: run by `golive verify`
# (verify.smoke) with GOLIVE_URL set to the gateway; exit 0 when the app works end to end.
set -eu
curl() { command curl -ksS --max-time 10 --resolve "$GOLIVE_DOMAIN:$GOLIVE_PORT:127.0.0.1" "$@"; }
curl -f "$GOLIVE_URL/health" | grep -q '"status": "ok"'
before=$(curl -f "$GOLIVE_URL/rows" | sed 's/[^0-9]//g')
curl -f -X POST --data "smoke" "$GOLIVE_URL/rows" >/dev/null
after=$(curl -f "$GOLIVE_URL/rows" | sed 's/[^0-9]//g')
[ "$after" -gt "$before" ] || { echo "a row posted through the gateway was not kept ($before -> $after)" >&2; exit 1; }
echo "smoke: health ok, rows $before -> $after"
