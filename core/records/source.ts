/**
 * The one shape every source yields (local CSV files today, SFTP and Salesforce later):
 * the column names, then raw records each with where it came from.
 */
export type Origin = {
  /** The file name or Salesforce object the record came from. */
  source: string;
  /** 1-based line in the file where the record starts (the header is line 1). */
  line: number;
};

export type RawRecord = { kind: 'record'; origin: Origin; values: Readonly<Record<string, string>> };

/** A record the source could not read at all (bad quoting, wrong number of columns). */
export type RawRecordError = { kind: 'error'; origin: Origin; code: string; message: string };

export type SourceItem = RawRecord | RawRecordError;

export type RecordSource = {
  name: string;
  columns: readonly string[];
  items: AsyncIterable<SourceItem>;
};

/** Which directory objects each source feeds. */
export const SourceKind = { accounts: 'accounts', contacts: 'contacts', teamMembers: 'teamMembers' } as const;
export type SourceKind = (typeof SourceKind)[keyof typeof SourceKind];

export type Sources = Partial<Record<SourceKind, RecordSource>>;

/**
 * The header's column names for an error, when it names one of the columns read: a file whose
 * first line names none of them may be no export at all (a key, a password file), and an error
 * must not carry its content to whoever reads the run.
 */
export function headerShown(columns: readonly string[], read: readonly string[]): string {
  if (!read.some((c) => columns.includes(c))) return 'the header names none of the columns read, so it is not shown';
  return `the header has: ${columns.join(', ')}`;
}
