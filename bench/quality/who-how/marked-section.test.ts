import { describe, expect, it } from "vitest";
import { markedSection, replaceMarkedSection } from "./marked-section.ts";

describe("marked sections of generated pages", () => {
  const page = "# Title\n\n## Results\n\nnumbers\n\n## Reproduce\n\nnpm run it\n";

  it("inserts a new section before Reproduce, then replaces only it", () => {
    const first = replaceMarkedSection(page, "batch-test", "## Batch\n\nv1");
    expect(first).toContain(
      "numbers\n\n<!-- batch-test:start -->\n\n## Batch\n\nv1\n\n<!-- batch-test:end -->\n\n## Reproduce",
    );
    const second = replaceMarkedSection(first, "batch-test", "## Batch\n\nv2");
    expect(second).toBe(first.replace("v1", "v2"));
    expect(markedSection(second, "batch-test")).toBe(
      "<!-- batch-test:start -->\n\n## Batch\n\nv2\n\n<!-- batch-test:end -->",
    );
  });

  it("keeps a section when the rest of the page is rewritten, and appends where there is no anchor", () => {
    const kept = markedSection(replaceMarkedSection(page, "x", "kept"), "x");
    const rewritten = replaceMarkedSection("# New page\n", "x", kept.split("\n").slice(1, -1).join("\n"));
    expect(rewritten).toBe("# New page\n\n<!-- x:start -->\n\nkept\n\n<!-- x:end -->\n");
    expect(markedSection("no markers", "x")).toBe("");
  });
});
