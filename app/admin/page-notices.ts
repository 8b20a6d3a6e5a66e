/**
 * What the reconciliation page and the event log say when there is nothing to count yet, or when the
 * connection to OpenAI is not working: a fresh install must read "here is what is going on and what
 * to do", never a page of zeros that looks measured. Pure: the loaders hand in the connection verdict
 * (app/admin/connection-status.ts) and what they found.
 */
import type { ConnectionStatus } from "./types";

export interface NoticeAction {
  content: string;
  url: string;
}

/** A Polaris Banner above the page's content. */
export interface PageBanner {
  tone: "critical" | "warning" | "info";
  title: string;
  body: string;
  action: NoticeAction;
}

/** A Polaris EmptyState in place of figures or rows that do not exist yet. */
export interface EmptyNotice {
  heading: string;
  body: string;
  action: NoticeAction | null;
}

/** What the loaders pass to the pages: the verdict's state and its banner (if any). */
export interface SetupNotice {
  connection: ConnectionStatus["state"];
  banner: PageBanner | null;
}

const SETUP = "/app";

/**
 * The banner for a connection that is not working. `credentialsAlertShown`: the layout's alerts
 * already show a rejected key on every page (app/conversions/alerts.ts), so it is not said twice.
 */
export function connectionBanner(
  status: Pick<ConnectionStatus, "state" | "title" | "detail">,
  credentialsAlertShown: boolean,
): PageBanner | null {
  switch (status.state) {
    case "connected":
      return null;
    case "not_configured":
      return {
        tone: "warning",
        title: "ChatGPT Ads is not connected yet",
        // Not the status header's detail: that one points at the form "below", on the setup page.
        body: "Until you add your Pixel ID and Conversions API key on the setup page, no sales are reported to ChatGPT Ads. Orders Shopify sends in the meantime are recorded here with the reason they were not sent.",
        action: { content: "Connect on the setup page", url: SETUP },
      };
    case "rejected":
      if (credentialsAlertShown) return null;
      return {
        tone: "critical",
        title: status.title,
        body: status.detail,
        action: { content: "Fix it on the setup page", url: SETUP },
      };
    case "unverified":
      return {
        tone: "warning",
        title: "OpenAI has not confirmed the connection",
        body: `${status.detail} Orders are kept and sent once OpenAI answers (up to 7 days after the order).`,
        action: { content: "Check the connection", url: SETUP },
      };
  }
}

export function setupNotice(
  status: Pick<ConnectionStatus, "state" | "title" | "detail">,
  credentialsAlertShown: boolean,
): SetupNotice {
  return { connection: status.state, banner: connectionBanner(status, credentialsAlertShown) };
}

/** The reconciliation page when the range holds no web order and no correction. */
export function emptyReconciliation(
  connection: ConnectionStatus["state"],
  range: { from: string; to: string },
): EmptyNotice {
  const heading = `No web orders from ${range.from} to ${range.to}`;
  if (connection === "not_configured")
    return {
      heading,
      body: "Connect ChatGPT Ads first: add your Pixel ID and Conversions API key on the setup page. From then on every online-store order Shopify sends is counted here, with what OpenAI accepted and why anything was not sent.",
      action: { content: "Go to setup", url: SETUP },
    };
  return {
    heading,
    body: "Nothing to measure yet: orders appear here within a minute of checkout, as Shopify sends them. Choose a longer period above, or place a test order in your store to see it arrive.",
    action: connection === "connected" ? null : { content: "Check the connection", url: SETUP },
  };
}

/** The event log when the shop has no event at all (no filter applied). */
export function emptyEventLog(connection: ConnectionStatus["state"]): EmptyNotice {
  if (connection === "not_configured")
    return {
      heading: "No events recorded yet",
      body: "Events are recorded when Shopify sends an order. Connect ChatGPT Ads on the setup page so they can be sent to OpenAI; each one then shows here with OpenAI's answer.",
      action: { content: "Go to setup", url: SETUP },
    };
  return {
    heading: "No events recorded yet",
    body: "Each order Shopify sends is recorded here within a minute of checkout, with what was sent to OpenAI and its answer. Send a test event from the setup page to check the connection; a test event is not recorded as an order.",
    action: { content: "Send a test event", url: SETUP },
  };
}
