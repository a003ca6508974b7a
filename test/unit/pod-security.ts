/**
 * A checker of the Pod Security Standards' `restricted` profile (Kubernetes v1.33), written from
 * the documented rules (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * every control of `baseline`, then `restricted`'s own. Test code: golive's namespace enforces
 * the profile through PodSecurity admission, and the tests use this to show that every pod golive
 * renders would be admitted (and that a pod breaking a rule is caught).
 */

type Obj = Record<string, any>;

/** Capabilities baseline lets a container add (restricted allows only NET_BIND_SERVICE). */
const baselineCapabilities = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

/** The sysctls baseline allows (v1.33). */
const safeSysctls = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

/** The volume types restricted allows. */
const restrictedVolumes = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

const seLinuxTypes = new Set([
  undefined,
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

/**
 * What in a pod spec (a pod template's `spec`) the restricted profile refuses, one message per
 * broken rule and container; empty when PodSecurity admission would admit the pod.
 */
export function restrictedViolations(pod: Obj, podAnnotations: Obj = {}): string[] {
  const out: string[] = [];
  const sc: Obj = pod.securityContext ?? {};
  const containers: Obj[] = [
    ...(pod.initContainers ?? []),
    ...(pod.containers ?? []),
    ...(pod.ephemeralContainers ?? []),
  ];
  const each = (rule: string, bad: (c: Obj, csc: Obj) => boolean) => {
    for (const c of containers) {
      if (bad(c, c.securityContext ?? {})) out.push(`${rule}: container ${c.name}`);
    }
  };

  // baseline
  if (sc.windowsOptions?.hostProcess === true) out.push("HostProcess: pod");
  each("HostProcess", (_c, csc) => csc.windowsOptions?.hostProcess === true);
  for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (pod[ns] === true) out.push(`Host namespaces: ${ns}`);
  }
  each("Privileged containers", (_c, csc) => csc.privileged === true);
  each("Capabilities (baseline)", (_c, csc) =>
    (csc.capabilities?.add ?? []).some((cap: string) => !baselineCapabilities.has(cap)),
  );
  for (const v of pod.volumes ?? []) {
    if (v.hostPath !== undefined) out.push(`HostPath volumes: ${v.name}`);
  }
  each("Host ports", (c) =>
    (c.ports ?? []).some((p: Obj) => p.hostPort !== undefined && p.hostPort !== 0),
  );
  const appArmor = (p: Obj | undefined) =>
    p !== undefined && p.type !== "RuntimeDefault" && p.type !== "Localhost";
  if (appArmor(sc.appArmorProfile)) out.push("AppArmor: pod");
  each("AppArmor", (_c, csc) => appArmor(csc.appArmorProfile));
  for (const [k, v] of Object.entries(podAnnotations)) {
    if (
      k.startsWith("container.apparmor.security.beta.kubernetes.io/") &&
      v !== "runtime/default" &&
      !String(v).startsWith("localhost/")
    )
      out.push(`AppArmor: annotation ${k}`);
  }
  const seLinux = (o: Obj | undefined) =>
    o !== undefined && (!seLinuxTypes.has(o.type) || o.user !== undefined || o.role !== undefined);
  if (seLinux(sc.seLinuxOptions)) out.push("SELinux: pod");
  each("SELinux", (_c, csc) => seLinux(csc.seLinuxOptions));
  each("/proc Mount Type", (_c, csc) => csc.procMount !== undefined && csc.procMount !== "Default");
  if (sc.seccompProfile?.type === "Unconfined") out.push("Seccomp (baseline): pod");
  each("Seccomp (baseline)", (_c, csc) => csc.seccompProfile?.type === "Unconfined");
  for (const s of sc.sysctls ?? []) {
    if (!safeSysctls.has(s.name)) out.push(`Sysctls: ${s.name}`);
  }

  // restricted
  for (const v of pod.volumes ?? []) {
    const kinds = Object.keys(v).filter((k) => k !== "name");
    if (!kinds.every((k) => restrictedVolumes.has(k))) {
      out.push(`Volume types: ${v.name} (${kinds.join(", ")})`);
    }
  }
  each("Privilege escalation", (_c, csc) => csc.allowPrivilegeEscalation !== false);
  if (sc.runAsNonRoot === false) out.push("Running as Non-root: pod");
  each(
    "Running as Non-root",
    (_c, csc) =>
      csc.runAsNonRoot === false || (csc.runAsNonRoot !== true && sc.runAsNonRoot !== true),
  );
  if (sc.runAsUser === 0) out.push("Running as Non-root user: pod");
  each("Running as Non-root user", (_c, csc) => csc.runAsUser === 0);
  const confined = (p: Obj | undefined) => p?.type === "RuntimeDefault" || p?.type === "Localhost";
  each("Seccomp", (_c, csc) =>
    csc.seccompProfile !== undefined ? !confined(csc.seccompProfile) : !confined(sc.seccompProfile),
  );
  each("Capabilities", (_c, csc) => {
    const drop: string[] = csc.capabilities?.drop ?? [];
    const add: string[] = csc.capabilities?.add ?? [];
    return !drop.includes("ALL") || add.some((cap) => cap !== "NET_BIND_SERVICE");
  });
  return out;
}

/** Pod specs (with their template annotations) of Kubernetes objects, by kind, in any object. */
export function podTemplates(kind: string, obj: Obj): { pod: Obj; annotations: Obj } | undefined {
  switch (kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return {
        pod: obj.spec?.template?.spec ?? {},
        annotations: obj.spec?.template?.metadata?.annotations ?? {},
      };
    case "CronJob":
      return {
        pod: obj.spec?.jobTemplate?.spec?.template?.spec ?? {},
        annotations: obj.spec?.jobTemplate?.spec?.template?.metadata?.annotations ?? {},
      };
    case "Pod":
      return { pod: obj.spec ?? {}, annotations: obj.metadata?.annotations ?? {} };
    default:
      return undefined;
  }
}
