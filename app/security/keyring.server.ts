import { config } from "~/config.server";
import { keyRingFrom, type KeyRing } from "./encryption.server";

let ring: KeyRing | undefined;
export function keyRing(): KeyRing {
  ring ??= keyRingFrom(config().ENCRYPTION_KEY, config().ENCRYPTION_KEY_PREVIOUS);
  return ring;
}
