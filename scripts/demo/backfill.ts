/**
 * The demo's "Send the last 7 days' orders" step: the Admin API stand-in (sim/admin-api.ts) holds
 * 1,500 orders of the last 6 days and one of 8 days ago; the merchant starts the backfill through the
 * admin's own route (/app/backfill, local preview), the app's worker reads the orders with a bulk
 * operation and sends them through the same checks as webhooks, and the demo prints the progress
 * the admin's ProgressBar shows, then what OpenAI accepted.
 *
 * `backfillDemo(env)` must run before the app starts: it points the app at the stand-in
 * (SHOPIFY_ADMIN_API_ORIGIN, a loopback URL).
 */
import { execFileSync } from "node:child_process";
import { startAdminApiStandin } from "../../sim/admin-api";
import type { OpenAiStandin } from "../../sim/openai-standin";
import { makeShopifyOrder } from "../../sim/order-factory";

const RECENT_ORDERS = 1500;

interface BackfillView {
  state: string;
  done: number;
  total: number | null;
  percent: number;
  detail: string | null;
}

export async function backfillDemo(env: NodeJS.ProcessEnv) {
  const admin = await startAdminApiStandin({ bulkPolls: 3 });
  env.SHOPIFY_ADMIN_API_ORIGIN = admin.url;

  async function run(ctx: { appUrl: string; shop: string; pixelId: string; openai: OpenAiStandin }) {
    console.log(`\n▸ Send the last 7 days' orders (Admin API stand-in ${admin.url})`);
    await storeOfflineSession(env, ctx.shop);
    const ids = admin.seedOrders(ctx.shop, RECENT_ORDERS, { firstId: 7_200_000_000_000 });
    const old = makeShopifyOrder({ id: 7_199_999_999_999, processedAt: new Date(Date.now() - 8 * 86_400_000) });
    admin.seed(ctx.shop, [old]);
    console.log(
      `  the store took ${RECENT_ORDERS.toLocaleString("en-US")} orders in the last 6 days, and one 8 days ago`,
    );

    const url = new URL("/app/backfill", ctx.appUrl);
    const start = (acknowledged: boolean) =>
      fetch(url, { method: "POST", body: new URLSearchParams({ acknowledged: String(acknowledged) }) });
    const refused = await start(false);
    console.log(
      `  start without acknowledging the warning about other integrations → ${refused.status}: ${((await refused.json()) as { error: string }).error}`,
    );
    const started = await start(true);
    console.log(`  start, warning acknowledged → ${started.status}`);

    let last = "";
    const deadline = Date.now() + 180_000;
    let view: BackfillView | null = null;
    while (Date.now() < deadline) {
      view = (await (await fetch(url)).json()) as BackfillView;
      const line = `${bar(view.percent)} ${view.done.toLocaleString("en-US")} of ${view.total === null ? "?" : view.total.toLocaleString("en-US")} orders (${view.state})`;
      // One line per tenth of the way (what the admin's ProgressBar shows, polled the same way).
      const step = `${view.state}:${view.total === null}:${Math.floor(view.percent / 10)}`;
      if (step !== last) console.log(`  ${line}`);
      last = step;
      if (view.state !== "running") break;
      await new Promise((r) => setTimeout(r, 300));
    }
    if (view?.state !== "done") {
      console.log(`  backfill did not finish: ${view?.state ?? "no answer"} ${view?.detail ?? ""}`);
      return;
    }
    // The worker delivers what the backfill queued; wait until OpenAI has them all (or a minute).
    const { dedupIdForOrder } = await import("../../app/conversions/dedup-id");
    const wanted = new Set(await Promise.all(ids.map((id) => dedupIdForOrder(String(id)))));
    const oldId = await dedupIdForOrder(String(old.id));
    const acceptedBackfill = () =>
      ctx.openai.accepted(ctx.pixelId).filter((a) => a.source === "capi" && wanted.has(a.event.id as never)).length;
    const until = Date.now() + 60_000;
    while (acceptedBackfill() < wanted.size && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    const oldSent = ctx.openai.accepted(ctx.pixelId).some((a) => a.event.id === oldId);
    const bulkRuns = admin.calls(ctx.shop).filter((c) => c.operation === "bulkOperationRunQuery").length;
    console.log(
      `  OpenAI accepted ${acceptedBackfill()} of ${wanted.size} backfilled orders (read with ${bulkRuns} bulk operation); ` +
        `the 8-day-old order was ${admin.served(ctx.shop).has(String(old.id)) || oldSent ? "READ (wrong)" : "never read"}`,
    );
  }

  return { run, close: () => admin.close() };
}

function bar(percent: number): string {
  const filled = Math.round(percent / 5);
  return `[${"#".repeat(filled)}${".".repeat(20 - filled)}] ${String(percent).padStart(3)}%`;
}

/**
 * The offline session Shopify's token exchange stores at install, written by the app's own session
 * storage (encrypted with the app's key) in a child process with the app's environment.
 */
async function storeOfflineSession(env: NodeJS.ProcessEnv, shop: string) {
  const session = {
    id: `offline_${shop}`,
    shop,
    state: "installed",
    isOnline: false,
    scope: "read_orders,write_pixels,read_customer_events",
    accessToken: "shpat_demo_offline_token",
  };
  const code = `(async () => {
    const { Session } = await import("@shopify/shopify-api");
    const { sessionStorage } = await import("./app/shopify.server");
    await sessionStorage.storeSession(new Session(${JSON.stringify(session)}));
    process.exit(0);
  })().catch((e) => { console.error(e); process.exit(1); });`;
  execFileSync("npx", ["tsx", "-e", code], { env, stdio: ["ignore", "ignore", "inherit"] });
}
