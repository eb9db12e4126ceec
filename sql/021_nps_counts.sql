-- Answers counted per account and UTC calendar month, and per UTC year, kept exact by triggers on
-- nps_responses, so every writer (history import, survey capture, a manual fix) keeps them right
-- without knowing of them. The Strategic Accounts widget sums whole years and months from here and
-- counts only the hours between a month boundary and its period's own boundary (time zone, as-of
-- date) from the answers: ordering 10,000 accounts by NPS reads tens of thousands of rows, not millions.
create table nps_monthly_counts (
  directory_id bigint not null references directories on delete cascade,
  account_external_id text not null,
  month date not null check (extract(day from month) = 1),
  promoters integer not null,
  passives integer not null,
  detractors integer not null,
  -- Counts included: one account's months are read from the index alone.
  primary key (directory_id, account_external_id, month) include (promoters, passives, detractors)
);
-- Ordering every account by a period's NPS reads those months for all accounts at once.
create index nps_monthly_counts_month on nps_monthly_counts (directory_id, month) include (account_external_id, promoters, passives, detractors);

create table nps_yearly_counts (
  directory_id bigint not null references directories on delete cascade,
  account_external_id text not null,
  year date not null check (extract(doy from year) = 1),
  promoters integer not null,
  passives integer not null,
  detractors integer not null,
  primary key (directory_id, account_external_id, year) include (promoters, passives, detractors)
);
create index nps_yearly_counts_year on nps_yearly_counts (directory_id, year) include (account_external_id, promoters, passives, detractors);

create function nps_month(responded_at timestamptz) returns date
  language sql immutable parallel safe
  return date_trunc('month', responded_at at time zone 'UTC')::date;

create function nps_year(responded_at timestamptz) returns date
  language sql immutable parallel safe
  return date_trunc('year', responded_at at time zone 'UTC')::date;

-- One statement's rows in or out (sign +1 or -1), added in key order so concurrent writers lock alike.
-- Anonymous survey answers name no account: no account's counts hold them.
create function nps_counts_add() returns trigger language plpgsql as $$
begin
  if tg_op in ('DELETE', 'UPDATE') then
    insert into nps_monthly_counts as t (directory_id, account_external_id, month, promoters, passives, detractors)
    select directory_id, account_external_id, nps_month(responded_at),
      -count(*) filter (where score >= 9), -count(*) filter (where score between 7 and 8), -count(*) filter (where score <= 6)
    from old_rows where account_external_id is not null group by 1, 2, 3 order by 1, 2, 3
    on conflict (directory_id, account_external_id, month) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
    insert into nps_yearly_counts as t (directory_id, account_external_id, year, promoters, passives, detractors)
    select directory_id, account_external_id, nps_year(responded_at),
      -count(*) filter (where score >= 9), -count(*) filter (where score between 7 and 8), -count(*) filter (where score <= 6)
    from old_rows where account_external_id is not null group by 1, 2, 3 order by 1, 2, 3
    on conflict (directory_id, account_external_id, year) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into nps_monthly_counts as t (directory_id, account_external_id, month, promoters, passives, detractors)
    select directory_id, account_external_id, nps_month(responded_at),
      count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)
    from new_rows where account_external_id is not null group by 1, 2, 3 order by 1, 2, 3
    on conflict (directory_id, account_external_id, month) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
    insert into nps_yearly_counts as t (directory_id, account_external_id, year, promoters, passives, detractors)
    select directory_id, account_external_id, nps_year(responded_at),
      count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)
    from new_rows where account_external_id is not null group by 1, 2, 3 order by 1, 2, 3
    on conflict (directory_id, account_external_id, year) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
  end if;
  return null;
end $$;

create function nps_counts_clear() returns trigger language plpgsql as $$
begin
  truncate nps_monthly_counts, nps_yearly_counts;
  return null;
end $$;

create trigger nps_counts_insert after insert on nps_responses
  referencing new table as new_rows for each statement execute function nps_counts_add();
create trigger nps_counts_update after update on nps_responses
  referencing old table as old_rows new table as new_rows for each statement execute function nps_counts_add();
create trigger nps_counts_delete after delete on nps_responses
  referencing old table as old_rows for each statement execute function nps_counts_add();
create trigger nps_counts_truncate after truncate on nps_responses
  for each statement execute function nps_counts_clear();

insert into nps_monthly_counts (directory_id, account_external_id, month, promoters, passives, detractors)
select directory_id, account_external_id, nps_month(responded_at),
  count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)
from nps_responses where account_external_id is not null group by 1, 2, 3;
insert into nps_yearly_counts (directory_id, account_external_id, year, promoters, passives, detractors)
select directory_id, account_external_id, nps_year(responded_at),
  count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)
from nps_responses where account_external_id is not null group by 1, 2, 3;

-- The hours between a period's boundary and the nearest month boundary, for every account at once.
create index nps_responses_time on nps_responses (directory_id, responded_at) include (account_external_id, score);
