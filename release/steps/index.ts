/** Every step kind's module, by kind. */
import type { StepKind } from "../plan";
import { backup } from "./backup";
import { deployIdle } from "./deploy-idle";
import { health } from "./health";
import { deploy, startWorkers, stopWorkers } from "./in-place";
import { maintenanceOff, maintenanceOn } from "./maintenance";
import { preflight } from "./preflight";
import { smoke } from "./smoke";
import type { StepRun } from "./step";
import { split, switchAll } from "./traffic";
import { verify } from "./verify";
import { watch } from "./watch";

export const steps: Record<StepKind, StepRun> = {
  preflight,
  "maintenance-on": maintenanceOn,
  backup,
  "deploy-idle": deployIdle,
  "stop-workers": stopWorkers,
  deploy,
  "start-workers": startWorkers,
  health,
  smoke,
  split,
  switch: switchAll,
  "maintenance-off": maintenanceOff,
  watch,
  verify,
};
