import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

// Shopify opens the app at /?shop=…&host=…; the embedded admin lives under /app.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return new Response("OpenAI Ads Conversions for Shopify. Install it from the Shopify admin.", {
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
};
