/**
 * Who may call what, checked on every route the OpenAPI document lists — so a route added later
 * is covered without anyone remembering to add it here:
 * - without credentials, every route answers 401, except the few that are public by design;
 * - an ingest-scoped key (what capture devices hold) reaches only ingestion;
 * - another tenant's admin key gets 404 for every route that names a stream or an id of this
 *   tenant, and none of its attempts changes this tenant's data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, DAY0, ingestAt, synthetic } from "../batch/testing/fixture.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { createTestApp } from "./test-app.ts";

type Route = { method: string; path: string };

/** Public by design, with the reason. */
const PUBLIC: Record<string, string> = {
  "GET /healthz": "probes",
  "GET /readyz": "probes",
  "POST /v1/session": "the login itself",
  "DELETE /v1/session": "logging out needs no session (it clears the cookie)",
  "GET /v1/push/vapid-public-key": "a public key the browser needs before it can subscribe",
};
/** What an ingest-scoped key may call. */
const INGEST = new Set(["POST /v1/streams/{stream}/embeddings", "POST /v1/streams/{stream}/images"]);
/** Routes that create what they name, so another tenant's call acts on its own namespace instead. */
const CREATES_OWN = new Set(["POST /v1/streams/{stream}/embeddings", "POST /v1/streams/{stream}/images"]);

const key = (r: Route) => `${r.method} ${r.path}`;

describe("authorization on every route", { timeout: 120_000 }, () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let routes: Route[];
  let admin: string;
  let ingest: string;
  let intruder: string;
  /** This tenant's ids, by the path they fill. */
  const ids: Record<string, string> = {};
  let exported: unknown;

  const snapshot = async () => ({
    stream: (await t.call("GET", "/v1/streams/cam", { key: admin })).body,
    embeddings: (await t.call("GET", "/v1/streams/cam/embeddings?limit=5", { key: admin })).body,
    references: (await t.call("GET", "/v1/streams/cam/references", { key: admin })).body,
    settings: (await t.call("GET", "/v1/streams/cam/settings", { key: admin })).body,
    alerts: (await t.call("GET", "/v1/alerts", { key: admin })).body,
    incidents: (await t.call("GET", "/v1/incidents", { key: admin })).body,
    channels: (await t.call("GET", "/v1/alert-channels", { key: admin })).body,
    keys: (await t.call("GET", "/v1/api-keys", { key: admin })).body,
  });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.keyFor("acme", ["admin"]);
    ingest = await t.keyFor("acme", ["ingest"]);
    intruder = await t.keyFor("globex", ["admin"]);
    const tenantId = await ensureTenant(t.db, "acme");
    await ingestAt(t.database, tenantId, "cam", synthetic.sample(1500, 1), DAY0, "calm");
    await ingestAt(
      t.database,
      tenantId,
      "cam",
      synthetic.sample(600, 2, { latentShift: 1, noiseScale: 12 }),
      DAY0 + 2 * DAY_MS,
      "shift",
    );
    const fit = await t.call("POST", "/v1/streams/cam/reference", { key: admin, json: { last: 2100 } });
    expect(fit.status).toBe(201);
    await t.call("POST", "/v1/streams/cam/reference", {
      key: admin,
      json: { window: { from: new Date(DAY0).toISOString(), to: new Date(DAY0 + DAY_MS).toISOString() } },
    });
    const check = await t.call("POST", "/v1/streams/cam/checks", { key: admin, json: { last: 600 } });
    expect(check.body.drift).toBe(true);
    const alerts = await t.call("GET", "/v1/alerts", { key: admin });
    ids["/v1/alerts/{id}"] = String(alerts.body.items[0].id);
    ids["/v1/incidents/{id}"] = String(alerts.body.items[0].incidentId);
    const channel = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: {
        type: "webhook",
        name: "ops",
        url: "http://127.0.0.1:9/hook",
        secret: "a-secret-of-16-chars-or-more",
      },
    });
    expect(channel.status).toBe(201);
    ids["/v1/alert-channels/{id}"] = String(channel.body.id);
    const listed = await t.call("GET", "/v1/api-keys", { key: admin });
    ids["/v1/api-keys/{id}"] = String(listed.body.keys[0].id);
    exported = (await t.call("GET", "/v1/streams/cam/references/1/export", { key: admin })).body;

    const doc = (await (await t.app.request("/openapi.json")).json()) as { paths: Record<string, object> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
  }, 120_000);
  afterAll(() => t?.close());

  /** The route's path with this tenant's stream and ids filled in. */
  function concrete(route: Route): string {
    let path = route.path.replace("{stream}", "cam").replace("{version}", "1");
    for (const [prefix, id] of Object.entries(ids)) {
      if (route.path.startsWith(prefix)) path = path.replace("{id}", id);
    }
    path = path.replace("{id}", "1");
    // A deletion by device must name one (else 400 before the stream is looked up).
    return key(route) === "DELETE /v1/streams/{stream}/embeddings" ? `${path}?device=phone-1` : path;
  }

  /** A body the route would accept from this tenant, so a 404 cannot be a 400 in disguise. */
  function bodyFor(route: Route): unknown {
    switch (key(route)) {
      case "POST /v1/streams/{stream}/reference":
        return { last: 100 };
      case "POST /v1/streams/{stream}/references/import":
        return exported;
      case "POST /v1/streams/{stream}/candidate":
        return { model: { id: "wide", version: "2" }, dimension: 8 };
      case "POST /v1/streams/{stream}/checks":
      case "PATCH /v1/streams/{stream}/settings":
      case "POST /v1/alerts/{id}/acknowledge":
        return {};
      default:
        return route.method === "GET" || route.method === "DELETE" ? undefined : {};
    }
  }

  it("lists the routes it checks (the document is the source)", () => {
    expect(routes.length).toBeGreaterThan(30);
    expect(routes).toContainEqual({ method: "POST", path: "/v1/streams/{stream}/embeddings" });
  });

  it("answers 401 without credentials, except where public by design", async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      if (PUBLIC[key(route)]) continue;
      const res = await t.call(route.method, concrete(route), { json: bodyFor(route) });
      if (res.status !== 401) wrong.push(`${key(route)} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("lets an ingest key reach ingestion only (403 elsewhere)", async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      if (PUBLIC[key(route)] || INGEST.has(key(route)) || route.path === "/v1/session") continue;
      const res = await t.call(route.method, concrete(route), { key: ingest, json: bodyFor(route) });
      if (res.status !== 403) wrong.push(`${key(route)} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("answers 404 to another tenant for every route naming this tenant's stream or ids, and changes nothing", async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    let checked = 0;
    for (const route of routes) {
      if (!/\{(stream|id|version)\}/.test(route.path) || CREATES_OWN.has(key(route))) continue;
      checked++;
      const path = concrete(route);
      const res = await t.call(route.method, path, { key: intruder, json: bodyFor(route) });
      if (res.status !== 404) wrong.push(`${key(route)} (${path}) → ${res.status}`);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(15);
    expect(await snapshot()).toEqual(before);
  });
});
