/**
 * A bulk operation's result, read line by line: Shopify writes each order as one JSONL line and
 * each of its line items as a later line with `__parentId` naming the order (children follow their
 * parent; Shopify documents no other order). This assembler takes the lines in file order and hands
 * back each order once all its lines are in, so a file of any size is read with one order in memory.
 *
 * Pure: the caller streams the file and parses each line (exact ids: ./webhook-json.ts).
 */
import type { GqlLineItem, GqlOrder } from "./graphql-order";

export interface AssembledOrder {
  order: GqlOrder;
  lineItems: GqlLineItem[];
}

export class BulkOrderAssembler {
  private current: AssembledOrder | null = null;
  private currentId: string | null = null;
  /** Lines that were neither an order nor a child of the current order (reported, never fatal). */
  strayLines = 0;

  /** Feeds one parsed line; returns the previous order when this line starts a new one. */
  push(line: unknown): AssembledOrder | null {
    if (typeof line !== "object" || line === null || Array.isArray(line)) {
      this.strayLines++;
      return null;
    }
    const record = line as Record<string, unknown>;
    const parent = record.__parentId;
    if (typeof parent === "string") {
      if (this.current && parent === this.currentId) {
        const { __parentId: _parent, ...item } = record;
        void _parent;
        this.current.lineItems.push(item as GqlLineItem);
      } else {
        this.strayLines++;
      }
      return null;
    }
    const finished = this.current;
    this.current = { order: record as GqlOrder, lineItems: [] };
    this.currentId = typeof record.id === "string" ? record.id : null;
    return finished;
  }

  /** The last order, once the file has ended. */
  finish(): AssembledOrder | null {
    const last = this.current;
    this.current = null;
    this.currentId = null;
    return last;
  }
}
