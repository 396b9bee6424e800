import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubPeer } from "../../../alerts/testing/github-peer.ts";
import { startJiraPeer } from "../../../alerts/testing/jira-peer.ts";
import { type Peer, reply, startPeer } from "../../../alerts/testing/peer.ts";
import { verifySignature } from "../../../alerts/webhook/index.ts";
import { queryRows } from "../../../db/database.ts";
import { createTestApp } from "../../test-app.ts";

const SECRET = "a-webhook-secret-of-some-length";
const b64url = (bytes: number) => Buffer.alloc(bytes, 7).toString("base64url");

describe("alert channels and web push API", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let admin: string;
  let read: string;
  let otherAdmin: string;
  let peer: Peer;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.keyFor("acme", ["admin"]);
    read = await t.keyFor("acme", ["read"]);
    otherAdmin = await t.keyFor("globex", ["admin"]);
    peer = await startPeer((request, response) =>
      request.path === "/down" ? reply(response, 500, "boom") : reply(response, 204),
    );
  }, 60_000);
  afterAll(async () => {
    await peer.close();
    await t.close();
  });

  it("creates a webhook channel, lists it redacted, and sends a signed test alert", async () => {
    const created = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: { type: "webhook", name: "ops", url: `${peer.url}/hook`, secret: SECRET },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "ops", type: "webhook", enabled: true });
    expect(JSON.stringify(created.body)).not.toContain(SECRET);

    const listed = await t.call("GET", "/v1/alert-channels", { key: read });
    expect(listed.body.items).toEqual([created.body]);
    expect(listed.body.items[0].config).toMatchObject({
      type: "webhook",
      url: `${peer.url}/hook`,
      secret: "********",
    });

    const test = await t.call("POST", `/v1/alert-channels/${created.body.id}/test`, { key: admin });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ delivered: true, attempts: 1, httpStatus: 204, error: null });

    // A generic webhook often carries its credential in the URL: masked in listings.
    const tokened = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: {
        type: "webhook",
        name: "tokened",
        url: `${peer.url}/hooks/0123456789abcdef0123/in?token=s3cr3t-t0ken&team=ops`,
        secret: SECRET,
      },
    });
    expect(tokened.body.config.url).toBe(`${peer.url}/hooks/********/in?token=********&team=********`);
    const listedAgain = await t.call("GET", "/v1/alert-channels", { key: read });
    expect(JSON.stringify(listedAgain.body)).not.toContain("s3cr3t-t0ken");
    expect(JSON.stringify(listedAgain.body)).not.toContain("0123456789abcdef0123");
    await t.call("DELETE", `/v1/alert-channels/${tokened.body.id}`, { key: admin });
    const request = peer.requests.at(-1)!;
    expect(request.path).toBe("/hook");
    const signature = String(request.headers["x-facedrift-signature"]);
    expect(verifySignature(request.body, signature, SECRET)).toBe(true);
    expect(verifySignature(request.body, signature, "another-secret-entirely")).toBe(false);
    expect(JSON.parse(request.body.toString())).toMatchObject({
      event: "incident.opened",
      incident: { stream: "facedrift-test", severity: "info", title: 'Test incident for channel "ops"' },
      finding: { title: 'Test notification for channel "ops"' },
    });
    // A test alert is not an alert: nothing lands in the delivery log.
    const logged = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM alert_deliveries`);
    expect(logged[0]?.n).toBe(0);
  });

  it("reports a failing peer in the test result", async () => {
    const created = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: { type: "webhook", url: `${peer.url}/down`, secret: SECRET },
    });
    expect(created.body.name).toMatch(/^webhook-[0-9a-f]{6}$/);
    const test = await t.call("POST", `/v1/alert-channels/${created.body.id}/test`, { key: admin });
    expect(test.body).toMatchObject({ delivered: false, attempts: 1, httpStatus: 500 });
    expect(test.body.error).toContain("500");
  });

  it("rejects bad configs naming the field, and duplicate names", async () => {
    const bad = async (json: unknown, field: string) => {
      const res = await t.call("POST", "/v1/alert-channels", { key: admin, json });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", field } } });
    };
    await bad({ type: "webhook", url: "ftp://x.example", secret: SECRET }, "url");
    await bad({ type: "webhook", url: "https://x.example", secret: "short" }, "secret");
    await bad({ type: "carrier-pigeon" }, "type");
    await bad(
      { type: "email", host: "smtp.example", from: "a@b.example", to: ["ok@b.example", "nope"] },
      "to[1]",
    );
    await bad({ type: "pagerduty", routingKey: "x" }, "routingKey");
    const dup = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: { type: "slack", name: "ops", url: "https://hooks.slack.example/services/T/B/X" },
    });
    expect(dup).toMatchObject({ status: 409, body: { error: { field: "name" } } });
  });

  it("deletes a channel, audits create and delete, and keeps tenants and scopes apart", async () => {
    const created = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: { type: "slack", name: "chat", url: "https://hooks.slack.example/services/T/B/X" },
    });
    expect(created.body.config.url).toBe("https://hooks.slack.example/********");
    const id = created.body.id;
    expect((await t.call("POST", "/v1/alert-channels", { key: read, json: { type: "slack" } })).status).toBe(
      403,
    );
    expect((await t.call("DELETE", `/v1/alert-channels/${id}`, { key: read })).status).toBe(403);
    expect((await t.call("DELETE", `/v1/alert-channels/${id}`, { key: otherAdmin })).status).toBe(404);
    expect((await t.call("POST", `/v1/alert-channels/${id}/test`, { key: otherAdmin })).status).toBe(404);
    expect((await t.call("GET", "/v1/alert-channels", { key: otherAdmin })).body.items).toEqual([]);
    expect((await t.call("DELETE", `/v1/alert-channels/${id}`, { key: admin })).status).toBe(204);
    expect((await t.call("DELETE", `/v1/alert-channels/${id}`, { key: admin })).status).toBe(404);
    const audit = await queryRows<{ action: string; details: string }>(
      t.db,
      sql`SELECT action, details::text AS details FROM audit_log WHERE target = ${`alert_channel:${await t.rowId("alert-channel", id)}`} ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(["alert_channel.create", "alert_channel.delete"]);
    expect(audit.map((a) => a.details).join()).not.toContain("hooks.slack");
  });

  it("serves the VAPID key and manages push subscriptions", async () => {
    const key = await t.call("GET", "/v1/push/vapid-public-key", { key: read });
    expect(key.status).toBe(200);
    expect(key.body.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect((await t.call("GET", "/v1/push/vapid-public-key", { key: read })).body).toEqual(key.body);

    const subscription = {
      endpoint: "https://push.example/abc",
      keys: { p256dh: b64url(65), auth: b64url(16) },
    };
    // A read key cannot make the server POST somewhere (issue 14): subscribing takes admin.
    const byReader = await t.call("POST", "/v1/push/subscriptions", { key: read, json: subscription });
    expect(byReader.status).toBe(403);
    const added = await t.call("POST", "/v1/push/subscriptions", { key: admin, json: subscription });
    expect(added).toEqual({ status: 201, body: { endpoint: subscription.endpoint } });
    const bad = await t.call("POST", "/v1/push/subscriptions", {
      key: admin,
      json: { ...subscription, keys: { p256dh: "short", auth: b64url(16) } },
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { field: "keys.p256dh" } } });
    const body = { endpoint: subscription.endpoint };
    expect((await t.call("DELETE", "/v1/push/subscriptions", { key: otherAdmin, json: body })).status).toBe(
      404,
    );
    expect((await t.call("DELETE", "/v1/push/subscriptions", { key: admin, json: body })).status).toBe(204);
    expect((await t.call("DELETE", "/v1/push/subscriptions", { key: admin, json: body })).status).toBe(404);
  });

  it("takes GitHub and Jira channels: fields named on 400, tokens masked, the test checks access without a ticket", async () => {
    const token = "github_pat_11ABCDEFG0secretpart";
    const github = await startGithubPeer({ repository: "acme/face-ops", token });
    const jira = await startJiraPeer({
      projectKey: "DRIFT",
      email: "bot@acme.example",
      apiToken: "jira-secret-token",
    });
    try {
      const bad = async (json: unknown, field: string) => {
        const res = await t.call("POST", "/v1/alert-channels", { key: admin, json });
        expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", field } } });
      };
      await bad({ type: "github", repository: "not a repo", token }, "repository");
      await bad({ type: "github", repository: "acme/face-ops", token: "short" }, "token");
      await bad(
        { type: "jira", url: jira.url, email: "bot@acme.example", apiToken: "t", projectKey: "drift" },
        "projectKey",
      );
      // Egress: the tracker URL is checked like a webhook's (cloud metadata is never reachable).
      await bad(
        {
          type: "jira",
          url: "http://169.254.169.254/",
          email: "bot@acme.example",
          apiToken: "t",
          projectKey: "DRIFT",
        },
        "url",
      );
      await bad(
        { type: "github", repository: "acme/face-ops", token, endpoint: "http://169.254.169.254/" },
        "endpoint",
      );

      const created = await t.call("POST", "/v1/alert-channels", {
        key: admin,
        json: {
          type: "github",
          name: "issues",
          repository: "acme/face-ops",
          token,
          endpoint: github.endpoint,
        },
      });
      expect(created.status).toBe(201);
      expect(created.body.config).toMatchObject({
        repository: "acme/face-ops",
        token: "gith********",
        labels: ["facedrift"],
      });
      expect(JSON.stringify(created.body)).not.toContain("secretpart");
      const test = await t.call("POST", `/v1/alert-channels/${created.body.id}/test`, { key: admin });
      expect(test.body).toMatchObject({ delivered: true, attempts: 1, error: null });
      expect(github.issues).toEqual([]);

      const wrongProject = await t.call("POST", "/v1/alert-channels", {
        key: admin,
        json: {
          type: "jira",
          url: jira.url,
          email: "bot@acme.example",
          apiToken: "jira-secret-token",
          projectKey: "OPS",
        },
      });
      expect(wrongProject.body.config.apiToken).toBe("********");
      const failed = await t.call("POST", `/v1/alert-channels/${wrongProject.body.id}/test`, { key: admin });
      expect(failed.body).toMatchObject({ delivered: false, httpStatus: 404 });
      expect(jira.issues).toEqual([]);
    } finally {
      await github.close();
      await jira.close();
    }
  });
});
