/**
 * Tickets through the product's path, on a real (PGlite) database: a finding opens an incident,
 * whose notification goes through `dispatchNotification` to GitHub and Jira channels stored
 * sealed, and each local peer — speaking the real REST API — ends up with one ticket, though each
 * lost the answer to the first create and the notification was sent twice; a more severe finding
 * escalates it (one comment, the severity); resolving the incident through the API closes it.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../db/database.ts";
import { createTestApp } from "../../http/test-app.ts";
import { publicIdsOf } from "../../ids/public-ids.ts";
import { createAlertChannel } from "../../services/alert-channels/create.ts";
import { getStream } from "../../services/streams/get.ts";
import { writeVerificationAlert } from "../../verification/alert.ts";
import { channelConfigSchema } from "../config.ts";
import { dispatchNotification, outwardNotification } from "../dispatcher.ts";
import { createDrizzleAlertStore } from "../drizzle-store.ts";
import { recordAlerts } from "../record.ts";
import { setSecretKey } from "../sealed.ts";
import { startGithubPeer } from "../testing/github-peer.ts";
import { startJiraPeer } from "../testing/jira-peer.ts";
import type { IncidentNotification } from "../types.ts";

const GITHUB_TOKEN = "ghs_installationtoken0000000001";
const JIRA = { email: "ops-bot@acme.example", apiToken: "ATATT3x-token" };
const fast = { retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 100 }, random: () => 0 };
const window = { from: new Date("2026-11-03T10:00:00Z"), to: new Date("2026-11-03T11:00:00Z") };

describe("a ticket per incident, end to end", { timeout: 120_000 }, () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let github: Awaited<ReturnType<typeof startGithubPeer>>;
  let jira: Awaited<ReturnType<typeof startJiraPeer>>;
  let key: string;
  let stream: { id: number; tenantId: number; name: string };
  let opened: IncidentNotification;

  beforeAll(async () => {
    // The app applies its config's key to the process, as `serve` does.
    t = await createTestApp({ secretKey: randomBytes(32) });
    key = await t.keyFor("acme", ["ingest", "read"]);
    const ingested = await t.call("POST", "/v1/streams/lobby/embeddings", {
      key,
      json: { model: { id: "m", version: "1" }, items: [{ id: "a", ts: Date.now(), embedding: [1, 0, 0] }] },
    });
    expect(ingested.status).toBe(200);
    const tenantId = Number(
      (await queryRows<{ id: string }>(t.db, sql`SELECT id::text AS id FROM tenants WHERE name = 'acme'`))[0]
        ?.id,
    );
    stream = { id: (await getStream(t.db, tenantId, "lobby")).id, tenantId, name: "lobby" };
    github = await startGithubPeer({ repository: "acme/face-ops", token: GITHUB_TOKEN });
    jira = await startJiraPeer({ projectKey: "DRIFT", ...JIRA, indexLagMs: 300 });
    for (const config of [
      { type: "github", repository: "acme/face-ops", token: GITHUB_TOKEN, endpoint: github.endpoint },
      { type: "jira", url: jira.url, ...JIRA, projectKey: "DRIFT", priorities: { critical: "Highest" } },
    ]) {
      await createAlertChannel(t.db, { tenantId, actor: "test", config: channelConfigSchema.parse(config) });
    }
    // A streaming finding opens the incident (PC1 ADWIN: warning).
    const recorded = await t.db.transaction((tx) =>
      recordAlerts(tx, { stream, detector: "stream", dashboardBaseUrl: "http://localhost:8080" }, [
        {
          severity: "warning",
          kind: "pc1",
          title: "ADWIN on PC1 of lobby: mean 0.01 → 0.42",
          numbers: { pc1MeanBefore: 0.01, pc1MeanAfter: 0.42 },
          window,
          details: {},
        },
      ]),
    );
    expect(recorded.notifications.map((n) => n.transition)).toEqual(["opened"]);
    opened = recorded.notifications[0] as IncidentNotification;
  }, 120_000);
  afterAll(async () => {
    setSecretKey(null);
    await github?.close();
    await jira?.close();
    await t?.close();
  });

  const store = () => createDrizzleAlertStore(t.db);

  it("stores the trackers' credentials sealed", async () => {
    const rows = await queryRows<{ config: string }>(
      t.db,
      sql`SELECT config::text AS config FROM alert_channels`,
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.config).toContain('"sealed"');
      expect(row.config).not.toContain(GITHUB_TOKEN);
      expect(row.config).not.toContain(JIRA.apiToken);
    }
  });

  it("opens one ticket per tracker, through a lost answer and a replay", async () => {
    github.script.dropCreateAnswers = 1;
    jira.script.dropCreateAnswers = 1;
    expect(await dispatchNotification(opened, store(), fast)).toMatchObject({ delivered: 2, failed: 0 });
    const attempts = await queryRows<{ channel_type: string; attempt: number; status: string }>(
      t.db,
      sql`SELECT channel_type, attempt, status FROM alert_deliveries
          WHERE incident_id = ${opened.incident.id} ORDER BY channel_type, attempt`,
    );
    expect(attempts).toEqual([
      { channel_type: "github", attempt: 1, status: "retrying" },
      { channel_type: "github", attempt: 2, status: "delivered" },
      { channel_type: "jira", attempt: 1, status: "retrying" },
      { channel_type: "jira", attempt: 2, status: "delivered" },
    ]);
    // The same notification again (a replay after a restart): still one ticket each.
    await dispatchNotification(opened, store(), fast);
    expect(github.issues).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
    // Trackers are told the incident's public id, as the API and the dashboard name it.
    const outward = outwardNotification(opened, await publicIdsOf(t.db));
    expect(outward.incident.id).toBe(await t.publicId("incident", opened.incident.id));
    const label = `incident-${outward.incident.id}`;
    expect(github.issues[0]?.labels).toEqual(["facedrift", `facedrift:${label}`, "severity:warning"]);
    expect(jira.issues[0]?.fields.labels).toEqual(["facedrift", `facedrift-${label}`, "severity-warning"]);
    expect(github.issues[0]?.body).toContain(outward.dashboardUrl);
    expect(github.issues[0]?.body).toContain("ADWIN on PC1 of lobby");
  });

  it("escalates it, once, when a more severe finding attaches to the incident", async () => {
    const written = await t.db.transaction((tx) =>
      writeVerificationAlert(tx, {
        stream,
        runId: 901,
        model: { id: "m", version: "1" },
        auc: 0.912,
        minAuc: 0.98,
        eer: 0.14,
        tarAtFar: { "0.001": 0.31, "0.01": 0.55 },
        pairs: 300,
        skipped: 0,
        window,
        dashboardBaseUrl: "http://localhost:8080",
      }),
    );
    const [escalated] = written.notifications;
    expect(escalated).toMatchObject({ transition: "escalated", previousSeverity: "warning" });
    await dispatchNotification(escalated as IncidentNotification, store(), fast);
    await dispatchNotification(escalated as IncidentNotification, store(), fast);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]?.comments).toHaveLength(1);
    expect(github.issues[0]?.comments[0]?.body).toContain("AUC 0.9120 &#60; 0.98");
    expect(github.issues[0]?.labels).toContain("severity:critical");
    expect(jira.issues[0]?.comments).toHaveLength(1);
    expect(jira.issues[0]?.fields).toMatchObject({ priority: "Highest" });
  });

  it("closes it when the incident is resolved through the API, with who and why", async () => {
    const resolved = await t.call(
      "POST",
      `/v1/incidents/${await t.publicId("incident", opened.incident.id)}/resolve`,
      {
        key,
        json: { note: "camera refocused" },
      },
    );
    expect(resolved.status).toBe(200);
    // Sent after the commit, never awaited by the request.
    for (
      let i = 0;
      i < 100 && (github.issues[0]?.state !== "closed" || jira.issues[0]?.fields.status.category !== "done");
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(github.issues[0]).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(github.issues[0]?.comments.at(-1)?.body).toContain("resolved by key:");
    expect(jira.issues[0]?.fields.status.category).toBe("done");
    expect(jira.issues[0]?.comments).toHaveLength(2);
  });
});
