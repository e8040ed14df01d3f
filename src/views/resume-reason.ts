/**
 * The reason a Resume button carries, with who typed it. The confirmation card of `resume
 * REASON…` may be clicked by another approver (in a channel, everyone there sees it): the audit
 * entry must not give the typist's reason as the clicker's own. The card's `reason` field holds
 * both (as JSON; the card template has one field for it), and the click's reason names the
 * typist when someone else clicks. Card data comes back from the client and can be forged, and
 * the typed `resume` is not recorded anywhere acrbot could look it up: the click's reason
 * reports the typist as the card's claim ("said to be typed by …"), never as a fact.
 */
import { z } from 'zod/v3';
import { cutText, REASON_LIMITS } from '../domain/text';
import type { Actor } from '../domain/request';

/** The `reason` data of a Resume button: '' without a reason, else the reason and who typed it. */
export function resumeReasonData(reason: string | undefined, typedBy: Actor | undefined): string {
  if (!reason) return '';
  if (!typedBy) return reason;
  return JSON.stringify({ reason, typedBy: { objectId: typedBy.objectId, name: typedBy.name } });
}

const attributed = z.object({
  reason: z.string(),
  typedBy: z.object({ objectId: z.string().min(1).max(64), name: z.string().max(256) }),
});

/**
 * The reason of a Resume click by `clicker`, from the button's `reason` data: the reason as typed
 * when the card says they typed it themselves; "reason on the card, said to be typed by NAME
 * (ID): …" when it names someone else (shortened between graphemes to fit a reason's length
 * limit): the clicker sent that claim, which acrbot cannot check; a plain reason (a card posted
 * before reasons were attributed) as it is. Undefined without one.
 */
export function resumeReasonOf(data: string | undefined, clicker: Actor): string | undefined {
  if (!data) return undefined;
  let parsed: z.infer<typeof attributed> | undefined;
  try {
    const result = attributed.safeParse(JSON.parse(data));
    parsed = result.success ? result.data : undefined;
  } catch {
    // Not JSON: a plain reason.
  }
  if (!parsed) return data;
  const { reason, typedBy } = parsed;
  if (typedBy.objectId.toLowerCase() === clicker.objectId.toLowerCase()) return reason;
  const prefix = `reason on the card, said to be typed by ${typedBy.name} (${typedBy.objectId}): `;
  const room = REASON_LIMITS.max - prefix.length;
  // Cut between graphemes: half an emoji would put a lone surrogate into the audit entry.
  return prefix + (reason.length > room ? `${cutText(reason, Math.max(0, room - 1))}…` : reason);
}
