-- What created a distribution, e.g. one distribute task of one workflow-run job. A job that is
-- tried again after its distribution was created (a later load failed for a passing reason)
-- finds it by this key instead of inviting the same contacts a second time.
alter table distributions add column source_key text unique;
