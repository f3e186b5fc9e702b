import { describe, expect, it } from 'vitest';
import { MODEL_PROFILES } from '../../../src-shared/api.js';
import { PROFILES } from '../../../src-main/engine/models/profiles/index.js';

// The contract copies this list (src-shared imports nothing from the engine); they must stay equal.
describe('the list the contract copies from the engine', () => {
  it('has the same answer profiles as the engine', () => {
    expect([...MODEL_PROFILES].sort()).toEqual(Object.keys(PROFILES).sort());
  });
});
