/**
 * @module
 * Starts the real `facedrift serve` for the run, seeded with a drifting and a quiet stream
 * (`../support/dashboard-fixture.ts`, as the Vitest journeys do), and hands what the journeys need
 * to the workers in FACEDRIFT_E2E_FIXTURE; the returned function stops it after the last test.
 */
import { startDashboardFixture } from "../support/dashboard-fixture.ts";
import type { SeededDashboard } from "./fixtures.ts";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const fixture = await startDashboardFixture({
    progress: (line) => process.env.FACEDRIFT_E2E_VERBOSE && console.log(`seeding: ${line}`),
  });
  const seeded: SeededDashboard = {
    baseUrl: fixture.baseUrl,
    email: fixture.email,
    password: fixture.password,
    apiKey: fixture.apiKey,
    stream: fixture.stream,
    quietStream: fixture.quietStream,
    streamEmbeddings: fixture.streamEmbeddings,
    driftIndex: fixture.driftIndex,
    driftSeq: fixture.driftSeq,
    detectionSeq: fixture.detectionSeq,
  };
  // Workers start after global setup and inherit the runner's environment.
  process.env.FACEDRIFT_E2E_FIXTURE = JSON.stringify(seeded);
  return () => fixture.close();
}
