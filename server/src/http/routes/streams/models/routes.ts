/**
 * @module
 * A stream's model transition over HTTP: list its model tracks, set a candidate beside the current
 * model, promote it, or drop it (`services/stream-models/`).
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { compareTracks } from "../../../../services/stream-models/comparison.ts";
import { streamOf } from "../../../../services/stream-models/names.ts";
import { listTracks, publicTrack, type Track } from "../../../../services/stream-models/tracks.ts";
import {
  dropCandidate,
  promoteCandidate,
  setCandidate,
} from "../../../../services/stream-models/transition.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { CandidateBodySchema, ComparisonSchema, TracksSchema } from "./schema.ts";

const tracksBody = (stream: string, tracks: Track[]) => ({ stream, tracks: tracks.map(publicTrack) });
const tracksResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: TracksSchema } },
});

const list = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/models",
  summary: "The stream's model tracks: current, candidate and retired models",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema },
  responses: {
    200: tracksResponse("Current first, then the candidate, then retired models newest first"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

const compare = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/models/comparison",
  summary: "The stream's model tracks side by side: drift state, verification AUC/EER, quality",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema },
  responses: {
    200: {
      description: "Current first, then the candidate, then retired models newest first",
      content: { "application/json": { schema: ComparisonSchema } },
    },
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

const set = createRoute({
  method: "post",
  path: "/v1/streams/{stream}/candidate",
  summary: "Run a candidate model beside the stream's current one",
  description:
    "The candidate gets its own track (`stream~model@version`): embeddings of its model sent to the stream " +
    "go there, with their own reference, detectors and incidents. Capture stations and replicas embed " +
    "`samplingShare` of their faces with it too. Setting the same candidate again changes its share.",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: {
    params: StreamParamsSchema,
    body: { required: true, content: { "application/json": { schema: CandidateBodySchema } } },
  },
  responses: {
    201: tracksResponse("The stream's tracks now"),
    400: errorResponse("Invalid input; `field` names it"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
    409: errorResponse("The model is current already, another candidate is set, or the dimension differs"),
  },
});

const promote = createRoute({
  method: "post",
  path: "/v1/streams/{stream}/candidate/promote",
  summary: "Make the candidate the stream's current model",
  description:
    "The old current model is retired: its history stays readable under `stream~model@version`. " +
    "The candidate needs an active reference first.",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { params: StreamParamsSchema },
  responses: {
    200: tracksResponse("The stream's tracks now"),
    ...authErrors,
    404: errorResponse("No such stream, or it has no candidate"),
    409: errorResponse("The candidate has no active reference"),
  },
});

const drop = createRoute({
  method: "delete",
  path: "/v1/streams/{stream}/candidate",
  summary: "End the transition without switching: retire the candidate (its history stays readable)",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { params: StreamParamsSchema },
  responses: {
    200: tracksResponse("The stream's tracks now"),
    ...authErrors,
    404: errorResponse("No such stream, or it has no candidate"),
  },
});

export function registerModelTransitionRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(list, async (c) => {
    const name = c.req.valid("param").stream;
    return c.json(
      tracksBody(streamOf(name), await listTracks(c.var.db, c.var.principal.tenantId, name)),
      200,
    );
  });
  app.openapi(compare, async (c) => {
    const name = c.req.valid("param").stream;
    const tracks = await compareTracks(c.var.db, c.var.principal.tenantId, name);
    return c.json(publicIdsOut(c.var.ids, ComparisonSchema, { stream: streamOf(name), tracks }), 200);
  });
  app.openapi(set, async (c) => {
    const stream = c.req.valid("param").stream;
    const body = c.req.valid("json");
    const tracks = await setCandidate(c.var.database, {
      tenantId: c.var.principal.tenantId,
      stream,
      model: body.model,
      dimension: body.dimension,
      ...(body.samplingShare === undefined ? {} : { samplingShare: body.samplingShare }),
      actor: c.var.principal.actor,
    });
    return c.json(tracksBody(stream, tracks), 201);
  });
  app.openapi(promote, async (c) => {
    const stream = c.req.valid("param").stream;
    const step = { tenantId: c.var.principal.tenantId, stream, actor: c.var.principal.actor };
    return c.json(tracksBody(stream, await promoteCandidate(c.var.database, step)), 200);
  });
  app.openapi(drop, async (c) => {
    const stream = c.req.valid("param").stream;
    const step = { tenantId: c.var.principal.tenantId, stream, actor: c.var.principal.actor };
    return c.json(tracksBody(stream, await dropCandidate(c.var.database, step)), 200);
  });
}
