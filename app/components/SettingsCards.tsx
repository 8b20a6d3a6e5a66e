/**
 * The settings form, one Polaris card per topic. Each field explains itself in the merchant's words.
 * Field names match the form fields the action reads (app/admin/settings-form.server.ts).
 */
import { BlockStack, Card, Checkbox, ChoiceList, FormLayout, List, Text, TextField } from "@shopify/polaris";
import {
  ADDRESSLESS_OPTIONS,
  CONSENT_OPTIONS,
  FUNNEL_EVENT_OPTIONS,
  MATCHING_OPTIONS,
  NON_WEB_OPTIONS,
  SUBSCRIPTION_RENEWAL_OPTIONS,
  TRIGGER_OPTIONS,
  type Option,
} from "~/admin/settings-options";
import type { FieldErrors, FieldName, PublicSettings, SettingsFormValues } from "~/admin/types";
import { ApiKeyField } from "./ApiKeyField";

interface CardProps {
  values: SettingsFormValues;
  errors: FieldErrors;
  update: <K extends FieldName>(field: K, value: SettingsFormValues[K]) => void;
}

const choices = <T extends string>(options: Option<T>[]) =>
  options.map((o) => ({ value: o.value, label: o.label, helpText: o.helpText }));

type SingleChoiceField =
  "conversionTrigger" | "consentPolicy" | "nonWebOrders" | "subscriptionRenewals" | "addresslessOrders";

/** A one-of-several setting: its options, the current value, its error. */
function SingleChoice<K extends SingleChoiceField>({
  field,
  title,
  options,
  values,
  errors,
  update,
}: CardProps & { field: K; title: string; options: Option<SettingsFormValues[K]>[] }) {
  return (
    <ChoiceList
      title={title}
      choices={choices(options)}
      selected={[values[field]]}
      onChange={([selected]) => update(field, selected as SettingsFormValues[K])}
      error={errors[field]}
    />
  );
}

export function ConnectCard({ values, settings, errors, update }: CardProps & { settings: PublicSettings }) {
  return (
    <Card>
      <FormLayout>
        <TextField
          label="Pixel ID"
          name="pixelId"
          value={values.pixelId}
          onChange={(value) => update("pixelId", value)}
          error={errors.pixelId}
          autoComplete="off"
          placeholder="e.g. 3xZb9QfK2mLw7TnRcV4pYd"
          helpText="Your pixel's ID, from the Data sources (pixels) page of OpenAI Ads Manager. It is public: the browser pixel uses it on your storefront."
        />
        <ApiKeyField
          hasApiKey={settings.hasApiKey}
          apiKeyLast4={settings.apiKeyLast4}
          mode={values.apiKeyMode}
          value={values.apiKey}
          error={errors.apiKey}
          onChange={(mode, value) => {
            update("apiKeyMode", mode);
            update("apiKey", value);
          }}
        />
      </FormLayout>
    </Card>
  );
}

export function DeliveryCard({ values, errors, update }: CardProps) {
  return (
    <Card>
      <BlockStack gap="400">
        <Checkbox
          label="Browser pixel"
          checked={values.browserPixelEnabled}
          onChange={(checked) => update("browserPixelEnabled", checked)}
          error={errors.browserPixelEnabled}
          helpText="Runs in your storefront (with the visitor's marketing consent): remembers which ChatGPT ad brought the visitor and reports the purchase from the thank-you page."
        />
        {values.browserPixelEnabled ? (
          <div style={{ paddingInlineStart: "var(--p-space-800)" }}>
            <ChoiceList
              allowMultiple
              title="Also report these shopping steps"
              choices={choices(FUNNEL_EVENT_OPTIONS)}
              selected={values.pixelFunnelEvents}
              onChange={(selected) => update("pixelFunnelEvents", selected as SettingsFormValues["pixelFunnelEvents"])}
              error={errors.pixelFunnelEvents}
            />
          </div>
        ) : null}
        <Checkbox
          label="Server events (Conversions API)"
          checked={values.serverEventsEnabled}
          onChange={(checked) => update("serverEventsEnabled", checked)}
          error={errors.serverEventsEnabled}
          helpText="Reports every online order from Shopify's servers, even when the buyer's browser blocked the pixel. Needs the Conversions API key."
        />
        <SingleChoice
          field="conversionTrigger"
          title="Count a sale"
          options={TRIGGER_OPTIONS}
          values={values}
          errors={errors}
          update={update}
        />
      </BlockStack>
    </Card>
  );
}

export function PrivacyCard({ values, errors, update }: CardProps) {
  return (
    <Card>
      <BlockStack gap="400">
        <SingleChoice
          field="consentPolicy"
          title="Orders without a recorded consent choice"
          options={CONSENT_OPTIONS}
          values={values}
          errors={errors}
          update={update}
        />
        <Text as="p" variant="bodySm" tone="subdued">
          A buyer who declined tracking is never reported, whatever you choose here.
        </Text>
        <SingleChoice
          field="addresslessOrders"
          title="Orders with no billing or shipping address"
          options={ADDRESSLESS_OPTIONS}
          values={values}
          errors={errors}
          update={update}
        />
        {values.addresslessOrders === "shop_country" ? (
          <div style={{ paddingInlineStart: "var(--p-space-800)", maxInlineSize: "20rem" }}>
            <TextField
              label="Your shop's country"
              name="addresslessOrderCountry"
              value={values.addresslessOrderCountry}
              onChange={(value) => update("addresslessOrderCountry", value.toUpperCase())}
              error={errors.addresslessOrderCountry}
              autoComplete="country"
              maxLength={2}
              placeholder="e.g. US"
              helpText="Its two-letter code (ISO 3166-1), e.g. US, DE or HK."
            />
          </div>
        ) : null}
        <ChoiceList
          allowMultiple
          title="Details sent to help match sales to ad clicks"
          choices={choices(MATCHING_OPTIONS)}
          selected={values.enhancedMatching}
          onChange={(selected) => update("enhancedMatching", selected as SettingsFormValues["enhancedMatching"])}
          error={errors.enhancedMatching}
        />
        <SingleChoice
          field="nonWebOrders"
          title="Orders from other sales channels"
          options={NON_WEB_OPTIONS}
          values={values}
          errors={errors}
          update={update}
        />
        <SingleChoice
          field="subscriptionRenewals"
          title="Subscription renewals"
          options={SUBSCRIPTION_RENEWAL_OPTIONS}
          values={values}
          errors={errors}
          update={update}
        />
      </BlockStack>
    </Card>
  );
}

export function CorrectionsCard({ values, errors, update }: CardProps) {
  return (
    <Card>
      <FormLayout>
        <Checkbox
          label="Report refunds and cancellations"
          checked={values.correctionsEnabled}
          onChange={(checked) => update("correctionsEnabled", checked)}
          helpText="Sent as custom events with the refunded amount. They appear in your reports but don't reduce the sales OpenAI already counted."
        />
        {values.correctionsEnabled ? (
          <FormLayout.Group>
            <TextField
              label="Refund event name"
              name="refundEventName"
              value={values.refundEventName}
              onChange={(value) => update("refundEventName", value)}
              error={errors.refundEventName}
              autoComplete="off"
              helpText="Lowercase letters, digits, “_” or “-”."
            />
            <TextField
              label="Cancellation event name"
              name="cancelEventName"
              value={values.cancelEventName}
              onChange={(value) => update("cancelEventName", value)}
              error={errors.cancelEventName}
              autoComplete="off"
              helpText="Must differ from the refund name."
            />
            <TextField
              label="Value added event name"
              name="valueAddedEventName"
              value={values.valueAddedEventName}
              onChange={(value) => update("valueAddedEventName", value)}
              error={errors.valueAddedEventName}
              autoComplete="off"
              helpText="Revenue added after checkout: order edits, post-purchase upsells, exchanges for a dearer item."
            />
          </FormLayout.Group>
        ) : null}
      </FormLayout>
    </Card>
  );
}

export function HowItCountsCard() {
  return (
    <Card>
      <BlockStack gap="300">
        <List>
          <List.Item>
            <Text as="span" fontWeight="semibold">
              Register order_created as a conversion event in Ads Manager.
            </Text>{" "}
            OpenAI only counts, reports and optimizes your campaigns for events you have set up there. Without it, the
            sales this app sends are received but don't show up as conversions.
          </List.Item>
          <List.Item>
            Selling subscriptions? A subscription&apos;s first order is also sent as subscription_created: register it
            too to count new subscribers. Renewals are repeat charges, not new sales, and are never sent as
            order_created.
          </List.Item>
          <List.Item>Sales appear in ChatGPT Ads reports after 24 to 48 hours.</List.Item>
          <List.Item>
            A sale is credited to an ad clicked in the 30 days before it; sales after only seeing an ad (1 day) are
            reported separately.
          </List.Item>
          <List.Item>
            Each order is reported by the browser pixel and by server events with the same reference; OpenAI keeps the
            first and ignores the copy, so nothing is counted twice.
          </List.Item>
        </List>
      </BlockStack>
    </Card>
  );
}
