/**
 * A ground or query job's run in one stage (the pipeline on its target) or in two (a local
 * candidate model first, the target refining: grounding/two-stage.ts), and what a two-stage
 * run adds to the stored run: the per-stage record and each segment's stage.
 */
import { groundRecording, type GroundInput, type GroundOutput } from '../grounding/pipeline.js';
import { groundTwoStage, type SegmentStage, type StageBackend, type TwoStageOutput } from '../grounding/two-stage.js';
import { getProfile, type AnswerProfile } from '../models/profiles/index.js';
import { resolveTarget, type Resolved, type TargetDeps, type TwoStagePlan } from './ground-target.js';

/** A two-stage run's candidate model, resolved, and its plan. */
export interface Candidate {
  r: Resolved;
  plan: TwoStagePlan;
}

/** A run's output; a two-stage run's also says which stage each segment came from and what each stage did. */
export type StagedOutput = Omit<GroundOutput, 'segments'> & {
  segments: (GroundOutput['segments'][number] & { stage?: SegmentStage })[];
  stages?: TwoStageOutput['stages'];
  stageWindows?: TwoStageOutput['stageWindows'];
};

/** Loads the candidate model of a two-stage plan (once per process, as any local target); none without a plan. */
export async function resolveCandidate(
  deps: TargetDeps,
  plan: TwoStagePlan | undefined,
): Promise<Candidate | undefined> {
  return plan ? { r: await resolveTarget(deps, plan.candidates), plan } : undefined;
}

function profileOf(r: Resolved): AnswerProfile {
  const profile = getProfile(r.profileName);
  if (!profile) throw new Error(`unknown answer profile ${r.profileName}`);
  return profile;
}

function stageOf(r: Resolved, samples: number): StageBackend {
  return { backend: r.backend, profile: profileOf(r), contextTokens: r.contextTokens, samples };
}

/** Grounds a recording on the target, in two stages when a candidate is given; the profile is the target's. */
export async function groundWith(
  a: Omit<GroundInput, 'backend' | 'profile' | 'contextTokens' | 'samples'> & {
    target: Resolved;
    samples: number;
    candidate?: Candidate;
  },
): Promise<{ out: StagedOutput; profile: AnswerProfile }> {
  const { target, samples, candidate, ...input } = a;
  const refine = stageOf(target, samples);
  if (!candidate) return { out: await groundRecording({ ...input, ...refine }), profile: refine.profile };
  const out = await groundTwoStage({
    ...input,
    candidate: stageOf(candidate.r, candidate.plan.candidateSamples),
    refine,
    refineBelow: candidate.plan.refineBelow,
    auditShare: candidate.plan.auditShare,
    auditSeed: candidate.plan.auditSeed,
  });
  return { out, profile: refine.profile };
}

/**
 * What a two-stage run adds to its stored settings: `stages` (per stage: model, windows asked,
 * visual tokens sent, time, segments given; the audit's seed, windows drawn and the share where
 * the refining backend found a moment; the second stage's windows) and `segmentStages`, the
 * stage of each stored segment in rank order. Nothing for a one-stage run.
 */
export function stagesSettings(out: StagedOutput): Record<string, unknown> {
  if (!out.stages) return {};
  const windows = out.stageWindows ?? { refine: [], audit: [] };
  return {
    stages: {
      candidate: out.stages.candidate,
      refine: { ...out.stages.refine, windowPlan: windows.refine },
      audit: { ...out.stages.audit, windowPlan: windows.audit },
    },
    segmentStages: out.segments.map((s) => s.stage ?? 'refined'),
  };
}

/** The model whose confidence a segment carries: the candidate's for a segment kept from the first stage. */
export function segmentModel(stage: SegmentStage | undefined, target: Resolved, candidate?: Candidate): string {
  return stage === 'candidate' && candidate ? candidate.r.modelName : target.modelName;
}
