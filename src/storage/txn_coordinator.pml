/*
 * TxnCoordinator: cross-partition transactions on an engine whose atomic
 * unit is one partition (RADOS: one object), the protocol of
 * shared/design/STORAGE.md rule 4, as a Promela model for spin. The model
 * comes before the code (issue 20); scripts/spin-check.sh runs it in CI.
 *
 * Objects, each read and written atomically on its own (one d_step is one
 * object operation, with its compare):
 *   record[t]   the transaction record of transaction t: NONE, PENDING,
 *               COMMITTED, ABORTED or GONE (removed); COMMITTED and ABORTED
 *               are final, and lead only to GONE
 *   item i      its committed value val[i], and at most one intent:
 *               intent[i] (the transaction holding it, 0 for none) with
 *               its planned value ival[i]
 *
 * The protocol, for a transaction t writing value v to items 0 and 1:
 *   1. create record[t] = PENDING
 *   2. for each item: put an intent (t, v), compared: the item holds no
 *      intent. An item holding another transaction's intent is first
 *      resolved when that one's record is final; while it is PENDING, t
 *      aborts (TransactionConflict)
 *   3. commit point: record[t] PENDING -> COMMITTED, compared. Losing the
 *      compare (a recoverer aborted t) cancels t
 *   4. resolve each intent: read the (final) record, then apply the value
 *      (COMMITTED) or drop it (ABORTED), compared: the intent is still t's
 *   5. remove the record (GONE), once every intent of t is resolved
 * An intent met whose record is GONE is dropped, compared: the record of a
 * committed transaction goes only after all its intents are resolved, so
 * such an intent is an aborted transaction's (placed late by a slow
 * coordinator, after a recoverer had aborted and removed its record).
 * Anyone may abort a PENDING transaction at any time (a recoverer whose
 * timeout for it has passed: the coordinator may be slow, not dead), and
 * anyone may resolve an intent whose record is final.
 * A transactional read of both items (TransactGetItems) reads each item
 * through its intent: a COMMITTED record's value, an ABORTED record's
 * committed value, and a PENDING (or GONE) one is a TransactionConflict;
 * then it reads the first item again and fails on a change (the read was
 * not atomic).
 *
 * Faults: each coordinator may crash after every step (it stops, leaving
 * its record and intents); a recoverer then finishes what is left.
 *
 * Properties checked, over every interleaving and crash (assertions, and no
 * invalid end state: no process is left blocked):
 *   atomicity   at the end both items hold the same value: both writes of
 *               one transaction or neither; no intent is left
 *   durability  a transaction acknowledged as committed won the commit
 *               point (its record went PENDING -> COMMITTED), and one
 *               reported cancelled did not
 *   isolation   a transactional read that succeeds sees both items from
 *               the same transaction (or both initial)
 * Two transactions (values 1 and 2), a reader and a recoverer: 41.9M states,
 * about 70 s and 2.3 GB (COLLAPSE). The checks catch what they should: a
 * reader without its second read of the first item breaks isolation, a
 * coordinator that commits a record a recoverer aborted breaks atomicity,
 * and so does one that removes its record before resolving its intents
 * (each found by spin when the model is changed so).
 *
 * The code is rados_txn.cc; there a recovery round is RecoverTransactions,
 * resolving an intent met is Settle, and the transactional read re-reads
 * every partition's version (TransactGet) where this reader re-reads one.
 */

#define NONE 0
#define PENDING 1
#define COMMITTED 2
#define ABORTED 3
#define GONE 4

byte record[3];   /* by transaction id 1, 2 */
byte val[2];
byte intent[2];
byte ival[2];
bool acked[3];
bool cancelled[3];
bool won[3];      /* ghost: the record went PENDING -> COMMITTED */
byte ended = 0;   /* coordinators that finished or crashed */

/* The coordinator may stop here. */
#define CRASH_POINT if :: skip :: goto crash fi

/* Resolve the intent on item i if its transaction's record is final. */
inline resolve(i) {
  holder = intent[i];   /* the item, */
  s = record[holder];   /* then its record: two reads, the record final or not by then */
  if
  :: holder != 0 && s == COMMITTED ->
     d_step { if :: intent[i] == holder -> val[i] = ival[i]; intent[i] = 0 :: else -> skip fi }
  :: holder != 0 && (s == ABORTED || s == GONE) ->
     d_step { if :: intent[i] == holder -> intent[i] = 0 :: else -> skip fi }
  :: else -> skip
  fi;
  holder = 0;   /* scratch cleared: fewer distinct states */
  s = 0
}

/* Resolve t's intent on item i, t's outcome known (a: apply it, else drop
   it), compared: the intent is still t's. */
inline resolve_own(i, t, a) {
  d_step {
    if
    :: intent[i] == t && a -> val[i] = ival[i]; intent[i] = 0
    :: intent[i] == t && !a -> intent[i] = 0
    :: else -> skip
    fi
  }
}

/* A recovery round on t: a final record's intents resolved, then the record
   removed. */
inline finish(t) {
  s = record[t];
  if
  :: s == COMMITTED || s == ABORTED ->
     i = 0; resolve_own(i, t, s == COMMITTED); i = 1; resolve_own(i, t, s == COMMITTED); record[t] = GONE
  :: else -> skip
  fi;
  i = 0;
  s = 0
}

proctype Coordinator(byte t; byte v) {
  byte i, holder, s;
  record[t] = PENDING;                                   /* 1 */
  CRASH_POINT;
  i = 0;
  do
  :: i < 2 ->                                            /* 2 */
     resolve(i);                                         /* help a finished transaction out */
     if
     :: d_step { intent[i] == 0 -> intent[i] = t; ival[i] = v }
     :: d_step { intent[i] != 0 && intent[i] != t -> skip } -> goto abort
     fi;
     CRASH_POINT;
     i++
  :: else -> break
  od;
  if                                                     /* 3 */
  :: d_step { record[t] == PENDING -> record[t] = COMMITTED; won[t] = true }
  :: d_step { record[t] != PENDING -> skip } -> goto cancel
  fi;
  acked[t] = true;
  CRASH_POINT;
  i = 0;
  do
  :: i < 2 -> resolve_own(i, t, 1); CRASH_POINT; i++      /* 4 */
  :: else -> break
  od;
  record[t] = GONE;                                      /* 5 */
  goto done;
abort:
  skip;
  d_step { if :: record[t] == PENDING -> record[t] = ABORTED :: else -> skip fi };
  /* (record[t] cannot be COMMITTED here: only t's coordinator commits it) */
cancel:
  skip;
  cancelled[t] = true;
  i = 0;
  do
  :: i < 2 -> resolve_own(i, t, 0); i++
  :: else -> break
  od;
  record[t] = GONE;
done:
crash:
  ended++
}

/* Another front-end: aborts PENDING transactions whose time ran out,
   resolves what it meets and runs recovery rounds, at any moment; once
   every coordinator has ended,
   it sweeps: aborts what is still PENDING and resolves every intent. */
proctype Recoverer() {
  byte i, t, holder, s;
  do
  :: d_step { record[1] == PENDING -> record[1] = ABORTED }
  :: d_step { record[2] == PENDING -> record[2] = ABORTED }
  :: i = 0; resolve(i)
  :: i = 1; resolve(i)
  :: finish(1)
  :: finish(2)
  :: break
  od;
  ended == 2;
  t = 1;
  do
  :: t < 3 -> d_step { if :: record[t] == PENDING -> record[t] = ABORTED :: else -> skip fi }; t++
  :: else -> break
  od;
  i = 0; resolve(i);
  i = 1; resolve(i);
  /* atomicity */
  assert(intent[0] == 0 && intent[1] == 0);
  assert(val[0] == val[1]);
  /* durability */
  t = 1;
  do
  :: t < 3 ->
     assert(!acked[t] || won[t]);
     assert(!cancelled[t] || !won[t]);
     t++
  :: else -> break
  od;
  assert((won[1] || won[2]) == (val[0] != 0))
}

/* Reads item i as a transactional read does: through its intent. */
inline read(i, out) {
  atomic { cur = val[i]; holder = intent[i]; planned = ival[i] };  /* one object read */
  s = record[holder];
  if
  :: holder == 0 || s == ABORTED -> out = cur
  :: holder != 0 && s == COMMITTED -> out = planned
  :: holder != 0 && (s == PENDING || s == GONE) -> goto conflict
  fi
}

proctype Reader() {
  byte a, b, again, cur, holder, planned, s;
  read(0, a);
  read(1, b);
  read(0, again);
  if
  :: again != a -> goto conflict
  :: else -> skip
  fi;
  assert(a == b);   /* isolation */
conflict:
  skip
}

init {
  atomic {
    run Coordinator(1, 1);
    run Coordinator(2, 2);
    run Recoverer();
    run Reader()
  }
}
