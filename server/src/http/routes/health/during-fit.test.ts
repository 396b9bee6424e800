/**
 * `/healthz` keeps answering while a reference fit runs (issue 14, item 4: a fit on the request
 * thread left it unanswered for its whole duration). The bound on each answer is generous, a
 * behaviour check that the thread was free, not a speed claim; `npm run bench:abuse` measures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY0, ingestAt, synthetic } from "../../../batch/testing/fixture.ts";
import { ensureTenant } from "../../../services/tenants/default.ts";
import { createTestApp } from "../../test-app.ts";

describe("/healthz during a reference fit", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let admin: string;
  const rows = 6000;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.keyFor("acme", ["admin"]);
    await ingestAt(t.database, await ensureTenant(t.db, "acme"), "cam", synthetic.sample(rows, 1), DAY0, "r");
  }, 180_000);
  afterAll(() => t.close());

  it("answers throughout, each within a second", async () => {
    let done = false;
    const fit = t
      .call("POST", "/v1/streams/cam/reference", {
        key: admin,
        json: { last: rows, options: { max_vectors: 200 } },
      })
      .finally(() => {
        done = true;
      });
    const latencies: number[] = [];
    while (!done) {
      const started = performance.now();
      const res = await t.app.request("/healthz");
      if (done) break; // answered only once the fit had finished: does not count
      expect(res.status).toBe(200);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await fit).status).toBe(201);
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...latencies)).toBeLessThan(1000);
  });
});
