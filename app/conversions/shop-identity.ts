/**
 * Formats of the identifiers a merchant or Shopify hands us, checked before anything is stored.
 * OpenAI documents the Pixel ID only by example (a 22-character base58 string), so the rule here is
 * deliberately a little wider than the example: letters, digits, '-' and '_', 8 to 64 characters.
 */
const PIXEL_ID = /^[A-Za-z0-9_-]{8,64}$/;
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/;

export function isValidPixelId(value: string): boolean {
  return PIXEL_ID.test(value);
}

export function isValidShopDomain(value: string): boolean {
  return SHOP_DOMAIN.test(value);
}

/** A Conversions API key is a bearer token: printable ASCII, no spaces, plausibly long. */
export function isPlausibleApiKey(value: string): boolean {
  return /^[\x21-\x7e]{16,512}$/.test(value);
}
