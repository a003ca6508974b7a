import { hostsBegin, hostsEnd } from "./network";

/**
 * Pure builders for the Proxmox `pct` command lines golive runs over SSH. Kept free of Pulumi so
 * they can be tested (and snapshotted) directly. Every command reads the container's facts from
 * environment variables (GOLIVE_CT_*), which the command resources carry as structured inputs so
 * that policies read them without parsing shell.
 */

/**
 * Creates and starts the container; idempotent, so a create interrupted midway converges when run
 * again (an existing CT of that ID is kept and reconfigured). Unprivileged unless `privileged`
 * (`pct set` cannot change that: the container is replaced when it changes).
 */
export function pctCreate(privileged = false): string {
  return [
    "set -eu",
    'if ! pct status "$GOLIVE_CT_ID" >/dev/null 2>&1; then',
    '  pct create "$GOLIVE_CT_ID" "$GOLIVE_CT_TEMPLATE" \\',
    '    --hostname "$GOLIVE_CT_HOSTNAME" \\',
    '    --cores "$GOLIVE_CT_CORES" --memory "$GOLIVE_CT_MEMORY_MB" --swap 0 \\',
    '    --rootfs "$GOLIVE_CT_STORAGE:$GOLIVE_CT_DISK_GB" \\',
    '    --net0 "name=eth0,bridge=$GOLIVE_CT_BRIDGE,ip=$GOLIVE_CT_IP" \\',
    '    --onboot 1 --startup "order=$GOLIVE_CT_START_ORDER" \\',
    `    --unprivileged ${privileged ? 0 : 1} --features nesting=1 \\`,
    '    --tags "$GOLIVE_CT_TAGS"',
    "fi",
    pctSetLine(),
    'if [ "$(pct status "$GOLIVE_CT_ID" | awk \'{print $2}\')" != running ]; then pct start "$GOLIVE_CT_ID"; fi',
    haLine(),
  ].join("\n");
}

function pctSetLine(): string {
  return [
    'pct set "$GOLIVE_CT_ID" --hostname "$GOLIVE_CT_HOSTNAME" --cores "$GOLIVE_CT_CORES"',
    '--memory "$GOLIVE_CT_MEMORY_MB" --onboot 1 --startup "order=$GOLIVE_CT_START_ORDER"',
    '--tags "$GOLIVE_CT_TAGS"',
  ].join(" ");
}

function haLine(): string {
  return [
    'if [ "$GOLIVE_CT_HA" = 1 ]; then',
    '  ha-manager status | grep -q "ct:$GOLIVE_CT_ID" || ha-manager add "ct:$GOLIVE_CT_ID" --state started',
    "else",
    '  ha-manager status 2>/dev/null | grep -q "ct:$GOLIVE_CT_ID" && ha-manager remove "ct:$GOLIVE_CT_ID" || true',
    "fi",
  ].join("\n");
}

/** Changes a running container in place: cores, memory, start order, tags, HA; grows the disk. */
export function pctUpdate(): string {
  return [
    "set -eu",
    pctSetLine(),
    // Growing is the only direction pct allows; a smaller size is left for a human to judge.
    'current=$(pct config "$GOLIVE_CT_ID" | sed -n "s/^rootfs:.*size=\\([0-9]*\\)G.*/\\1/p")',
    'if [ -n "$current" ] && [ "$GOLIVE_CT_DISK_GB" -gt "$current" ]; then pct resize "$GOLIVE_CT_ID" rootfs "${GOLIVE_CT_DISK_GB}G"; fi',
    net0Line(),
    haLine(),
  ].join("\n");
}

/**
 * Sets eth0's address when the spec's differs from the container's, keeping its MAC address
 * (pct gives a net0 without `hwaddr` a new one, which a DHCP server would see as a new host).
 */
function net0Line(): string {
  return [
    'net0=$(pct config "$GOLIVE_CT_ID" | sed -n "s/^net0: //p")',
    'case ",$net0," in',
    '  *",ip=${GOLIVE_CT_IP%%,*},"*) ;;',
    "  *)",
    '    hwaddr=$(printf %s "$net0" | sed -n "s/.*hwaddr=\\([^,]*\\).*/\\1/p")',
    '    pct set "$GOLIVE_CT_ID" --net0 "name=eth0,bridge=$GOLIVE_CT_BRIDGE,${hwaddr:+hwaddr=$hwaddr,}ip=$GOLIVE_CT_IP"',
    "    ;;",
    "esac",
  ].join("\n");
}

/** Stops and destroys the container (and its HA registration), purging it from backup jobs. */
export function pctDestroy(): string {
  return [
    "set -eu",
    'if pct status "$GOLIVE_CT_ID" >/dev/null 2>&1; then',
    '  ha-manager status 2>/dev/null | grep -q "ct:$GOLIVE_CT_ID" && ha-manager remove "ct:$GOLIVE_CT_ID" || true',
    '  pct stop "$GOLIVE_CT_ID" || true',
    '  pct destroy "$GOLIVE_CT_ID" --purge 1',
    "fi",
  ].join("\n");
}

/**
 * The systemd unit that runs a service inside the container: as a DynamicUser, or as the user the
 * spec names (a UID from its securityContext, or a package's user such as `postgres`), stopped
 * with `stopSignal` where the service's clean stop needs another than SIGTERM.
 */
export function systemdUnit(
  service: string,
  command: readonly string[],
  user?: number | string,
  stopSignal?: string,
  workingDirectory?: string,
): string {
  return [
    "[Unit]",
    `Description=${service} (golive)`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    `EnvironmentFile=/etc/golive/${service}.env`,
    ...(workingDirectory ? [`WorkingDirectory=${workingDirectory}`] : []),
    `ExecStart=${command.map(systemdQuote).join(" ")}`,
    "Restart=on-failure",
    "RestartSec=5",
    user === undefined ? "DynamicUser=yes" : `User=${user}`,
    ...(stopSignal ? ["KillMode=mixed", `KillSignal=${stopSignal}`] : []),
    "NoNewPrivileges=yes",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

export function systemdQuote(arg: string): string {
  // "%" starts a unit specifier and "$" a variable systemd substitutes from the environment (a
  // secret's value would then be on the command line): literal ones are "%%" and "$$". A unit's
  // line holds no newline: C escapes, which systemd resolves in a quoted word.
  const escaped = arg.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(escaped)
    ? escaped
    : `"${escaped
        .replace(/(["\\])/g, "\\$1")
        .replace(/\n/g, "\\n")
        .replace(/\t/g, "\\t")}"`;
}

/** A single-quoted sh word. */
function q(word: string): string {
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The node-side sh function every provisioning uses to put a file into the container: its standard
 * input goes to a host file only root can read (mktemp under umask 077), which `pct push` copies
 * to the container's path with the mode given, then is removed. A value travels on standard input
 * and through that file only, never on any process's command line (`ps` on the node shows every
 * container's processes too).
 */
const pushFunction = [
  "golive_push() {",
  "  tmp=$(umask 077 && mktemp)",
  '  if cat > "$tmp" && pct push "$GOLIVE_CT_ID" "$tmp" "$1" --perms "$2" ${3:+--user "$3" --group "$3"}; then rm -f "$tmp"; else rm -f "$tmp"; return 1; fi',
  "}",
].join("\n");

/** How provisioning waits for the service to be healthy, and what it names when it is not. */
export interface HealthWait {
  /** The systemd unit whose journal a failure prints. */
  readonly unit: string;
  /** The check: an HTTP path on a port of the container's loopback, or a command run inside. */
  readonly check:
    { readonly path: string; readonly port: number } | { readonly command: readonly string[] };
  /** Seconds one try may take. */
  readonly timeoutSeconds: number;
  /** Seconds between tries. */
  readonly intervalSeconds: number;
  /** Seconds from the (re)start until the service must have passed. */
  readonly deadlineSeconds: number;
}

/**
 * The check's command line inside the container. An HTTP check is a GET over bash's /dev/tcp
 * (bash is essential in Debian; curl and python are not in every template), passing on a 2xx or
 * 3xx status as Kubernetes' httpGet probe does.
 */
export function healthCommand(h: HealthWait): string[] {
  if ("command" in h.check) {
    return ["timeout", String(h.timeoutSeconds), ...h.check.command];
  }
  const request = `GET ${h.check.path} HTTP/1.0\\r\\nHost: localhost\\r\\nUser-Agent: golive-health\\r\\n\\r\\n`;
  return [
    "timeout",
    String(h.timeoutSeconds),
    "bash",
    "-c",
    `exec 3<>/dev/tcp/127.0.0.1/${h.check.port} && printf '${request}' >&3 && read -r _ code _ <&3 && [ "$code" -ge 200 ] && [ "$code" -lt 400 ]`,
  ];
}

function healthLines(service: string, h: HealthWait): string[] {
  const check = healthCommand(h).map(q).join(" ");
  const what =
    "command" in h.check
      ? `its health command (${h.check.command.join(" ")})`
      : `GET ${h.check.path} on port ${h.check.port}`;
  return [
    `# Bounded: ${service} must pass ${what} within ${h.deadlineSeconds} s of its start.`,
    `deadline=$(( $(date +%s) + ${h.deadlineSeconds} ))`,
    `until pct exec "$GOLIVE_CT_ID" -- ${check} >/dev/null 2>&1; do`,
    '  if [ "$(date +%s)" -ge "$deadline" ]; then',
    `    echo ${q(`golive: ${service} did not become healthy within ${h.deadlineSeconds} s (${what} failed); the end of ${h.unit}'s journal:`)} >&2`,
    `    pct exec "$GOLIVE_CT_ID" -- journalctl -u ${h.unit} -n 40 --no-pager -o short-precise >&2 || true`,
    "    exit 1",
    "  fi",
    `  sleep ${h.intervalSeconds}`,
    "done",
    `echo ${q(`golive: ${service} is healthy`)}`,
  ];
}

/** Without a health check: the unit must be active, and not have restarted, 5 s after its start. */
function activeLines(service: string, unit: string): string[] {
  const active = `pct exec "$GOLIVE_CT_ID" -- systemctl is-active ${unit} || true`;
  const restarts = `pct exec "$GOLIVE_CT_ID" -- systemctl show -p NRestarts --value ${unit}`;
  return [
    `# ${service} has no health check: its unit must run, and not restart, for 5 s after its start.`,
    `a1=$(${active}); n1=$(${restarts})`,
    "sleep 5",
    `a2=$(${active}); n2=$(${restarts})`,
    'if [ "$a1" != active ] || [ "$a2" != active ] || [ "$n1" != "$n2" ]; then',
    `  echo ${q(`golive: ${unit} of ${service} is not running steadily`)}" ($a1, then $a2; restarts $n1, then $n2); the end of its journal:" >&2`,
    `  pct exec "$GOLIVE_CT_ID" -- journalctl -u ${unit} -n 40 --no-pager -o short-precise >&2 || true`,
    "  exit 1",
    "fi",
  ];
}

/** What provisioning a service needs (see {@link provisionScript}). */
export interface ProvisionArgs {
  readonly service: string;
  readonly packages: readonly string[];
  /** The names of the service's variables, each in `GOLIVE_ENV_<name>` of the command's environment. */
  readonly envKeys: readonly string[];
  /**
   * Its files, each content in the named variable of the command's environment, owned by root
   * unless `owner` names the user (and its group) the service reads them as.
   */
  readonly files: readonly { path: string; envKey: string; mode: string; owner?: string }[];
  /** golive's unit text, in GOLIVE_UNIT; absent for a package's unit. */
  readonly unit?: string;
  /**
   * The package's unit: the one golive runs when it writes no unit of its own, else the one its
   * unit replaces (disabled and stopped, so the two never run side by side).
   */
  readonly packagedService?: string;
  readonly volumes?: readonly { path: string; owner?: string }[];
  /** A setup script (in GOLIVE_SETUP) run inside before the service starts. */
  readonly setup?: boolean;
  /** The wait for health after the (re)start; absent: the unit must run steadily. */
  readonly health?: HealthWait;
  /** A release artefact to put in place (its facts in the GOLIVE_ARTIFACT_* variables). */
  readonly artifact?: boolean;
  /**
   * Whether provisioning (re)starts the service and waits for it. False when jobs must run in the
   * container between provisioning and the start (a migration): {@link startScript} then starts
   * it. Defaults to true.
   */
  readonly start?: boolean;
}

/** Where a workload's release artefacts are unpacked inside its container. */
export function artifactHome(service: string): string {
  return `/opt/golive/${service}`;
}

/** The folder of the running release: golive's unit and the workload's jobs start there. */
export function artifactCurrent(service: string): string {
  return `${artifactHome(service)}/current`;
}

/**
 * Fetches the release artefact inside the container (URL, SHA-256 and version in the command's
 * GOLIVE_ARTIFACT_* variables), refuses it unless its SHA-256 is the spec's, unpacks it to its
 * version's folder owned by root (the service reads its code, never writes it), and links it as
 * `current`; a version already unpacked with that digest is not fetched again. The release before
 * stays, for a rollback without a download; older ones go.
 */
function artifactLines(exec: string, service: string): string[] {
  const script = [
    "set -eu",
    'url=$1; sha=$2; version=$3; home=$4; dir="$home/releases/$version"',
    'if [ "$(cat "$dir/.golive-sha256" 2>/dev/null)" != "$sha" ]; then',
    "  tmp=$(mktemp)",
    '  curl -fsS --retry 3 --connect-timeout 10 --max-time 600 -o "$tmp" "$url" || { rm -f "$tmp"; echo "golive: could not fetch the release artefact $url" >&2; exit 1; }',
    '  got=$(sha256sum "$tmp" | cut -d" " -f1)',
    '  if [ "$got" != "$sha" ]; then rm -f "$tmp"; echo "golive: the release artefact $url has SHA-256 $got, not $sha: refused" >&2; exit 1; fi',
    '  rm -rf "$dir.new" && mkdir -p "$dir.new" && tar -xzf "$tmp" -C "$dir.new" --no-same-owner --no-same-permissions && rm -f "$tmp"',
    '  printf "%s\\n" "$sha" > "$dir.new/.golive-sha256" && rm -rf "$dir" && mv "$dir.new" "$dir"',
    "fi",
    'previous=$(readlink "$home/current" 2>/dev/null || true)',
    'ln -sfn "releases/$version" "$home/current.new" && mv -T "$home/current.new" "$home/current"',
    'for old in "$home"/releases/*; do',
    '  case "$old" in "$dir"|"$home/$previous") ;; *) rm -rf "$old" ;; esac',
    "done",
    'echo "golive: release $version of $(basename "$home") in place"',
  ].join("\n");
  return [
    `${exec} sh -c ${q(script)} sh "$GOLIVE_ARTIFACT_URL" "$GOLIVE_ARTIFACT_SHA256" "$GOLIVE_ARTIFACT_VERSION" ${artifactHome(service)}`,
  ];
}

/**
 * Installs Debian packages inside the container without their recommendations and without
 * starting their services (a `policy-rc.d` that refuses, as Debian's container images do): a
 * package's service would otherwise start on its defaults before golive's configuration is in,
 * and hold the port of the unit that replaces it.
 */
function installLine(exec: string, packages: readonly string[]): string {
  const script = [
    "export DEBIAN_FRONTEND=noninteractive",
    'printf "#!/bin/sh\\nexit 101\\n" > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d',
    `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${packages.join(" ")}; rc=$?`,
    "rm -f /usr/sbin/policy-rc.d",
    "exit $rc",
  ].join("; ");
  return `${exec} sh -c ${q(script)}`;
}

/**
 * Provisions the service inside the container: installs its Debian packages; puts its env file
 * (mode 0600, from variables GOLIVE_ENV_* of the command's own secret environment), its files and
 * its systemd unit in with `pct push`; makes the folders of its volumes (owned as the spec says:
 * the packages' users exist by then); runs its setup script; (re)starts the service and waits,
 * bounded, until its health check passes inside the container, failing with the end of the
 * unit's journal otherwise. A package's unit reads golive's env file through a drop-in. Re-running
 * it applies changes. No variable's value is on any command line: the values travel on standard
 * input into `golive_push` only.
 */
export function provisionScript(a: ProvisionArgs): string {
  const exec = 'pct exec "$GOLIVE_CT_ID" --';
  const lines = ["set -eu", pushFunction];
  const packages = a.artifact ? [...a.packages, "curl", "ca-certificates"] : a.packages;
  if (packages.length > 0) lines.push(installLine(exec, packages));
  if (a.artifact) lines.push(...artifactLines(exec, a.service));
  lines.push(`${exec} install -d -m 0755 /etc/golive`);
  for (const v of a.volumes ?? []) {
    lines.push(
      v.owner === undefined
        ? `${exec} install -d ${v.path}`
        : `${exec} sh -c 'install -d ${v.path} && chown ${v.owner}: ${v.path}'`,
    );
  }
  // printf is the shell's builtin: the values are in no process's arguments.
  lines.push(
    a.envKeys.length > 0
      ? `{ ${a.envKeys.map((k) => `printf '${k}=%s\\n' "$GOLIVE_ENV_${k}"`).join("; ")}; } | golive_push /etc/golive/${a.service}.env 0600`
      : `: | golive_push /etc/golive/${a.service}.env 0600`,
  );
  for (const f of a.files) {
    lines.push(
      `${exec} install -d "$(dirname ${f.path})"`,
      `printf '%s' "$${f.envKey}" | golive_push ${f.path} ${f.mode}${f.owner ? ` ${f.owner}` : ""}`,
    );
  }
  let unitName: string | undefined;
  if (a.unit !== undefined) {
    unitName = `golive-${a.service}.service`;
    lines.push(`printf '%s' "$GOLIVE_UNIT" | golive_push /etc/systemd/system/${unitName} 0644`);
    if (a.packagedService !== undefined) {
      lines.push(
        `${exec} sh -c ${q(`systemctl disable --now ${a.packagedService}.service 2>/dev/null || true`)}`,
      );
    }
  } else if (a.packagedService !== undefined) {
    unitName = `${a.packagedService}.service`;
    // systemd reads drop-ins after the unit: golive's variables override the package's defaults.
    lines.push(
      `${exec} install -d /etc/systemd/system/${unitName}.d`,
      `printf '[Service]\\nEnvironmentFile=/etc/golive/${a.service}.env\\n' | golive_push /etc/systemd/system/${unitName}.d/golive.conf 0644`,
    );
  }
  if (a.setup) {
    lines.push(
      `printf '%s' "$GOLIVE_SETUP" | golive_push /etc/golive/${a.service}.setup.sh 0700`,
      `${exec} sh /etc/golive/${a.service}.setup.sh`,
    );
  }
  if (unitName !== undefined) {
    lines.push(`${exec} systemctl daemon-reload`, `${exec} systemctl enable ${unitName}`);
    if (a.start === false) {
      // What the start command's trigger reads: a new value at every provisioning.
      lines.push(`echo "golive: ${a.service} provisioned at $(date +%s%N)"`);
    } else {
      lines.push(...startLines(a.service, unitName, a.health));
    }
  }
  return lines.join("\n");
}

/** (Re)starts the unit, then waits for its health (or its steady run). */
function startLines(service: string, unitName: string, health?: HealthWait): string[] {
  const exec = 'pct exec "$GOLIVE_CT_ID" --';
  return [
    // A unit that fails to start shows why: the end of its journal, then the provisioning fails.
    `${exec} systemctl restart ${unitName} || { ${exec} journalctl -u ${unitName} -n 40 --no-pager -o short-precise >&2 || true; exit 1; }`,
    ...(health ? healthLines(service, health) : activeLines(service, unitName)),
  ];
}

/**
 * Starts a service provisioned with `start: false`, once the jobs that run before it (its
 * migration) have: the same (re)start and bounded wait for health as provisioning's own.
 */
export function startScript(service: string, unitName: string, health?: HealthWait): string {
  return ["set -eu", ...startLines(service, unitName, health)].join("\n");
}

/**
 * Writes golive's block of every workload's address and name into the container's /etc/hosts
 * (from GOLIVE_HOSTS), keeping every other line: Proxmox manages its own lines of that file at
 * each start and leaves the rest.
 */
export function hostsScript(): string {
  return [
    "set -eu",
    `printf '%s' "$GOLIVE_HOSTS" | pct exec "$GOLIVE_CT_ID" -- sh -c ${q(
      `{ sed '/^${hostsBegin}$/,/^${hostsEnd}$/d' /etc/hosts; cat; } > /etc/hosts.golive && cat /etc/hosts.golive > /etc/hosts && rm /etc/hosts.golive`,
    )}`,
  ].join("\n");
}

/**
 * Runs a job's command once inside the container. Its variables go into a 0600 env file pushed
 * into the container (values on standard input only), which systemd reads for a transient unit
 * (`systemd-run --wait --pipe`): the same parser as the services' EnvironmentFile, its output and
 * exit code returned, no value on a command line.
 */
export function jobScript(
  job: string,
  command: readonly string[],
  envKeys: readonly string[],
  options: { readonly user?: string; readonly workingDirectory?: string } = {},
): string {
  const env = `/etc/golive/jobs/${job}.env`;
  // systemd reads the env file as root before it drops to the job's user.
  const props = [
    `-p EnvironmentFile=${env}`,
    options.user === undefined || options.user === "dynamic"
      ? "-p DynamicUser=yes"
      : `-p User=${options.user}`,
    ...(options.workingDirectory ? [`-p WorkingDirectory=${options.workingDirectory}`] : []),
  ];
  return [
    "set -eu",
    pushFunction,
    'pct exec "$GOLIVE_CT_ID" -- install -d -m 0700 /etc/golive/jobs',
    envKeys.length > 0
      ? `{ ${envKeys.map((k) => `printf '${k}=%s\\n' "$${k}"`).join("; ")}; } | golive_push ${env} 0600`
      : `: | golive_push ${env} 0600`,
    `pct exec "$GOLIVE_CT_ID" -- systemd-run --quiet --wait --pipe --collect --service-type=exec ${props.join(" ")} -- ${command.map(q).join(" ")}`,
  ].join("\n");
}

/** Runs a script (the command's standard input) inside the container, as `sh -s`. */
export function pctExecScript(id: number): string {
  return `pct exec ${id} -- sh -s`;
}
