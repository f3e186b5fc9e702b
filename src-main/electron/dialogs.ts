/**
 * The native open dialog behind `window.tempo.pickPaths`: video files, or folders to import
 * recursively. Linux and Windows cannot offer files and folders in one dialog, hence two kinds.
 */
import type { OpenDialogOptions } from 'electron';
import { VIDEO_EXTENSIONS } from '../../src-shared/video-files.js';
import type { PickKind } from '../../src-shared/bridge.js';

/** Extensions the files dialog offers first, as Electron's filter takes them (no dot); 'All files' stays available. */
const DIALOG_EXTENSIONS = VIDEO_EXTENSIONS.map((ext) => ext.replace(/^\./, ''));

/** Options of the dialog for `kind`: several items, files filtered to videos. */
export function openDialogOptions(kind: PickKind): OpenDialogOptions {
  if (kind === 'folder') {
    return { title: 'Import folders', buttonLabel: 'Import', properties: ['openDirectory', 'multiSelections'] };
  }
  return {
    title: 'Import video files',
    buttonLabel: 'Import',
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'Videos', extensions: DIALOG_EXTENSIONS },
      { name: 'All files', extensions: ['*'] },
    ],
  };
}

/** What the picker needs of Electron's `dialog.showOpenDialog` (bound to the window). */
export type ShowOpenDialog = (options: OpenDialogOptions) => Promise<{ canceled: boolean; filePaths: string[] }>;

/** A picker over `showOpenDialog`: the chosen paths, none when the operator cancels. */
export function pathPicker(showOpenDialog: ShowOpenDialog): (kind: PickKind) => Promise<string[]> {
  return async (kind) => {
    const { canceled, filePaths } = await showOpenDialog(openDialogOptions(kind));
    return canceled ? [] : filePaths;
  };
}
