import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ALL_MATCHING_FIELDS,
  MAX_VALUES_PER_LIST,
  buildCapiUser,
  parseMatchingFields,
  type UserIdentifiers,
} from "../../app/conversions/matching";

const h = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const FULL: UserIdentifiers = {
  emails: ["  Jane.Doe@Example.COM ", "jane.doe@example.com", "not-an-email", "second@example.com"],
  phones: [
    { value: "+1 (415) 555-2671" },
    { value: "(415) 555-2671", countryHint: "US" }, // same number: deduped
    { value: "030 123456", countryHint: "DE" },
    { value: "12", countryHint: "US" }, // invalid: dropped
  ],
  firstNames: ["José", "JOSÉ", null, "Mary Ann"],
  lastNames: ["O'Connor"],
  externalIds: ["  Cust-001 ", 7012345678901, ""],
  countries: ["us", "United States", "US", "de"],
  regions: [" CA ", "", "BE"],
  cities: ["San Francisco", "San Francisco"],
  postalCodes: ["94103", " 10115 "],
  ipAddress: "1.1.1.1",
  userAgent: " Mozilla/5.0 ",
  obref: "ob_raw_VALUE",
};

describe("buildCapiUser", () => {
  it("normalizes, validates, dedupes and hashes into the plural schema", async () => {
    expect(await buildCapiUser(FULL, ALL_MATCHING_FIELDS)).toEqual({
      emails_sha256: [h("jane.doe@example.com"), h("second@example.com")],
      phone_numbers_sha256: [h("14155552671"), h("4930123456")],
      external_ids_sha256: [h("Cust-001"), h("7012345678901")],
      first_names_sha256: [h("josé"), h("maryann")],
      last_names_sha256: [h("oconnor")],
      countries: ["US", "DE"],
      regions: ["CA", "BE"],
      cities: ["San Francisco"],
      postal_codes: ["94103", "10115"],
      ip_address: "1.1.1.1",
      user_agent: "Mozilla/5.0",
      obref: "ob_raw_VALUE",
    });
  });

  it("the phone hash is OpenAI's documented example", async () => {
    const user = await buildCapiUser({ phones: [{ value: "+1 (415) 555-2671" }] }, ["phone"]);
    expect(user).toEqual({
      phone_numbers_sha256: ["758fbf68945f21c416814c539ab578876c8d98fb69e6da692def92cd52417fe0"],
    });
  });

  it("keeps the first 3 unique valid values of each list", async () => {
    expect(MAX_VALUES_PER_LIST).toBe(3);
    const user = await buildCapiUser(
      {
        emails: ["bad", "a@x.com", "A@X.COM", "b@x.com", "bad2", "c@x.com", "d@x.com"],
        countries: ["US", "GB", "DE", "FR"],
      },
      ALL_MATCHING_FIELDS,
    );
    expect(user).toEqual({
      emails_sha256: [h("a@x.com"), h("b@x.com"), h("c@x.com")],
      countries: ["US", "GB", "DE"],
    });
  });

  it("includes only the enabled field groups", async () => {
    expect(await buildCapiUser(FULL, ["email"])).toEqual({
      emails_sha256: [h("jane.doe@example.com"), h("second@example.com")],
    });
    expect(await buildCapiUser(FULL, ["name"])).toEqual({
      first_names_sha256: [h("josé"), h("maryann")],
      last_names_sha256: [h("oconnor")],
    });
    expect(await buildCapiUser(FULL, ["address"])).toEqual({
      countries: ["US", "DE"],
      regions: ["CA", "BE"],
      cities: ["San Francisco"],
      postal_codes: ["94103", "10115"],
    });
    expect(await buildCapiUser(FULL, ["client"])).toEqual({
      ip_address: "1.1.1.1",
      user_agent: "Mozilla/5.0",
      obref: "ob_raw_VALUE",
    });
    expect(await buildCapiUser(FULL, ["external_id"])).toEqual({
      external_ids_sha256: [h("Cust-001"), h("7012345678901")],
    });
  });

  it("returns undefined when nothing is enabled or nothing is valid", async () => {
    expect(await buildCapiUser(FULL, [])).toBeUndefined();
    expect(await buildCapiUser({}, ALL_MATCHING_FIELDS)).toBeUndefined();
    expect(
      await buildCapiUser(
        { emails: ["nope", null], phones: [{ value: "12" }], countries: ["United States"], ipAddress: "not-an-ip" },
        ALL_MATCHING_FIELDS,
      ),
    ).toBeUndefined();
  });

  it("never puts raw email, phone, name or external id in the result", async () => {
    const json = JSON.stringify(await buildCapiUser(FULL, ALL_MATCHING_FIELDS));
    for (const raw of [
      "jane.doe",
      "Jane.Doe",
      "4155552671",
      "José",
      "josé",
      "Connor",
      "oconnor",
      "Cust-001",
      "7012345678901",
    ]) {
      expect(json).not.toContain(raw);
    }
  });

  it("has no empty lists and no undefined keys", async () => {
    const user = await buildCapiUser({ emails: ["a@x.com"], phones: [{ value: "12" }] }, ALL_MATCHING_FIELDS);
    expect(Object.keys(user ?? {})).toEqual(["emails_sha256"]);
  });

  it("tolerates holes in the phone list", async () => {
    const phones = [undefined, { value: "+14155552671" }] as unknown as UserIdentifiers["phones"];
    expect(await buildCapiUser({ phones }, ["phone"])).toEqual({ phone_numbers_sha256: [h("14155552671")] });
  });
});

describe("parseMatchingFields", () => {
  it("reads a JSON list of known fields", () => {
    expect(parseMatchingFields('["email","phone","address"]')).toEqual(["email", "phone", "address"]);
    expect(parseMatchingFields(JSON.stringify(ALL_MATCHING_FIELDS))).toEqual(ALL_MATCHING_FIELDS);
  });

  it("drops unknown entries and duplicates", () => {
    expect(parseMatchingFields('["email","ssn",3,null,"email","client"]')).toEqual(["email", "client"]);
  });

  it.each(["", "not json", "{}", '"email"', "null", "42"])("is empty for %j", (json) => {
    expect(parseMatchingFields(json)).toEqual([]);
  });

  it("ALL_MATCHING_FIELDS lists every field once", () => {
    expect(ALL_MATCHING_FIELDS).toEqual(["email", "phone", "name", "external_id", "address", "client"]);
  });
});
