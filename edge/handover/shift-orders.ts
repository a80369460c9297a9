// The orders a shift report lists: every work order that ran during the shift (started before
// its end, not completed before its start), with its progress and OEE so far. Takes the orders
// module's two reads, so the handover module needs nothing else of it.
export interface OrdersReads {
  orders(status: undefined, limit: number): Array<{ id: string; productId: string; quantity: number; status: string; startedAt: number | null; completedAt: number | null }>;
  order(id: string): { output: { good: number; quantity: number; progress: number }; line: { oee: number } | null; scrap: number };
}

export function shiftOrders(reads: OrdersReads, from: number, to: number): Array<Record<string, unknown>> {
  return reads.orders(undefined, 500)
    .filter((o) => o.startedAt !== null && o.startedAt < to && (o.completedAt === null || o.completedAt > from))
    .map((o) => {
      const k = reads.order(o.id);
      return {
        id: o.id, productId: o.productId, status: o.status, quantity: o.quantity, good: k.output.good,
        progress: k.output.progress, scrap: k.scrap, oee: k.line?.oee ?? null, startedAt: o.startedAt, completedAt: o.completedAt,
      };
    });
}
