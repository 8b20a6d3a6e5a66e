import { describe, expect, it } from "vitest";
import { limitRequestBody, readBodyAtMost } from "~/security/bounded-body.server";
import { handleWebhook } from "~/webhooks/respond.server";

/** A streamed body of `chunks` chunks of `size` bytes that records how far it was read. */
function streamed(chunks: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks) return controller.close();
      state.pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  const request = new Request("https://app.example.com/webhooks/orders/create", {
    method: "POST",
    body,
    duplex: "half",
  } as RequestInit);
  return { request, state };
}

describe("reading a body with a ceiling", () => {
  it("returns the whole body when it fits, up to exactly the limit", async () => {
    const { request } = streamed(4, 256);
    const bytes = await readBodyAtMost(request, 1024);
    expect(bytes?.byteLength).toBe(1024);
    expect(new TextDecoder().decode(bytes!)).toBe("a".repeat(1024));
  });

  it("stops reading as soon as the body is over the limit and cancels the rest", async () => {
    const { request, state } = streamed(1000, 1024);
    expect(await readBodyAtMost(request, 4096)).toBeNull();
    expect(state.pulled).toBeLessThan(10);
    expect(state.cancelled).toBe(true);
  });

  it("refuses a declared size over the limit, or a nonsense one, without reading", async () => {
    for (const declared of ["4097", "abc", "-"]) {
      const request = new Request("https://app.example.com/x", {
        method: "POST",
        body: "small",
        headers: { "content-length": declared },
      });
      expect(await readBodyAtMost(request, 4096)).toBeNull();
    }
  });

  it("an empty body is zero bytes", async () => {
    expect((await readBodyAtMost(new Request("https://app.example.com/x", { method: "POST" }), 10))?.byteLength).toBe(
      0,
    );
  });

  it("limitRequestBody: the same POST buffered, 413 when over, other methods untouched", async () => {
    const ok = await limitRequestBody(
      new Request("https://app.example.com/x", {
        method: "POST",
        body: "{}",
        headers: { "x-shopify-topic": "orders/create" },
      }),
      10,
    );
    expect(ok).toBeInstanceOf(Request);
    expect(await (ok as Request).text()).toBe("{}");
    expect((ok as Request).headers.get("x-shopify-topic")).toBe("orders/create");

    const over = await limitRequestBody(streamed(20, 1024).request, 4096);
    expect((over as Response).status).toBe(413);

    const get = new Request("https://app.example.com/x");
    expect(await limitRequestBody(get, 10)).toBe(get);
  });

  it("every Remix webhook route gets the limit: an oversized webhook is 413 before verification", async () => {
    let ingested = 0;
    const response = await handleWebhook(streamed(6 * 1024, 1024).request, async () => void ingested++);
    expect(response.status).toBe(413);
    expect(ingested).toBe(0);
  });
});
