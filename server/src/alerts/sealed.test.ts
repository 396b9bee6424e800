/**
 * Channel secrets at rest: the AES-GCM seal itself (round trip, wrong key, wrong tenant, tampering),
 * channels created through the API stored sealed yet delivered with their real secret, and the
 * start-up pass that seals what was stored in clear and refuses a missing or changed key.
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../db/database.ts";
import { alertChannels } from "../db/schema/alert-channel.ts";
import { createTestApp } from "../http/test-app.ts";
import { dispatchNotification } from "./dispatcher.ts";
import { createDrizzleAlertStore } from "./drizzle-store.ts";
import { sealStoredSecrets } from "./seal-stored.ts";
import { open, parseSecretKey, SealedSecretError, seal, setSecretKey } from "./sealed.ts";
import { sampleNotification } from "./testing/alert.ts";
import { type Peer, reply, startPeer } from "./testing/peer.ts";
import { verifySignature } from "./webhook/index.ts";

const KEY = randomBytes(32);
const OTHER = randomBytes(32);
const SECRET = "whsec-the-receiver-checks-this";

describe("seal and open", () => {
  it("round-trips any text under its key and context, and nothing else opens it", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1e6 }), (text, tenant) => {
        const sealed = seal(text, KEY, `ctx:${tenant}`);
        expect(open(sealed, KEY, `ctx:${tenant}`)).toBe(text);
        expect(() => open(sealed, OTHER, `ctx:${tenant}`)).toThrow(SealedSecretError);
        expect(() => open(sealed, KEY, `ctx:${tenant + 1}`)).toThrow(SealedSecretError);
      }),
      { numRuns: 50 },
    );
    const sealed = seal("secret", KEY, "ctx");
    expect(() => open(sealed, null, "ctx")).toThrow(/FACEDRIFT_SECRET_KEY is not set/);
    // Any flipped character of the ciphertext or tag fails authentication.
    const tampered = `${sealed.slice(0, -2)}${sealed.at(-2) === "A" ? "B" : "A"}${sealed.at(-1)}`;
    expect(() => open(tampered, KEY, "ctx")).toThrow(SealedSecretError);
    // A fresh nonce each time: the same secret never seals to the same text.
    expect(seal("secret", KEY, "ctx")).not.toBe(sealed);
  });

  it("takes a 32-byte key as base64 or hex only", () => {
    expect(parseSecretKey(KEY.toString("base64"))).toEqual(KEY);
    expect(parseSecretKey(KEY.toString("hex"))).toEqual(KEY);
    expect(() => parseSecretKey(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
    expect(() => parseSecretKey("correct horse battery staple, long enough?")).toThrow(/32 bytes/);
  });
});

describe("channels with FACEDRIFT_SECRET_KEY", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let admin: string;
  let peer: Peer | undefined;
  beforeAll(async () => {
    t = await createTestApp({ secretKey: KEY });
    admin = await t.keyFor("acme", ["admin"]);
  });
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });
  afterAll(async () => {
    setSecretKey(null);
    await t.close();
  });

  const storedConfigs = async () =>
    (await queryRows<{ config: string }>(t.db, sql`SELECT config::text AS config FROM alert_channels`)).map(
      (r) => r.config,
    );

  it("stores the config sealed, lists it redacted, and delivers with the real secret", async () => {
    peer = await startPeer((_, res) => reply(res, 204));
    const created = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: { type: "webhook", name: "ops", url: `${peer.url}/hook`, secret: SECRET },
    });
    expect(created.status).toBe(201);
    expect(created.body.config).toEqual({ type: "webhook", url: `${peer.url}/hook`, secret: "********" });
    const [stored] = await storedConfigs();
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain("/hook");
    expect(JSON.parse(stored as string)).toEqual({ type: "webhook", sealed: expect.stringMatching(/^v1\./) });

    const tenantId = Number(
      (await queryRows<{ id: string }>(t.db, sql`SELECT tenant_id::text AS id FROM alert_channels`))[0]?.id,
    );
    const summary = await dispatchNotification(
      sampleNotification({ incident: { tenantId } }),
      createDrizzleAlertStore(t.db),
    );
    expect(summary).toMatchObject({ delivered: 1, failed: 0 });
    const [request] = peer.requests;
    expect(verifySignature(request!.body, request!.headers["x-facedrift-signature"] as string, SECRET)).toBe(
      true,
    );
  });

  it("seals the VAPID private key it generates", async () => {
    const res = await t.call("GET", "/v1/push/vapid-public-key", { key: admin });
    expect(res.status).toBe(200);
    const [row] = await queryRows<{ private_key: string }>(t.db, sql`SELECT private_key FROM vapid_keys`);
    expect(row?.private_key).toMatch(/^v1\./);
    const opened = await createDrizzleAlertStore(t.db).vapidKeys.get();
    expect(opened?.privateKey).not.toMatch(/^v1\./);
    expect(opened?.publicKey).toBe(res.body.publicKey);
  });

  it("at start, seals what was stored in clear, and refuses a missing or changed key", async () => {
    await t.db.insert(alertChannels).values({
      tenantId: Number(
        (await queryRows<{ id: string }>(t.db, sql`SELECT id::text AS id FROM tenants LIMIT 1`))[0]?.id,
      ),
      name: "legacy",
      type: "slack",
      config: { type: "slack", url: "https://hooks.slack.com/services/T000/B000/legacy-token" },
    });
    expect(await sealStoredSecrets(t.db, KEY)).toEqual({ sealed: 1, opened: 2, clear: 0 });
    expect((await storedConfigs()).join()).not.toContain("legacy-token");
    expect(await sealStoredSecrets(t.db, KEY)).toEqual({ sealed: 0, opened: 3, clear: 0 });
    await expect(sealStoredSecrets(t.db, null)).rejects.toThrow(/FACEDRIFT_SECRET_KEY is not set/);
    await expect(sealStoredSecrets(t.db, OTHER)).rejects.toThrow(/another FACEDRIFT_SECRET_KEY/);
    const [legacy] = await t.db
      .select({ config: alertChannels.config })
      .from(alertChannels)
      .where(eq(alertChannels.name, "legacy"));
    expect(Object.keys(legacy?.config ?? {})).toEqual(["type", "sealed"]);
  });
});
