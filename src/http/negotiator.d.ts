// negotiator 1.x ships no types, and @types/negotiator describes 0.6, without the `preferred` option used here.
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | string[] | undefined> });
    /** The `available` encodings the request accepts, best first; ties go to `preferred`'s order. */
    encodings(available: readonly string[], options?: { preferred?: readonly string[] }): string[];
  }
}
