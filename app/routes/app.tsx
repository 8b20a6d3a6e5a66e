import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { Box } from "@shopify/polaris";
import { authenticateAdmin, isLocalPreview } from "~/admin/auth.server";
import { useState } from "react";
import { localeFromUrl } from "~/admin/locale";
import { AlertsBanner } from "~/components/AlertsBanner";
import { LocaleProvider } from "~/components/locale-context";
import { ADMIN_PAGES, PreviewNav } from "~/components/PreviewNav";
import { loadShopAlerts } from "~/models/alerts.server";
import { config } from "~/config.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

// The embedded admin's layout: every /app/* page is authenticated here first.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  // Alerts on every admin page: dead credentials or silent loss must not hide on a page nobody opens.
  return {
    apiKey: config().SHOPIFY_API_KEY,
    alerts: await loadShopAlerts(shop),
    locale: localeFromUrl(request.url),
    preview: isLocalPreview(),
  };
};

export default function AdminLayout() {
  const { apiKey, alerts, locale: openedWith, preview } = useLoaderData<typeof loader>();
  // Shopify puts `locale` on the URL the app is opened with, not on later client-side navigations.
  const [locale] = useState(openedWith);
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <LocaleProvider locale={locale}>
        {/* App Bridge turns these into the admin's navigation; without it (offline preview) they stay hidden. */}
        <style>
          {"ui-nav-menu:not(:defined), ui-title-bar:not(:defined), ui-save-bar:not(:defined) { display: none; }"}
        </style>
        <NavMenu>
          {ADMIN_PAGES.map((page) => (
            <Link key={page.to} to={page.to} rel={page.to === "/app" ? "home" : undefined}>
              {page.label}
            </Link>
          ))}
        </NavMenu>
        {preview ? <PreviewNav /> : null}
        {alerts.length > 0 && (
          <Box paddingBlockStart="400" paddingInline="400">
            <AlertsBanner alerts={alerts} />
          </Box>
        )}
        <Outlet />
      </LocaleProvider>
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses (re-authentication), so their headers get through.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
