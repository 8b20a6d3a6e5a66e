/**
 * Security headers for admin documents. Shopify's addDocumentResponseHeaders already sets the
 * frame-ancestors CSP that embedding needs; these add the rest without breaking the embed.
 */
export function addSecurityHeaders(headers: Headers): void {
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (!headers.has("Content-Security-Policy")) {
    headers.set("Content-Security-Policy", "frame-ancestors 'none'");
  }
}
