/**
 * Each default of the spec is written once, on its field. A block whose fields all have defaults is
 * defaulted from its own schema (`.prefault({})`), never by restating their values: these tests walk
 * the whole schema, so that an omitted block and the block written as `{}` can never drift apart,
 * in blocks that exist today or are added later.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { environmentSpec } from "../../components/config/spec";
import { minimalSpec } from "./minimal-spec";

/** A block with a default: its path in the spec and the schema that applies the default. */
interface Defaulted {
  readonly path: string;
  readonly schema: z.core.$ZodType;
}

/** The schema under optional/nullable/readonly/default wrappers. */
function unwrap(s: z.core.$ZodType): z.core.$ZodType {
  const def = s._zod.def as { type: string; innerType?: z.core.$ZodType };
  return def.innerType &&
    ["optional", "nullable", "readonly", "default", "prefault"].includes(def.type)
    ? unwrap(def.innerType)
    : s;
}

/** Every object block under `s` that has a default (`.default` or `.prefault`), by config path. */
function defaultedBlocks(s: z.core.$ZodType, path: string): Defaulted[] {
  const def = s._zod.def;
  switch (def.type) {
    case "object":
      return Object.entries((def as z.core.$ZodObjectDef).shape).flatMap(([k, v]) =>
        defaultedBlocks(v, path === "" ? k : `${path}.${k}`),
      );
    case "default":
    case "prefault": {
      const inner = (def as z.core.$ZodDefaultDef).innerType;
      const own = unwrap(inner)._zod.def.type === "object" ? [{ path, schema: s }] : [];
      return [...own, ...defaultedBlocks(inner, path)];
    }
    case "optional":
    case "nullable":
    case "readonly":
      return defaultedBlocks((def as z.core.$ZodOptionalDef).innerType, path);
    case "record":
      return defaultedBlocks((def as z.core.$ZodRecordDef).valueType, `${path}.*`);
    case "array":
      return defaultedBlocks((def as z.core.$ZodArrayDef).element, `${path}[]`);
    case "union":
      return (def as z.core.$ZodUnionDef).options.flatMap((o) => defaultedBlocks(o, path));
    case "pipe": {
      const pipe = def as z.core.$ZodPipeDef;
      return [...defaultedBlocks(pipe.in, path), ...defaultedBlocks(pipe.out, path)];
    }
    default:
      return [];
  }
}

const blocks = defaultedBlocks(environmentSpec, "");

/**
 * Blocks whose default is a value of its own, not "every field at its default": a data service's
 * resources default to limits sized for it, while `resources: {}` sets none.
 */
const ownDefaults: Record<string, unknown> = {
  "redis.resources": { limits: { cpu: "1", memory: "512Mi" } },
  "rabbitmq.resources": { limits: { cpu: "1", memory: "1Gi" } },
  "minio.resources": { limits: { cpu: "1", memory: "1Gi" } },
  "mongodb.resources": { limits: { cpu: "1", memory: "2Gi" } },
};

describe("the spec's defaults, each written once", () => {
  it("finds every defaulted block of the spec", () => {
    const paths = blocks.map((b) => b.path);
    for (const expected of [
      "services.*.resources",
      "postgres.resources",
      "postgres.pgbouncer",
      "postgres.walArchive",
      "postgres.backups",
      "monitoring.thresholds",
      "monitoring.grafana",
      "gateway.cors",
      "gateway.compression",
      "maintenance",
      "kubernetes",
      ...Object.keys(ownDefaults),
    ]) {
      assert.ok(paths.includes(expected), `${expected} is not among ${paths.join(", ")}`);
    }
  });

  it("an omitted block parses to exactly what the block with every field omitted parses to", () => {
    const checked = blocks.filter((b) => !(b.path in ownDefaults));
    assert.ok(checked.length >= 11);
    for (const { path, schema } of checked) {
      assert.deepEqual(z.parse(schema, undefined), z.parse(schema, {}), path);
    }
  });

  it("a data service's resources default to its own limits, which its schema accepts", () => {
    for (const [path, value] of Object.entries(ownDefaults)) {
      const block = blocks.find((b) => b.path === path);
      assert.ok(block, path);
      assert.deepEqual(z.parse(block.schema, undefined), value, path);
      assert.deepEqual(z.parse(block.schema, {}), {}, `${path}: {} sets no limits`);
    }
  });

  it("a whole spec with its blocks left out parses as the same spec with each block {}", () => {
    const base = {
      ...minimalSpec(),
      gateway: { domain: "erp.example.com", tls: { source: "internal" } },
      monitoring: { receiver: { kind: "webhook", url: "https://hooks.example.com/x" } },
    };
    const omitted = { ...base, postgres: {} };
    const empty = {
      ...base,
      services: { api: { ...base.services.api, resources: {} } },
      gateway: { ...base.gateway, cors: {}, compression: {} },
      monitoring: { ...base.monitoring, thresholds: {}, grafana: {} },
      postgres: { resources: {}, pgbouncer: {}, walArchive: {}, backups: {} },
      maintenance: {},
      kubernetes: {},
    };
    assert.deepEqual(environmentSpec.parse(omitted), environmentSpec.parse(empty));
  });
});
