/**
 * What the app holds about a buyer or a shop, and erasing it: the data side of Shopify's mandatory
 * compliance topics (customers/data_request, customers/redact, shop/redact).
 *
 * The app never stores a raw name, email address, phone number or street address. What it can hold
 * about a buyer is keyed by ORDER: conversion events (status, amount, and the CAPI payload whose
 * matching data is SHA-256 digests, plus the coarse location / device fields OpenAI takes unhashed
 * when the merchant enables them), the order's ledger (amounts and ids), ledger entries (refunds,
 * cancellation) and the web pixel's receipt (consent state, pixel status, click reference).
 *
 * A buyer is found through the orders Shopify lists AND through the digests of the identifiers
 * Shopify sends with the request (email, customer id): an event whose payload carries one of those
 * digests belongs to the buyer even if its order was not listed.
 *
 * Everything here is idempotent: running a redaction twice deletes nothing the second time.
 */
import { Prisma } from "@prisma/client";
import prisma from "~/db/client.server";
import { chunked } from "~/lib/chunk";
import { dedupIdForOrder } from "~/conversions/dedup-id";
import { normalizeEmail, normalizeExternalId, sha256Hex } from "~/conversions/normalize-user";
import { normalizeOrderId } from "~/conversions/order-id";
import { parseWebhookJson } from "~/conversions/webhook-json";
import { minorUnitsFromColumn, nullableMinorUnitsFromColumn } from "./money-columns.server";
import { pendingInboxBodies } from "./webhook-inbox.server";

/**
 * Ids per statement: keeps `IN (...)` lists and write transactions short, and every statement under
 * SQLite's 999 bound parameters (one list of at most CHUNK ids, plus the shop). Every list of ids
 * this module sends to the database goes through `chunks`.
 */
const CHUNK = 500;
/** Upper bound on how many orders one request may name (Shopify lists a customer's orders; 50 000 is far beyond any buyer). */
const MAX_ORDERS_PER_REQUEST = 50_000;

interface CustomerIdentifiers {
  id?: unknown;
  email?: unknown;
  phone?: unknown;
}

export interface CustomerScope {
  shop: string;
  /** The order ids as Shopify listed them (numbers, strings or gids). */
  orders: readonly unknown[];
  customer?: CustomerIdentifiers | null;
}

// ── finding a buyer's rows ───────────────────────────────────────────────────────────────────────

/** Normalized order ids; entries that are not order ids are counted, never guessed at. */
function normalizeOrderIds(list: readonly unknown[]): { ids: string[]; invalid: number } {
  const ids = new Set<string>();
  let invalid = 0;
  for (const entry of list.slice(0, MAX_ORDERS_PER_REQUEST)) {
    try {
      ids.add(normalizeOrderId(entry));
    } catch {
      invalid++;
    }
  }
  invalid += Math.max(0, list.length - MAX_ORDERS_PER_REQUEST);
  return { ids: [...ids], invalid };
}

/**
 * The SHA-256 digests of the buyer's identifiers that single out ONE person, normalized exactly as
 * events store them (app/conversions/matching.ts): the Shopify customer id and the email address
 * (Shopify's own key for a customer). Not the phone number: a household shares a landline, and a
 * data request must never report, nor a redaction delete, another buyer's orders. Orders found only
 * through their phone are still covered when Shopify lists them.
 */
async function customerDigests(customer: CustomerIdentifiers | null | undefined): Promise<string[]> {
  if (!customer || typeof customer !== "object") return [];
  const normalized = [normalizeEmail(customer.email), normalizeExternalId(customer.id)];
  const digests = await Promise.all(normalized.filter((v): v is string => v !== null).map(sha256Hex));
  return [...new Set(digests)];
}

interface CustomerRows {
  orderIds: string[];
  eventIds: string[];
  invalidOrderIds: number;
}

/** Every order id and event row id that belongs to the buyer in this shop. */
async function findCustomerRows(scope: CustomerScope): Promise<CustomerRows> {
  const { ids, invalid } = normalizeOrderIds(scope.orders);
  const orderIds = new Set(ids);
  const eventIds = new Set<string>();

  for (const chunk of chunked(ids, CHUNK)) {
    const dedupIds = await Promise.all(chunk.map((id) => dedupIdForOrder(id)));
    // One list per statement: two lists of CHUNK ids in one statement exceed SQLite's 999 bound
    // parameters once a buyer has 499 orders, and the erasure would then fail on every retry.
    for (const where of [{ orderId: { in: chunk } }, { orderDedupId: { in: dedupIds } }]) {
      const rows = await prisma.conversionEvent.findMany({
        where: { shop: scope.shop, ...where },
        select: { id: true },
      });
      for (const row of rows) eventIds.add(row.id);
    }
  }
  for (const digest of await customerDigests(scope.customer)) {
    const rows = await prisma.conversionEvent.findMany({
      where: { shop: scope.shop, payload: { contains: digest } },
      select: { id: true, orderId: true },
    });
    for (const row of rows) {
      eventIds.add(row.id);
      if (row.orderId) orderIds.add(row.orderId);
    }
  }
  return { orderIds: [...orderIds], eventIds: [...eventIds], invalidOrderIds: invalid };
}

// ── customers/data_request ───────────────────────────────────────────────────────────────────────

interface HeldMatchingField {
  /** The key in the CAPI `user` object, e.g. "emails_sha256". */
  field: string;
  form: "sha256" | "raw";
  values: number;
}

interface HeldEvent {
  eventType: string;
  eventName: string;
  status: string;
  skipReason: string | null;
  occurredAt: string;
  deliveredAt: string | null;
  amountMinor: number | null;
  currency: string | null;
  /** Whether an OpenAI click reference (oppref) is stored with the event. */
  clickReferenceHeld: boolean;
  /** Matching data in the stored payload, by field: never the values themselves. */
  matchingData: HeldMatchingField[];
}

interface HeldOrder {
  orderId: string;
  orderName: string | null;
  events: HeldEvent[];
  ledger: {
    currency: string | null;
    grossMinor: number | null;
    refundedMinor: number;
    cancelledMinor: number;
    netMinor: number | null;
    cancelled: boolean;
  } | null;
  ledgerEntries: {
    kind: string;
    requestedMinor: number;
    appliedMinor: number;
    currency: string | null;
    occurredAt: string;
  }[];
  pixelReceipt: {
    consent: string;
    pixelStatus: string;
    receivedAt: string;
    clickReferenceHeld: boolean;
    checkoutTokenHeld: boolean;
  } | null;
}

export interface CustomerDataReport {
  topic: "customers/data_request";
  shop: string;
  /** Shopify's data_request id, when it sent one. */
  dataRequestId: string | null;
  generatedAt: string;
  ordersRequested: string[];
  /** Entries of orders_requested that were not order ids. */
  invalidOrderIds: number;
  ordersHeld: HeldOrder[];
  ordersNotHeld: string[];
  rawPersonalDataStored: false;
  statement: string;
}

const DATA_REQUEST_STATEMENT =
  "This app stores no raw names, email addresses, phone numbers or street addresses. What it holds about a buyer is " +
  "keyed by order: the conversion events it sent (or decided not to send) to OpenAI with their status, amount and " +
  "currency; matching data only as SHA-256 digests (email, phone, name, customer id) plus, when the merchant enabled " +
  "them, the coarse location and device fields OpenAI accepts unhashed (country, region, city, postal code, IP address, " +
  "user agent), which are removed from stored events after 7 days; the order's revenue ledger (amounts and ids only); and " +
  "the web pixel's receipt (consent state, whether the pixel sent, whether a click reference was present). Each entry " +
  "below lists exactly which of these exist for each order; the values of digests and click references are not repeated here.";

/** Builds the report of exactly what the app holds for the listed orders / identifiers. Read-only. */
export async function customerDataReport(
  scope: CustomerScope & { dataRequestId?: string | null },
  now: Date = new Date(),
): Promise<CustomerDataReport> {
  const requested = normalizeOrderIds(scope.orders);
  const found = await findCustomerRows(scope);

  const events = [];
  for (const chunk of chunked(found.eventIds, CHUNK)) {
    events.push(
      ...(await prisma.conversionEvent.findMany({ where: { id: { in: chunk } }, orderBy: { createdAt: "asc" } })),
    );
  }
  const ledgers = [];
  const entries = [];
  const receipts = [];
  for (const chunk of chunked(found.orderIds, CHUNK)) {
    ledgers.push(...(await prisma.orderLedger.findMany({ where: { shop: scope.shop, orderId: { in: chunk } } })));
    entries.push(
      ...(await prisma.ledgerEntry.findMany({
        where: { shop: scope.shop, orderId: { in: chunk } },
        orderBy: { occurredAt: "asc" },
      })),
    );
    receipts.push(...(await prisma.pixelReceipt.findMany({ where: { shop: scope.shop, orderId: { in: chunk } } })));
  }

  const byOrder = new Map<string, HeldOrder>();
  const orderEntry = (orderId: string): HeldOrder => {
    let held = byOrder.get(orderId);
    if (!held) {
      held = { orderId, orderName: null, events: [], ledger: null, ledgerEntries: [], pixelReceipt: null };
      byOrder.set(orderId, held);
    }
    return held;
  };
  for (const event of events) {
    const held = orderEntry(event.orderId ?? "(no order id)");
    held.orderName ??= event.orderName;
    held.events.push({
      eventType: event.eventType,
      eventName: event.eventName,
      status: event.status,
      skipReason: event.skipReason,
      occurredAt: event.occurredAt.toISOString(),
      deliveredAt: event.deliveredAt?.toISOString() ?? null,
      amountMinor: nullableMinorUnitsFromColumn(event.amountMinor),
      currency: event.currency,
      clickReferenceHeld: Boolean(event.oppref) || payloadHasOppref(event.payload),
      matchingData: matchingFieldsOf(event.payload),
    });
  }
  for (const ledger of ledgers) {
    const held = orderEntry(ledger.orderId);
    held.orderName ??= ledger.orderName;
    held.ledger = {
      currency: ledger.currency,
      grossMinor: nullableMinorUnitsFromColumn(ledger.grossMinor),
      refundedMinor: minorUnitsFromColumn(ledger.refundedMinor),
      cancelledMinor: minorUnitsFromColumn(ledger.cancelledMinor),
      netMinor: nullableMinorUnitsFromColumn(ledger.netMinor),
      cancelled: ledger.cancelledAt !== null,
    };
  }
  for (const entry of entries) {
    orderEntry(entry.orderId).ledgerEntries.push({
      kind: entry.kind,
      requestedMinor: minorUnitsFromColumn(entry.requestedMinor),
      appliedMinor: minorUnitsFromColumn(entry.appliedMinor),
      currency: entry.currency,
      occurredAt: entry.occurredAt.toISOString(),
    });
  }
  for (const receipt of receipts) {
    orderEntry(receipt.orderId).pixelReceipt = {
      consent: receipt.consent,
      pixelStatus: receipt.pixelStatus,
      receivedAt: receipt.receivedAt.toISOString(),
      clickReferenceHeld: receipt.oppref !== null,
      checkoutTokenHeld: receipt.checkoutToken !== null,
    };
  }

  const ordersHeld = [...byOrder.values()].sort((a, b) => a.orderId.localeCompare(b.orderId));
  const heldIds = new Set(ordersHeld.map((o) => o.orderId));
  return {
    topic: "customers/data_request",
    shop: scope.shop,
    dataRequestId: scope.dataRequestId ?? null,
    generatedAt: now.toISOString(),
    ordersRequested: requested.ids,
    invalidOrderIds: requested.invalid,
    ordersHeld,
    ordersNotHeld: requested.ids.filter((id) => !heldIds.has(id)),
    rawPersonalDataStored: false,
    statement: DATA_REQUEST_STATEMENT,
  };
}

/** Which matching fields a stored CAPI payload carries (names and counts, never values). */
function matchingFieldsOf(payload: string | null): HeldMatchingField[] {
  const user = parsePayload(payload)?.user;
  if (!user || typeof user !== "object" || Array.isArray(user)) return [];
  return Object.entries(user as Record<string, unknown>)
    .map(([field, value]) => ({
      field,
      // *_sha256 lists are digests; every other user field (countries, cities, ip_address, ...) is raw.
      form: (field.endsWith("_sha256") ? "sha256" : "raw") as "sha256" | "raw",
      values: Array.isArray(value) ? value.length : value === undefined || value === null ? 0 : 1,
    }))
    .sort((a, b) => a.field.localeCompare(b.field));
}

function payloadHasOppref(payload: string | null): boolean {
  const parsed = parsePayload(payload);
  return typeof parsed?.oppref === "string" && parsed.oppref !== "";
}

function parsePayload(payload: string | null): Record<string, unknown> | null {
  if (!payload) return null;
  try {
    const parsed: unknown = JSON.parse(payload);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// ── customers/redact ─────────────────────────────────────────────────────────────────────────────

export interface CustomerRedaction {
  orders: number;
  invalidOrderIds: number;
  events: number;
  receipts: number;
  ledgers: number;
  ledgerEntries: number;
  /** Stored, not yet applied webhooks of the buyer's orders (WEBHOOK_ACK=stored), deleted unread. */
  webhookInbox: number;
}

/**
 * Deletes every row that belongs to the buyer: their orders' events (the payloads carry the hashed
 * identifiers), pixel receipts, ledger rows and ledger entries, plus any event whose payload carries
 * one of the buyer's identifier digests. An event still waiting to be sent is deleted too: the buyer
 * asked for erasure, so it must not go out afterwards.
 */
export async function redactCustomer(scope: CustomerScope): Promise<CustomerRedaction> {
  const found = await findCustomerRows(scope);
  const result: CustomerRedaction = {
    orders: found.orderIds.length,
    invalidOrderIds: found.invalidOrderIds,
    events: 0,
    receipts: 0,
    ledgers: 0,
    ledgerEntries: 0,
    webhookInbox: 0,
  };
  // Webhooks still waiting in the inbox: their bodies carry the buyer's raw data, and applied after
  // this erasure they would write it all again. Their orders join the erased ones.
  const waiting = await findCustomerInboxRows(scope, new Set(found.orderIds));
  const orderIds = [...new Set([...found.orderIds, ...waiting.orderIds])];
  result.orders = orderIds.length;
  // Marked first: from here on no webhook of these orders creates anything (admission refuses it).
  await markOrdersRedacted(scope.shop, orderIds);
  for (const chunk of chunked(waiting.inboxIds, CHUNK)) {
    result.webhookInbox += (
      await prisma.webhookInbox.deleteMany({ where: { shop: scope.shop, id: { in: chunk } } })
    ).count;
  }
  for (const chunk of chunked(found.eventIds, CHUNK)) {
    result.events += (
      await prisma.conversionEvent.deleteMany({ where: { shop: scope.shop, id: { in: chunk } } })
    ).count;
  }
  for (const chunk of chunked(orderIds, CHUNK)) {
    const counts = await prisma.$transaction(async (tx) => ({
      receipts: (await tx.pixelReceipt.deleteMany({ where: { shop: scope.shop, orderId: { in: chunk } } })).count,
      ledgerEntries: (await tx.ledgerEntry.deleteMany({ where: { shop: scope.shop, orderId: { in: chunk } } })).count,
      ledgers: (await tx.orderLedger.deleteMany({ where: { shop: scope.shop, orderId: { in: chunk } } })).count,
      subscriptionOrders: await tx.subscriptionOrder.deleteMany({
        where: { shop: scope.shop, orderId: { in: chunk } },
      }),
      // Events created for these orders between the lookup and now (a late webhook) go as well.
      events: (await tx.conversionEvent.deleteMany({ where: { shop: scope.shop, orderId: { in: chunk } } })).count,
    }));
    result.receipts += counts.receipts;
    result.ledgerEntries += counts.ledgerEntries;
    result.ledgers += counts.ledgers;
    result.events += counts.events;
  }
  return result;
}

// ── erased orders and stored webhooks ────────────────────────────────────────────────────────────

/**
 * The order a webhook body is about: `id` for order topics, `order_id` for refunds,
 * `order_edit.order_id` for order edits; null for a body that names no order.
 */
export function orderIdOfWebhookBody(topic: string, payload: unknown): string | null {
  if (!payload || typeof payload !== "object") return null;
  const body = payload as Record<string, unknown>;
  const edit =
    body.order_edit && typeof body.order_edit === "object" ? (body.order_edit as Record<string, unknown>) : null;
  const raw =
    topic === "refunds/create"
      ? body.order_id
      : topic === "orders/edited"
        ? edit?.order_id
        : topic.startsWith("orders/")
          ? (body.id ?? body.admin_graphql_api_id)
          : undefined;
  try {
    return raw === undefined || raw === null ? null : normalizeOrderId(raw);
  } catch {
    return null;
  }
}

/** Whether an order body belongs to the buyer by its own identifiers (customer id, email). */
function bodyNamesCustomer(
  payload: Record<string, unknown>,
  customer: CustomerIdentifiers | null | undefined,
): boolean {
  if (!customer || typeof customer !== "object") return false;
  const email = normalizeEmail(customer.email);
  const id = normalizeExternalId(customer.id);
  const buyer =
    payload.customer && typeof payload.customer === "object" ? (payload.customer as Record<string, unknown>) : {};
  if (id !== null && normalizeExternalId(buyer.id) === id) return true;
  if (email === null) return false;
  return [payload.email, payload.contact_email, buyer.email].some((value) => normalizeEmail(value) === email);
}

/**
 * The buyer's stored, not yet applied webhooks: the body of each of the shop's inbox rows is
 * decrypted and read. A body belongs to the buyer when it is about one of the buyer's orders (a
 * refund names only its order) or names the buyer's customer id or email (an order Shopify did not
 * list, e.g. one placed moments before the request).
 */
async function findCustomerInboxRows(
  scope: CustomerScope,
  orderIds: ReadonlySet<string>,
): Promise<{ inboxIds: number[]; orderIds: string[] }> {
  const inboxIds: number[] = [];
  const more = new Set<string>();
  for await (const row of pendingInboxBodies(scope.shop)) {
    let payload: unknown;
    try {
      payload = parseWebhookJson(row.rawBody);
    } catch {
      continue; // not JSON: applied, it is recorded as malformed and writes no buyer data
    }
    if (!payload || typeof payload !== "object" || Array.isArray(payload)) continue;
    const orderId = orderIdOfWebhookBody(row.topic, payload);
    const mine =
      (orderId !== null && orderIds.has(orderId)) ||
      bodyNamesCustomer(payload as Record<string, unknown>, scope.customer);
    if (!mine) continue;
    inboxIds.push(row.id);
    if (orderId !== null && !orderIds.has(orderId)) more.add(orderId);
  }
  return { inboxIds, orderIds: [...more] };
}

/** Records the orders as erased (idempotent). */
async function markOrdersRedacted(shop: string, orderIds: readonly string[]): Promise<void> {
  for (const chunk of chunked(orderIds, CHUNK)) {
    const dedupIds = await Promise.all(chunk.map((id) => dedupIdForOrder(id)));
    const now = new Date();
    // One statement for both dialects; ON CONFLICT keeps the first erasure's time.
    await prisma.$executeRaw`
      INSERT INTO "RedactedOrder" ("shop", "orderDedupId", "redactedAt")
      VALUES ${Prisma.join(dedupIds.map((dedupId) => Prisma.sql`(${shop}, ${dedupId}, ${now})`))}
      ON CONFLICT DO NOTHING`;
  }
}

/** Which of these orders customers/redact erased: their webhooks must not re-create anything. */
export async function redactedOrderIds(shop: string, orderIds: readonly string[]): Promise<Set<string>> {
  const erased = new Set<string>();
  for (const chunk of chunked([...new Set(orderIds)], CHUNK)) {
    const byDedupId = new Map<string, string>(
      await Promise.all(chunk.map(async (id) => [await dedupIdForOrder(id), id] as const)),
    );
    const rows = await prisma.redactedOrder.findMany({
      where: { shop, orderDedupId: { in: [...byDedupId.keys()] } },
      select: { orderDedupId: true },
    });
    for (const row of rows) erased.add(byDedupId.get(row.orderDedupId)!);
  }
  return erased;
}

// ── shop/redact ──────────────────────────────────────────────────────────────────────────────────

export interface ShopRedaction {
  settings: number;
  sessions: number;
  events: number;
  receipts: number;
  ledgers: number;
  ledgerEntries: number;
  webhookDeliveries: number;
  /** Stored, not yet applied webhooks (WEBHOOK_ACK=stored): their raw bodies hold customer data. */
  webhookInbox: number;
  /** What the app learned about orders' subscription roles. */
  subscriptionOrders: number;
  /** customers/redact's record of erased orders (digests). */
  redactedOrders: number;
}

/**
 * True while the shop has an installation we know of: app/uninstalled deletes every session, so a
 * session means the app is installed (again). Used to refuse a shop/redact that would wipe a live
 * installation (a merchant who reinstalled, or a replayed request).
 */
export async function shopHasActiveInstallation(shop: string): Promise<boolean> {
  return (await prisma.session.count({ where: { shop } })) > 0;
}

export async function shopIsKnown(shop: string): Promise<boolean> {
  const [settings, sessions] = await Promise.all([
    prisma.shopSettings.count({ where: { shop } }),
    prisma.session.count({ where: { shop } }),
  ]);
  return settings + sessions > 0;
}

/** The shops among `shops` that `shopIsKnown` would say yes to, in two queries whatever their number. */
export async function knownShopsAmong(shops: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(shops)];
  if (unique.length === 0) return new Set();
  const [settings, sessions] = await Promise.all([
    prisma.shopSettings.findMany({ where: { shop: { in: unique } }, select: { shop: true } }),
    prisma.session.findMany({ where: { shop: { in: unique } }, select: { shop: true }, distinct: ["shop"] }),
  ]);
  return new Set([...settings, ...sessions].map((row) => row.shop));
}

/**
 * Deletes everything the app holds for the shop. Settings go first, so delivery and the receipt
 * endpoint stop at once (no settings = not installed); then the large tables in small batches, so
 * no single write holds the database for long. Safe to re-run after a crash at any point.
 */
export async function redactShop(shop: string): Promise<ShopRedaction> {
  const result: ShopRedaction = {
    settings: 0,
    sessions: 0,
    events: 0,
    receipts: 0,
    ledgers: 0,
    ledgerEntries: 0,
    webhookDeliveries: 0,
    webhookInbox: 0,
    subscriptionOrders: 0,
    redactedOrders: 0,
  };
  result.settings = (await prisma.shopSettings.deleteMany({ where: { shop } })).count;
  result.sessions = (await prisma.session.deleteMany({ where: { shop } })).count;
  result.events = await deleteInBatches(
    (take) => prisma.conversionEvent.findMany({ where: { shop }, select: { id: true }, take }),
    (ids) => prisma.conversionEvent.deleteMany({ where: { id: { in: ids } } }),
  );
  result.receipts = await deleteInBatches(
    (take) => prisma.pixelReceipt.findMany({ where: { shop }, select: { id: true }, take }),
    (ids) => prisma.pixelReceipt.deleteMany({ where: { id: { in: ids } } }),
  );
  result.ledgerEntries = await deleteInBatches(
    (take) => prisma.ledgerEntry.findMany({ where: { shop }, select: { id: true }, take }),
    (ids) => prisma.ledgerEntry.deleteMany({ where: { id: { in: ids } } }),
  );
  result.ledgers = await deleteInBatches(
    (take) => prisma.orderLedger.findMany({ where: { shop }, select: { id: true }, take }),
    (ids) => prisma.orderLedger.deleteMany({ where: { id: { in: ids } } }),
  );
  result.webhookDeliveries = await deleteInBatches(
    (take) => prisma.webhookDelivery.findMany({ where: { shop }, select: { id: true }, take }),
    (ids) => prisma.webhookDelivery.deleteMany({ where: { id: { in: ids } } }),
  );
  result.webhookInbox = (await prisma.webhookInbox.deleteMany({ where: { shop } })).count;
  result.subscriptionOrders = (await prisma.subscriptionOrder.deleteMany({ where: { shop } })).count;
  // The backfill's progress row (no customer data) goes with the shop.
  await prisma.backfillJob.deleteMany({ where: { shop } });
  result.redactedOrders = (await prisma.redactedOrder.deleteMany({ where: { shop } })).count;
  return result;
}

/** Counts of every row the app holds for a shop (tests, and a check after shop/redact). */
export async function rowsHeldForShop(shop: string): Promise<ShopRedaction> {
  const [
    settings,
    sessions,
    events,
    receipts,
    ledgers,
    ledgerEntries,
    webhookDeliveries,
    webhookInbox,
    subscriptionOrders,
    redactedOrders,
  ] = await Promise.all([
    prisma.shopSettings.count({ where: { shop } }),
    prisma.session.count({ where: { shop } }),
    prisma.conversionEvent.count({ where: { shop } }),
    prisma.pixelReceipt.count({ where: { shop } }),
    prisma.orderLedger.count({ where: { shop } }),
    prisma.ledgerEntry.count({ where: { shop } }),
    prisma.webhookDelivery.count({ where: { shop } }),
    prisma.webhookInbox.count({ where: { shop } }),
    prisma.subscriptionOrder.count({ where: { shop } }),
    prisma.redactedOrder.count({ where: { shop } }),
  ]);
  return {
    settings,
    sessions,
    events,
    receipts,
    ledgers,
    ledgerEntries,
    webhookDeliveries,
    webhookInbox,
    subscriptionOrders,
    redactedOrders,
  };
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────

export async function deleteInBatches(
  findIds: (take: number) => Promise<{ id: string }[]>,
  deleteIds: (ids: string[]) => Promise<Prisma.BatchPayload>,
  batchSize = CHUNK,
  maxBatches = Number.POSITIVE_INFINITY,
): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const rows = await findIds(batchSize);
    if (rows.length === 0) break;
    const { count } = await deleteIds(rows.map((r) => r.id));
    deleted += count;
    if (rows.length < batchSize) break;
  }
  return deleted;
}
