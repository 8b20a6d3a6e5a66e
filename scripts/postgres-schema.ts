/**
 * prisma/postgres/schema.prisma is DERIVED from prisma/schema.prisma: same models, Postgres
 * datasource, client generated next to the default one (node_modules/.prisma/client-postgres).
 * One source of truth for the models; a test (test/scale/postgres-schema.test.ts) fails when the
 * copy is stale.
 *
 *   npm run db:postgres-schema            rewrite prisma/postgres/schema.prisma
 *   npm run db:postgres-schema -- --check exit 1 if it is stale
 *
 * After changing the models: add the SQLite migration as usual, run this, then add the Postgres one:
 *   npx prisma migrate diff --from-schema-datamodel <previous postgres schema> \
 *     --to-schema-datamodel prisma/postgres/schema.prisma --script > prisma/postgres/migrations/<ts>_<name>/migration.sql
 * (or `--from-migrations prisma/postgres/migrations --shadow-database-url <scratch db>`).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SQLITE_SCHEMA = path.join(root, "prisma", "schema.prisma");
export const POSTGRES_SCHEMA = path.join(root, "prisma", "postgres", "schema.prisma");

const POSTGRES_HEADER = `// GENERATED from prisma/schema.prisma by \`npm run db:postgres-schema\`: edit the models there.
// Postgres (production, several app instances). The literal url keeps the Prisma CLI offline: the real
// location comes from DATABASE_URL through the pg driver adapter (prisma.config.ts, app/db/prisma-client.server.ts).
// The client is generated beside the default one, so the app can load either at runtime.
generator client {
  provider   = "prisma-client-js"
  engineType = "client"
  output     = "../../node_modules/.prisma/client-postgres"
}

datasource db {
  provider = "postgresql"
  url      = "postgresql://localhost:5432/placeholder"
}
`;

/** The models (everything after the datasource block) of a schema file. */
export function modelsOf(schema: string): string {
  const match = /datasource\s+db\s*\{[^}]*\}\n?/.exec(schema);
  if (!match) throw new Error("schema has no `datasource db` block");
  return schema.slice(match.index + match[0].length);
}

/**
 * `Int @id @default(autoincrement())`, the one type that must differ: on SQLite it is the table's
 * rowid (INTEGER PRIMARY KEY, already 64-bit, and Prisma's BigInt there would make it a plain BIGINT
 * column without autoincrement), on Postgres it would be a 32-bit SERIAL that a busy inbox exhausts
 * (2^31 webhooks), so there it is BigInt (BIGSERIAL). Raw SQL reads such ids as `number | bigint`.
 */
const AUTOINCREMENT_INT = /^(\s+\w+\s+)Int {3}(\s*@id @default\(autoincrement\(\)\))/gm;

export function postgresSchemaFrom(sqliteSchema: string): string {
  return POSTGRES_HEADER + modelsOf(sqliteSchema).replace(AUTOINCREMENT_INT, "$1BigInt$2");
}

function main() {
  const wanted = postgresSchemaFrom(readFileSync(SQLITE_SCHEMA, "utf8"));
  let current = "";
  try {
    current = readFileSync(POSTGRES_SCHEMA, "utf8");
  } catch {
    // first run
  }
  if (process.argv.includes("--check")) {
    if (current !== wanted) {
      console.error(
        "prisma/postgres/schema.prisma is stale: run `npm run db:postgres-schema` and add a Postgres migration",
      );
      process.exit(1);
    }
    console.log("prisma/postgres/schema.prisma is up to date");
    return;
  }
  if (current !== wanted) writeFileSync(POSTGRES_SCHEMA, wanted);
  console.log(current === wanted ? "prisma/postgres/schema.prisma unchanged" : "wrote prisma/postgres/schema.prisma");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
