/**
 * The real ad-blocker filter lists most blocking users run (EasyPrivacy, EasyList, uBlock Origin's
 * Privacy list; vendored with their attribution in test/fixtures/filter-lists/) read by a real filtering
 * engine (@ghostery/adblocker). Used by the blocker test and by the Chromium tests, which abort every
 * request these lists block — the way an extension does.
 */
import { FiltersEngine, Request } from "@ghostery/adblocker";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const FILTER_LIST_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "test",
  "fixtures",
  "filter-lists",
);
const FILTER_LISTS = {
  EasyPrivacy: "easyprivacy.txt",
  EasyList: "easylist.txt",
  "uBlock Privacy": "ublock_privacy.txt",
} as const;
export type FilterListName = keyof typeof FILTER_LISTS;

/** Request types as a browser extension sees them (webRequest resource types). */
export type RequestType = "script" | "xmlhttprequest" | "image" | "sub_frame" | "ping";

export interface BlockVerdict {
  blocked: boolean;
  /** The filter that blocked it (raw text), per list that blocks it on its own. */
  filters: Partial<Record<FilterListName, string>>;
}

export interface FilterEngines {
  match(url: string, type: RequestType, sourceUrl: string): BlockVerdict;
  /** The verdict of one list on its own, or of all three together ("all"): one engine, no filter names. */
  blocks(url: string, type: RequestType, sourceUrl: string, list: FilterListName | "all"): boolean;
}

/** The list files' text, refusing any that no longer match SHA256SUMS (an edited snapshot). */
function readLists(): Record<FilterListName, string> {
  const sums = new Map(
    readFileSync(path.join(FILTER_LIST_DIR, "SHA256SUMS"), "utf8")
      .trim()
      .split("\n")
      .map((line) => {
        const [sum, file] = line.trim().split(/\s+/);
        return [file, sum] as const;
      }),
  );
  const out = {} as Record<FilterListName, string>;
  for (const [name, file] of Object.entries(FILTER_LISTS) as [FilterListName, string][]) {
    const bytes = readFileSync(path.join(FILTER_LIST_DIR, file));
    const sum = createHash("sha256").update(bytes).digest("hex");
    if (sums.get(file) !== sum) throw new Error(`${file}: checksum ${sum} is not the one in SHA256SUMS`);
    out[name] = bytes.toString("utf8");
  }
  return out;
}

const parse = (text: string) =>
  // No optimizations: a match then names the very filter line that blocked it.
  FiltersEngine.parse(text, { loadCosmeticFilters: false, enableOptimizations: false, debug: true });

/**
 * One engine with all three lists (what a user runs: exceptions in one list apply to the others) for
 * the verdict, and one per list to say which list blocks on its own.
 */
export function loadFilterEngines(): FilterEngines {
  const lists = readLists();
  const combined = parse(Object.values(lists).join("\n"));
  const single = (Object.keys(lists) as FilterListName[]).map((name) => [name, parse(lists[name])] as const);
  return {
    match(url, type, sourceUrl) {
      const request = () => Request.fromRawDetails({ url, sourceUrl, type });
      const filters: BlockVerdict["filters"] = {};
      for (const [name, engine] of single) {
        const result = engine.match(request());
        if (result.match && result.filter) filters[name] = result.filter.rawLine ?? result.filter.toString();
      }
      return { blocked: combined.match(request()).match, filters };
    },
    blocks(url, type, sourceUrl, list) {
      const engine = list === "all" ? combined : single.find(([name]) => name === list)![1];
      return engine.match(Request.fromRawDetails({ url, sourceUrl, type })).match;
    },
  };
}
