/**
 * App Bridge, if it loaded. Inside the Shopify admin its CDN script defines `window.shopify`; in the
 * offline preview (or if the CDN is unreachable) it does not, and the page falls back to Polaris
 * equivalents instead of crashing (the library's own `useAppBridge` throws in that case).
 */
import { useEffect, useState } from "react";
import type { ShopifyGlobal } from "@shopify/app-bridge-react";

function currentAppBridge(): ShopifyGlobal | null {
  if (typeof window === "undefined") return null;
  const candidate = (window as { shopify?: ShopifyGlobal }).shopify;
  return candidate && typeof candidate.toast?.show === "function" ? candidate : null;
}

/**
 * undefined while rendering on the server and before hydration; then App Bridge or null. The CDN
 * script is a blocking <script> in the page body, so by the time React hydrates it has either run or
 * failed: one look is enough.
 */
export function useAppBridgeIfPresent(): ShopifyGlobal | null | undefined {
  const [shopify, setShopify] = useState<ShopifyGlobal | null | undefined>(undefined);
  useEffect(() => setShopify(currentAppBridge()), []);
  return shopify;
}

export function showToast(message: string, isError = false): void {
  currentAppBridge()?.toast.show(message, { isError, duration: 5000 });
}
