import type { ExportFormat } from '../../store/exports.js';
import type { TrainingRecord } from './records.js';

/** A format's file, and the verdicts whose samples it holds. */
export interface Formatted {
  text: string;
  verdictIds: number[];
  /** Lines (records) in the file. */
  records: number;
}

/** The video id written to charades and qvhighlights files: `rec<recording id>` (grpo records carry the path). */
function videoId(recordingId: number): string {
  return `rec${recordingId}`;
}

const seconds = (s: number) => Number(s.toFixed(3));
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const lines = (ls: string[]) => ls.map((l) => `${l}\n`).join('');

/** grpo: JSONL, one TrainingRecord per line. */
function grpo(records: readonly TrainingRecord[]): Formatted {
  return {
    text: lines(records.map((r) => JSON.stringify(r))),
    verdictIds: records.map((r) => r.verdictId),
    records: records.length,
  };
}

/** charades: `VIDEOID start end##sentence`, one line per span sample; refusal samples have no line. */
function charades(records: readonly TrainingRecord[]): Formatted {
  const spans = records.filter((r) => r.answer !== null);
  return {
    text: lines(
      spans.map((r) => {
        const a = r.answer as NonNullable<TrainingRecord['answer']>;
        return `${videoId(r.recordingId)} ${a.startS.toFixed(2)} ${a.endS.toFixed(2)}##${oneLine(r.query)}`;
      }),
    ),
    verdictIds: spans.map((r) => r.verdictId),
    records: spans.length,
  };
}

/**
 * qvhighlights: JSONL, one line per (query, recording) of the export, `qid` the first verdict id of
 * the pair: `relevant_windows` holds its span samples, sorted; a pair with only refusal samples has
 * none (the query does not happen there). `video` (the file) is ours; readers ignore it.
 */
function qvhighlights(records: readonly TrainingRecord[]): Formatted {
  const groups = new Map<string, TrainingRecord[]>();
  for (const r of records) {
    const key = `${r.query}\n${r.recordingId}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const docs = [...groups.values()].map((g) => {
    const first = g[0] as TrainingRecord;
    const windows = g
      .flatMap((r) => (r.answer ? [[seconds(r.answer.startS), seconds(r.answer.endS)] as [number, number]] : []))
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return JSON.stringify({
      qid: first.verdictId,
      query: oneLine(first.query),
      vid: videoId(first.recordingId),
      duration: seconds(first.durationS),
      relevant_windows: windows,
      video: first.video,
    });
  });
  return { text: lines(docs), verdictIds: records.map((r) => r.verdictId), records: docs.length };
}

export const FORMATS: Record<ExportFormat, (records: readonly TrainingRecord[]) => Formatted> = {
  grpo,
  charades,
  qvhighlights,
};
