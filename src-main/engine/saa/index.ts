export { smartResize, qwenTokens, QWEN_FACTOR, type SmartResizeOptions, type Size } from './tokens.js';
export { ChangeScorer, type ActivityTrack, type ChangeScorerOptions, type GreyFrame } from './change-scorer.js';
export { detectChangePoints, activeStretches, type ActiveStretch, type ChangePointOptions } from './change-points.js';
export { planFrames, type FramePlan, type FramePlanInput, type FramePlanOptions } from './frame-plan.js';
export {
  analyseRecording,
  analysisHeight,
  ANALYSIS_FPS,
  ANALYSIS_WIDTH,
  type Analysis,
  type AnalyseOptions,
} from './analyse.js';
