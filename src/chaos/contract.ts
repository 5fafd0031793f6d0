/**
 * The data contract of the chaos monkey's event stream, as YAML text for the contract
 * loader. The generator's clean records satisfy it exactly; every injected fault and drift
 * breaks it in the one way the manifest says (see faults.ts and drift.ts).
 */
export const CHAOS_CONTRACT_YAML = `# Contract of the chaos monkey's event stream (agentic-etl chaos).
# Clean records satisfy it; the ground truth of every deviation is in <out>/.chaos/manifest.ndjson.
table: events
primary_key: [event_id]            # event ids are unique across a whole chaos run
columns:
  event_id:        {type: string, required: true}
  event_timestamp: {type: timestamp, required: true}    # ISO-8601 UTC, increasing
  event_type:      {type: string, enum: [click, view, purchase]}
  user_id:         {type: integer, required: true, min: 0}
  amount:          {type: double, min: 0}                # purchases only; absent on click and view
  device:          {type: string}                        # ios | android | web; sometimes absent
  quantity:        {type: integer, min: 1}               # purchases only, optional
evolution:                          # what the agent may do, per change kind
  new_column: evolve                # evolve | quarantine | ignore | fail
  type_change: widen                # widen | quarantine | fail
  coercion: lossless                # lossless | off
  rename: approve                   # auto | approve | off
  drift_threshold: 0.05             # share of a window above which a deviation is drift, not noise
`;
