/** The shape every step module has: what the step does to the stack, given the release so far. */
import type { ReleaseContext } from "../context";
import type { BlueGreenLog, InPlaceLog, ReleaseLog, StepRecord } from "../log";
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

/**
 * The workload the release brings up, its host name and Docker container: the new colour's
 * (`<service>-<colour>`), or the service's own when it is released in place.
 */
export const colourWorkload = (log: ReleaseLog) =>
  log.strategy === "in-place" ? log.service : `${log.service}-${log.colour}`;

/** Where the spec holds the released version, and the value that deploys the new one. */
export const versionSetting = (log: ReleaseLog): [(string | number)[], string] =>
  log.strategy === "in-place"
    ? [["services", log.service, "image"], log.image]
    : [blueGreenPath(log, log.colour), log.version];

/** The log of a blue/green release; a step of that strategy only is refused on another. */
export function blueGreenLog(log: ReleaseLog): BlueGreenLog {
  if (log.strategy === "in-place")
    throw new Error(`${log.service} is released in place: this step belongs to blue/green`);
  return log;
}

/** The log of an in-place release; a step of that strategy only is refused on another. */
export function inPlaceLog(log: ReleaseLog): InPlaceLog {
  if (log.strategy !== "in-place")
    throw new Error(`${log.service} is blue/green: this step belongs to an in-place release`);
  return log;
}

/** The path of a service's replicas inside the spec. */
export const replicasPath = (service: string): string[] => ["services", service, "replicas"];
