// Every vitest worker gets its own migrated SQLite file (PrismaSessionStorage hangs on a missing
// table): migrate one template with the real migrations, then copy it per worker.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";

export default function setup() {
  const dir = path.join(process.cwd(), "test-artifacts");
  mkdirSync(dir, { recursive: true });
  const template = path.join(dir, "template.sqlite");
  rmSync(template, { force: true });
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${template}` },
    stdio: "ignore",
  });
  for (const id of ["0", "1", "2", "3", "4", "5", "6", "7", "8"]) {
    copyFileSync(template, path.join(dir, `test-${id}.sqlite`));
  }
}
