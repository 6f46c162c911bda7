/** How many of something (downloads in progress) each token holds at once, up to `limit`. */
export class PerTokenLimit {
  readonly #held = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Takes one of the token's slots, or returns null when it holds them all; the function returned gives it back (once). */
  take(tokenId: string): (() => void) | null {
    const held = this.#held.get(tokenId) ?? 0;
    if (held >= this.limit) return null;
    this.#held.set(tokenId, held + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = this.#held.get(tokenId)! - 1;
      if (left === 0) this.#held.delete(tokenId);
      else this.#held.set(tokenId, left);
    };
  }
}
