import { describe, expect, it } from 'vitest';
import { MODEL_PROFILES, ModelDtype } from '../../../src-shared/api.js';
import { Dtype } from '../../../src-main/engine/models/manifest.js';
import { PROFILES } from '../../../src-main/engine/models/profiles/index.js';

// The contract copies these lists (src-shared imports nothing from the engine); they must stay equal.
describe('the lists the contract copies from the engine', () => {
  it('has the same dtypes as the manifest, in the same order', () => {
    expect(ModelDtype.options).toEqual(Dtype.options);
  });

  it('has the same answer profiles as the engine', () => {
    expect([...MODEL_PROFILES].sort()).toEqual(Object.keys(PROFILES).sort());
  });
});
