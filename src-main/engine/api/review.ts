import type { CallInput, CallOutput, Segment } from '../../../src-shared/api.js';
import type { Engine } from '../engine.js';
import { NotFoundError, UsageError } from '../errors.js';

function segmentOf(engine: Engine, id: number): Segment {
  const s = engine.segments.get(id);
  if (!s) throw new NotFoundError(`no segment ${id}`);
  return s;
}

/** Bounds inside the recording, end after start. */
function checkBounds(engine: Engine, recordingId: number, startS: number, endS: number): void {
  const rec = engine.recordings.get(recordingId);
  if (!rec) throw new NotFoundError(`no recording with id ${recordingId}`);
  if (!(endS > startS))
    throw new UsageError(`the end (${endS.toFixed(2)} s) must come after the start (${startS.toFixed(2)} s)`);
  if (endS > rec.durationS + 0.05)
    throw new UsageError(`the end (${endS.toFixed(2)} s) is past the recording's end (${rec.durationS.toFixed(2)} s)`);
}

function changed(engine: Engine, segment: Segment): { segment: Segment } {
  engine.events.emit('event', { kind: 'segment-updated', segment });
  return { segment };
}

export function reviewQueue(engine: Engine, { queryId }: CallInput<'review.queue'>): CallOutput<'review.queue'> {
  if (!engine.runs.query(queryId)) throw new NotFoundError(`no query ${queryId}`);
  return { segments: engine.segments.reviewQueue(queryId, engine.settings.get().reviewThreshold) };
}

export function accept(
  engine: Engine,
  { segmentId, clientId }: CallInput<'review.accept'>,
): CallOutput<'review.accept'> {
  segmentOf(engine, segmentId);
  return changed(engine, engine.segments.verdict(segmentId, { kind: 'accept' }, clientId));
}

export function reject(engine: Engine, input: CallInput<'review.reject'>): CallOutput<'review.reject'> {
  segmentOf(engine, input.segmentId);
  return changed(
    engine,
    engine.segments.verdict(input.segmentId, { kind: 'reject', reason: input.reason }, input.clientId),
  );
}

export function adjust(engine: Engine, input: CallInput<'review.adjust'>): CallOutput<'review.adjust'> {
  const seg = segmentOf(engine, input.segmentId);
  checkBounds(engine, seg.recordingId, input.startS, input.endS);
  return changed(
    engine,
    engine.segments.verdict(
      input.segmentId,
      { kind: 'adjust', startS: input.startS, endS: input.endS },
      input.clientId,
    ),
  );
}

export function addSegment(engine: Engine, input: CallInput<'review.add'>): CallOutput<'review.add'> {
  if (!engine.runs.query(input.queryId)) throw new NotFoundError(`no query ${input.queryId}`);
  checkBounds(engine, input.recordingId, input.startS, input.endS);
  return changed(
    engine,
    engine.segments.add(input.queryId, input.recordingId, input.startS, input.endS, input.clientId),
  );
}

/** Takes back the caller's own last verdict (review.undo's clientId), never another client's. */
export function undo(engine: Engine, { clientId }: CallInput<'review.undo'>): CallOutput<'review.undo'> {
  const out = engine.segments.undo(clientId);
  if (out.segment) engine.events.emit('event', { kind: 'segment-updated', segment: out.segment });
  if (out.removed) engine.events.emit('event', { kind: 'segment-removed', segmentId: out.removed });
  return out;
}
