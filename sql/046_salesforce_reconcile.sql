-- Runs since the object's Ids were last read whole (a reconcile), which removes from the directory
-- what Salesforce no longer has; every so many runs one is due.
alter table salesforce_watermarks add column runs_since_reconcile integer not null default 0 check (runs_since_reconcile >= 0);
