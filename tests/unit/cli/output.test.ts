/** The CLI's progress line: its percentage and, once there is enough progress, the time left. */
import { describe, expect, it } from 'vitest';
import { makeOutput, progressText } from '../../../src-main/cli/output.js';

function sink(isTTY: boolean): { stream: { isTTY: boolean; write: (s: string) => boolean }; text: () => string } {
  let text = '';
  return {
    stream: {
      isTTY,
      write: (s: string) => {
        text += s;
        return true;
      },
    },
    text: () => text,
  };
}

describe('progressText', () => {
  it('adds the time left once it can be said', () => {
    expect(progressText('ground 1 (ground)', 0.25, 0, 10_000)).toBe('ground 1 (ground)  25%  about 30 s left');
    expect(progressText('scan 1 (scan)', 0.01, 0, 10_000)).toBe('scan 1 (scan)   1%');
  });
});

describe('makeOutput', () => {
  it("counts the time left from the job's start, else from when its label was first shown", () => {
    const err = sink(true);
    let now = 100_000;
    const out = makeOutput(false, sink(false).stream, err.stream, () => now);
    out.progress('import', 0);
    now += 20_000;
    out.progress('import', 0.5);
    expect(err.text()).toContain('\rimport  50%  about 20 s left');
    out.progress('ground 1 (ground)', 0.5, now - 60_000);
    expect(err.text()).toContain('\rground 1 (ground)  50%  about 1 min left');
  });

  it('writes no progress where stderr is not a terminal', () => {
    const err = sink(false);
    makeOutput(false, sink(false).stream, err.stream).progress('import', 0.5, 0);
    expect(err.text()).toBe('');
  });
});
