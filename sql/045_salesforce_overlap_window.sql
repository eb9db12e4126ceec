-- How many records (deleted ones included) the last read saw in the overlap window, the minutes
-- before the watermark that every incremental extract looks at again: a count that grew there
-- means a record committed late with an older SystemModstamp.
alter table salesforce_watermarks add column window_count integer not null default 0 check (window_count >= 0);
