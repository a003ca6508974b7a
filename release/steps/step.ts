/** The shape every step module has: what the step does to the stack, given the release so far. */
import type { ReleaseContext } from "../context";
import type { ReleaseLog, StepRecord } from "../log";
import type { StepOutcome } from "../runner";

export type StepRun = (
  ctx: ReleaseContext,
  log: ReleaseLog,
  step: StepRecord,
) => Promise<StepOutcome>;

/** The path of a blue/green setting of the released service inside the spec. */
export const blueGreenPath = (log: ReleaseLog, key: string): (string | number)[] => [
  "services",
  log.service,
  "blueGreen",
  key,
];

/** The colour's workload and its Docker container. */
export const colourWorkload = (log: ReleaseLog) => `${log.service}-${log.colour}`;
