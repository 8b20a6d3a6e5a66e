/** The smallest environment start-up accepts, and the problems it reports for another one. */
import { expect } from "vitest";
import { ConfigError, parseConfig } from "~/config.server";

export const validEnv = {
  SHOPIFY_API_KEY: "k",
  SHOPIFY_API_SECRET: "s",
  SHOPIFY_APP_URL: "https://app.example.com",
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
};

/** What parseConfig refuses in `env` (empty when it accepts it); any other error fails the test. */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}
