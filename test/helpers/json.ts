// JSON a test reads back (a command's stdout, a report file), typed as the test expects it: the
// assertions that follow are what check the shape.
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** The JSON of `vmsnap inventory --format json`, as far as the tests look into it. */
export interface InventoryJson {
  file: string;
  shard?: string;
  defaults?: Record<string, unknown>;
  hosts: ({ name: string } & Record<string, unknown>)[];
}
