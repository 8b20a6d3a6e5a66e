// ESLint (flat config). Two jobs: catch dead code and mistakes, and enforce the rooms of the house
// (docs/ARCHITECTURE.md): which folder may import which. The boundary rules are what keep the pure
// core pure and the storefront code free of server code; test/lint/boundaries.test.ts proves they bite.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

/** Modules that do I/O or read the environment: the pure core and the storefront bundles never import them. */
const IO_MODULES = [
  "node:*",
  "fs",
  "path",
  "http",
  "https",
  "crypto",
  "child_process",
  "worker_threads",
  "@prisma/*",
  "@libsql/*",
  "libsql",
  "pg",
  "pino",
  "express",
  "@shopify/shopify-api",
  "@shopify/shopify-api/*",
  "@shopify/shopify-app-remix",
  "@shopify/shopify-app-remix/*",
];

/** A zone: files in `target` may not import from `from` (paths from the repository root). */
const zone = (target, from, message) => ({ target, from, message });

const ROOM_ZONES = [
  // The pure core: no other room at all (it is what every other room builds on).
  ...[
    "app/db",
    "app/lib",
    "app/models",
    "app/outbox",
    "app/webhooks",
    "app/pixel",
    "app/admin",
    "app/routes",
    "app/openai",
    "app/security",
    "app/components",
    "app/backfill",
  ].map((from) =>
    zone("app/conversions", from, "app/conversions is the pure core: it imports no other room (no I/O)."),
  ),
  zone("app/conversions", "app/config.server.ts", "app/conversions reads no configuration: pass values in."),
  zone("app/conversions", "app/logger.server.ts", "app/conversions does not log: return values instead."),
  // Transport knows the core only.
  ...["app/db", "app/models", "app/outbox", "app/webhooks", "app/admin", "app/routes"].map((from) =>
    zone("app/openai", from, "app/openai is transport: it may import app/conversions only."),
  ),
  // Models are data access: they never reach up into the rooms that use them.
  ...["app/outbox", "app/webhooks", "app/pixel", "app/admin", "app/routes", "app/components", "app/backfill"].map(
    (from) => zone("app/models", from, "app/models never imports outbox, webhooks, admin, routes or components."),
  ),
  // Database plumbing is below everything that uses it.
  ...[
    "app/models",
    "app/outbox",
    "app/webhooks",
    "app/pixel",
    "app/admin",
    "app/routes",
    "app/components",
    "app/backfill",
  ].map((from) => zone("app/db", from, "app/db is plumbing: it imports no room above it.")),
  // The backfill reads Shopify's orders and hands them to the webhook ingest: tables only through models.
  ...["app/db", "app/outbox", "app/admin", "app/routes", "app/components", "app/pixel"].map((from) =>
    zone("app/backfill", from, "app/backfill imports conversions, models and webhooks (ingest) only."),
  ),
  // Routes reach the database only through models (or the rooms that use models).
  zone("app/routes", "app/db", "Routes reach the database only through app/models."),
  // UI pieces are presentational.
  ...["app/db", "app/models", "app/outbox", "app/webhooks", "app/backfill"].map((from) =>
    zone("app/components", from, "app/components holds UI only: data comes from the route's loader."),
  ),
  // The storefront code (web pixel, theme embed) ships to browsers: no server code at all.
  ...[
    "app/db",
    "app/lib",
    "app/models",
    "app/outbox",
    "app/webhooks",
    "app/pixel",
    "app/admin",
    "app/routes",
    "app/security",
    "app/components",
  ].map((from) => zone("extensions", from, "Storefront code imports only app/conversions and app/openai/image-tag.")),
  zone("extensions", "app/openai/capi-client.ts", "The Conversions API client is server-only."),
  zone("extensions", "app/config.server.ts", "Storefront code never reads server configuration."),
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "build/",
      ".cache/",
      ".demo/",
      "coverage/",
      "test-artifacts/",
      "extensions/*/dist/",
      "extensions/*/assets/",
      "public/build/",
      "test/lint/fixtures/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node, ...globals.browser },
    },
    plugins: { "import-x": importX, "react-hooks": reactHooks },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      "import-x/no-restricted-paths": ["error", { zones: ROOM_ZONES }],
      "import-x/no-duplicates": "error",
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "no-console": "off",
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    // The pure core and storefront bundles: no I/O packages, no environment.
    files: ["app/conversions/**/*.ts", "extensions/**/*.{ts,js}"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: IO_MODULES, message: "The pure core and storefront code do no I/O." }] },
      ],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Pass configuration in; the core reads no environment." },
      ],
    },
  },
  {
    // Routes reach the database only through models.
    files: ["app/routes/**/*.{ts,tsx}", "app/components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@prisma/*", "pg", "libsql", "@libsql/*"],
              message: "Routes reach the database only through app/models.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.{ts,tsx}", "bench/**/*.ts", "scripts/**/*.{ts,mjs}", "sim/**/*.ts"],
    rules: {
      // Tests and tools build deliberately loose fixtures.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
