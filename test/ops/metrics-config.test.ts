/** METRICS_TOKEN and METRICS_PORT: what start-up accepts, and that a refusal never echoes the token. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "~/config.server";
import { configProblems, validEnv } from "../helpers/config-env";

const valid = validEnv;
const problems = configProblems;

describe("metrics configuration", () => {
  it("has no token and no worker listener by default, and an empty token is none (.env.example)", () => {
    const config = parseConfig(valid);
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(config.METRICS_PORT).toBe(0);
    expect(parseConfig({ ...valid, METRICS_TOKEN: "", METRICS_PORT: "0" }).METRICS_TOKEN).toBeUndefined();
  });

  it("takes a token of 16 printable characters or more, and a port with it", () => {
    const config = parseConfig({ ...valid, METRICS_TOKEN: "a".repeat(48), METRICS_PORT: "9464" });
    expect(config.METRICS_TOKEN).toBe("a".repeat(48));
    expect(config.METRICS_PORT).toBe(9464);
  });

  it.each(["short-token", "has a space in the middle", "tab\there-and-more-chars"])(
    "refuses the token %j without repeating it",
    (token) => {
      const found = problems({ ...valid, METRICS_TOKEN: token });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^METRICS_TOKEN /);
      expect(found[0]).not.toContain(token);
    },
  );

  it("refuses a worker listener without a token (it would answer nobody)", () => {
    expect(problems({ ...valid, METRICS_PORT: "9464" })).toEqual([
      "METRICS_PORT needs METRICS_TOKEN (the metrics listener answers only with the bearer token)",
    ]);
  });
});
