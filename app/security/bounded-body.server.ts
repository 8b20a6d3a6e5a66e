/**
 * Reading a request body with a ceiling. An unauthenticated caller decides how much it sends, and
 * HMAC verification or JSON parsing needs the whole body in memory, so every endpoint that buffers
 * a body stops reading as soon as it is over its limit instead of buffering first and checking after.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BodyBudget } from "./body-budget.server";

/** The bytes of the body, or null as soon as more than `limit` bytes have arrived (the rest is not read). */
export async function readBodyAtMost(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = request.headers.get("content-length");
  // A declared size over the limit (or a nonsense one) is refused before reading a byte.
  if (declared !== null && !(Number(declared) <= limit)) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** What reading a Node request's body came to. */
export type NodeBodyRead =
  | { kind: "body"; text: string; /** gives the body's bytes back to the budget */ release(): void }
  | { kind: "too_large" }
  | { kind: "busy" };

/**
 * `readBodyAtMost` for a Node request (the lean webhook path in front of Remix), as UTF-8 text,
 * within a shared budget of bytes in flight. A declared body is refused before a byte is read when
 * it is over `limit` ("too_large") or does not fit the budget ("busy"); an undeclared (chunked) one
 * takes from the budget chunk by chunk. A declared body is read straight into one buffer of its size
 * (no list of chunks to join). On a refusal the request stops being read: the caller answers and
 * closes the connection (`closeAfterAnswer`) rather than draining what the client still sends.
 */
export function readNodeBodyWithin(req: IncomingMessage, limit: number, budget: BodyBudget): Promise<NodeBodyRead> {
  const header = req.headers["content-length"];
  const declared = header === undefined ? null : Number(header);
  if (declared !== null && !(declared <= limit)) return Promise.resolve({ kind: "too_large" });
  if (declared !== null && !budget.tryTake(declared)) return Promise.resolve({ kind: "busy" });
  let taken = declared ?? 0;
  const release = () => {
    budget.giveBack(taken);
    taken = 0;
  };
  return new Promise((resolve, reject) => {
    const into = declared !== null ? Buffer.allocUnsafe(declared) : null;
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (outcome: NodeBodyRead) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.pause();
      release();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop({ kind: "too_large" });
      if (into) {
        // Node's parser never delivers more than Content-Length; the check is for safety only.
        if (size > into.length) return stop({ kind: "too_large" });
        chunk.copy(into, size - chunk.length);
        return;
      }
      if (!budget.tryTake(chunk.length)) return stop({ kind: "busy" });
      taken += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      const bytes = into ? into.subarray(0, size) : Buffer.concat(chunks, size);
      chunks.length = 0;
      resolve({ kind: "body", text: bytes.toString("utf8"), release });
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", (error) => {
      release();
      reject(error);
    });
  });
}

/**
 * After answering a refused body (413, 503): end the connection instead of reading the rest of it.
 * The answer is flushed first, then the socket is half-closed; whatever the client still sends sits
 * in the kernel's receive window (never read into memory) until the socket is destroyed a few seconds later.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse) {
  const socket = req.socket;
  req.pause();
  res.once("finish", () => {
    socket.end();
    // Long enough for a slow client to read its answer before the reset discards it.
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

/**
 * The same POST with its body buffered (at most `maxBytes`), or a 413 as soon as it is over. Other
 * methods pass through untouched so their handler can answer 405.
 */
export async function limitRequestBody(request: Request, maxBytes: number): Promise<Request | Response> {
  if (request.method !== "POST") return request;
  const bytes = await readBodyAtMost(request, maxBytes);
  if (bytes === null) return new Response(null, { status: 413, headers: { Connection: "close" } });
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  return new Request(request.url, { method: "POST", headers, body: bytes });
}
