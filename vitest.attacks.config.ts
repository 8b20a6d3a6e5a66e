import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// `npm run test:attacks`: the attack suite (test/attacks/) against the production build over loopback.
// test/global-setup.ts builds the app; test/attacks/summary.ts prints the suite's summary line.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/attacks/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts", "test/attacks/summary.ts"],
    setupFiles: ["test/setup-env.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
