#!/usr/bin/env bash
# CI's preview job (merge requests, pull requests): the stack previewed through the policy pack
# with the change's code, then its go-live report, whose files the job uploads from
# .golive/report/<stack>/ (report.md, report.html, junit.xml, report.sarif, codequality.json).
#   ci/scripts/preview.sh <stack>
# Exit: 0 the pack passed the preview and the report says the stack may go live; 3 the pack passed
# it but the report says the stack may not go live yet (the pipeline shows a warning); 1 the pack
# refused the preview, or the report could not be made; 2 a usage or setup error.
set -euo pipefail
# shellcheck source=ci/scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: ci/scripts/preview.sh <stack>" >&2
  exit 2
fi
stack=$1
golive_ci_need_backend
cd "$golive_ci_repo"
out=".golive/report/$stack"
# A report left from an earlier run must not be uploaded as this one's.
rm -rf "$out"

preview=0
./scripts/preview.sh "$stack" || preview=$?
# The report runs after a refused preview too: it lists the violations that refused it.
report=0
GOLIVE_PROGRESS=1 ./scripts/golive.sh report "$stack" || report=$?

if [ ! -f "$out/junit.xml" ]; then
  echo "golive ci: the go-live report of $stack was not written (golive report exited $report)" >&2
  exit 1
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$out/report.md" >>"$GITHUB_STEP_SUMMARY"; fi
if [ "$preview" -ne 0 ]; then
  echo "golive ci: the policy pack refused the preview of $stack (exit $preview); the report in $out lists why" >&2
  exit 1
fi
if [ "$report" -ne 0 ]; then
  message="the go-live report says $stack may not go live yet: see $out/report.md"
  echo "golive ci: $message" >&2
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::warning title=go-live report::$message"; fi
  exit 3
fi
echo "golive ci: the preview of $stack passed the policy pack and its go-live report passes"
