import { describe, expect, it } from 'vitest';
import { fullView, zoomView } from '../../../src-renderer/src/lib/timeline.js';
import {
  activityColumns,
  drawSegments,
  drawStill,
  STATE_COLOURS,
  type TimelineSegment,
} from '../../../src-renderer/src/lib/timeline-draw.js';

/** A 2D context that records what is drawn. */
function fakeContext(): { ctx: CanvasRenderingContext2D; rects: { fill: string; x: number; w: number }[] } {
  const rects: { fill: string; x: number; w: number }[] = [];
  const ctx = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    font: '',
    textBaseline: '',
    clearRect() {},
    fillText() {},
    strokeRect() {},
    fillRect(x: number, _y: number, w: number) {
      rects.push({ fill: String(ctx.fillStyle), x, w });
    },
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, rects };
}

const states = ['pending', 'accepted', 'rejected', 'adjusted'] as const;

function segments(n: number, durationS: number): TimelineSegment[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    startS: (i / n) * durationS,
    endS: (i / n) * durationS + 0.2,
    state: states[i % 4] ?? 'pending',
  }));
}

describe('drawSegments', () => {
  it('colours each segment by its state', () => {
    const { ctx, rects } = fakeContext();
    drawSegments(ctx, fullView(10, 100), segments(4, 8), null);
    const colours = rects.slice(1).map((r) => r.fill);
    expect(new Set(colours)).toEqual(new Set(Object.values(STATE_COLOURS)));
  });

  it('skips segments outside a zoomed view', () => {
    const { ctx } = fakeContext();
    const view = zoomView(fullView(1000, 1000), 100, 0);
    expect(drawSegments(ctx, view, segments(1000, 1000), null)).toBeLessThan(20);
  });

  it('draws every one of 10,000 segments in view (its speed is measured in npm run bench)', () => {
    const { ctx } = fakeContext();
    const many = segments(10_000, 3600);
    expect(drawSegments(ctx, fullView(3600, 1600), many, 5)).toBe(10_000);
  });
});

describe('drawStill', () => {
  it('draws ruler, strips, segments and marks without throwing on empty data', () => {
    const { ctx, rects } = fakeContext();
    drawStill(ctx, fullView(0, 300), {
      segments: [],
      relevance: [],
      activity: [],
      activityStepS: 1,
      selectedId: null,
      markIn: null,
      markOut: null,
    });
    expect(rects.length).toBeGreaterThan(0);
  });
});

describe('activityColumns', () => {
  it('keeps the peak of the steps under each pixel', () => {
    const activity = [0, 0.2, 0.9, 0.1, 0, 0, 0.5, 0];
    const columns = activityColumns(fullView(8, 4), activity, 1);
    expect(Array.from(columns)).toEqual([expect.closeTo(0.2), expect.closeTo(0.9), 0, expect.closeTo(0.5)]);
  });

  it('spreads a step over the pixels it covers when zoomed in', () => {
    const columns = activityColumns(fullView(2, 8), [0.4, 1], 1);
    expect(Array.from(columns.slice(0, 4)).every((v) => Math.abs(v - 0.4) < 1e-6)).toBe(true);
    expect(Array.from(columns.slice(4)).every((v) => v === 1)).toBe(true);
  });

  it('is empty without activity', () => {
    expect(Array.from(activityColumns(fullView(10, 3), [], 0.5))).toEqual([0, 0, 0]);
  });
});
