/**
 * What the admin page's loader and action hand to the browser. Everything here is public: the
 * Conversions API key appears only as `hasApiKey` + `apiKeyLast4`, never in clear or encrypted form.
 */
import type { MatchingField } from "~/conversions/matching";
import type { EventHealth } from "~/models/event-health.server";
import type { ReadinessItem } from "./readiness";
import type {
  AddresslessOrders,
  ConsentPolicy,
  ConversionTrigger,
  FunnelEvent,
  NonWebOrders,
  SubscriptionRenewals,
} from "./settings-options";

export interface PublicSettings {
  /** "" when none is stored. */
  pixelId: string;
  hasApiKey: boolean;
  apiKeyLast4: string | null;
  serverEventsEnabled: boolean;
  browserPixelEnabled: boolean;
  pixelFunnelEvents: FunnelEvent[];
  nonWebOrders: NonWebOrders;
  correctionsEnabled: boolean;
  refundEventName: string;
  cancelEventName: string;
  valueAddedEventName: string;
  conversionTrigger: ConversionTrigger;
  consentPolicy: ConsentPolicy;
  /** Orders without an address: judged as from an opt-in region, or from `addresslessOrderCountry`. */
  addresslessOrders: AddresslessOrders;
  /** The shop's own country (ISO 3166-1 alpha-2) for addressless orders; "" when not chosen. */
  addresslessOrderCountry: string;
  enhancedMatching: MatchingField[];
  subscriptionRenewals: SubscriptionRenewals;
}

/** keep = leave the stored key alone; replace = store `apiKey`; remove = delete the stored key. */
export type ApiKeyMode = "keep" | "replace" | "remove";

export type SettingsFormValues = Omit<PublicSettings, "hasApiKey" | "apiKeyLast4"> & {
  apiKeyMode: ApiKeyMode;
  apiKey: string;
};

export type FieldName = keyof SettingsFormValues;
export type FieldErrors = Partial<Record<FieldName, string>>;

export type StepStatus = "ok" | "warning" | "error" | "skipped";

export interface SaveStep {
  step: "validate" | "credentials" | "store" | "pixel";
  status: StepStatus;
  message: string;
}

export type SaveReport =
  | { intent: "save"; outcome: "invalid"; fieldErrors: FieldErrors; steps: SaveStep[] }
  /** OpenAI refused the credentials or could not be asked: nothing was stored; "save anyway" is possible. */
  | { intent: "save"; outcome: "check_failed"; steps: SaveStep[] }
  | { intent: "save"; outcome: "saved"; steps: SaveStep[] };

export interface TestEventReport {
  intent: "test";
  ok: boolean;
  /** null when OpenAI could not be reached or nothing was sent. */
  httpStatus: number | null;
  code: string | null;
  /** OpenAI's own words (its error message, or our note that it accepted). */
  openAiMessage: string;
  /** What that means, in the merchant's words. */
  summary: string;
  eventId: string | null;
}

export type { EventHealth };

export type ConnectionState = "connected" | "rejected" | "unverified" | "not_configured";

export interface ConnectionStatus {
  state: ConnectionState;
  title: string;
  detail: string;
  /** Pre-formatted on the server (no hydration drift): "26 Nov 2026, 14:03 UTC (5 minutes ago)". */
  lastCheck: string | null;
  lastDelivery: string | null;
}

export interface AdminPageData {
  shop: string;
  preview: boolean;
  settings: PublicSettings;
  status: ConnectionStatus;
  health: EventHealth;
  /** The readiness checklist, in its fixed order (app/admin/readiness.ts). */
  readiness: ReadinessItem[];
}
