/**
 * The connection limits of the server `facedrift serve` runs (issue 14, item 8), on a real socket.
 * Bounds on how long a cut takes are generous behaviour checks (the connection is cut at all,
 * well before Node's defaults of 60–300 s), not speed claims.
 */
import type { Server } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listen } from "./node-server.ts";

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function start(limits: { headersTimeoutMs: number; requestTimeoutMs: number; maxConnections: number }) {
  await new Promise<void>((resolve) => {
    server = listen(
      async (request) => new Response(`read ${(await request.arrayBuffer()).byteLength}`),
      { port: 0, hostname: "127.0.0.1", keepAliveTimeoutMs: 1000, ...limits },
      () => resolve(),
    );
  });
  const address = server?.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** Opens a socket, writes `text`, and resolves with what it received once the server closes it. */
function open(port: number, text: string) {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  let received = "";
  socket.on("data", (chunk) => {
    received += chunk.toString();
  });
  socket.on("error", () => {});
  const closed = new Promise<{ received: string; afterMs: number }>((resolve) => {
    const start = Date.now();
    socket.on("close", () => resolve({ received, afterMs: Date.now() - start }));
  });
  socket.write(text);
  return { socket, closed };
}

describe("server connection limits", () => {
  it("closes a connection whose headers never finish", async () => {
    const port = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000, maxConnections: 100 });
    const { closed } = open(port, "GET / HTTP/1.1\r\nHost: x\r\n");
    const result = await closed;
    expect(result.afterMs).toBeLessThan(10_000);
  });

  it("answers 408 and closes a body that stalls", async () => {
    const port = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000, maxConnections: 100 });
    const { closed } = open(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789");
    const result = await closed;
    expect(result.received).toMatch(/^HTTP\/1\.1 408/);
    expect(result.afterMs).toBeLessThan(10_000);
  });

  it("closes connections beyond the cap as they arrive, and serves again once below it", async () => {
    const port = await start({ headersTimeoutMs: 2000, requestTimeoutMs: 4000, maxConnections: 3 });
    const held = [0, 1, 2].map(() => open(port, "GET / HTTP/1.1\r\nHost: x\r\n"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = open(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect((await refused.closed).received).toBe("");
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    const served = open(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect((await served.closed).received).toMatch(/^HTTP\/1\.1 200[\s\S]*read 0$/);
  });
});
