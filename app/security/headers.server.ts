/**
 * Security headers for admin documents. Shopify's addDocumentResponseHeaders already sets the
 * frame-ancestors CSP that embedding needs; these add the rest without breaking the embed.
 */
export function addSecurityHeaders(headers: Headers): void {
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  // The app is only ever served over HTTPS (Shopify requires it); browsers ignore this on plain HTTP.
  headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  // Admin pages carry shop data: never stored by shared caches.
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "private, no-store");
  if (!headers.has("Content-Security-Policy")) {
    headers.set("Content-Security-Policy", "frame-ancestors 'none'");
  }
}
