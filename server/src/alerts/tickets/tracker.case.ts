/**
 * The one suite every ticket tracker runs (`github/index.test.ts`, `jira/index.test.ts`), each
 * against its local peer speaking the real REST API: a ticket is opened once however often the
 * change is sent (replays, and a retry after the tracker created the issue but the answer was
 * lost), an escalation comments once and raises the severity, a resolution comments once and
 * closes, and a throttled request is a wait, not a failure.
 */
import { describe, expect, it } from "vitest";
import { DeliveryError } from "../delivery-error.ts";
import type { AlertSeverity, DeliveryReceipt } from "../types.ts";
import { changeKey, type TicketEvent, type TicketTransition } from "./event.ts";

export interface TrackerView {
  title: string;
  body: string;
  open: boolean;
  labels: string[];
  /** Each comment's body as text (ADF as JSON). */
  comments: string[];
}

export interface TrackerHarness {
  deliver(event: TicketEvent): Promise<DeliveryReceipt>;
  tickets(): TrackerView[];
  /** The next request is throttled (429 or GitHub's 403 with the limit spent). */
  throttleNext(): void;
  /** The next create succeeds on the tracker, but its answer never arrives. */
  dropNextCreateAnswer(): void;
  /** The label that carries `severity`. */
  severityLabel(severity: AlertSeverity): string;
  close(): Promise<void>;
}

export function ticketEvent(
  transition: TicketTransition,
  severity: AlertSeverity,
  overrides: Partial<TicketEvent> = {},
): TicketEvent {
  const key = overrides.key ?? "incident-7";
  return {
    key,
    transition,
    changeKey: changeKey(key, transition, severity),
    tenantId: 1,
    stream: "lobby <cam>",
    severity,
    previousSeverity: transition === "escalated" ? "warning" : null,
    title: "Batch drift on lobby: 4 of 10 components with PSI ≥ 0.1 (high)",
    summary:
      transition === "resolved"
        ? "acknowledged in Facedrift by user:ana"
        : `finding ${transition} ${severity}`,
    numbers: { psi: [0.31, 0.02], mmd2: 0.0184, pValue: 0.002 },
    facts: [["Detectors", "batch, pc1"]],
    window: { from: new Date("2026-11-03T00:00:00Z"), to: new Date("2026-11-04T00:00:00Z") },
    dashboardUrl: "https://facedrift.example/streams/lobby?alert=12",
    at: new Date("2026-11-04T00:00:05Z"),
    ...overrides,
  };
}

export function describeTicketTracker(name: string, open: () => Promise<TrackerHarness>): void {
  describe(`${name}: one ticket per incident`, { timeout: 30_000 }, () => {
    const withTracker = (test: (h: TrackerHarness) => Promise<void>) => async () => {
      const harness = await open();
      try {
        await test(harness);
      } finally {
        await harness.close();
      }
    };

    it(
      "opens one ticket with the key, severity, numbers and link, and not again on a replay",
      withTracker(async (h) => {
        const receipt = await h.deliver(ticketEvent("opened", "warning"));
        expect(receipt.detail).toMatch(/: created$/);
        await h.deliver(ticketEvent("opened", "warning"));
        const [ticket, ...more] = h.tickets();
        expect(more).toEqual([]);
        expect(ticket?.open).toBe(true);
        expect(ticket?.title).toBe(
          "[Facedrift] Batch drift on lobby: 4 of 10 components with PSI ≥ 0.1 (high)",
        );
        expect(ticket?.labels).toContain(h.severityLabel("warning"));
        expect(ticket?.body).toContain("https://facedrift.example/streams/lobby?alert=12");
        expect(ticket?.body).toContain("0.0184");
        expect(ticket?.body).toContain("batch, pc1");
        expect(ticket?.comments).toEqual([]);
        // Another incident is another ticket.
        await h.deliver(ticketEvent("opened", "critical", { key: "incident-8" }));
        expect(h.tickets()).toHaveLength(2);
      }),
    );

    it(
      "retried after a lost answer, finds the ticket the tracker made instead of making another",
      withTracker(async (h) => {
        h.dropNextCreateAnswer();
        const lost = await h.deliver(ticketEvent("opened", "warning")).catch((e: unknown) => e);
        expect(lost).toBeInstanceOf(DeliveryError);
        expect((lost as DeliveryError).retryable).toBe(true);
        expect(h.tickets()).toHaveLength(1);
        await h.deliver(ticketEvent("opened", "warning"));
        expect(h.tickets()).toHaveLength(1);
      }),
    );

    it(
      "escalates with one comment and the new severity, however often it is sent",
      withTracker(async (h) => {
        await h.deliver(ticketEvent("opened", "warning"));
        for (let i = 0; i < 3; i++) await h.deliver(ticketEvent("escalated", "critical"));
        const [ticket] = h.tickets();
        expect(ticket?.comments).toHaveLength(1);
        expect(ticket?.comments[0]).toContain("finding escalated critical");
        expect(ticket?.labels).toContain(h.severityLabel("critical"));
        expect(ticket?.labels).not.toContain(h.severityLabel("warning"));
        expect(ticket?.open).toBe(true);
      }),
    );

    it(
      "an escalation whose opening never got through opens the ticket at the escalated severity",
      withTracker(async (h) => {
        await h.deliver(ticketEvent("escalated", "critical"));
        const [ticket, ...more] = h.tickets();
        expect(more).toEqual([]);
        expect(ticket?.labels).toContain(h.severityLabel("critical"));
      }),
    );

    it(
      "resolves with one comment and closes, however often it is sent; nothing to resolve is no ticket",
      withTracker(async (h) => {
        expect((await h.deliver(ticketEvent("resolved", "warning"))).detail).toBe("no ticket to resolve");
        expect(h.tickets()).toEqual([]);
        await h.deliver(ticketEvent("opened", "warning"));
        const first = await h.deliver(ticketEvent("resolved", "warning"));
        expect(first.detail).toMatch(/commented, closed$/);
        expect((await h.deliver(ticketEvent("resolved", "warning"))).detail).toMatch(/unchanged$/);
        const [ticket] = h.tickets();
        expect(ticket?.open).toBe(false);
        expect(ticket?.comments).toHaveLength(1);
        expect(ticket?.comments[0]).toContain("acknowledged in Facedrift by user:ana");
      }),
    );

    it(
      "takes a throttled request as a wait: retryable, with the tracker's delay",
      withTracker(async (h) => {
        h.throttleNext();
        const throttled = await h.deliver(ticketEvent("opened", "warning")).catch((e: unknown) => e);
        expect(throttled).toBeInstanceOf(DeliveryError);
        expect((throttled as DeliveryError).retryable).toBe(true);
        expect((throttled as DeliveryError).retryAfterMs).toBeGreaterThanOrEqual(0);
        expect((throttled as DeliveryError).retryAfterMs).toBeLessThanOrEqual(2_000);
        await h.deliver(ticketEvent("opened", "warning"));
        expect(h.tickets()).toHaveLength(1);
      }),
    );

    it(
      "keeps user input out of the markup: a stream name cannot forge a change marker",
      withTracker(async (h) => {
        const forged = "x --> <!-- facedrift:change=incident-7:resolved:warning -->";
        await h.deliver(ticketEvent("opened", "warning", { stream: forged, summary: forged }));
        await h.deliver(ticketEvent("resolved", "warning"));
        expect(h.tickets()[0]?.comments).toHaveLength(1);
      }),
    );
  });
}
