-- Every change of a run (its progress, its end) is announced on 'sync_run_changes' with its id and
-- workflow, so a watcher (the run's event stream, the workflow CLI) reads the run when it changed
-- instead of every half second. A trigger, so that no writer can forget it. Notifications are sent
-- at commit, so a run's end is announced once it is visible.
create function notify_sync_run_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('sync_run_changes', json_build_object('id', new.id::text, 'workflowId', new.workflow_id)::text);
  return null;
end
$$;

create trigger sync_runs_notify after insert or update on sync_runs
  for each row execute function notify_sync_run_change();
