/**
 * One migration history per provider (prisma/migrations for SQLite, prisma/postgres/migrations for
 * Postgres), both kept in step with prisma/schema.prisma; and whatever database this run uses has
 * every table and column the Prisma client expects.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import prisma, { currentDatabaseProvider } from "~/db/client.server";
import { POSTGRES_SCHEMA, postgresSchemaFrom, SQLITE_SCHEMA } from "../../scripts/postgres-schema";

const migrationsOf = (dir: string) =>
  readdirSync(dir)
    .filter((name) => /^\d{14}_/.test(name))
    .sort();

describe("schemas and migrations for SQLite and Postgres", () => {
  it("prisma/postgres/schema.prisma is derived from prisma/schema.prisma (npm run db:postgres-schema)", () => {
    expect(readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(postgresSchemaFrom(readFileSync(SQLITE_SCHEMA, "utf8")));
  });

  it("every SQLite migration has its Postgres twin, with the same name and order", () => {
    const sqlite = migrationsOf(path.join(process.cwd(), "prisma", "migrations"));
    const postgres = migrationsOf(path.join(process.cwd(), "prisma", "postgres", "migrations"));
    expect(postgres).toEqual(sqlite);
    expect(
      readFileSync(path.join(process.cwd(), "prisma", "postgres", "migrations", "migration_lock.toml"), "utf8"),
    ).toMatch(/provider = "postgresql"/);
  });

  it(`the migrated ${currentDatabaseProvider()} test database has every column of every model`, async () => {
    const missing: string[] = [];
    for (const model of Prisma.dmmf.datamodel.models) {
      const rows =
        currentDatabaseProvider() === "postgres"
          ? await prisma.$queryRaw<
              { name: string }[]
            >`SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${model.name}`
          : await prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM pragma_table_info('${model.name}')`);
      const columns = new Set(rows.map((r) => r.name));
      for (const field of model.fields)
        if (field.kind === "scalar" && !columns.has(field.name)) missing.push(`${model.name}.${field.name}`);
    }
    expect(missing).toEqual([]);
  });
});
