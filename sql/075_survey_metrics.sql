-- Survey metrics of the Strategic Accounts widget: an account's answers to one question of one
-- survey (the 0-10 NPS question as 'NPS', an extra scale question by its key), summed per UTC
-- month and kept exact by triggers on nps_responses, as nps_monthly_counts is (021_nps_counts.sql).
-- A period's average or count adds whole months from here and reads only the hours between its own
-- boundaries (time zone, as-of date) and the nearest month boundaries from the answers.
create table survey_answer_months (
  directory_id bigint not null references directories on delete cascade,
  account_external_id text not null,
  survey_id bigint not null,
  question text not null,
  month date not null check (extract(day from month) = 1),
  answers integer not null,
  total numeric not null,
  primary key (directory_id, account_external_id, survey_id, question, month) include (answers, total)
);

-- The numeric answers of one row: the NPS score and each extra question's number.
create function survey_answer_values(score smallint, answers jsonb) returns table (question text, value numeric)
  language sql immutable parallel safe as $$
    select 'NPS', score::numeric
    union all
    select key, value::text::numeric from jsonb_each(answers) where jsonb_typeof(value) = 'number'
  $$;

-- Rows of a statement in (sign +1) or out (-1), in key order so concurrent writers lock alike. Only
-- survey answers that name an account count; a removed directory's rows are not written back.
create function survey_answer_months_add() returns trigger language plpgsql as $$
begin
  if tg_op in ('DELETE', 'UPDATE') then
    insert into survey_answer_months as t (directory_id, account_external_id, survey_id, question, month, answers, total)
    select r.directory_id, r.account_external_id, r.survey_id, v.question, nps_month(r.responded_at), -count(*), -sum(v.value)
    from old_rows r cross join lateral survey_answer_values(r.score, r.answers) v
    where r.account_external_id is not null and r.survey_id is not null and r.directory_id in (select id from directories)
    group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (directory_id, account_external_id, survey_id, question, month) do update
      set answers = t.answers + excluded.answers, total = t.total + excluded.total;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into survey_answer_months as t (directory_id, account_external_id, survey_id, question, month, answers, total)
    select r.directory_id, r.account_external_id, r.survey_id, v.question, nps_month(r.responded_at), count(*), sum(v.value)
    from new_rows r cross join lateral survey_answer_values(r.score, r.answers) v
    where r.account_external_id is not null and r.survey_id is not null
    group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (directory_id, account_external_id, survey_id, question, month) do update
      set answers = t.answers + excluded.answers, total = t.total + excluded.total;
  end if;
  return null;
end $$;

create function survey_answer_months_clear() returns trigger language plpgsql as $$
begin
  truncate survey_answer_months;
  return null;
end $$;

create trigger survey_answer_months_insert after insert on nps_responses
  referencing new table as new_rows for each statement execute function survey_answer_months_add();
create trigger survey_answer_months_update after update on nps_responses
  referencing old table as old_rows new table as new_rows for each statement execute function survey_answer_months_add();
create trigger survey_answer_months_delete after delete on nps_responses
  referencing old table as old_rows for each statement execute function survey_answer_months_add();
create trigger survey_answer_months_truncate after truncate on nps_responses
  for each statement execute function survey_answer_months_clear();

insert into survey_answer_months (directory_id, account_external_id, survey_id, question, month, answers, total)
select r.directory_id, r.account_external_id, r.survey_id, v.question, nps_month(r.responded_at), count(*), sum(v.value)
from nps_responses r cross join lateral survey_answer_values(r.score, r.answers) v
where r.account_external_id is not null and r.survey_id is not null
group by 1, 2, 3, 4, 5;

-- An account's latest answers to one survey, newest first: the latest answer of each period, and
-- the answers at a period's edges, without reading the account's other surveys.
create index nps_responses_account_survey on nps_responses (directory_id, account_external_id, survey_id, responded_at);

-- A configuration that counts only some surveys, or each contact's latest answer, counts the answers
-- themselves: the source and the contact are read with the score, from the index alone.
drop index nps_responses_account;
create index nps_responses_account on nps_responses (directory_id, account_external_id, responded_at) include (score, survey_id, contact_external_id);

-- Rolled up for no one user, each live account adds into the top of its chain of live parents. The
-- widget ordered 10,000 accounts by walking the whole hierarchy on every request; this keeps each
-- account's top, kept exact by triggers on accounts, so the walk happens when the hierarchy changes.
-- An account in a loop of parents has no top, as it is listed under none.
create table account_tops (
  directory_id bigint not null references directories on delete cascade,
  account_external_id text not null,
  top_external_id text not null,
  primary key (directory_id, account_external_id)
);
create index account_tops_top on account_tops (directory_id, top_external_id) include (account_external_id);

-- Sets the tops of the given accounts and of every account below them, from the accounts as they now are.
create function account_tops_refresh(dirs bigint[], ids text[]) returns void language plpgsql as $$
declare
  below_dirs bigint[];
  below_ids text[];
begin
  with recursive below (directory_id, external_id) as (
    select distinct d, i from unnest(dirs, ids) as c (d, i) where d in (select id from directories)
    union
    select c.directory_id, c.external_id from below b
    join accounts c on c.directory_id = b.directory_id and c.parent_external_id = b.external_id
  ) select array_agg(directory_id), array_agg(external_id) into below_dirs, below_ids from below;
  delete from account_tops t using unnest(below_dirs, below_ids) as b (d, i) where t.directory_id = b.d and t.account_external_id = b.i;
  insert into account_tops (directory_id, account_external_id, top_external_id)
  with recursive up (directory_id, account, cur, parent, depth) as (
    select a.directory_id, a.external_id, a.external_id, a.parent_external_id, 0
    from unnest(below_dirs, below_ids) as b (d, i) join accounts a on a.directory_id = b.d and a.external_id = b.i and not a.is_deleted
    union all
    select u.directory_id, u.account, p.external_id, p.parent_external_id, u.depth + 1 from up u
    join accounts p on p.directory_id = u.directory_id and p.external_id = u.parent and not p.is_deleted
    where u.depth < 10000
  )
  select distinct on (u.directory_id, u.account) u.directory_id, u.account, u.cur from up u
  -- The walk's last step is the top only when its parent is not live; else it ran round a loop.
  where not exists (select 1 from accounts p where p.directory_id = u.directory_id and p.external_id = u.parent and not p.is_deleted)
  order by u.directory_id, u.account, u.depth desc;
end $$;

-- What changes a top: an account added, removed, moved to another parent, deleted or live again.
create function account_tops_changed() returns trigger language plpgsql as $$
declare
  dirs bigint[];
  ids text[];
begin
  if tg_op = 'INSERT' then
    select array_agg(directory_id), array_agg(external_id) into dirs, ids from new_rows;
  elsif tg_op = 'DELETE' then
    select array_agg(directory_id), array_agg(external_id) into dirs, ids from old_rows;
  else
    select array_agg(coalesce(n.directory_id, o.directory_id)), array_agg(coalesce(n.external_id, o.external_id)) into dirs, ids
    from new_rows n full join old_rows o on o.directory_id = n.directory_id and o.external_id = n.external_id
    where n.external_id is null or o.external_id is null
      or n.parent_external_id is distinct from o.parent_external_id or n.is_deleted <> o.is_deleted;
  end if;
  if dirs is not null then
    perform account_tops_refresh(dirs, ids);
  end if;
  return null;
end $$;

create trigger account_tops_insert after insert on accounts
  referencing new table as new_rows for each statement execute function account_tops_changed();
create trigger account_tops_update after update on accounts
  referencing old table as old_rows new table as new_rows for each statement execute function account_tops_changed();
create trigger account_tops_delete after delete on accounts
  referencing old table as old_rows for each statement execute function account_tops_changed();

create function account_tops_clear() returns trigger language plpgsql as $$
begin
  truncate account_tops;
  return null;
end $$;
create trigger account_tops_truncate after truncate on accounts for each statement execute function account_tops_clear();

select account_tops_refresh(array_agg(directory_id), array_agg(external_id)) from accounts;
