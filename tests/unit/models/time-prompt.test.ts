import { describe, expect, it } from 'vitest';
import { framesMessage, type PromptFrame } from '../../../src-main/engine/models/local/prompt.js';
import { FAMILIES } from '../../../src-main/engine/models/families.js';

const frame = (t: number): PromptFrame => ({ t, width: 2, height: 2, data: new Uint8Array(12) });
const groups = [[frame(12.5), frame(13)], [frame(20.25)]];

function texts(time: Parameters<typeof framesMessage>[2]): string[] {
  const m = framesMessage(groups, 'Q', time);
  return (m.content as { type: string; text?: string }[]).map((p) => (p.type === 'text' ? (p.text as string) : 'IMG'));
}

describe('framesMessage: each family is given time the way it was trained to read it', () => {
  it('Qwen2-VL: a label of each frame time before its image part', () => {
    expect(FAMILIES.qwen2_vl.time).toBe('labels');
    expect(texts('labels')).toEqual(['<12.5s,13.0s>', 'IMG', '<20.3s>', 'IMG', 'Q']);
  });

  it("Qwen3-VL: its own timestamp, the mean time of a temporal patch, '<t seconds>'", () => {
    expect(FAMILIES.qwen3_vl.time).toBe('seconds-labels');
    expect(texts('seconds-labels')).toEqual(['<12.8 seconds>', 'IMG', '<20.3 seconds>', 'IMG', 'Q']);
  });

  it('Qwen2.5-VL: no text between the frames, whose times go into the rotary positions', () => {
    expect(FAMILIES.qwen2_5_vl.time).toBe('rope-time');
    expect(texts('rope-time')).toEqual(['IMG', 'IMG', 'Q']);
  });
});
