-- Deleting a directory cascades to its answers and to their counts; the counts' trigger then must
-- not write the removed answers back into counts of a directory that no longer exists.
create or replace function nps_counts_add() returns trigger language plpgsql as $$
begin
  if tg_op in ('DELETE', 'UPDATE') then
    insert into nps_monthly_counts as t (directory_id, account_external_id, month, promoters, passives, detractors)
    select directory_id, account_external_id, nps_month(responded_at),
      -count(*) filter (where score >= 9), -count(*) filter (where score between 7 and 8), -count(*) filter (where score <= 6)
    from old_rows where account_external_id is not null and directory_id in (select id from directories) group by 1, 2, 3 order by 1, 2, 3
    on conflict (directory_id, account_external_id, month) do update
      set promoters = t.promoters + excluded.promoters, passives = t.passives + excluded.passives, detractors = t.detractors + excluded.detractors;
    insert into nps_yearly_counts as t (directory_id, account_external_id, year, promoters, passives, detractors)
    select directory_id, account_external_id, nps_year(responded_at),
      -count(*) filter (where score >= 9), -count(*) filter (where score between 7 and 8), -count(*) filter (where score <= 6)
    from old_rows where account_external_id is not null and directory_id in (select id from directories) group by 1, 2, 3 order by 1, 2, 3
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
