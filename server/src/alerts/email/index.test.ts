import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import type { EmailConfig } from "../config.ts";
import { DeliveryError } from "../delivery-error.ts";
import { setEgressPolicy } from "../egress.ts";
import { sampleNotification } from "../testing/alert.ts";
import { deliver } from "./index.ts";

interface Received {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: Buffer;
}

/** A real SMTP server on 127.0.0.1: plain SMTP, AUTH PLAIN/LOGIN allowed without TLS. */
async function startSmtp(overrides: Partial<SMTPServerOptions> = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "alerts" && auth.password === "hunter2-long")
        callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const from = session.envelope.mailFrom;
        received.push({
          from: from ? from.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
    ...overrides,
  });
  let connections = 0;
  server.server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

function config(port: number, extra: Partial<EmailConfig> = {}): EmailConfig {
  return {
    type: "email",
    host: "127.0.0.1",
    port,
    secure: false,
    from: "facedrift@example.com",
    to: ["oncall@example.com", "ml-team@example.com"],
    ...extra,
  };
}

describe("email channel", () => {
  it("sends text and HTML bodies with the incident, the numbers and the link, authenticated, to every recipient", async () => {
    smtp = await startSmtp();
    const notification = sampleNotification();
    const receipt = await deliver(
      notification,
      config(smtp.port, { auth: { user: "alerts", pass: "hunter2-long" } }),
    );
    expect(receipt.detail).toMatch(/^250/);

    const [envelope] = smtp.received;
    expect(envelope?.user).toBe("alerts");
    expect(envelope?.from).toBe("facedrift@example.com");
    expect(envelope?.to).toEqual(["oncall@example.com", "ml-team@example.com"]);

    const mail = await simpleParser(envelope!.raw);
    expect(mail.subject).toBe(
      `[Facedrift CRITICAL] lobby-cam <east>: Incident #12 opened (CRITICAL): ${notification.incident.title}`,
    );
    expect(mail.from?.text).toBe("facedrift@example.com");
    expect(mail.messageId).toBe("<incident-7-12@facedrift>");
    expect(mail.headers.get("x-facedrift-incident")).toBe("12");
    expect(mail.headers.get("x-facedrift-transition")).toBe("opened");
    expect(mail.headers.get("x-facedrift-severity")).toBe("critical");
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    expect(envelope!.raw.toString("utf8")).toMatch(/^X-Priority: 1 \(Highest\)/m);

    expect(mail.text).toContain("Stream: lobby-cam <east>");
    expect(mail.text).toContain("PC1 mean: 0.0125 → 0.3311");
    expect(mail.text).toContain("MMD²: 0.0184");
    expect(mail.text).toContain("AUC: 0.9620");
    expect(mail.text).toContain("p-value: < 0.001");
    expect(mail.text).toContain(`Open in the dashboard: ${notification.dashboardUrl}`);

    const html = String(mail.html);
    expect(html).toContain("<td>lobby-cam &lt;east&gt;</td>");
    expect(html).toContain("<td>1, 3, 4</td>");
    expect(html).toContain(`<a href="${notification.dashboardUrl.replace(/&/g, "&amp;")}">`);
  });

  it("threads an incident's escalation and resolve under its opening message", async () => {
    smtp = await startSmtp();
    await deliver(sampleNotification({ transition: "escalated" }), config(smtp.port));
    await deliver(sampleNotification({ transition: "resolved" }), config(smtp.port));
    const [escalated, resolved] = await Promise.all(smtp.received.map((m) => simpleParser(m.raw)));
    for (const mail of [escalated, resolved]) {
      expect(mail?.inReplyTo).toBe("<incident-7-12@facedrift>");
      expect(mail?.references).toBe("<incident-7-12@facedrift>");
    }
    expect(escalated?.subject).toContain("Incident #12 escalated WARNING → CRITICAL");
    expect(resolved?.subject).toContain("Incident #12 resolved (no new finding for the calm period)");
    // A resolve is not urgent, even of a critical incident.
    expect(smtp.received[1]!.raw.toString("utf8")).not.toMatch(/^X-Priority: 1/m);
  });

  it("a 5xx recipient rejection is final, a 4xx one is retryable", async () => {
    let code = 550;
    smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        const error = new Error(code === 550 ? "No such user" : "Try again later") as Error & {
          responseCode: number;
        };
        error.responseCode = code;
        callback(error);
      },
    });
    const error = await deliver(sampleNotification(), config(smtp.port)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ channel: "email", retryable: false });
    code = 451;
    await expect(deliver(sampleNotification(), config(smtp.port))).rejects.toMatchObject({ retryable: true });
  });

  it("wrong credentials are final", async () => {
    smtp = await startSmtp();
    await expect(
      deliver(sampleNotification(), config(smtp.port, { auth: { user: "alerts", pass: "wrong-password" } })),
    ).rejects.toMatchObject({ retryable: false });
    expect(smtp.received).toHaveLength(0);
  });

  it("the signal cuts a server that never answers DATA", async () => {
    smtp = await startSmtp({ onData() {} }); // swallows the message, never replies
    const error = await deliver(sampleNotification(), config(smtp.port), {
      signal: AbortSignal.timeout(200),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, timedOut: true });
  });

  describe("the egress guard (issue 14: SSRF through e-mail)", () => {
    afterEach(() => setEgressPolicy("private"));

    it("under public, no spelling of this host reaches the SMTP server", async () => {
      smtp = await startSmtp();
      setEgressPolicy("public");
      for (const host of ["localhost", "127.1", "2130706433", "0x7f000001", "127.0.0.1", hostname()]) {
        const error = await deliver(sampleNotification(), config(smtp.port, { host })).catch(
          (e: unknown) => e,
        );
        expect([host, error]).toEqual([host, expect.any(DeliveryError)]);
        expect(error).toMatchObject({ retryable: false });
      }
      expect(smtp.connections()).toBe(0);
    });

    it("the metadata address is refused in every spelling, before any connection", async () => {
      for (const host of ["2852039166", "0xa9fea9fe", "169.254.43518", "169.254.169.254"]) {
        const error = await deliver(sampleNotification(), config(25, { host })).catch((e: unknown) => e);
        expect(error).toMatchObject({ channel: "email", retryable: false });
        expect((error as Error).message).toMatch(/169\.254\.169\.254.*link-local/);
      }
    });

    it("connects to the address it checked: 127.1 under private is 127.0.0.1", async () => {
      smtp = await startSmtp();
      await deliver(sampleNotification(), config(smtp.port, { host: "127.1" }));
      expect(smtp.received).toHaveLength(1);
    });
  });
});
