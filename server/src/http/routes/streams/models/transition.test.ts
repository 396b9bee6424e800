/**
 * A stream's model transition through the API, on in-process PGlite and on the real PostgreSQL:
 * a candidate beside the current model, ingestion routed by model, each track with its own
 * reference and batch check, promotion (the old model's history stays readable under its track
 * name), drop, and bad input refused naming the field with nothing written.
 */
import { syntheticModel } from "@facedrift/stats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIM, MODEL, synthetic } from "../../../../batch/testing/fixture.ts";
import { postgresAvailable } from "../../../../db/testing/postgres-database.ts";
import { createTestApp, type TestAppDatabase } from "../../../test-app.ts";

const CANDIDATE = { id: "wide", version: "2" };
const WIDE = 32;
const wide = syntheticModel({ dimension: WIDE, modelSeed: 11 });

const itemsOf = (x: Float32Array, dim: number, prefix: string) =>
  Array.from({ length: x.length / dim }, (_, i) => ({
    id: `${prefix}-${i}`,
    ts: Date.parse("2026-11-20T00:00:00Z") + i * 1000,
    embedding_b64: Buffer.from(x.buffer, x.byteOffset + i * dim * 4, dim * 4).toString("base64"),
  }));

const over: TestAppDatabase[] = postgresAvailable ? ["in-process", "postgres"] : ["in-process"];

describe.each(over)("model transition (%s)", (database) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let admin: string;
  let ingest: string;
  const post = (path: string, json?: unknown, key = admin) => t.call("POST", path, { key, json });
  const get = (path: string) => t.call("GET", path, { key: admin });
  const models = async () => (await get("/v1/streams/cam/models")).body;

  beforeAll(async () => {
    t = await createTestApp({}, { over: database });
    admin = await t.keyFor("acme", ["admin"]);
    ingest = await t.keyFor("acme", ["ingest"]);
    const first = await post(
      "/v1/streams/cam/embeddings",
      { model: MODEL, items: itemsOf(synthetic.sample(600, 1), DIM, "old") },
      ingest,
    );
    expect(first.status).toBe(200);
    expect(first.body.transition).toBeUndefined();
  }, 120_000);
  afterAll(() => t?.close());

  it("lists one current model before any transition", async () => {
    const body = await models();
    expect(body.stream).toBe("cam");
    expect(body.tracks).toHaveLength(1);
    expect(body.tracks[0]).toMatchObject({ name: "cam", role: "current", model: MODEL, dimension: DIM });
  });

  it.each([
    [{ model: CANDIDATE }, "dimension"],
    [{ model: CANDIDATE, dimension: WIDE, samplingShare: 0 }, "samplingShare"],
    [{ model: CANDIDATE, dimension: WIDE, samplingShare: 1.5 }, "samplingShare"],
    [{ model: { id: "has/slash", version: "1" }, dimension: WIDE }, "model.id"],
    [{ model: CANDIDATE, dimension: WIDE, extra: 1 }, "extra"],
  ])("refuses a bad candidate %j naming %s, writing nothing", async (body, field) => {
    const res = await post("/v1/streams/cam/candidate", body);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect((await models()).tracks).toHaveLength(1);
  });

  it("refuses the current model as candidate (409) and an unknown stream (404)", async () => {
    const same = await post("/v1/streams/cam/candidate", { model: MODEL, dimension: DIM });
    expect(same.status).toBe(409);
    expect(same.body.error.field).toBe("model");
    const missing = await post("/v1/streams/nope/candidate", { model: CANDIDATE, dimension: WIDE });
    expect(missing.status).toBe(404);
    expect((await models()).tracks).toHaveLength(1);
  });

  it("sets a candidate with its own track", async () => {
    const res = await post("/v1/streams/cam/candidate", {
      model: CANDIDATE,
      dimension: WIDE,
      samplingShare: 0.5,
    });
    expect(res.status).toBe(201);
    expect(res.body.tracks.map((track: { name: string; role: string }) => [track.name, track.role])).toEqual([
      ["cam", "current"],
      ["cam~wide@2", "candidate"],
    ]);
    expect(res.body.tracks[1]).toMatchObject({ model: CANDIDATE, dimension: WIDE, samplingShare: 0.5 });
    // Only one candidate at a time.
    const other = await post("/v1/streams/cam/candidate", {
      model: { id: "third", version: "1" },
      dimension: 8,
    });
    expect(other.status).toBe(409);
    expect(other.body.error.field).toBe("model");
    // The list of streams shows the stream, not its tracks.
    const listed = await get("/v1/streams");
    expect(JSON.stringify(listed.body)).not.toContain("cam~");
  });

  it("routes the candidate's embeddings to its track and tells devices the sampling share", async () => {
    const res = await post(
      "/v1/streams/cam/embeddings",
      { model: CANDIDATE, items: itemsOf(wide.sample(400, 2), WIDE, "new") },
      ingest,
    );
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(400);
    expect(res.body.transition).toEqual({
      current: { model: MODEL, dimension: DIM },
      candidate: { model: CANDIDATE, dimension: WIDE, samplingShare: 0.5 },
    });
    expect((await get("/v1/streams/cam")).body.embeddingCount).toBe(600);
    expect((await get("/v1/streams/cam~wide@2")).body).toMatchObject({
      embeddingCount: 400,
      model: CANDIDATE,
    });
    // The current model's answers carry the hint too.
    const current = await post(
      "/v1/streams/cam/embeddings",
      { model: MODEL, items: itemsOf(synthetic.sample(1, 9), DIM, "old") },
      ingest,
    );
    expect(current.body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(current.body.transition.candidate.samplingShare).toBe(0.5);
  });

  it("refuses a candidate embedding of the wrong size, another model, or a track that does not exist", async () => {
    const wrongSize = await post(
      "/v1/streams/cam/embeddings",
      { model: CANDIDATE, items: itemsOf(synthetic.sample(2, 3), DIM, "bad") },
      ingest,
    );
    expect(wrongSize.status).toBe(400);
    expect(wrongSize.body.error.field).toBe("items[0].embedding_b64");
    const third = await post(
      "/v1/streams/cam/embeddings",
      { model: { id: "third", version: "1" }, items: itemsOf(wide.sample(1, 3), WIDE, "third") },
      ingest,
    );
    expect(third.status).toBe(409);
    expect(third.body.error.field).toBe("model");
    expect(third.body.error.message).toMatch(/candidate \(POST \/v1\/streams\/cam\/candidate\)/);
    const noTrack = await post(
      "/v1/streams/cam~third@1/embeddings",
      { model: { id: "third", version: "1" }, items: itemsOf(wide.sample(1, 3), WIDE, "third") },
      ingest,
    );
    expect(noTrack.status).toBe(404);
    expect(noTrack.body.error.field).toBe("stream");
    expect((await get("/v1/streams/cam~wide@2")).body.embeddingCount).toBe(400);
    expect((await get("/v1/streams/cam~third@1")).status).toBe(404);
  });

  it("gives each track its own reference and batch check, and promotes only a candidate with a reference", async () => {
    const early = await post("/v1/streams/cam/candidate/promote");
    expect(early.status).toBe(409);
    expect(early.body.error.field).toBe("candidate");
    expect((await models()).tracks[0].model).toEqual(MODEL);

    expect((await post("/v1/streams/cam/reference", { last: 600 })).status).toBe(201);
    const fit = await post("/v1/streams/cam~wide@2/reference", { last: 400 });
    expect(fit.status).toBe(201);
    const tracks = (await models()).tracks;
    expect(tracks.map((track: { activeReference: number }) => track.activeReference)).toEqual([1, 1]);
    const check = await post("/v1/streams/cam~wide@2/checks", { last: 200 });
    expect(check.status).toBe(201);
    expect((await get("/v1/streams/cam/runs")).body.runs).toHaveLength(0);
  });

  it("promotes the candidate: the stream takes its model, the old one stays readable", async () => {
    const res = await post("/v1/streams/cam/candidate/promote");
    expect(res.status).toBe(200);
    expect(res.body.tracks.map((track: { name: string; role: string }) => [track.name, track.role])).toEqual([
      ["cam", "current"],
      ["cam~synthetic@1", "retired"],
    ]);
    expect(res.body.tracks[0].promotedAt).not.toBeNull();
    expect((await get("/v1/streams/cam")).body).toMatchObject({ model: CANDIDATE, embeddingCount: 400 });
    // The candidate's run moved with its track to the stream's name.
    expect((await get("/v1/streams/cam/runs")).body.runs).toHaveLength(1);
    const old = await get("/v1/streams/cam~synthetic@1");
    expect(old.body).toMatchObject({ model: MODEL, embeddingCount: 600 });
    expect((await get("/v1/streams/cam~synthetic@1/references")).status).toBe(200);
    // A late batch of the old model (an offline outbox) joins the old model's history.
    const late = await post(
      "/v1/streams/cam/embeddings",
      { model: MODEL, items: itemsOf(synthetic.sample(3, 4), DIM, "late") },
      ingest,
    );
    expect(late.status).toBe(200);
    expect(late.body.transition).toEqual({ current: { model: CANDIDATE, dimension: WIDE }, candidate: null });
    expect((await get("/v1/streams/cam~synthetic@1")).body.embeddingCount).toBe(603);
    expect((await get("/v1/streams/cam")).body.embeddingCount).toBe(400);
  });

  it("drops a candidate (404 without one) and brings a retired model back with its history", async () => {
    const none = await t.call("DELETE", "/v1/streams/cam/candidate", { key: admin });
    expect(none.status).toBe(404);
    expect(none.body.error.field).toBe("candidate");
    const wrongDim = await post("/v1/streams/cam/candidate", { model: MODEL, dimension: 16 });
    expect(wrongDim.status).toBe(409);
    expect(wrongDim.body.error.field).toBe("dimension");
    const back = await post("/v1/streams/cam/candidate", { model: MODEL, dimension: DIM });
    expect(back.status).toBe(201);
    expect(back.body.tracks[1]).toMatchObject({
      name: "cam~synthetic@1",
      role: "candidate",
      embeddingCount: 603,
      activeReference: 1,
    });
    const dropped = await t.call("DELETE", "/v1/streams/cam/candidate", { key: admin });
    expect(dropped.status).toBe(200);
    expect(dropped.body.tracks.map((track: { role: string }) => track.role)).toEqual(["current", "retired"]);
  });

  it("compares the tracks side by side: drift state, verification, quality", async () => {
    const items = itemsOf(wide.sample(3, 21), WIDE, "q").map((item, i) => ({
      ...item,
      metadata: { quality: { faceSize: 100 + i * 10, blur: 50, embeddingNorm: "not a number" } },
    }));
    expect((await post("/v1/streams/cam/embeddings", { model: CANDIDATE, items }, ingest)).status).toBe(200);
    const res = await get("/v1/streams/cam/models/comparison");
    expect(res.status).toBe(200);
    const [current, retired] = res.body.tracks;
    expect(current).toMatchObject({
      name: "cam",
      role: "current",
      summary: { state: expect.any(String), reference: { version: 1 }, lastRun: { status: "succeeded" } },
      verification: null,
      quality: { embeddings: 3, medians: { faceSize: 110, blur: 50 } },
    });
    expect(current.quality.medians.embeddingNorm).toBeUndefined();
    expect(retired).toMatchObject({
      name: "cam~synthetic@1",
      role: "retired",
      summary: { reference: { version: 1 } },
    });
    expect(retired.quality.embeddings).toBe(0);
  });

  it("erases a subject from every model track of the stream", async () => {
    const withDevice = (items: ReturnType<typeof itemsOf>) =>
      items.map((item) => ({ ...item, device: "phone-9" }));
    const current = await post(
      "/v1/streams/cam/embeddings",
      { model: CANDIDATE, items: withDevice(itemsOf(wide.sample(2, 31), WIDE, "subject")) },
      ingest,
    );
    expect(current.status).toBe(200);
    const late = await post(
      "/v1/streams/cam/embeddings",
      { model: MODEL, items: withDevice(itemsOf(synthetic.sample(2, 32), DIM, "subject")) },
      ingest,
    );
    expect(late.status).toBe(200);
    const before = [
      (await get("/v1/streams/cam")).body.embeddingCount,
      (await get("/v1/streams/cam~synthetic@1")).body.embeddingCount,
    ];
    const erased = await t.call("DELETE", "/v1/streams/cam/embeddings?device=phone-9", { key: admin });
    expect(erased.status).toBe(200);
    expect(erased.body.deleted).toBe(4);
    expect((await get("/v1/streams/cam")).body.embeddingCount).toBe(before[0] - 2);
    expect((await get("/v1/streams/cam~synthetic@1")).body.embeddingCount).toBe(before[1] - 2);
  });

  it("needs an admin key to change the transition and refuses track names where a stream is meant", async () => {
    const reader = await t.keyFor("acme", ["read"]);
    expect((await post("/v1/streams/cam/candidate/promote", undefined, reader)).status).toBe(403);
    expect((await t.call("GET", "/v1/streams/cam/models", { key: reader })).status).toBe(200);
    const onTrack = await post("/v1/streams/cam~synthetic@1/candidate", {
      model: { id: "x", version: "1" },
      dimension: 4,
    });
    expect(onTrack.status).toBe(400);
    expect(onTrack.body.error.field).toBe("stream");
  });
});
