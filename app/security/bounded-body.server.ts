/**
 * Reading a request body with a ceiling. An unauthenticated caller decides how much it sends, and
 * HMAC verification or JSON parsing needs the whole body in memory, so every endpoint that buffers
 * a body stops reading as soon as it is over its limit instead of buffering first and checking after.
 */
import type { IncomingMessage } from "node:http";

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

/**
 * `readBodyAtMost` for a Node request (the lean webhook path in front of Remix), as UTF-8 text.
 * What is over the limit is read and dropped, never buffered, so the client gets to read its 413.
 */
export function readNodeBodyAtMost(req: IncomingMessage, limit: number): Promise<string | null> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && !(Number(declared) <= limit)) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks, size).toString("utf8"));
    });
    req.on("error", reject);
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
