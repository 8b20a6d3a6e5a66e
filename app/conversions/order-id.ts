/**
 * Shopify names the same order in several ways: a REST number (`123`), a string (`"123"`), an Admin
 * GraphQL gid (`gid://shopify/Order/123`) and, in web pixel checkout events, sometimes an
 * `OrderIdentity` gid. Every dedup decision must start from ONE canonical form, or the browser and
 * the server would derive different event ids for the same purchase.
 */
export type NormalizedOrderId = string & { readonly __brand: "NormalizedOrderId" };

export class InvalidOrderIdError extends Error {
  constructor(input: unknown) {
    super(`Not a Shopify order id: ${describe(input)}`);
    this.name = "InvalidOrderIdError";
  }
}

const DIGITS = /^[1-9][0-9]{0,19}$/;
const GID = /^gid:\/\/shopify\/(?:Order|OrderIdentity)\/([1-9][0-9]{0,19})(?:\?.*)?$/;

export function normalizeOrderId(input: unknown): NormalizedOrderId {
  const normalized = orderIdDigits(input);
  if (normalized === null) throw new InvalidOrderIdError(input);
  return normalized;
}

/**
 * The same normalization without an exception: null when `input` is not a Shopify order id. The web
 * pixel uses this one (it would only catch the error), so it does not bundle the error class.
 */
export function orderIdDigits(input: unknown): NormalizedOrderId | null {
  if (typeof input === "number")
    return Number.isSafeInteger(input) && input > 0 ? (String(input) as NormalizedOrderId) : null;
  if (typeof input === "bigint") return input > BigInt(0) ? (input.toString() as NormalizedOrderId) : null;
  if (typeof input !== "string") return null;
  const text = input.trim();
  if (DIGITS.test(text)) return text as NormalizedOrderId;
  return (GID.exec(text)?.[1] as NormalizedOrderId | undefined) ?? null;
}

function describe(input: unknown): string {
  if (typeof input === "string") return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
  return typeof input;
}
