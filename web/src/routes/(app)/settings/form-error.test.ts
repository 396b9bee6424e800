import { describe, expect, it } from "vitest";
import { ApiError } from "../../../lib/api/client.ts";
import { formError, messageFor } from "./form-error.ts";

describe("form errors", () => {
  it("puts the server's message beside the field it names, and under its parents", () => {
    const error = formError(
      new ApiError(400, { code: "invalid_request", message: "must be ≥ 1", field: "alertRules.psiRuns" }),
    );
    expect(error).toEqual({ field: "alertRules.psiRuns", message: "must be ≥ 1" });
    expect(messageFor(error, "alertRules.psiRuns")).toBe("must be ≥ 1");
    expect(messageFor(error, "alertRules")).toBe("must be ≥ 1");
    expect(messageFor(error, "alertRules.psiThreshold")).toBeNull();
    expect(
      messageFor(
        formError(new ApiError(400, { code: "invalid_request", message: "bad", field: "to[1]" })),
        "to",
      ),
    ).toBe("bad");
  });

  it("keeps errors without a field for the form itself", () => {
    const error = formError(new Error("offline"));
    expect(error).toEqual({ field: null, message: "offline" });
    expect(messageFor(error, "name")).toBeNull();
  });
});
