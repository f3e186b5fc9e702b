import { qwen2VlProfile } from './qwen2-vl.js';
import { qwen3VlProfile } from './qwen3-vl.js';
import { timeLensProfile } from './timelens.js';
import { timeR1Profile } from './time-r1.js';
import type { AnswerProfile } from './types.js';

export type { AnswerProfile } from './types.js';

/** Every answer profile by name. A new profile is one file and one line here. */
export const PROFILES: Readonly<Record<string, AnswerProfile>> = {
  [qwen2VlProfile.name]: qwen2VlProfile,
  [timeR1Profile.name]: timeR1Profile,
  [timeLensProfile.name]: timeLensProfile,
  [qwen3VlProfile.name]: qwen3VlProfile,
};

export function getProfile(name: string): AnswerProfile | undefined {
  return PROFILES[name];
}
