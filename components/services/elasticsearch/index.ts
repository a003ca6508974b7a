import * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { ElasticsearchSpec } from "../../config/spec";
import { memoryMiB } from "../../runtime/labels";
import { workload, type Runtime, type Workload } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";
import type { ServiceClient } from "../client";

export interface ElasticsearchArgs {
  /** The validated Elasticsearch spec. */
  readonly spec: ElasticsearchSpec;
  /** The runtime that realises Elasticsearch. */
  readonly runtime: Runtime;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/** The JVM heap: half of the container's memory, as Elastic recommends. */
export function heapMb(spec: ElasticsearchSpec): number {
  return Math.floor(memoryMiB(spec.memory) / 2);
}

/** The ILM policies and index templates as the bodies of the API calls that install them. */
export function ilmAndTemplates(spec: ElasticsearchSpec): { path: string; body: unknown }[] {
  const calls: { path: string; body: unknown }[] = [];
  for (const [policy, p] of Object.entries(spec.ilmPolicies).sort()) {
    calls.push({
      path: `_ilm/policy/${policy}`,
      body: {
        policy: {
          phases: {
            hot: {
              actions: {
                rollover: {
                  max_age: `${p.rolloverMaxAgeDays}d`,
                  max_primary_shard_size: `${p.rolloverMaxSizeGb}gb`,
                },
              },
            },
            delete: { min_age: `${p.deleteAfterDays}d`, actions: { delete: {} } },
          },
        },
      },
    });
  }
  for (const [template, t] of Object.entries(spec.indexTemplates).sort()) {
    calls.push({
      path: `_index_template/${template}`,
      body: {
        index_patterns: t.indexPatterns,
        template: {
          settings: {
            number_of_shards: t.shards,
            number_of_replicas: t.replicas,
            ...(t.ilmPolicy
              ? { "index.lifecycle.name": t.ilmPolicy, "index.lifecycle.rollover_alias": template }
              : {}),
          },
        },
      },
    });
  }
  return calls;
}

/** The setup job's script: wait for the cluster, then PUT every ILM policy and index template. */
export function setupScript(spec: ElasticsearchSpec): string {
  const lines = [
    "set -eu",
    'auth="elastic:$ELASTIC_PASSWORD"',
    'until curl -fsS -u "$auth" http://elasticsearch:9200/_cluster/health?wait_for_status=yellow >/dev/null; do sleep 3; done',
  ];
  for (const c of ilmAndTemplates(spec)) {
    lines.push(
      `curl -fsS -u "$auth" -X PUT -H 'Content-Type: application/json' http://elasticsearch:9200/${c.path} -d '${JSON.stringify(c.body)}'`,
    );
  }
  return lines.join("\n");
}

/**
 * The workloads Elasticsearch runs: one node. (The setup job that installs ILM policies and
 * templates runs in it: no workload of its own.)
 */
export function elasticsearchWorkloads() {
  return {
    elasticsearch: { name: "elasticsearch", ports: [{ name: "http", port: 9200, public: false }] },
  } as const;
}

/** Elasticsearch 8 with security on, heap half of memory, ILM policies and index templates. */
export class Elasticsearch extends pulumi.ComponentResource {
  public readonly workload: Workload;
  public readonly host = "elasticsearch";
  public readonly port = 9200;
  public readonly password: pulumi.Output<string>;
  /** ELASTICSEARCH_URL, ELASTICSEARCH_USER (elastic) and ELASTICSEARCH_PASSWORD for dependants. */
  public readonly client: ServiceClient;

  constructor(name: string, args: ElasticsearchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:data:Elasticsearch", name, {}, opts);
    const { spec, runtime } = args;
    const image = `${args.imageRegistry ?? ""}${spec.image ?? `docker.elastic.co/elasticsearch/elasticsearch:${spec.version}`}`;
    const password = new GeneratedSecret(
      `${name}-elastic-password`,
      { length: 32 },
      { parent: this },
    );
    this.password = password.secret;
    const heap = heapMb(spec);
    const declared = elasticsearchWorkloads().elasticsearch;
    this.workload = runtime.workload(
      workload({
        ...declared,
        component: "search",
        image,
        env: {
          "discovery.type": "single-node",
          "xpack.security.enabled": String(spec.security),
          "xpack.security.http.ssl.enabled": "false",
          ES_JAVA_OPTS: `-Xms${heap}m -Xmx${heap}m`,
        },
        secretEnv: { ELASTIC_PASSWORD: password.secret },
        volumes: [
          {
            name: "data",
            mountPath: "/usr/share/elasticsearch/data",
            sizeGb: spec.storageGb,
            retain: true,
          },
        ],
        healthCheck: {
          command: [
            "sh",
            "-c",
            'curl -fsS -u "elastic:$ELASTIC_PASSWORD" http://127.0.0.1:9200/_cluster/health >/dev/null',
          ],
          intervalSeconds: 10,
          timeoutSeconds: 5,
          retries: 30,
          startPeriodSeconds: 30,
        },
        resources: {
          requests: { cpu: "1", memory: spec.memory },
          limits: { cpu: "2", memory: spec.memory },
        },
        startOrder: 10,
        stateful: true,
        // LXC: Elastic's APT package (its repository must be in the template); its unit runs as elasticsearch.
        lxc: { packages: ["elasticsearch"], systemdService: "elasticsearch" },
        imageUser: 1000,
        labels: {
          [label.elasticsearchVersion]: spec.version,
          [label.ilmPolicies]: Object.keys(spec.ilmPolicies).join(","),
        },
      }),
      [],
      this,
    );
    if (Object.keys(spec.ilmPolicies).length + Object.keys(spec.indexTemplates).length > 0) {
      runtime.workload(
        workload({
          name: `${declared.name}-setup`,
          component: "setup",
          image,
          command: ["bash", "-c", setupScript(spec)],
          secretEnv: { ELASTIC_PASSWORD: password.secret },
          resources: {
            requests: { cpu: "50m", memory: "64Mi" },
            limits: { cpu: "500m", memory: "256Mi" },
          },
          startOrder: 11,
          job: { runsIn: declared.name },
        }),
        [this.workload],
        this,
      );
    }
    this.client = {
      env: {
        ELASTICSEARCH_URL: `http://${this.host}:${this.port}`,
        ELASTICSEARCH_USER: "elastic",
      },
      secretEnv: { ELASTICSEARCH_PASSWORD: this.password },
      ready: [this.workload],
      scrapeTargets: [],
    };
    this.registerOutputs({ host: this.host, port: this.port });
  }
}
