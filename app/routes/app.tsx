import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { Box } from "@shopify/polaris";
import { authenticateAdmin } from "~/admin/auth.server";
import { AlertsBanner } from "~/components/AlertsBanner";
import { loadShopAlerts } from "~/models/alerts.server";
import { config } from "~/config.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

// The embedded admin's layout: every /app/* page is authenticated here first.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  // Alerts on every admin page: dead credentials or silent loss must not hide on a page nobody opens.
  return { apiKey: config().SHOPIFY_API_KEY, alerts: await loadShopAlerts(shop) };
};

export default function AdminLayout() {
  const { apiKey, alerts } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      {/* App Bridge turns these into the admin's navigation; without it (offline preview) they stay hidden. */}
      <style>
        {"ui-nav-menu:not(:defined), ui-title-bar:not(:defined), ui-save-bar:not(:defined) { display: none; }"}
      </style>
      <NavMenu>
        <Link to="/app" rel="home">
          Setup
        </Link>
        <Link to="/app/events">Event log</Link>
        <Link to="/app/reconciliation">Reconciliation</Link>
      </NavMenu>
      {alerts.length > 0 && (
        <Box paddingBlockStart="400" paddingInline="400">
          <AlertsBanner alerts={alerts} />
        </Box>
      )}
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses (re-authentication), so their headers get through.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
