/** The quality of models on the library's reviewed set: scores, reliability, calibration, history. */
import { z } from 'zod';

const Seconds = z.number().finite().nonnegative();
export const Count = z.number().int().nonnegative();
/** A share in [0,1]; null where there is nothing to divide by. */
const Share = z.number().min(0).max(1).nullable();
export const ModelName = z.string().min(1).max(200);

/** How one model does on the library's reviewed set (docs/training-data.md, "Comparing models"). */
export const QualityScore = z.object({
  model: z.string(),
  /** Reviewed (query, recording) pairs the model has a run on; `present` hold a moment, `absent` none. */
  n: Count,
  present: Count,
  absent: Count,
  r1At05: Share,
  mIoU: Share,
  refusal: z.object({ refused: Count, precision: Share, recall: Share }),
  /** Expected calibration error of the confidences the operator saw, over `segments` segments. */
  ece: z.number().nonnegative().nullable(),
  segments: Count,
  /** Share of the footage inside the model's segments, at `recall` of the reviewed moments. */
  reviewLoad: z.object({
    queries: Count,
    recordings: Count,
    footageS: Seconds,
    watchedS: Seconds,
    share: Share,
    recall: Share,
    moments: Count,
  }),
  /**
   * Two-stage runs only: of the windows the candidate model refused that the refining backend
   * audited, those where it found a moment (`share`: how often the first stage misses one).
   * Absent when the model has no two-stage run on the reviewed set.
   */
  audit: z.object({ runs: Count, audited: Count, found: Count, share: Share }).optional(),
});
export type QualityScore = z.infer<typeof QualityScore>;

export const ReliabilityBin = z.object({
  from: z.number().min(0).max(1),
  to: z.number().min(0).max(1),
  n: Count,
  /** Mean confidence of the bin's segments, and the share of them that were right. */
  confidence: z.number().min(0).max(1),
  accuracy: z.number().min(0).max(1),
});

/** Reliability over 10 equal-width confidence bins (non-empty bins only) and its ECE. */
export const Reliability = z.object({
  n: Count,
  ece: z.number().nonnegative().nullable(),
  bins: z.array(ReliabilityBin),
});
export type Reliability = z.infer<typeof Reliability>;

/**
 * A model's labelled segments and calibration: reliability of its own confidences (`before`),
 * cross-validated after isotonic calibration (`after`; null below `minimum` labelled segments,
 * where the model keeps its own confidence), and the calibrator stored now (null: never fitted).
 */
export const QualityReliability = z.object({
  model: z.string(),
  minimum: Count,
  before: Reliability,
  after: Reliability.nullable(),
  calibrator: z
    .object({ method: z.enum(['isotonic', 'identity']), n: Count, positives: Count, fittedAt: z.string() })
    .nullable(),
});
export type QualityReliability = z.infer<typeof QualityReliability>;

/** The reviewed set as it stood at the end of one week (UTC, from Monday), scored. */
export const QualityPoint = z.object({
  from: z.string(),
  until: z.string(),
  /** Standing verdicts given before `until`, and the known pairs they make. */
  verdicts: Count,
  pairs: Count,
  score: QualityScore,
});
export type QualityPoint = z.infer<typeof QualityPoint>;

/** Every call: name -> input and output schemas. */
