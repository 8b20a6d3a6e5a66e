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
  if (typeof input === "number") {
    if (Number.isSafeInteger(input) && input > 0) return String(input) as NormalizedOrderId;
    throw new InvalidOrderIdError(input);
  }
  if (typeof input === "bigint") {
    if (input > BigInt(0)) return input.toString() as NormalizedOrderId;
    throw new InvalidOrderIdError(input);
  }
  if (typeof input !== "string") throw new InvalidOrderIdError(input);
  const text = input.trim();
  if (DIGITS.test(text)) return text as NormalizedOrderId;
  const gid = GID.exec(text);
  if (gid) return gid[1] as NormalizedOrderId;
  throw new InvalidOrderIdError(input);
}

function describe(input: unknown): string {
  if (typeof input === "string") return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
  return typeof input;
}
