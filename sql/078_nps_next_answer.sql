-- When the same contact next answered for the same account (null: not since). A widget configuration
-- that counts each contact's latest answer in a period (npsCounting latestPerContact) counts every
-- answer of the period from the running counts and takes away the answers followed by another of
-- the same contact and account before the period ends: which answer is a contact's latest depends
-- on the period, so no count per month can hold it, but the answers superseded inside a period are
-- few. Ordering 10,000 accounts by such an NPS read every answer of both periods. A contact answers
-- at most once an instant (the unique key on contact and time), so "next" is never a tie.
alter table nps_responses add column next_at timestamptz;

update nps_responses r set next_at = n.next_at
from (
  select id, lead(responded_at) over (partition by directory_id, account_external_id, contact_external_id order by responded_at) as next_at
  from nps_responses where account_external_id is not null
) n
where r.id = n.id and n.next_at is not null;

-- The answers a period's later answers superseded: read by the time of the answer that did.
create index nps_responses_superseded on nps_responses (directory_id, next_at) include (responded_at, account_external_id, score)
  where next_at is not null;

-- Recomputes next_at for every answer of the contacts and accounts a statement touched: its old
-- rows' and its new rows' (named in turn, as an insert has no old rows and a delete no new ones).
-- Its own update would fire it again: that inner run has nothing to do, and is skipped.
create function nps_next_answer_refresh() returns trigger language plpgsql as $$
declare
  touched text;
begin
  if pg_trigger_depth() > 1 then
    return null;
  end if;
  foreach touched in array case tg_op when 'INSERT' then array['new_rows'] when 'DELETE' then array['old_rows'] else array['old_rows', 'new_rows'] end loop
    execute format($sql$
      with touched as (
        select distinct directory_id, account_external_id, contact_external_id from %I where account_external_id is not null
      ), answers as (
        select r.id, r.next_at, lead(r.responded_at) over (partition by r.directory_id, r.account_external_id, r.contact_external_id order by r.responded_at) as next
        from touched t join nps_responses r
          on r.directory_id = t.directory_id and r.account_external_id = t.account_external_id and r.contact_external_id = t.contact_external_id
      )
      update nps_responses r set next_at = a.next
      from answers a where r.id = a.id and a.next_at is distinct from a.next
    $sql$, touched);
  end loop;
  return null;
end $$;

create trigger nps_next_answer_insert after insert on nps_responses
  referencing new table as new_rows for each statement execute function nps_next_answer_refresh();
create trigger nps_next_answer_update after update on nps_responses
  referencing old table as old_rows new table as new_rows for each statement execute function nps_next_answer_refresh();
create trigger nps_next_answer_delete after delete on nps_responses
  referencing old table as old_rows for each statement execute function nps_next_answer_refresh();
