// Prisma CLI configuration. engine "js" + a driver adapter keeps every Prisma command offline (no
// Rust engine download). DATABASE_URL picks the database AND the schema/migration history:
//   file:…              → SQLite, prisma/schema.prisma + prisma/migrations
//   postgres(ql)://…    → Postgres, prisma/postgres/schema.prisma + prisma/postgres/migrations
// so `npm run setup` / `npx prisma migrate deploy` work unchanged for both.
import path from "node:path";
import type { PrismaConfig } from "prisma";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { postgresCliAdapter } from "./prisma/postgres/cli-adapter";

const url = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
const postgres = /^postgres(ql)?:\/\//.test(url);

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: postgres ? path.join("prisma", "postgres", "schema.prisma") : path.join("prisma", "schema.prisma"),
  migrations: { path: postgres ? path.join("prisma", "postgres", "migrations") : path.join("prisma", "migrations") },
  async adapter() {
    return postgres ? postgresCliAdapter(url) : new PrismaLibSQL({ url });
  },
} satisfies PrismaConfig;
