/**
 * Entry point of the embed's bundle (assets/oppref-embed.js, built by scripts/build-embed.ts): reads
 * what Liquid rendered into the script tag's data attributes and starts the embed. Never throws into
 * the storefront.
 */
import { startOpprefEmbed } from "./embed";

try {
  const tag =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>("script[data-oppref-embed]");
  startOpprefEmbed(window, { ...tag?.dataset });
} catch {
  // The embed must never break the storefront; the server-side order event is the safety net.
}
