// `npm run bench -- two-stage-boundaries`: the hidden event boundaries two-stage grounding finds
// on the bench clips, against the refining model alone, through the engine's own code: the SAA
// scan (analyseRecording), frames decoded by ffmpeg through the engine's frame source, windows,
// answers, confidence, merge, the dense second look (groundRecording), and the two stages
// (groundTwoStage). The two models are scripted detectors that read the frames they are shown
// (box-detector.ts says what each sees and how sure it is), so what each run finds follows from
// the pixels. Alongside: visual tokens sent to the refining detector, windows asked of each
// stage, wall time and the audit's missed share, from one run. The detectors answer at once, so
// wall time is mostly frame decoding, not model time.
import { performance } from 'node:perf_hooks';
import { DEFAULT_SCAN_BUDGET } from '../../src-shared/scans.js';
import { DEFAULT_AUDIT_SHARE, DEFAULT_REFINE_BELOW } from '../../src-main/engine/api/ground.js';
import { groundRecording, type GroundOutput } from '../../src-main/engine/grounding/pipeline.js';
import { groundTwoStage, type TwoStageOutput } from '../../src-main/engine/grounding/two-stage.js';
import { CANDIDATE_SAMPLES } from '../../src-main/engine/jobs/ground-target.js';
import { probeVideo } from '../../src-main/engine/media/probe.js';
import { analyseRecording } from '../../src-main/engine/saa/index.js';
import { makeVideo, type VideoRecipe } from '../fixtures/make-video.js';
import { CandidateDetector, PROFILE, RefiningDetector } from './box-detector.js';
import { TEN_MIN, THREE_MIN } from './clips.js';
import type { Report } from './timed.js';

/**
 * A hidden boundary counts as found when a returned segment (any confidence) starts within
 * TOLERANCE_S of an event's start, or ends within TOLERANCE_S of an event's end.
 */
export const TOLERANCE_S = 2;
const QUERY = 'something appears in front of the grey background';
/** As the two-stage part: the refining server asked with a 1024-token context, the candidate with its manifest's 2048. */
const REFINE_CONTEXT = 1024;
const CANDIDATE_CONTEXT = 2048;
/** Samples of the refining backend: the ground request's default. */
const REFINE_SAMPLES = 3;
/** A fixed audit draw, so a rerun asks the same windows. */
const AUDIT_SEED = 1;

interface Boundary {
  t: number;
  edge: 'start' | 'end';
}
type Found = readonly { startS: number; endS: number }[];

/** Per run: what it returned and what it cost. */
interface Side {
  segments: Found;
  tokens: number;
  seconds: number;
}
interface ClipResult {
  name: string;
  bounds: Boundary[];
  alone: Side & { windows: number; questions: number };
  two: Side & { out: TwoStageOutput; questions: number };
}

/** The recipe's event starts and ends, in time order. */
function boundariesOf(recipe: VideoRecipe): Boundary[] {
  const out: Boundary[] = [];
  for (const e of recipe.events ?? []) {
    if (e.kind === 'box' || e.kind === 'mover') out.push({ t: e.from, edge: 'start' }, { t: e.to, edge: 'end' });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** The returned segment edge nearest the boundary (starts for a start, ends for an end) within TOLERANCE_S; null if none. */
function foundAt(b: Boundary, segments: Found): number | null {
  const edges = segments.map((s) => (b.edge === 'start' ? s.startS : s.endS));
  const near = edges
    .filter((t) => Math.abs(t - b.t) <= TOLERANCE_S)
    .sort((x, y) => Math.abs(x - b.t) - Math.abs(y - b.t));
  return near[0] ?? null;
}

/** Segments that overlap no event of the recipe. */
function stray(recipe: VideoRecipe, segments: Found): number {
  const events = (recipe.events ?? []).flatMap((e) => ('from' in e ? [e] : []));
  return segments.filter((s) => !events.some((e) => s.endS > e.from && s.startS < e.to)).length;
}

async function groundClip(name: string, recipe: VideoRecipe): Promise<ClipResult> {
  const file = await makeVideo(recipe);
  const info = await probeVideo(file);
  const scan = await analyseRecording(file, { ...info, budgetTokens: DEFAULT_SCAN_BUDGET });
  console.log(
    `  ${name}: ${info.durationS.toFixed(0)} s ${info.width}x${info.height}, SAA plan ${scan.frames.length} frames / ` +
      `${scan.visualTokens} tokens, ${scan.changePoints.length} change points`,
  );
  const common = {
    source: { file, key: file, sourceFps: info.fps },
    durationS: info.durationS,
    query: QUERY,
    frames: scan.frames,
    changePoints: scan.changePoints,
  };
  const refine = { profile: PROFILE, contextTokens: REFINE_CONTEXT, samples: REFINE_SAMPLES };
  const aloneDetector = new RefiningDetector();
  let t = performance.now();
  const alone: GroundOutput = await groundRecording({ ...common, ...refine, backend: aloneDetector });
  const aloneS = (performance.now() - t) / 1000;
  const candidate = new CandidateDetector();
  const refiner = new RefiningDetector();
  t = performance.now();
  const two = await groundTwoStage({
    ...common,
    candidate: { backend: candidate, profile: PROFILE, contextTokens: CANDIDATE_CONTEXT, samples: CANDIDATE_SAMPLES },
    refine: { ...refine, backend: refiner },
    refineBelow: DEFAULT_REFINE_BELOW,
    auditShare: DEFAULT_AUDIT_SHARE,
    auditSeed: AUDIT_SEED,
  });
  const twoS = (performance.now() - t) / 1000;
  return {
    name,
    bounds: boundariesOf(recipe),
    alone: {
      segments: alone.segments,
      tokens: alone.visualTokens,
      seconds: aloneS,
      windows: alone.windows.length,
      questions: aloneDetector.questions,
    },
    two: {
      segments: two.segments,
      tokens: two.stages.refine.visualTokens + two.stages.audit.visualTokens,
      seconds: twoS,
      out: two,
      questions: refiner.questions,
    },
  };
}

const edge = (t: number | null): string => (t === null ? 'missed' : `${t.toFixed(1)} s`);
const ratio = (a: number, b: number): string => `${(a / Math.max(1e-9, b)).toFixed(2)}x`;
const col = (s: string): string => s.padEnd(34);
const spans = (xs: Found): string => xs.map((x) => `${x.startS.toFixed(1)}-${x.endS.toFixed(1)}`).join(' ');

/** One clip's figures side by side: refining alone, then two stages. */
function printClip(c: ClipResult, recipe: VideoRecipe): void {
  const s = c.two.out.stages;
  const m = c.bounds.length;
  const foundA = c.bounds.filter((b) => foundAt(b, c.alone.segments) !== null).length;
  const foundT = c.bounds.filter((b) => foundAt(b, c.two.segments) !== null).length;
  console.log(`    ${''.padEnd(26)}${col('refining alone')}two stages`);
  const row = (label: string, a: string, b: string) => console.log(`    ${label.padEnd(26)}${col(a)}${b}`);
  row('boundaries found', `${foundA} of ${m}`, `${foundT} of ${m}`);
  for (const b of c.bounds)
    row(`  ${b.edge} ${b.t.toFixed(1)} s`, edge(foundAt(b, c.alone.segments)), edge(foundAt(b, c.two.segments)));
  const stages = c.two.out.segments.map((x) => x.stage).join(', ');
  row(
    'segments (off any event)',
    `${c.alone.segments.length} (${stray(recipe, c.alone.segments)})`,
    `${c.two.segments.length} (${stray(recipe, c.two.segments)}): ${stages || 'none'}`,
  );
  row(
    'windows asked',
    `refining ${c.alone.windows}`,
    `candidate ${s.candidate.windows} (unsure ${s.candidate.unsure}), refine ${s.refine.windows}, audit ${s.audit.windows}`,
  );
  row('questions to refining', `${c.alone.questions}`, `${c.two.questions} (windows and dense looks)`);
  row('tokens to refining', `${c.alone.tokens}`, `${c.two.tokens}  (${ratio(c.alone.tokens, c.two.tokens)})`);
  row('candidate tokens', '-', `${s.candidate.visualTokens} at <= ${s.candidate.maxPixels} px a frame`);
  row(
    'wall',
    `${c.alone.seconds.toFixed(1)} s`,
    `${c.two.seconds.toFixed(1)} s  (${ratio(c.alone.seconds, c.two.seconds)})`,
  );
  const missed = s.audit.missedShare === null ? 'none audited' : s.audit.missedShare.toFixed(2);
  row(
    'audit missed share',
    '-',
    `${missed} (${s.audit.found} of ${s.audit.audited.length} audited, ${s.audit.refused} refused)`,
  );
  console.log(`    second-stage spans (unsure candidates): ${spans(s.refine.spans) || 'none'}`);
  console.log(`    segments, refining alone: ${spans(c.alone.segments)}`);
  console.log(`    segments, two stages:     ${spans(c.two.segments)}`);
}

export async function benchTwoStageBoundaries(report: Report): Promise<void> {
  console.log(
    `two-stage-boundaries: scripted frame-reading detectors, boundary found within ${TOLERANCE_S} s; ` +
      `refine below ${DEFAULT_REFINE_BELOW}, audit share ${DEFAULT_AUDIT_SHARE} (seed ${AUDIT_SEED})`,
  );
  const clips: [string, VideoRecipe][] = [
    ['THREE_MIN', THREE_MIN],
    ['TEN_MIN', TEN_MIN],
  ];
  const results: ClipResult[] = [];
  for (const [name, recipe] of clips) {
    const r = await groundClip(name, recipe);
    printClip(r, recipe);
    results.push(r);
  }
  const sum = (f: (r: ClipResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const m = sum((r) => r.bounds.length);
  const foundBy = (r: ClipResult, segs: Found) => r.bounds.filter((b) => foundAt(b, segs) !== null);
  const foundA = sum((r) => foundBy(r, r.alone.segments).length);
  const foundT = sum((r) => foundBy(r, r.two.segments).length);
  const kept = results.every((r) => foundBy(r, r.alone.segments).every((b) => foundAt(b, r.two.segments) !== null));
  const [tokA, tokT] = [sum((r) => r.alone.tokens), sum((r) => r.two.tokens)];
  const [secA, secT] = [sum((r) => r.alone.seconds), sum((r) => r.two.seconds)];
  const [audited, foundInAudit] = [
    sum((r) => r.two.out.stages.audit.audited.length),
    sum((r) => r.two.out.stages.audit.found),
  ];
  console.log(
    `  total: boundaries ${foundA} of ${m} refining alone, ${foundT} of ${m} two stages; tokens ${tokA} / ${tokT}; ` +
      `wall ${secA.toFixed(1)} s / ${secT.toFixed(1)} s; audit found a moment in ${foundInAudit} of ${audited} windows`,
  );
  report(
    'hidden event boundaries found on the bench clips, refining alone / two stages',
    `${foundA} of ${m} / ${foundT} of ${m} (within ${TOLERANCE_S} s)`,
    'two stages find every boundary refining alone finds',
    kept,
  );
  report(
    'visual tokens sent to the refining detector, refining alone / two stages',
    `${ratio(tokA, tokT)} (${tokA} / ${tokT}); wall ${ratio(secA, secT)}`,
    '> 1x',
    tokA > tokT,
  );
}
