// Sparkplug B 3.0 sequence numbers of one edge node. bdSeq numbers the MQTT sessions: each
// CONNECT's Will (NDEATH) and the NBIRTH that follows carry the same bdSeq, so a host can
// tell a late Will of an older session from the death of the current one (§6.4.4). It
// survives restarts: a Will from the previous process must not match this process's NBIRTH.
// seq numbers every message of a session but NDEATH, 0…255 and wrapping; NBIRTH is 0 (§6.4.3).
import { nextSeq } from './sparkplug-topics.js';

/** Where bdSeq is kept between runs (the store-and-forward file's meta table). */
export interface SequenceMemory {
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
}

export interface SequenceNumbers {
  /** The current session's bdSeq (-1 before the first). */
  readonly bdSeq: number;
  /** The seq the next message gets. */
  readonly seq: number;
  /** A new MQTT session: the next bdSeq, remembered before the CONNECT that carries it. */
  nextSession(): number;
  /** NBIRTH: seq starts again at 0. */
  restart(): void;
  /** The seq for the next message. */
  take(): number;
}

const BD_SEQ_KEY = 'bdSeq';

export function createSequenceNumbers(memory: SequenceMemory): SequenceNumbers {
  let bdSeq = Number(memory.getMeta(BD_SEQ_KEY) ?? -1);
  if (!Number.isInteger(bdSeq) || bdSeq < -1 || bdSeq > 255) bdSeq = -1;
  let seq = 0;
  return {
    get bdSeq() { return bdSeq; },
    get seq() { return seq; },
    nextSession() {
      bdSeq = (bdSeq + 1) & 0xff;
      memory.setMeta(BD_SEQ_KEY, String(bdSeq));
      return bdSeq;
    },
    restart() { seq = 0; },
    take() {
      const s = seq;
      seq = nextSeq(seq);
      return s;
    },
  };
}
