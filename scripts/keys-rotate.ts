/**
 * `npm run keys:rotate`: re-encrypts every stored encrypted value with the current ENCRYPTION_KEY,
 * after a rotation (ENCRYPTION_KEY = new, ENCRYPTION_KEY_PREVIOUS = old). Then the old key can be
 * removed. Webhooks quarantined because they could not be decrypted are made due again (any still
 * unreadable is set aside again by the applier). Exits 1 if a value could not be decrypted.
 */
import { config, ConfigError } from "~/config.server";
import { initDatabase } from "~/db/client.server";
import { rotateStoredKeys } from "~/models/key-inventory.server";
import { releaseQuarantinedInbox } from "~/models/webhook-inbox.server";
import { keyRing } from "~/security/keyring.server";

async function main() {
  config();
  await initDatabase();
  const report = await rotateStoredKeys(keyRing());
  const released = await releaseQuarantinedInbox();
  let undecryptable = 0;
  for (const [column, r] of Object.entries(report)) {
    undecryptable += r.undecryptable;
    console.log(
      `${column}: ${r.reencrypted} re-encrypted, ${r.current} already current, ${r.undecryptable} undecryptable`,
    );
  }
  console.log(`quarantined webhooks released for another try: ${released}`);
  if (undecryptable > 0) {
    console.error("Some values could not be decrypted: add the key they were sealed with to ENCRYPTION_KEY_PREVIOUS.");
    process.exit(1);
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exit(1);
});
