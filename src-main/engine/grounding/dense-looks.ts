/**
 * What one dense second look of a grounding run gave (pipeline.ts refineSegments), in a form
 * that can be stored as it comes and taken again later: a query job taken up after a crash
 * asks again only the looks not stored yet, as it does for windows (window-answers.ts).
 */
import type { Span } from '../../../src-shared/span.js';
import type { FoundSegment } from './window-answers.js';

/** One dense look: the merged segment it was asked for (before refinement), that segment refined, and its note. */
export interface DenseLook {
  /** The merged segment's index among the run's merged segments. */
  index: number;
  /** The merged segment as it was asked for: a stored look is taken for the very same one only. */
  asked: Span;
  refined: FoundSegment;
  note: string | null;
}

/**
 * The stored look at merged segment `index`, when it was asked for the very same segment (same
 * index, start and end before refinement); windows answered another way merge into other
 * segments, whose looks are asked again.
 */
export function lookedBefore(
  looks: ReadonlyMap<number, DenseLook> | undefined,
  index: number,
  seg: Span,
): DenseLook | undefined {
  const l = looks?.get(index);
  if (!l) return undefined;
  const same = l.index === index && l.asked.startS === seg.startS && l.asked.endS === seg.endS;
  return same ? { ...l, asked: { ...l.asked }, refined: { ...l.refined } } : undefined;
}

/**
 * One merged segment's dense look: the one stored for it (`refined`, lookedBefore) is taken
 * into `seg` as it is; else `ask` refines `seg` in place and what it gave goes to `onRefined`.
 */
export async function storedOrAsked(
  hooks: { refined?: ReadonlyMap<number, DenseLook>; onRefined?: (look: DenseLook) => void },
  index: number,
  seg: FoundSegment,
  ask: () => Promise<string | null>,
): Promise<{ note: string | null; reused: boolean }> {
  const known = lookedBefore(hooks.refined, index, seg);
  if (known) {
    Object.assign(seg, known.refined);
    return { note: known.note, reused: true };
  }
  const asked = { startS: seg.startS, endS: seg.endS };
  const note = await ask();
  hooks.onRefined?.({ index, asked, refined: { ...seg }, note });
  return { note, reused: false };
}
