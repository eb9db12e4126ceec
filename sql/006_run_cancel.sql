-- An admin's request to stop a running sync; the load checks it at each phase and every 50,000
-- rows, and stops by rolling back.
alter table sync_runs add column cancel_requested_at timestamptz;
