import { describe, expect, it } from "vitest";
import { ConfigError, configValue, parseConfig } from "~/config.server";
import { configProblems, validEnv } from "./helpers/config-env";

const valid = validEnv;
const problems = configProblems;

describe("configuration from the environment", () => {
  it("accepts a complete environment and fills documented defaults", () => {
    const config = parseConfig(valid);
    expect(config.OPENAI_CAPI_URL).toBe("https://bzr.openai.com");
    expect(config.DATABASE_URL).toBe("file:./prisma/dev.sqlite");
    expect(config.PORT).toBe(3000);
    expect(config.SCOPES).toBe("read_orders,write_pixels,read_customer_events");
  });

  it.each(["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "ENCRYPTION_KEY"])(
    "names a missing %s",
    (name) => {
      const env: Record<string, string | undefined> = { ...valid, [name]: undefined };
      const found = problems(env);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(new RegExp(`^${name} `));
    },
  );

  it("names malformed values without echoing them", () => {
    const found = problems({
      ...valid,
      ENCRYPTION_KEY: "c2hvcnQ=",
      PORT: "http",
      OPENAI_CAPI_URL: "not a url",
      DATABASE_URL: "mysql://x",
    });
    expect(found.map((p) => p.split(" ")[0]).sort()).toEqual([
      "DATABASE_URL",
      "ENCRYPTION_KEY",
      "OPENAI_CAPI_URL",
      "PORT",
    ]);
    expect(found.join("\n")).not.toContain("c2hvcnQ=");
  });

  it("checks the scale settings (ack mode, pool size, inbox lease) by name", () => {
    const config = parseConfig(valid);
    expect([config.WEBHOOK_ACK, config.DATABASE_POOL_SIZE, config.WEBHOOK_INBOX_LEASE_MS]).toEqual([
      "stored",
      10,
      60_000,
    ]);
    expect(parseConfig({ ...valid, WEBHOOK_ACK: "processed", DATABASE_POOL_SIZE: "4" })).toMatchObject({
      WEBHOOK_ACK: "processed",
      DATABASE_POOL_SIZE: 4,
    });
    const found = problems({ ...valid, WEBHOOK_ACK: "fast", DATABASE_POOL_SIZE: "0", WEBHOOK_INBOX_LEASE_MS: "10" });
    expect(found.map((p) => p.split(" ")[0]).sort()).toEqual([
      "DATABASE_POOL_SIZE",
      "WEBHOOK_ACK",
      "WEBHOOK_INBOX_LEASE_MS",
    ]);
  });

  it("reads one variable by the same rule where the whole configuration is not set", () => {
    expect(configValue("WEBHOOK_ACK", {})).toBe("stored");
    expect(configValue("WEBHOOK_ACK", { WEBHOOK_ACK: "" })).toBe("stored");
    expect(configValue("DATABASE_POOL_SIZE", { DATABASE_POOL_SIZE: "3" })).toBe(3);
    expect(() => configValue("WEBHOOK_ACK", { WEBHOOK_ACK: "sometimes" })).toThrow(ConfigError);
    expect(() => configValue("DATABASE_POOL_SIZE", { DATABASE_POOL_SIZE: "-1" })).toThrow(
      /^Invalid configuration:\n {2}- DATABASE_POOL_SIZE /,
    );
  });

  it("refuses the local preview in production", () => {
    expect(problems({ ...valid, NODE_ENV: "production", LOCAL_PREVIEW: "true" })[0]).toMatch(/LOCAL_PREVIEW/);
  });
});
