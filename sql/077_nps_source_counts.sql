-- Answers counted per account, source and UTC month or year: the source is the survey answered, or 0 for
-- imported history (and the answers of a survey since deleted, whose survey_id is set null). A
-- widget configuration whose NPS counts only some sources (npsSource) sums these months, as the
-- others sum nps_monthly_counts and nps_yearly_counts, instead of counting every answer of the period: ordering 10,000
-- accounts by such an NPS read 400,000 answers. Kept exact by triggers on nps_responses, like 021.
create table nps_source_monthly_counts (
  directory_id bigint not null references directories on delete cascade,
  account_external_id text not null,
  source bigint not null,
  month date not null check (extract(day from month) = 1),
  promoters integer not null,
  passives integer not null,
  detractors integer not null,
  primary key (directory_id, account_external_id, source, month) include (promoters, passives, detractors)
);
-- Ordering every account by a period's NPS reads the months of all accounts at once, its sources
-- picked from the index's own columns.
create index nps_source_monthly_counts_month on nps_source_monthly_counts (directory_id, month)
  include (source, account_external_id, promoters, passives, detractors);

create table nps_source_yearly_counts (
  directory_id bigint not null references directories on delete cascade,
  account_external_id text not null,
  source bigint not null,
  year date not null check (extract(doy from year) = 1),
  promoters integer not null,
  passives integer not null,
  detractors integer not null,
  primary key (directory_id, account_external_id, source, year) include (promoters, passives, detractors)
);
create index nps_source_yearly_counts_year on nps_source_yearly_counts (directory_id, year)
  include (source, account_external_id, promoters, passives, detractors);

create function nps_source(survey_id bigint) returns bigint
  language sql immutable parallel safe
  return coalesce(survey_id, 0);

-- One statement's rows out (-1) and in (+1), in key order so concurrent writers lock alike; a
-- removed directory's rows are not written back.
create function nps_source_counts_add() returns trigger language plpgsql as $$
begin
  if tg_op in ('DELETE', 'UPDATE') then
    insert into nps_source_monthly_counts as t (directory_id, account_external_id, source, month, promoters, passives, detractors)
    select directory_id, account_external_id, nps_source(survey_id), nps_month(responded_at),
      -count(*) filter (where score >= 9), -count(*) filter (where score between 7 and 8), -count(*) filter (where score <= 6)
    from old_rows where account_external_id is not null and directory_id in (select id from directories)
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (directory_id, account_external_id, source, month) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
    insert into nps_source_yearly_counts as t (directory_id, account_external_id, source, year, promoters, passives, detractors)
    select directory_id, account_external_id, nps_source(survey_id), nps_year(responded_at),
      -count(*) filter (where score >= 9), -count(*) filter (where score between 7 and 8), -count(*) filter (where score <= 6)
    from old_rows where account_external_id is not null and directory_id in (select id from directories)
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (directory_id, account_external_id, source, year) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into nps_source_monthly_counts as t (directory_id, account_external_id, source, month, promoters, passives, detractors)
    select directory_id, account_external_id, nps_source(survey_id), nps_month(responded_at),
      count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)
    from new_rows where account_external_id is not null
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (directory_id, account_external_id, source, month) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
    insert into nps_source_yearly_counts as t (directory_id, account_external_id, source, year, promoters, passives, detractors)
    select directory_id, account_external_id, nps_source(survey_id), nps_year(responded_at),
      count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)
    from new_rows where account_external_id is not null
    group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (directory_id, account_external_id, source, year) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
  end if;
  return null;
end $$;

create function nps_source_counts_clear() returns trigger language plpgsql as $$
begin
  truncate nps_source_monthly_counts, nps_source_yearly_counts;
  return null;
end $$;

create trigger nps_source_counts_insert after insert on nps_responses
  referencing new table as new_rows for each statement execute function nps_source_counts_add();
create trigger nps_source_counts_update after update on nps_responses
  referencing old table as old_rows new table as new_rows for each statement execute function nps_source_counts_add();
create trigger nps_source_counts_delete after delete on nps_responses
  referencing old table as old_rows for each statement execute function nps_source_counts_add();
create trigger nps_source_counts_truncate after truncate on nps_responses
  for each statement execute function nps_source_counts_clear();

insert into nps_source_monthly_counts (directory_id, account_external_id, source, month, promoters, passives, detractors)
select directory_id, account_external_id, nps_source(survey_id), nps_month(responded_at),
  count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)
from nps_responses where account_external_id is not null group by 1, 2, 3, 4;
insert into nps_source_yearly_counts (directory_id, account_external_id, source, year, promoters, passives, detractors)
select directory_id, account_external_id, nps_source(survey_id), nps_year(responded_at),
  count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)
from nps_responses where account_external_id is not null group by 1, 2, 3, 4;
