/**
 * The connection banner and the empty state of the reconciliation page and the event log
 * (texts: app/admin/page-notices.ts). Actions are Polaris links: inside the app's AppProvider they
 * navigate with Remix.
 */
import { Banner, Card, EmptyState, Text } from "@shopify/polaris";
import type { EmptyNotice, PageBanner } from "~/admin/page-notices";

export function SetupBanner({ banner }: { banner: PageBanner | null }) {
  if (!banner) return null;
  return (
    <div data-notice="connection" data-tone={banner.tone}>
      <Banner tone={banner.tone} title={banner.title} action={banner.action}>
        <Text as="p">{banner.body}</Text>
      </Banner>
    </div>
  );
}

/**
 * A small drawing of empty bars, inline: Polaris' stock illustrations are on Shopify's CDN, and an
 * empty state must not wait for (or fail on) another request. Decorative (EmptyState gives it alt="").
 */
const EMPTY_BARS = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 226 120"><rect x="1" y="1" width="224" height="118" rx="12" fill="#f1f1f1" stroke="#e3e3e3"/>' +
    '<g fill="#d4d4d4"><rect x="30" y="80" width="22" height="20" rx="3"/><rect x="66" y="64" width="22" height="36" rx="3"/>' +
    '<rect x="102" y="88" width="22" height="12" rx="3"/><rect x="138" y="52" width="22" height="48" rx="3"/><rect x="174" y="72" width="22" height="28" rx="3"/></g>' +
    '<path d="M24 100h178" stroke="#b5b5b5" stroke-width="2"/></svg>',
)}`;

export function EmptyNoticeCard({ notice, id }: { notice: EmptyNotice; id: string }) {
  return (
    <div data-notice={id} className="setup-empty-notice">
      {/* Polaris sizes the picture's container to its content, where the image's max-width: 100%
          resolves to 0: give the container the card's width and the picture its own. */}
      <style>
        {
          ".setup-empty-notice .Polaris-EmptyState__ImageContainer { width: 100%; } .setup-empty-notice .Polaris-EmptyState__Image { width: 226px; max-width: 100%; height: auto; }"
        }
      </style>
      <Card>
        <EmptyState heading={notice.heading} action={notice.action ?? undefined} image={EMPTY_BARS}>
          <Text as="p">{notice.body}</Text>
        </EmptyState>
      </Card>
    </div>
  );
}
