/**
 * @module
 * The attacks of issue 14 that the abuse benchmark repeats against a running server, each as the
 * adversarial test described it (items 1, 2, 4 and 8). Each returns what the attacker saw.
 */
import { connect, type Socket } from "node:net";
import { syntheticModel } from "@facedrift/stats";

const MiB = 1024 * 1024;

/** 1: unauthenticated clients each send 15 MiB of a chunked body and stall. */
export async function unauthenticatedBodies(url: string, clients = 120): Promise<Record<string, unknown>> {
  const { port } = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const statuses: Record<string, number> = {};
  const sockets: Socket[] = [];
  let written = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const socket = connect(Number(port), "127.0.0.1");
      sockets.push(socket);
      socket.on("error", () => {});
      let answer = "";
      socket.on("data", (data) => {
        answer += data.toString();
      });
      socket.write(
        "POST /v1/streams/cam/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      );
      for (let sent = 0; sent < 15 * MiB && !socket.destroyed; sent += chunk.length) {
        const more =
          socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write("\r\n");
        written += chunk.length;
        if (!more)
          await Promise.race([
            new Promise((r) => socket.once("drain", r)),
            new Promise((r) => socket.once("close", r)),
          ]);
      }
      // Stall: never send the final chunk. Wait a little for the answer.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? (socket.destroyed ? "closed" : "none");
      statuses[status] = (statuses[status] ?? 0) + 1;
    }),
  );
  for (const socket of sockets) socket.destroy();
  return { clients, mibWritten: Math.round(written / MiB), statuses };
}

/** 2: an ingest key posts 1,000,000 empty `files` parts (~100 MB) to the image upload. */
export async function multipartFlood(
  url: string,
  ingestKey: string,
  parts = 1_000_000,
): Promise<Record<string, unknown>> {
  const boundary = "b0undary";
  const part = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\r\n`,
  );
  const block = Buffer.concat(Array.from({ length: 1000 }, () => part));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= parts) {
        controller.enqueue(Buffer.from(`--${boundary}--\r\n`));
        return controller.close();
      }
      sent += 1000;
      controller.enqueue(block);
    },
  });
  const started = performance.now();
  const res = await fetch(`${url}/v1/streams/cam/images`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${ingestKey}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
    },
    body,
    duplex: "half",
  } as RequestInit).catch((error: unknown) => ({ status: `failed: ${String(error)}`, text: async () => "" }));
  const answer = await res.text().catch(() => "");
  return {
    parts,
    partsSentBeforeAnswer: sent,
    status: res.status,
    answerMs: Math.round(performance.now() - started),
    message: answer.slice(0, 120),
  };
}

/** 4: a default reference fit of `rows` embeddings (ingested first, not measured). */
export async function referenceFit(
  url: string,
  adminKey: string,
  rows: number,
  dimension: number,
  measure: () => { stop(): Promise<unknown> },
): Promise<{ fit: Record<string, unknown>; watched: unknown }> {
  const model = syntheticModel({ dimension, modelSeed: 14 });
  const x = model.sample(rows, 1);
  const now = Date.now();
  for (let start = 0; start < rows; start += 1000) {
    const items = [];
    for (let i = start; i < Math.min(rows, start + 1000); i++) {
      items.push({
        id: `fit-${i}`,
        ts: now - 1000 + (i % 1000),
        embedding: Array.from(x.subarray(i * dimension, (i + 1) * dimension)),
      });
    }
    const res = await fetch(`${url}/v1/streams/fit/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: { id: "synthetic", version: "1" }, items }),
    });
    if (!res.ok) throw new Error(`ingest for the fit failed: ${res.status} ${await res.text()}`);
  }
  const watching = measure();
  const started = performance.now();
  const res = await fetch(`${url}/v1/streams/fit/reference`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ last: rows }),
  });
  const fitMs = performance.now() - started;
  await res.text();
  return {
    fit: { rows, dimension, status: res.status, fitMs: Math.round(fitMs) },
    watched: await watching.stop(),
  };
}

/** 8: half-sent requests without a credential, as many as `attempts`, held open. */
export async function halfOpenConnections(url: string, attempts = 20_000): Promise<Record<string, unknown>> {
  const { port } = new URL(url);
  const sockets: Socket[] = [];
  let refused = 0;
  for (let i = 0; i < attempts; i++) {
    const socket = connect(Number(port), "127.0.0.1");
    socket.on("error", () => {});
    socket.once("close", () => refused++);
    socket.write("POST /v1/streams/cam/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n");
    sockets.push(socket);
    if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const stillOpen = sockets.filter((s) => !s.destroyed).length;
  const closedByServer = refused;
  for (const socket of sockets) socket.destroy();
  return { attempts, closedByServer, stillOpenAfter5s: stillOpen };
}
