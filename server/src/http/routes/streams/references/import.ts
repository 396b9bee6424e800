import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { importReference } from "../../../../services/references/file.ts";
import { getReference } from "../../../../services/references/view.ts";
import { getStream } from "../../../../services/streams/get.ts";
import { ownBodyLimit } from "../../../body/json-body.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { ImportQuerySchema, ReferenceFileSchema, ReferenceSchema } from "./schema.ts";

/** Reference files are larger than other API bodies (FACEDRIFT_MAX_REFERENCE_FILE_BYTES). */
const referenceFileLimit = ownBodyLimit((config) => config.maxReferenceFileBytes);

const route = createRoute({
  method: "post",
  path: "/v1/streams/{stream}/references/import",
  summary: "Store an exported reference file as the stream's next version",
  description:
    "The file must be of the stream's model and dimension. Its size limit is its own " +
    "(FACEDRIFT_MAX_REFERENCE_FILE_BYTES, default 256 MiB), not the API body limit; " +
    "`facedrift reference import` has none.",
  security: bearer,
  middleware: [requireScope("admin"), referenceFileLimit] as const,
  request: {
    params: StreamParamsSchema,
    query: ImportQuerySchema,
    body: { required: true, content: { "application/json": { schema: ReferenceFileSchema } } },
  },
  responses: {
    201: {
      description: "The imported version",
      content: { "application/json": { schema: ReferenceSchema } },
    },
    400: errorResponse("Not a reference file, or of another dimension"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
    409: errorResponse("The file is for another model"),
    413: errorResponse("Larger than the reference file limit"),
  },
});

export function registerImportReference(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const stream = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    const { version } = await importReference(c.var.database, stream, c.req.valid("json"), {
      activate: c.req.valid("query").activate,
    });
    const reference = await getReference(c.var.db, stream.id, version);
    return c.json(publicIdsOut(c.var.ids, ReferenceSchema, reference), 201);
  });
}
