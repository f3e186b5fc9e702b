import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/api.js';
import {
  percentShare,
  refiningBackend,
  sharePercent,
  stageLabel,
  twoStageFields,
  twoStageLine,
} from '../../../src-renderer/src/lib/two-stage.js';

const fields = { candidate: 'small', refinePct: 60, auditPct: 5, model: 'big', serverUrl: '' };

describe('the two-stage fields of the Settings form', () => {
  it('take percentages from 0 to 100 as shares, and say so for anything else', () => {
    expect(percentShare(60, 'Refine below')).toEqual({ share: 0.6 });
    expect(percentShare('2.5', 'Audit share')).toEqual({ share: 0.025 });
    expect(percentShare(0, 'Audit share')).toEqual({ share: 0 });
    expect(percentShare(100, 'Audit share')).toEqual({ share: 1 });
    for (const bad of [150, -1, null, undefined, '', 'abc', Number.NaN])
      expect(percentShare(bad, 'Refine below')).toEqual({ message: 'Refine below is a percentage from 0 to 100.' });
  });

  it('give the values to save: the candidate model (none: one stage) and the shares', () => {
    expect(twoStageFields(fields)).toEqual({ candidateModel: 'small', refineBelow: 0.6, auditShare: 0.05 });
    expect(twoStageFields({ ...fields, candidate: '', model: '' })).toEqual({
      candidateModel: null,
      refineBelow: 0.6,
      auditShare: 0.05,
    });
    expect(twoStageFields({ ...fields, model: '', serverUrl: 'http://127.0.0.1:8765/v1' })).toMatchObject({
      candidateModel: 'small',
    });
  });

  it('say the first problem: a bad percentage, or two stages with no refining backend', () => {
    expect(twoStageFields({ ...fields, refinePct: 101 })).toEqual({
      message: 'Refine below is a percentage from 0 to 100.',
    });
    expect(twoStageFields({ ...fields, auditPct: -5 })).toEqual({
      message: 'Audit share is a percentage from 0 to 100.',
    });
    expect(twoStageFields({ ...fields, model: '', serverUrl: ' ' })).toEqual({
      message: expect.stringMatching(/^Two stages need a refining backend/) as unknown,
    });
  });
});

describe('what the Query view says of two stages', () => {
  it('says nothing for one stage', () => {
    expect(twoStageLine(null)).toBeNull();
    expect(twoStageLine(DEFAULT_SETTINGS)).toBeNull();
  });

  it('names the candidate model, the refining backend, the threshold and the audit share', () => {
    const local = { ...DEFAULT_SETTINGS, candidateModel: 'small', model: 'big' };
    expect(twoStageLine(local)).toBe(
      'Two stages: small then big on cpu, refine below 60%, audit 5% of refused windows',
    );
    const pool = {
      ...local,
      serverUrl: 'http://a:1/v1',
      poolUrls: ['http://b:1/v1', 'http://a:1/v1'],
      refineBelow: 0.35,
      auditShare: 0.025,
    };
    expect(twoStageLine(pool)).toBe(
      'Two stages: small then http://a:1/v1 and 1 more server, refine below 35%, audit 2.5% of refused windows',
    );
  });

  it('names the refining backend: the server and its pool, else the local model on its device', () => {
    const s = { ...DEFAULT_SETTINGS, model: null, device: 'webgpu' as const };
    expect(refiningBackend(s)).toBe('the installed model on webgpu');
    expect(refiningBackend({ ...s, serverUrl: 'http://a:1/v1' })).toBe('http://a:1/v1');
    expect(refiningBackend({ ...s, serverUrl: 'http://a:1/v1', poolUrls: ['http://b:1/v1', 'http://c:1/v1'] })).toBe(
      'http://a:1/v1 and 2 more servers',
    );
    expect(sharePercent(0.6)).toBe('60%');
    expect(sharePercent(0.125)).toBe('12.5%');
  });

  it('labels the stage of a result segment', () => {
    expect(stageLabel('candidate').label).toBe('candidate');
    expect(stageLabel('refined').label).toBe('refined');
    expect(stageLabel('audit')).toMatchObject({ label: 'audit', title: expect.stringContaining('audit') as unknown });
  });
});
