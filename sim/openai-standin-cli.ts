/**
 * Runs the OpenAI stand-in on its own, for the offline demo and manual poking:
 *   npx tsx sim/openai-standin-cli.ts --port 4010 --pixel PIXEL_ID:CONVERSIONS_KEY [--pixel …]
 *     [--host 127.0.0.1] [--advertiser-key KEY]
 * Prints the base URL (point the app's CAPI base URL at it) and stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startOpenAiStandin } from "./openai-standin";

const DEFAULT_PORT = 4010;

function parsePixel(pair: string): [string, string] {
  const colon = pair.indexOf(":");
  if (colon <= 0 || colon === pair.length - 1) {
    // The value is not echoed: it may be a bare key.
    throw new Error("--pixel expects PIXEL_ID:CONVERSIONS_API_KEY");
  }
  return [pair.slice(0, colon), pair.slice(colon + 1)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: String(DEFAULT_PORT) },
      host: { type: "string", default: "127.0.0.1" },
      pixel: { type: "string", multiple: true, default: [] },
      "advertiser-key": { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, got '${values.port}'`);

  const credentials = Object.fromEntries(values.pixel.map(parsePixel));
  const standin = await startOpenAiStandin({
    port,
    host: values.host,
    credentials,
    advertiserKeys: values["advertiser-key"],
  });
  // Pixel ids are public; the keys are never printed.
  console.log(`OpenAI stand-in listening on ${standin.url} (pixels: ${Object.keys(credentials).join(", ") || "none"})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing OpenAI stand-in`);
    standin.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
