// No build step: register tsx so the worker's TypeScript runs as it is (as bin/facedrift.mjs does).
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
