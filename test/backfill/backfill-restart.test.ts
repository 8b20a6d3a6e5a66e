/**
 * A backfill of 2,000 orders (a bulk operation) survives its worker being SIGKILLed half-way: the
 * real worker process (build/worker.js) reads the orders from the Admin API stand-in and delivers to
 * the OpenAI stand-in; it is killed once it has ingested about a third of them; a second worker picks
 * the job up where its cursor says. Every order reaches OpenAI exactly once per id, none is lost, no
 * order becomes two events, and the progress the admin shows never goes backwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db/client.server";
import { backfillJobOf } from "~/models/backfill-jobs.server";
import { startAdminApiStandin, type AdminApiStandin } from "../../sim/admin-api";
import { startOpenAiStandin, type OpenAiStandin } from "../../sim/openai-standin";
import { startAppProcess, waitFor, type AppProcess } from "../helpers/app-process";
import { acceptedKeys, backfillShop, orderKeys, startBackfill } from "./helpers";

const ORDERS = 2000;
let admin: AdminApiStandin;
let openai: OpenAiStandin;
const workers: AppProcess[] = [];

beforeAll(async () => {
  admin = await startAdminApiStandin({ bulkPolls: 2 });
  openai = await startOpenAiStandin();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill("SIGKILL")));
  await admin?.close();
  await openai?.close();
});

const workerEnv = () => ({
  OPENAI_CAPI_URL: openai.url,
  SHOPIFY_ADMIN_API_ORIGIN: admin.url,
  WORKER_INTERVAL_MS: "200",
});

describe("backfill restart", () => {
  it(`${ORDERS} orders, worker SIGKILLed mid-run: each order sent to OpenAI once`, async () => {
    const s = await backfillShop("bf-restart", openai);
    const ids = admin.seedOrders(s.shop, ORDERS);
    await startBackfill(s.shop);

    const first = await startAppProcess(workerEnv(), "worker.js");
    workers.push(first);
    await waitFor(
      async () => ((await backfillJobOf(s.shop))?.done ?? 0) >= ORDERS / 3 || first.child.exitCode !== null,
      "the first worker to get a third of the way",
      180_000,
    );
    expect(first.child.exitCode).toBeNull(); // still running when killed
    await first.kill("SIGKILL");
    const atKill = await backfillJobOf(s.shop);
    expect(atKill?.state).toBe("running");
    expect(atKill?.mode).toBe("bulk");
    expect(atKill!.done).toBeLessThan(ORDERS);
    const deliveredAtKill = acceptedKeys(openai, s.pixelId).length;

    // The dead worker's leases run out (simulated: claimable again at once).
    await prisma.backfillJob.update({ where: { shop: s.shop }, data: { leaseUntil: new Date(Date.now() - 1) } });
    await prisma.conversionEvent.updateMany({
      where: { shop: s.shop, status: "sending" },
      data: { leaseUntil: new Date(Date.now() - 1) },
    });

    const second = await startAppProcess(workerEnv(), "worker.js");
    workers.push(second);
    let lastDone = atKill!.done;
    await waitFor(
      async () => {
        const job = await backfillJobOf(s.shop);
        expect(job!.done).toBeGreaterThanOrEqual(lastDone); // progress never goes backwards
        lastDone = job!.done;
        return job?.state === "done" && acceptedKeys(openai, s.pixelId).length >= ORDERS;
      },
      "the second worker to finish the backfill and deliver it",
      240_000,
    );
    await second.stop();

    const job = await backfillJobOf(s.shop);
    expect(job).toMatchObject({ state: "done", done: ORDERS, total: ORDERS, failureReason: null });
    const accepted = acceptedKeys(openai, s.pixelId);
    expect(accepted).toHaveLength(ORDERS);
    expect(new Set(accepted)).toEqual(await orderKeys(ids));
    // One event per order in the outbox, every one delivered.
    const rows = await prisma.conversionEvent.groupBy({
      by: ["status"],
      where: { shop: s.shop },
      _count: { _all: true },
    });
    expect(rows.map((r) => [r.status, r._count._all])).toEqual([["delivered", ORDERS]]);
    // One bulk operation for the whole run: the second worker reused the first one's file.
    expect(admin.calls(s.shop).filter((c) => c.operation === "bulkOperationRunQuery")).toHaveLength(1);
    console.log(
      `backfill restart: ${ORDERS} orders, killed at ${atKill!.done} ingested / ${deliveredAtKill} delivered; ` +
        `OpenAI accepted ${accepted.length}, same-id resends absorbed ${openai.duplicatesIgnored()}`,
    );
  }, 600_000);
});
