/**
 * Time passing between a buyer's ad click and a later visit, applied to a real browser's cookie jar
 * (Chromium's clock cannot be moved for cookies): every cookie loses `hours` of its remaining life and
 * is gone if that life ran out; session cookies are gone (the browser was closed); the one cookie
 * holding a time (`__oppref_at`, the embed's click time) moves back by the same amount.
 *
 * Safari's Intelligent Tracking Prevention caps cookies written by script (`document.cookie`, which is
 * how both the web pixel and the theme embed write theirs) at 7 days, and at 24 hours when the page
 * was reached by a link-decorated navigation from a domain ITP classifies as a tracker (WebKit,
 * "Full Third-Party Cookie Blocking and More", 2020). Cookies set by the server's `Set-Cookie` header
 * are not capped.
 */
export interface JarCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  /** Unix seconds; -1 for a session cookie. */
  expires: number;
  httpOnly: boolean;
  secure: boolean;
  sameSite: "Strict" | "Lax" | "None";
}

const CLICK_TIME_COOKIES = new Set(["__oppref_at"]);
export const SAFARI_SCRIPT_COOKIE_CAP_SECONDS = 7 * 24 * 3600;
export const SAFARI_LINK_DECORATION_CAP_SECONDS = 24 * 3600;

export function ageCookieJar(
  cookies: readonly JarCookie[],
  input: {
    hours: number;
    /** Unix seconds when the first visit wrote its cookies. */
    writtenAt: number;
    /** Unix seconds now (the real clock, from which expiries are counted). */
    now: number;
    safari: { linkDecorationFromTracker: boolean } | null;
    /** Names that came in a `Set-Cookie` response header (or were set up as such): never capped. */
    serverSet: ReadonlySet<string>;
  },
): JarCookie[] {
  const gapSeconds = Math.round(input.hours * 3600);
  const out: JarCookie[] = [];
  for (const cookie of cookies) {
    if (cookie.expires < 0) continue;
    let expires = cookie.expires;
    if (input.safari && !input.serverSet.has(cookie.name)) {
      const cap = input.safari.linkDecorationFromTracker
        ? SAFARI_LINK_DECORATION_CAP_SECONDS
        : SAFARI_SCRIPT_COOKIE_CAP_SECONDS;
      expires = Math.min(expires, input.writtenAt + cap);
    }
    if (expires <= input.now + gapSeconds) continue;
    let value = cookie.value;
    if (CLICK_TIME_COOKIES.has(cookie.name) && /^\d+$/.test(value)) value = String(Number(value) - gapSeconds * 1000);
    out.push({ ...cookie, value, expires: expires - gapSeconds });
  }
  return out;
}

/** How long a click reference written by script lives for this browser (seconds). */
export function scriptCookieLifetimeSeconds(safari: { linkDecorationFromTracker: boolean } | null): number {
  if (!safari) return 30 * 24 * 3600;
  return safari.linkDecorationFromTracker ? SAFARI_LINK_DECORATION_CAP_SECONDS : SAFARI_SCRIPT_COOKIE_CAP_SECONDS;
}
