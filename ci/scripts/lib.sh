# Sourced by the CI job scripts (ci/scripts/*.sh): the repository, and the checks that a job which
# keeps state has a real backend and passphrase. A CI job's checkout is thrown away with the job, so
# golive's embedded default (a file backend in .golive/backend) would lose the stack's state, and
# the dev-only passphrase protects nothing: both must come from the CI system's variables.
golive_ci_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Stops with exit 2 unless PULUMI_BACKEND_URL names the backend the stacks live in.
golive_ci_need_backend() {
  if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
    echo "golive ci: PULUMI_BACKEND_URL is not set: set it as a CI variable (the backend the stacks live in)" >&2
    exit 2
  fi
}

# Stops with exit 2 unless the secrets passphrase is set and is not golive's dev-only default.
golive_ci_need_passphrase() {
  if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    echo "golive ci: PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) is not set: set it as a masked CI variable" >&2
    exit 2
  fi
  if [ "${PULUMI_CONFIG_PASSPHRASE:-}" = "golive-dev-only-not-a-secret" ]; then
    echo "golive ci: PULUMI_CONFIG_PASSPHRASE is golive's dev-only passphrase, which protects nothing: a release needs the stack's own" >&2
    exit 2
  fi
}
