/**
 * The pg driver adapter for the Prisma CLI (migrate deploy/status/diff against Postgres).
 *
 * @prisma/adapter-pg 6.19.3 cannot map Postgres' internal `name` type (OID 19), which the schema
 * engine's catalog queries return (prisma/orm#27403: "Column type 'name' could not be deserialized").
 * `name` is plain text of at most 63 bytes, so the pool reports it as `text` (OID 25) before the
 * adapter sees it. Only the CLI needs this; the app never selects catalog columns.
 */
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

const NAME_OID = 19;
const TEXT_OID = 25;

function nameAsText<T>(result: T): T {
  const fields = (result as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
  if (fields) for (const field of fields) if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
  return result;
}

function patchQuery(target: { query: (...args: unknown[]) => unknown }) {
  const query = target.query.bind(target);
  target.query = (...args: unknown[]) => {
    const out = query(...args);
    return out instanceof Promise ? out.then(nameAsText) : out;
  };
}

class CatalogFriendlyPool extends pg.Pool {
  constructor(config: pg.PoolConfig) {
    super(config);
    patchQuery(this as unknown as { query: (...args: unknown[]) => unknown });
    this.on("connect", (client) => patchQuery(client as unknown as { query: (...args: unknown[]) => unknown }));
  }
}

export function postgresCliAdapter(connectionString: string) {
  return new PrismaPg(new CatalogFriendlyPool({ connectionString }), { disposeExternalPool: true });
}
