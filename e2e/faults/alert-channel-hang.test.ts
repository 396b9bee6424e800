/**
 * Fault: an alert channel that hangs (accepts the connection, never answers), end to end through
 * the real server. `server/src/alerts/dispatcher.test.ts` covers the dispatcher alone; here the
 * streaming detector inside `facedrift serve` finds a real drift and its alert goes to two webhook
 * channels, one of them hanging. The healthy channel must get the alert, and ingestion and the
 * detector loop must go on, while the hanging one still holds its request.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticModel } from "@facedrift/stats";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../support/ports.ts";
import { type ServeProcess, serveProcess } from "../support/serve-process.ts";

const PIPELINE_CHANGE = { latentShift: 1, noiseScale: 3 };
const STREAM = "alerting";
const DIM = 64;
const MODEL = { id: "fault-alerts", version: "1" };

interface Peer {
  url: string;
  bodies: string[];
  /** Requests still waiting for an answer. */
  open: ServerResponse[];
  close(): Promise<void>;
}

async function webhookPeer(answer: boolean, onAnswer?: () => void): Promise<Peer> {
  const bodies: string[] = [];
  const open: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      bodies.push(body);
      if (answer) {
        onAnswer?.();
        res.writeHead(204).end();
      } else {
        open.push(res);
        // The dispatcher gives up on an attempt by closing the connection.
        res.on("close", () => open.splice(open.indexOf(res), 1));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    open,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a hanging alert channel", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "facedrift-fault-alerts-"));
  let server: ServeProcess;
  const peers: Peer[] = [];

  afterAll(async () => {
    await server?.kill();
    for (const peer of peers) await peer.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("does not hold up the other channel, ingestion or the detector", async () => {
    const hanging = await webhookPeer(false);
    // How many hanging requests were open when the healthy channel got the alert.
    let hangingOpenAtDelivery = -1;
    const healthy = await webhookPeer(true, () => {
      if (hangingOpenAtDelivery < 0) hangingOpenAtDelivery = hanging.open.length;
    });
    peers.push(hanging, healthy);
    server = serveProcess({
      port: await freePort(),
      dataDir,
      adminKey: "fd_fault_alerts_admin_key_8a4d2c7e19",
      args: ["--no-scheduler"],
    });
    await server.start();
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await server.api(path, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${JSON.stringify(json)}`);
      return json;
    };
    for (const [name, peer] of [
      ["hanging", hanging],
      ["healthy", healthy],
    ] as const) {
      await api("POST", "/v1/alert-channels", {
        type: "webhook",
        name,
        url: peer.url,
        secret: `${name}-secret-0123456789`,
      });
    }

    const model = syntheticModel({ dimension: DIM, modelSeed: 3 });
    let sent = 0;
    const send = async (vectors: Float32Array) => {
      const count = vectors.length / DIM;
      for (let start = 0; start < count; start += 250) {
        const items = Array.from({ length: Math.min(250, count - start) }, (_, r) => {
          const row = vectors.subarray((start + r) * DIM, (start + r + 1) * DIM);
          return {
            id: `e${sent + r}`,
            ts: Date.now(),
            embedding_b64: Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("base64"),
          };
        });
        const answer = await api("POST", `/v1/streams/${STREAM}/embeddings`, { model: MODEL, items });
        expect(answer.accepted).toBe(items.length);
        sent += items.length;
      }
    };
    await send(model.sample(1000, 4));
    await api("POST", `/v1/streams/${STREAM}/reference`, { last: 1000, options: { seed: 3 } });
    // A pipeline change (noise on top of the shift), which the detail test calls input: a shift
    // alone reads as new people, an informational finding no channel is told of.
    await send(model.sample(800, 5, PIPELINE_CHANGE));

    // The detector fires and dispatches to both channels: the healthy one gets the alert.
    const deadline = Date.now() + 120_000;
    while (healthy.bodies.length === 0) {
      if (Date.now() > deadline)
        throw new Error(`no alert reached the healthy channel:\n${server.output().slice(-3000)}`);
      await sleep(250);
    }
    // Channels hear of incidents (issue 13): the first notification opens the stream's incident.
    expect(JSON.parse(healthy.bodies[0] as string)).toMatchObject({
      event: "incident.opened",
      incident: { stream: STREAM },
      finding: { detector: "stream" },
    });
    // The channels are sent to concurrently: the healthy one was answered while the hanging one
    // held the same alert (its attempt is cut by the dispatcher's per-attempt timeout, 10 s).
    expect(hangingOpenAtDelivery).toBe(1);
    expect(JSON.parse(hanging.bodies[0] as string)).toMatchObject({ incident: { stream: STREAM } });

    // Meanwhile ingestion answers and the detector keeps reading the stream.
    const before = (await api("GET", `/v1/streams/${STREAM}`)) as { lastSeq: number };
    await send(model.sample(300, 6, PIPELINE_CHANGE));
    expect(((await api("GET", `/v1/streams/${STREAM}`)) as { lastSeq: number }).lastSeq).toBe(
      before.lastSeq + 300,
    );
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const events = async () =>
      ((await api("GET", `/v1/streams/${STREAM}/events?limit=500`)) as { items: { seq: number }[] }).items;
    const eventsBefore = (await events()).length;
    expect(eventsBefore).toBeGreaterThan(0);
    // All of that happened while the dispatcher was still retrying the hanging channel (5 attempts).
    expect(hanging.bodies.length).toBeLessThan(5);
    // The detector's lag (read by /metrics from its cursor) falls to 0 past the newest rows: its
    // loop was not stuck behind the hanging send.
    const lag = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const line = text
        .split("\n")
        .find((l) => l.startsWith("facedrift_streaming_lag_embeddings{") && l.includes(`stream="${STREAM}"`));
      return line === undefined ? Number.NaN : Number(line.split(" ").at(-1));
    };
    const detectorDeadline = Date.now() + 60_000;
    while ((await lag()) !== 0) {
      if (Date.now() > detectorDeadline) throw new Error(`the detector's lag stayed at ${await lag()}`);
      await sleep(250);
    }
    // All of that happened while the dispatcher was still retrying the hanging channel (5 attempts).
    expect(hanging.bodies.length).toBeLessThan(5);
  }, 300_000);
});
