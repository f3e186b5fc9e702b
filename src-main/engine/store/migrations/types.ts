/** One schema step. Versions go up in steps of 10; `up` runs inside the open transaction. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}
