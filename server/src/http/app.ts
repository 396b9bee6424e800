import { OpenAPIHono } from "@hono/zod-openapi";
import { SESSION_COOKIE } from "../auth/middleware.ts";
import type { Config } from "../config/config.ts";
import { applyProcessSettings } from "../config/process-settings.ts";
import type { Database } from "../db/database.ts";
import { FacedriftError } from "../errors.ts";
import { publicIdsOf } from "../ids/public-ids.ts";
import { type Logger, silentLogger } from "../log.ts";
import { httpMetrics } from "../metrics/http.ts";
import { createMetrics, type Metrics } from "../metrics/metrics.ts";
import { readBodiesAfterRouteMiddleware } from "./body/guard-routes.ts";
import { checkUrlText } from "./body/url-text.ts";
import { addressKey, clientAddress, trustedProxiesOf } from "./client-address.ts";
import type { AppEnv } from "./env.ts";
import { fromZodError, handleError } from "./handle-error.ts";
import { anonymousBudget, RequestBudget } from "./rate-limit.ts";
import { requestLog } from "./request-log.ts";
import { registerAlertActivity } from "./routes/alert-activity/get.ts";
import { registerDeleteAlertChannel } from "./routes/alert-channels/delete.ts";
import { registerListAlertChannels } from "./routes/alert-channels/get-all.ts";
import { registerCreateAlertChannel } from "./routes/alert-channels/post.ts";
import { registerTestAlertChannel } from "./routes/alert-channels/test.ts";
import { registerAcknowledgeAlert } from "./routes/alerts/acknowledge.ts";
import { registerListAlertDeliveries } from "./routes/alerts/deliveries.ts";
import { registerListAlerts } from "./routes/alerts/get-all.ts";
import { registerRevokeApiKey } from "./routes/api-keys/delete.ts";
import { registerListApiKeys } from "./routes/api-keys/get-all.ts";
import { registerCreateApiKey } from "./routes/api-keys/post.ts";
import { registerHealth } from "./routes/health/get.ts";
import { registerGetImageJob } from "./routes/image-jobs/get.ts";
import { registerAcknowledgeIncident } from "./routes/incidents/acknowledge.ts";
import { registerGetIncident } from "./routes/incidents/get.ts";
import { registerListIncidents } from "./routes/incidents/get-all.ts";
import { registerResolveIncident } from "./routes/incidents/resolve.ts";
import { registerMetrics } from "./routes/metrics/get.ts";
import { registerUnsubscribePush } from "./routes/push/subscriptions/delete.ts";
import { registerListPushSubscriptions } from "./routes/push/subscriptions/get-all.ts";
import { registerSubscribePush } from "./routes/push/subscriptions/post.ts";
import { registerVapidPublicKey } from "./routes/push/vapid-public-key.ts";
import { registerSession } from "./routes/session/get.ts";
import { registerLogin } from "./routes/session/post.ts";
import { registerRunCheck } from "./routes/streams/checks/post.ts";
import { registerDeleteEmbeddings } from "./routes/streams/embeddings/delete.ts";
import { registerListEmbeddings } from "./routes/streams/embeddings/get.ts";
import { registerIngestEmbeddings } from "./routes/streams/embeddings/post.ts";
import { registerListDriftEvents } from "./routes/streams/events/get.ts";
import { registerGetStream } from "./routes/streams/get.ts";
import { registerListStreams } from "./routes/streams/get-all.ts";
import { registerUploadImages } from "./routes/streams/images/post.ts";
import { registerModelTransitionRoutes } from "./routes/streams/models/routes.ts";
import { registerPc1Snapshots } from "./routes/streams/pc1-snapshots/get.ts";
import { registerReferenceRoutes } from "./routes/streams/references/index.ts";
import { registerListRuns } from "./routes/streams/runs/get-all.ts";
import { registerStreamSeries } from "./routes/streams/series/get.ts";
import { registerGetStreamSettings } from "./routes/streams/settings/get.ts";
import { registerUpdateStreamSettings } from "./routes/streams/settings/patch.ts";
import { registerStreamSummaries } from "./routes/streams/summary/get-all.ts";
import { registerCreateUser } from "./routes/users/post.ts";
import { registerVerificationJobReads } from "./routes/verification-jobs/get.ts";
import { registerQueueVerification } from "./routes/verification-jobs/post.ts";
import { registerListVerificationRuns } from "./routes/verification-runs/get-all.ts";
import { corsForOrigins, securityHeaders } from "./security.ts";
import { serveWebApp } from "./web-app.ts";

export interface AppDeps {
  database: Database;
  config: Config;
  log?: Logger;
  /** Defaults to a fresh registry whose scrape-time collectors read `database`. */
  metrics?: Metrics;
  /** The built web app (`web/build`) to serve on the same origin; omitted, only the API is served. */
  webRoot?: string;
}

/**
 * The HTTP API (and, given `webRoot`, the web app). Runtime-neutral apart from the static files;
 * `cli/commands/serve.ts` binds it to Node.
 */
export function createApp({
  database,
  config,
  log = silentLogger,
  metrics = createMetrics({ db: database.db }),
  webRoot,
}: AppDeps): OpenAPIHono<AppEnv> {
  applyProcessSettings(config);
  const app = new OpenAPIHono<AppEnv>({
    // Every zod failure becomes the one error shape, naming the field and item.
    defaultHook: (result) => {
      if (!result.success) throw fromZodError(result.error, result.target);
    },
  });
  const trustedProxies = trustedProxiesOf(config);
  const budgets = {
    anonymous: new RequestBudget(config.anonymousRateLimitPerMinute),
    principal: new RequestBudget(config.rateLimitPerMinute),
  };
  app.use(async (c, next) => {
    const address = clientAddress(c, trustedProxies);
    c.set("clientAddress", address);
    c.set("clientAddressKey", addressKey(address));
    c.set("budgets", budgets);
    c.set("database", database);
    c.set("db", database.db);
    c.set("config", config);
    c.set("log", log);
    c.set("metrics", metrics);
    await next();
  });
  app.use(requestLog());
  app.use(httpMetrics());
  app.use(securityHeaders());
  app.use("/v1/*", corsForOrigins(config.corsOrigins));
  // Before routing, so nothing (no credential lookup, no body) is spent on an address over budget.
  app.use("/v1/*", anonymousBudget(SESSION_COOKIE));
  app.use("/v1/*", checkUrlText());
  app.use("/v1/*", async (c, next) => {
    c.set("ids", await publicIdsOf(database.db));
    await next();
  });
  app.onError(handleError);
  app.notFound(() => {
    throw new FacedriftError("not_found", "no such route");
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  // Bodies are read only after each route's own middleware (authentication): see http/body/.
  readBodiesAfterRouteMiddleware(app);

  registerHealth(app);
  registerMetrics(app);
  registerLogin(app);
  registerSession(app);
  registerListStreams(app);
  registerGetStream(app);
  registerIngestEmbeddings(app);
  registerListEmbeddings(app);
  registerUploadImages(app);
  registerGetImageJob(app);
  registerReferenceRoutes(app);
  registerRunCheck(app);
  registerListRuns(app);
  registerGetStreamSettings(app);
  registerUpdateStreamSettings(app);
  registerModelTransitionRoutes(app);
  registerCreateApiKey(app);
  registerListApiKeys(app);
  registerRevokeApiKey(app);
  registerCreateUser(app);
  registerListDriftEvents(app);
  registerDeleteEmbeddings(app);
  registerListIncidents(app);
  registerAlertActivity(app);
  registerGetIncident(app);
  registerAcknowledgeIncident(app);
  registerResolveIncident(app);
  registerListAlerts(app);
  registerAcknowledgeAlert(app);
  registerListAlertDeliveries(app);
  registerCreateAlertChannel(app);
  registerListAlertChannels(app);
  registerDeleteAlertChannel(app);
  registerTestAlertChannel(app);
  registerVapidPublicKey(app);
  registerSubscribePush(app);
  registerUnsubscribePush(app);
  registerListPushSubscriptions(app);
  registerListVerificationRuns(app);
  registerQueueVerification(app);
  registerVerificationJobReads(app);
  registerStreamSeries(app);
  registerPc1Snapshots(app);
  registerStreamSummaries(app);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Facedrift API",
      version: "1",
      description: "Drift monitoring for face-recognition embeddings",
    },
  });
  if (webRoot) serveWebApp(app, webRoot);
  return app;
}
