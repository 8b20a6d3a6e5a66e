import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import "~/security/node-sha256.server";
import {
  createReadableStreamFromReadable,
  type AppLoadContext,
  type EntryContext,
  type HandleDataRequestFunction,
  type HandleErrorFunction,
} from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { addSecurityHeaders } from "./security/headers.server";
import { noteRequestError, type RequestErrorSink } from "./ops/error-log.server";

export const streamTimeout = 5000;

/**
 * Loader data is a shop's own data (settings, event log, reconciliation): no shared cache and no
 * browser cache may keep it, whether it comes in a document or as a `_data` request.
 */
const LOADER_DATA_CACHE_CONTROL = "private, no-store";

/** server.ts puts a sink for the request's one log line in the load context (app/ops/error-log.server.ts). */
function noteError(context: AppLoadContext | undefined, error: unknown) {
  const sink = (context as { requestErrors?: RequestErrorSink } | undefined)?.requestErrors;
  if (sink) sink.note(error);
  else noteRequestError(undefined, error);
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext?: AppLoadContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  addSecurityHeaders(responseHeaders);
  responseHeaders.set("Cache-Control", LOADER_DATA_CACHE_CONTROL);
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        noteError(loadContext, error);
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}

/** `_data` requests (client-side navigations and form submissions) carry loader data too. */
export const handleDataRequest: HandleDataRequestFunction = (response) => {
  try {
    response.headers.set("Cache-Control", LOADER_DATA_CACHE_CONTROL);
    return response;
  } catch {
    // A Response whose headers are immutable (Response.redirect, fetch's): the same answer, copied.
    const copy = new Response(response.body, response);
    copy.headers.set("Cache-Control", LOADER_DATA_CACHE_CONTROL);
    return copy;
  }
};

/**
 * Errors thrown in loaders and actions, and Remix's own 404/405: into the request's one JSON log
 * line, instead of Remix's default console.error (a multi-line stack per request).
 */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return; // the client went away; nothing failed on our side
  noteError(context, error);
};
