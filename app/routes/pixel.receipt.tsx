/**
 * POST /pixel/receipt — the web pixel's receipt at checkout_completed. Public; everything it does and
 * why is in app/pixel/receipt.server.ts.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleReceipt, handleReceiptPreflight } from "~/pixel/receipt.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return handleReceiptPreflight(request);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const remoteAddress = (context as { remoteAddress?: string } | undefined)?.remoteAddress;
  return handleReceipt(request, { remoteAddress });
}
