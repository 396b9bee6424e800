import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../../env.ts";
import { registerActivateReference } from "./activate.ts";
import { registerExportReference } from "./export.ts";
import { registerGetReference } from "./get.ts";
import { registerListReferences } from "./get-all.ts";
import { registerImportReference } from "./import.ts";
import { registerFitReference } from "./post.ts";

/** The reference-version routes; `import` is registered before `{version}` so it is not read as one. */
export function registerReferenceRoutes(app: OpenAPIHono<AppEnv>): void {
  registerFitReference(app);
  registerListReferences(app);
  registerImportReference(app);
  registerGetReference(app);
  registerActivateReference(app);
  registerExportReference(app);
}
