/**
 * The Content-Security-Policy of the app, one definition for both places it is shown in: the
 * Electron window (a meta tag and a response header) and web mode (a header on every answer).
 * Its own scripts, styles, media and API only; nothing remote, no inline script.
 */

export interface AppCspOptions {
  /**
   * A scheme library media also comes from, without the colon: the Electron window's
   * `tempo-media`. Web mode serves media under /media/ on its own origin, which 'self' covers.
   */
  mediaScheme?: string;
  /** Forbid being framed by anyone (`frame-ancestors 'none'`): a header only, a meta tag cannot carry it. */
  forbidFraming?: boolean;
  /** Sources added to a directive, by its name (the dev server's relaxations). */
  additions?: Readonly<Record<string, string>>;
}

/** The policy, its directives joined by `; ` in a fixed order (a test compares it with index.html). */
export function appCsp(options: AppCspOptions = {}): string {
  const media = options.mediaScheme ? ` ${options.mediaScheme}:` : '';
  const directives: [string, string][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', `'self' data: blob:${media}`],
    ['media-src', `'self' blob:${media}`],
    ['font-src', "'self'"],
    ['connect-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-src', "'none'"],
  ];
  if (options.forbidFraming) directives.push(['frame-ancestors', "'none'"]);
  return directives
    .map(([name, sources]) => {
      const added = options.additions?.[name];
      return `${name} ${sources}${added ? ` ${added}` : ''}`;
    })
    .join('; ');
}
