import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { FacedriftError } from "../../../../errors.ts";
import { fitReference, type ReferenceSource } from "../../../../services/references/fit.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { FitReferenceBodySchema, FittedReferenceSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/streams/{stream}/reference",
  summary: "Fit, calibrate and (by default) activate a new reference version",
  description:
    "From uploaded items of the stream's model, or from the stream's own stored embeddings (a receive-time " +
    "window or the latest N). Older versions are kept.",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: {
    params: StreamParamsSchema,
    body: { required: true, content: { "application/json": { schema: FitReferenceBodySchema } } },
  },
  responses: {
    201: {
      description: "The new version",
      content: { "application/json": { schema: FittedReferenceSchema } },
    },
    400: errorResponse("Invalid input; `field` names it"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
    409: errorResponse("Items of another model"),
  },
});

export function registerFitReference(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const given = (["items", "window", "last"] as const).filter((k) => body[k] !== undefined);
    if (given.length !== 1) {
      throw new FacedriftError("invalid_request", "give exactly one of items, window and last", {
        field: given[1] ?? "items",
      });
    }
    let source: ReferenceSource;
    if (body.items) {
      if (!body.model)
        throw new FacedriftError("invalid_request", "model is required with items", { field: "model" });
      source = { model: body.model, items: body.items };
    } else if (body.window) {
      source = { from: new Date(body.window.from), to: new Date(body.window.to) };
    } else {
      source = { last: body.last as number };
    }
    const o = body.options ?? {};
    const fitted = await fitReference(c.var.database, {
      tenantId: c.var.principal.tenantId,
      stream: c.req.valid("param").stream,
      source,
      options: {
        components: o.components,
        mmdSampleSize: o.mmd_sample_size,
        seed: o.seed,
        maxVectors: o.max_vectors,
        knnQueries: o.knn_queries,
        identityField: o.identity_field,
        description: body.description,
        activate: body.activate,
      },
    });
    return c.json(publicIdsOut(c.var.ids, FittedReferenceSchema, fitted), 201);
  });
}
