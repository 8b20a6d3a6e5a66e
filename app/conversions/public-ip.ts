/**
 * Only an address that can be a buyer's on the public internet is worth sending to OpenAI. Shopify's
 * own documentation order carries `browser_ip: "0.0.0.0"`; staff tools, proxies and tests produce
 * loopback, private (RFC 1918, unique-local), link-local, carrier-grade NAT and documentation
 * addresses. ipaddr.js (pure JS, so it runs in the core) classifies them; only "unicast" passes, and
 * an IPv4-mapped IPv6 address is judged by the IPv4 address inside it.
 */
import ipaddr from "ipaddr.js";

export function isPublicIpAddress(value: string): boolean {
  if (!ipaddr.isValid(value)) return false;
  let address = ipaddr.parse(value);
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  return address.range() === "unicast";
}
