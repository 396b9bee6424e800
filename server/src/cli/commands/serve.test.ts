import { describe, expect, it } from "vitest";
import { replicaModeOf } from "./serve.ts";

describe("serve: who embeds uploaded images", () => {
  const chromium = process.execPath; // any file that exists stands in for the browser
  it("on the embedded database, by default, when Chromium is there: here, the browser at the first upload", () => {
    expect(replicaModeOf(undefined, "pglite", chromium)).toMatchObject({ mode: "when-needed" });
  });
  it("without Chromium it says how to get it, and images wait", () => {
    const { mode, note } = replicaModeOf(undefined, "pglite", "/nowhere/chromium");
    expect(mode).toBe("off");
    expect(note).toMatch(
      /no Chromium at \/nowhere\/chromium: .*apt-get install chromium.*FACEDRIFT_CHROMIUM/,
    );
  });
  it("--replica and --no-replica decide; with PostgreSQL replicas are their own processes", () => {
    expect(replicaModeOf(true, "postgres", "/nowhere")).toEqual({ mode: "eager" });
    expect(replicaModeOf(false, "pglite", chromium)).toEqual({ mode: "off" });
    expect(replicaModeOf(undefined, "postgres", chromium)).toEqual({ mode: "off" });
  });
});
