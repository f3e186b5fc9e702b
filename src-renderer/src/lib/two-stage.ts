/**
 * Pure helpers of two-stage grounding in the workstation: the Settings form's checks of its
 * percentages, the line the Query view shows under the query box, and the label of the stage
 * each result segment came from.
 */
import type { SegmentStage, Settings } from '../../../src-shared/api.js';

/** A share (0 to 1) as a short percentage: `60%`, `2.5%`. */
export function sharePercent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

/**
 * A percentage field of the form (0 to 100) as a share from 0 to 1, or the message to show
 * when it is not one: empty, not a number, or out of range.
 */
export function percentShare(value: unknown, label: string): { share: number } | { message: string } {
  const pct = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100)
    return { message: `${label} is a percentage from 0 to 100.` };
  return { share: pct / 100 };
}

/** The two-stage fields of the form, checked: the values to save, or the first message to show. */
export function twoStageFields(f: {
  candidate: string;
  refinePct: unknown;
  auditPct: unknown;
  model: string;
  serverUrl: string;
}): { candidateModel: string | null; refineBelow: number; auditShare: number } | { message: string } {
  const refine = percentShare(f.refinePct, 'Refine below');
  if ('message' in refine) return refine;
  const audit = percentShare(f.auditPct, 'Audit share');
  if ('message' in audit) return audit;
  if (f.candidate !== '' && f.model === '' && f.serverUrl.trim() === '')
    return {
      message:
        'Two stages need a refining backend: choose the Model by name, or a model server URL, besides the candidate model.',
    };
  return { candidateModel: f.candidate || null, refineBelow: refine.share, auditShare: audit.share };
}

/** The backend that refines in two stages (or answers in one): the server and its pool, else the local model. */
export function refiningBackend(s: Pick<Settings, 'model' | 'device' | 'serverUrl' | 'poolUrls'>): string {
  if (s.serverUrl) {
    const more = new Set(s.poolUrls.filter((u) => u !== s.serverUrl)).size;
    return more === 0 ? s.serverUrl : `${s.serverUrl} and ${more} more server${more === 1 ? '' : 's'}`;
  }
  return `${s.model ?? 'the installed model'} on ${s.device}`;
}

/**
 * What the Query view says under the query box when the settings ask in two stages, e.g.
 * "Two stages: small then big on cpu, refine below 60%, audit 5% of refused windows"; null for
 * one stage.
 */
export function twoStageLine(s: Settings | null): string | null {
  if (!s?.candidateModel) return null;
  const refine = `refine below ${sharePercent(s.refineBelow)}`;
  const audit = `audit ${sharePercent(s.auditShare)} of refused windows`;
  return `Two stages: ${s.candidateModel} then ${refiningBackend(s)}, ${refine}, ${audit}`;
}

const STAGES: Readonly<Record<SegmentStage, { label: string; title: string }>> = {
  candidate: { label: 'candidate', title: 'Kept from the candidate model: it was confident enough' },
  refined: { label: 'refined', title: 'Refined: the refining backend looked again around the candidate' },
  audit: { label: 'audit', title: 'Found by the audit of a window the candidate model refused' },
};

/** The label and tooltip of the stage a result segment came from. */
export function stageLabel(stage: SegmentStage): { label: string; title: string } {
  return STAGES[stage];
}
