/**
 * Seconds before a failed queue delivery is tried again: `firstS` for the first retry,
 * doubling with each attempt, never more than `capS`. One rule for every consumer (audit,
 * back-channel logout, CIBA notifications, email); each picks the numbers that suit how
 * long its message stays useful. `attempt` is Queues' `message.attempts` (1 on the first
 * delivery); the exponent is bounded so a long-lived message cannot overflow.
 */
export function backoffSeconds(attempt: number, firstS: number, capS: number): number {
  return Math.min(capS, firstS * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}
