import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticateAdmin } from "~/admin/auth.server";
import { config } from "~/config.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

// The embedded admin's layout: every /app/* page is authenticated here first.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticateAdmin(request);
  return { apiKey: config().SHOPIFY_API_KEY };
};

export default function AdminLayout() {
  const { apiKey } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      {/* App Bridge turns these into the admin's navigation; without it (offline preview) they stay hidden. */}
      <style>{"ui-nav-menu:not(:defined), ui-title-bar:not(:defined), ui-save-bar:not(:defined) { display: none; }"}</style>
      <NavMenu>
        <Link to="/app" rel="home">
          Setup
        </Link>
        <Link to="/app/events">Event log</Link>
        <Link to="/app/reconciliation">Reconciliation</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses (re-authentication), so their headers get through.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
