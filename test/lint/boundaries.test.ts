/**
 * The rooms' import boundaries (eslint.config.js) are what keep the pure core free of I/O, the
 * models below the rooms that use them, routes off the database plumbing and the storefront code
 * free of server code. Each case lints a small file placed inside a room through ESLint's own API,
 * with the repository's real configuration: removing or loosening a rule makes a case here fail.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

/** The rule ids ESLint reports for `code` as if it were the file at `filePath` (repository-relative). */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.map((m) => m.ruleId ?? "fatal");
}

describe("import boundaries", () => {
  it("the pure core may not import Prisma", async () => {
    const rules = await violations(
      "app/conversions/boundary-fixture.ts",
      'import { PrismaClient } from "@prisma/client";\nexport const client = new PrismaClient();\n',
    );
    expect(rules).toContain("no-restricted-imports");
  });

  it("the pure core may not import a model", async () => {
    const rules = await violations(
      "app/conversions/boundary-fixture.ts",
      'import { findPixelReceipt } from "~/models/receipts.server";\nexport const find = findPixelReceipt;\n',
    );
    expect(rules).toContain("import-x/no-restricted-paths");
  });

  it("models may not import the outbox", async () => {
    const rules = await violations(
      "app/models/boundary-fixture.server.ts",
      'import { runDeliveryPass } from "~/outbox/worker.server";\nexport const run = runDeliveryPass;\n',
    );
    expect(rules).toContain("import-x/no-restricted-paths");
  });

  it("routes may not reach the database plumbing", async () => {
    const rules = await violations(
      "app/routes/boundary-fixture.tsx",
      'import prisma from "~/db/client.server";\nexport const loader = () => prisma.shopSettings.count();\n',
    );
    expect(rules).toContain("import-x/no-restricted-paths");
  });

  it("the backfill may not reach the database plumbing (tables only through models)", async () => {
    const rules = await violations(
      "app/backfill/boundary-fixture.server.ts",
      'import prisma from "~/db/client.server";\nexport const jobs = () => prisma.backfillJob.count();\n',
    );
    expect(rules).toContain("import-x/no-restricted-paths");
  });

  it("the web pixel may not import server code", async () => {
    const rules = await violations(
      "extensions/openai-pixel/src/boundary-fixture.ts",
      'import { findPixelReceipt } from "../../../app/models/receipts.server";\nexport const find = findPixelReceipt;\n',
    );
    expect(rules).toContain("import-x/no-restricted-paths");
  });

  it("accepts the imports the rooms allow", async () => {
    expect(
      await violations(
        "extensions/openai-pixel/src/boundary-fixture.ts",
        'import { dedupIdForOrder } from "../../../app/conversions/dedup-id";\nexport const id = dedupIdForOrder;\n',
      ),
    ).toEqual([]);
    expect(
      await violations(
        "app/routes/boundary-fixture.tsx",
        'import { findPixelReceipt } from "~/models/receipts.server";\nexport const loader = () => findPixelReceipt("a", "b");\n',
      ),
    ).toEqual([]);
  });
});
