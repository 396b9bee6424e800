import { describe, expect, it } from "vitest";
import { channelConfigSchema, createChannelSchema, redactChannelConfig } from "./config.ts";

/** The paths zod reports, as `a.b[1]` strings. */
function issuePaths(input: unknown): string[] {
  const result = channelConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) =>
    issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join(""),
  );
}

describe("channelConfigSchema", () => {
  it("accepts each channel type and applies defaults", () => {
    expect(
      channelConfigSchema.parse({ type: "webhook", url: "https://x.example/h", secret: "s".repeat(16) }),
    ).toEqual({
      type: "webhook",
      url: "https://x.example/h",
      secret: "s".repeat(16),
    });
    expect(channelConfigSchema.parse({ type: "pagerduty", routingKey: "k".repeat(32) })).toMatchObject({
      endpoint: "https://events.pagerduty.com/v2/enqueue",
    });
    expect(
      channelConfigSchema.parse({
        type: "email",
        host: "smtp.example",
        from: "a@x.example",
        to: ["b@x.example"],
      }),
    ).toMatchObject({ port: 587, secure: false });
    expect(channelConfigSchema.parse({ type: "webpush", subject: "mailto:ops@x.example" })).toMatchObject({
      ttlSeconds: 86_400,
    });
    expect(
      channelConfigSchema.parse({ type: "slack", url: "https://hooks.slack.com/services/T/B/x" }).type,
    ).toBe("slack");
  });

  it("names the field that is wrong", () => {
    expect(issuePaths({ type: "webhook", url: "ftp://x.example/h", secret: "s".repeat(16) })).toEqual([
      "url",
    ]);
    expect(issuePaths({ type: "webhook", url: "javascript:alert(1)", secret: "s".repeat(16) })).toEqual([
      "url",
    ]);
    expect(issuePaths({ type: "webhook", url: "https://x.example/h", secret: "short" })).toEqual(["secret"]);
    expect(issuePaths({ type: "pagerduty", routingKey: "abc" })).toEqual(["routingKey"]);
    expect(
      issuePaths({ type: "email", host: "h", from: "a@x.example", to: ["b@x.example", "nope"] }),
    ).toEqual(["to[1]"]);
    expect(issuePaths({ type: "email", host: "h", from: "a@x.example", to: [] })).toEqual(["to"]);
    expect(issuePaths({ type: "webpush", subject: "http://x.example" })).toEqual(["subject"]);
    expect(issuePaths({ type: "carrier-pigeon" })).toEqual(["type"]);
  });

  it("the secret's message says what is expected", () => {
    const result = channelConfigSchema.safeParse({
      type: "webhook",
      url: "https://x.example",
      secret: "short",
    });
    expect(result.error?.issues[0]?.message).toBe("must be at least 16 characters");
  });

  it("createChannelSchema wraps a config with a name and enabled flag", () => {
    const parsed = createChannelSchema.parse({
      name: " On-call ",
      config: { type: "slack", url: "https://h.example/x" },
    });
    expect(parsed).toEqual({
      name: "On-call",
      enabled: true,
      config: { type: "slack", url: "https://h.example/x" },
    });
  });
});

describe("redactChannelConfig", () => {
  it("masks every secret and keeps the rest", () => {
    expect(
      redactChannelConfig({ type: "webhook", url: "https://x.example/h", secret: "s".repeat(20) }),
    ).toEqual({
      type: "webhook",
      url: "https://x.example/h",
      secret: "********",
    });
    expect(
      redactChannelConfig({ type: "slack", url: "https://hooks.slack.com/services/T/B/secret" }),
    ).toEqual({
      type: "slack",
      url: "https://hooks.slack.com/********",
    });
    expect(
      redactChannelConfig({
        type: "pagerduty",
        routingKey: "R0123456789abcdef0123456789abcde",
        endpoint: "https://e",
      }),
    ).toMatchObject({ routingKey: "R012********" });
    const email = redactChannelConfig({
      type: "email",
      host: "h",
      port: 465,
      secure: true,
      auth: { user: "u", pass: "p" },
      from: "a@x.example",
      to: ["b@x.example"],
    });
    expect(email).toMatchObject({ auth: { user: "u", pass: "********" } });
  });
});
