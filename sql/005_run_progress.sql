-- What a running sync is doing, written outside its transaction as it goes, so it can be watched:
-- {"phase": "staging" | "checking" | "merging" | "saving", "source": file, "rowsRead": n}.
alter table sync_runs add column progress jsonb not null default '{}';
