/** What `bind` found. */
export type BindResult = 'bound' | 'busy' | 'other' | 'taken-over';

/**
 * Which connection speaks for each agency. The first message that names an agency binds its connection to it; while
 * that connection holds it no other may speak for the agency through other messages (`busy`), and the bound
 * connection may not speak for another agency (`other`). A connection that proves it is the agency (its `hello`)
 * takes it over from the holder (`takeOver`), as an MQTT broker hands a client id's session to its newest
 * connection: an agency is never locked out by its own dead or half-closed connection. The connection it was taken
 * from stays bound to the agency but no longer holds it (`taken-over`).
 */
export class AgencyBindings<Owner extends object> {
  readonly #holders = new Map<number, Owner>();
  readonly #agencies = new WeakMap<Owner, number>();

  /** The agency `owner` is bound to, if any (also after it was taken over). */
  agencyOf(owner: Owner): number | undefined {
    return this.#agencies.get(owner);
  }

  /** Binds `owner` to `agency` unless another connection holds it, `owner` speaks for another, or lost it. */
  bind(owner: Owner, agency: number): BindResult {
    const mine = this.#agencies.get(owner);
    if (mine !== undefined) {
      if (mine !== agency) return 'other';
      return this.#holders.get(agency) === owner ? 'bound' : 'taken-over';
    }
    if (this.#holders.has(agency)) return 'busy';
    this.#holders.set(agency, owner);
    this.#agencies.set(owner, agency);
    return 'bound';
  }

  /**
   * Binds `owner` to `agency` even when another connection holds it, and returns that connection (it lost the
   * agency); `other` when `owner` speaks for another agency, `taken-over` when it lost this one itself.
   */
  takeOver(owner: Owner, agency: number): { readonly result: BindResult; readonly previous?: Owner } {
    const mine = this.#agencies.get(owner);
    if (mine !== undefined) return { result: this.bind(owner, agency) };
    const previous = this.#holders.get(agency);
    this.#holders.set(agency, owner);
    this.#agencies.set(owner, agency);
    return { result: 'bound', previous };
  }

  /** Frees the agency `owner` holds (its connection closed); nothing when it was taken over already. */
  release(owner: Owner): void {
    const agency = this.#agencies.get(owner);
    if (agency !== undefined && this.#holders.get(agency) === owner) this.#holders.delete(agency);
  }
}
