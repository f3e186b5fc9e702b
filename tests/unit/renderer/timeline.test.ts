import { describe, expect, it } from 'vitest';
import {
  clampView,
  drawOrder,
  followView,
  fullView,
  hitTest,
  MIN_SPAN_S,
  panView,
  resizeView,
  tickStep,
  timeToX,
  xToTime,
  zoomView,
} from '../../../src-renderer/src/lib/timeline.js';

describe('time <-> x', () => {
  it('maps the whole recording onto the width', () => {
    const view = fullView(100, 1000);
    expect(timeToX(view, 0)).toBe(0);
    expect(timeToX(view, 50)).toBe(500);
    expect(timeToX(view, 100)).toBe(1000);
    expect(xToTime(view, 250)).toBe(25);
  });

  it('clamps times under the pointer to the recording', () => {
    const view = fullView(100, 1000);
    expect(xToTime(view, -20)).toBe(0);
    expect(xToTime(view, 1200)).toBe(100);
  });

  it('round-trips through a zoomed view', () => {
    const view = zoomView(fullView(600, 800), 8, 300);
    for (const t of [view.startS, view.startS + 1.5, view.startS + view.spanS]) {
      expect(xToTime(view, timeToX(view, t))).toBeCloseTo(t, 9);
    }
  });
});

describe('zoom and pan', () => {
  it('zooms in around the anchor, keeping it at the same pixel', () => {
    const view = fullView(100, 1000);
    const zoomed = zoomView(view, 2, 30);
    expect(zoomed.spanS).toBe(50);
    expect(timeToX(zoomed, 30)).toBeCloseTo(timeToX(view, 30));
  });

  it('never zooms past the minimum span or out past the whole recording', () => {
    let view = fullView(100, 1000);
    for (let i = 0; i < 20; i++) view = zoomView(view, 2, 40);
    expect(view.spanS).toBe(MIN_SPAN_S);
    expect(view.startS).toBeLessThanOrEqual(40);
    expect(view.startS + view.spanS).toBeGreaterThanOrEqual(40);
    for (let i = 0; i < 20; i++) view = zoomView(view, 0.5, 40);
    expect(view).toMatchObject({ startS: 0, spanS: 100 });
  });

  it('keeps the view inside the recording near its ends', () => {
    const view = zoomView(fullView(100, 1000), 4, 100);
    expect(view.startS + view.spanS).toBeCloseTo(100);
    expect(panView(view, 500).startS).toBeCloseTo(75);
    expect(panView(view, -500).startS).toBe(0);
  });

  it('pages to a playhead that left the view, and leaves a visible one alone', () => {
    const view = zoomView(fullView(100, 1000), 10, 5);
    expect(followView(view, view.startS + 1)).toBe(view);
    const paged = followView(view, 50);
    expect(paged.startS).toBeCloseTo(50 - paged.spanS * 0.1);
    expect(paged.spanS).toBe(view.spanS);
  });

  it('resizes keeping the stretch, and shows a new recording whole', () => {
    const zoomed = zoomView(fullView(100, 1000), 4, 50);
    expect(resizeView(zoomed, 100, 500)).toMatchObject({ startS: zoomed.startS, spanS: zoomed.spanS, widthPx: 500 });
    expect(resizeView(fullView(100, 1000), 300, 1000)).toMatchObject({ startS: 0, spanS: 300 });
  });

  it('handles an empty recording without dividing by zero', () => {
    const view = clampView(fullView(0, 0));
    expect(Number.isFinite(timeToX(view, 0))).toBe(true);
    expect(xToTime(view, 10)).toBe(0);
  });
});

describe('hitTest', () => {
  const view = fullView(100, 1000);
  const segments = [
    { id: 1, startS: 10, endS: 20 },
    { id: 2, startS: 15, endS: 17 },
    { id: 3, startS: 50, endS: 50.01 },
  ];

  it('finds the segment under the pointer', () => {
    expect(hitTest(segments, view, 110)?.id).toBe(1);
    expect(hitTest(segments, view, 400)).toBeNull();
  });

  it('prefers the shortest of overlapping segments (drawn on top)', () => {
    expect(hitTest(segments, view, 160)?.id).toBe(2);
  });

  it('widens very short segments so they can be clicked', () => {
    expect(hitTest(segments, view, 502)?.id).toBe(3);
    expect(hitTest(segments, view, 505)).toBeNull();
  });

  it('finds the segment under the pointer among 10,000', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, startS: i * 0.01, endS: i * 0.01 + 0.005 }));
    const wide = { ...view, durationS: 100, spanS: 1, startS: 50, widthPx: 1000 };
    // 50.30 s sits inside segment 5031 (50.300..50.305 s), at x = 300.
    expect(hitTest(many, wide, 301)?.id).toBe(5031);
  });
});

describe('drawOrder and tickStep', () => {
  it('draws longest first so short segments stay on top', () => {
    const order = drawOrder([
      { id: 1, startS: 0, endS: 1 },
      { id: 2, startS: 0, endS: 10 },
    ]);
    expect(order.map((s) => s.id)).toEqual([2, 1]);
  });

  it('spaces ruler ticks at least the asked pixels apart', () => {
    const view = fullView(3600, 1000);
    const step = tickStep(view, 70);
    expect((step / view.spanS) * view.widthPx).toBeGreaterThanOrEqual(70);
    expect(tickStep(zoomView(view, 1000, 0), 70)).toBeLessThan(step);
  });
});
