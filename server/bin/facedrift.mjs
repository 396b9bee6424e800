#!/usr/bin/env node
// No build step: register tsx so the TypeScript sources run as they are.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
