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
    '    --net0 "name=eth0,bridge=$GOLIVE_CT_BRIDGE,ip=dhcp" \\',
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
    haLine(),
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
 * The systemd unit that runs a service inside the container: as a DynamicUser, or as the UID the
 * spec names (`user`, from its securityContext).
 */
export function systemdUnit(service: string, command: readonly string[], user?: number): string {
  return [
    "[Unit]",
    `Description=${service} (golive)`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    `EnvironmentFile=/etc/golive/${service}.env`,
    `ExecStart=${command.map(systemdQuote).join(" ")}`,
    "Restart=on-failure",
    "RestartSec=5",
    user === undefined ? "DynamicUser=yes" : `User=${user}`,
    "NoNewPrivileges=yes",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

function systemdQuote(arg: string): string {
  // "%" starts a unit specifier in systemd: a literal one is written "%%".
  const escaped = arg.replace(/%/g, "%%");
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(escaped)
    ? escaped
    : `"${escaped.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * Provisions the service inside the container: installs its Debian packages, writes its env file
 * (mode 0600, from variables GOLIVE_ENV_* of the command's own secret environment), its files, the
 * folders of its volumes (owned as the spec says: the packages' users exist by then), its systemd
 * unit, and (re)starts it. Re-running it applies changes.
 */
export function provisionScript(
  service: string,
  packages: readonly string[],
  envKeys: readonly string[],
  files: readonly { path: string; envKey: string; mode: string }[],
  unit: string | undefined,
  packagedService?: string,
  volumes: readonly { path: string; owner?: string }[] = [],
): string {
  const exec = 'pct exec "$GOLIVE_CT_ID" --';
  const lines = ["set -eu"];
  if (packages.length > 0) {
    lines.push(
      `${exec} sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq ${packages.join(" ")}'`,
    );
  }
  lines.push(`${exec} install -d -m 0755 /etc/golive`);
  for (const v of volumes) {
    lines.push(
      v.owner === undefined
        ? `${exec} install -d ${v.path}`
        : `${exec} sh -c 'install -d ${v.path} && chown ${v.owner}: ${v.path}'`,
    );
  }
  const envLines = envKeys.map((k) => `'${k}=%s\\n' "$GOLIVE_ENV_${k}"`);
  lines.push(
    envKeys.length > 0
      ? `{ ${envKeys.map((k, i) => `printf ${envLines[i]}`).join("; ")}; } | ${exec} sh -c 'umask 077; cat > /etc/golive/${service}.env'`
      : `${exec} sh -c 'umask 077; : > /etc/golive/${service}.env'`,
  );
  for (const f of files) {
    lines.push(
      `printf '%s' "$${f.envKey}" | ${exec} sh -c 'install -d "$(dirname ${f.path})"; umask 077; cat > ${f.path}; chmod ${f.mode} ${f.path}'`,
    );
  }
  if (unit !== undefined) {
    lines.push(
      `printf '%s' "$GOLIVE_UNIT" | ${exec} sh -c 'cat > /etc/systemd/system/golive-${service}.service'`,
      `${exec} systemctl daemon-reload`,
      `${exec} systemctl enable golive-${service}.service`,
      `${exec} systemctl restart golive-${service}.service`,
    );
  } else if (packagedService !== undefined) {
    lines.push(
      `${exec} systemctl enable ${packagedService}.service`,
      `${exec} systemctl restart ${packagedService}.service`,
    );
  }
  return lines.join("\n");
}

/** Runs a job's command once inside the container, passing the named variables through. */
export function jobScript(command: readonly string[], envKeys: readonly string[]): string {
  const quoted = command.map((a) => `'${a.replace(/'/g, `'"'"'`)}'`).join(" ");
  const passEnv = envKeys.map((k) => `${k}="$${k}"`).join(" ");
  return [
    "set -eu",
    `pct exec "$GOLIVE_CT_ID" -- env ${passEnv} ${quoted}`.replace(/ +/g, " "),
  ].join("\n");
}

/** Runs a script (the command's standard input) inside the container, as `sh -s`. */
export function pctExecScript(id: number): string {
  return `pct exec ${id} -- sh -s`;
}
