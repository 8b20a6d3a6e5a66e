/**
 * Attack: CSV injection through the event log export. Order names and OpenAI's answers are text from
 * outside the app (a shop's order-name prefix, an error message), exported verbatim. A value a
 * spreadsheet would evaluate must come out inert (a leading apostrophe), whatever disguise it wears.
 */
import { describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { eventLogCsvStream, parseEventLogFilter } from "~/models/event-log.server";
import { eventRow } from "../helpers/reconciliation-rows";

const DISGUISES = [
  ' =HYPERLINK("https://evil.example/","x")',
  "\u00a0=1+1",
  "\u3000=1+1",
  "\uFF1D1+1",
  "\uFF0B1",
  "\uFF0D1",
  "\uFF20SUM(A1)",
  "|calc!A0",
  " \t@SUM(A1)",
];

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("attack: formulas in the CSV export", () => {
  it("every disguised formula in an exported field starts with an apostrophe", async () => {
    const shop = `csv-attack-${Date.now()}.myshopify.com`;
    const createdAt = new Date();
    await prisma.conversionEvent.createMany({
      data: DISGUISES.map((formula, i) =>
        eventRow({
          shop,
          orderId: String(7000 + i),
          createdAt,
          orderName: formula,
          lastError: formula,
          status: "rejected",
        }),
      ),
    });
    const csv = await readAll(
      eventLogCsvStream(shop, parseEventLogFilter(new URLSearchParams(), createdAt.toISOString().slice(0, 10))),
    );
    for (const formula of DISGUISES) {
      const quoted = /[",\r\n]/.test(formula) ? `"'${formula.replace(/"/g, '""')}"` : `'${formula}`;
      expect(csv, JSON.stringify(formula)).toContain(quoted);
    }
  });
});
