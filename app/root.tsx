import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";

export default function App() {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <link rel="stylesheet" href="https://cdn.shopify.com/static/fonts/inter/v4/styles.css" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/**
 * The last boundary: a short page with the status and nothing of the error. Remix's default one
 * writes the error to the server's console as a multi-line dump on every 404; the server logs one
 * JSON line per error instead (app/ops/error-log.server.ts).
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const text =
    status === 404 ? "Page not found." : status < 500 ? "This request cannot be served." : "Something went wrong.";
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <title>{`${status}`}</title>
      </head>
      <body>
        <p>{text}</p>
      </body>
    </html>
  );
}
