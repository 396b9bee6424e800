/**
 * Test-only: finds `kubectl` (Debian package `kubernetes-client`, which has `kubectl kustomize`),
 * installing it with apt when the tests run as root on a Debian-like machine, as CI does, so the
 * overlays in deploy/k8s are rendered by kustomize itself. Returns why not when it cannot; under
 * CI that is an error, since the overlays would go unchecked.
 */
import { execFileSync, spawnSync } from "node:child_process";

export type Kubectl = { path: string } | { skip: string };

function which(name: string): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function install(): string | undefined {
  if (process.getuid?.() !== 0) return "kubectl is not installed and the tests are not root";
  if (!which("apt-get")) return "kubectl is not installed and apt-get is unavailable";
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args: string[]) => execFileSync("apt-get", args, { env, stdio: "ignore", timeout: 240_000 });
  try {
    apt(["install", "-y", "-qq", "kubernetes-client"]);
  } catch {
    try {
      apt(["update", "-qq"]);
      apt(["install", "-y", "-qq", "kubernetes-client"]);
    } catch (error) {
      return `apt-get install kubernetes-client failed: ${String(error)}`;
    }
  }
  return which("kubectl") ? undefined : "apt installed kubernetes-client but kubectl is not on PATH";
}

export function findKubectl(): Kubectl {
  const existing = which("kubectl");
  if (existing) return { path: existing };
  const reason = install();
  if (reason === undefined) return { path: which("kubectl") as string };
  if (process.env.CI) throw new Error(`the kustomize overlays cannot be rendered under CI: ${reason}`);
  return { skip: `${reason} (apt-get install kubernetes-client)` };
}

/** `kubectl kustomize <dir>`: the overlay as the cluster would receive it. */
export function kustomize(kubectl: { path: string }, dir: string): string {
  return execFileSync(kubectl.path, ["kustomize", dir], { encoding: "utf8", timeout: 60_000 });
}
