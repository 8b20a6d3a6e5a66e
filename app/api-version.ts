import { ApiVersion } from "@shopify/shopify-api";

/** The newest stable Admin API version @shopify/shopify-api 15 knows; shopify.app.toml says the same. */
export const API_VERSION = ApiVersion.October26;
