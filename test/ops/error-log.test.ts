/**
 * The one-line error log (app/ops/error-log.server.ts) on a real loopback server, and Remix's
 * handleError (app/entry.server.tsx) handing a thrown loader/action error to the request's line.
 */
import http from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handleError } from "~/entry.server";
import { logger } from "~/logger.server";
import { noteRequestError, requestErrorSink, watchErrorResponses } from "~/ops/error-log.server";

let server: http.Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Every warn/error call of the app's logger, as the JSON pino would write for its fields. */
function captureLines() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  for (const level of ["warn", "error"] as const) {
    vi.spyOn(logger, level).mockImplementation(((fields: Record<string, unknown>, msg: string) => {
      lines.push({ level, fields, msg });
    }) as never);
  }
  return lines;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<string> {
  server = http.createServer((req, res) => {
    watchErrorResponses(req, res);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

function multiLineError(): Error {
  const error = new Error("loader exploded\nsecond line of the message");
  error.stack = `Error: loader exploded\n${Array.from({ length: 30 }, (_, i) => `    at frame${i} (/app/file.js:${i}:1)`).join("\n")}`;
  return error;
}

describe("one log line per failed request", () => {
  it("a thrown error noted during the request: one error line with status, path without query, a one-string stack", async () => {
    const lines = captureLines();
    const url = await serve((_req, res) => {
      requestErrorSink(res).note(multiLineError());
      requestErrorSink(res).note(new Error("a second error of the same failure"));
      res.writeHead(500).end("Internal Server Error");
    });
    const response = await fetch(`${url}/app/events?id_token=SECRET-TOKEN&hmac=x`);
    await response.arrayBuffer();
    await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0));
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line.level).toBe("error");
    expect(line.fields.http).toMatchObject({ method: "GET", path: "/app/events", status: 500 });
    const error = line.fields.error as { type: string; message: string; stack: string };
    expect(error.type).toBe("Error");
    expect(error.message).toContain("loader exploded");
    expect(error.stack).not.toContain("\n");
    expect(error.stack.split(" | ")).toHaveLength(8); // the first frames only
    expect(JSON.stringify(line)).not.toContain("SECRET-TOKEN");
  });

  it("404 and 405 without an error: one warn line each; a 200 or a 302: none", async () => {
    const lines = captureLines();
    const url = await serve((req, res) => {
      const status = Number(req.url!.slice(1));
      res.writeHead(status).end();
    });
    for (const status of [404, 405, 200, 302, 404])
      await (await fetch(`${url}/${status}`, { redirect: "manual" })).arrayBuffer();
    await vi.waitFor(() => expect(lines.length).toBe(3));
    expect(lines.map((l) => [l.level, l.msg, (l.fields.http as { status: number }).status])).toEqual([
      ["warn", "not found", 404],
      ["warn", "method not allowed", 405],
      ["warn", "not found", 404],
    ]);
  });

  it("an error for a response nobody watches is logged at once, as one line", () => {
    const lines = captureLines();
    noteRequestError(undefined, multiLineError());
    expect(lines).toHaveLength(1);
    expect((lines[0].fields.error as { stack: string }).stack).not.toContain("\n");
  });

  it("Remix's handleError hands the error to the request's sink, and ignores requests the client abandoned", () => {
    const noted: unknown[] = [];
    const context = { requestErrors: { note: (error: unknown) => noted.push(error) } };
    const error = multiLineError();
    handleError(error, { request: new Request("http://localhost/app"), params: {}, context });
    expect(noted).toEqual([error]);
    const aborted = new AbortController();
    aborted.abort();
    handleError(error, {
      request: new Request("http://localhost/app", { signal: aborted.signal }),
      params: {},
      context,
    });
    expect(noted).toHaveLength(1);
  });
});
