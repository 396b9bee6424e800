/**
 * Lints what `deploy/` ships, since Docker and a cluster cannot run here: every Kubernetes object
 * is validated against the API's schema (kubernetes-models, offline) and checked for what this
 * project relies on (probes on the right paths and port, resources, non-root pods, GPU placement);
 * every environment variable the manifests set is one the server reads; commands are real CLI
 * commands; compose services, Prometheus and the Dockerfiles point at files that exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

const root = join(import.meta.dirname, "..");
const deploy = join(root, "deploy");
const read = (path: string) => readFileSync(join(root, path), "utf8");

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is checked field by field below.
type Obj = any;

const k8sDir = join(deploy, "k8s");
const k8sFiles = readdirSync(k8sDir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
const kustomization: Obj = parse(readFileSync(join(k8sDir, "kustomization.yaml"), "utf8"));
const objects: { file: string; obj: Obj }[] = k8sFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(join(k8sDir, file), "utf8")).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return { file, obj: doc.toJS() };
  }),
);
const ofKind = (kind: string) => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj);
const named = (kind: string, name: string): Obj => {
  const found = ofKind(kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const compose: Obj = parse(readFileSync(join(deploy, "compose.yaml"), "utf8"));

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
  AWS_ACCESS_KEY_ID: "the AWS SDK's credential chain (archive store)",
  AWS_SECRET_ACCESS_KEY: "the AWS SDK's credential chain (archive store)",
};

/** CLI commands registered in server/src/cli/main.ts, read from each command's file. */
function cliCommands(): Set<string> {
  const commands = new Set<string>();
  for (const m of read("server/src/cli/main.ts").matchAll(/from "\.\/commands\/([a-z-]+)\.ts"/g)) {
    const top = read(`server/src/cli/commands/${m[1]}.ts`).match(/program\s*\.command\("([a-z-]+)"\)/);
    if (top) commands.add(top[1] as string);
  }
  return commands;
}
/** Commands the manifests use before they exist; each manifest using one says PLANNED. None now. */
const PLANNED_COMMANDS: string[] = [];

const podSpecs = () =>
  ofKind("Deployment").map((d) => ({
    name: d.metadata.name as string,
    file: objects.find((o) => o.obj === d)?.file ?? "",
    spec: d.spec.template.spec,
  }));

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

describe("Kubernetes manifests", () => {
  it("kustomization lists exactly the manifest files", () => {
    expect([...kustomization.resources].sort()).toEqual([...k8sFiles].sort());
  });

  it.each(objects.map((o) => [`${o.file} ${o.obj?.kind}`, o.obj]))(
    "%s validates against the Kubernetes schema",
    async (_, obj) => {
      expect(obj.apiVersion).toBeTruthy();
      expect(obj.kind).toBeTruthy();
      expect(obj.metadata?.name).toBeTruthy();
      // kubernetes-models lays its classes out as <group>/<version>/<Kind> ("v1/Service" for core).
      const module = await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`);
      expect(() => new module[obj.kind](obj).validate()).not.toThrow();
    },
  );

  it("the server Deployment probes /healthz (liveness) and /readyz (readiness) on the port it listens on", () => {
    const server = named("Deployment", "facedrift-server");
    expect(server.spec.replicas).toBeGreaterThanOrEqual(2);
    const [container] = server.spec.template.spec.containers;
    const port = (ref: string | number) =>
      typeof ref === "number" ? ref : container.ports.find((p: Obj) => p.name === ref)?.containerPort;
    const listens = Number(named("ConfigMap", "facedrift-config").data.PORT);
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    expect(container.startupProbe.httpGet.path).toBe("/healthz");
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(port(probe.httpGet.port)).toBe(listens);
    }
  });

  it.each(podSpecs().map((p) => [p.name, p.spec]))(
    "%s: resources, non-root, read-only root filesystem",
    (_, spec) => {
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const container of spec.containers) {
        expect(container.resources.requests.cpu, container.name).toBeTruthy();
        expect(container.resources.requests.memory, container.name).toBeTruthy();
        expect(container.resources.limits.memory, container.name).toBeTruthy();
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
        expect(container.securityContext.capabilities.drop).toContain("ALL");
        // Images are pinned by kustomization's `images`, never pulled as :latest.
        expect(kustomization.images.map((i: Obj) => i.name)).toContain(container.image);
      }
    },
  );

  it("the replica runs on GPU nodes with one GPU each", () => {
    const spec = named("Deployment", "facedrift-replica").spec.template.spec;
    expect(spec.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    expect(spec.tolerations).toContainEqual(
      expect.objectContaining({ key: "nvidia.com/gpu", effect: "NoSchedule" }),
    );
    expect(spec.containers[0].resources.limits["nvidia.com/gpu"]).toBe(1);
  });

  it("Services, the PodDisruptionBudget and the Ingress point at pods and ports that exist", () => {
    const pods = ofKind("Deployment").map((d) => d.spec.template);
    const podsFor = (selector: Record<string, string>) =>
      pods.filter((t) => Object.entries(selector).every(([k, v]) => t.metadata.labels[k] === v));
    for (const service of ofKind("Service")) {
      const [pod] = podsFor(service.spec.selector);
      expect(pod, service.metadata.name).toBeDefined();
      for (const p of service.spec.ports) {
        expect(pod.spec.containers.flatMap((c: Obj) => c.ports.map((q: Obj) => q.name))).toContain(
          p.targetPort,
        );
      }
    }
    for (const pdb of ofKind("PodDisruptionBudget"))
      expect(podsFor(pdb.spec.selector.matchLabels)).toHaveLength(1);
    for (const rule of ofKind("Ingress").flatMap((i) => i.spec.rules)) {
      for (const path of rule.http.paths) {
        const service = named("Service", path.backend.service.name);
        expect(service.spec.ports.map((p: Obj) => p.name)).toContain(path.backend.service.port.name);
      }
    }
    // The server serves the web app and the API on one origin: everything goes to it.
    const paths = ofKind("Ingress").flatMap((i) => i.spec.rules.flatMap((r: Obj) => r.http.paths));
    expect(paths).toContainEqual(
      expect.objectContaining({
        path: "/",
        backend: expect.objectContaining({ service: expect.objectContaining({ name: "facedrift-server" }) }),
      }),
    );
  });

  it("every variable set for the server is one it reads, and the required ones are set", () => {
    const config = named("ConfigMap", "facedrift-config").data;
    const secret = named("Secret", "facedrift-secrets").stringData;
    const set = [...Object.keys(config), ...Object.keys(secret)];
    for (const { spec } of podSpecs()) {
      for (const c of spec.containers) for (const e of c.env ?? []) set.push(e.name);
    }
    for (const name of set) {
      expect(SERVER_ENV.has(name) || name in OTHER_ENV, `${name} is read by nobody`).toBe(true);
    }
    for (const name of REQUIRED_ENV) expect(Object.keys(secret)).toContain(name);
    const server = named("Deployment", "facedrift-server").spec.template.spec.containers[0];
    expect(server.envFrom.map((e: Obj) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([
      "facedrift-config",
      "facedrift-secrets",
    ]);
  });

  it("retention archives to object storage, since pod disks are ephemeral", () => {
    const config = named("ConfigMap", "facedrift-config").data;
    if (!["0", "off"].includes(config.FACEDRIFT_RETENTION_DAYS))
      expect(config.FACEDRIFT_ARCHIVE_S3_BUCKET).toBeTruthy();
  });

  it("containers run real CLI commands (planned ones say so)", () => {
    const commands = cliCommands();
    expect(commands).toContain("serve");
    for (const { file, spec } of podSpecs()) {
      for (const c of spec.containers.filter((x: Obj) => x.args)) {
        const command = c.args[0];
        if (PLANNED_COMMANDS.includes(command))
          expect(readFileSync(join(k8sDir, file), "utf8")).toContain("PLANNED");
        else expect(commands, `${file}: ${command}`).toContain(command);
      }
    }
  });
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
    expect(prometheus.rule_files).toEqual([`${rulesMount}/*.yml`]);
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
