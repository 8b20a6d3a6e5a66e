// Generates both Prisma clients (`npm run db:generate`, and `postinstall`). Plain Node (no tsx).
//   prisma/schema.prisma          → node_modules/.prisma/client (SQLite; the default `@prisma/client`)
//   prisma/postgres/schema.prisma → node_modules/.prisma/client-postgres, sharing @prisma/client's runtime
// Each schema is named explicitly: a bare `prisma generate` follows DATABASE_URL (prisma.config.ts)
// and would generate only one of them.
//
// Why the second step: Prisma copies its runtime into every client generated to a custom output, so
// the Postgres client would have its own copies of `Prisma.Sql`, `Prisma.PrismaClientKnownRequestError`,
// … and code written against `@prisma/client` (e.g. `$queryRaw` with `Prisma.raw(...)` fragments, or
// `error instanceof Prisma.PrismaClientKnownRequestError`) would silently misbehave on Postgres: a
// foreign `Prisma.raw` fragment is bound as a JSON string parameter. Pointing the generated client at
// the one runtime the default client already uses (same package, same version, checked below) makes
// both clients speak the same classes. The provider-specific parts (query compiler WebAssembly) stay
// in the generated folder.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "node_modules", ".prisma", "client-postgres");
const prismaBin = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "prisma.cmd" : "prisma");

for (const schema of [path.join("prisma", "schema.prisma"), path.join("prisma", "postgres", "schema.prisma")]) {
  execFileSync(prismaBin, ["generate", "--schema", schema], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}

const require = createRequire(path.join(root, "package.json"));
const runtimeVersion = require("@prisma/client/package.json").version;
const generated = readFileSync(path.join(outDir, "index.js"), "utf8");
const clientVersion = /"clientVersion":\s*"([^"]+)"/.exec(generated)?.[1];
if (clientVersion !== runtimeVersion) {
  console.error(
    `generate-prisma-clients: generated client ${clientVersion} ≠ @prisma/client ${runtimeVersion}; not sharing the runtime`,
  );
  process.exit(1);
}

let patched = 0;
for (const file of readdirSync(outDir)) {
  if (!/\.(c|m)?js$/.test(file)) continue;
  const full = path.join(outDir, file);
  const text = readFileSync(full, "utf8");
  const next = text.replaceAll(/(["'])\.\/runtime\//g, "$1@prisma/client/runtime/");
  if (next !== text) {
    writeFileSync(full, next);
    patched++;
  }
}
if (patched === 0) {
  console.error(
    "generate-prisma-clients: found no './runtime/' import to point at @prisma/client/runtime (Prisma changed?)",
  );
  process.exit(1);
}
// The JS no longer loads it; the type declarations still do (index.d.ts → ./runtime/*.d.ts), so only
// the JavaScript copies go.
for (const file of readdirSync(path.join(outDir, "runtime"))) {
  if (file.endsWith(".js")) rmSync(path.join(outDir, "runtime", file));
}
console.log(
  `Generated the Prisma clients: SQLite (@prisma/client) and Postgres (node_modules/.prisma/client-postgres, runtime @prisma/client ${runtimeVersion})`,
);
