/**
 * Two resources whose creation blocks for minutes, so that a test can kill `pulumi up` while every
 * kind of plugin golive runs is busy: the language host and the program's node, the command
 * provider running a shell with a background child, and the dynamic-provider host. Each writes the
 * pid of what it started into LIFECYCLE_PIDS_DIR.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

const dir = process.env.LIFECYCLE_PIDS_DIR;
if (!dir) {
  throw new Error("LIFECYCLE_PIDS_DIR is not set");
}

new command.local.Command("blocked", {
  create: `sleep 300 & echo $! > ${dir}/command; wait`,
});

const slow: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { dir: string }) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("fs").writeFileSync(`${inputs.dir}/dynamic`, String(process.pid));
    await new Promise((resolve) => setTimeout(resolve, 300_000));
    return { id: "slow" };
  },
};
class Slow extends pulumi.dynamic.Resource {
  constructor(name: string, args: { dir: string }) {
    super(slow, name, args);
  }
}
new Slow("slow", { dir });
