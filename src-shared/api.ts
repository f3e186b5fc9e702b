/**
 * The contract between the renderer and the engine: every call with the zod schemas of its
 * input and output, and every event. Electron's IPC bridge and web mode's HTTP server both
 * validate with these schemas and call the same engine handlers.
 */
import { z } from 'zod';
import { Estimate, EstimateInput } from './estimate.js';
import { Job } from './jobs.js';
import { Count, ModelName, QualityPoint, QualityReliability, QualityScore } from './quality.js';
import { Recording } from './recordings.js';
import { Settings } from './settings.js';

export { DEFAULT_SETTINGS, Settings } from './settings.js';

const Id = z.number().int().positive();
/** One window or browser page of the workstation, named by itself once per load: whose verdicts Undo takes back. */
export const ClientId = z.string().regex(/^[\w-]{8,64}$/, '8 to 64 letters, digits, _ or -');
const Seconds = z.number().finite().nonnegative();

export const SegmentState = z.enum(['pending', 'accepted', 'rejected', 'adjusted']);
export type SegmentState = z.infer<typeof SegmentState>;

/** What an operator's verdict on a segment did. */
export const VerdictKind = z.enum(['accept', 'reject', 'adjust', 'add']);
export type VerdictKind = z.infer<typeof VerdictKind>;

export const RejectReason = z.enum(['not-present', 'wrong-time', 'partly']);
export type RejectReason = z.infer<typeof RejectReason>;

/** The stage of a two-stage run a segment came from (grounding/two-stage.ts). */
export const SegmentStage = z.enum(['candidate', 'refined', 'audit']);
export type SegmentStage = z.infer<typeof SegmentStage>;

/** A segment as the operator sees it: a model's answer or one the operator added. */
export const Segment = z.object({
  id: Id,
  queryId: Id,
  recordingId: Id,
  runId: Id.nullable(),
  startS: Seconds,
  endS: Seconds,
  /** Null for a segment the operator added. */
  confidence: z.number().min(0).max(1).nullable(),
  rank: z.number().int().nullable(),
  source: z.enum(['model', 'operator']),
  state: SegmentState,
  /** Reason of the last standing rejection. */
  reason: RejectReason.nullable(),
  /**
   * Which stage of a two-stage run gave the segment: kept from the candidate model, refined,
   * or found by the audit of windows the candidate model refused. Absent for a one-stage run's
   * segment, an operator's, and outside `query.results`.
   */
  stage: SegmentStage.optional(),
});
export type Segment = z.infer<typeof Segment>;

export const Query = z.object({ id: Id, text: z.string(), createdAt: z.string() });
export type Query = z.infer<typeof Query>;

/** How one recording fared under a query: its job, and where the model looked and what it said. */
export const QueryRun = z.object({
  recordingId: Id,
  jobId: Id.nullable(),
  state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  progress: z.number().min(0).max(1),
  error: z.string().nullable(),
  runId: Id.nullable(),
  model: z.string().nullable(),
  device: z.string().nullable(),
  refused: z.boolean().nullable(),
  /** Windows the model saw, with its relevance for each: 0 when it refused, else the best confidence it gave there. */
  relevance: z.array(z.object({ startS: Seconds, endS: Seconds, score: z.number().min(0).max(1) })),
});
export type QueryRun = z.infer<typeof QueryRun>;

/** Every dtype a transformers.js model folder can hold graphs in (its file suffixes); the engine's `Dtype` is this list. */
export const ModelDtype = z.enum([
  'fp32',
  'fp16',
  'q8',
  'int8',
  'uint8',
  'q4',
  'q4f16',
  'bnb4',
  'q2',
  'q2f16',
  'q1',
  'q1f16',
]);
export type ModelDtype = z.infer<typeof ModelDtype>;

/** The answer profiles the engine knows (its PROFILES); a unit test keeps them equal. */
export const MODEL_PROFILES = ['qwen2-vl', 'time-r1', 'timelens', 'qwen3-vl'] as const;

export const ModelInfo = z.object({
  name: z.string().nullable(),
  dir: z.string(),
  family: z.string().nullable(),
  profile: z.string().nullable(),
  complete: z.boolean(),
  problems: z.array(z.string()),
});

export const RecordingDetail = z.object({
  recording: Recording,
  /** URL path the player loads (the file itself, or its playable preview). */
  mediaPath: z.string(),
  /** False while a playable preview is being made (see previewJob). */
  playable: z.boolean(),
  previewJob: Job.nullable(),
  /** SAA activity, one value in [0,1] per step of `activityStepS`, for the activity strip. */
  activity: z.array(z.number().min(0).max(1)),
  activityStepS: z.number().positive(),
  changePoints: z.array(Seconds),
});
export type RecordingDetail = z.infer<typeof RecordingDetail>;

const Empty = z.object({});

export const calls = {
  'library.list': { input: Empty, output: z.object({ recordings: z.array(Recording) }) },
  /**
   * Imports paths on the machine that runs the engine (files or folders, recursive) as an
   * 'import' job: progress per file, cancellable (files imported before the cancel stay); the
   * job's `result` is an ImportResult once it is done.
   */
  'library.import': {
    input: z.object({ paths: z.array(z.string().min(1)).min(1).max(10_000) }),
    output: z.object({ job: Job }),
  },
  'library.scan': {
    input: z.object({ recordingId: Id, force: z.boolean().optional() }),
    output: z.object({ job: Job }),
  },
  /**
   * Reads recordings' files again where they changed since import (replaced, or still being
   * written then): duration, frame rate, size and poster anew, old scans and preview dropped.
   * None listed: the whole library.
   */
  'library.refresh': {
    input: z.object({ recordingIds: z.array(Id).max(10_000).optional() }),
    output: z.object({
      recordings: z.array(
        z.object({
          recordingId: Id,
          path: z.string(),
          state: z.enum(['unchanged', 'changed', 'missing', 'unreadable']),
          changes: z.array(z.string()),
          error: z.string().nullable(),
        }),
      ),
    }),
  },
  'recording.detail': { input: z.object({ recordingId: Id }), output: RecordingDetail },
  'jobs.list': { input: Empty, output: z.object({ jobs: z.array(Job) }) },
  'jobs.cancel': { input: z.object({ jobId: Id }), output: z.object({ job: Job }) },
  /** Starts a query over some recordings (none listed: the whole library); results arrive as jobs end. */
  'query.run': {
    input: z.object({ text: z.string(), recordingIds: z.array(Id).max(10_000) }),
    output: z.object({ query: Query }),
  },
  /** How long `query.run` over these recordings would take here, from costs measured by earlier runs; runs nothing. */
  'query.estimate': { input: EstimateInput, output: Estimate },
  'query.list': { input: Empty, output: z.object({ queries: z.array(Query) }) },
  /** A query's segments ranked across recordings, and each recording's run. */
  'query.results': {
    input: z.object({ queryId: Id }),
    output: z.object({ query: Query, segments: z.array(Segment), runs: z.array(QueryRun) }),
  },
  /**
   * Segments to review, in the one queue order (store/segments.ts reviewQueue): under the
   * threshold first, lowest confidence first; then the rest, most confident first.
   */
  'review.queue': { input: z.object({ queryId: Id }), output: z.object({ segments: z.array(Segment) }) },
  'review.accept': {
    input: z.object({ segmentId: Id, clientId: ClientId.optional() }),
    output: z.object({ segment: Segment }),
  },
  'review.reject': {
    input: z.object({ segmentId: Id, reason: RejectReason, clientId: ClientId.optional() }),
    output: z.object({ segment: Segment }),
  },
  'review.adjust': {
    input: z.object({ segmentId: Id, startS: Seconds, endS: Seconds, clientId: ClientId.optional() }),
    output: z.object({ segment: Segment }),
  },
  /** A moment the model missed. */
  'review.add': {
    input: z.object({ queryId: Id, recordingId: Id, startS: Seconds, endS: Seconds, clientId: ClientId.optional() }),
    output: z.object({ segment: Segment }),
  },
  /**
   * Takes back the caller's own latest standing verdict (never another client's); the segment
   * as it is now, or null when that client has nothing left to undo.
   */
  'review.undo': {
    input: z.object({ clientId: ClientId }),
    output: z.object({ segment: Segment.nullable(), removed: Id.nullable() }),
  },
  'models.list': {
    input: Empty,
    output: z.object({ models: z.array(ModelInfo), devices: z.array(z.string()) }),
  },
  /**
   * Installs a model folder on the engine's machine (a transformers.js ONNX export, or a folder
   * with a tempo-model.json) into the data folder's models/, in the background: the job's
   * progress is the share of bytes copied; it fails with a one-line reason. Unset dtype: the
   * folder's manifest or the device's rule; unset profile: the manifest's or the family's.
   */
  'models.install': {
    input: z.object({
      dir: z.string().min(1).max(4096),
      name: z.string().min(1).max(200).optional(),
      dtype: ModelDtype.optional(),
      profile: z.string().min(1).max(100).optional(),
    }),
    output: z.object({ job: Job }),
  },
  'settings.get': { input: Empty, output: z.object({ settings: Settings, dataFolder: z.string() }) },
  /**
   * A new model server URL (the server's, or one of its pool's) must be http(s) and needs
   * `confirmUrlChange: true` (the operator confirmed it in the settings form): queries send
   * those servers every frame they look at. `serverToken` is kept in memory for the model
   * server URLs it is saved with (the server and its pool), and sent only there.
   */
  'settings.set': {
    input: Settings.partial().extend({
      serverUrl: z
        .string()
        .url()
        .refine((u) => /^https?:\/\//i.test(u), 'the model server URL must be an http:// or https:// address')
        .nullable()
        .optional(),
      poolUrls: z
        .array(
          z
            .string()
            .url()
            .refine((u) => /^https?:\/\//i.test(u), 'a pool URL must be an http:// or https:// address'),
        )
        .max(63)
        .optional(),
      serverToken: z.string().max(4096).optional(),
      confirmUrlChange: z.boolean().optional(),
    }),
    output: z.object({ settings: Settings, dataFolder: z.string() }),
  },
  /**
   * Models scored on the reviewed set (none named: every model with runs or installed);
   * `pairs` reviewed pairs with a known truth, `unknown` with only wrong-time/partly rejections.
   */
  'quality.compare': {
    input: z.object({ models: z.array(ModelName).max(100).optional() }),
    output: z.object({
      pairs: Count,
      unknown: Count,
      models: z.array(QualityScore.extend({ installed: z.boolean() })),
    }),
  },
  /** A model's scores week by week, on the reviewed set as it stood at the end of each week (cumulative). */
  'quality.history': { input: z.object({ model: ModelName }), output: z.object({ points: z.array(QualityPoint) }) },
  'quality.reliability': { input: z.object({ model: ModelName }), output: QualityReliability },
  /** Refits a model's calibrator on its reviewed segments (what `tempo calibrate` does). */
  'quality.calibrate': { input: z.object({ model: ModelName }), output: QualityReliability },
  /** Runs an installed model on the reviewed queries it has not answered (in the background), so it can be compared. */
  'quality.run': { input: z.object({ model: ModelName }), output: z.object({ jobs: z.array(Job) }) },
} as const;

export type CallName = keyof typeof calls;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = z.infer<(typeof calls)[K]['output']>;

/**
 * Pushed to the renderer: a job changed, a segment changed or went (an undone add), the library
 * changed, the installed models changed (an install finished).
 */
export const EngineEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('job-updated'), job: Job }),
  z.object({ kind: z.literal('segment-updated'), segment: Segment }),
  z.object({ kind: z.literal('segment-removed'), segmentId: Id }),
  z.object({ kind: z.literal('library-changed') }),
  z.object({ kind: z.literal('models-changed') }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;

/** The error every transport returns: a message for the operator, and whether the caller got it wrong. */
export const CallError = z.object({ error: z.string(), usage: z.boolean() });
export type CallError = z.infer<typeof CallError>;
