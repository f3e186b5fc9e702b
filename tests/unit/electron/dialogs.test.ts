import { describe, expect, it } from 'vitest';
import { openDialogOptions } from '../../../src-main/electron/dialogs.js';
import { VIDEO_EXTENSIONS } from '../../../src-shared/video-files.js';

describe('openDialogOptions', () => {
  it('offers every video extension a folder import takes, without the dot, then all files', () => {
    const filters = openDialogOptions('files').filters ?? [];
    expect(filters[0]?.name).toBe('Videos');
    expect(filters[0]?.extensions.map((e) => `.${e}`)).toEqual([...VIDEO_EXTENSIONS]);
    expect(filters[0]?.extensions).toContain('mp4');
    expect(filters[1]).toEqual({ name: 'All files', extensions: ['*'] });
    expect(openDialogOptions('folder').filters).toBeUndefined();
  });
});
