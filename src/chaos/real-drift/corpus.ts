/**
 * The real-drift corpus: sequences of real files whose publishers changed field names,
 * types and sets between versions, each with ground truth written by hand from the data —
 * which source names are the same field (renames), which changed fields are not renames,
 * and which rows are truncated or malformed. The data is never copied into the repository:
 * the NYC TLC heads are read from the shared folder, the country data from npm packages
 * installed side by side under aliases (see package.json devDependencies).
 */

/** Where a step's data comes from. */
export type StepSource =
  /** A file of the shared real-data folder (`shared/realdata/<path>`), landed as it is. */
  | { kind: 'shared'; path: string }
  /** A JSON array in an installed npm package, landed as NDJSON (one element per line, names and values kept). */
  | { kind: 'npm-json-array'; package: string; version: string; path: string };

export interface DriftStep {
  /** The file name it lands under (its extension picks the reader). */
  file: string;
  source: StepSource;
  /** Line numbers (1-based, as the reader reports them) of rows cut off or otherwise malformed. */
  truncated: readonly number[];
}

export interface DriftSequence {
  name: string;
  /** Contract table name. */
  table: string;
  /** What drifted, for people reading the table. */
  about: string;
  /** The first step is the sample the contract is inferred from; every step is then ingested in order. */
  steps: readonly DriftStep[];
  /** The same field under another name: old (contract) name → new source name, names trimmed. */
  renames: Readonly<Record<string, string>>;
  /** Names that changed but are not renames: fields dropped, added, or look-alikes that are distinct. */
  notRenames: readonly string[];
}

const TLC_2014 = 'green_tripdata_2014-01.head.csv';
const TLC_2016 = 'green_tripdata_2016-07.head.csv';

export const REAL_DRIFT_SEQUENCES: readonly DriftSequence[] = [
  {
    name: 'tlc-green',
    table: 'trips',
    about: 'NYC TLC green trips 2014-01 → 2016-07: names re-cased, coordinates replaced by zone ids, a surcharge added',
    steps: [
      { file: TLC_2014, source: { kind: 'shared', path: `tlc/${TLC_2014}` }, truncated: [10] },
      { file: TLC_2016, source: { kind: 'shared', path: `tlc/${TLC_2016}` }, truncated: [11] },
    ],
    renames: {
      Lpep_dropoff_datetime: 'lpep_dropoff_datetime',
      Store_and_fwd_flag: 'store_and_fwd_flag',
      RateCodeID: 'RatecodeID',
      Passenger_count: 'passenger_count',
      Trip_distance: 'trip_distance',
      Fare_amount: 'fare_amount',
      Extra: 'extra',
      MTA_tax: 'mta_tax',
      Tip_amount: 'tip_amount',
      Tolls_amount: 'tolls_amount',
      Ehail_fee: 'ehail_fee',
      Total_amount: 'total_amount',
      Payment_type: 'payment_type',
      // The 2014 header says `Trip_type ` (trailing space); names are compared trimmed.
      Trip_type: 'trip_type',
    },
    notRenames: ['Pickup_longitude', 'Pickup_latitude', 'Dropoff_longitude', 'Dropoff_latitude', 'PULocationID', 'DOLocationID', 'improvement_surcharge'],
  },
  {
    name: 'tlc-fhv',
    table: 'fhv_trips',
    about: 'NYC TLC for-hire trips 2018-01: quoted header, two look-alike columns that are distinct',
    steps: [{ file: 'fhv_tripdata_2018-01.head.csv', source: { kind: 'shared', path: 'tlc/fhv_tripdata_2018-01.head.csv' }, truncated: [14] }],
    renames: {},
    notRenames: ['Dispatching_base_number', 'Dispatching_base_num'],
  },
  {
    name: 'world-countries',
    table: 'countries',
    about: 'world-countries 2.0.0 → 3.0.0 → 4.0.0: currency/callingCode/demonym renamed and restructured',
    steps: [
      { file: 'countries-2.0.0.ndjson', source: { kind: 'npm-json-array', package: 'world-countries-v2', version: '2.0.0', path: 'countries.json' }, truncated: [] },
      { file: 'countries-3.0.0.ndjson', source: { kind: 'npm-json-array', package: 'world-countries-v3', version: '3.0.0', path: 'countries.json' }, truncated: [] },
      { file: 'countries-4.0.0.ndjson', source: { kind: 'npm-json-array', package: 'world-countries-v4', version: '4.0.0', path: 'countries.json' }, truncated: [] },
    ],
    renames: {
      // ["EUR"] → {"EUR": {"name": "Euro", "symbol": "€"}}
      currency: 'currencies',
      // ["33"] → {"root": "+3", "suffixes": ["3"]}
      callingCode: 'idd',
      // "French" → {"eng": {"f": "French", "m": "French"}, "fra": {…}}
      demonym: 'demonyms',
    },
    notRenames: [],
  },
];
