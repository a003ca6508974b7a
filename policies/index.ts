import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

// Every policy is mandatory unless the stack's --policy-pack-config (policies/config/<stack>.json)
// says otherwise: dev runs advisory, staging and production mandatory.
new PolicyPack("golive", {
  description: "The go-live checklists of golive's seed systems as preview-time gates.",
  enforcementLevel: "mandatory",
  policies,
});
