/**
 * Lints what `deploy/` ships, since Docker and a cluster cannot run here: each Kubernetes overlay
 * is rendered by kustomize (`kubectl kustomize`) and every object it yields is validated against
 * the API's schema (kubernetes-models, offline) and checked for what this project relies on
 * (probes on every workload, on the right paths and ports; resources, non-root pods; GPU
 * placement; autoscalers on metrics the adapter serves; one runner for the scheduled work); every
 * environment variable the manifests set is one the server reads; commands and flags are real CLI
 * ones; compose services, Prometheus and the Dockerfiles point at files that exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { REPLICA_JOB_KINDS } from "../server/src/services/jobs/kinds.ts";
import { findKubectl, kustomize } from "./support/kubectl.ts";

const root = join(import.meta.dirname, "..");
const deploy = join(root, "deploy");
const read = (path: string) => readFileSync(join(root, path), "utf8");

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is checked field by field below.
type Obj = any;

const k8sDir = join(deploy, "k8s");
/** The layouts deploy/README.md documents, each a kustomize overlay. */
const OVERLAYS = ["embedded", "postgres-replicas", "postgres-replicas-cronjobs"];
const kubectl = findKubectl();
const kubectlSkip = "skip" in kubectl ? ` (skipped: ${kubectl.skip})` : "";
/** Each overlay's objects, as `kubectl kustomize` renders them. */
const rendered: Record<string, Obj[]> = Object.fromEntries(
  "skip" in kubectl
    ? []
    : OVERLAYS.map((overlay) => [
        overlay,
        parseAllDocuments(kustomize(kubectl, join(k8sDir, "overlays", overlay))).map((doc) => {
          if (doc.errors.length > 0) throw new Error(`${overlay}: ${doc.errors[0]?.message}`);
          return doc.toJS();
        }),
      ]),
);
const renderedCases = Object.entries(rendered);
const compose: Obj = parse(readFileSync(join(deploy, "compose.yaml"), "utf8"));
const adapter: Obj = parse(read("server/deploy/prometheus-adapter/values.yaml"));

/** Names the server reads from the environment: config.ts's `env.X` and any `process.env.X`. */
function serverEnvNames(): Set<string> {
  const names = new Set(
    [...read("server/src/config/config.ts").matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string),
  );
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(join(dir, e.name))
        : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
          ? [join(dir, e.name)]
          : [],
    );
  for (const file of walk(join(root, "server/src"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g))
      names.add(m[1] as string);
  }
  return names;
}
const SERVER_ENV = serverEnvNames();
/** The server refuses to run as intended without these in a deployment (PGlite, a random key, loopback-only metrics). */
const REQUIRED_ENV = ["DATABASE_URL", "FACEDRIFT_ADMIN_KEY", "FACEDRIFT_METRICS_TOKEN"];
/** Read by the images' other programs, not by the server. */
const OTHER_ENV: Record<string, string> = {
  CHROMIUM_FLAGS: "the replica's Chromium (server/src/replica/chromium.ts reads it through its own options)",
  AWS_ACCESS_KEY_ID: "the AWS SDK's credential chain (archive and image stores)",
  AWS_SECRET_ACCESS_KEY: "the AWS SDK's credential chain (archive and image stores)",
};

/** CLI commands registered in server/src/cli/main.ts, each with its file's text (its options). */
function cliCommandFiles(): Map<string, string> {
  const commands = new Map<string, string>();
  for (const m of read("server/src/cli/main.ts").matchAll(/from "\.\/commands\/([a-z-]+)\.ts"/g)) {
    const text = read(`server/src/cli/commands/${m[1]}.ts`);
    const top = text.match(/program\s*\.command\("([a-z-]+)"/);
    if (top) commands.set(top[1] as string, text);
  }
  return commands;
}
const cliCommands = () => new Set(cliCommandFiles().keys());
/** Commands the manifests use before they exist; each manifest using one says PLANNED. None now. */
const PLANNED_COMMANDS: string[] = [];

/** Every file below `deploy/`, as paths relative to it. */
function deployFiles(dir = deploy): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? deployFiles(join(dir, e.name)) : [relative(deploy, join(dir, e.name))],
  );
}

describe("deploy/", () => {
  it.each(deployFiles().filter((f) => /\.ya?ml$/.test(f)))("%s parses as YAML", (file) => {
    for (const doc of parseAllDocuments(readFileSync(join(deploy, file), "utf8"))) {
      expect(doc.errors.map((e) => e.message)).toEqual([]);
    }
  });

  it("keeps every Dockerfile in deploy/docker", () => {
    expect(deployFiles().filter((f) => /Dockerfile$/.test(f) && !f.startsWith("docker/"))).toEqual([]);
  });

  it("gives every `npm ci` in an image what the root install scripts need (the patches)", () => {
    const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
    expect(scripts.postinstall).toContain("patch-package");
    for (const file of deployFiles().filter((f) => f.endsWith("Dockerfile"))) {
      const text = readFileSync(join(deploy, file), "utf8");
      const install = text.indexOf("RUN npm ci");
      if (install < 0) continue;
      const patches = text.indexOf("COPY patches patches");
      expect(patches, `${file} copies patches/ before npm ci`).toBeGreaterThan(-1);
      expect(patches, file).toBeLessThan(install);
    }
  });
});

/** The pod templates of an overlay's workloads (Deployments and CronJobs). */
function workloads(objects: Obj[]): { kind: string; name: string; pod: Obj; object: Obj }[] {
  return objects.flatMap((o) =>
    o.kind === "Deployment"
      ? [{ kind: o.kind, name: o.metadata.name, pod: o.spec.template, object: o }]
      : o.kind === "CronJob"
        ? [{ kind: o.kind, name: o.metadata.name, pod: o.spec.jobTemplate.spec.template, object: o }]
        : [],
  );
}
const find = (objects: Obj[], kind: string, name: string): Obj => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const ofKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);
const selects = (selector: Record<string, string>, pod: Obj) =>
  Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v);
/** Every variable the overlay gives the servers: ConfigMap, Secret, and the containers' own. */
const environment = (objects: Obj[]) => ({
  ...find(objects, "ConfigMap", "facedrift-config").data,
  ...find(objects, "Secret", "facedrift-secrets").stringData,
});

describe("kustomize layout", () => {
  /** Every kustomization below deploy/k8s, with the files it names. */
  const kustomizations = deployFiles()
    .filter((f) => f.startsWith("k8s/") && f.endsWith("kustomization.yaml"))
    .map((f) => ({ dir: dirname(join(deploy, f)), k: parse(readFileSync(join(deploy, f), "utf8")) as Obj }));

  it("has a base and the documented overlays", () => {
    expect(readdirSync(join(k8sDir, "overlays")).sort()).toEqual(OVERLAYS);
    expect(existsSync(join(k8sDir, "base", "kustomization.yaml"))).toBe(true);
    // The namespace and image tags are set once, in the component every overlay includes.
    for (const overlay of OVERLAYS) {
      const k = parse(readFileSync(join(k8sDir, "overlays", overlay, "kustomization.yaml"), "utf8"));
      expect(k.components, overlay).toContain("../../components/common");
    }
  });

  it("uses every manifest file, and names only files and folders that exist", () => {
    const used = new Set<string>();
    for (const { dir, k } of kustomizations) {
      const entries = [
        ...(k.resources ?? []),
        ...(k.components ?? []),
        ...(k.patches ?? []).map((p: Obj) => p.path),
      ];
      for (const entry of entries) {
        const path = resolve(dir, entry);
        expect(existsSync(path), `${relative(deploy, dir)}: ${entry}`).toBe(true);
        used.add(path);
      }
    }
    const manifests = deployFiles()
      .filter((f) => f.startsWith("k8s/") && f.endsWith(".yaml") && !f.endsWith("kustomization.yaml"))
      .map((f) => join(deploy, f));
    expect(manifests.filter((f) => !used.has(f)).map((f) => relative(deploy, f))).toEqual([]);
  });
});

describe.skipIf("skip" in kubectl)(`Kubernetes overlays, rendered by kubectl kustomize${kubectlSkip}`, () => {
  it.each(
    renderedCases.flatMap(([overlay, objects]) =>
      objects.map((o) => [`${overlay}: ${o.kind} ${o.metadata?.name}`, o] as const),
    ),
  )("%s validates against the Kubernetes schema", async (_, obj) => {
    expect(obj.apiVersion).toBeTruthy();
    expect(obj.kind).toBeTruthy();
    expect(obj.metadata?.name).toBeTruthy();
    expect(obj.metadata.namespace ?? (obj.kind === "Namespace" ? "-" : undefined)).toBeTruthy();
    // kubernetes-models lays its classes out as <group>/<version>/<Kind> ("v1/Service" for core).
    const module = await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`);
    expect(() => new module[obj.kind](obj).validate()).not.toThrow();
  });

  it.each(renderedCases)(
    "%s: every pod runs non-root, read-only, with resources and pinned images",
    (_, objects) => {
      for (const { name, pod } of workloads(objects)) {
        const spec = pod.spec;
        expect(spec.securityContext.runAsNonRoot, name).toBe(true);
        expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
        expect(spec.automountServiceAccountToken, name).toBe(false);
        for (const container of spec.containers) {
          expect(container.resources.requests.cpu, name).toBeTruthy();
          expect(container.resources.requests.memory, name).toBeTruthy();
          expect(container.resources.limits.memory, name).toBeTruthy();
          expect(container.securityContext).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
          });
          expect(container.securityContext.capabilities.drop).toContain("ALL");
          // The base's `images` sets the tag: never a bare name (a pull of :latest).
          expect(container.image, name).toMatch(/^facedrift\/(server|replica):\d[\w.-]*$/);
          // The root filesystem is read-only: the data folder must be a volume.
          const dataDir = environment(objects).FACEDRIFT_DATA_DIR;
          expect(
            container.volumeMounts.map((m: Obj) => m.mountPath),
            name,
          ).toContain(dataDir);
        }
      }
    },
  );

  it.each(renderedCases)(
    "%s: every Deployment has liveness and readiness probes on ports it opens",
    (_, objects) => {
      const listens = Number(find(objects, "ConfigMap", "facedrift-config").data.PORT);
      const deployments = ofKind(objects, "Deployment");
      expect(deployments.length).toBeGreaterThan(0);
      for (const deployment of deployments) {
        for (const container of deployment.spec.template.spec.containers) {
          const name = `${deployment.metadata.name}/${container.name}`;
          const port = (ref: string | number) =>
            typeof ref === "number" ? ref : container.ports?.find((p: Obj) => p.name === ref)?.containerPort;
          expect(container.livenessProbe, name).toBeDefined();
          expect(container.readinessProbe, name).toBeDefined();
          const [command, ...args] = container.args;
          // The server answers on PORT; the replica on its --health-port.
          const expected =
            command === "serve" ? listens : Number(args[args.indexOf("--health-port") + 1] ?? Number.NaN);
          expect(expected, name).toBeGreaterThan(0);
          expect(container.livenessProbe.httpGet.path).toBe("/healthz");
          expect(container.readinessProbe.httpGet.path).toBe("/readyz");
          for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
            if (probe) expect(port(probe.httpGet.port), name).toBe(expected);
          }
        }
      }
    },
  );

  it.each(renderedCases)(
    "%s: a CronJob never overlaps itself and has a deadline instead of probes",
    (_, objects) => {
      for (const cron of ofKind(objects, "CronJob")) {
        expect(cron.spec.concurrencyPolicy, cron.metadata.name).toBe("Forbid");
        expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
        expect(["Never", "OnFailure"]).toContain(cron.spec.jobTemplate.spec.template.spec.restartPolicy);
      }
    },
  );

  it.each(renderedCases)(
    "%s: containers run real CLI commands with real options (planned ones say so)",
    (_, objects) => {
      const commands = cliCommandFiles();
      expect(commands.has("serve")).toBe(true);
      for (const { name, pod } of workloads(objects)) {
        for (const c of pod.spec.containers.filter((x: Obj) => x.args)) {
          const [command, ...args] = c.args as string[];
          if (PLANNED_COMMANDS.includes(command as string)) continue;
          const source = commands.get(command as string);
          expect(source, `${name}: ${command}`).toBeDefined();
          for (const flag of args.filter((a) => a.startsWith("--")))
            expect(source, `${name}: ${command} ${flag}`).toMatch(new RegExp(`"${flag}[ "]`));
        }
      }
    },
  );

  it.each(renderedCases)(
    "%s: every variable set is one the server reads, the required ones are set",
    (overlay, objects) => {
      const env = environment(objects);
      const set = Object.keys(env);
      for (const { pod } of workloads(objects))
        for (const c of pod.spec.containers) for (const e of c.env ?? []) set.push(e.name);
      for (const name of set)
        expect(SERVER_ENV.has(name) || name in OTHER_ENV, `${overlay}: ${name} is read by nobody`).toBe(true);
      const embedded = overlay === "embedded";
      for (const name of REQUIRED_ENV.filter((n) => !(embedded && n === "DATABASE_URL")))
        expect(Object.keys(env), overlay).toContain(name);
      // Without DATABASE_URL the pod runs on its own embedded folder.
      if (embedded) expect(env.DATABASE_URL).toBeUndefined();
      for (const { name, pod } of workloads(objects)) {
        expect(
          pod.spec.containers[0].envFrom.map((e: Obj) => e.configMapRef?.name ?? e.secretRef?.name),
          name,
        ).toEqual(["facedrift-config", "facedrift-secrets"]);
      }
    },
  );

  it.each(renderedCases)(
    "%s: archives and uploaded images land where every pod that needs them sees them",
    (overlay, objects) => {
      const env = environment(objects);
      const volumeOf = (pod: Obj, path: string) => {
        const mount = pod.spec.containers[0].volumeMounts
          .filter((m: Obj) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))
          .sort((a: Obj, b: Obj) => b.mountPath.length - a.mountPath.length)[0];
        return pod.spec.volumes.find((v: Obj) => v.name === mount?.name);
      };
      const server = find(objects, "Deployment", "facedrift-server").spec.template;
      if (env.FACEDRIFT_RETENTION_DAYS !== "0" && env.FACEDRIFT_RETENTION_DAYS !== "off") {
        if (!env.FACEDRIFT_ARCHIVE_S3_BUCKET) {
          // Rows are deleted once archived: a local archive must outlive the pod.
          const archive = env.FACEDRIFT_ARCHIVE_DIR ?? `${env.FACEDRIFT_DATA_DIR}/archive`;
          const volume = volumeOf(server, archive);
          expect(volume?.persistentVolumeClaim?.claimName, `${overlay}: ${archive}`).toBeTruthy();
          find(objects, "PersistentVolumeClaim", volume.persistentVolumeClaim.claimName);
        }
      }
      // Uploads are written by a server and read by whichever replica claims the batch.
      if (ofKind(objects, "Deployment").some((d) => d.metadata.name === "facedrift-replica"))
        expect(env.FACEDRIFT_IMAGE_S3_BUCKET, overlay).toBeTruthy();
    },
  );

  it.each(renderedCases)(
    "%s: the scheduled checks and archiving run in exactly one place",
    (overlay, objects) => {
      const serverArgs: string[] = find(objects, "Deployment", "facedrift-server").spec.template.spec
        .containers[0].args;
      const cronArgs = ofKind(objects, "CronJob").map((c) =>
        c.spec.jobTemplate.spec.template.spec.containers[0].args.join(" "),
      );
      const inServers = {
        checks: !serverArgs.includes("--no-scheduler"),
        archive: !serverArgs.includes("--no-retention"),
      };
      const inCron = { checks: cronArgs.includes("check --due"), archive: cronArgs.includes("archive run") };
      expect(inServers.checks !== inCron.checks, `${overlay}: batch checks`).toBe(true);
      expect(inServers.archive !== inCron.archive, `${overlay}: archiving`).toBe(true);
      if (overlay === "postgres-replicas-cronjobs") expect(inCron).toEqual({ checks: true, archive: true });
    },
  );

  it.each(renderedCases)(
    "%s: Services, PodDisruptionBudgets and the Ingress point at pods and ports that exist",
    (_, objects) => {
      const pods = ofKind(objects, "Deployment").map((d) => d.spec.template);
      for (const service of ofKind(objects, "Service")) {
        const [pod] = pods.filter((t) => selects(service.spec.selector, t));
        expect(pod, service.metadata.name).toBeDefined();
        for (const p of service.spec.ports) {
          expect(pod.spec.containers.flatMap((c: Obj) => c.ports.map((q: Obj) => q.name))).toContain(
            p.targetPort,
          );
        }
      }
      for (const pdb of ofKind(objects, "PodDisruptionBudget"))
        expect(
          pods.filter((t) => selects(pdb.spec.selector.matchLabels, t)),
          pdb.metadata.name,
        ).toHaveLength(1);
      for (const rule of ofKind(objects, "Ingress").flatMap((i) => i.spec.rules)) {
        for (const path of rule.http.paths) {
          const service = find(objects, "Service", path.backend.service.name);
          expect(service.spec.ports.map((p: Obj) => p.name)).toContain(path.backend.service.port.name);
        }
      }
      // The server serves the web app and the API on one origin: everything goes to it.
      const paths = ofKind(objects, "Ingress").flatMap((i) => i.spec.rules.flatMap((r: Obj) => r.http.paths));
      expect(paths).toContainEqual(
        expect.objectContaining({
          path: "/",
          backend: expect.objectContaining({
            service: expect.objectContaining({ name: "facedrift-server" }),
          }),
        }),
      );
    },
  );

  it.each(renderedCases)(
    "%s: every Deployment that may run several pods has an HPA and a PodDisruptionBudget",
    (overlay, objects) => {
      const hpas = ofKind(objects, "HorizontalPodAutoscaler");
      for (const deployment of ofKind(objects, "Deployment")) {
        const name = deployment.metadata.name;
        const hpa = hpas.find(
          (h) => h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === name,
        );
        const pdb = ofKind(objects, "PodDisruptionBudget").find((p) =>
          selects(p.spec.selector.matchLabels, deployment.spec.template),
        );
        if (overlay === "embedded") {
          // One process per data folder: exactly one pod, replaced (never two at once), never scaled.
          expect(deployment.spec.replicas).toBe(1);
          expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
          expect(hpa).toBeUndefined();
          // A budget of one available pod out of one would block every node drain.
          expect(pdb).toBeUndefined();
          const data = deployment.spec.template.spec.volumes.find((v: Obj) => v.name === "data");
          find(objects, "PersistentVolumeClaim", data.persistentVolumeClaim.claimName);
          continue;
        }
        expect(hpa, `${overlay}: ${name}`).toBeDefined();
        expect(pdb, `${overlay}: ${name}`).toBeDefined();
        // The HPA owns the count; one in the manifest would be reset on every apply.
        expect(deployment.spec.replicas, name).toBeUndefined();
        expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
        // A budget that leaves at least one pod must still let one go.
        if (pdb.spec.minAvailable !== undefined)
          expect(hpa.spec.minReplicas).toBeGreaterThan(pdb.spec.minAvailable);
        else expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
      }
    },
  );

  it.each(renderedCases.filter(([o]) => o !== "embedded"))(
    "%s: the HPAs scale servers on CPU and request rate, replicas on their job queue, through the adapter's names",
    (_, objects) => {
      const served = (kind: "custom" | "external") => new Set(adapter.rules[kind].map((r: Obj) => r.name.as));
      const metrics = (name: string) => find(objects, "HorizontalPodAutoscaler", name).spec.metrics as Obj[];

      const server = metrics("facedrift-server");
      expect(server.find((m) => m.type === "Resource")?.resource).toMatchObject({
        name: "cpu",
        target: { type: "Utilization" },
      });
      // Utilization is a share of the request: there must be one.
      const serverPod = find(objects, "Deployment", "facedrift-server").spec.template.spec;
      expect(serverPod.containers[0].resources.requests.cpu).toBeTruthy();
      const rate = server.find((m) => m.type === "Pods")?.pods;
      expect(rate.metric.name).toBe("facedrift_http_requests_per_second");
      expect(served("custom").has(rate.metric.name)).toBe(true);

      const replica = metrics("facedrift-replica");
      const external = replica.filter((m) => m.type === "External").map((m) => m.external);
      for (const e of external) expect(served("external").has(e.metric.name), e.metric.name).toBe(true);
      expect(external.map((e) => e.metric.selector.matchLabels.kind).sort()).toEqual(
        [...REPLICA_JOB_KINDS].sort(),
      );
    },
  );

  it.each(renderedCases.filter(([o]) => o !== "embedded"))(
    "%s: the replica runs on GPU nodes with one GPU each",
    (_, objects) => {
      const spec = find(objects, "Deployment", "facedrift-replica").spec.template.spec;
      expect(spec.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
      expect(spec.tolerations).toContainEqual(
        expect.objectContaining({ key: "nvidia.com/gpu", effect: "NoSchedule" }),
      );
      expect(spec.containers[0].resources.limits["nvidia.com/gpu"]).toBe(1);
    },
  );
});

describe("compose", () => {
  const services: Record<string, Obj> = compose.services;
  const serverLike = Object.entries(services).filter(([, s]) =>
    (s.image ?? "").startsWith("facedrift/server"),
  );

  it("builds from Dockerfiles that exist and uses images built there or pinned by tag", () => {
    const built = new Set<string>();
    for (const [name, service] of Object.entries(services)) {
      if (service.build) {
        const context = resolve(deploy, service.build.context);
        expect(existsSync(join(context, service.build.dockerfile)), name).toBe(true);
        expect(context).toBe(root);
        built.add(service.image);
      }
    }
    for (const [name, service] of Object.entries(services)) {
      if (!built.has(service.image)) expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(service.image, name).not.toMatch(/:latest$/);
    }
    expect(services.postgres.image).toBe("pgvector/pgvector:pg16");
  });

  it("runs two servers after the one-shot migration, and only real or planned commands", () => {
    expect(services.server.deploy.replicas).toBe(2);
    expect(services.server.depends_on.migrate.condition).toBe("service_completed_successfully");
    const commands = cliCommands();
    for (const [name, service] of Object.entries(services).filter(([, s]) =>
      (s.image ?? "").startsWith("facedrift/"),
    )) {
      if (!service.command) continue;
      const command = service.command[0];
      if (PLANNED_COMMANDS.includes(command))
        expect(service.profiles, `${name} is planned: behind a profile`).toBeDefined();
      else expect(commands, name).toContain(command);
    }
  });

  it("sets the required variables on the servers and only ones the server reads", () => {
    for (const [name, service] of serverLike) {
      for (const key of REQUIRED_ENV) expect(Object.keys(service.environment), name).toContain(key);
      for (const key of Object.keys(service.environment))
        expect(SERVER_ENV.has(key), `${name}: ${key}`).toBe(true);
    }
    for (const [name, service] of Object.entries(services)) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(services, `${name} → ${dep}`).toHaveProperty(dep);
    }
  });

  it("Prometheus scrapes the servers with the metrics token and loads the rules folder it mounts", () => {
    const prometheus: Obj = parse(readFileSync(join(deploy, "prometheus/prometheus.yml"), "utf8"));
    const mounts = services.prometheus.volumes.map((v: string) => v.split(":"));
    for (const [host] of mounts.filter(([h]: string[]) => (h ?? "").startsWith("."))) {
      // The rules folder is written by the alerting-rules work; Prometheus takes an empty one.
      if (host !== "../server/deploy/prometheus") expect(existsSync(resolve(deploy, host)), host).toBe(true);
    }
    const rulesMount = mounts.find(([h]: string[]) => h === "../server/deploy/prometheus")[1];
    // Only the rule files: the promtool unit tests beside them (*.rules.test.yml) are no rule
    // groups, and Prometheus refuses to start on a file that is not.
    expect(prometheus.rule_files).toEqual([`${rulesMount}/*.rules.yml`]);
    const rulesDir = join(root, "server/deploy/prometheus");
    const loaded = readdirSync(rulesDir).filter((f) => /^[^/]*\.rules\.yml$/.test(f));
    expect(loaded.sort()).toEqual(["facedrift-gpu.rules.yml", "facedrift.rules.yml"]);
    for (const file of loaded) expect(parse(readFileSync(join(rulesDir, file), "utf8")).groups).toBeDefined();
    const [job] = prometheus.scrape_configs;
    expect(Object.keys(services)).toContain(job.dns_sd_configs[0].names[0]);
    expect(job.dns_sd_configs[0].port).toBe(8080);
    expect(job.authorization.credentials_file).toBe("/run/secrets/metrics_token");
    expect(compose.secrets.metrics_token.environment).toBe("FACEDRIFT_METRICS_TOKEN");
  });
});

/** Dockerfile instructions with line continuations joined. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op = "", ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

/** .dockerignore patterns as regular expressions (the subset used: `**`, `*`, plain paths). */
const ignored = read(".dockerignore")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"))
  .map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/\./g, "\\.")
          .replace(/\*\*\//g, "(.*/)?")
          .replace(/\*/g, "[^/]*")}(/.*)?$`,
      ),
  );

describe("Dockerfiles", () => {
  const dockerfiles = readdirSync(join(deploy, "docker")).filter((f) => f.endsWith(".Dockerfile"));
  const workspaces: string[] = JSON.parse(read("package.json")).workspaces;

  it.each(dockerfiles)("%s copies only files that exist and are in the build context", (file) => {
    for (const { op, args } of instructions(readFileSync(join(deploy, "docker", file), "utf8"))) {
      if (op !== "COPY" || args.includes("--from=")) continue;
      const paths = args.split(/\s+/).filter((a) => !a.startsWith("--"));
      for (const source of paths.slice(0, -1)) {
        expect(existsSync(join(root, source)), `${file}: ${source}`).toBe(true);
        expect(
          ignored.some((re) => re.test(relative(root, join(root, source)))),
          `${file}: ${source} is .dockerignored`,
        ).toBe(false);
      }
    }
  });

  it.each(dockerfiles)("%s runs as a non-root user from pinned base images", (file) => {
    const ops = instructions(readFileSync(join(deploy, "docker", file), "utf8"));
    const args = Object.fromEntries(
      ops.filter((o) => o.op === "ARG").map((o) => o.args.split("=") as [string, string]),
    );
    for (const from of ops.filter((o) => o.op === "FROM")) {
      const image = from.args.split(/\s+/)[0]?.replace(/^\$\{(\w+)\}$/, (_, a) => args[a] ?? "") ?? "";
      expect(image, file).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
    const lastFrom = ops.findLastIndex((o) => o.op === "FROM");
    const user = ops.slice(lastFrom).findLast((o) => o.op === "USER");
    // The nginx-unprivileged base image sets its own non-root user (101).
    if (!file.startsWith("web")) expect(user?.args, file).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
  });

  it.each(dockerfiles.filter((f) => f !== "web.Dockerfile"))(
    "%s installs every workspace before `npm ci` and runs facedrift",
    (file) => {
      const ops = instructions(readFileSync(join(deploy, "docker", file), "utf8"));
      const ci = ops.findIndex((o) => o.op === "RUN" && o.args.includes("npm ci"));
      const copied = ops.slice(0, ci).flatMap((o) => (o.op === "COPY" ? o.args.split(/\s+/) : []));
      for (const workspace of workspaces)
        expect(copied, `${file}: ${workspace}`).toContain(`${workspace}/package.json`);
      expect(ops.find((o) => o.op === "ENTRYPOINT")?.args).toBe('["facedrift"]');
    },
  );

  it("the server image builds the web app where `serve` looks for it, and checks /healthz", () => {
    const server = instructions(read("deploy/docker/server.Dockerfile"));
    expect(server).toContainEqual({ op: "RUN", args: "NODE_ENV=production npm run build -w web" });
    const webRoot = read("server/src/cli/commands/serve.ts").match(
      /new URL\("([^"]*web\/build)", import\.meta\.url\)/,
    )?.[1];
    expect(webRoot).toBeDefined();
    expect(resolve(root, "server/src/cli/commands", webRoot ?? "")).toBe(join(root, "web/build"));
    expect(server.find((o) => o.op === "HEALTHCHECK")?.args).toContain("/healthz");
    expect(server.find((o) => o.op === "CMD")?.args).toBe('["serve"]');
    const template = read("deploy/docker/web.nginx.conf.template");
    expect(template).toMatch(/location \/v1\/ \{\s*proxy_pass \$\{FACEDRIFT_API_UPSTREAM\};/);
    expect(read("deploy/docker/web.Dockerfile")).toContain("ENV FACEDRIFT_API_UPSTREAM=");
  });
});
