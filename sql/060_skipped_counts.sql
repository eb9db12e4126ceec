-- Rows whose value maps to SKIP are left out of a run and counted apart from the rejected ones.
alter table sync_run_counts add column skipped integer not null default 0;
