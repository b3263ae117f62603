/**
 * Which connection speaks for each agency. The first message that names an agency binds its connection to it;
 * while that connection is open no other may speak for the agency (a second client with the same id, or a
 * peer pretending to be one), and the bound connection may not speak for another agency.
 */
export class AgencyBindings<Owner extends object> {
  readonly #owners = new Map<number, Owner>();
  readonly #agencies = new WeakMap<Owner, number>();

  /** The agency `owner` is bound to, if any. */
  agencyOf(owner: Owner): number | undefined {
    return this.#agencies.get(owner);
  }

  /**
   * Binds `owner` to `agency`: 'bound' (or it already was), 'busy' (another owner holds it), 'other' (`owner` is
   * bound to a different agency).
   */
  bind(owner: Owner, agency: number): 'bound' | 'busy' | 'other' {
    const mine = this.#agencies.get(owner);
    if (mine !== undefined) return mine === agency ? 'bound' : 'other';
    const holder = this.#owners.get(agency);
    if (holder !== undefined && holder !== owner) return 'busy';
    this.#owners.set(agency, owner);
    this.#agencies.set(owner, agency);
    return 'bound';
  }

  /** Frees the agency `owner` held (its connection closed). */
  release(owner: Owner): void {
    const agency = this.#agencies.get(owner);
    if (agency !== undefined && this.#owners.get(agency) === owner) this.#owners.delete(agency);
  }
}
