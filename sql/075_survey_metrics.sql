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
