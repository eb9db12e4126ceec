-- Removing a directory (DELETE /api/directories/:id) takes its attribute definitions with it; while
-- the directory lives, an attribute is still never deleted nor changes name or type.
create or replace function refuse_attribute_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    if not exists (select 1 from directories where id = old.directory_id) then
      return old;
    end if;
    raise exception 'account attribute "%" cannot be deleted', old.name using errcode = 'BW001';
  end if;
  if new.name <> old.name or new.data_type <> old.data_type then
    raise exception 'account attribute "%" (%) cannot change its name or type', old.name, old.data_type
      using errcode = 'BW001';
  end if;
  return new;
end $$;
