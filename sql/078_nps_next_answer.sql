-- The answers the same contact answered again for the same account, each with when it did next. A
-- widget configuration that counts each contact's latest answer in a period (npsCounting
-- latestPerContact) counts every answer of the period from the running counts and takes away those
-- superseded before the period ends: which answer is a contact's latest depends on the period, so
-- no count per month can hold it, but the answers superseded inside a period are few. Ordering
-- 10,000 accounts by such an NPS read every answer of both periods. A contact answers at most once
-- an instant (the unique key on contact and time), so "next" is never a tie. Kept apart from
-- nps_responses so keeping it never rewrites an answer (nor fires the counts' triggers).
create table nps_superseded_answers (
  response_id bigint primary key references nps_responses on delete cascade,
  directory_id bigint not null,
  account_external_id text not null,
  contact_external_id text not null,
  responded_at timestamptz not null,
  score smallint not null,
  next_at timestamptz not null
);
-- A period's superseded answers, by the time of the answer that superseded them.
create index nps_superseded_answers_next on nps_superseded_answers (directory_id, next_at) include (responded_at, account_external_id, score);
-- A contact's rows, to replace them when its answers change.
create index nps_superseded_answers_contact on nps_superseded_answers (directory_id, account_external_id, contact_external_id);

insert into nps_superseded_answers (response_id, directory_id, account_external_id, contact_external_id, responded_at, score, next_at)
select id, directory_id, account_external_id, contact_external_id, responded_at, score, next_at from (
  select r.*, lead(responded_at) over (partition by directory_id, account_external_id, contact_external_id order by responded_at) as next_at
  from nps_responses r where account_external_id is not null
) n where next_at is not null;

-- Replaces the rows of every contact and account a statement's old rows and new rows name (in
-- turn: an insert has no old rows, a delete no new ones) with their answers' as they are now.
create function nps_superseded_refresh() returns trigger language plpgsql as $$
declare
  touched text;
begin
  foreach touched in array case tg_op when 'INSERT' then array['new_rows'] when 'DELETE' then array['old_rows'] else array['old_rows', 'new_rows'] end loop
    execute format($sql$
      delete from nps_superseded_answers s using (select distinct directory_id, account_external_id, contact_external_id from %I) t
      where s.directory_id = t.directory_id and s.account_external_id = t.account_external_id and s.contact_external_id = t.contact_external_id
    $sql$, touched);
    execute format($sql$
      insert into nps_superseded_answers (response_id, directory_id, account_external_id, contact_external_id, responded_at, score, next_at)
      select id, directory_id, account_external_id, contact_external_id, responded_at, score, next_at from (
        select r.id, r.directory_id, r.account_external_id, r.contact_external_id, r.responded_at, r.score,
          lead(r.responded_at) over (partition by r.directory_id, r.account_external_id, r.contact_external_id order by r.responded_at) as next_at
        from (select distinct directory_id, account_external_id, contact_external_id from %I where account_external_id is not null) t
        join nps_responses r
          on r.directory_id = t.directory_id and r.account_external_id = t.account_external_id and r.contact_external_id = t.contact_external_id
      ) n where next_at is not null
      on conflict (response_id) do nothing
    $sql$, touched);
  end loop;
  return null;
end $$;

create trigger nps_superseded_insert after insert on nps_responses
  referencing new table as new_rows for each statement execute function nps_superseded_refresh();
create trigger nps_superseded_update after update on nps_responses
  referencing old table as old_rows new table as new_rows for each statement execute function nps_superseded_refresh();
create trigger nps_superseded_delete after delete on nps_responses
  referencing old table as old_rows for each statement execute function nps_superseded_refresh();
