import type { EventEmitter } from 'node:events';
import type { EngineEvent } from '../../../src-shared/api.js';

/**
 * What the windows must hear when a job changes things they show: files that entered the
 * library during an import (`library-changed`, as the import goes) and a finished install
 * (`models-changed`). It listens to the engine's own events, because jobs run in a worker
 * whose engine forwards only job events to the engine that answers the windows: this way the
 * event is raised where the windows hear it, in every transport (and in-process too).
 */
export function announceJobEffects(events: EventEmitter<{ event: [EngineEvent] }>): void {
  const installed = new Set<number>();
  const imported = new Map<number, number>();
  events.on('event', (event: EngineEvent) => {
    if (event.kind !== 'job-updated') return;
    const { job } = event;
    // After the job's own event has reached every listener.
    if (job.type === 'install' && job.state === 'done' && !installed.has(job.id)) {
      installed.add(job.id);
      queueMicrotask(() => events.emit('event', { kind: 'models-changed' }));
    }
    if (job.type === 'import' && job.progress > (imported.get(job.id) ?? -1)) {
      imported.set(job.id, job.progress);
      if (job.state !== 'running' && job.state !== 'queued') imported.delete(job.id);
      queueMicrotask(() => events.emit('event', { kind: 'library-changed' }));
    }
  });
}
