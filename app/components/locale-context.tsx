/**
 * The merchant's admin locale for every page under /app, set once by the layout from the URL Shopify
 * opened the app with (client-side navigations keep it: the layout stays mounted).
 */
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { FALLBACK_LOCALE, formatCount, formatDateTime, formatDay, formatMoneyMinor, formatRate } from "~/admin/locale";

const LocaleContext = createContext<string>(FALLBACK_LOCALE);

export function LocaleProvider({ locale, children }: { locale: string; children: ReactNode }) {
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

export interface Formats {
  locale: string;
  count: (n: number) => string;
  rate: (r: number | null) => string;
  money: (currency: string, minor: number) => string;
  dateTime: (at: Date | string) => string;
  day: (day: string) => string;
}

export function useFormats(): Formats {
  const locale = useContext(LocaleContext);
  return useMemo(
    () => ({
      locale,
      count: (n) => formatCount(locale, n),
      rate: (r) => formatRate(locale, r),
      money: (currency, minor) => formatMoneyMinor(locale, currency, minor),
      dateTime: (at) => formatDateTime(locale, at),
      day: (day) => formatDay(locale, day),
    }),
    [locale],
  );
}
