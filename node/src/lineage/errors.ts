/** Errors of the lineage module. Each carries the values involved. */

/** A record, proof file or argument is malformed. */
export class LineageFormatError extends Error {
  override name = "LineageFormatError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** A leaf index is not in the tree (or not in the snapshot asked for). */
export class LeafIndexError extends Error {
  override name = "LeafIndexError";
  readonly index: number;
  readonly size: number;
  constructor(index: number, size: number) {
    super(`leaf ${index} is not in a tree of ${size} leaves: use an index in [0, ${size - 1}]`);
    this.index = index;
    this.size = size;
  }
}

/** The tree is full (2^depth leaves). */
export class TreeFullError extends Error {
  override name = "TreeFullError";
  readonly capacity: number;
  constructor(capacity: number) {
    super(`the lineage tree is full (${capacity} leaves): start a new tree (a new database file)`);
    this.capacity = capacity;
  }
}

/** Leaf 0 marks an empty slot and can never be inserted. */
export class ZeroLeafError extends Error {
  override name = "ZeroLeafError";
  constructor() {
    super("cannot insert the leaf 0: 0 marks an empty slot; insert a record commitment");
  }
}

/** No record with this reference is stored. */
export class RecordNotFoundError extends Error {
  override name = "RecordNotFoundError";
  readonly ref: string;
  constructor(ref: string) {
    super(`no lineage record ${ref} in this node's store: check the record id or leaf index`);
    this.ref = ref;
  }
}

/** A proof job failed in the prover worker. */
export class ProverError extends Error {
  override name = "ProverError";
  readonly circuit: string;
  constructor(circuit: string, message: string) {
    super(`proving with ${circuit} failed: ${message}`);
    this.circuit = circuit;
  }
}

/** The module was used before start() or after stop(). */
export class NotStartedError extends Error {
  override name = "NotStartedError";
  constructor(what: string) {
    super(`${what} is not started: call start() first`);
  }
}
