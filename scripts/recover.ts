/**
 * Recovers a stack after an interrupted `pulumi up` (killed, machine lost) the way the engine
 * documents it: pending operations. An interrupted `up` leaves the objects it was creating as
 * pending `creating` operations in the state, and the objects themselves may or may not exist.
 *
 *   1. `pulumi cancel` releases the update's lock (a file backend keeps it after a kill);
 *   2. `pulumi stack export` lists the pending creates;
 *   3. each one's real object is looked up by the name in its inputs: Docker containers, networks
 *      and volumes with `docker inspect` (honouring the stack's `docker:host`, else DOCKER_HOST);
 *   4. `pulumi refresh --clear-pending-creates` drops the pending operations, and `pulumi import`
 *      records each object that exists under its resource's URN (same parent and provider);
 *      what does not exist is simply dropped, and the next `up` creates it.
 *
 * Not imported: `command:*:Command` resources (LXC containers, provisioning, the gateway switch),
 * which upstream's command provider cannot import; golive's pct scripts are idempotent (an
 * existing CT-ID is kept and reconfigured), so the next `up` runs them again and converges.
 *
 * `pulumi refresh --import-pending-creates <urn> <id>` would be the one-step form, but pulumi
 * 3.259.0 turns the operation into a pending import that its refresh then drops without recording
 * the resource (cmd/pulumi/operations/refresh.go, backend/snapshot.go): the object would be
 * orphaned. Hence `pulumi import`.
 *
 * Usage: scripts/recover.sh <stack> [project dir, default: the current directory]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

interface PendingCreate {
  readonly type: string;
  readonly urn: string;
  readonly parent?: string;
  readonly provider?: string;
  readonly inputs?: Record<string, unknown>;
}

const [stack, dir = process.cwd()] = process.argv.slice(2);
if (!stack) {
  process.stderr.write("usage: scripts/recover.sh <stack> [project dir]\n");
  process.exit(2);
}

function run(cmd: string, args: string[], env = process.env) {
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: "utf8", maxBuffer: 256 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function pulumi(args: string[], what: string, allowFailure?: RegExp): string {
  const r = run("pulumi", [...args, "--stack", stack, "--non-interactive"]);
  if (r.code !== 0 && !(allowFailure && allowFailure.test(r.stdout + r.stderr))) {
    process.stderr.write(`recover: ${what} failed:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  return r.stdout;
}

// 1. The lock of the killed update (none is fine: the update may have ended on its own).
pulumi(["cancel", "--yes"], "pulumi cancel", /no update in progress|currently no update/i);
process.stdout.write("recover: the update's lock is released (pulumi cancel)\n");

// 2. The pending creates.
const exported = JSON.parse(pulumi(["stack", "export"], "pulumi stack export")) as {
  deployment: { pending_operations?: { type: string; resource: PendingCreate }[] };
};
const pending = (exported.deployment.pending_operations ?? [])
  .filter((op) => op.type === "creating")
  .map((op) => op.resource);
if (pending.length === 0) {
  process.stdout.write("recover: no pending create; run `pulumi up`\n");
  process.exit(0);
}

// 3. Each one's object, by the name in its inputs.
const dockerHost = run("pulumi", ["config", "get", "docker:host", "--stack", stack]).stdout.trim();
const dockerEnv = dockerHost ? { ...process.env, DOCKER_HOST: dockerHost } : process.env;
const inspect: Record<string, string[]> = {
  "docker:index/container:Container": ["inspect", "--type", "container", "--format", "{{.Id}}"],
  "docker:index/network:Network": ["network", "inspect", "--format", "{{.Id}}"],
  "docker:index/volume:Volume": ["volume", "inspect", "--format", "{{.Name}}"],
};
const imports: { op: PendingCreate; id: string }[] = [];
for (const op of pending) {
  const name = op.inputs?.name;
  const how = inspect[op.type];
  let found: string | undefined;
  if (how && typeof name === "string") {
    const r = run("docker", [...how, name], dockerEnv);
    found = r.code === 0 ? r.stdout.trim() : undefined;
  }
  const label = `${op.type} ${op.urn.split("::").pop()}`;
  if (found) {
    imports.push({ op, id: found });
    process.stdout.write(`recover: ${label}: exists (${found.slice(0, 12)}), importing\n`);
  } else {
    const why = how ? "does not exist" : "cannot be imported (an idempotent command: re-run)";
    process.stdout.write(`recover: ${label}: ${why}, clearing; the next up creates it\n`);
  }
}

// 4. Clear every pending create, then import what exists under the same URN.
pulumi(
  ["refresh", "--clear-pending-creates", "--yes", "--skip-preview"],
  "pulumi refresh --clear-pending-creates",
);
if (imports.length > 0) {
  const nameTable: Record<string, string> = {};
  // The import file names parents and providers through a table of URNs.
  const nameOf = (urn: string) => {
    const existing = Object.keys(nameTable).find((k) => nameTable[k] === urn);
    if (existing) return existing;
    const key = `r${Object.keys(nameTable).length}`;
    nameTable[key] = urn;
    return key;
  };
  const resources = imports.map(({ op, id }) => ({
    type: op.type,
    name: op.urn.split("::").pop()!,
    id,
    ...(op.parent ? { parent: nameOf(op.parent) } : {}),
    // The provider reference is "<urn>::<id>"; the import file names the provider by URN.
    ...(op.provider ? { provider: nameOf(op.provider.replace(/::[^:]+$/, "")) } : {}),
  }));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "golive-recover-")), "import.json");
  fs.writeFileSync(file, JSON.stringify({ nameTable, resources }, null, 2));
  pulumi(
    [
      "import",
      "--file",
      file,
      "--yes",
      "--skip-preview",
      "--protect=false",
      "--generate-code=false",
    ],
    "pulumi import",
  );
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
process.stdout.write(
  `recover: ${imports.length} imported, ${pending.length - imports.length} cleared; now run \`pulumi up\`\n`,
);
