/**
 * Making a Prisma client for a database URL. Driver adapters keep Prisma free of downloaded engines,
 * so everything runs offline.
 *
 * Prisma generates one client per schema/provider. Both are generated at install (`npm run
 * db:generate`): prisma/schema.prisma → node_modules/.prisma/client (the default `@prisma/client`),
 * prisma/postgres/schema.prisma → node_modules/.prisma/client-postgres. The models are the same
 * (prisma/postgres/schema.prisma is derived from the SQLite one and checked at start-up), so the
 * Postgres client has the same model types and is typed as the default `PrismaClient` everywhere.
 */
import { createRequire } from "node:module";
import { configValue } from "~/config.server";
import { Prisma, PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseProvider } from "./provider.server";
import { SingleWriterLibSQL } from "./sqlite-connection.server";

export function createPrismaClient(databaseUrl: string): PrismaClient {
  if (databaseProvider(databaseUrl) === "postgres") {
    const { PrismaClient: PostgresPrismaClient } = loadPostgresClient();
    const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize() });
    return withoutNulCharacters(new PostgresPrismaClient({ adapter }) as PrismaClient);
  }
  return new PrismaClient({ adapter: new SingleWriterLibSQL({ url: databaseUrl }) });
}

interface GeneratedClientModule {
  PrismaClient: new (options: { adapter: PrismaPg }) => unknown;
  Prisma: {
    dmmf: { datamodel: { models: readonly { name: string; fields: readonly { name: string; type: string }[] }[] } };
    PrismaClientKnownRequestError: unknown;
  };
}

/**
 * The Postgres client is loaded with Node's resolver at run time (not bundled): it is CommonJS that
 * reads its query-compiler WebAssembly from its own folder, exactly like the default client, which
 * both bundlers (Remix/Vite, esbuild) also leave in node_modules. scripts/generate-prisma-clients.mjs
 * generates it and points it at @prisma/client's runtime, so `Prisma.sql`/`Prisma.raw` fragments and
 * `Prisma.PrismaClientKnownRequestError` are the same classes for both databases.
 */
function loadPostgresClient(): GeneratedClientModule {
  const requireFromHere = createRequire(import.meta.url);
  let generated: GeneratedClientModule;
  try {
    generated = requireFromHere(".prisma/client-postgres") as GeneratedClientModule;
  } catch (error) {
    throw new Error(
      "DATABASE_URL is Postgres but the Postgres Prisma client is not generated: run `npm run db:generate` " +
        `(npm install does it)${error instanceof Error ? ` (${error.message.split("\n")[0]})` : ""}`,
    );
  }
  assertSameModels(Prisma.dmmf.datamodel.models, generated.Prisma.dmmf.datamodel.models);
  if (generated.Prisma.PrismaClientKnownRequestError !== Prisma.PrismaClientKnownRequestError) {
    // A bare `prisma generate` leaves the Postgres client with its own runtime copy: `Prisma.sql`
    // fragments would be sent as text and `instanceof` checks would fail. Refuse to start instead.
    throw new Error("The Postgres Prisma client does not share @prisma/client's runtime: run `npm run db:generate`");
  }
  return generated;
}

/** `Int @id @default(autoincrement())` fields (the generated DMMF does not say which fields those are). */
const AUTOINCREMENT_IDS = ["WebhookInbox.id"];

/** A schema change regenerates the default client; a stale Postgres one would fail on every query. */
function assertSameModels(
  expected: GeneratedClientModule["Prisma"]["dmmf"]["datamodel"]["models"],
  actual: GeneratedClientModule["Prisma"]["dmmf"]["datamodel"]["models"],
) {
  // The autoincrement ids are Int on SQLite (the rowid) and BigInt on Postgres (scripts/postgres-schema.ts).
  const typeOf = (model: string, field: { name: string; type: string }) =>
    AUTOINCREMENT_IDS.includes(`${model}.${field.name}`) ? "autoincrement" : field.type;
  const shape = (models: typeof expected) =>
    models
      .map((m) => `${m.name}(${m.fields.map((f) => `${f.name}:${typeOf(m.name, f)}`).join(",")})`)
      .sort()
      .join(" ");
  if (shape(expected) !== shape(actual)) {
    throw new Error(
      "The Postgres Prisma client does not match prisma/schema.prisma: run `npm run db:postgres-schema`, " +
        "add the Postgres migration, then `npm run db:generate`",
    );
  }
}

/**
 * Postgres text cannot hold U+0000 (SQLite can): a webhook whose order name or refund id carries one
 * would fail to store, get a 500, and be retried by Shopify for hours. Every string a model query
 * sends is stripped of it (reads and writes alike, so lookups stay consistent with what was stored).
 */
function withoutNulCharacters(client: PrismaClient): PrismaClient {
  return client.$extends({
    query: {
      $allModels: {
        $allOperations({ args, query }) {
          return query(stripNul(args) as typeof args);
        },
      },
    },
  }) as unknown as PrismaClient;
}

function stripNul(value: unknown): unknown {
  if (typeof value === "string") return value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
  if (Array.isArray(value)) return value.map(stripNul);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = stripNul(item);
    return out;
  }
  return value;
}

/** Connections per process (pg pool, DATABASE_POOL_SIZE). Web processes group-commit, so a few go a long way. */
function poolSize(): number {
  return configValue("DATABASE_POOL_SIZE");
}
