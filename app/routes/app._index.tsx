import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { Banner, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticateAdmin } from "~/admin/auth.server";
import { localeFromUrl } from "~/admin/locale";
import { loadAdminPage } from "~/admin/page-data.server";
import { isReadinessIntent, runReadinessAction, type ReadinessDeps } from "~/admin/readiness.server";
import { saveSettingsFromForm } from "~/admin/save-settings.server";
import { sendTestEvent } from "~/admin/test-event.server";
import type { SaveReport, TestEventReport } from "~/admin/types";
import { SettingsPage } from "~/components/SettingsPage";
import { config } from "~/config.server";

export const meta: MetaFunction = () => [{ title: "Setup · ChatGPT Ads conversions" }];

// Public data only: the key appears as `hasApiKey` + `apiKeyLast4`, never in clear or encrypted.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await authenticateAdmin(request);
  return loadAdminPage(admin, readinessDeps(), { locale: localeFromUrl(request.url) });
};

function readinessDeps(): ReadinessDeps {
  const env = config();
  return { capiBaseUrl: env.OPENAI_CAPI_URL, appUrl: env.SHOPIFY_APP_URL, appClientId: env.SHOPIFY_API_KEY };
}

export const action = async ({ request }: ActionFunctionArgs): Promise<Response> => {
  const admin = await authenticateAdmin(request);
  const form = await request.formData();
  const env = config();
  const intent = form.get("intent");
  if (intent === "save") {
    const report: SaveReport = await saveSettingsFromForm(admin, form, {
      capiBaseUrl: env.OPENAI_CAPI_URL,
      appUrl: env.SHOPIFY_APP_URL,
    });
    return Response.json(report, { status: report.outcome === "saved" ? 200 : 422 });
  }
  if (intent === "test") {
    const report: TestEventReport = await sendTestEvent(admin.shop, { capiBaseUrl: env.OPENAI_CAPI_URL });
    return Response.json(report);
  }
  if (isReadinessIntent(intent)) return Response.json(await runReadinessAction(admin, intent, readinessDeps()));
  return Response.json({ error: "Unknown intent" }, { status: 400 });
};

export default function Index() {
  return <SettingsPage data={useLoaderData<typeof loader>()} />;
}

// Responses thrown by Shopify's authentication (bounce page, re-authentication) are handled exactly as
// the layout does; unexpected failures (database down, a bug) render inside the admin, without internals.
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) return boundary.error(error);
  return (
    <Page title="ChatGPT Ads conversions">
      <Banner tone="critical" title="This page couldn't load your settings">
        <Text as="p">Please reload the page in a minute. If this keeps happening, contact the app's support.</Text>
      </Banner>
    </Page>
  );
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
