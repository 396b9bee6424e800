/**
 * Tickets through the product's path, on a real (PGlite) database: a confirmed drift run's alert
 * goes through `dispatchAlert` to GitHub and Jira channels stored sealed, and each local peer —
 * speaking the real REST API — ends up with one ticket, though each lost the answer to the first
 * create; the verification the drift queued escalates it; acknowledging the drift's alert resolves
 * it. Until incidents exist (issue 13), a ticket follows one drift run.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBatchCheck } from "../../batch/run.ts";
import { fittedDriftFixture } from "../../batch/testing/fixture.ts";
import { queryRows } from "../../db/database.ts";
import { createAlertChannel } from "../../services/alert-channels/create.ts";
import { acknowledgeAlert } from "../../services/alerts/acknowledge.ts";
import { resolveTicketOfAcknowledged } from "../../services/alerts/resolve-ticket.ts";
import { updateStreamSettings } from "../../services/stream-settings/update.ts";
import { writeVerificationAlert } from "../../verification/alert.ts";
import { channelConfigSchema } from "../config.ts";
import { dispatchAlert } from "../dispatcher.ts";
import { createDrizzleAlertStore } from "../drizzle-store.ts";
import { setSecretKey } from "../sealed.ts";
import { startGithubPeer } from "../testing/github-peer.ts";
import { startJiraPeer } from "../testing/jira-peer.ts";
import type { AlertEvent } from "../types.ts";

const GITHUB_TOKEN = "ghs_installationtoken0000000001";
const JIRA = { email: "ops-bot@acme.example", apiToken: "ATATT3x-token" };
const fast = { retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 100 }, random: () => 0 };

describe("tickets for a confirmed drift run, end to end", { timeout: 120_000 }, () => {
  let f: Awaited<ReturnType<typeof fittedDriftFixture>>;
  let github: Awaited<ReturnType<typeof startGithubPeer>>;
  let jira: Awaited<ReturnType<typeof startJiraPeer>>;
  let drift: AlertEvent;
  let runId: number;

  beforeAll(async () => {
    setSecretKey(randomBytes(32));
    f = await fittedDriftFixture();
    github = await startGithubPeer({ repository: "acme/face-ops", token: GITHUB_TOKEN });
    jira = await startJiraPeer({ projectKey: "DRIFT", ...JIRA, indexLagMs: 300 });
    for (const config of [
      { type: "github", repository: "acme/face-ops", token: GITHUB_TOKEN, endpoint: github.endpoint },
      { type: "jira", url: jira.url, ...JIRA, projectKey: "DRIFT", priorities: { critical: "Highest" } },
    ]) {
      await createAlertChannel(f.database.db, {
        tenantId: f.tenantId,
        actor: "test",
        config: channelConfigSchema.parse(config),
      });
    }
    await updateStreamSettings(f.database.db, {
      tenantId: f.tenantId,
      name: "cam",
      actor: "test",
      patch: { alertRules: { psiPersistence: null, cooldownMinutes: 0 } },
    });
    let sent: AlertEvent | undefined;
    const run = await runBatchCheck(f.database, {
      streamId: f.streamId,
      kind: "manual",
      window: f.day(2),
      dispatch: (event) => {
        sent = event;
      },
    });
    expect(run.drift).toBe(true);
    drift = sent as AlertEvent;
    runId = run.id;
  }, 120_000);
  afterAll(async () => {
    setSecretKey(null);
    await github?.close();
    await jira?.close();
    await f?.database.close();
  });

  const store = () => createDrizzleAlertStore(f.database.db);
  const deliveries = () =>
    queryRows<{ channel_type: string; attempt: number; status: string }>(
      f.database.db,
      sql`SELECT channel_type, attempt, status FROM alert_deliveries WHERE alert_id = ${drift.id} ORDER BY channel_type, attempt`,
    );

  it("stores the trackers' credentials sealed", async () => {
    const rows = await queryRows<{ config: string }>(
      f.database.db,
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
    const summary = await dispatchAlert(drift, store(), fast);
    expect(summary).toMatchObject({ delivered: 2, failed: 0 });
    expect(await deliveries()).toEqual([
      { channel_type: "github", attempt: 1, status: "retrying" },
      { channel_type: "github", attempt: 2, status: "delivered" },
      { channel_type: "jira", attempt: 1, status: "retrying" },
      { channel_type: "jira", attempt: 2, status: "delivered" },
    ]);
    // The same alert dispatched again (a replay after a restart): still one ticket each.
    await dispatchAlert(drift, store(), fast);
    expect(github.issues).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
    expect(github.issues[0]?.labels).toContain(`facedrift:drift-run-${runId}`);
    expect(jira.issues[0]?.fields.labels).toContain(`facedrift-drift-run-${runId}`);
    expect(github.issues[0]?.body).toContain(drift.dashboardUrl);
  });

  it("escalates it when the verification that drift queued finds the AUC below the minimum", async () => {
    // The job verify-on-drift queues names the run; the job's result names its verification run.
    await f.database.db.execute(
      sql`INSERT INTO jobs (kind, status, payload, result)
          VALUES ('verification', 'succeeded',
                  ${JSON.stringify({ trigger: { kind: "batch-drift", driftRunId: runId } })}::jsonb,
                  '{"verificationRunId": 901}'::jsonb)`,
    );
    const written = await f.database.db.transaction((tx) =>
      writeVerificationAlert(tx, {
        stream: { id: f.streamId, tenantId: f.tenantId, name: "cam" },
        runId: 901,
        model: { id: "synthetic", version: "1" },
        auc: 0.912,
        minAuc: 0.98,
        eer: 0.14,
        tarAtFar: { "0.001": 0.31, "0.01": 0.55 },
        pairs: 300,
        skipped: 0,
        window: f.day(2),
        cooldownMs: 0,
        dashboardBaseUrl: "http://localhost:8080",
      }),
    );
    const verification = written.event as AlertEvent;
    await dispatchAlert(verification, store(), fast);
    await dispatchAlert(verification, store(), fast);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]?.comments).toHaveLength(1);
    expect(github.issues[0]?.comments[0]?.body).toContain("AUC 0.9120 &#60; 0.98");
    expect(github.issues[0]?.labels).toContain("severity:critical");
    expect(jira.issues[0]?.comments).toHaveLength(1);
    expect(jira.issues[0]?.fields.priority).toBe("Highest");
  });

  it("resolves it when the drift's alert is acknowledged, once", async () => {
    const first = await acknowledgeAlert(f.database.db, {
      tenantId: f.tenantId,
      id: drift.id,
      actor: "user:ana",
      note: "camera refocused",
    });
    expect(first.changed).toBe(true);
    const input = { tenantId: f.tenantId, alertId: drift.id, dashboardBaseUrl: "http://localhost:8080" };
    expect(await resolveTicketOfAcknowledged(f.database.db, input, fast)).toBe(2);
    expect(github.issues[0]).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(github.issues[0]?.comments.at(-1)?.body).toContain(
      "acknowledged in Facedrift by user:ana: camera refocused",
    );
    expect(jira.issues[0]?.fields.status.category).toBe("done");
    expect(
      (await acknowledgeAlert(f.database.db, { tenantId: f.tenantId, id: drift.id, actor: "user:bo" }))
        .changed,
    ).toBe(false);
    expect(github.issues[0]?.comments).toHaveLength(2);
  });

  it("a streaming alert changes no ticket", async () => {
    const summary = await dispatchAlert({ ...drift, id: drift.id, detector: "stream" }, store(), fast);
    expect(summary.delivered).toBe(2);
    expect(github.issues).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
  });
});
