/**
 * The ground floor of the renderer's state (AppState builds on it): the client, which view
 * shows, the messages for the operator, and calls whose failures become messages.
 */
import type { CallInput, CallName, CallOutput } from '../../../src-shared/api.js';
import type { Client } from './client.js';

export type View = 'library' | 'query' | 'review' | 'quality' | 'settings';

export interface Message {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

const MAX_MESSAGES = 5;
const INFO_MS = 6000;

export class AppBase {
  /** This window or page, named once per load: Undo takes back its own verdicts only. */
  readonly clientId = crypto.randomUUID();
  view = $state<View>('library');
  messages = $state<Message[]>([]);
  /** False while live updates are lost (web mode's event stream); the client retries. */
  connected = $state(true);

  private nextMessageId = 1;

  constructor(readonly client: Client) {}

  /** Shows an error until the operator dismisses it. */
  report(error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    this.push('error', text || 'Something went wrong.');
  }

  /** A notice that goes away by itself after a few seconds (errors stay until dismissed). */
  inform(text: string): void {
    const id = this.push('info', text);
    if (id !== null) setTimeout(() => this.dismiss(id), INFO_MS);
  }

  private push(kind: Message['kind'], text: string): number | null {
    const last = this.messages[this.messages.length - 1];
    if (last && last.kind === kind && last.text === text) return null;
    const id = this.nextMessageId++;
    this.messages = [...this.messages, { id, kind, text }].slice(-MAX_MESSAGES);
    return id;
  }

  dismiss(id: number): void {
    this.messages = this.messages.filter((m) => m.id !== id);
  }

  /** Calls the engine; a failure shows as a message and resolves to undefined. */
  async call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K> | undefined> {
    try {
      return await this.client.call(name, input);
    } catch (error) {
      this.report(error);
      return undefined;
    }
  }
}
