import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../config/config.ts";
import { createApp } from "../http/app.ts";
import { createApiKey } from "../services/api-keys/create.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { migrateDatabase } from "./migrate.ts";
import { isDatabaseUnavailable } from "./outage.ts";
import { openPglite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";

describe("isDatabaseUnavailable", () => {
  it("recognises connection failures through drizzle's wrapper, and nothing else", async () => {
    // A port nothing listens on: postgres.js fails with Node's ECONNREFUSED.
    const nowhere = openPostgres("postgres://postgres@127.0.0.1:1/postgres", { max: 1 });
    const refused = await nowhere.client`SELECT 1`.catch((e: unknown) => e);
    await nowhere.close();
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: refused }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("admin shutdown"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("unique violation"), { code: "23505" }))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new Error("plain"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

/**
 * The HTTP answer while PostgreSQL is away: PGlite served over the wire protocol stands in for the
 * server (the machine's PostgreSQL has no pgvector); stopping the socket server drops the
 * connection the way a restart does.
 */
describe("the API while the database is unreachable", () => {
  const embedded = openPglite();
  let socket: PGLiteSocketServer;
  let port = 0;
  let database: ReturnType<typeof openPostgres>;
  let app: ReturnType<typeof createApp>;
  let key: string;

  const serveSocket = async () => {
    socket = new PGLiteSocketServer({ db: (await embedded).client, port, host: "127.0.0.1" });
    await socket.start();
    port = Number(socket.getServerConn().split(":")[1]);
  };
  const ingest = (id: string) =>
    app.request("/v1/streams/outage/embeddings", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: { id: "m", version: "1" },
        items: [{ id, ts: 1_790_000_000_000, embedding: [1, 0, 0] }],
      }),
    });

  beforeAll(async () => {
    await serveSocket();
    database = openPostgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, copy: false });
    await migrateDatabase(database);
    const tenantId = await ensureTenant(database.db, "default");
    key = (await createApiKey(database.db, { tenantId, name: "outage", scopes: ["ingest", "read"] })).secret;
    app = createApp({ database, config: DEFAULT_CONFIG });
  });
  afterAll(async () => {
    await database?.close();
    await socket?.stop();
    await (await embedded).close();
  });

  it("answers 503 with Retry-After, then serves again once the database is back", async () => {
    expect((await ingest("before")).status).toBe(200);

    await socket.stop();
    const down = await ingest("during");
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(await down.json()).toMatchObject({ error: { code: "unavailable" } });
    const notReady = await app.request("/readyz");
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get("retry-after")).toBe("5");

    await serveSocket();
    expect((await app.request("/readyz")).status).toBe(200);
    expect(await (await ingest("during")).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const listed = await app.request("/v1/streams/outage/embeddings", {
      headers: { authorization: `Bearer ${key}` },
    });
    const ids = ((await listed.json()) as { items: { id: string }[] }).items.map((item) => item.id);
    expect(ids.sort()).toEqual(["before", "during"]);
  });
});
