// Prisma CLI configuration. engine "js" + a driver adapter keeps every Prisma command offline (no
// Rust engine download); DATABASE_URL picks the database file.
import path from "node:path";
import type { PrismaConfig } from "prisma";
import { PrismaLibSQL } from "@prisma/adapter-libsql";

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    return new PrismaLibSQL({ url: process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite" });
  },
} satisfies PrismaConfig;
